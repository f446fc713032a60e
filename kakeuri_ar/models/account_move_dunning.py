# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models
from odoo.osv import expression


class AccountMove(models.Model):
    _inherit = "account.move"

    # kept in kakeuri.dunning.move.level: a send sets them for thousands of invoices at once
    kakeuri_dunning_level_id = fields.Many2one(
        comodel_name="kakeuri.dunning.level",
        string="Dunning Level",
        compute="_compute_kakeuri_dunning_level",
        inverse="_inverse_kakeuri_dunning_level",
        search="_search_kakeuri_dunning_level_id",
        compute_sudo=True,
        readonly=True,
        help="Highest dunning level this invoice has reached; it is never sent the same level twice.",
    )
    kakeuri_last_dunning_date = fields.Date(
        string="Last Reminder",
        compute="_compute_kakeuri_dunning_level",
        inverse="_inverse_kakeuri_dunning_level",
        search="_search_kakeuri_last_dunning_date",
        compute_sudo=True,
        readonly=True,
    )
    kakeuri_dunning_line_ids = fields.Many2many(
        comodel_name="kakeuri.dunning.line",
        relation="kakeuri_dunning_line_move_rel",
        column1="move_id",
        column2="line_id",
        string="Reminders",
        domain=[("state", "=", "sent")],
        readonly=True,
        copy=False,
        groups="kakeuri_ar.group_ar_user",
        help="The reminders sent to the customer that listed this invoice, with their level.",
    )

    def _compute_kakeuri_dunning_level(self):
        rows = {
            row.move_id.id: row
            for row in self.env["kakeuri.dunning.move.level"].search([("move_id", "in", self._origin.ids)])
        }
        for move in self:
            row = rows.get(move._origin.id)
            move.kakeuri_dunning_level_id = row.level_id if row else False
            move.kakeuri_last_dunning_date = row.date if row else False

    def _inverse_kakeuri_dunning_level(self):
        """Set by hand (a script, a test): the invoices' rows follow; no level, no row."""
        MoveLevel = self.env["kakeuri.dunning.move.level"].sudo()
        rows = {row.move_id: row for row in MoveLevel.search([("move_id", "in", self.ids)])}
        for move in self:
            row = rows.get(move)
            if not move.kakeuri_dunning_level_id:
                if row:
                    row.unlink()
                continue
            vals = {"level_id": move.kakeuri_dunning_level_id.id, "date": move.kakeuri_last_dunning_date}
            if row:
                row.write(vals)
            else:
                MoveLevel.create(dict(vals, move_id=move.id))

    def _search_kakeuri_dunning_level_id(self, operator, value):
        return self._search_kakeuri_move_level("level_id", operator, value)

    def _search_kakeuri_last_dunning_date(self, operator, value):
        return self._search_kakeuri_move_level("date", operator, value)

    def _search_kakeuri_move_level(self, fname, operator, value):
        """The invoices whose level row matches; a negative condition (``!=``, ``not in``, ``=
        False``) also matches the invoices never reminded, which have no row."""
        positive = operator not in expression.NEGATIVE_TERM_OPERATORS
        if operator in ("=", "!=") and value is False:
            domain, positive = [], operator == "!="
        elif positive:
            domain = [(fname, operator, value)]
        else:
            domain = [(fname, expression.TERM_OPERATORS_NEGATION[operator], value)]
        query = self.env["kakeuri.dunning.move.level"].sudo()._search(domain)
        return [("id", "in" if positive else "not in", query.subselect("move_id"))]
