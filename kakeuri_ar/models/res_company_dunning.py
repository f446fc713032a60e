# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    kakeuri_dunning_min_interval_days = fields.Integer(
        string="Minimum Days Between Reminders",
        default=7,
        help="A customer reminded less than this many days ago gets no new reminder.",
    )

    @api.constrains("kakeuri_dunning_min_interval_days")
    def _check_kakeuri_dunning_min_interval_days(self):
        for company in self:
            if company.kakeuri_dunning_min_interval_days < 0:
                raise ValidationError(
                    _(
                        "%(company)s: the minimum interval between reminders cannot be negative "
                        "(%(days)s days).",
                        company=company.name,
                        days=company.kakeuri_dunning_min_interval_days,
                    )
                )
