# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# 顧客番号: the data record's customer number field holds 20 digits
CUSTOMER_CODE_DIGITS = 20


class ResPartner(models.Model):
    _inherit = "res.partner"

    kakeuri_direct_debit = fields.Boolean(
        string="Pays by Direct Debit",
        tracking=True,
        help="The customer signed a direct debit mandate (口座振替依頼書): direct debit runs "
        "collect their open items from the account below.",
    )
    kakeuri_debit_bank_id = fields.Many2one(
        comodel_name="res.partner.bank",
        string="Debit Account",
        tracking=True,
        domain="[('partner_id', '=', commercial_partner_id)]",
        help="The customer's bank account named in the mandate: bank and branch codes, account "
        "type, 7-digit number and holder name in kana.",
    )
    kakeuri_debit_customer_code = fields.Char(
        string="Debit Customer Number",
        size=CUSTOMER_CODE_DIGITS,
        tracking=True,
        help="顧客番号: the customer's number in the direct debit files, up to 20 digits.",
    )
    kakeuri_debit_mandate_date = fields.Date(
        string="Mandate Date",
        tracking=True,
        help="Date the customer signed the direct debit mandate.",
    )

    @api.constrains("kakeuri_debit_customer_code")
    def _check_kakeuri_debit_customer_code(self):
        for partner in self:
            code = partner.kakeuri_debit_customer_code
            if code and not (code.isascii() and code.isdigit() and len(code) <= CUSTOMER_CODE_DIGITS):
                raise ValidationError(
                    _(
                        "%(partner)s: the debit customer number %(code)s must be up to 20 digits.",
                        partner=partner.display_name,
                        code=code,
                    )
                )

    @api.constrains("kakeuri_debit_bank_id")
    def _check_kakeuri_debit_bank_id(self):
        for partner in self:
            bank = partner.kakeuri_debit_bank_id
            if bank and bank.partner_id.commercial_partner_id != partner.commercial_partner_id:
                raise ValidationError(
                    _(
                        "%(partner)s: the debit account %(account)s belongs to %(holder)s.",
                        partner=partner.display_name,
                        account=bank.display_name,
                        holder=bank.partner_id.display_name,
                    )
                )
