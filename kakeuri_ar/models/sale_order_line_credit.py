# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models

# Changes to a line of a confirmed order that can raise what the customer owes.
CREDIT_FIELDS = {"product_id", "product_uom_qty", "product_uom", "price_unit", "discount", "tax_id"}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        order_ids = {vals.get("order_id") for vals in vals_list if vals.get("order_id")}
        orders = self.env["sale.order"].browse(order_ids).filtered(lambda o: o.state == "sale")
        before = {order.id: order._kakeuri_credit_amount() for order in orders}
        lines = super().create(vals_list)
        if orders:
            orders._kakeuri_recheck_credit(before, lines)
        return lines

    def write(self, vals):
        orders = self.env["sale.order"]
        if CREDIT_FIELDS & vals.keys():
            orders = self.order_id.filtered(lambda o: o.state == "sale")
        before = {order.id: order._kakeuri_credit_amount() for order in orders}
        res = super().write(vals)
        if orders:
            orders._kakeuri_recheck_credit(before, self)
        return res

    def _kakeuri_left_to_invoice(self, move, date):
        """What this order line still had to invoice besides the (draft) invoice ``move``, tax
        included, in the currency of ``move``: the exposure's rule
        (``kakeuri.credit.exposure._order_line_to_invoice``) with, as invoiced, what the other
        invoices and credit notes of the line (not cancelled) hold."""
        self.ensure_one()
        invoiced = 0.0
        for inv_line in self.invoice_lines:
            other = inv_line.move_id
            if other._origin == move._origin or other.state == "cancel":
                continue
            qty = inv_line.product_uom_id._compute_quantity(inv_line.quantity, self.product_uom)
            if other.move_type == "out_invoice":
                invoiced += qty
            elif other.move_type == "out_refund":
                invoiced -= qty
        amount = self.env["kakeuri.credit.exposure"]._order_line_to_invoice(self, invoiced)
        return self.order_id.currency_id._convert(amount, move.currency_id, move.company_id, date)
