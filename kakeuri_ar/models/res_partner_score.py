# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from .kakeuri_credit_policy_score import GRADES


class ResPartner(models.Model):
    """A customer's latest payment grade, per company: written by the scoring, read by the
    customer lists (filter, group by) and the limit reviews."""

    _inherit = "res.partner"

    kakeuri_payment_grade = fields.Selection(
        selection=GRADES,
        string="Payment Grade",
        company_dependent=True,
        copy=False,
        help="The grade of the customer's latest payment behaviour score in the current company "
        "(A best, E worst); empty until it is scored.",
    )
