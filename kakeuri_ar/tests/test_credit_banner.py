# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The credit banner of orders and invoices (``kakeuri.credit.banner.mixin``)."""

from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common.credit import KakeuriCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditBanner(KakeuriCreditCommon):
    def test_warn_mode_banner_no_refusal(self):
        self.customer.kakeuri_credit_policy_id = self.policy_warn
        self.make_invoice(900.0)
        order = self.make_order(qty=2)
        self.assertIn("Credit limit exceeded", order.kakeuri_credit_warning)
        self.assertFalse(order.kakeuri_credit_blocking)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        # the confirmed order still shows the customer is over
        self.assertIn("over the limit", order.kakeuri_credit_warning)
        invoice = self.make_invoice(100.0, post=False)
        self.assertIn("Credit limit exceeded", invoice.kakeuri_credit_warning)
        self.assertFalse(invoice.kakeuri_credit_blocking)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(self.customer.kakeuri_credit_status, "over")
        # a hold blocks even under a 'warn' policy
        self.customer.kakeuri_credit_hold = True
        order2 = self.make_order(qty=1)
        self.assertTrue(order2.kakeuri_credit_blocking)
        with self.assertRefused("on credit hold"):
            order2.action_confirm()

    def test_banner_in_form(self):
        self.make_invoice(950.0)
        form = Form(self.env["sale.order"])
        form.partner_id = self.contact
        with form.order_line.new() as line:
            line.product_id = self.product
            line.product_uom_qty = 1
            line.tax_id.clear()
        self.assertIn("Credit limit exceeded", form.kakeuri_credit_warning)
        self.assertTrue(form.kakeuri_credit_blocking)
        order = form.save()
        self.assertTrue(order.kakeuri_credit_blocking)

    def test_banner_fields_of_orders_and_invoices(self):
        """Orders and invoices share the banner of ``kakeuri.credit.banner.mixin``, each with
        its own label."""
        Order, Move = self.env["sale.order"], self.env["account.move"]
        children = self.env["kakeuri.credit.banner.mixin"]._inherit_children
        self.assertEqual({"sale.order", "account.move"} - set(children), set())
        self.assertEqual(Order._fields["kakeuri_credit_blocking"].string, "Credit Blocks Confirmation")
        self.assertEqual(Move._fields["kakeuri_credit_blocking"].string, "Credit Blocks Posting")
        self.assertIn("this order", Order._fields["kakeuri_credit_warning"].help)
        self.assertIn("posting this invoice", Move._fields["kakeuri_credit_warning"].help)
        # a refusal shows on both, blocking only what may still be refused
        self.make_invoice(1200.0)
        order = self.make_order(qty=1)
        invoice = self.make_invoice(10.0, post=False)
        for record in (order, invoice):
            self.assertIn("Credit limit exceeded", record.kakeuri_credit_warning)
            self.assertTrue(record.kakeuri_credit_blocking)
        order.with_context(kakeuri_credit_override=True).with_user(self.credit_manager).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertIn("Credit limit exceeded", order.kakeuri_credit_warning)
        self.assertFalse(order.kakeuri_credit_blocking)

    def test_banner_without_customer(self):
        """A new order or invoice without customer yet shows no banner (and no error)."""
        order_form = Form(self.env["sale.order"])
        self.assertFalse(order_form.kakeuri_credit_warning)
        self.assertFalse(order_form.kakeuri_credit_blocking)
        invoice_form = Form(self.env["account.move"].with_context(default_move_type="out_invoice"))
        with invoice_form.invoice_line_ids.new() as line:
            line.product_id = self.product
            line.tax_ids.clear()
        self.assertFalse(invoice_form.kakeuri_credit_warning)
        self.assertFalse(invoice_form.kakeuri_credit_blocking)
        # the customer chosen, its credit shows
        self.customer.kakeuri_credit_hold = True
        invoice_form.partner_id = self.contact
        self.assertIn("Yamato Shoji is on credit hold", invoice_form.kakeuri_credit_warning)
        self.assertTrue(invoice_form.kakeuri_credit_blocking)
