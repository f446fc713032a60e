# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    """Invoices in a payment plan: a plan paid in full closes as its last invoice is paid, and
    a plan can be started from selected invoices."""

    _inherit = "account.move"

    def _invoice_paid_hook(self):
        res = super()._invoice_paid_hook()
        plans = (
            self.env["kakeuri.payment.plan"]
            .sudo()
            .search([("move_ids", "in", self.ids), ("state", "in", ("active", "broken"))])
        )
        plans._kakeuri_check_paid()
        return res

    def action_kakeuri_payment_plan(self):
        """A new payment plan for the selected invoices, which must be of one customer and one
        company."""
        if not self:
            raise UserError(_("Select the invoices the payment plan covers."))
        customers = self.commercial_partner_id
        if len(customers) != 1 or len(self.company_id) != 1:
            raise UserError(
                _(
                    "A payment plan covers invoices of one customer in one company; the selected "
                    "invoices are of %(customers)s in %(companies)s.",
                    customers=", ".join(customers.mapped("display_name")),
                    companies=", ".join(self.company_id.mapped("display_name")),
                )
            )
        Plan = self.env["kakeuri.payment.plan"].with_company(self.company_id)
        return Plan._kakeuri_action_new_plan(customers, self.company_id, self)
