# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

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

    def init(self):
        res = super().init()
        # One open proposal per customer and company, whatever the number of workers proposing
        # at once (the scheduled run, a manager's selection).
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS kakeuri_credit_review_proposed_uniq
                ON kakeuri_credit_review (partner_id, company_id)
             WHERE state = 'proposed'
            """
        )
        return res

    # --------------------------------------------------------------- constraints
    @api.constrains("suggested_limit")
    def _check_suggested_limit(self):
        for review in self:
            if review.suggested_limit < 0:
                raise ValidationError(
                    _(
                        "The proposed limit of %(partner)s cannot be negative (%(value)s).",
                        partner=review.partner_id.display_name,
                        value=review.suggested_limit,
                    )
                )

    # -------------------------------------------------------------- CRUD
    def write(self, vals):
        # a decided review is the record of a decision: its proposal no longer changes
        frozen = {"suggested_limit", "action", "partner_id", "company_id"} & vals.keys()
        if frozen:
            decided = self.filtered(lambda r: r.state != "proposed")
            if decided:
                raise UserError(
                    _(
                        "The limit review of %(partner)s is already %(state)s: its proposal cannot "
                        "be changed.",
                        partner=decided[0].partner_id.display_name,
                        state=dict(decided[0]._fields["state"]._description_selection(self.env))[
                            decided[0].state
                        ],
                    )
                )
        return super().write(vals)

    # ------------------------------------------------------------------ helpers
    def _kakeuri_open_action(self, name, domain=None, context=None):
        """The worklist's window action showing these reviews (or those of ``domain``)."""
        action = self.env["ir.actions.act_window"]._for_xml_id("kakeuri_ar.action_kakeuri_credit_review")
        action.update(
            {
                "name": name,
                "domain": domain if domain is not None else [("id", "in", self.ids)],
                "context": dict(context or {}, create=False),
            }
        )
        return action
