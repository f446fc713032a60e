# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The read side of the receivables KPIs (売掛金KPI): the period figures of a company that
the aging engine does not give, read on the ledger with ``kakeuri.receivable.ledger``'s
definition of a receivable item, in company currency.

- **Credit sales** of a period: the receivable side of the customer invoices, receipts and
  credit notes dated in it (invoices minus credit notes), i.e. the sum of the balances of
  their receivable items.
- **Collected** in a period: the payments received dated in it, i.e. the credit side of the
  receivable items of journal entries (payments, bank matches, direct debits; not credit
  notes), as ``kakeuri.receivable.ledger._payment_condition`` defines them.

Both are read per day in one statement per company and date range, after the ORM has flushed,
and summed per period: the backfill reads its 24 months and their 90-day windows at once.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from .receivable_ledger import CHARGE_MOVE_TYPES

# Days of sales the DSO and the best possible DSO are measured on.
DSO_DAYS = 90


class KakeuriArKpi(models.AbstractModel):
    _name = "kakeuri.ar.kpi"
    _description = "Receivables KPI Figures"

    @api.model
    def get_period_figures(self, company, date_from, date_to):
        """``{'sales': float, 'collected': float}`` of ``company`` for the receivable items
        dated from ``date_from`` to ``date_to`` (both included), rounded to the currency."""
        daily = self.get_daily_figures(company, date_from, date_to)
        return self.sum_period(company, daily, date_from, date_to)

    @api.model
    def get_daily_figures(self, company, date_from, date_to):
        """``{date: (sales, collected)}`` of ``company`` for each day from ``date_from`` to
        ``date_to`` with receivable items, unrounded: one read of the ledger for as many
        periods as fall in that range (the backfill's months and their 90-day windows)."""
        ledger = self.env["kakeuri.receivable.ledger"]
        ledger._flush()
        account_ids = ledger._receivable_account_ids()
        if not account_ids:
            return {}
        condition = ledger._item_condition(
            "l",
            company.ids,
            date_to=fields.Date.to_date(date_to),
            date_from=fields.Date.to_date(date_from),
            account_ids=account_ids,
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT l.date,
                       COALESCE(SUM(l.balance) FILTER (WHERE m.move_type IN %(charges)s), 0),
                       COALESCE(-SUM(l.balance) FILTER (WHERE %(payment)s), 0)
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
                 WHERE %(condition)s
                 GROUP BY l.date
                """,
                charges=CHARGE_MOVE_TYPES,
                payment=ledger._payment_condition("l", "m"),
                condition=condition,
            )
        )
        return {day: (float(sales), float(collected)) for day, sales, collected in rows}

    @api.model
    def sum_period(self, company, daily, date_from, date_to):
        """The figures of the period from ``date_from`` to ``date_to`` (both included) out of
        ``daily`` (:meth:`get_daily_figures` of a range covering it), rounded to the currency."""
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        sales = collected = 0.0
        for day, (day_sales, day_collected) in daily.items():
            if date_from <= day <= date_to:
                sales += day_sales
                collected += day_collected
        currency = company.currency_id
        return {"sales": currency.round(sales) + 0.0, "collected": currency.round(collected) + 0.0}

    @api.model
    def get_ratios(self, receivable, not_due, sales_90, start_receivable, month_sales):
        """The ratios of a snapshot from its figures (see ``kakeuri.ar.snapshot``):
        ``{'dso', 'cei', 'avg_days_delinquent'}``, rounded to one decimal."""
        dso = receivable / sales_90 * DSO_DAYS if sales_90 else 0.0
        best_dso = not_due / sales_90 * DSO_DAYS if sales_90 else 0.0
        collectable = start_receivable + month_sales
        denominator = collectable - not_due
        cei = (collectable - receivable) / denominator * 100.0 if denominator else 0.0
        return {
            "dso": round(dso, 1) + 0.0,
            "cei": round(cei, 1) + 0.0,
            "avg_days_delinquent": round(dso - best_dso, 1) + 0.0,
        }
