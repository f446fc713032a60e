# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    kakeuri_invoice_registration_number = fields.Char(
        string="Invoice Registration Number",
        help="Qualified invoice issuer registration number (適格請求書発行事業者登録番号): "
        "“T” followed by 13 digits. Printed on billing statements when set.",
    )

    @api.constrains("kakeuri_invoice_registration_number")
    def _check_kakeuri_invoice_registration_number(self):
        for company in self:
            number = company.kakeuri_invoice_registration_number
            if number and not re.fullmatch(r"T\d{13}", number):
                raise ValidationError(
                    _(
                        "%(company)s: the invoice registration number “%(number)s” is not valid; it is "
                        "“T” followed by 13 digits, e.g. T1234567890123.",
                        company=company.display_name,
                        number=number,
                    )
                )
