# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The credit check of orders: confirmation, batches, changes of confirmed orders, holds."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common.credit import KakeuriCreditCommon


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
        # only what applies: the limit, not overdue payments nor a hold
        self.assertIn("raise the limit", msg)
        self.assertNotIn("overdue payments", msg)
        self.assertNotIn("release the hold", msg)
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
class TestCreditOrderChanges(KakeuriCreditCommon):
    """Confirmed orders changed, orders billed to another company's address."""

    def test_refused_change_of_confirmed_order_message(self):
        """A refused raise of a confirmed order says it is a change of that order (which line,
        by how much) and does not point to the override, which is for quotations."""
        order = self.make_order(qty=6)
        order.action_confirm()
        with self.assertRefused("Credit limit exceeded") as cm:
            order.order_line.product_uom_qty = 12
        msg = str(cm.exception)
        self.assertIn(f"The change to confirmed order {order.name} cannot be saved", msg)
        self.assertIn("raises what is still to be invoiced by $\xa0600.00", msg)
        self.assertIn("Tea leaves (test): 12.00 Units at $\xa0100.00", msg)
        self.assertIn("Keep the order as it was confirmed.", msg)
        self.assertNotIn("override", msg)
        self.assertNotIn("cannot be confirmed", msg)
        self.assertEqual(order.order_line.product_uom_qty, 6)
        # an added line is named too
        with self.assertRefused("Green tea, 1 kg: 5.00 Units at \\$\xa0100.00") as cm:
            order.write(
                {
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "name": "Green tea, 1 kg",
                                "product_uom_qty": 5,
                                "price_unit": 100.0,
                                "tax_id": False,
                            }
                        )
                    ]
                }
            )
        self.assertNotIn("override", str(cm.exception))
        # a quotation still points to the override
        quotation = self.make_order(qty=5)
        with self.assertRefused("(?s)cannot be confirmed.*override the block for this document"):
            quotation.action_confirm()

    def test_hold_not_sidestepped_by_invoice_address(self):
        """An order of a held customer billed to another company's address is refused (the
        ordering customer's hold counts); its exposure counts for the invoiced company."""
        billing = self.env["res.partner"].create({"name": "Kabushiki Kaisha Kita Keiri", "is_company": True})
        self.customer.write({"kakeuri_credit_hold": True, "kakeuri_credit_hold_reason": "Bankruptcy filing"})
        order = self.make_order(partner=self.contact, qty=6)
        order.partner_invoice_id = billing
        self.assertTrue(order.kakeuri_credit_blocking)
        self.assertIn("Yamato Shoji is on credit hold", order.kakeuri_credit_warning)
        with self.assertRefused(
            "(?s)cannot be confirmed.*Yamato Shoji is on credit hold. \\(Bankruptcy filing\\)"
        ) as cm:
            order.action_confirm()
        self.assertIn("release the hold", str(cm.exception))
        self.assertNotIn("overdue payments", str(cm.exception))
        self.assertEqual(order.state, "draft")
        # the override wizard shows the hold
        wizard = self.env["kakeuri.credit.override.wizard"].create({"order_id": order.id, "reason": "x"})
        self.assertIn("on credit hold", wizard.problems)
        # released: confirmed, and the exposure is the invoiced company's
        self.customer.action_kakeuri_credit_release()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(self.exposure(partner=billing), 600.0)
        self.assertEqual(self.exposure(), 0.0)
        # a hold set afterwards refuses a raise of the order and its invoice
        self.customer.kakeuri_credit_hold = True
        with self.assertRefused("Yamato Shoji is on credit hold"):
            order.order_line.product_uom_qty = 7
        invoice = order._create_invoices()
        self.assertEqual(invoice.partner_id, billing)
        self.assertTrue(invoice.kakeuri_credit_blocking)
        with self.assertRefused("(?s)cannot be posted.*Yamato Shoji is on credit hold"):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")
