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
    kakeuri_dunning_blocked = fields.Boolean(
        string="Disputed",
        copy=False,
        tracking=True,
        help="A disputed invoice is never dunned until the dispute is resolved.",
    )
