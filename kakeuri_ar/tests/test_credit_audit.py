# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Findings of the credit-control audit: each test fails without its fix."""

from freezegun import freeze_time

from odoo.tests import tagged

from .credit_common import KakeuriCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditAuditDocuments(KakeuriCreditCommon):
    def test_customer_receipt_counted_and_checked(self):
        """A customer receipt (out_receipt) is a debt like an invoice: a draft one counts in the
        exposure and posting one over the limit is refused."""
        self.make_invoice(900.0)
        receipt = self.make_invoice(200.0, post=False, move_type="out_receipt")
        self.assertEqual(receipt.move_type, "out_receipt")
        self.assertEqual(self.exposure(), 1100.0)
        self.assertEqual(self.customer.kakeuri_credit_draft_invoiced, 200.0)
        self.assertTrue(receipt.kakeuri_credit_blocking)
        self.assertIn("Credit limit exceeded", receipt.kakeuri_credit_warning)
        with self.assertRefused("(?s)cannot be posted.*this document \\$\xa0200.00"):
            receipt.action_post()
        self.assertEqual(receipt.state, "draft")
        receipt.button_cancel()
        self.assertEqual(self.exposure(), 900.0)
        small = self.make_invoice(100.0, post=False, move_type="out_receipt")
        small.action_post()  # 900 + 100 = the limit
        self.assertEqual(small.state, "posted")
        self.assertEqual(self.exposure(), 1000.0)
