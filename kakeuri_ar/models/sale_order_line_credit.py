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
            orders._kakeuri_recheck_credit(before)
        return lines

    def write(self, vals):
        orders = self.env["sale.order"]
        if CREDIT_FIELDS & vals.keys():
            orders = self.order_id.filtered(lambda o: o.state == "sale")
        before = {order.id: order._kakeuri_credit_amount() for order in orders}
        res = super().write(vals)
        if orders:
            orders._kakeuri_recheck_credit(before)
        return res
