# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, _, api, models
from odoo.exceptions import UserError

AGREEMENT_TEMPLATE = "kakeuri_ar.mail_template_payment_plan_agreement"


class KakeuriPaymentPlan(models.Model):
    """The agreement sent to the customer, and the plan opened from elsewhere (the customer,
    the collections worklist, selected invoices)."""

    _inherit = "kakeuri.payment.plan"

    # ------------------------------------------------------------------ actions
    def action_send_agreement(self):
        """Open the mail composer with the agreement template and its PDF, in the customer's
        language; the mail goes through the mail queue."""
        self.ensure_one()
        if self.state not in ("active", "done", "broken"):
            raise UserError(
                _(
                    "Payment plan %(plan)s is %(state)s: activate it before sending the agreement.",
                    plan=self.display_name,
                    state=self._kakeuri_state_label(),
                )
            )
        return self.env["kakeuri.mail.render"]._composer_action(self, AGREEMENT_TEMPLATE)

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.move_ids.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------ opening a plan
    @api.model
    def _kakeuri_action_new_plan(self, partner, company, moves=None):
        """The form of a new draft plan for the customer in the company, covering ``moves``
        (default: its overdue invoices that no other plan holds)."""
        customer = partner.commercial_partner_id
        if moves is None:
            moves = self._kakeuri_plannable_invoices(customer, company, overdue=True)
        return {
            "type": "ir.actions.act_window",
            "name": _("New Payment Plan"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_partner_id": customer.id,
                "default_company_id": company.id,
                "default_move_ids": [Command.set(moves.ids)],
                "default_user_id": self.env.uid,
            },
        }

    # ------------------------------------------------------------------ helpers
    def _get_report_base_filename(self):
        self.ensure_one()
        return "%s - %s" % (self.partner_id.name, self.name.replace("/", "-"))
