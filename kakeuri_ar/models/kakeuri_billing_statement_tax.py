# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

# the parent model is defined before its children, whatever the import order of the package
from . import kakeuri_billing_statement_part  # noqa: F401


class KakeuriBillingStatementTax(models.Model):
    _name = "kakeuri.billing.statement.tax"
    _inherit = ["kakeuri.billing.statement.part"]
    _description = "Billing Statement Tax Summary"
    _order = "statement_id, rate desc, id"

    tax_id = fields.Many2one(comodel_name="account.tax", string="Tax Record")
    name = fields.Char(string="Tax Rate", required=True)
    rate = fields.Float(digits=(16, 4))
    base_amount = fields.Monetary(string="Base")
    tax_amount = fields.Monetary(string="Tax")
