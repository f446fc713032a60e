# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from freezegun import freeze_time

from odoo.tests import tagged

from .common.score import SCORE_DATE, WINDOW_DAYS, ScoreCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-08-15")
class TestCreditScoreHistories(ScoreCommon):
    """Hand-built payment histories scored as of 2026-06-30, with known answers."""

    def test_always_on_time(self):
        inv1 = self._invoice(self.cust_a, 1000.0, "2026-03-01", due="2026-03-31")
        inv2 = self._invoice(self.cust_a, 2000.0, "2026-04-01", due="2026-04-30")
        self._pay(inv1, 1000.0, "2026-03-25")
        self._pay(inv2, 2000.0, "2026-04-30")
        score = self._score(self.cust_a)
        # days to pay: (24 × 1,000 + 29 × 2,000) / 3,000
        self.assertFigures(
            score,
            avg_days_to_pay=27.3,
            avg_days_late=0.0,
            on_time_rate=100.0,
            paid_amount=3000.0,
            overdue_amount=0.0,
            sales_amount=3000.0,
            balance=0.0,
            dso=0.0,
            promise_count=0,
        )
        self.assertEqual(score.grade, "A")
        self.assertEqual(score.date_from.isoformat(), "2025-06-30")
        self.assertEqual(self.cust_a.kakeuri_payment_grade, "A")

    def test_always_thirty_days_late(self):
        score = self._score(self.cust_b)
        self.assertFalse(score.grade, "a customer without anything paid or due has no grade")
        for due, paid in (
            ("2026-01-10", "2026-02-09"),
            ("2026-02-10", "2026-03-12"),
            ("2026-03-10", "2026-04-09"),
        ):
            inv = self._invoice(self.cust_b, 1000.0, due, due=due)
            self._pay(inv, 1000.0, paid)
        score = self._score(self.cust_b)
        self.assertFigures(
            score, avg_days_to_pay=30.0, avg_days_late=30.0, on_time_rate=0.0, paid_amount=3000.0
        )
        # 30 days late is within C's days, but C needs half paid on time: D
        self.assertEqual(score.grade, "D")

    def test_partial_payments_weighted(self):
        inv = self._invoice(self.cust_a, 1000.0, "2026-01-01", due="2026-01-31")
        self._pay(inv, 400.0, "2026-02-10")
        self._pay(inv, 600.0, "2026-03-02")
        score = self._score(self.cust_a)
        # to pay: (400 × 40 + 600 × 60) / 1,000; late: (400 × 10 + 600 × 30) / 1,000
        self.assertFigures(
            score, avg_days_to_pay=52.0, avg_days_late=22.0, on_time_rate=0.0, paid_amount=1000.0
        )
        self.assertEqual(score.grade, "D")

    def test_credit_note_is_not_a_payment(self):
        inv = self._invoice(self.cust_a, 1000.0, "2026-03-01", due="2026-03-31")
        refund = self._invoice(self.cust_a, 300.0, "2026-03-10", move_type="out_refund")
        self._reconcile(inv, refund)
        self._pay(inv, 700.0, "2026-03-20")
        score = self._score(self.cust_a)
        self.assertFigures(
            score,
            avg_days_to_pay=19.0,
            avg_days_late=0.0,
            on_time_rate=100.0,
            paid_amount=700.0,
            sales_amount=700.0,
            balance=0.0,
        )
        self.assertEqual(score.grade, "A")

    def test_payment_after_score_date(self):
        """A payment after the score date does not count yet: the item is overdue instead."""
        inv = self._invoice(self.cust_a, 1000.0, "2026-05-01", due="2026-05-31")
        self._pay(inv, 1000.0, "2026-07-10")
        score = self._score(self.cust_a)
        self.assertFigures(
            score,
            paid_amount=0.0,
            overdue_amount=1000.0,
            avg_days_late=30.0,
            on_time_rate=0.0,
            balance=1000.0,
            dso=WINDOW_DAYS,
        )
        self.assertEqual(score.grade, "D")
        later = self._score(self.cust_a, "2026-07-31")
        self.assertFigures(
            later, paid_amount=1000.0, overdue_amount=0.0, avg_days_late=40.0, avg_days_to_pay=70.0
        )
        # the latest score date writes the grade; an earlier one recomputed does not
        self.assertEqual(self.cust_a.kakeuri_payment_grade, "D")
        self._score(self.cust_a)
        self.assertEqual(self.Score.search_count([("partner_id", "=", self.cust_a.id)]), 2)

    def test_open_overdue_item(self):
        self._invoice(self.cust_c, 2000.0, "2026-04-01", due="2026-04-30")
        not_due = self._invoice(self.cust_c, 500.0, "2026-06-20", due="2026-07-20")
        self._pay(not_due, 500.0, "2026-07-15")
        score = self._score(self.cust_c)
        self.assertFigures(
            score,
            overdue_amount=2000.0,
            avg_days_late=61.0,
            on_time_rate=0.0,
            paid_amount=0.0,
            balance=2500.0,
            sales_amount=2500.0,
            dso=2500.0 / 2500.0 * WINDOW_DAYS,
        )
        self.assertEqual(score.grade, "E")
        # a year later the unpaid item fell due before the window: it still counts, with all
        # its 426 days late, beside the payment made on time in the window
        later = self._score(self.cust_c, "2027-06-30")
        self.assertFigures(
            later,
            overdue_amount=2000.0,
            avg_days_late=round(2000.0 * 426 / 2500.0, 1),
            on_time_rate=20.0,
            paid_amount=500.0,
            balance=2000.0,
        )
        self.assertEqual(later.grade, "E")

    def test_grade_written_only_for_the_latest_date(self):
        self._invoice(self.cust_c, 1000.0, "2026-05-21", due="2026-06-20")
        self.assertEqual(self._score(self.cust_c, "2026-08-31").grade, "E")
        self.assertEqual(self.cust_c.kakeuri_payment_grade, "E")
        self.assertEqual(self._score(self.cust_c).grade, "D")
        self.assertEqual(self.cust_c.kakeuri_payment_grade, "E", "an earlier date leaves the latest grade")

    def test_threshold_exact_and_one_day_over(self):
        """9,000 paid on time and 1,000 paid 30 days late: 3.0 days late and 90 % on time,
        exactly grade A's limits; 31 days late tips it to B."""
        on_time = self._invoice(self.cust_a, 9000.0, "2026-03-01", due="2026-03-31")
        self._pay(on_time, 9000.0, "2026-03-31")
        late = self._invoice(self.cust_a, 1000.0, "2026-03-01", due="2026-03-31")
        self._pay(late, 1000.0, "2026-04-30")
        score = self._score(self.cust_a)
        self.assertFigures(score, avg_days_late=3.0, on_time_rate=90.0)
        self.assertEqual(score.grade, "A")
        on_time_b = self._invoice(self.cust_b, 9000.0, "2026-03-01", due="2026-03-31")
        self._pay(on_time_b, 9000.0, "2026-03-31")
        late_b = self._invoice(self.cust_b, 1000.0, "2026-03-01", due="2026-03-31")
        self._pay(late_b, 1000.0, "2026-05-01")
        score = self._score(self.cust_b)
        self.assertFigures(score, avg_days_late=3.1, on_time_rate=90.0)
        self.assertEqual(score.grade, "B")

    def test_broken_promises_lower_the_grade(self):
        inv = self._invoice(self.cust_a, 1000.0, "2026-03-01", due="2026-03-31")
        self._pay(inv, 1000.0, "2026-03-20")
        self._promise(self.cust_a, "2026-02-10", "broken")
        score = self._score(self.cust_a)
        self.assertEqual((score.promise_count, score.promise_kept_rate, score.grade), (1, 0.0, "A"))
        self._promise(self.cust_a, "2026-04-10", "kept")
        self._promise(self.cust_a, "2026-05-10", "broken")
        self._promise(self.cust_a, "2026-07-10", "broken")  # after the score date
        self._promise(self.cust_a, "2025-05-10", "broken")  # before the window
        score = self._score(self.cust_a)
        self.assertEqual(score.promise_count, 3)
        self.assertAlmostEqual(score.promise_kept_rate, 33.3, places=1)
        self.assertEqual(score.grade, "B", "a third of its promises kept: one grade lower")

    def test_policy_thresholds_and_defaults(self):
        """A customer without a policy is graded with the defaults over 12 months; one with a
        strict policy and a one-month window with the policy's."""
        strict = self.Policy.create(
            {
                "name": "Strict",
                "score_window_months": 1,
                "grade_a_days_late": 0,
                "grade_b_days_late": 0,
                "grade_c_days_late": 0,
            }
        )
        for partner in (self.cust_a, self.cust_b):
            on_time = self._invoice(partner, 3000.0, "2026-06-01", due="2026-06-10")
            self._pay(on_time, 3000.0, "2026-06-05")
            late = self._invoice(partner, 1000.0, "2026-06-01", due="2026-06-10")
            self._pay(late, 1000.0, "2026-06-12")
            old = self._invoice(partner, 1000.0, "2026-04-01", due="2026-04-10")
            self._pay(old, 1000.0, "2026-05-20")
        self.cust_b.kakeuri_credit_policy_id = strict
        default_score = self._score(self.cust_a)
        # late: (1,000 × 2 + 1,000 × 40) / 5,000; on time: 3,000 / 5,000
        self.assertFigures(default_score, avg_days_late=8.4, on_time_rate=60.0, paid_amount=5000.0)
        self.assertEqual(default_score.grade, "C")
        strict_score = self._score(self.cust_b)
        self.assertEqual(strict_score.date_from.isoformat(), "2026-05-30")
        self.assertFigures(
            strict_score, avg_days_late=0.5, on_time_rate=75.0, paid_amount=4000.0, sales_amount=4000.0
        )
        self.assertEqual(strict_score.grade, "D", "half a day late on average: D under the strict policy")

    def test_all_customers_and_rerun(self):
        inv = self._invoice(self.cust_a, 1000.0, "2026-03-01", due="2026-03-31")
        self._pay(inv, 1000.0, "2026-03-20")
        self._invoice(self.cust_b, 500.0, "2026-04-01", due="2026-04-10")
        scores = self.Score._compute_scores(self.env.company, SCORE_DATE)
        self.assertEqual(
            set(scores.partner_id.ids) & {self.cust_a.id, self.cust_b.id, self.cust_c.id},
            {self.cust_a.id, self.cust_b.id},
        )
        self.assertEqual(scores.filtered(lambda s: s.partner_id == self.cust_b).grade, "E")
        self._pay(self.env["account.move"].search([("partner_id", "=", self.cust_b.id)]), 500.0, "2026-04-10")
        again = self.Score._compute_scores(self.env.company, SCORE_DATE)
        self.assertEqual(again, scores, "the same date updates its scores")
        self.assertEqual(again.filtered(lambda s: s.partner_id == self.cust_b).grade, "A")
        self.assertEqual(self.cust_b.kakeuri_payment_grade, "A")
        # a rerun writes only what moved (values compared as stored, rounded)
        score_a = again.filtered(lambda s: s.partner_id == self.cust_a)
        self.assertEqual(
            score_a._changed_vals({"paid_amount": 1000.0, "avg_days_to_pay": 19.04, "grade": "A"}), {}
        )
        self.assertEqual(
            score_a._changed_vals({"avg_days_to_pay": 19.06, "grade": "B"}),
            {"avg_days_to_pay": 19.06, "grade": "B"},
        )
