# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from dateutil.relativedelta import relativedelta
from psycopg2 import errors

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_round

_logger = logging.getLogger(__name__)

GRADE_ORDER = "ABCDE"


class KakeuriCreditScore(models.Model):
    """Scoring: the figures of ``kakeuri.payment.behaviour`` per customer, graded by the
    thresholds of the customer's credit policy in the company (the defaults without one), stored
    once per customer, company and date; the latest grade is written on the customer."""

    _inherit = "kakeuri.credit.score"

    # ------------------------------------------------------------------ grading
    @api.model
    def _grade_for(
        self, settings, avg_days_late, on_time_rate, promise_kept_rate, promise_count, has_history
    ):
        """The one grade rule: 'A' when at most ``grade_a_days_late`` days late on average and at
        least ``grade_a_on_time`` % on time, else 'B' and 'C' alike, 'D' on the days late alone,
        else 'E'; then one grade lower when at least two promises were judged and fewer than
        ``grade_promise_kept_min`` % were kept. False without history."""
        if not has_history:
            return False
        grade = "E"
        for letter in "abc":
            if (
                avg_days_late <= settings[f"grade_{letter}_days_late"]
                and on_time_rate >= settings[f"grade_{letter}_on_time"]
            ):
                grade = letter.upper()
                break
        else:
            if avg_days_late <= settings["grade_d_days_late"]:
                grade = "D"
        if promise_count >= 2 and promise_kept_rate < settings["grade_promise_kept_min"]:
            grade = GRADE_ORDER[min(GRADE_ORDER.index(grade) + 1, len(GRADE_ORDER) - 1)]
        return grade

    # ------------------------------------------------------------------ scoring
    @api.model
    def _compute_scores(self, company, date, partners=None):
        """Score the customers of ``company`` as of the end of ``date``: every commercial
        customer with anything paid, due or open in its window, or each of the commercial
        partners of ``partners`` (grade empty without history). Existing scores of that date
        are updated. When ``date`` is the company's latest score date, the customers' payment
        grade in the company is written (and, for a full run, cleared for customers no longer
        scored). Returns the scores."""
        company, date = self._check_score_args(company, date)
        partner_ids = partners.commercial_partner_id.ids if partners is not None else None
        rows = self._score_rows(company, date, partner_ids)
        scores = self._store_scores(company, date, rows)
        self._write_grades(company, date, scores, clear_others=partners is None)
        return self.browse(scores.ids)

    @api.model
    def _check_score_args(self, company, date):
        if isinstance(company, int) and not isinstance(company, bool):
            company = self.env["res.company"].browse(company)
        if not isinstance(company, models.BaseModel) or len(company) != 1 or not company.exists():
            raise ValidationError(
                _("Scores are computed for one company, got %(value)s.", value=repr(company))
            )
        try:
            day = fields.Date.to_date(date)
        except (TypeError, ValueError):
            day = None
        if not day:
            raise ValidationError(_("Scores need a valid score date, got %(value)s.", value=repr(date)))
        return company, day

    @api.model
    def _score_rows(self, company, date, partner_ids=None):
        """{customer id: (settings, date_from, figures or None)}: each customer's window and
        thresholds come from its credit policy in ``company``; one behaviour query per window
        length in use."""
        engine = self.env["kakeuri.payment.behaviour"]
        Policy = self.env["kakeuri.credit.policy"].sudo().with_context(active_test=False)
        windows = {}

        def window(months):
            if months not in windows:
                date_from = engine.window_start(date, months)
                windows[months] = (date_from, engine.get_behaviour(company, date, date_from, partner_ids))
            return windows[months]

        defaults = Policy.browse()._kakeuri_score_settings()
        for months in set(
            Policy.search([("company_id", "in", [False, company.id])]).mapped("score_window_months")
        ):
            window(months)
        window(defaults["score_window_months"])
        given = partner_ids is not None
        if not given:
            partner_ids = sorted({pid for _date_from, rows in windows.values() for pid in rows})
        partners = self.env["res.partner"].sudo().with_company(company).browse(partner_ids)
        settings_of = {}
        result = {}
        for partner in partners:
            policy = partner.kakeuri_credit_policy_id
            if policy.id not in settings_of:
                settings_of[policy.id] = policy._kakeuri_score_settings() if policy else defaults
            settings = settings_of[policy.id]
            date_from, rows = window(settings["score_window_months"])
            figures = rows.get(partner.id)
            if figures is not None or given:
                result[partner.id] = (settings, date_from, figures)
        return result

    @api.model
    def _prepare_score_vals(self, company, date, partner_id, settings, date_from, figures):
        """The values of one score: the figures (zeros when none), rounded as stored, and the
        grade of those rounded figures, so that the grade agrees with what is shown."""
        figures = dict(figures or self._empty_figures())
        for name in ("avg_days_to_pay", "avg_days_late", "on_time_rate", "promise_kept_rate", "dso"):
            figures[name] = float_round(figures[name], precision_digits=1)
        has_history = figures.pop("has_history")
        grade = self._grade_for(
            settings,
            figures["avg_days_late"],
            figures["on_time_rate"],
            figures["promise_kept_rate"],
            figures["promise_count"],
            has_history,
        )
        return dict(
            figures, partner_id=partner_id, company_id=company.id, date=date, date_from=date_from, grade=grade
        )

    @api.model
    def _empty_figures(self):
        names = ("paid_amount", "overdue_amount", "balance", "sales_amount", "avg_days_to_pay")
        figures = dict.fromkeys(names + ("avg_days_late", "on_time_rate", "promise_kept_rate", "dso"), 0.0)
        return dict(figures, promise_count=0, has_history=False)

    @api.model
    def _store_scores(self, company, date, rows):
        """Create or update the scores of ``rows`` (see ``_score_rows``) for ``date``."""
        Score = self.sudo()
        existing = {
            score.partner_id.id: score
            for score in Score.search(
                [("company_id", "=", company.id), ("date", "=", date), ("partner_id", "in", list(rows))]
            )
        }
        scores = Score.browse()
        to_create = []
        for partner_id, (settings, date_from, figures) in rows.items():
            vals = self._prepare_score_vals(company, date, partner_id, settings, date_from, figures)
            if partner_id in existing:
                score = existing[partner_id]
                changed = score._changed_vals(vals)
                if changed:
                    score.write(changed)
                scores |= score
            else:
                to_create.append(vals)
        if to_create:
            scores |= Score.create(to_create)
        return scores

    def _changed_vals(self, vals):
        """Of ``vals``, those that differ from this score's values (as stored: rounded), so a
        second run of a day writes only what moved since the first."""
        self.ensure_one()
        changed = {}
        for name, value in vals.items():
            field = self._fields[name]
            if field.convert_to_record(field.convert_to_cache(value, self), self) != self[name]:
                changed[name] = value
        return changed

    @api.model
    def _write_grades(self, company, date, scores, clear_others=False):
        """Write the grade of ``scores`` on their customers in ``company`` when ``date`` is the
        company's latest score date, one write per grade; with ``clear_others``, customers with
        a grade in the company and no score of ``date`` lose it (nothing in their window)."""
        Score = self.sudo()
        Score.flush_model(["company_id", "date"])
        latest = Score.search([("company_id", "=", company.id)], order="date desc", limit=1).date
        if latest and date < latest:
            return
        Partner = self.env["res.partner"].sudo().with_company(company)
        by_grade = {}
        for score in scores:
            by_grade.setdefault(score.grade or False, []).append(score.partner_id.id)
        if clear_others:
            graded = Partner.search([("kakeuri_payment_grade", "!=", False)]).ids
            scored = set(Score.search([("company_id", "=", company.id), ("date", "=", date)]).partner_id.ids)
            by_grade.setdefault(False, []).extend(pid for pid in graded if pid not in scored)
        for grade, partner_ids in by_grade.items():
            partners = Partner.browse(partner_ids).filtered(lambda p, g=grade: p.kakeuri_payment_grade != g)
            if partners:
                partners.write({"kakeuri_payment_grade": grade})

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_compute_scores(self, date_ref=None, batch_size=None):
        """Score every company's customers as of ``date_ref`` (default: today), in batches of
        ``batch_size`` customers (``kakeuri.batch.mixin``: one batch per call in a scheduled
        action, committed by Odoo). Customers already scored on that date are not scored again
        by the run, so a second run of the same date (or a second worker) adds nothing; one
        worker at a time scores a company's date (advisory lock), and the unique key of a
        customer, company and date refuses a score made twice. Each batch reads the company's
        behaviour afresh (one query for all its customers), so batches are large: the default
        (system parameter ``kakeuri_ar.score_batch_size``) scores most companies in one."""
        date = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].sudo().get_param("kakeuri_ar.score_batch_size", 20000)
        )
        companies = self.env["res.company"].sudo().search([])
        return self.env["kakeuri.batch.mixin"]._kakeuri_run_batches(
            lambda: self._score_batch(companies, date, batch_size)
        )

    @api.model
    def _score_batch(self, companies, date, batch_size):
        """One batch: the first company with customers left to score on ``date`` that no other
        worker is scoring, up to ``batch_size`` of its customers. Returns ``(done, remaining)``."""
        mixin = self.env["kakeuri.batch.mixin"]
        for index, company in enumerate(companies):
            if not mixin._kakeuri_claim([company.id], namespace=f"{self._name}/{date}"):
                continue
            rows = self._score_rows(company, date)
            scored = set(
                self.sudo().search([("company_id", "=", company.id), ("date", "=", date)]).partner_id.ids
            )
            todo = [pid for pid in rows if pid not in scored]
            if not todo:
                continue
            batch = todo[:batch_size]
            try:
                with self.env.cr.savepoint():
                    scores = self._store_scores(company, date, {pid: rows[pid] for pid in batch})
            except (errors.UniqueViolation, errors.SerializationFailure):
                _logger.info("kakeuri: scores of %s on %s made by a parallel run", company.name, date)
                return 0, 0
            last = len(batch) == len(todo)
            self._write_grades(company, date, scores, clear_others=last)
            # the companies after this one may have customers to score: one more call each at most
            return len(batch), len(todo) - len(batch) + len(companies) - index - 1
        return 0, 0

    # ------------------------------------------------------------------ demo
    @api.model
    def _demo_score_history(self, company_id, months=6):
        """Demo data: score ``company_id`` at each of the last ``months`` month ends and today,
        oldest first, so the latest grades are today's and the customers show a trend."""
        company = self.env["res.company"].browse(company_id)
        today = fields.Date.context_today(self)
        first_of_month = today.replace(day=1)
        dates = [
            first_of_month - relativedelta(months=n) - relativedelta(days=1)
            for n in range(months - 1, -1, -1)
        ]
        for date in [*dates, today]:
            self._compute_scores(company, date)
        return True
