# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class KakeuriDunningCollection(models.Model):
    """A payment plan started from a row of the collections worklist."""

    _inherit = "kakeuri.dunning.collection"

    def action_kakeuri_payment_plan(self):
        """A new payment plan for the row's customer and its overdue invoices in the row's
        company."""
        self.ensure_one()
        Plan = self.env["kakeuri.payment.plan"].with_company(self.company_id)
        return Plan._kakeuri_action_new_plan(self.partner_id, self.company_id)
