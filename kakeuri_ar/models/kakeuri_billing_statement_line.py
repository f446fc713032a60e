# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

# the parent model is defined before its children, whatever the import order of the package
from . import kakeuri_billing_statement_part  # noqa: F401


class KakeuriBillingStatementLine(models.Model):
    _name = "kakeuri.billing.statement.line"
    _inherit = ["kakeuri.billing.statement.part"]
    _description = "Billing Statement Line"
    _order = "statement_id, sequence, id"

    sequence = fields.Integer(default=10)
    line_type = fields.Selection(
        selection=[("invoice", "Invoice"), ("refund", "Credit Note"), ("adjustment", "Adjustment")],
        string="Type",
        required=True,
    )
    move_id = fields.Many2one(comodel_name="account.move", string="Document", index="btree_not_null")
    date = fields.Date()
    name = fields.Char(string="Number")
    description = fields.Char()
    amount_untaxed = fields.Monetary(string="Untaxed")
    amount_tax = fields.Monetary(string="Tax")
    amount_total = fields.Monetary(string="Total")
