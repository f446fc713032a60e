# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import math

from odoo import _, api, models
from odoo.tools import float_round
from odoo.tools.misc import formatLang


class KakeuriCreditReview(models.Model):
    """The proposal: from a customer's grade and its use of the limit, the ONE rule that says
    raise, lower, hold or keep, and by how much."""

    _inherit = "kakeuri.credit.review"

    # ------------------------------------------------------------ the rule
    @api.model
    def _usage_for(self, limit, exposure):
        """Use of the limit in percent: the exposure over the limit (0 without a limit: there is
        nothing to use, and nothing to raise from)."""
        if limit <= 0:
            return 0.0
        return float_round(max(exposure, 0.0) / limit * 100.0, precision_digits=1)

    @api.model
    def _round_limit_down(self, settings, amount):
        """``amount`` rounded down to a multiple of the policy's rounding (cents without one),
        never below zero."""
        rounding = settings.get("review_rounding") or 0.0
        if rounding > 0:
            # float noise (1200 / 1000 = 1.2000000000000002) must not cost a whole step
            amount = math.floor(float_round(amount / rounding, precision_digits=6)) * rounding
        else:
            amount = float_round(amount, precision_digits=2, rounding_method="DOWN")
        return max(amount, 0.0)

    @api.model
    def _proposal_for(self, settings, grade, limit, exposure):
        """The proposal for a customer of ``grade`` (False: no payment history) with ``limit``
        and ``exposure`` (company currency) under the policy ``settings``
        (``policy._kakeuri_score_settings()``). Returns ``(action, suggested_limit, reason)``.

        The rules are tried from the most prudent: hold, then lower, then raise, so that a
        policy whose grade ranges overlap never raises a customer it also lowers. A hold keeps
        the current limit: the hold stops new orders by itself, and the limit is still the
        right one when a credit manager releases it after the customer pays."""
        usage = self._usage_for(limit, exposure)
        words = self._proposal_words(settings, grade, limit, usage)
        if not grade:
            return "keep", limit, _("No payment history in the score window: the limit is kept.")
        hold_grade = settings.get("review_hold_grade")
        if hold_grade and grade >= hold_grade:
            return (
                "hold",
                limit,
                _(
                    "Grade %(grade)s (a hold is proposed from grade %(hold_grade)s), %(usage)s%% of "
                    "the limit used: a credit hold is proposed and the limit of %(limit)s is kept "
                    "until the hold is released.",
                    **words,
                ),
            )
        lower_grade = settings.get("review_lower_min_grade")
        if lower_grade and grade >= lower_grade:
            return self._proposal_lower(settings, limit, words)
        raise_grade = settings.get("review_raise_max_grade")
        if raise_grade and grade <= raise_grade and limit > 0 and usage >= settings["review_raise_usage"]:
            return self._proposal_raise(settings, limit, words)
        return (
            "keep",
            limit,
            _(
                "Grade %(grade)s, %(usage)s%% of the limit used: no rule applies (raise: grade "
                "%(max_grade)s or better using at least %(min_usage)s%% of the limit; lower: grade "
                "%(min_grade)s or worse), the limit is kept.",
                **words,
            ),
        )

    @api.model
    def _proposal_lower(self, settings, limit, words):
        suggested = self._round_limit_down(settings, limit * (1 - settings["review_lower_percent"] / 100.0))
        if suggested >= limit:
            return (
                "keep",
                limit,
                _(
                    "Grade %(grade)s calls for a lower limit (from grade %(min_grade)s), but the "
                    "limit of %(limit)s cannot go lower: the limit is kept.",
                    **words,
                ),
            )
        return (
            "lower",
            suggested,
            _(
                "Grade %(grade)s (lowered from grade %(min_grade)s), %(usage)s%% of the limit used: "
                "the limit of %(limit)s is lowered by %(lower_percent)s%%, rounded down to a "
                "multiple of %(rounding)s.",
                **words,
            ),
        )

    @api.model
    def _proposal_raise(self, settings, limit, words):
        suggested = self._round_limit_down(settings, limit * (1 + settings["review_raise_percent"] / 100.0))
        if suggested <= limit:
            return (
                "keep",
                limit,
                _(
                    "Grade %(grade)s with %(usage)s%% of the limit used calls for a raise of "
                    "%(raise_percent)s%%, but rounded down to a multiple of %(rounding)s it leaves "
                    "the limit of %(limit)s as it is: the limit is kept.",
                    **words,
                ),
            )
        return (
            "raise",
            suggested,
            _(
                "Grade %(grade)s (raised up to grade %(max_grade)s) and %(usage)s%% of the limit "
                "used (raised from %(min_usage)s%%): the limit of %(limit)s is raised by "
                "%(raise_percent)s%%, rounded down to a multiple of %(rounding)s.",
                **words,
            ),
        )

    @api.model
    def _proposal_words(self, settings, grade, limit, usage):
        """The values the reasons name, formatted in the user's language."""

        def number(value, digits=0):
            return formatLang(self.env, value or 0.0, digits=digits)

        return {
            "grade": grade or "-",
            "usage": number(usage, 1),
            "limit": number(limit, 2 if limit % 1 else 0),
            "max_grade": settings.get("review_raise_max_grade") or "-",
            "min_usage": number(settings.get("review_raise_usage")),
            "raise_percent": number(settings.get("review_raise_percent")),
            "min_grade": settings.get("review_lower_min_grade") or "-",
            "lower_percent": number(settings.get("review_lower_percent")),
            "hold_grade": settings.get("review_hold_grade") or "-",
            "rounding": number(settings.get("review_rounding")),
        }

    # ------------------------------------------------------------ reviews from scores
    @api.model
    def _propose_for_scores(self, scores):
        """Proposed reviews from ``kakeuri.credit.score`` records: one per customer and company
        (its latest score given). A customer's open proposal in that company is brought up to
        date rather than doubled (a unique index guards it). Returns the proposed reviews."""
        reviews = self.browse()
        for company, company_scores in scores.grouped("company_id").items():
            latest = {}
            for score in company_scores.sorted(lambda s: (s.date, s.id)):
                latest[score.partner_id.id] = score
            reviews |= self._propose_in_company(company, list(latest.values()))
        return reviews

    @api.model
    def _propose_in_company(self, company, scores):
        partner_ids = [score.partner_id.id for score in scores]
        figures = self.env["kakeuri.credit.exposure"]._figures(company, partner_ids)
        existing = {
            review.partner_id.id: review
            for review in self.search(
                [
                    ("partner_id", "in", partner_ids),
                    ("company_id", "=", company.id),
                    ("state", "=", "proposed"),
                ]
            )
        }
        reviews, to_create = self.browse(), []
        for score in scores:
            exposure = (figures.get(score.partner_id.id) or {}).get("exposure", 0.0)
            vals = self._prepare_review_vals(score, exposure)
            review = existing.get(score.partner_id.id)
            if review:
                review.write(vals)
                reviews |= review
            else:
                to_create.append(vals)
        return reviews | self.create(to_create)

    @api.model
    def _prepare_review_vals(self, score, exposure):
        """Values of the review of ``score``'s customer in its company, with ``exposure``."""
        company = score.company_id
        partner = score.partner_id.sudo().with_company(company)
        settings = partner.kakeuri_credit_policy_id._kakeuri_score_settings()
        limit = partner.credit_limit
        action, suggested, reason = self._proposal_for(settings, score.grade, limit, exposure)
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "date": score.date,
            "score_id": score.id,
            "grade": score.grade or False,
            "exposure": company.currency_id.round(exposure),
            "usage": self._usage_for(limit, exposure),
            "current_limit": limit,
            "suggested_limit": suggested,
            "action": action,
            "reason": reason,
        }
