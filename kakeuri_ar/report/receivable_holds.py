# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What collections leaves aside on an overdue invoice, decided once (保留).

An overdue invoice is not always to be chased for all of its open amount:

- a **payment plan** (``kakeuri.payment.plan``) that is active replaces the due dates of its
  invoices by its installments: the invoices are overdue only by the unpaid part of the
  installments dated before the day, spread over them oldest due first, and they fall due on
  the oldest such installment;
- an open **dispute** (``kakeuri.dispute``) leaves its amount out;
- an open **promise to pay** (``kakeuri.payment.promise``) leaves out what is still promised
  (its amount less the customer's payments dated from the day it was recorded), over its
  invoices (or all the customer's overdue invoices when it names none) oldest due first, until
  its deadline (its date plus the policy's grace).

Applied in that order to the overdue invoices of ``kakeuri.receivable.ledger``. Dunning (when
it computes, when it sends, and its worklist) leaves all three aside; the overdue check of
credit control follows plans and disputes only — a promise does not make a late invoice any
less late. What is held stays in the balance, the aging and the exposure.
"""

from collections import defaultdict

from odoo import _, api, models
from odoo.tools import SQL, format_amount, format_date


class KakeuriReceivableHolds(models.AbstractModel):
    _name = "kakeuri.receivable.holds"
    _description = "Receivable Holds"

    @api.model
    def _flush(self):
        for model in (
            "kakeuri.payment.plan",
            "kakeuri.payment.plan.installment",
            "kakeuri.payment.promise",
            "kakeuri.dispute",
        ):
            self.env[model].flush_model()

    @api.model
    def _holds_query(self, rows, company_ids, date, promises=True):
        """The overdue rows ``rows`` (an SQL query of ``company_id, partner_id, move_id,
        date_due, residual``: one row per invoice, the customer's commercial partner, see
        ``kakeuri.receivable.ledger._overdue_invoices_query``) as collections sees them on
        ``date`` (a date or an SQL expression): ``company_id, partner_id, move_id, date_due,
        residual`` (what is to be chased: zero when all of it is held), ``amount_total`` (the
        overdue amount before holds), ``held``, ``disputed`` (the part an open dispute holds),
        ``plan_id`` (the active plan of the invoice), ``promised`` and ``promise_id`` (the part
        an open promise holds, and the promise). Promises are left out when ``promises`` is
        False. Reads the addon's own tables only, so callers flush them (``_flush``)."""
        return SQL(
            """
            WITH o AS MATERIALIZED (%(rows)s),
            plan_due AS (%(plan_due)s),
            planned AS (%(planned)s),
            disputes AS (
                SELECT d.move_id, SUM(d.amount) AS amount
                  FROM kakeuri_dispute d
                 WHERE d.state = 'open' AND d.company_id = ANY(%(companies)s)
                   AND d.move_id IN (SELECT move_id FROM o)
                 GROUP BY d.move_id
            ),
            after_plan AS (
                SELECT o.company_id, o.partner_id, o.move_id, o.residual AS amount_total,
                       pl.plan_id,
                       CASE WHEN pl.plan_id IS NULL THEN o.date_due
                            ELSE COALESCE(pl.date_due, o.date_due) END AS date_due,
                       GREATEST(COALESCE(pl.due, o.residual) - COALESCE(d.amount, 0), 0) AS residual,
                       LEAST(COALESCE(d.amount, 0), COALESCE(pl.due, o.residual)) AS disputed
                  FROM o
                  LEFT JOIN planned pl ON pl.move_id = o.move_id
                  LEFT JOIN disputes d ON d.move_id = o.move_id
            ),
            promised AS (%(promised)s)
            SELECT a.company_id, a.partner_id, a.move_id, a.date_due, a.amount_total, a.plan_id,
                   a.disputed,
                   a.residual - COALESCE(pr.amount, 0) AS residual,
                   COALESCE(pr.amount, 0) AS promised,
                   pr.promise_id,
                   a.amount_total - (a.residual - COALESCE(pr.amount, 0)) AS held
              FROM after_plan a
              LEFT JOIN promised pr ON pr.move_id = a.move_id
            """,
            rows=rows,
            companies=list(company_ids),
            plan_due=self._plan_due_query(company_ids, date),
            planned=self._planned_query(),
            promised=self._promised_query(company_ids, date) if promises else self._no_promises_query(),
        )

    @api.model
    def _plan_due_query(self, company_ids, date):
        """Per active plan of the customers of ``o``: what its installments ask by ``date``
        (``overdue``) and since when (``date_due``)."""
        return SQL(
            """
            SELECT pl.id AS plan_id,
                   COALESCE(SUM(i.amount - i.amount_paid) FILTER (WHERE i.date < %(date)s), 0) AS overdue,
                   MIN(i.date) FILTER (WHERE i.date < %(date)s) AS date_due
              FROM kakeuri_payment_plan pl
              LEFT JOIN kakeuri_payment_plan_installment i
                     ON i.plan_id = pl.id AND i.amount > COALESCE(i.amount_paid, 0)
             WHERE pl.state = 'active' AND pl.company_id = ANY(%(companies)s)
               AND pl.partner_id IN (SELECT partner_id FROM o)
             GROUP BY pl.id
            """,
            date=date,
            companies=list(company_ids),
        )

    @api.model
    def _planned_query(self):
        """Per overdue invoice of an active plan: its share (``due``) of the plan's overdue
        installments, spread over the plan's invoices oldest due first."""
        return SQL(
            """
            SELECT DISTINCT ON (s.move_id) s.move_id, s.plan_id, s.date_due,
                   LEAST(s.residual, GREATEST(s.overdue - s.before, 0)) AS due
              FROM (
                    SELECT o.move_id, o.residual, pd.plan_id, pd.overdue, pd.date_due,
                           COALESCE(SUM(o.residual) OVER (
                               PARTITION BY pd.plan_id ORDER BY o.date_due, o.move_id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
                      FROM o
                      JOIN kakeuri_payment_plan_move_rel r ON r.move_id = o.move_id
                      JOIN plan_due pd ON pd.plan_id = r.plan_id
                   ) s
             ORDER BY s.move_id, s.plan_id
            """
        )

    @api.model
    def _promised_query(self, company_ids, date):
        """Per invoice (of ``after_plan``): the part of it an open promise still holds on
        ``date``. Each promise's rest is spread over its invoices (all the customer's when it
        names none) oldest due first, on what plans and disputes left."""
        ledger = self.env["kakeuri.receivable.ledger"]
        return SQL(
            """
            WITH open_promise AS (
                SELECT pr.id, pr.company_id, pr.partner_id,
                       GREATEST(pr.amount - COALESCE(paid.amount, 0), 0) AS rest,
                       EXISTS (SELECT 1 FROM kakeuri_payment_promise_move_rel r
                                WHERE r.promise_id = pr.id) AS has_moves
                  FROM kakeuri_payment_promise pr
                  LEFT JOIN LATERAL (
                        SELECT SUM(-aml.balance) AS amount
                          FROM res_partner cp
                          JOIN account_move_line aml ON aml.partner_id = cp.id
                          JOIN account_move m ON m.id = aml.move_id
                         WHERE cp.commercial_partner_id = pr.partner_id
                           AND %(item)s
                           AND aml.company_id = pr.company_id
                           AND %(payment)s
                           AND aml.date >= pr.date_start
                           AND aml.date <= %(date)s
                  ) paid ON TRUE
                 WHERE pr.state = 'open' AND pr.company_id = ANY(%(companies)s)
                   AND pr.date_deadline >= %(date)s
                   AND pr.partner_id IN (SELECT partner_id FROM o)
            ),
            spread AS (
                SELECT a.move_id, op.id AS promise_id, a.residual, op.rest,
                       COALESCE(SUM(a.residual) OVER (
                           PARTITION BY op.id ORDER BY a.date_due, a.move_id
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
                  FROM open_promise op
                  JOIN after_plan a ON a.partner_id = op.partner_id AND a.company_id = op.company_id
                 WHERE NOT op.has_moves
                    OR EXISTS (SELECT 1 FROM kakeuri_payment_promise_move_rel r
                                WHERE r.promise_id = op.id AND r.move_id = a.move_id)
            )
            SELECT s.move_id, MIN(s.promise_id) AS promise_id,
                   LEAST(MAX(s.residual), SUM(LEAST(s.residual, GREATEST(s.rest - s.before, 0)))) AS amount
              FROM spread s
             WHERE s.rest > s.before
             GROUP BY s.move_id
            """,
            item=ledger._item_condition("aml", company_ids),
            payment=ledger._payment_condition("aml", "m"),
            date=date,
            companies=list(company_ids),
        )

    @api.model
    def _no_promises_query(self):
        return SQL("SELECT NULL::int AS move_id, NULL::int AS promise_id, 0::numeric AS amount WHERE FALSE")

    @api.model
    def _describe(self, company, rows):
        """What plans, disputes and promises hold on the rows of one customer (rows of
        ``_holds_query``, in ``company``): sentences for a skip reason or a reminder's notes,
        [] when nothing is held."""
        held = [r for r in rows if r["held"] and r["held"] > 0]
        if not held:
            return []
        currency = company.currency_id
        notes = []
        promised = defaultdict(float)
        for row in held:
            if row["promised"]:
                promised[row["promise_id"]] += row["promised"]
        for promise in self.env["kakeuri.payment.promise"].sudo().browse(sorted(promised)):
            notes.append(
                _(
                    "Promised to pay %(amount)s by %(date)s.",
                    amount=format_amount(self.env, promised[promise.id], currency),
                    date=format_date(self.env, promise.date),
                )
            )
        disputed = [r for r in held if r["disputed"]]
        if disputed and all(currency.compare_amounts(r["disputed"], r["amount_total"]) >= 0 for r in rows):
            notes.append(_("All overdue invoices are disputed."))
        elif disputed:
            notes.append(
                _(
                    "Disputed, left out: %(amount)s (%(count)s invoice(s)).",
                    amount=format_amount(self.env, sum(r["disputed"] for r in disputed), currency),
                    count=len(disputed),
                )
            )
        planned = defaultdict(float)
        for row in held:
            if row["plan_id"]:
                planned[row["plan_id"]] += (
                    row["amount_total"] - row["residual"] - row["disputed"] - row["promised"]
                )
        for plan in self.env["kakeuri.payment.plan"].sudo().browse(sorted(planned)):
            if currency.compare_amounts(planned[plan.id], 0) > 0:
                notes.append(
                    _(
                        "Payment plan %(plan)s: %(amount)s not due yet.",
                        plan=plan.name,
                        amount=format_amount(self.env, planned[plan.id], currency),
                    )
                )
        return notes
