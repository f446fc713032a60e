# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    kakeuri_credit_warning = fields.Text(
        string="Credit Warning",
        compute="_compute_kakeuri_credit_warning",
        help="Why the customer's credit does not allow this order (hold, limit, overdue).",
    )
    kakeuri_credit_blocking = fields.Boolean(
        string="Credit Blocks Confirmation",
        compute="_compute_kakeuri_credit_warning",
    )

    @api.depends(
        "partner_invoice_id",
        "company_id",
        "currency_id",
        "state",
        "amount_total",
        "order_line.price_total",
        "order_line.qty_invoiced",
    )
    def _compute_kakeuri_credit_warning(self):
        for order in self:
            order.kakeuri_credit_warning = False
            order.kakeuri_credit_blocking = False
            if order.state not in ("draft", "sent", "sale") or not order.partner_invoice_id:
                continue
            status = order.partner_invoice_id.commercial_partner_id._kakeuri_credit_status(
                order._kakeuri_credit_amount(),
                order.company_id,
                order.currency_id,
                order._origin,
                lock=False,
            )
            if status["problems"]:
                order.kakeuri_credit_warning = "\n".join(status["problems"])
                order.kakeuri_credit_blocking = status["blocking"] and order.state in ("draft", "sent")

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
            status = partner._kakeuri_check_credit(
                order._kakeuri_credit_amount(),
                order.company_id,
                order.currency_id,
                order,
                extra_exposure=pending[key],
            )
            pending[key] += status["amount"]

    def _kakeuri_credit_amount(self):
        """What the order adds to the customer's exposure, in the order currency, tax
        included: its total while it is a quotation; once confirmed, what is not invoiced yet
        (same rule as the exposure SQL: ``max(ordered, delivered) - invoiced`` per line, draft
        invoices counting as invoiced)."""
        self.ensure_one()
        if self.state in ("draft", "sent"):
            return self.amount_total
        if self.state != "sale":
            return 0.0
        total = 0.0
        for line in self.order_line.filtered(lambda sol: not sol.display_type):
            if line.is_downpayment:
                total -= line.qty_invoiced * line.price_unit
            elif line.product_uom_qty > 0:
                qty = max(max(line.product_uom_qty, line.qty_delivered) - line.qty_invoiced, 0.0)
                total += line.price_total / line.product_uom_qty * qty
        return self.currency_id.round(total)

    def _kakeuri_recheck_credit(self, before):
        """Re-check confirmed orders whose uninvoiced amount grew (``before``: order id →
        amount before the change)."""
        for order in self.filtered(lambda o: o.state == "sale"):
            after = order._kakeuri_credit_amount()
            increase = after - before.get(order.id, 0.0)
            if order.currency_id.compare_amounts(increase, 0) > 0:
                order.partner_invoice_id.commercial_partner_id._kakeuri_check_credit(
                    after, order.company_id, order.currency_id, order, increase=increase
                )
