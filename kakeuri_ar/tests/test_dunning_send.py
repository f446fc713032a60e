# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Sending a dunning run: emails, letters, activities, fees, holds, re-checks under lock, batches."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common.dunning import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestDunningSend(DunningCommon):
    """What sending a line does, per level."""

    def test_fee_invoice(self):
        self._levels_skippable()
        self.level_second.write({"fee_amount": 1500.0, "fee_post": True})
        self.level_final.write({"fee_amount": 3000.0, "fee_post": False})
        a, b = self.customers[:2]
        self._invoice(a, 100.0, 20)
        self._invoice(b, 100.0, 35)
        run = self._run(levels=self.levels.filtered("auto"))
        run.action_send()
        fee_a = self._line(run, a).fee_move_id
        self.assertEqual(fee_a.move_type, "out_invoice")
        self.assertEqual(fee_a.state, "posted")
        self.assertEqual(fee_a.partner_id, a)
        self.assertEqual(fee_a.amount_total, 1500.0)
        self.assertEqual(fee_a.invoice_line_ids.product_id, self.env.ref("kakeuri_ar.product_dunning_fee"))
        self.assertEqual(fee_a.invoice_date, TODAY)
        fee_b = self._line(run, b).fee_move_id
        self.assertEqual(fee_b.state, "draft")
        self.assertEqual(fee_b.amount_total, 3000.0)
        self.assertIn("Fee invoice", self._line(run, a).reason)

    def test_final_level_sets_hold_and_order_is_refused(self):
        self._levels_skippable()
        partner = self.customers[0]
        self._invoice(partner, 100.0, 35)
        run = self._run()
        run.action_send()
        line = self._line(run, partner)
        self.assertEqual(line.level_id, self.level_final)
        self.assertTrue(line.hold_set)
        self.assertIn("Credit hold set.", line.reason)
        self.assertTrue(partner.kakeuri_credit_hold)
        self.assertIn("Final notice", partner.kakeuri_credit_hold_reason)
        self.assertIn(run.name, partner.kakeuri_credit_hold_reason)
        product = self._create_product(name="Tea (dunning test)", lst_price=10.0, taxes_id=[Command.clear()])
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1.0})],
            }
        )
        with self.assertRaises(UserError):
            order.action_confirm()
        self.assertIn(order.state, ("draft", "sent"))
        # the second notice does not put a customer on hold
        other = self.customers[1]
        self._invoice(other, 100.0, 20)
        self._run().action_send()
        self.assertFalse(other.kakeuri_credit_hold)

    def test_missing_email_falls_back_to_letter(self):
        self._levels_skippable()
        no_mail_second, no_mail_first = self.customers[:2]
        (no_mail_second | no_mail_first).email = False
        self._invoice(no_mail_second, 100.0, 20)
        self._invoice(no_mail_first, 100.0, 3)
        run = self._run()
        run.action_send()
        line = self._line(run, no_mail_second)
        self.assertEqual(line.state, "sent")
        self.assertTrue(line.letter_to_print)
        self.assertFalse(line.mail_message_id)
        self.assertIn("No email address", line.reason)
        self.assertFalse(self._mails(no_mail_second))
        failed = self._line(run, no_mail_first)
        self.assertEqual(failed.state, "failed")
        self.assertIn("prints no letter", failed.reason)
        self.assertFalse(failed.move_ids.kakeuri_dunning_level_id, "nothing was sent")
        self.assertEqual(run.state, "done")
        # once an address is known, the failed line can be retried
        no_mail_first.email = "ap@found.example.jp"
        failed.action_retry()
        self.assertEqual(run.state, "draft")
        run.action_send()
        self.assertEqual(failed.state, "sent")
        self.assertEqual(len(self._mails(no_mail_first)), 1)
        self.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        action = run.action_print_letters()
        self.assertEqual(action["report_name"], "kakeuri_ar.report_dunning_letter")

    def test_invoice_address_receives_the_mail(self):
        partner = self.customers[0]
        contact = self.env["res.partner"].create(
            {
                "name": "Accounting dept",
                "type": "invoice",
                "parent_id": partner.id,
                "email": "keiri@customer1.example.jp",
            }
        )
        self._invoice(partner, 100.0, 3)
        run = self._run()
        self.assertEqual(self._line(run, partner).contact_partner_id, contact)
        run.action_send()
        self.assertEqual(self._mails(partner).recipient_ids, contact)

    def test_call_level_creates_activity(self):
        self._levels_skippable()
        salesman = new_test_user(self.env, login="dunning_salesman", groups="base.group_user")
        partner = self.customers[0]
        partner.user_id = salesman
        other = self.customers[1]
        self._invoice(partner, 100.0, 50)
        self._invoice(other, 100.0, 50)
        run = self._run()
        run.action_send()
        activity = self._line(run, partner).activity_id
        self.assertEqual(activity.res_model, "res.partner")
        self.assertEqual(activity.res_id, partner.id)
        self.assertEqual(activity.user_id, salesman)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(activity.date_deadline, TODAY)
        self.assertEqual(self._line(run, other).activity_id.user_id, self.env.user, "the run's user")
        self.assertFalse(self._mails(partner), "the call level sends no email")

    def test_hold_note_only_when_set_now(self):
        self._levels_skippable()
        held_before, held_now = self.customers[:2]
        self._invoice(held_before, 100.0, 35)
        self._invoice(held_now, 100.0, 35)
        held_before.write({"kakeuri_credit_hold": True, "kakeuri_credit_hold_reason": "Bill dishonoured"})
        run = self._run()
        run.action_send()
        line_before = self._line(run, held_before)
        self.assertFalse(line_before.hold_set)
        self.assertNotIn("Credit hold set.", line_before.reason)
        self.assertIn("Already on credit hold.", line_before.reason)
        self.assertEqual(held_before.kakeuri_credit_hold_reason, "Bill dishonoured", "the reason is kept")
        line_now = self._line(run, held_now)
        self.assertTrue(line_now.hold_set)
        self.assertIn("Credit hold set.", line_now.reason)


@tagged("post_install", "-at_install")
class TestDunningFeeUnderCreditControl(DunningCommon):
    def test_fee_posted_for_held_block_policy_customer(self):
        self._levels_skippable()
        policy = self.env["kakeuri.credit.policy"].create(
            {
                "name": "Strict (dunning test)",
                "hold_mode": "block",
                "block_on_overdue": True,
                "overdue_grace_days": 0,
            }
        )
        partner = self.customers[0]
        partner.write({"kakeuri_credit_policy_id": policy.id, "credit_limit": 100000.0})
        self._invoice(partner, 100.0, 35)
        self.level_final.write({"fee_amount": 2000.0, "fee_post": True})
        run = self._run(levels=self.levels.filtered("auto"))
        run.action_send()
        line = self._line(run, partner)
        self.assertTrue(partner.kakeuri_credit_hold)
        fee = line.fee_move_id
        self.assertEqual(fee.state, "posted")
        self.assertEqual(fee.amount_total, 2000.0)
        self.assertIn(f"Fee invoice {fee.name} posted.", line.reason)
        # the credit check still refuses an ordinary invoice for this customer, also with the flag
        # passed by a user (not the dunning's own sudo)
        other = self._invoice(partner, 50.0, -30, post=False)
        with self.assertRaisesRegex(UserError, "cannot be posted"):
            other.with_context(kakeuri_dunning_fee=True).action_post()
        self.assertEqual(other.state, "draft")


@tagged("post_install", "-at_install")
class TestDunningDocumentsWithoutPartner(DunningCommon):
    def test_items_without_partner_do_not_stop_the_run(self):
        """An overdue receivable item without a partner, or an invoice whose own partner is
        empty (imported data), neither crashes the compute nor the send: the item without a
        customer is nobody's reminder, the invoice is reminded to the customer of its item."""
        self._levels_skippable()
        a, b, c = self.customers[:3]
        self._invoice(a, 100.0, 20)
        inv_b = self._invoice(b, 200.0, 20)
        inv_c = self._invoice(c, 300.0, 20)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move_line SET partner_id = NULL "
            "WHERE move_id = %s AND display_type = 'payment_term'",
            [inv_b.id],
        )
        self.env.cr.execute(
            "UPDATE account_move SET partner_id = NULL, commercial_partner_id = NULL WHERE id = %s",
            [inv_c.id],
        )
        self.env.invalidate_all()
        run = self._run()
        self.assertFalse(self._line(run, b))
        line_c = self._line(run, c)
        self.assertEqual(line_c.move_ids, inv_c)
        run.action_send()
        self.assertEqual(run.state, "done")
        self.assertEqual(self._line(run, a).state, "sent")
        self.assertEqual(line_c.state, "sent")
        self.assertEqual(inv_c.kakeuri_dunning_level_id, self.level_second)
        self.assertEqual(len(self._mails(c)), 1)
        self.assertFalse(self._mails(b))
