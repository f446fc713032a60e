# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.kana import KanaError, encode_bank, to_halfwidth

# 預金者名 is 30 bytes in Zengin transfer and direct debit records
HOLDER_KANA_WIDTH = 30

ACCOUNT_TYPES = [
    ("ordinary", "Ordinary (普通)"),
    ("current", "Current (当座)"),
    ("savings", "Savings (貯蓄)"),
]


class ResPartnerBank(models.Model):
    _inherit = "res.partner.bank"

    kakeuri_bank_code = fields.Char(
        related="bank_id.kakeuri_bank_code",
        string="Bank Code (金融機関コード)",
    )
    kakeuri_branch_name = fields.Char(
        string="Branch",
        help="Name of the bank branch (支店名) that keeps the account, e.g. 本店.",
    )
    kakeuri_branch_code = fields.Char(
        string="Branch Code (支店コード)",
        help="The 3-digit code of the branch (支店コード), as in Zengin files, e.g. 100.",
    )
    kakeuri_account_type = fields.Selection(
        selection=ACCOUNT_TYPES,
        string="Deposit Type (預金種目)",
        help="Kind of deposit account in Japan: ordinary (普通), current (当座) or savings "
        "(貯蓄). Printed with the transfer account and written in Zengin files.",
    )
    kakeuri_holder_kana = fields.Char(
        string="Holder Name (Kana)",
        help="The account holder's name as the bank knows it, in half-width katakana "
        "(口座名義カナ), e.g. ｶ)ｻﾝﾌﾟﾙｼｮｳｼﾞ. Printed on transfer instructions and written in "
        "Zengin files; full-width kana are converted when saved.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._kakeuri_normalize_holder_kana(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._kakeuri_normalize_holder_kana(vals)
        return super().write(vals)

    @api.constrains("kakeuri_branch_code")
    def _check_kakeuri_branch_code(self):
        for account in self:
            code = account.kakeuri_branch_code
            if code and not re.fullmatch(r"[0-9]{3}", code):
                raise ValidationError(
                    _(
                        "%(account)s: the branch code “%(code)s” is not valid; it is 3 digits, e.g. 100.",
                        account=account.display_name,
                        code=code,
                    )
                )

    @api.constrains("kakeuri_holder_kana")
    def _check_kakeuri_holder_kana(self):
        for account in self:
            kana = account.kakeuri_holder_kana
            if not kana:
                continue
            try:
                encoded = encode_bank(kana, 4 * HOLDER_KANA_WIDTH).rstrip(b" ")
            except KanaError as error:
                raise ValidationError(
                    _(
                        "%(account)s: the holder name “%(name)s” cannot be written in half-width "
                        "kana: “%(char)s” is not in the banks' character set. Write the name as "
                        "the bank has it, e.g. ｶ)ｻﾝﾌﾟﾙｼｮｳｼﾞ.",
                        account=account.display_name,
                        name=kana,
                        char=error.char,
                    )
                ) from error
            if len(encoded) > HOLDER_KANA_WIDTH:
                raise ValidationError(
                    _(
                        "%(account)s: the holder name “%(name)s” is %(length)s characters long in "
                        "half-width kana; banks take at most %(width)s.",
                        account=account.display_name,
                        name=kana,
                        length=len(encoded),
                        width=HOLDER_KANA_WIDTH,
                    )
                )

    @api.model
    def _kakeuri_normalize_holder_kana(self, vals):
        """Full-width kana and hiragana typed by a person become the half-width kana banks use."""
        if vals.get("kakeuri_holder_kana"):
            vals["kakeuri_holder_kana"] = to_halfwidth(vals["kakeuri_holder_kana"]).strip()
