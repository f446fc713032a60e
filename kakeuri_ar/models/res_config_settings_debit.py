# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    kakeuri_debit_consignor_code = fields.Char(
        related="company_id.kakeuri_debit_consignor_code",
        readonly=False,
    )
    kakeuri_debit_consignor_kana = fields.Char(
        related="company_id.kakeuri_debit_consignor_kana",
        readonly=False,
    )
    kakeuri_debit_journal_id = fields.Many2one(
        related="company_id.kakeuri_debit_journal_id",
        readonly=False,
    )
