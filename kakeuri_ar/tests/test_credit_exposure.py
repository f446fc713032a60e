# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The exposure (open receivables + orders to invoice + drafts), overdue figures, cost."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import SQL

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

    def test_order_line_rule_same_in_sql_and_python(self):
        """What an order line still has to invoice is one rule: the SQL of the exposure and the
        Python of the order and invoice checks give the same amount for every line (more
        delivered than ordered, partly invoiced in a draft, a down payment, a note)."""
        self.customer.credit_limit = 100000.0
        order = self.make_order(qty=10, price=100.0)
        order.write(
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 4,
                            "price_unit": 50.0,
                            "tax_id": False,
                        }
                    ),
                    Command.create({"display_type": "line_note", "name": "Deliver before noon"}),
                ]
            }
        )
        order.action_confirm()
        big = order.order_line.filtered(lambda line: line.product_uom_qty == 10)
        big.qty_delivered = 12  # more delivered than ordered: 12 count
        self.env["sale.advance.payment.inv"].with_context(
            active_model="sale.order", active_ids=order.ids
        ).create({"advance_payment_method": "fixed", "fixed_amount": 300.0}).create_invoices()
        order.invoice_ids.action_post()
        invoice = order._create_invoices()
        invoice.invoice_line_ids.filtered(lambda line: line.sale_line_ids == big).quantity = 5
        exposure = self.env["kakeuri.credit.exposure"]
        self.env.flush_all()
        in_sql = dict(
            self.env.execute_query(
                SQL(
                    "SELECT sol.id, %s FROM sale_order_line sol WHERE sol.order_id = %s",
                    exposure._order_line_to_invoice_sql("sol"),
                    order.id,
                )
            )
        )
        self.assertEqual(set(in_sql), set(order.order_line.ids))
        self.assertTrue(order.order_line.filtered("is_downpayment"))
        for line in order.order_line:
            in_python = exposure._order_line_to_invoice(line, line.qty_invoiced)
            self.assertAlmostEqual(in_sql[line.id], in_python, places=2, msg=line.name)
        self.assertAlmostEqual(
            exposure._order_line_to_invoice(big, big.qty_invoiced), 700.0, places=2, msg="12 - 5 at 100"
        )
        self.exposure()
        self.assertEqual(order._kakeuri_credit_amount(), self.customer.kakeuri_credit_to_invoice)
        # and the invoice check reads the same rule: what the line had left besides this draft
        self.assertAlmostEqual(big._kakeuri_left_to_invoice(invoice, fields.Date.today()), 1200.0, places=2)
