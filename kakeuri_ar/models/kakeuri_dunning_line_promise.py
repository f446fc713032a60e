# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class KakeuriDunningLine(models.Model):
    """Recording a promise to pay the customer made on receiving a reminder: it covers the
    reminder's invoices."""

    _inherit = "kakeuri.dunning.line"

    def action_kakeuri_new_promise(self):
        self.ensure_one()
        return self.env["kakeuri.payment.promise"]._action_record(
            self.partner_id,
            self.company_id,
            moves=self.move_ids.filtered(lambda m: m.state == "posted" and m.amount_residual),
            dunning_line=self,
        )
