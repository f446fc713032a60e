# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payment plans in the portal: the receivables page lists the customer's active plans, and
the agreement PDF is served to the plan's customer only."""

from datetime import timedelta

from odoo.tests import tagged

from .common.portal import KakeuriPortalCommon


@tagged("post_install", "-at_install")
class TestPaymentPlanPortal(KakeuriPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls.env["kakeuri.payment.plan"].create(
            {
                "partner_id": cls.customer.id,
                "company_id": cls.company.id,
                "move_ids": [(6, 0, cls.inv_a_old.ids)],
                "installment_count": 2,
                "date_first": cls.today + timedelta(days=10),
            }
        )
        cls.plan.action_compute_schedule()
        cls.plan.action_activate()
        cls.draft_plan = cls.env["kakeuri.payment.plan"].create(
            {
                "partner_id": cls.customer_b.id,
                "company_id": cls.company.id,
                "move_ids": [(6, 0, cls.inv_b1.ids)],
            }
        )

    def test_receivables_page_lists_the_active_plan(self):
        self.authenticate("kakeuri_portal_a", "kakeuri_portal_a")
        response = self.url_open("/my/receivables")
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn("o_kakeuri_payment_plans", html)
        self.assertIn(self.plan.name, html)
        self.assertIn(f"/my/payment_plans/{self.plan.id}/agreement", html)
        # the next installment and what is open on it
        first = self.plan.installment_ids[0]
        self.assertEqual(first.amount, 165.0)
        self.assertIn(f'<tr data-plan-id="{self.plan.id}">', html)
        self.assertIn('<span class="oe_currency_value">165.00</span>', html)
        # the other customer sees no plan of A
        self.authenticate("kakeuri_portal_b", "kakeuri_portal_b")
        html_b = self.url_open("/my/receivables").text
        self.assertNotIn(self.plan.name, html_b)
        self.assertNotIn("o_kakeuri_payment_plans", html_b, "a draft plan is not shown")

    def test_agreement_pdf_only_for_its_customer(self):
        url = f"/my/payment_plans/{self.plan.id}/agreement"
        self.authenticate("kakeuri_portal_a", "kakeuri_portal_a")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        # rendered as HTML in tests (no PDF engine run), with the schedule
        self.assertIn("Payment Plan Agreement", response.text)
        self.assertIn(self.plan.name, response.text)
        self.assertEqual(response.text.count("kakeuri_installment"), 2)
        self.authenticate("kakeuri_portal_b", "kakeuri_portal_b")
        self.assertEqual(self.url_open(url).status_code, 404)
        # B's own plan is a draft: not for the portal either
        self.assertEqual(self.url_open(f"/my/payment_plans/{self.draft_plan.id}/agreement").status_code, 404)
        self.assertEqual(self.url_open("/my/payment_plans/999999/agreement").status_code, 404)
        self.authenticate(None, None)
        response = self.url_open(url, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
