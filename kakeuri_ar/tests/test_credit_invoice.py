# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The credit check of customer invoices and receipts when they are posted."""

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged

from .common.credit import KakeuriCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditInvoice(KakeuriCreditCommon):
    def test_manual_invoice_over_limit_refused(self):
        self.make_invoice(900.0)
        invoice = self.make_invoice(200.0, post=False)
        self.assertTrue(invoice.kakeuri_credit_blocking)
        with self.assertRefused("Credit limit exceeded"):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")
        invoice.button_cancel()
        self.make_invoice(50.0, move_type="out_refund")  # refunds are never refused
        smaller = self.make_invoice(40.0, post=False)
        smaller.action_post()
        self.assertEqual(smaller.state, "posted")

    def test_hold_refuses_invoice(self):
        self.customer.kakeuri_credit_hold = True
        invoice = self.make_invoice(10.0, post=False)
        with self.assertRefused("on credit hold"):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")

    def test_hold_without_policy_refuses_invoice(self):
        """What a recurring contract's invoice meets: a held customer without any policy."""
        partner = self.env["res.partner"].create(
            {"name": "Kabushiki Kaisha Tsuki", "is_company": True, "kakeuri_credit_hold": True}
        )
        invoice = self.make_invoice(10.0, partner=partner, post=False)
        self.assertTrue(invoice.kakeuri_credit_blocking)
        with self.assertRefused("(?s)cannot be posted.*Kabushiki Kaisha Tsuki is on credit hold"):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")
        partner.kakeuri_credit_hold = False
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    def test_foreign_currency_invoice(self):
        eur = self.setup_other_currency("EUR")  # 2 EUR = 1 USD
        self.make_invoice(900.0)
        invoice = self.make_invoice(100.0, post=False)
        invoice.currency_id = eur
        self.assertEqual(invoice.amount_total_signed, 50.0)
        invoice.action_post()  # 900 + 50 <= 1000
        invoice2 = self.make_invoice(200.0, post=False)
        invoice2.currency_id = eur
        with self.assertRefused("this document \\$\xa0100.00"):
            invoice2.action_post()

    def test_invoice_of_confirmed_order_is_posted(self):
        """An order checked at confirmation is invoiced even if the customer is now over."""
        order = self.make_order(qty=9)
        order.action_confirm()
        self.make_invoice(300.0)  # now 1200 > 1000
        invoice = order._create_invoices()
        self.assertFalse(invoice.kakeuri_credit_warning)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditInvoiceOfOrders(KakeuriCreditCommon):
    """Receipts, and invoices made from confirmed orders: what they add is checked."""

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
        with self.assertRefused(
            "(?s)cannot be posted.*Yamato Shoji is on credit hold. \\(Bounced bill\\)"
        ) as cm:
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

    def test_order_invoice_raised_on_draft_is_rechecked(self):
        """An invoice line made from an order line counts for what it exceeds of what that line
        still had to invoice: a quantity or a price raised on the draft invoice is checked."""
        order = self.make_order(qty=6)  # 600 of the 1,000 limit
        order.action_confirm()
        invoice = order._create_invoices()
        line = invoice.invoice_line_ids
        self.assertEqual(invoice._kakeuri_credit_increase(), 0.0)
        line.quantity = 600  # 60,000
        self.assertEqual(invoice._kakeuri_credit_increase(), 59400.0)
        self.assertTrue(invoice.kakeuri_credit_blocking)
        with self.assertRefused("(?s)cannot be posted.*this document \\$\xa060,000.00"):
            invoice.action_post()
        line.quantity = 6
        line.price_unit = 200.0  # 1,200: 600 more than ordered
        self.assertEqual(invoice._kakeuri_credit_increase(), 600.0)
        with self.assertRefused("over the limit of \\$\xa01,000.00 by \\$\xa0200.00"):
            invoice.action_post()
        line.price_unit = 150.0  # 900: within the limit, posted
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(self.exposure(), 900.0)

    def test_partial_invoices_of_order(self):
        """Invoicing an order in parts adds nothing; a part that goes beyond what is left of
        the order counts for the difference."""
        order = self.make_order(qty=6)
        order.action_confirm()
        first = order._create_invoices()
        first.invoice_line_ids.quantity = 4
        self.assertEqual(first._kakeuri_credit_increase(), 0.0)
        first.action_post()
        self.make_invoice(300.0)  # exposure 600 + 300 = 900
        second = order._create_invoices()
        self.assertEqual(second.invoice_line_ids.quantity, 2)
        self.assertEqual(second._kakeuri_credit_increase(), 0.0)
        second.invoice_line_ids.quantity = 3  # one more than left: +100 -> 1,000, still fine
        self.assertEqual(second._kakeuri_credit_increase(), 100.0)
        second.invoice_line_ids.quantity = 4  # +200 -> 1,100
        with self.assertRefused("Credit limit exceeded"):
            second.action_post()
        second.invoice_line_ids.quantity = 3
        second.action_post()
        self.assertEqual(self.exposure(), 1000.0)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditWithoutCustomer(KakeuriCreditCommon):
    """A draft without customer never reaches the credit check: Odoo refuses to post it with
    its own message, also in the auto-post cron, which posts the others of its batch."""

    def make_invoice_without_customer(self, amount=10.0, move_type="out_invoice"):
        return self.env["account.move"].create(
            {
                "move_type": move_type,
                "invoice_date": fields.Date.today(),
                "date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Goods",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": False,
                            "account_id": self.company_data["default_account_revenue"].id,
                        }
                    )
                ],
            }
        )

    def test_invoice_without_customer(self):
        invoice = self.make_invoice_without_customer()
        self.assertFalse(invoice.partner_id)
        self.assertFalse(invoice._kakeuri_credit_checked())
        self.assertFalse(invoice.kakeuri_credit_warning)
        self.assertFalse(invoice.kakeuri_credit_blocking)
        with self.assertRefused("The field 'Customer' is required"):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")
        # Odoo posts a receipt without customer: no customer, no credit to check
        receipt = self.make_invoice_without_customer(move_type="out_receipt")
        self.assertFalse(receipt._kakeuri_credit_checked())
        receipt.action_post()
        self.assertEqual(receipt.state, "posted")
        # no customer, no company: nothing to check, no problem found
        status = self.env["res.partner"]._kakeuri_credit_status(
            10.0, self.company, self.company.currency_id, invoice
        )
        self.assertEqual((status["problems"], status["blocking"]), ([], False))
        status = self.customer._kakeuri_credit_status(10.0, self.env["res.company"], False, invoice)
        self.assertEqual((status["problems"], status["blocking"]), ([], False))
        # once it has a customer, it is checked like any other invoice
        self.customer.kakeuri_credit_hold = True
        invoice.partner_id = self.customer
        self.assertTrue(invoice._kakeuri_credit_checked())
        with self.assertRefused("on credit hold"):
            invoice.action_post()

    def test_auto_post_batch_with_invoice_without_customer(self):
        """Odoo's auto-post cron posts what it can and leaves each refused invoice in draft
        with its reason: one without customer, one over the credit limit."""
        self.make_invoice(900.0)
        valid = self.make_invoice(50.0, post=False)
        without_customer = self.make_invoice_without_customer()
        small = self.env["res.partner"].create(
            {
                "name": "Kabushiki Kaisha Chiisai",
                "is_company": True,
                "kakeuri_credit_policy_id": self.policy_block.id,
                "credit_limit": 100.0,
            }
        )
        over_limit = self.make_invoice(500.0, partner=small, post=False)
        batch = valid | without_customer | over_limit
        batch.auto_post = "at_date"
        self.env["account.move"]._autopost_draft_entries()
        self.assertEqual(valid.state, "posted")
        self.assertEqual(without_customer.state, "draft")
        self.assertEqual(over_limit.state, "draft")
        for move, reason in (
            (without_customer, "The field 'Customer' is required"),
            (over_limit, "Credit limit exceeded"),
        ):
            bodies = move.message_ids.mapped("body")
            self.assertTrue(any("could not be posted" in b and reason in b for b in bodies), bodies)
