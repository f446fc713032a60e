# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class KakeuriContractLine(models.Model):
    _name = "kakeuri.contract.line"
    _description = "Recurring Contract Line"
    _order = "contract_id, sequence, id"

    contract_id = fields.Many2one(
        comodel_name="kakeuri.contract",
        string="Contract",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    product_id = fields.Many2one(
        comodel_name="product.product",
        string="Product",
        domain="[('sale_ok', '=', True)]",
        check_company=True,
    )
    name = fields.Text(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    price_unit = fields.Float(
        string="Unit Price",
        digits="Product Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
    )
    discount = fields.Float(string="Discount (%)", digits="Discount")
    tax_ids = fields.Many2many(
        comodel_name="account.tax",
        string="Taxes",
        compute="_compute_tax_ids",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('type_tax_use', '=', 'sale')]",
        check_company=True,
    )
    price_subtotal = fields.Monetary(
        string="Subtotal",
        compute="_compute_price_subtotal",
        help="Amount per period, before taxes.",
    )

    def unlink(self):
        if not self.env.context.get("kakeuri_contract_lines_write"):
            # deleting lines directly: the last line of a running contract may not go (lines
            # deleted through the contract's form are checked by its constraint after the save)
            emptied = self.contract_id.filtered(lambda c: not (c.line_ids - self))
            emptied.with_context(kakeuri_check_emptied=True)._check_lines_when_running()
        return super().unlink()

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            if line.product_id:
                line.name = line.product_id.get_product_multiline_description_sale()
            elif not line.name:
                line.name = False

    @api.depends("product_id")
    def _compute_price_unit(self):
        for line in self:
            if line.product_id:
                line.price_unit = line.product_id.lst_price

    @api.depends("product_id", "contract_id.company_id")
    def _compute_tax_ids(self):
        for line in self:
            if line.product_id:
                company = line.contract_id.company_id or self.env.company
                line.tax_ids = line.product_id.taxes_id.filtered_domain(
                    self.env["account.tax"]._check_company_domain(company)
                )

    @api.depends("quantity", "price_unit", "discount")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = line.quantity * line.price_unit * (1 - (line.discount or 0.0) / 100.0)

    @api.constrains("quantity", "discount")
    def _check_quantity(self):
        for line in self:
            if line.quantity < 0:
                raise ValidationError(
                    _(
                        "Contract %(contract)s: the quantity of line “%(line)s” is %(qty)s; "
                        "a recurring line cannot have a negative quantity (issue a credit note instead).",
                        contract=line.contract_id.display_name,
                        line=line.name or line.product_id.display_name,
                        qty=line.quantity,
                    )
                )
            if not 0 <= line.discount <= 100:
                raise ValidationError(
                    _(
                        "Contract %(contract)s: the discount of line “%(line)s” is %(discount)s%%; "
                        "it must be between 0 and 100.",
                        contract=line.contract_id.display_name,
                        line=line.name or line.product_id.display_name,
                        discount=line.discount,
                    )
                )

    def _prepare_invoice_line_vals(
        self, period_start, period_end, factor=1.0, fiscal_position=None, period_label=None
    ):
        """Values of the invoice line billing this contract line for one period.

        ``factor`` scales the quantity (pro rata of a shortened last period); ``period_label``
        is the formatted period when the caller has it already."""
        self.ensure_one()
        taxes = self.tax_ids
        if fiscal_position:
            taxes = fiscal_position.map_tax(taxes)
        period = period_label or self.contract_id._format_period(period_start, period_end)
        name = "%s\n%s" % (self.name, period) if self.name else period
        quantity = self.quantity * factor
        if factor != 1.0:
            precision = self.env["decimal.precision"].precision_get("Product Unit of Measure")
            quantity = round(quantity, precision)
        vals = {
            "sequence": self.sequence,
            "name": name,
            "quantity": quantity,
            "price_unit": self.price_unit,
            "discount": self.discount,
            "tax_ids": [fields.Command.set(taxes.ids)],
        }
        if self.product_id:
            vals["product_id"] = self.product_id.id
            vals["product_uom_id"] = self.product_id.uom_id.id
        return vals
