# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

GRADES = [("A", "A"), ("B", "B"), ("C", "C"), ("D", "D"), ("E", "E")]


class KakeuriCreditPolicy(models.Model):
    """How a policy grades payment behaviour and reviews limits (与信の見直し).

    A customer without a policy is graded and reviewed with the defaults of these fields
    (``_kakeuri_score_settings`` on an empty recordset)."""

    _inherit = "kakeuri.credit.policy"

    # ------------------------------------------------------------ scores
    score_window_months = fields.Integer(
        string="Score Window (Months)",
        default=12,
        tracking=True,
        help="Payment behaviour is measured over the payments and the overdue items of this many "
        "months before the score date.",
    )
    grade_a_days_late = fields.Integer(
        string="Grade A: Days Late up to",
        default=3,
        tracking=True,
        help="Grade A: on average (weighted by amount) paid at most this many days after the due "
        "date, and at least the on-time rate below paid by the due date.",
    )
    grade_a_on_time = fields.Float(string="Grade A: On Time at least (%)", default=90.0, tracking=True)
    grade_b_days_late = fields.Integer(
        string="Grade B: Days Late up to",
        default=10,
        tracking=True,
        help="Grade B: not grade A, at most this many days late on average and at least the "
        "on-time rate below.",
    )
    grade_b_on_time = fields.Float(string="Grade B: On Time at least (%)", default=75.0, tracking=True)
    grade_c_days_late = fields.Integer(
        string="Grade C: Days Late up to",
        default=30,
        tracking=True,
        help="Grade C: not A or B, at most this many days late on average and at least the "
        "on-time rate below.",
    )
    grade_c_on_time = fields.Float(string="Grade C: On Time at least (%)", default=50.0, tracking=True)
    grade_d_days_late = fields.Integer(
        string="Grade D: Days Late up to",
        default=60,
        tracking=True,
        help="Grade D: not A to C and at most this many days late on average. Later payers are grade E.",
    )
    grade_promise_kept_min = fields.Float(
        string="Promises Kept at least (%)",
        default=50.0,
        tracking=True,
        help="A customer who kept fewer of its promises to pay than this share (over at least two "
        "promises judged in the window) is graded one grade lower.",
    )

    # ------------------------------------------------------------ limit reviews
    review_raise_max_grade = fields.Selection(
        selection=GRADES,
        string="Raise Grades up to",
        default="B",
        tracking=True,
        help="Customers of this grade or better who use at least the share of their limit below "
        "are proposed a higher limit.",
    )
    review_raise_usage = fields.Float(
        string="Raise When Using at least (%)",
        default=80.0,
        tracking=True,
        help="Use of the limit: the customer's credit exposure at the review over its limit.",
    )
    review_raise_percent = fields.Float(string="Raise by (%)", default=20.0, tracking=True)
    review_lower_min_grade = fields.Selection(
        selection=GRADES,
        string="Lower Grades from",
        default="D",
        tracking=True,
        help="Customers of this grade or worse are proposed a lower limit.",
    )
    review_lower_percent = fields.Float(string="Lower by (%)", default=30.0, tracking=True)
    review_hold_grade = fields.Selection(
        selection=GRADES,
        string="Propose Hold from Grade",
        default="E",
        tracking=True,
        help="Customers of this grade or worse are proposed a credit hold instead of a lower "
        "limit. Empty: never propose a hold.",
    )
    review_rounding = fields.Float(
        string="Round Limits to",
        default=1000.0,
        tracking=True,
        help="Proposed limits are rounded down to a multiple of this amount (company currency).",
    )

    @api.constrains(
        "score_window_months",
        "grade_a_days_late",
        "grade_b_days_late",
        "grade_c_days_late",
        "grade_d_days_late",
        "grade_a_on_time",
        "grade_b_on_time",
        "grade_c_on_time",
        "grade_promise_kept_min",
        "review_raise_usage",
        "review_raise_percent",
        "review_lower_percent",
        "review_rounding",
    )
    def _check_score_settings(self):
        for policy in self:
            if policy.score_window_months < 1:
                raise ValidationError(
                    _(
                        "The score window of policy %(policy)s must be at least one month (%(value)s).",
                        policy=policy.display_name,
                        value=policy.score_window_months,
                    )
                )
            days = [policy[f"grade_{g}_days_late"] for g in "abcd"]
            if min(days) < 0 or days != sorted(days):
                raise ValidationError(
                    _(
                        "The days late of grades A to D of policy %(policy)s must be zero or more "
                        "and rise from grade to grade (%(value)s).",
                        policy=policy.display_name,
                        value=" / ".join(str(d) for d in days),
                    )
                )
            for field in (
                "grade_a_on_time",
                "grade_b_on_time",
                "grade_c_on_time",
                "grade_promise_kept_min",
                "review_raise_usage",
                "review_lower_percent",
            ):
                policy._check_score_range(field, 100)
            for field in ("review_raise_percent", "review_rounding"):
                policy._check_score_range(field, None)

    def _check_score_range(self, field, high):
        """Refuse a negative value of ``field``, or one over ``high`` (a percentage)."""
        value = self[field]
        label = self._fields[field].get_description(self.env)["string"]
        if high is not None and not 0 <= value <= high:
            raise ValidationError(
                _(
                    "%(field)s of policy %(policy)s must be a percentage from 0 to 100 (%(value)s).",
                    field=label,
                    policy=self.display_name,
                    value=value,
                )
            )
        if value < 0:
            raise ValidationError(
                _(
                    "%(field)s of policy %(policy)s cannot be negative (%(value)s).",
                    field=label,
                    policy=self.display_name,
                    value=value,
                )
            )

    def _kakeuri_score_settings(self):
        """The grading and review settings of this policy, or the defaults for a customer
        without one (empty recordset), as a dict keyed by field name."""
        names = [name for name in self._fields if name.startswith(("score_", "grade_", "review_"))]
        if self:
            self.ensure_one()
            return {name: self[name] for name in names}
        defaults = self.default_get(names)
        return {name: defaults.get(name, False) for name in names}
