# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResBank(models.Model):
    _inherit = "res.bank"

    kakeuri_bank_code = fields.Char(
        string="Bank Code (金融機関コード)",
        index=True,
        help="The 4-digit code of a Japanese bank (金融機関コード), as in Zengin transfer and "
        "direct debit files, e.g. 0001 for Mizuho Bank.",
    )

    @api.constrains("kakeuri_bank_code")
    def _check_kakeuri_bank_code(self):
        for bank in self:
            code = bank.kakeuri_bank_code
            if code and not re.fullmatch(r"[0-9]{4}", code):
                raise ValidationError(
                    _(
                        "%(bank)s: the bank code “%(code)s” is not valid; it is 4 digits, e.g. 0001.",
                        bank=bank.display_name,
                        code=code,
                    )
                )
