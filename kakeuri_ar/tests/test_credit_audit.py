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

    def test_hold_refuses_invoice_of_confirmed_order(self):
        """A hold refuses every customer invoice, also one made from an order confirmed
        before the hold; credit notes stay allowed."""
        order = self.make_order(qty=3)
        order.action_confirm()
        invoice = order._create_invoices()
        self.assertFalse(invoice.kakeuri_credit_warning)
        self.customer.write({"kakeuri_credit_hold": True, "kakeuri_credit_hold_reason": "Bounced bill"})
        invoice.invalidate_recordset(["kakeuri_credit_warning", "kakeuri_credit_blocking"])
        self.assertTrue(invoice.kakeuri_credit_blocking)
        self.assertIn("on credit hold", invoice.kakeuri_credit_warning)
        with self.assertRefused("(?s)cannot be posted.*Yamato Shoji is on credit hold. \\(Bounced bill\\)") as cm:
            invoice.action_post()
        self.assertNotIn("Credit limit exceeded", str(cm.exception))
        self.assertEqual(invoice.state, "draft")
        # a receipt too
        receipt = self.make_invoice(10.0, post=False, move_type="out_receipt")
        with self.assertRefused("on credit hold"):
            receipt.action_post()
        # a credit note is never refused
        refund = self.make_invoice(50.0, post=False, move_type="out_refund")
        refund.action_post()
        self.assertEqual(refund.state, "posted")
        self.customer.action_kakeuri_credit_release()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
