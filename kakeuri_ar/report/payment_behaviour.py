# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payment behaviour of customers as the ledger stood at the end of a date (支払実績).

For a company, a score date ``date`` and a window start ``date_from`` (the window is
``(date_from, date]``: the policy's ``score_window_months`` before the date, that day
excluded), one statement returns per customer (the commercial partner of the item's partner):

- **Invoice items**: the receivable debit items of customer invoices and receipts
  (``out_invoice``, ``out_receipt``).
- **Payments**: the ``account.partial.reconcile`` matching an invoice item with a payment item
  (``kakeuri.receivable.ledger._payment_condition``: the credit side of a receivable item of a
  journal entry), counted when its ``max_date`` is in the window (on or before ``date``: a
  later reconciliation does not count yet). Each is weighted by its amount: days to pay =
  ``max_date`` - the invoice date (the accounting date when there is none), days late =
  ``max(0, max_date - due date)``; it is on time when ``max_date`` <= the due date.
  Settlements by a credit note (the credit side is an ``out_refund``) are not payments: they
  are left out of every average.
- **Overdue**: the open amounts, as of ``date`` (the reconciliations dated later added back),
  of invoice items due before ``date``, however long ago (a debt unpaid since before the
  window counts with all its days): late so far by ``date - due date``.
- ``avg_days_to_pay`` is the amount-weighted average over the payments; ``avg_days_late``
  over the payments and the overdue amounts; ``on_time_rate`` is the amount paid on time over
  the payments plus the overdue amounts, in percent.
- **Promises**: the customer's promises to pay (``kakeuri.payment.promise``) kept or broken
  whose promised date is in the window and which were judged by ``date`` (``date_checked``).
- **Balance**: every receivable item of the customer open as of ``date``; **sales**: the
  receivable side of invoices and receipts minus credit notes dated in the window;
  ``dso = balance / sales × window days`` (0 without sales).
- ``has_history``: anything paid in the window or overdue on the date; a customer without it
  is not graded.

Amounts are in company currency. What a receivable item is, its due date and the later
reconciliations come from ``kakeuri.receivable.ledger``. Record rules are the caller's: the
statement reads the tables of the company it is given.
"""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .receivable_ledger import CHARGE_MOVE_TYPES, INVOICE_MOVE_TYPES

# the sums the statement returns per customer, in this order after partner_id
SUMS = (
    "paid_amount",
    "paid_days_weighted",
    "paid_late_weighted",
    "on_time_amount",
    "overdue_amount",
    "overdue_late_weighted",
    "balance",
    "sales_amount",
    "promise_kept",
    "promise_broken",
)


class KakeuriPaymentBehaviour(models.AbstractModel):
    _name = "kakeuri.payment.behaviour"
    _description = "Payment Behaviour Engine"

    # ------------------------------------------------------------------ API
    @api.model
    def window_start(self, date, months):
        """The (excluded) first day of a window of ``months`` months ending on ``date``."""
        return fields.Date.to_date(date) - relativedelta(months=months)

    @api.model
    def get_behaviour(self, company, date, date_from, partner_ids=None):
        """{customer id: figures} of ``company`` over ``(date_from, date]``, as of the end of
        ``date``, for the customers with anything paid, overdue, open or sold in the window
        (only the commercial partners ``partner_ids`` when given). Figures: the amounts
        ``paid_amount, overdue_amount, balance, sales_amount``, the averages
        ``avg_days_to_pay, avg_days_late, on_time_rate, dso``, ``promise_count,
        promise_kept_rate`` and ``has_history`` (see the module)."""
        date = fields.Date.to_date(date)
        date_from = fields.Date.to_date(date_from)
        ledger = self.env["kakeuri.receivable.ledger"]
        ledger._flush()
        self.env["kakeuri.payment.promise"].flush_model()
        query = self._behaviour_query(company.id, date, date_from, partner_ids)
        currency = company.currency_id
        window_days = (date - date_from).days
        result = {}
        for partner_id, *sums in self.env.execute_query(query):
            values = dict(zip(SUMS, (float(s or 0.0) for s in sums), strict=True))
            result[partner_id] = self._figures(values, currency, window_days)
        return result

    # ------------------------------------------------------------ helpers
    @api.model
    def _figures(self, v, currency, window_days):
        """The score figures from the sums of one customer."""
        judged = v["paid_amount"] + v["overdue_amount"]
        promises = int(v["promise_kept"] + v["promise_broken"])
        sales = currency.round(v["sales_amount"])
        balance = currency.round(v["balance"])
        return {
            "paid_amount": currency.round(v["paid_amount"]),
            "overdue_amount": currency.round(v["overdue_amount"]),
            "balance": balance,
            "sales_amount": sales,
            "avg_days_to_pay": v["paid_days_weighted"] / v["paid_amount"] if v["paid_amount"] > 0 else 0.0,
            "avg_days_late": (v["paid_late_weighted"] + v["overdue_late_weighted"]) / judged
            if judged > 0
            else 0.0,
            "on_time_rate": v["on_time_amount"] * 100.0 / judged if judged > 0 else 0.0,
            "promise_count": promises,
            "promise_kept_rate": v["promise_kept"] * 100.0 / promises if promises else 0.0,
            "dso": balance / sales * window_days if sales > 0 else 0.0,
            "has_history": not currency.is_zero(judged),
        }

    @api.model
    def _behaviour_query(self, company_id, date, date_from, partner_ids):
        """One statement, one row per customer: ``partner_id`` and the ``SUMS``."""
        ledger = self.env["kakeuri.receivable.ledger"]
        account_ids = ledger._receivable_account_ids()
        subset = ledger._subset_condition(partner_ids)
        parts = [
            self._payments_query(company_id, date, date_from, account_ids, subset),
            self._open_query(company_id, date, date_from, account_ids, subset),
            self._sales_query(company_id, date, date_from, account_ids, subset),
            self._promises_query(company_id, date, date_from, partner_ids),
        ]
        sums = SQL(", ").join(SQL("SUM(%s)", SQL.identifier(name)) for name in SUMS)
        return SQL(
            "SELECT partner_id, %s FROM (%s) b GROUP BY partner_id ORDER BY partner_id",
            sums,
            SQL(" UNION ALL ").join(parts),
        )

    @api.model
    def _select(self, **columns):
        """The select list of one part of the union: the given ``SUMS`` columns, 0 for the rest."""
        return SQL(", ").join(
            SQL("%s AS %s", columns.get(name, SQL("0::float8")), SQL.identifier(name)) for name in SUMS
        )

    @api.model
    def _payments_query(self, company_id, date, date_from, account_ids, subset):
        """Payments matched with invoice items in the window (credit notes left out)."""
        ledger = self.env["kakeuri.receivable.ledger"]
        due = ledger._due_date("l")
        amount = SQL("pr.amount::float8")
        select = self._select(
            paid_amount=SQL("SUM(%s)", amount),
            paid_days_weighted=SQL("SUM(%s * (pr.max_date - COALESCE(m.invoice_date, m.date)))", amount),
            paid_late_weighted=SQL("SUM(%s * GREATEST(0, pr.max_date - %s))", amount, due),
            on_time_amount=SQL("COALESCE(SUM(%s) FILTER (WHERE pr.max_date <= %s), 0)", amount, due),
        )
        return SQL(
            """
            SELECT p.commercial_partner_id AS partner_id, %(select)s
              FROM account_partial_reconcile pr
              JOIN account_move_line l ON l.id = pr.debit_move_id
              JOIN account_move m ON m.id = l.move_id
              JOIN res_partner p ON p.id = l.partner_id
              JOIN account_move_line c ON c.id = pr.credit_move_id
              JOIN account_move cm ON cm.id = c.move_id
             WHERE pr.max_date > %(date_from)s AND pr.max_date <= %(date)s
               AND %(items)s AND m.move_type IN %(types)s AND l.balance > 0
               AND %(payment)s AND %(subset)s
             GROUP BY p.commercial_partner_id
            """,
            select=select,
            date_from=date_from,
            date=date,
            items=ledger._item_condition("l", [company_id], account_ids=account_ids),
            types=INVOICE_MOVE_TYPES,
            payment=ledger._payment_condition("c", "cm"),
            subset=subset,
        )

    @api.model
    def _open_query(self, company_id, date, date_from, account_ids, subset):
        """Items open as of the end of ``date``: the balance, and the overdue invoice items,
        whatever their due date: a debt left unpaid since before the window is the worst
        behaviour, not an absence of history."""
        ledger = self.env["kakeuri.receivable.ledger"]
        due = ledger._due_date("o")
        overdue = SQL(
            "o.move_type IN %s AND o.balance > 0 AND o.residual > 0 AND %s < %s",
            INVOICE_MOVE_TYPES,
            due,
            date,
        )
        select = self._select(
            overdue_amount=SQL("COALESCE(SUM(o.residual) FILTER (WHERE %s), 0)", overdue),
            overdue_late_weighted=SQL(
                "COALESCE(SUM(o.residual * (%s - %s)) FILTER (WHERE %s), 0)", date, due, overdue
            ),
            balance=SQL("SUM(o.residual)"),
        )
        return SQL(
            """
            SELECT o.partner_id, %(select)s
              FROM (
                    SELECT p.commercial_partner_id AS partner_id, l.date, l.date_maturity, l.balance,
                           m.move_type, (l.amount_residual + COALESCE(s.amount, 0))::float8 AS residual
                      FROM account_move_line l
                      JOIN account_move m ON m.id = l.move_id
                      JOIN res_partner p ON p.id = l.partner_id
                 LEFT JOIN (SELECT line_id, SUM(amount) AS amount FROM (%(later)s) lp GROUP BY line_id) s
                        ON s.line_id = l.id
                     WHERE %(items)s AND %(subset)s
                       AND (l.amount_residual <> 0 OR s.amount IS NOT NULL)
                   ) o
             WHERE o.residual <> 0
             GROUP BY o.partner_id
            """,
            select=select,
            later=ledger._later_partials(date),
            items=ledger._item_condition("l", [company_id], date_to=date, account_ids=account_ids),
            subset=subset,
        )

    @api.model
    def _sales_query(self, company_id, date, date_from, account_ids, subset):
        """Credit sales dated in the window: invoices and receipts minus credit notes."""
        ledger = self.env["kakeuri.receivable.ledger"]
        items = ledger._item_condition(
            "l",
            [company_id],
            date_to=date,
            date_from=date_from + relativedelta(days=1),
            account_ids=account_ids,
        )
        return SQL(
            """
            SELECT p.commercial_partner_id AS partner_id, %(select)s
              FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
              JOIN res_partner p ON p.id = l.partner_id
             WHERE %(items)s AND m.move_type IN %(types)s AND %(subset)s
             GROUP BY p.commercial_partner_id
            """,
            select=self._select(sales_amount=SQL("SUM(l.balance::float8)")),
            items=items,
            types=CHARGE_MOVE_TYPES,
            subset=subset,
        )

    @api.model
    def _promises_query(self, company_id, date, date_from, partner_ids):
        """Promises kept or broken, promised in the window and judged by ``date``."""
        subset = SQL("TRUE")
        if partner_ids is not None:
            subset = SQL("p.commercial_partner_id = ANY(%s)", list(partner_ids))
        select = self._select(
            promise_kept=SQL("COUNT(*) FILTER (WHERE pp.state = 'kept')::float8"),
            promise_broken=SQL("COUNT(*) FILTER (WHERE pp.state = 'broken')::float8"),
        )
        return SQL(
            """
            SELECT p.commercial_partner_id AS partner_id, %(select)s
              FROM kakeuri_payment_promise pp
              JOIN res_partner p ON p.id = pp.partner_id
             WHERE pp.company_id = %(company)s AND pp.state IN ('kept', 'broken')
               AND pp.date > %(date_from)s AND pp.date <= %(date)s
               AND COALESCE(pp.date_checked, pp.date) <= %(date)s AND %(subset)s
             GROUP BY p.commercial_partner_id
            """,
            select=select,
            company=company_id,
            date_from=date_from,
            date=date,
            subset=subset,
        )
