# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common.credit import KakeuriCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditExposure(KakeuriCreditCommon):
    def test_exposure_parts(self):
        """Posted receivables + uninvoiced confirmed orders + draft invoices, contacts included,
        a draft invoice made from an order never counted twice."""
        self.make_invoice(300.0)
        self.make_invoice(50.0, partner=self.contact)
        refund = self.make_invoice(20.0, move_type="out_refund")
        self.assertEqual(refund.state, "posted")
        order = self.make_order(qty=2, price=100.0)  # 200
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.make_invoice(40.0, post=False)  # a manual draft invoice
        customer = self.customer
        self.assertEqual(customer.kakeuri_credit_receivable, 330.0)
        self.assertEqual(customer.kakeuri_credit_to_invoice, 200.0)
        self.assertEqual(customer.kakeuri_credit_draft_invoiced, 40.0)
        self.assertEqual(self.exposure(), 570.0)
        self.assertEqual(customer.kakeuri_credit_available, 430.0)
        self.assertEqual(
            self.contact.kakeuri_credit_exposure, 570.0, "a contact shows its company's exposure"
        )

        # Invoice the order: the draft moves the amount from "to invoice" to "draft".
        invoice = order._create_invoices()
        self.assertEqual(invoice.state, "draft")
        self.exposure()
        self.assertEqual(customer.kakeuri_credit_to_invoice, 0.0)
        self.assertEqual(customer.kakeuri_credit_draft_invoiced, 240.0)
        self.assertEqual(self.exposure(), 570.0)
        # Posting it: the amount is now a receivable. Still counted once.
        invoice.action_post()
        self.assertEqual(self.exposure(), 570.0)
        self.assertEqual(customer.kakeuri_credit_receivable, 530.0)

        # A payment reduces the exposure.
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 200.0})._create_payments()
        self.assertEqual(self.exposure(), 370.0)

    def test_down_payment_not_counted_twice(self):
        order = self.make_order(qty=10, price=100.0)  # 1,000
        self.customer.credit_limit = 5000.0
        order.action_confirm()
        self.assertEqual(self.exposure(), 1000.0)
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "percentage", "amount": 30})
        )
        wizard.create_invoices()
        down_payment = order.invoice_ids
        self.assertEqual(down_payment.amount_total, 300.0)
        self.assertEqual(self.exposure(), 1000.0)
        self.assertEqual(self.customer.kakeuri_credit_draft_invoiced, 300.0)
        down_payment.action_post()
        self.assertEqual(self.exposure(), 1000.0)
        self.assertEqual(self.customer.kakeuri_credit_receivable, 300.0)
        self.assertEqual(self.customer.kakeuri_credit_to_invoice, 700.0)
        final = order._create_invoices(final=True)
        self.assertEqual(final.amount_total, 700.0)
        self.assertEqual(self.exposure(), 1000.0)
        final.action_post()
        self.assertEqual(self.exposure(), 1000.0)
        self.assertEqual(self.customer.kakeuri_credit_receivable, 1000.0)
        self.assertEqual(self.customer.kakeuri_credit_to_invoice, 0.0)

    def test_overdue_figures(self):
        today = fields.Date.today()
        self.make_invoice(100.0, date=today - timedelta(days=45), due=today - timedelta(days=30))
        self.make_invoice(70.0, date=today - timedelta(days=20), due=today - timedelta(days=5))
        self.make_invoice(80.0, date=today, due=today + timedelta(days=30))
        self.exposure()
        self.assertEqual(self.customer.kakeuri_overdue_amount, 170.0)
        self.assertEqual(self.customer.kakeuri_max_days_overdue, 30)
        self.assertEqual(self.customer.kakeuri_open_item_count, 3)
        self.assertEqual(self.customer.kakeuri_credit_status, "overdue")

    def test_query_count_constant(self):
        """The check costs the same number of queries for 2 or 20 invoices and orders."""

        def count_check():
            order = self.make_order(qty=1, price=1.0)
            counts = []
            for _i in range(2):  # the first run also fills Odoo's caches (rates, groups)
                self.env.flush_all()
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                self.customer._kakeuri_check_credit(1.0, self.company, self.company.currency_id, order)
                counts.append(self.env.cr.sql_log_count - before)
            return counts[1]

        for _i in range(2):
            self.make_invoice(10.0)
        small = count_check()
        for _i in range(18):
            self.make_invoice(10.0)
            self.make_order(qty=1, price=5.0).action_confirm()
        big = count_check()
        self.assertEqual(small, big)
        self.assertLessEqual(big, 12)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditBlock(KakeuriCreditCommon):
    def test_within_limit_confirms(self):
        self.make_invoice(400.0)
        order = self.make_order(qty=6, price=100.0)  # 400 + 600 = 1000 = the limit
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(self.exposure(), 1000.0)
        self.assertEqual(self.customer.kakeuri_credit_available, 0.0)

    def test_over_limit_refused(self):
        self.make_invoice(400.0)
        order = self.make_order(qty=7, price=100.0)  # 400 + 700 > 1000
        self.assertTrue(order.kakeuri_credit_blocking)
        self.assertIn("Credit limit exceeded", order.kakeuri_credit_warning)
        with self.assertRaises(UserError) as cm:
            order.action_confirm()
        msg = str(cm.exception)
        self.assertIn("Kabushiki Kaisha Yamato Shoji", msg)
        self.assertIn("$\xa0400.00", msg)  # exposure
        self.assertIn("$\xa0700.00", msg)  # this order
        self.assertIn("$\xa01,000.00", msg)  # limit
        self.assertIn("$\xa0100.00", msg)  # excess
        self.assertIn("What to do", msg)
        self.assertEqual(order.state, "draft")

    def test_confirm_from_sent_refused(self):
        order = self.make_order(qty=11)
        order.action_quotation_sent()
        self.assertEqual(order.state, "sent")
        with self.assertRaises(UserError):
            order.action_confirm()
        self.assertEqual(order.state, "sent")

    def test_duplicated_order_refused(self):
        order = self.make_order(qty=6)
        order.action_confirm()
        copy = order.copy()
        self.assertEqual(copy.state, "draft")
        with self.assertRefused("Credit limit exceeded"):
            copy.action_confirm()
        self.assertEqual(copy.state, "draft")

    def test_several_orders_at_once(self):
        """Each order sees the ones before it in the same batch."""
        first = self.make_order(qty=6)
        second = self.make_order(qty=6)
        self.assertFalse(first.kakeuri_credit_blocking)
        self.assertFalse(second.kakeuri_credit_blocking)
        with self.assertRefused("exposure \\$\xa0600.00 \\+ this document \\$\xa0600.00"):
            (first | second).action_confirm()
        self.assertEqual((first | second).mapped("state"), ["draft", "draft"])

    def test_raise_quantity_of_confirmed_order(self):
        order = self.make_order(qty=6)
        order.action_confirm()
        with self.assertRefused("Credit limit exceeded"):
            order.order_line.product_uom_qty = 12
        with self.assertRefused("Credit limit exceeded"):
            order.order_line.price_unit = 200.0
        with self.assertRefused("Credit limit exceeded"):
            order.write(
                {
                    "order_line": [
                        Command.create(
                            {"product_id": self.product.id, "product_uom_qty": 5, "price_unit": 100.0}
                        )
                    ]
                }
            )
        self.assertEqual(order.amount_total, 600.0)
        # Lowering the quantity or a raise that stays within the limit is fine.
        order.order_line.product_uom_qty = 8
        self.assertEqual(self.exposure(), 800.0)
        order.order_line.product_uom_qty = 3
        self.assertEqual(self.exposure(), 300.0)

    def test_order_on_contact(self):
        self.make_invoice(500.0)
        order = self.make_order(partner=self.contact, qty=6)
        with self.assertRefused("Kabushiki Kaisha Yamato Shoji"):
            order.action_confirm()
        # and the contact's confirmed orders count for the company
        small = self.make_order(partner=self.contact, qty=2)
        small.action_confirm()
        self.assertEqual(self.exposure(), 700.0)

    def test_salesperson_without_accounting_rights(self):
        self.make_invoice(500.0)
        order = self.make_order(qty=6, env=self.env(user=self.salesman))
        order = order.with_user(self.salesman)
        self.assertFalse(self.salesman.has_group("account.group_account_invoice"))
        self.assertTrue(order.kakeuri_credit_blocking)
        with self.assertRefused("Credit limit exceeded"):
            order.action_confirm()
        small = self.make_order(qty=4, env=self.env(user=self.salesman)).with_user(self.salesman)
        small.action_confirm()
        self.assertEqual(small.state, "sale")

    def test_prepaid_order_is_not_credit(self):
        """An order paid online in advance adds nothing to the credit: it is confirmed even for
        a customer on hold; a partial prepayment only counts for the rest."""
        method = self.env.ref("payment.payment_method_unknown")
        provider = self.env["payment.provider"].create(
            {
                "name": "Bank (test)",
                "code": "none",
                "state": "test",
                "payment_method_ids": [Command.set(method.ids)],
            }
        )
        method.active = True
        self.make_invoice(900.0)

        def pay(order, amount, reference):
            tx = self.env["payment.transaction"].create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                    "amount": amount,
                    "currency_id": order.currency_id.id,
                    "partner_id": self.customer.id,
                    "reference": reference,
                    "sale_order_ids": [Command.set(order.ids)],
                }
            )
            tx.state = "done"
            order.invalidate_recordset(["amount_paid"])

        partly = self.make_order(qty=3)  # 300: 900 + 300 > 1000
        pay(partly, 150.0, "KAKEURI-TEST-1")
        with self.assertRefused("Credit limit exceeded"):
            partly.action_confirm()
        pay(partly, 150.0, "KAKEURI-TEST-2")
        partly.action_confirm()
        self.assertEqual(partly.state, "sale")
        self.customer.kakeuri_credit_hold = True
        prepaid = self.make_order(qty=1)
        pay(prepaid, 100.0, "KAKEURI-TEST-3")
        prepaid.action_confirm()
        self.assertEqual(prepaid.state, "sale")

    def test_hold_blocks_without_policy(self):
        partner = self.env["res.partner"].create({"name": "Kabushiki Kaisha Mori", "is_company": True})
        order = self.make_order(partner=partner, qty=1)
        self.assertEqual(partner.kakeuri_credit_status, "none")
        partner.kakeuri_credit_hold = True
        partner.kakeuri_credit_hold_reason = "Bounced transfer"
        self.assertEqual(partner.kakeuri_credit_status, "hold")
        with self.assertRefused("on credit hold"):
            order.action_confirm()
        partner.action_kakeuri_credit_release()
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_no_policy_not_enforced(self):
        partner = self.env["res.partner"].create(
            {"name": "Kabushiki Kaisha Kawa", "is_company": True, "credit_limit": 10.0}
        )
        order = self.make_order(partner=partner, qty=50)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_overdue_blocks_after_grace(self):
        today = fields.Date.today()
        inv = self.make_invoice(100.0, date=today - timedelta(days=40), due=today - timedelta(days=10))
        order = self.make_order(qty=1)
        # 10 days overdue, grace 10: still fine
        self.assertFalse(order.kakeuri_credit_blocking)
        inv.button_draft()
        inv.invoice_date_due = today - timedelta(days=11)
        inv.with_context(kakeuri_credit_override=True).action_post()
        order.invalidate_recordset()
        self.assertIn("Overdue receivables", order.kakeuri_credit_warning)
        with self.assertRefused("oldest 11 days past due"):
            order.action_confirm()
        self.policy_block.block_on_overdue = False
        order.action_confirm()
        self.assertEqual(order.state, "sale")


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
