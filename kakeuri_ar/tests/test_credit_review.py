# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Credit limit reviews: the proposal rule, proposals from scores, who applies or rejects
them and what that writes, per company, and the daily run."""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common.credit import KakeuriCreditCommon

TODAY = date(2026, 3, 15)


class KakeuriReviewCommon(KakeuriCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Review = cls.env["kakeuri.credit.review"]
        cls.Score = cls.env["kakeuri.credit.score"]
        cls.defaults = cls.Policy.browse()._kakeuri_score_settings()
        cls.ar_user = new_test_user(
            cls.env,
            login="kakeuri_review_ar_user",
            name="Mori Aiko (receivables)",
            groups="base.group_user,kakeuri_ar.group_ar_user",
            company_id=cls.company.id,
        )
        # limits of a few hundreds: round the proposals to hundreds (the default is thousands)
        cls.policy_block.review_rounding = 100.0
        cls.plain_customer = cls.env["res.partner"].create(
            {"name": "Kabushiki Kaisha Hikari", "is_company": True, "credit_limit": 20000.0}
        )

    def make_score(self, partner=None, grade="B", company=None, day=TODAY):
        """The score of the day (one per customer, company and date), with ``grade``."""
        key = {"partner_id": (partner or self.customer).id, "company_id": (company or self.company).id}
        score = self.Score.search([*((k, "=", v) for k, v in key.items()), ("date", "=", day)])
        if score:
            score.grade = grade
            return score
        return self.Score.create(
            dict(key, date=day, date_from=date(day.year - 1, day.month, day.day), grade=grade)
        )

    def propose(self, grade="B", partner=None, company=None):
        return self.Review._propose_for_scores(self.make_score(partner, grade, company))

    def settings(self, **values):
        return dict(self.defaults, **values)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditReviewProposal(KakeuriReviewCommon):
    def test_proposal_cases(self):
        rule = self.Review._proposal_for
        s = self.defaults
        action, limit, reason = rule(s, "B", 10000.0, 8500.0)
        self.assertEqual((action, limit), ("raise", 12000.0))
        for word in ("Grade B", "85.0%", "20%", "80%", "10,000"):
            self.assertIn(word, reason)
        # a good payer using little of its limit keeps it
        action, limit, reason = rule(s, "A", 10000.0, 5000.0)
        self.assertEqual((action, limit), ("keep", 10000.0))
        self.assertIn("50.0%", reason)
        self.assertIn("no rule applies", reason)
        # C is neither raised nor lowered, whatever its use
        self.assertEqual(rule(s, "C", 10000.0, 9900.0)[:2], ("keep", 10000.0))
        action, limit, reason = rule(s, "D", 10000.0, 9000.0)
        self.assertEqual((action, limit), ("lower", 7000.0))
        self.assertIn("30%", reason)
        action, limit, reason = rule(s, "E", 10000.0, 9000.0)
        self.assertEqual((action, limit), ("hold", 10000.0))
        self.assertIn("Grade E", reason)
        action, limit, reason = rule(s, False, 10000.0, 9000.0)
        self.assertEqual((action, limit), ("keep", 10000.0))
        self.assertIn("No payment history", reason)

    def test_proposal_rounding_and_floor(self):
        rule = self.Review._proposal_for
        s = self.defaults
        self.assertEqual(rule(s, "A", 45500.0, 45000.0)[:2], ("raise", 54000.0))  # 54,600 rounded down
        self.assertEqual(rule(s, "D", 45500.0, 0.0)[:2], ("lower", 31000.0))  # 31,850 rounded down
        # a raise that rounding would bring back to the current limit keeps it
        action, limit, reason = rule(s, "A", 1500.0, 1500.0)
        self.assertEqual((action, limit), ("keep", 1500.0))
        self.assertIn("rounded down to a multiple of 1,000", reason)
        no_rounding = self.settings(review_rounding=0.0)
        self.assertEqual(rule(no_rounding, "B", 1500.0, 1500.0)[:2], ("raise", 1800.0))
        # never below zero, nothing lower than zero
        self.assertEqual(
            rule(self.settings(review_lower_percent=100.0), "D", 1000.0, 0.0)[:2], ("lower", 0.0)
        )
        action, limit, reason = rule(s, "D", 0.0, 300.0)
        self.assertEqual((action, limit), ("keep", 0.0))
        self.assertIn("cannot go lower", reason)
        # without a hold grade the worst are lowered
        self.assertEqual(
            rule(self.settings(review_hold_grade=False), "E", 10000.0, 0.0)[:2], ("lower", 7000.0)
        )

    def test_policy_settings_or_defaults(self):
        self.policy_block.write(
            {"review_raise_percent": 50.0, "review_raise_usage": 60.0, "review_rounding": 100.0}
        )
        self.make_invoice(650.0)  # 65 % of the 1,000 limit
        review = self.propose("B")
        self.assertRecordValues(
            review,
            [
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "date": TODAY,
                    "grade": "B",
                    "exposure": 650.0,
                    "usage": 65.0,
                    "current_limit": 1000.0,
                    "suggested_limit": 1500.0,
                    "action": "raise",
                    "state": "proposed",
                }
            ],
        )
        self.assertIn("50%", review.reason)
        # no policy: the defaults (80 % use needed, so 65 % keeps the limit)
        self.make_invoice(13000.0, partner=self.plain_customer)
        other = self.propose("B", partner=self.plain_customer)
        self.assertRecordValues(
            other,
            [{"usage": 65.0, "current_limit": 20000.0, "suggested_limit": 20000.0, "action": "keep"}],
        )
        self.make_invoice(4000.0, partner=self.plain_customer)  # 85 %
        again = self.propose("A", partner=self.plain_customer)
        self.assertEqual(again, other, "the open proposal is brought up to date, not doubled")
        self.assertRecordValues(
            again, [{"grade": "A", "usage": 85.0, "suggested_limit": 24000.0, "action": "raise"}]
        )
        self.assertEqual(self.Review.search_count([("partner_id", "=", self.plain_customer.id)]), 1)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditReviewDecision(KakeuriReviewCommon):
    def test_apply_raise(self):
        self.env.cr.precommit.clear()  # track the limit of the customer made in setUpClass
        self.make_invoice(900.0)
        review = (
            self.propose("A")
            .with_user(self.credit_manager)
            .with_context(tracking_disable=False, mail_notrack=False)
        )
        review.decision_note = "Pays early; the spring orders need room."
        review.action_apply()
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.assertEqual(self.customer.credit_limit, 1200.0)
        self.assertRecordValues(
            review,
            [{"state": "applied", "user_id": self.credit_manager.id, "date_decided": TODAY}],
        )
        self.assertEqual(self.customer.kakeuri_credit_review_date, date(2027, 3, 15))
        track = self.customer.message_ids.tracking_value_ids.filtered(
            lambda v: v.field_id.name == "credit_limit"
        )
        self.assertEqual((track.old_value_float, track.new_value_float), (1000.0, 1200.0))
        self.assertEqual(track.mail_message_id.author_id, self.credit_manager.partner_id)
        note = self.customer.message_ids.filtered(lambda m: "review applied" in (m.body or ""))
        self.assertEqual(len(note), 1)
        for word in ("1,000.00", "1,200.00", "grade A", "90.0%", "Pays early"):
            self.assertIn(word, note.body)
        self.assertFalse(self.customer.kakeuri_credit_hold)

    def test_apply_hold_and_edited_limit(self):
        review = self.propose("E")
        self.assertEqual(review.action, "hold")
        review.with_user(self.credit_manager).write({"suggested_limit": 800.0})
        review.with_user(self.credit_manager).action_apply()
        self.assertTrue(self.customer.kakeuri_credit_hold)
        self.assertIn("Limit review of 03/15/2026: grade E", self.customer.kakeuri_credit_hold_reason)
        self.assertEqual(self.customer.credit_limit, 800.0)
        self.assertTrue(self.contact.kakeuri_credit_hold, "the contact shares its company's hold")

    def test_apply_keep_reschedules(self):
        self.customer.kakeuri_credit_review_date = date(2026, 3, 1)
        review = self.propose(False)
        self.assertEqual(review.action, "keep")
        review.with_user(self.credit_manager).action_apply()
        self.assertEqual(self.customer.credit_limit, 1000.0)
        self.assertEqual(self.customer.kakeuri_credit_review_date, date(2027, 3, 15))

    def test_apply_many_at_once(self):
        self.make_invoice(19000.0, partner=self.plain_customer)
        reviews = self.propose("D") | self.propose("B", partner=self.plain_customer)
        reviews.with_user(self.credit_manager).action_apply()
        self.assertEqual(reviews.mapped("state"), ["applied", "applied"])
        self.assertEqual(self.customer.credit_limit, 700.0)
        self.assertEqual(self.plain_customer.credit_limit, 24000.0)

    def test_reject(self):
        self.customer.kakeuri_credit_review_date = date(2026, 3, 1)
        review = self.propose("D").with_user(self.credit_manager)
        with self.assertRefused("decision note.*Kabushiki Kaisha Yamato Shoji"):
            review.action_reject()
        review.decision_note = "Late only because of our own invoicing error in January."
        review.action_reject()
        self.assertRecordValues(
            review, [{"state": "rejected", "user_id": self.credit_manager.id, "date_decided": TODAY}]
        )
        self.assertEqual(self.customer.credit_limit, 1000.0)
        self.assertEqual(self.customer.kakeuri_credit_review_date, date(2027, 3, 15))
        note = self.customer.message_ids.filtered(lambda m: "review rejected" in (m.body or ""))
        self.assertIn("invoicing error", note.body)
        self.assertIn("grade D", note.body)

    def test_application_rights(self):
        review = self.propose("A")
        for user in (self.ar_user, self.salesman):
            with self.assertRefused("Only a credit manager.*Kabushiki Kaisha Yamato Shoji", AccessError):
                review.with_user(user).action_apply()
            with self.assertRefused("Only a credit manager", AccessError):
                review.with_user(user).action_reject()
            with self.assertRefused("Only a credit manager", AccessError):
                self.customer.with_user(user).action_propose_limit_reviews()
        # receivables users read the worklist, change nothing
        self.assertEqual(
            self.Review.with_user(self.ar_user).search([("partner_id", "=", self.customer.id)]), review
        )
        with self.assertRaises(AccessError):
            review.with_user(self.ar_user).write({"suggested_limit": 5000.0})
        self.assertEqual(review.state, "proposed")
        self.assertEqual(self.customer.credit_limit, 1000.0)
        review.with_user(self.credit_manager).action_apply()
        self.assertEqual(review.state, "applied")

    def test_bad_input(self):
        review = self.propose("B")
        with self.assertRefused("Kabushiki Kaisha Yamato Shoji.*-5.0", ValidationError):
            review.with_user(self.credit_manager).write({"suggested_limit": -5.0})
        review.with_user(self.credit_manager).action_apply()
        with self.assertRefused("Kabushiki Kaisha Yamato Shoji.*already Applied"):
            review.with_user(self.credit_manager).action_apply()
        with self.assertRefused("already Applied"):
            review.with_user(self.credit_manager).action_reject()
        with self.assertRefused("already Applied"):
            review.with_user(self.credit_manager).write({"suggested_limit": 9000.0})
        self.assertEqual(self.customer.credit_limit, 1000.0)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditReviewCompanies(KakeuriReviewCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company(name="Kakeuri Osaka KK")["company"]
        cls.policy_2 = cls.Policy.with_company(cls.company_2).create(
            {"name": "Osaka standard", "company_id": cls.company_2.id, "review_lower_percent": 50.0}
        )
        customer_2 = cls.customer.with_company(cls.company_2)
        customer_2.kakeuri_credit_policy_id = cls.policy_2
        customer_2.credit_limit = 400.0
        cls.credit_manager.write({"company_ids": [(4, cls.company_2.id)]})

    def test_limits_per_company(self):
        review_1 = self.propose("D")
        review_2 = self.propose("D", company=self.company_2)
        self.assertRecordValues(
            review_1 | review_2,
            [
                {"company_id": self.company.id, "current_limit": 1000.0, "suggested_limit": 700.0},
                {"company_id": self.company_2.id, "current_limit": 400.0, "suggested_limit": 0.0},
            ],
        )
        review_2.with_user(self.credit_manager).with_context(
            allowed_company_ids=[self.company.id, self.company_2.id]
        ).action_apply()
        self.assertEqual(self.customer.with_company(self.company_2).credit_limit, 0.0)
        self.assertEqual(self.customer.credit_limit, 1000.0, "company 1 keeps its limit")
        self.assertEqual(review_1.state, "proposed")
        # the company rule: a user of company 1 only sees company 1's reviews
        mine = [("partner_id", "=", self.customer.id)]
        visible = self.Review.with_user(self.ar_user).search(mine)
        self.assertEqual(visible, review_1)
        visible = (
            self.Review.with_user(self.credit_manager)
            .with_context(allowed_company_ids=[self.company.id, self.company_2.id])
            .search(mine)
        )
        self.assertEqual(visible, review_1 | review_2)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditReviewRun(KakeuriReviewCommon):
    """The daily run and the proposals for a selection score the customers first (the score
    engine), then propose."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.kakeuri_credit_review_date = date(2026, 3, 1)
        cls.later = cls.env["res.partner"].create(
            {
                "name": "Kabushiki Kaisha Asahi",
                "is_company": True,
                "kakeuri_credit_policy_id": cls.policy_block.id,
                "kakeuri_credit_review_date": "2026-04-01",
            }
        )
        cls.due_too = cls.env["res.partner"].create(
            {
                "name": "Kabushiki Kaisha Midori",
                "is_company": True,
                "credit_limit": 3000.0,
                "kakeuri_credit_review_date": "2026-03-15",
            }
        )

    def reviews(self):
        partners = self.customer | self.later | self.due_too | self.plain_customer
        return self.Review.search([("partner_id", "in", partners.ids)])

    def test_cron_twice_no_duplicates(self):
        self.Review._cron_propose_reviews(batch_size=1)
        reviews = self.reviews()
        self.assertEqual(reviews.partner_id, self.customer | self.due_too)
        self.assertEqual(reviews.mapped("state"), ["proposed", "proposed"])
        # no payment history: the limit is kept, with its score of the day
        self.assertRecordValues(
            reviews.filtered(lambda r: r.partner_id == self.due_too),
            [{"action": "keep", "grade": False, "current_limit": 3000.0, "date": TODAY}],
        )
        self.assertEqual(reviews.score_id.mapped("date"), [TODAY, TODAY])
        self.Review._cron_propose_reviews()
        self.assertEqual(self.reviews(), reviews, "a proposed review is not proposed again")
        reviews.with_user(self.credit_manager).action_apply()
        self.Review._cron_propose_reviews()
        self.assertEqual(self.reviews(), reviews, "the next review is a year away")
        self.assertEqual(self.customer.kakeuri_credit_review_date, date(2027, 3, 15))
        # a year later the customer is reviewed again
        self.Review._cron_propose_reviews(date_ref=date(2027, 3, 15))
        proposed = self.reviews().filtered(lambda r: r.state == "proposed")
        self.assertEqual(proposed.partner_id, self.customer | self.later)
        self.assertFalse(self.due_too.kakeuri_credit_review_date, "without a policy: no next review")

    def test_cron_per_company(self):
        company_2 = self.setup_other_company(name="Kakeuri Nagoya KK")["company"]
        self.customer.with_company(company_2).kakeuri_credit_review_date = date(2026, 3, 10)
        self.Review._cron_propose_reviews()
        self.assertEqual(
            sorted(self.reviews().filtered(lambda r: r.partner_id == self.customer).company_id.ids),
            sorted((self.company | company_2).ids),
        )

    def test_propose_on_selection(self):
        selection = (self.contact | self.plain_customer).with_user(self.credit_manager)
        action = selection.action_propose_limit_reviews()
        reviews = self.Review.search(action["domain"])
        self.assertEqual(reviews.partner_id, self.customer | self.plain_customer, "contacts: their company")
        self.assertEqual(action["res_model"], "kakeuri.credit.review")
        self.assertEqual(reviews.mapped("state"), ["proposed", "proposed"])
        again = selection.action_propose_limit_reviews()
        self.assertEqual(self.Review.search(again["domain"]), reviews, "brought up to date, not doubled")
