# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Scores as installed: the demo's history and the scheduled action."""

from odoo.tests import tagged

from .common import KakeuriCommon


@tagged("post_install", "-at_install")
class TestCreditScoreDemo(KakeuriCommon):
    def test_cron_installed(self):
        cron = self.env.ref("kakeuri_ar.ir_cron_kakeuri_compute_scores")
        self.assertTrue(cron.active)
        self.assertEqual(cron.code, "model._cron_compute_scores()")
        self.assertGreater(cron.nextcall.date(), cron.create_date.date(), "first run the night after install")

    def test_demo_good_and_late_payer(self):
        """The demo has a good payer using most of its limit and a late payer, both scored at
        the last six month ends and today, so the Credit tab shows a trend."""
        company = self.env.ref("base.main_company")
        # the test user works in the test company: read the main company's as the superuser
        sakura = self.env.ref("kakeuri_ar.demo_credit_partner_sakura").sudo().with_company(company)
        hokuriku = self.env.ref("kakeuri_ar.demo_credit_partner_hokuriku").sudo().with_company(company)
        self.assertIn(sakura.kakeuri_payment_grade, ("A", "B"))
        self.assertGreaterEqual(sakura.kakeuri_credit_exposure, 0.8 * sakura.credit_limit)
        self.assertIn(hokuriku.kakeuri_payment_grade, ("D", "E"))
        self.assertGreaterEqual(sakura.kakeuri_score_count, 7)
        self.assertEqual(len(sakura.kakeuri_grade_trend.split(" → ")), 6)
        self.assertEqual(sakura.kakeuri_grade_direction, "up")
        self.assertEqual(sakura.kakeuri_score_id.grade, sakura.kakeuri_payment_grade)
