# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    kakeuri_invoice_registration_number = fields.Char(
        related="company_id.kakeuri_invoice_registration_number",
        readonly=False,
    )
