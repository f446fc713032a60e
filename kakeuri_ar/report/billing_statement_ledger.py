# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The figures of a closing-day billing statement (締め請求), read from the receivable ledger.

A statement is a view of the customer's receivable items (``kakeuri.receivable.ledger``):
its total due is the balance at the closing date, its purchases and payments are the items
dated in the period. This model adds what only statements need: the tax summary of the
period's invoices and which customers still have a statement to make.
"""

from odoo import api, models
from odoo.tools import SQL


class KakeuriBillingStatementLedger(models.AbstractModel):
    _name = "kakeuri.billing.statement.ledger"
    _description = "Billing Statement Ledger"

    @api.model
    def _ledger(self):
        return self.env["kakeuri.receivable.ledger"]

    # -------------------------------------------------------------- figures
    @api.model
    def get_balance(self, partner, company, date_to):
        """Receivable balance of the customer at the end of ``date_to``."""
        return self._ledger().get_balance(partner, company, date_to)

    @api.model
    def get_movements(self, partner, company, date_from, date_to):
        """[(move_id, move_type, balance)] of the customer's receivable items of the period."""
        return self._ledger().get_movements(partner, company, date_from, date_to)

    @api.model
    def has_movements(self, partner, company, date_from, date_to):
        """Whether the customer has a receivable item dated in the period."""
        ledger = self._ledger()
        ledger._flush()
        condition = SQL(
            "%s AND %s",
            ledger._item_condition("l", company.ids, date_to=date_to, date_from=date_from),
            ledger._subset_condition(partner.commercial_partner_id.ids),
        )
        rows = self.env.execute_query(
            SQL(
                """
            SELECT 1 FROM account_move_line l JOIN res_partner p ON p.id = l.partner_id WHERE %s LIMIT 1
                """,
                condition,
            )
        )
        return bool(rows)

    @api.model
    def get_tax_summary(self, moves):
        """Of the journal items of ``moves`` (signed as a charge to the customer): ``(base,
        taxed, untaxed_base)``: the base per tax id, the tax per tax id and the base of the
        product lines without tax."""
        if not moves:
            return {}, {}, 0.0
        self.env["account.move.line"].flush_model()
        base = dict(
            self.env.execute_query(
                SQL(
                    """
                SELECT rel.account_tax_id, SUM(-aml.balance)
                  FROM account_move_line aml
                  JOIN account_move_line_account_tax_rel rel ON rel.account_move_line_id = aml.id
                 WHERE aml.move_id = ANY(%s) AND aml.display_type = 'product'
              GROUP BY rel.account_tax_id
                    """,
                    moves.ids,
                )
            )
        )
        taxed = dict(
            self.env.execute_query(
                SQL(
                    """
                SELECT aml.tax_line_id, SUM(-aml.balance)
                  FROM account_move_line aml
                 WHERE aml.move_id = ANY(%s) AND aml.tax_line_id IS NOT NULL
              GROUP BY aml.tax_line_id
                    """,
                    moves.ids,
                )
            )
        )
        untaxed_base = self.env.execute_query(
            SQL(
                """
            SELECT SUM(-aml.balance)
              FROM account_move_line aml
             WHERE aml.move_id = ANY(%s) AND aml.display_type = 'product'
               AND NOT EXISTS (SELECT 1 FROM account_move_line_account_tax_rel rel
                                WHERE rel.account_move_line_id = aml.id)
                """,
                moves.ids,
            )
        )[0][0]
        return base, taxed, untaxed_base or 0.0

    # ------------------------------------------------------------ closing run
    @api.model
    def get_pending_partner_ids(self, company, closings):
        """Ids of the customers that still have a statement to make in ``company``, in id
        order.

        ``closings`` maps a partner id to ``(closing, first_start)``: its last closing date to
        bill and the start of that period when it has no statement yet. A customer is pending
        when its last live statement ends before the closing date and it has activity since:
        that statement's total due, a receivable item dated after it (or in the period), or a
        balance at the closing date. This is the activity the closing run itself requires; it
        only spares the run from looking at customers with nothing to bill."""
        if not closings:
            return []
        ledger = self._ledger()
        ledger._flush()
        self.env["kakeuri.billing.statement"].flush_model()
        partner_ids = sorted(closings)
        items = SQL(
            "%s AND %s",
            ledger._item_condition("l", company.ids),
            SQL("p.commercial_partner_id = c.partner_id AND l.date <= c.closing"),
        )
        query = SQL(
            """
            WITH c AS (
                SELECT cand.partner_id, cand.closing,
                       COALESCE(last.period_end + 1, cand.first_start) AS period_start,
                       COALESCE(last.total_due, 0) AS previous_total
                  FROM unnest(%(partners)s::int[], %(closings)s::date[], %(starts)s::date[])
                       AS cand(partner_id, closing, first_start)
             LEFT JOIN LATERAL (
                        SELECT s.period_end, s.total_due
                          FROM kakeuri_billing_statement s
                         WHERE s.partner_id = cand.partner_id AND s.company_id = %(company)s
                           AND s.state != 'cancel'
                      ORDER BY s.period_end DESC
                         LIMIT 1
                       ) last ON TRUE
                 WHERE last.period_end IS NULL OR last.period_end < cand.closing
            )
            SELECT c.partner_id
              FROM c
             WHERE c.previous_total != 0
                OR EXISTS (SELECT 1 FROM account_move_line l JOIN res_partner p ON p.id = l.partner_id
                            WHERE %(items)s AND l.date >= c.period_start)
                OR (SELECT COALESCE(SUM(l.balance), 0) FROM account_move_line l
                      JOIN res_partner p ON p.id = l.partner_id
                     WHERE %(items)s) != 0
          ORDER BY c.partner_id
            """,
            partners=partner_ids,
            closings=[closings[pid][0] for pid in partner_ids],
            starts=[closings[pid][1] for pid in partner_ids],
            company=company.id,
            items=items,
        )
        return [row[0] for row in self.env.execute_query(query)]
