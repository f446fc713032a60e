# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models

from .kakeuri_credit_policy_score import GRADES

# months shown in the grade trend on the customer's form
TREND_LENGTH = 6
# the latest score's figures shown on the form, as ``kakeuri_score_<name>``
FIGURES = ("avg_days_to_pay", "avg_days_late", "on_time_rate", "promise_kept_rate", "promise_count", "dso")


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
        help="The customer's grade at the latest score of each of the last six months scored in "
        "the current company, oldest first.",
    )
    kakeuri_grade_direction = fields.Selection(
        selection=[("up", "Better"), ("down", "Worse"), ("same", "Unchanged")],
        string="Grade Direction",
        compute="_compute_kakeuri_score",
        help="The latest grade compared with the oldest grade of the trend.",
    )
    # the latest score's figures (computed with it: a related field through a non-stored
    # many2one cannot be recomputed when the score changes)
    kakeuri_score_date = fields.Date(string="Scored On", compute="_compute_kakeuri_score")
    kakeuri_score_avg_days_to_pay = fields.Float(
        string="Avg. Days to Pay", digits=(16, 1), compute="_compute_kakeuri_score"
    )
    kakeuri_score_avg_days_late = fields.Float(
        string="Avg. Days Late", digits=(16, 1), compute="_compute_kakeuri_score"
    )
    kakeuri_score_on_time_rate = fields.Float(
        string="On Time (%)", digits=(16, 1), compute="_compute_kakeuri_score"
    )
    kakeuri_score_promise_kept_rate = fields.Float(
        string="Promises Kept (%)", digits=(16, 1), compute="_compute_kakeuri_score"
    )
    kakeuri_score_promise_count = fields.Integer(string="Promises Judged", compute="_compute_kakeuri_score")
    kakeuri_score_dso = fields.Float(string="DSO (Days)", digits=(16, 1), compute="_compute_kakeuri_score")

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
                history.setdefault(score.partner_id.id, []).append(score.id)
        for partner in self:
            scores = Score.browse(history.get(partner.commercial_partner_id.id, []))
            latest = scores[:1]
            partner.kakeuri_score_id = latest.sudo(False)
            partner.kakeuri_score_date = latest.date
            for name in FIGURES:
                partner[f"kakeuri_score_{name}"] = latest[name]
            partner.kakeuri_score_count = len(scores)
            grades = [score.grade for score in reversed(self._kakeuri_monthly_scores(scores)) if score.grade]
            partner.kakeuri_grade_trend = " → ".join(grades)
            partner.kakeuri_grade_direction = self._kakeuri_grade_direction(grades)

    @api.model
    def _kakeuri_monthly_scores(self, scores):
        """Of ``scores`` (latest first), the latest of each month, for the last
        ``TREND_LENGTH`` months scored: the nightly scores would make a trend of days."""
        monthly = {}
        for score in scores:
            month = (score.date.year, score.date.month)
            if month not in monthly:
                if len(monthly) == TREND_LENGTH:
                    break
                monthly[month] = score
        return list(monthly.values())

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
