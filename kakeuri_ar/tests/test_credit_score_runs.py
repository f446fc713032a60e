# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from freezegun import freeze_time

from odoo import Command, sql_db
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common.score import SCORE_DATE, ScoreCommon


@tagged("post_install", "-at_install")
class TestGradeRule(ScoreCommon):
    """``_grade_for``: the one grade rule, on the default thresholds (3/10/30/60 days late,
    90/75/50 % on time, promises kept 50 %)."""

    def grade(self, days, on_time, kept=0.0, promises=0, history=True, settings=None):
        return self.Score._grade_for(settings or self.defaults, days, on_time, kept, promises, history)

    def test_thresholds(self):
        cases = [
            (0.0, 100.0, "A"),
            (3.0, 90.0, "A"),  # exactly at A's limits
            (3.1, 90.0, "B"),  # a tenth of a day over
            (3.0, 89.9, "B"),
            (10.0, 75.0, "B"),
            (11.0, 75.0, "C"),
            (10.0, 74.9, "C"),
            (30.0, 50.0, "C"),
            (31.0, 50.0, "D"),
            (30.0, 49.9, "D"),
            (60.0, 0.0, "D"),
            (61.0, 0.0, "E"),
            (0.0, 0.0, "D"),  # never on time, never late: only the days count for D
        ]
        for days, on_time, expected in cases:
            with self.subTest(days=days, on_time=on_time):
                self.assertEqual(self.grade(days, on_time), expected)

    def test_promises_and_history(self):
        self.assertIs(self.grade(0.0, 100.0, history=False), False)
        self.assertEqual(self.grade(0.0, 100.0, kept=0.0, promises=1), "A", "one promise is not enough")
        self.assertEqual(self.grade(0.0, 100.0, kept=49.9, promises=2), "B")
        self.assertEqual(self.grade(0.0, 100.0, kept=50.0, promises=2), "A")
        self.assertEqual(self.grade(61.0, 0.0, kept=0.0, promises=5), "E", "no grade below E")
        lenient = dict(self.defaults, grade_d_days_late=90, grade_promise_kept_min=0.0)
        self.assertEqual(self.grade(80.0, 0.0, kept=0.0, promises=4, settings=lenient), "D")

    def test_bad_policy_settings(self):
        bad = [
            ({"score_window_months": 0}, "at least one month"),
            ({"grade_b_days_late": 2}, "rise from grade to grade"),
            ({"grade_a_days_late": -1}, "zero or more"),
            ({"grade_a_on_time": 101.0}, "percentage from 0 to 100"),
            ({"grade_promise_kept_min": -5.0}, "percentage from 0 to 100"),
            ({"review_rounding": -1.0}, "cannot be negative"),
        ]
        for index, (vals, message) in enumerate(bad):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(ValidationError, f"Scores {index}.*{message}"),
            ):
                with self.env.cr.savepoint():
                    self.Policy.create({"name": f"Scores {index}", **vals})
        self.assertFalse(self.Policy.search([("name", "=like", "Scores %")]))
        policy = self.Policy.create({"name": "Scores"})
        with self.assertRaisesRegex(ValidationError, "rise from grade to grade .3 / 10 / 40 / 35"):
            policy.write({"grade_c_days_late": 40, "grade_d_days_late": 35})
        self.assertEqual(policy._kakeuri_score_settings()["grade_b_days_late"], 10)


@tagged("post_install", "-at_install")
@freeze_time("2026-08-15")
class TestScoreRuns(ScoreCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company(name="株式会社九州支店 (Kyushu Branch)")["company"]

    def _history(self):
        on_time = self._invoice(self.cust_a, 1000.0, "2026-03-01", due="2026-03-31")
        self._pay(on_time, 1000.0, "2026-03-20")
        self._invoice(self.cust_b, 800.0, "2026-04-01", due="2026-04-10")
        late = self._invoice(self.cust_a, 500.0, "2026-03-01", due="2026-03-31", company=self.company_2)
        (
            self.env["account.payment.register"]
            .with_company(self.company_2)
            .with_context(active_model="account.move", active_ids=late.ids)
            .create({"payment_date": "2026-05-30", "amount": 500.0})
            ._create_payments()
        )

    def test_two_companies(self):
        """A score per company; the grade on the partner per company; a user of the second
        company sees only its scores."""
        self._history()
        score_1 = self.Score._compute_scores(self.env.company, SCORE_DATE, partners=self.cust_a)
        score_2 = self.Score._compute_scores(self.company_2, SCORE_DATE, partners=self.cust_a)
        self.assertEqual(
            (score_1.company_id, score_1.grade, score_1.paid_amount), (self.env.company, "A", 1000.0)
        )
        self.assertEqual(
            (score_2.company_id, score_2.grade, score_2.paid_amount), (self.company_2, "D", 500.0)
        )
        self.assertFigures(score_2, avg_days_late=60.0)
        self.assertEqual(self.cust_a.kakeuri_payment_grade, "A")
        self.assertEqual(self.cust_a.with_company(self.company_2).kakeuri_payment_grade, "D")
        user = new_test_user(
            self.env,
            login="score_kyushu",
            groups="base.group_user,kakeuri_ar.group_ar_user",
            company_id=self.company_2.id,
            company_ids=[Command.set(self.company_2.ids)],
        )
        self.assertEqual(self.Score.with_user(user).search([]), score_2)
        with self.assertRaises(AccessError):
            score_1.with_user(user).read(["grade"])
        with self.assertRaises(AccessError):
            score_2.with_user(user).write({"grade": "A"})
        partner = self.cust_a.with_user(user).with_company(self.company_2)
        self.assertEqual(partner.kakeuri_score_id, score_2)
        self.assertEqual(partner.kakeuri_grade_trend, "D")

    def test_cron_twice_same_date(self):
        self._history()
        self.Score._cron_compute_scores(SCORE_DATE, batch_size=1)
        domain = [("date", "=", SCORE_DATE), ("partner_id", "in", (self.cust_a | self.cust_b).ids)]
        scores = self.Score.search(domain)
        self.assertEqual(
            sorted((s.company_id.id, s.partner_id.id, s.grade) for s in scores),
            sorted(
                [
                    (self.env.company.id, self.cust_a.id, "A"),
                    (self.env.company.id, self.cust_b.id, "E"),
                    (self.company_2.id, self.cust_a.id, "D"),
                ]
            ),
        )
        count = self.Score.search_count([])
        self.Score._cron_compute_scores(SCORE_DATE)
        self.assertEqual(self.Score.search_count([]), count, "a second run of the date adds nothing")
        self.assertEqual(self.cust_b.kakeuri_payment_grade, "E")

    def test_cron_skips_a_company_another_worker_scores(self):
        """A second worker leaves a company's date to the worker that scores it (advisory
        lock), and scores the other companies."""
        self._history()
        main = self.env.company
        with sql_db.db_connect(self.env.cr.dbname).cursor() as other:
            Mixin = self.env(cr=other)["kakeuri.batch.mixin"]
            self.assertEqual(Mixin._kakeuri_claim(main.ids, f"kakeuri.credit.score/{SCORE_DATE}"), main.ids)
            self.Score._cron_compute_scores(SCORE_DATE)
            scored = self.Score.search([("date", "=", SCORE_DATE), ("partner_id", "=", self.cust_a.id)])
            self.assertEqual(scored.company_id, self.company_2)
            other.rollback()
        self.Score._cron_compute_scores(SCORE_DATE)
        scored = self.Score.search([("date", "=", SCORE_DATE), ("partner_id", "=", self.cust_a.id)])
        self.assertEqual(scored.company_id, main | self.company_2)

    def test_trend_and_group_by_grade(self):
        """The partner's trend over its scores, and the grade as a filter and group-by."""
        late = self._invoice(self.cust_a, 1000.0, "2026-03-01", due="2026-03-31")
        self._pay(late, 1000.0, "2026-05-15")  # 45 days late: D, even while overdue on 04-30
        for day in ("2026-04-30", "2026-05-31"):
            self._score(self.cust_a, day)
        for month in (6, 7):
            inv = self._invoice(self.cust_a, 10000.0, f"2026-0{month}-01", due=f"2026-0{month}-10")
            self._pay(inv, 10000.0, f"2026-0{month}-05")
            self._score(self.cust_a, f"2026-0{month}-{30 if month == 6 else 31}")
        self.assertEqual(self.cust_a.kakeuri_grade_trend, "D → D → B → A")
        self.assertEqual(self.cust_a.kakeuri_grade_direction, "up")
        self.assertEqual(self.cust_a.kakeuri_score_count, 4)
        self.assertEqual(self.cust_a.kakeuri_score_id.date.isoformat(), "2026-07-31")
        # the grade on the customer is the one of the company's latest score date
        self._invoice(self.cust_c, 100.0, "2026-04-01", due="2026-04-10")
        self._score(self.cust_c)
        self.assertFalse(self.cust_c.kakeuri_payment_grade)
        self._score(self.cust_c, "2026-07-31")
        self._score(self.cust_b, "2026-07-31")
        partners = self.cust_a | self.cust_b | self.cust_c
        self.assertEqual(
            self.env["res.partner"].search([("id", "in", partners.ids), ("kakeuri_payment_grade", "=", "A")]),
            self.cust_a,
        )
        groups = self.env["res.partner"].read_group(
            [("id", "in", partners.ids)], ["kakeuri_payment_grade"], ["kakeuri_payment_grade"]
        )
        counts = {group["kakeuri_payment_grade"]: group["kakeuri_payment_grade_count"] for group in groups}
        self.assertEqual(counts, {"A": 1, "E": 1, False: 1})
        action = self.cust_a.action_kakeuri_scores()
        self.assertEqual(
            self.env["kakeuri.credit.score"].search(action["domain"]).mapped("grade"), ["A", "B", "D", "D"]
        )
