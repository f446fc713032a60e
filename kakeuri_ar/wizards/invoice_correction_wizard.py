# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, fields, models


class KakeuriInvoiceCorrectionWizard(models.TransientModel):
    """Correct a wrong invoice (請求書の訂正): what is wrong, then a credit note cancels it and
    a draft copy opens to be fixed; posting that copy sends the apology to the customer."""

    _name = "kakeuri.invoice.correction.wizard"
    _description = "Correct Invoice"

    move_id = fields.Many2one(comodel_name="account.move", string="Invoice", required=True, readonly=True)
    partner_id = fields.Many2one(related="move_id.partner_id")
    amount_total = fields.Monetary(related="move_id.amount_total", currency_field="currency_id")
    amount_paid = fields.Monetary(
        string="Already Paid",
        compute="_compute_amount_paid",
        currency_field="currency_id",
        help="Payments applied to the wrong invoice; they move to the corrected one when it is posted.",
    )
    currency_id = fields.Many2one(related="move_id.currency_id")
    reason = fields.Text(
        string="What Is Wrong",
        required=True,
        help="Told to the customer in the apology mail.",
    )

    def _compute_amount_paid(self):
        for wizard in self:
            wizard.amount_paid = wizard.move_id.amount_total - wizard.move_id.amount_residual

    def action_correct(self):
        self.ensure_one()
        corrected = self.move_id._kakeuri_correct(self.reason)
        return {
            "type": "ir.actions.act_window",
            "name": _("Corrected Invoice"),
            "res_model": "account.move",
            "view_mode": "form",
            "views": [(False, "form")],
            "res_id": corrected.id,
            "context": {"default_move_type": corrected.move_type},
        }
