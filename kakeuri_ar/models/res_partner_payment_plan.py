# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResPartner(models.Model):
    """A customer's payment plans: the stat button and "Payment Plan" on its form."""

    _inherit = "res.partner"

    kakeuri_payment_plan_count = fields.Integer(
        string="Payment Plans",
        compute="_compute_kakeuri_payment_plan_count",
    )

    def _compute_kakeuri_payment_plan_count(self):
        Plan = self.env["kakeuri.payment.plan"]
        if not Plan.has_access("read"):
            self.kakeuri_payment_plan_count = 0
            return
        counts = dict(
            Plan._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.kakeuri_payment_plan_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_kakeuri_payment_plans(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("kakeuri_ar.action_kakeuri_payment_plan")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_kakeuri_new_payment_plan(self):
        """A new payment plan for the customer's overdue invoices in the current company."""
        self.ensure_one()
        return self.env["kakeuri.payment.plan"]._kakeuri_action_new_plan(self, self.env.company)
