# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    kakeuri_dunning_level_id = fields.Many2one(
        comodel_name="kakeuri.dunning.level",
        string="Dunning Level",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="Highest dunning level this invoice has reached; it is never sent the same level twice.",
    )
    kakeuri_last_dunning_date = fields.Date(
        string="Last Reminder",
        copy=False,
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
