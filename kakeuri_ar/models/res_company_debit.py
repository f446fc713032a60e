# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    kakeuri_debit_consignor_code = fields.Char(
        string="Debit Consignor Code",
        size=10,
        help="委託者コード: the 10-digit code the bank gave the company for direct debits.",
    )
    kakeuri_debit_consignor_kana = fields.Char(
        string="Debit Consignor Name (Kana)",
        size=40,
        help="委託者名: the company's name in half-width kana, as the bank registered it.",
    )
    kakeuri_debit_journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Debit Journal",
        domain="[('type', '=', 'bank'), ('company_id', '=', id)]",
        help="The bank journal direct debits are collected into by default.",
    )

    @api.constrains("kakeuri_debit_consignor_code")
    def _check_kakeuri_debit_consignor_code(self):
        for company in self:
            code = company.kakeuri_debit_consignor_code
            if code and not (code.isascii() and code.isdigit() and len(code) == 10):
                raise ValidationError(
                    _(
                        "%(company)s: the debit consignor code %(code)s must be 10 digits.",
                        company=company.name,
                        code=code,
                    )
                )
