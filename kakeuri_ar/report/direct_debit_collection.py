# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a direct debit run collects, read from the receivable ledger: the open receivable
items of the debit customers (``kakeuri.receivable.ledger``), less the disputed ones and the
ones already sent to the bank in another run still waiting for its result."""

from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL


class KakeuriDirectDebitCollection(models.AbstractModel):
    _name = "kakeuri.direct.debit.collection"
    _description = "Direct Debit Collection"

    @api.model
    def _flush(self):
        self.env["kakeuri.receivable.ledger"]._flush()
        self.env["kakeuri.direct.debit.line"].flush_model()
        self.env["kakeuri.direct.debit.run"].flush_model()

    @api.model
    def _pending_condition(self, alias, run):
        """The item ``alias`` is not in a debit sent to the bank (a line exported and without
        a result) of a run other than ``run``."""
        return SQL(
            """NOT EXISTS (
                SELECT 1
                  FROM kakeuri_direct_debit_line_item_rel r
                  JOIN kakeuri_direct_debit_line dl ON dl.id = r.debit_line_id
                 WHERE r.item_id = %s.line_id AND dl.state = 'exported' AND dl.run_id != %s
            )""",
            SQL.identifier(alias),
            run.id or 0,
        )

    @api.model
    def get_items(self, run, partner_ids, statement_move_ids):
        """{customer id: [(item id, entry id, open amount)]} of the items ``run`` collects:
        for the customers ``partner_ids``, their open items due by the collection date; and
        the open items of the entries ``statement_move_ids`` (the invoices of their billing
        statements due by then), whatever their own due dates. Disputed items and items
        pending in another run are left out. Open amounts in company currency, signed."""
        self._flush()
        ledger = self.env["kakeuri.receivable.ledger"]
        company_ids = run.company_id.ids
        queries = []
        if partner_ids:
            items = ledger._open_items_query(company_ids, commercial_partner_ids=partner_ids)
            queries.append(SQL("SELECT * FROM (%s) i WHERE i.date_due <= %s", items, run.collection_date))
        if statement_move_ids:
            queries.append(ledger._open_items_query(company_ids, move_ids=statement_move_ids))
        if not queries:
            return {}
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT i.partner_id, i.line_id, i.move_id, i.residual, i.date_due
                  FROM (%s) i
                 WHERE NOT i.disputed AND %s
                 ORDER BY i.partner_id, i.date_due, i.line_id
                """,
                SQL(" UNION ALL ").join(queries),
                self._pending_condition("i", run),
            )
        )
        by_partner = defaultdict(list)
        for partner_id, line_id, move_id, residual, _date_due in rows:
            by_partner[partner_id].append((line_id, move_id, residual))
        return by_partner
