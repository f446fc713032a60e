# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    kakeuri_fee_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Transfer Fee Account",
        check_company=True,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="Expense account of the bank transfer fees customers deduct from their payments "
        "(支払手数料), booked when a bank statement line is reconciled.",
    )
    kakeuri_fee_tax_id = fields.Many2one(
        comodel_name="account.tax",
        string="Transfer Fee Tax",
        check_company=True,
        domain="[('type_tax_use', '=', 'purchase')]",
        help="Tax included in the transfer fees (e.g. consumption tax on bank fees).",
    )
