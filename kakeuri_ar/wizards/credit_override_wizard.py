# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class KakeuriCreditOverrideWizard(models.TransientModel):
    """A credit manager confirms an order the credit check refuses, and says why."""

    _name = "kakeuri.credit.override.wizard"
    _description = "Override Credit Block"

    order_id = fields.Many2one(comodel_name="sale.order", string="Order", required=True, readonly=True)
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Customer", compute="_compute_status", readonly=True
    )
    company_id = fields.Many2one(related="order_id.company_id")
    currency_id = fields.Many2one(related="order_id.company_id.currency_id")
    exposure = fields.Monetary(string="Exposure", compute="_compute_status", currency_field="currency_id")
    order_amount = fields.Monetary(
        string="This Order", compute="_compute_status", currency_field="currency_id"
    )
    credit_limit = fields.Monetary(
        string="Credit Limit", compute="_compute_status", currency_field="currency_id"
    )
    problems = fields.Text(string="Why It Is Blocked", compute="_compute_status")
    reason = fields.Text(string="Reason", required=True, help="Why the order may be confirmed anyway.")

    @api.depends("order_id")
    def _compute_status(self):
        for wizard in self:
            status = wizard._get_status()
            wizard.partner_id = status["partner"] if status else False
            wizard.exposure = status["exposure"] if status else 0.0
            wizard.order_amount = status["amount"] if status else 0.0
            wizard.credit_limit = status["limit"] if status else 0.0
            wizard.problems = "\n".join(status["problems"]) if status else False

    def _get_status(self):
        order = self.order_id
        if not order:
            return False
        status = order.partner_invoice_id.commercial_partner_id._kakeuri_credit_status(
            order._kakeuri_credit_amount(), order.company_id, order.currency_id, order, lock=False
        )
        # a hold of the ordering customer (when the invoice address is another company's)
        holds = order._kakeuri_ordering_partner_holds(lock=False)
        return dict(status, problems=status["problems"] + [p for hold in holds for p in hold["problems"]])

    def action_confirm(self):
        self.ensure_one()
        order = self.order_id
        order._kakeuri_check_override_rights()
        if not (self.reason or "").strip():
            raise UserError(
                _("Give a reason to override the credit block of %(order)s.", order=order.display_name)
            )
        if order.state not in ("draft", "sent"):
            raise UserError(
                _("%(order)s is not a quotation any more and cannot be confirmed.", order=order.display_name)
            )
        status = self._get_status()
        body = self._prepare_message_body(status)
        order.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
        # The customer's chatter needs no write right on contacts: post as the manager, sudo.
        status["partner"].sudo().message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            author_id=self.env.user.partner_id.id,
        )
        order.with_context(kakeuri_credit_override=True).action_confirm()
        return {"type": "ir.actions.act_window_close"}

    def _prepare_message_body(self, status):
        fmt = self.env["kakeuri.credit.exposure"]._format_amount
        company = self.order_id.company_id
        problems = Markup("").join(Markup("<li>%s</li>") % p for p in status["problems"])
        return Markup(
            "<p><b>%(title)s</b></p><p>%(who)s</p><p>%(reason_label)s %(reason)s</p>"
            "<p>%(figures)s</p><ul>%(problems)s</ul>"
        ) % {
            "title": _("Credit block overridden"),
            "who": _(
                "%(user)s confirmed %(order)s for %(partner)s despite the credit check.",
                user=self.env.user.name,
                order=self.order_id.display_name,
                partner=status["partner"].display_name,
            ),
            "reason_label": _("Reason:"),
            "reason": self.reason.strip(),
            "figures": _(
                "Exposure %(exposure)s, this order %(amount)s, credit limit %(limit)s.",
                exposure=fmt(status["exposure"], company),
                amount=fmt(status["amount"], company),
                limit=fmt(status["limit"], company),
            ),
            "problems": problems,
        }
