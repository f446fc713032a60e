# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's open promises to pay on its receivables page, and only its own."""

from datetime import timedelta

from lxml import html

from odoo.tests import tagged

from .common.portal import KakeuriPortalCommon


@tagged("post_install", "-at_install")
class TestPaymentPromisePortal(KakeuriPortalCommon):
    def _promises_text(self, login):
        self.authenticate(login, login)
        response = self.url_open("/my/receivables")
        self.assertEqual(response.status_code, 200)
        tree = html.fromstring(response.content)
        nodes = tree.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' o_kakeuri_promises ')]")
        return " ".join(" ".join(node.text_content().split()) for node in nodes), tree

    def test_open_promise_shown_to_its_customer_only(self):
        Promise = self.env["kakeuri.payment.promise"]
        promise = Promise.create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "date": self.today + timedelta(days=6),
                "amount": 120.0,
            }
        )
        cancelled = Promise.create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "date": self.today + timedelta(days=9),
                "amount": 77.0,
            }
        )
        cancelled.action_cancel()
        text, tree = self._promises_text(self.user_a.login)
        self.assertTrue(tree.xpath(f"//tr[@data-promise-id='{promise.id}']"))
        self.assertIn(self.kakeuri_amount_text(120.0), text)
        self.assertNotIn(self.kakeuri_amount_text(77.0), text, "a cancelled promise is not shown")
        # the portal user reads its open promise through its record rule, not another's
        user_promises = Promise.with_user(self.user_a).search([])
        self.assertEqual(user_promises, promise)
        self.assertFalse(Promise.with_user(self.user_b).search([]))
        text_b, tree_b = self._promises_text(self.user_b.login)
        self.assertFalse(tree_b.xpath("//tr[@data-promise-id]"))
        self.assertNotIn(self.kakeuri_amount_text(120.0), text_b)
