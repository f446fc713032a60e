# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from .kakeuri_credit_policy_score import GRADES


class KakeuriCreditReview(models.Model):
    """A proposed change of a customer's credit limit in one company (与信限度額の見直し),
    made from its grade and its use of the limit, decided by a credit manager."""

    _name = "kakeuri.credit.review"
    _description = "Credit Limit Review"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state, date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Proposed On", required=True, default=fields.Date.context_today)
    score_id = fields.Many2one(comodel_name="kakeuri.credit.score", string="Score", ondelete="set null")
    grade = fields.Selection(selection=GRADES)
    exposure = fields.Monetary(string="Exposure", currency_field="currency_id")
    usage = fields.Float(string="Use of Limit (%)", digits=(16, 1))
    current_limit = fields.Monetary(string="Current Limit", currency_field="currency_id")
    suggested_limit = fields.Monetary(string="Proposed Limit", currency_field="currency_id", tracking=True)
    action = fields.Selection(
        selection=[("raise", "Raise"), ("lower", "Lower"), ("hold", "Hold"), ("keep", "Keep")],
        string="Proposal",
        required=True,
        default="keep",
        tracking=True,
    )
    reason = fields.Text(
        help="Why this limit is proposed: the grade, the use of the limit, the rule applied.",
    )
    decision_note = fields.Text(string="Decision Note", copy=False, tracking=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Decided By", readonly=True, copy=False)
    date_decided = fields.Date(string="Decided On", readonly=True, copy=False)
    state = fields.Selection(
        selection=[("proposed", "Proposed"), ("applied", "Applied"), ("rejected", "Rejected")],
        required=True,
        default="proposed",
        index=True,
        tracking=True,
    )
