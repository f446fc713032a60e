# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    kakeuri_dunning_min_interval_days = fields.Integer(
        related="company_id.kakeuri_dunning_min_interval_days",
        readonly=False,
    )
