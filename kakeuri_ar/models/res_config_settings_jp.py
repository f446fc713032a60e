# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    kakeuri_print_seal_box = fields.Boolean(related="company_id.kakeuri_print_seal_box", readonly=False)
