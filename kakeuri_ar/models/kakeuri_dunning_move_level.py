# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools import SQL, sql


class KakeuriDunningMoveLevel(models.Model):
    """The highest dunning level an invoice has reached, and when: one row per invoice
    reminded, shown on the invoice as ``kakeuri_dunning_level_id`` and
    ``kakeuri_last_dunning_date``. Kept in a table of the addon rather than on
    ``account_move``: a dunning send sets it for thousands of invoices at once, which would
    otherwise rewrite each invoice's row (and every index of the journal entries) and go
    around ``account.move.write``."""

    _name = "kakeuri.dunning.move.level"
    _description = "Dunning Level of an Invoice"
    _rec_name = "move_id"
    _order = "move_id"
    # what a row records is the reminder sent, which keeps its author and date; each audit
    # column would cost a foreign-key check per invoice of a send
    _log_access = False

    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Invoice",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="move_id.company_id")
    level_id = fields.Many2one(
        comodel_name="kakeuri.dunning.level",
        string="Dunning Level",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    date = fields.Date(string="Last Reminder", readonly=True)

    _sql_constraints = [
        ("move_uniq", "unique (move_id)", "An invoice has one dunning level."),
    ]

    @api.model
    def _store(self, levels, date):
        """Set the level of the invoices ``levels`` ({move_id: level_id}) reached by reminders
        of ``date``, in one statement: a new row per invoice reminded for the first time, the
        row updated otherwise. The invoices are locked by the caller (``kakeuri.dunning.send``),
        so no other transaction sets them meanwhile."""
        if not levels:
            return
        move_ids = sorted(levels)
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """INSERT INTO kakeuri_dunning_move_level (move_id, level_id, date)
                   SELECT v.move_id, v.level_id, %(date)s
                     FROM unnest(%(ids)s::int[], %(levels)s::int[]) AS v(move_id, level_id)
                   ON CONFLICT (move_id) DO UPDATE
                      SET level_id = EXCLUDED.level_id, date = EXCLUDED.date""",
                date=date,
                ids=move_ids,
                levels=[levels[move_id] for move_id in move_ids],
            )
        )
        self.invalidate_model()
        moves = self.env["account.move"].browse(move_ids)
        moves.invalidate_recordset(["kakeuri_dunning_level_id", "kakeuri_last_dunning_date"])

    @api.model
    def _migrate_invoice_columns(self):
        """Upgrade from 18.0.1.1: the levels stored in columns of ``account_move`` become rows
        of this table, and the columns go (their foreign key would still keep a used level
        from being deleted). Returns the number of invoices moved."""
        cr = self.env.cr
        if not sql.column_exists(cr, "account_move", "kakeuri_dunning_level_id"):
            return 0
        self.flush_model()
        cr.execute(
            """INSERT INTO kakeuri_dunning_move_level (move_id, level_id, date)
               SELECT id, kakeuri_dunning_level_id, kakeuri_last_dunning_date
                 FROM account_move
                WHERE kakeuri_dunning_level_id IS NOT NULL
               ON CONFLICT (move_id) DO NOTHING"""
        )
        moved = cr.rowcount
        cr.execute("ALTER TABLE account_move DROP COLUMN kakeuri_dunning_level_id")
        if sql.column_exists(cr, "account_move", "kakeuri_last_dunning_date"):
            cr.execute("ALTER TABLE account_move DROP COLUMN kakeuri_last_dunning_date")
        self.invalidate_model()
        self.env["account.move"].invalidate_model(["kakeuri_dunning_level_id", "kakeuri_last_dunning_date"])
        return moved
