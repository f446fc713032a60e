# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "kakeuri.credit.banner.mixin"]

    kakeuri_credit_warning = fields.Text(
        help="Why the customer's credit does not allow this order (hold, limit, overdue).",
    )
    kakeuri_credit_blocking = fields.Boolean(string="Credit Blocks Confirmation")

    @api.model
    def _kakeuri_credit_banner_depends(self):
        return super()._kakeuri_credit_banner_depends() + [
            "partner_invoice_id",
            "order_line.price_total",
            "order_line.qty_invoiced",
        ]

    def _kakeuri_credit_banner_statuses(self):
        self.ensure_one()
        if self.state not in ("draft", "sent", "sale") or not self.partner_invoice_id:
            return []
        status = self.partner_invoice_id.commercial_partner_id._kakeuri_credit_status(
            self._kakeuri_credit_amount(), self.company_id, self.currency_id, self._origin, lock=False
        )
        return [status, *self._kakeuri_ordering_partner_holds(lock=False)]

    def _kakeuri_credit_banner_may_block(self):
        return self.state in ("draft", "sent")

    def action_confirm(self):
        self._kakeuri_check_credit_on_confirm()
        return super().action_confirm()

    def action_kakeuri_override_credit(self):
        """Open the override wizard (credit managers only)."""
        self._kakeuri_check_override_rights()
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Override Credit Block"),
            "res_model": "kakeuri.credit.override.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _kakeuri_check_override_rights(self):
        if not self.env.user.has_group("kakeuri_ar.group_credit_manager"):
            raise AccessError(
                _(
                    "Only a credit manager can override the credit block of %(orders)s.",
                    orders=", ".join(self.mapped("display_name")),
                )
            )

    def _kakeuri_check_credit_on_confirm(self):
        """Check the quotations in sequence: each one sees the ones confirmed before it in the
        same batch (their amounts are added to the exposure)."""
        pending = defaultdict(float)
        for order in self.filtered(lambda o: o.state in ("draft", "sent")):
            partner = order.partner_invoice_id.commercial_partner_id
            key = (partner.id, order.company_id.id)
            amount = order._kakeuri_credit_amount()
            status = partner._kakeuri_credit_status(
                amount, order.company_id, order.currency_id, order, extra_exposure=pending[key]
            )
            refusals = [status] + order._kakeuri_ordering_partner_holds(amount)
            for refusal in refusals:
                if (
                    refusal["problems"]
                    and refusal["blocking"]
                    and not partner._kakeuri_credit_override_allowed()
                    # What was paid online in advance (authorized or done transactions) is not
                    # credit: an order paid in full passes (read only when it matters).
                    and order.currency_id.compare_amounts(amount, order.sudo().amount_paid) > 0
                ):
                    raise UserError(partner._kakeuri_credit_message(refusal, order))
            pending[key] += status["amount"]

    def _kakeuri_ordering_partner_holds(self, amount=None, lock=True):
        """The order's credit is the invoice address's commercial partner's, and its exposure
        counts there; but when the ordering customer belongs to another commercial partner, a
        credit hold of that one refuses the order too (no sidestep through an invoice address
        of another company). Returns the statuses that found a hold."""
        self.ensure_one()
        ordering = self.partner_id.commercial_partner_id
        if not ordering or ordering == self.partner_invoice_id.commercial_partner_id:
            return []
        status = ordering._kakeuri_credit_status(
            self._kakeuri_credit_amount() if amount is None else amount,
            self.company_id,
            self.currency_id,
            self._origin,
            lock=lock,
            hold_only=True,
        )
        return [status] if status["problems"] else []

    def _kakeuri_credit_amount(self):
        """What the order adds to the customer's exposure, in the order currency, tax
        included: its total while it is a quotation; once confirmed, what its lines still have
        to invoice (``kakeuri.credit.exposure._order_line_to_invoice``, the exposure's rule)."""
        self.ensure_one()
        if self.state in ("draft", "sent"):
            return self.amount_total
        if self.state != "sale":
            return 0.0
        exposure = self.env["kakeuri.credit.exposure"]
        total = sum(exposure._order_line_to_invoice(line, line.qty_invoiced) for line in self.order_line)
        return self.currency_id.round(total)

    def _kakeuri_recheck_credit(self, before, lines=None):
        """Re-check confirmed orders whose uninvoiced amount grew (``before``: order id →
        amount before the change; ``lines``: the order lines changed or added, named in the
        refusal)."""
        lines = lines or self.env["sale.order.line"]
        for order in self.filtered(lambda o: o.state == "sale"):
            after = order._kakeuri_credit_amount()
            increase = after - before.get(order.id, 0.0)
            if order.currency_id.compare_amounts(increase, 0) > 0:
                change = {
                    "lines": lines.filtered(lambda line, o=order: line.order_id == o),
                    "increase": increase,
                }
                partner = order.partner_invoice_id.commercial_partner_id
                partner._kakeuri_check_credit(
                    after, order.company_id, order.currency_id, order, increase=increase, change=change
                )
                for hold in order._kakeuri_ordering_partner_holds(after):
                    if not partner._kakeuri_credit_override_allowed():
                        raise UserError(partner._kakeuri_credit_message(hold, order, change=change))
