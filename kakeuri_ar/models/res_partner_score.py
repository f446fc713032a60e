# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models

from .kakeuri_credit_policy_score import GRADES

# grades shown in the trend on the customer's form
TREND_LENGTH = 6


class ResPartner(models.Model):
    """A customer's latest payment grade, per company: written by the scoring, read by the
    customer lists (filter, group by) and the limit reviews; its latest score and the trend of
    its last grades on the Credit tab."""

    _inherit = "res.partner"

    kakeuri_payment_grade = fields.Selection(
        selection=GRADES,
        string="Payment Grade",
        company_dependent=True,
        copy=False,
        help="The grade of the customer's latest payment behaviour score in the current company "
        "(A best, E worst); empty until it is scored.",
    )
    kakeuri_score_id = fields.Many2one(
        comodel_name="kakeuri.credit.score",
        string="Latest Score",
        compute="_compute_kakeuri_score",
        help="The customer's latest payment behaviour score in the current company.",
    )
    kakeuri_score_count = fields.Integer(string="Scores", compute="_compute_kakeuri_score")
    kakeuri_grade_trend = fields.Char(
        string="Grade Trend",
        compute="_compute_kakeuri_score",
        help="The grades of the customer's last scores in the current company, oldest first.",
    )
    kakeuri_grade_direction = fields.Selection(
        selection=[("up", "Better"), ("down", "Worse"), ("same", "Unchanged")],
        string="Grade Direction",
        compute="_compute_kakeuri_score",
        help="The latest grade compared with the oldest grade of the trend.",
    )
    kakeuri_score_date = fields.Date(related="kakeuri_score_id.date", string="Scored On")
    kakeuri_score_avg_days_to_pay = fields.Float(
        related="kakeuri_score_id.avg_days_to_pay", string="Avg. Days to Pay"
    )
    kakeuri_score_avg_days_late = fields.Float(
        related="kakeuri_score_id.avg_days_late", string="Avg. Days Late"
    )
    kakeuri_score_on_time_rate = fields.Float(related="kakeuri_score_id.on_time_rate", string="On Time (%)")
    kakeuri_score_promise_kept_rate = fields.Float(
        related="kakeuri_score_id.promise_kept_rate", string="Promises Kept (%)"
    )
    kakeuri_score_promise_count = fields.Integer(
        related="kakeuri_score_id.promise_count", string="Promises Judged"
    )
    kakeuri_score_dso = fields.Float(related="kakeuri_score_id.dso", string="DSO (Days)")

    @api.depends_context("company")
    def _compute_kakeuri_score(self):
        """The last scores of each customer (its commercial partner) in the current company:
        one search for all of them, the latest ``TREND_LENGTH`` kept per customer."""
        Score = self.env["kakeuri.credit.score"].sudo()
        commercial = self.commercial_partner_id.filtered("id")
        history = {}
        if commercial:
            scores = Score.search(
                [("partner_id", "in", commercial.ids), ("company_id", "=", self.env.company.id)],
                order="date desc, id desc",
            )
            for score in scores:
                history.setdefault(score.partner_id.id, Score.browse())
                history[score.partner_id.id] |= score
        for partner in self:
            scores = history.get(partner.commercial_partner_id.id, Score.browse())
            partner.kakeuri_score_id = scores[:1].sudo(False)
            partner.kakeuri_score_count = len(scores)
            grades = [score.grade for score in reversed(scores[:TREND_LENGTH]) if score.grade]
            partner.kakeuri_grade_trend = " → ".join(grades)
            partner.kakeuri_grade_direction = self._kakeuri_grade_direction(grades)

    @api.model
    def _kakeuri_grade_direction(self, grades):
        """'up' when the latest grade is better than the first one of the trend, 'down' when
        worse, 'same' when equal; False with fewer than two grades."""
        if len(grades) < 2:
            return False
        if grades[-1] == grades[0]:
            return "same"
        return "up" if grades[-1] < grades[0] else "down"

    def action_kakeuri_scores(self):
        """The customer's payment behaviour scores in the current company, latest first."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kakeuri_ar.action_kakeuri_credit_score")
        partner = self.commercial_partner_id
        action["domain"] = [("partner_id", "=", partner.id)]
        action["context"] = {}
        action["name"] = _("Payment Scores: %(customer)s", customer=partner.display_name)
        return action
