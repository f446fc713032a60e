# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    kakeuri_fee_account_id = fields.Many2one(related="company_id.kakeuri_fee_account_id", readonly=False)
    kakeuri_fee_tax_id = fields.Many2one(related="company_id.kakeuri_fee_tax_id", readonly=False)
