# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What dunning reads from the ledger: the overdue invoices of each customer with what the
choice of a level and the skip reasons need about them, built on the receivable item of
``kakeuri.receivable.ledger``. The dunning run (when it is computed and when it is sent) and
the collections worklist read through here."""

from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL


class KakeuriDunningCandidates(models.AbstractModel):
    _name = "kakeuri.dunning.candidates"
    _description = "Dunning Candidates"

    @api.model
    def _flush(self):
        self.env["kakeuri.receivable.ledger"]._flush()
        self.env["kakeuri.receivable.holds"]._flush()
        for model in (
            "kakeuri.dunning.line",
            "kakeuri.dunning.run",
            "kakeuri.dunning.level",
            "kakeuri.dunning.move.level",
        ):
            self.env[model].flush_model()

    @api.model
    def _overdue_query(self, company_ids, date, move_ids=None, commercial_partner_ids=None):
        """One row per overdue customer invoice as dunning sees it on ``date``: the ledger's
        overdue invoices with what plans, disputes and promises hold (see
        ``kakeuri.receivable.holds._holds_query``): ``company_id, partner_id, move_id,
        date_due, residual`` (to chase), ``amount_total, held, disputed, plan_id, promised,
        promise_id``."""
        overdue = self.env["kakeuri.receivable.ledger"]._overdue_invoices_query(
            company_ids, date, commercial_partner_ids=commercial_partner_ids, move_ids=move_ids
        )
        return self.env["kakeuri.receivable.holds"]._holds_query(overdue, company_ids, date)

    @api.model
    def _candidates_query(self, company, date):
        """One row per overdue invoice of ``company`` on ``date``, in the order of the
        customers and due dates, with everything the level choice needs about the invoice and
        its customer (see ``get_candidates``)."""
        ledger = self.env["kakeuri.receivable.ledger"]
        return SQL(
            """
            WITH overdue AS (%(overdue)s),
            customers AS (SELECT DISTINCT partner_id FROM overdue),
            unapplied AS (
                SELECT u.partner_id, u.amount
                  FROM (%(unapplied)s) u
                 WHERE u.partner_id IN (SELECT partner_id FROM customers)
            ),
            last_sent AS (
                SELECT c.partner_id, ls.last_date
                  FROM customers c
                  JOIN LATERAL (%(last_sent)s) ls ON TRUE
            ),
            contacts AS (
                SELECT c.partner_id, inv.id AS contact_id
                  FROM customers c
                  LEFT JOIN LATERAL (%(contact)s) inv ON TRUE
            )
            SELECT o.partner_id,
                   o.move_id,
                   o.date_due AS date_maturity,
                   o.residual,
                   o.amount_total,
                   o.held,
                   o.disputed,
                   o.plan_id,
                   o.promised,
                   o.promise_id,
                   o.residual <= 0 AS blocked,
                   COALESCE(lv.days_overdue, -1) AS current_days,
                   COALESCE(p.kakeuri_dunning_excluded, FALSE) AS excluded,
                   p.user_id,
                   ls.last_date,
                   ct.contact_id,
                   COALESCE(un.amount, 0) AS unapplied
              FROM overdue o
              JOIN res_partner p ON p.id = o.partner_id
              LEFT JOIN kakeuri_dunning_move_level ml ON ml.move_id = o.move_id
              LEFT JOIN kakeuri_dunning_level lv ON lv.id = ml.level_id
              LEFT JOIN last_sent ls ON ls.partner_id = o.partner_id
              LEFT JOIN contacts ct ON ct.partner_id = o.partner_id
              LEFT JOIN unapplied un ON un.partner_id = o.partner_id
             ORDER BY o.partner_id, o.date_due, o.move_id
            """,
            overdue=self._overdue_query(company.ids, date),
            unapplied=ledger._unapplied_credits_query(company.ids, date),
            last_sent=self._last_sent_query(SQL("c.partner_id"), company),
            contact=self._contact_query(),
        )

    @api.model
    def _contact_query(self):
        """The invoice address with an email of the customer ``c``, if it has one."""
        return SQL(
            """SELECT ch.id
                 FROM res_partner ch
                WHERE ch.parent_id = c.partner_id
                  AND ch.type = 'invoice'
                  AND ch.active
                  AND COALESCE(ch.email, '') != ''
                ORDER BY ch.id
                LIMIT 1"""
        )

    @api.model
    def _last_sent_query(self, partner, company, except_line_ids=()):
        """The date of the last reminder sent to the customer ``partner`` (an SQL expression)
        in ``company``, leaving out the lines ``except_line_ids``: read from the index of the
        sent lines (``kakeuri.dunning.line.init``), one look-up per customer however many
        reminders were sent before."""
        return SQL(
            """SELECT MAX(l.date) AS last_date
                 FROM kakeuri_dunning_line l
                WHERE l.partner_id = %s AND l.state = 'sent' AND l.company_id = %s
                  AND l.id != ALL(%s::int[])""",
            partner,
            company.id,
            list(except_line_ids),
        )

    @api.model
    def get_candidates(self, company, date):
        """Overdue invoices of ``company`` as of ``date``, grouped per customer (commercial
        partner): {partner_id: [row, ...]}, each row a dict of ``partner_id, move_id,
        date_maturity`` (earliest overdue due date), ``residual`` (the overdue amount to chase),
        ``amount_total, held, disputed, plan_id, promised, promise_id`` (what plans, disputes
        and promises hold, see ``_overdue_query``), ``blocked`` (all of it is held),
        ``current_days`` (days of the level it reached, -1 for none), ``excluded, user_id``
        (the customer's),
        ``last_date`` (last reminder sent), ``contact_id`` (invoice address with an email) and
        ``unapplied`` (payments and credit notes to match, negative). One query."""
        self._flush()
        self.env.cr.execute(self._candidates_query(company, date))
        by_partner = defaultdict(list)
        for row in self.env.cr.dictfetchall():
            by_partner[row["partner_id"]].append(row)
        return by_partner

    @api.model
    def get_send_facts(self, company, date, move_ids, partner_ids, except_line_ids):
        """What the skip reasons need when reminders are sent, read again: ({move_id: row} of
        the invoices ``move_ids`` still overdue (rows of ``_overdue_query``), {partner_id:
        unapplied amount}, {partner_id: date of the last reminder sent, except by the lines
        ``except_line_ids``})."""
        self._flush()
        # the customers' other invoices too: a promise with no invoices is spread over them all
        overdue = self._overdue_query(company.ids, date, commercial_partner_ids=partner_ids)
        self.env.cr.execute(SQL("SELECT o.* FROM (%s) o WHERE o.move_id = ANY(%s)", overdue, list(move_ids)))
        open_amounts = {row["move_id"]: row for row in self.env.cr.dictfetchall()}
        unapplied = self.env["kakeuri.receivable.ledger"]._unapplied_credits_query(
            company.ids, date, commercial_partner_ids=partner_ids
        )
        unapplied = dict(self.env.execute_query(SQL("SELECT u.partner_id, u.amount FROM (%s) u", unapplied)))
        last_sent = self._last_sent_query(SQL("v.partner_id"), company, except_line_ids)
        rows = self.env.execute_query(
            SQL(
                "SELECT v.partner_id, ls.last_date FROM unnest(%s::int[]) AS v(partner_id), "
                "LATERAL (%s) ls WHERE ls.last_date IS NOT NULL",
                list(partner_ids),
                last_sent,
            )
        )
        return open_amounts, unapplied, dict(rows)

    @api.model
    def get_promise_payments(self, company, promises):
        """{partner_id: amount paid} by the customers of ``promises`` ({partner_id: (date from,
        date to)}): their payments (receivable items of entries, credit side) dated in that
        range, in company currency."""
        if not promises:
            return {}
        ids = list(promises)
        ledger = self.env["kakeuri.receivable.ledger"]
        self._flush()
        rows = self.env.execute_query(
            SQL(
                """SELECT v.partner_id, COALESCE(SUM(-aml.balance), 0)
                     FROM unnest(%(partners)s::int[], %(starts)s::date[], %(ends)s::date[])
                          AS v(partner_id, date_start, date_end)
                     JOIN res_partner p ON p.commercial_partner_id = v.partner_id
                     JOIN account_move_line aml ON aml.partner_id = p.id
                     JOIN account_move m ON m.id = aml.move_id
                    WHERE %(item)s
                      AND %(payment)s
                      AND aml.date >= v.date_start
                      AND aml.date <= v.date_end
                    GROUP BY v.partner_id""",
                partners=ids,
                starts=[promises[pid][0] for pid in ids],
                ends=[promises[pid][1] for pid in ids],
                item=ledger._item_condition("aml", company.ids),
                payment=ledger._payment_condition("aml", "m"),
            )
        )
        return dict(rows)

    @api.model
    def _worklist_query(self):
        """Per company and customer with an invoice overdue today: the overdue amount to chase
        (less what plans, disputes and promises hold), invoice and disputed counts, its active
        plan and open promise, oldest due date and the days of the highest
        and of the lowest level its invoices reached (the collections worklist)."""
        company_ids = self.env["res.company"].sudo().search([]).ids
        return SQL(
            """
            SELECT o.company_id,
                   o.partner_id,
                   SUM(o.residual) AS amount,
                   COUNT(*) AS invoice_count,
                   COUNT(*) FILTER (WHERE o.disputed > 0) AS disputed_count,
                   MIN(o.plan_id) AS plan_id,
                   MIN(o.promise_id) AS promise_id,
                   COALESCE(MIN(o.date_due) FILTER (WHERE o.residual > 0), MIN(o.date_due)) AS oldest_due,
                   MAX(lv.days_overdue) AS level_days,
                   MIN(COALESCE(lv.days_overdue, -1)) AS min_level_days
              FROM (%s) o
              LEFT JOIN kakeuri_dunning_move_level ml ON ml.move_id = o.move_id
              LEFT JOIN kakeuri_dunning_level lv ON lv.id = ml.level_id
             GROUP BY o.company_id, o.partner_id
            """,
            self._overdue_query(company_ids, SQL("CURRENT_DATE")),
        )
