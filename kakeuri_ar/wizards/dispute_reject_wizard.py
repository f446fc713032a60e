# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, fields, models
from odoo.exceptions import UserError


class KakeuriDisputeRejectWizard(models.TransientModel):
    """Why a dispute is rejected: the note goes to the invoice's and the customer's chatter."""

    _name = "kakeuri.dispute.reject.wizard"
    _description = "Reject Dispute"

    dispute_ids = fields.Many2many(comodel_name="kakeuri.dispute", string="Disputes", required=True)
    note = fields.Text(string="Rejection Note", required=True, help="Why the customer's claim is refused.")

    def action_reject(self):
        self.ensure_one()
        note = (self.note or "").strip()
        if not note:
            raise UserError(
                _(
                    "Say why %(disputes)s is rejected.",
                    disputes=", ".join(self.dispute_ids.mapped("display_name")),
                )
            )
        self.dispute_ids.action_reject(note=note)
        return {"type": "ir.actions.act_window_close"}
