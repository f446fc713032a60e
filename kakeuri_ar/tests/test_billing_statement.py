# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Statement figures from the ledger, carry-over, adjustments, confirmation and freezing."""

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common.billing import KakeuriBillingCommon


@tagged("post_install", "-at_install")
class TestBillingStatement(KakeuriBillingCommon):
    @freeze_time("2026-02-01")
    def test_month_end_closing(self):
        inv1 = self.invoice("2026-01-05", 1000.0)
        inv2 = self.invoice("2026-01-20", 500.0, tax=self.tax_8)
        refund = self.invoice("2026-01-25", 100.0, move_type="out_refund")
        self.invoice("2026-02-01", 999.0)  # next period
        statements = self.close("2026-01-31", self.customer)
        self.assertEqual(len(statements), 1)
        st = statements
        self.assertEqual((str(st.period_start), str(st.period_end)), ("2026-01-01", "2026-01-31"))
        self.assertEqual(st.state, "draft")
        self.assertEqual(st.previous_amount, 0.0)
        self.assertEqual(st.paid_amount, 0.0)
        self.assertEqual(st.invoiced_untaxed, 1400.0)
        self.assertEqual(st.invoiced_tax, 130.0)  # 100 + 40 - 10
        self.assertEqual(st.invoiced_amount, 1530.0)
        self.assertEqual(st.total_due, 1530.0)
        self.assertEqual(str(st.date_due), "2026-02-28", "end of the month after the closing date")
        self.assertEqual(st.move_ids, inv1 | inv2 | refund)
        self.assertEqual(st.line_ids.mapped("line_type"), ["invoice", "invoice", "refund"])
        self.assertEqual(st.line_ids.mapped("amount_total"), [1100.0, 540.0, -110.0])
        summary = {t.name: (t.base_amount, t.tax_amount) for t in st.tax_line_ids}
        self.assertEqual(summary, {"10%": (900.0, 90.0), "8% (reduced)": (500.0, 40.0)})
        self.assertReconciles(st)
        # idempotent
        self.assertFalse(self.close("2026-01-31", self.customer))
        self.assertFalse(self.close("2026-02-01", self.customer))

    @freeze_time("2026-03-01")
    def test_twentieth_closing(self):
        self.invoice("2026-01-10", 1000.0, partner=self.customer_b)
        self.invoice("2026-01-25", 2000.0, partner=self.customer_b)
        self.invoice("2026-02-20", 300.0, partner=self.customer_b)
        self.invoice("2026-02-21", 400.0, partner=self.customer_b)
        first = self.close("2026-01-20", self.customer_b)
        self.assertEqual((str(first.period_start), str(first.period_end)), ("2025-12-21", "2026-01-20"))
        self.assertEqual(first.invoiced_amount, 1100.0)
        self.assertEqual(first.total_due, 1100.0)
        self.assertEqual(str(first.date_due), "2026-01-20", "no payment term: due at closing")
        self.assertReconciles(first)
        second = self.close("2026-02-25", self.customer_b)
        self.assertEqual((str(second.period_start), str(second.period_end)), ("2026-01-21", "2026-02-20"))
        self.assertEqual(second.previous_statement_id, first)
        self.assertEqual(second.previous_amount, 1100.0)
        self.assertEqual(second.invoiced_amount, 2530.0)
        self.assertEqual(second.total_due, 3630.0)
        self.assertReconciles(second)

    def test_carryover_three_periods_with_payments_and_credit_note(self):
        with freeze_time("2026-02-01"):
            self.invoice("2026-01-10", 1000.0)  # 1100
            jan = self.close("2026-01-31", self.customer)
            jan.action_confirm()
        with freeze_time("2026-03-01"):
            self.pay("2026-02-10", 500.0)
            self.invoice("2026-02-15", 2000.0)  # 2200
            self.invoice("2026-02-20", 200.0, move_type="out_refund")  # -220
            feb = self.close("2026-02-28", self.customer)
        with freeze_time("2026-04-01"):
            self.pay("2026-03-05", 1000.0)
            self.pay("2026-03-25", 300.0)
            self.invoice("2026-03-20", 100.0, tax=self.tax_8)  # 108
            mar = self.close("2026-03-31", self.customer)
        expected = [
            # previous, paid, carryover, invoiced, total
            (jan, 0.0, 0.0, 0.0, 1100.0, 1100.0),
            (feb, 1100.0, 500.0, 600.0, 1980.0, 2580.0),
            (mar, 2580.0, 1300.0, 1280.0, 108.0, 1388.0),
        ]
        for st, previous, paid, carryover, invoiced, total in expected:
            self.assertEqual(
                (st.previous_amount, st.paid_amount, st.carryover_amount, st.invoiced_amount, st.total_due),
                (previous, paid, carryover, invoiced, total),
                st.display_name,
            )
            self.assertReconciles(st)
        self.assertEqual(mar.previous_statement_id, feb)
        self.assertEqual(feb.previous_statement_id, jan)

    def test_confirmed_statement_is_frozen_and_changes_show_as_adjustment(self):
        with freeze_time("2026-02-01"):
            inv = self.invoice("2026-01-10", 1000.0)
            self.invoice("2026-01-12", 500.0)
            jan = self.close("2026-01-31", self.customer)
            jan.action_confirm()
        self.assertEqual(jan.state, "confirmed")
        self.assertEqual(jan.total_due, 1650.0)
        with freeze_time("2026-02-10"):
            # the January invoice was wrong: cancelled after the statement was confirmed
            inv.button_draft()
            inv.button_cancel()
            with self.assertRaisesRegex(UserError, "frozen"):
                jan.action_recompute()
            self.invoice("2026-02-05", 200.0)
        with freeze_time("2026-03-01"):
            feb = self.close("2026-02-28", self.customer)
        self.assertEqual(jan.total_due, 1650.0, "a confirmed statement never changes")
        self.assertEqual(jan.line_ids.move_id, jan.move_ids)
        self.assertIn(inv, jan.move_ids)
        self.assertEqual(feb.previous_amount, 1650.0)
        self.assertEqual(feb.adjustment_amount, -1100.0)
        adjustment = feb.line_ids.filtered(lambda line: line.line_type == "adjustment")
        self.assertEqual(adjustment.amount_total, -1100.0)
        self.assertIn(jan.name, adjustment.description)
        self.assertEqual(feb.invoiced_amount, 220.0)
        self.assertEqual(feb.total_due, 770.0)
        self.assertReconciles(feb)

    @freeze_time("2026-02-05")
    def test_draft_statement_recompute_and_no_activity(self):
        st = self.close("2026-01-31", self.customer)
        self.assertFalse(st, "no balance and no movement: no statement")
        inv = self.invoice("2026-01-10", 1000.0)
        st = self.close("2026-01-31", self.customer)
        self.assertEqual(st.total_due, 1100.0)
        self.invoice("2026-01-11", 100.0)  # booked late in the period
        st.action_recompute()
        self.assertEqual(st.total_due, 1210.0)
        self.assertEqual(len(st.line_ids), 2)
        self.assertReconciles(st)
        # a customer with only an old balance still gets a statement next month
        with freeze_time("2026-03-01"):
            feb = self.close("2026-02-28", self.customer)
        self.assertEqual(feb.previous_amount, 1210.0)
        self.assertEqual(feb.total_due, 1210.0)
        self.assertFalse(feb.line_ids)
        self.assertIn(inv, st.move_ids)

    @freeze_time("2026-03-05")
    def test_confirm_oldest_first_and_refuse_earlier_draft(self):
        self.invoice("2026-01-10", 1000.0)
        self.invoice("2026-02-10", 100.0)
        jan = self.close("2026-01-31", self.customer)
        feb = self.close("2026-03-05", self.customer)
        self.assertEqual(str(feb.period_end), "2026-02-28")
        self.assertEqual((jan.total_due, feb.previous_amount), (1100.0, 1100.0))
        # booked late in January, after the drafts were made
        self.invoice("2026-01-20", 500.0)
        with self.assertRaisesRegex(UserError, "earlier statement") as caught:
            feb.action_confirm()
        self.assertIn(feb.name, str(caught.exception))
        self.assertIn(jan.name, str(caught.exception))
        self.assertEqual(feb.state, "draft")
        # confirmed together (in the list's newest-first order): January is refreshed first
        (feb | jan).action_confirm()
        self.assertEqual((jan.state, feb.state), ("confirmed", "confirmed"))
        self.assertEqual(jan.total_due, 1650.0)
        self.assertEqual(feb.previous_amount, 1650.0, "前回請求額 is January's final total")
        self.assertEqual(feb.adjustment_amount, 0.0)
        self.assertEqual(feb.total_due, 1760.0)
        self.assertReconciles(feb)

    @freeze_time("2026-02-01")
    def test_sent_statement_is_frozen(self):
        self.invoice("2026-01-10", 1000.0)
        st = self.close("2026-01-31", self.customer)
        self.assertEqual(st._send_queued(), st)
        self.assertEqual(st.state, "sent")
        number = st.name
        # no direct change of a sent statement, its lines or its tax summary
        with self.assertRaisesRegex(UserError, "frozen"):
            st.total_due = 1.0
        with self.assertRaisesRegex(UserError, "frozen"):
            st.line_ids.amount_total = 1.0
        with self.assertRaisesRegex(UserError, "frozen"):
            st.line_ids.unlink()
        with self.assertRaisesRegex(UserError, "frozen"):
            st.tax_line_ids.unlink()
        with self.assertRaisesRegex(UserError, "frozen"):
            self.env["kakeuri.billing.statement.line"].create(
                {"statement_id": st.id, "line_type": "adjustment", "amount_total": 5.0}
            )
        # the chatter still works on it
        st.message_post(body="Customer called about it")
        # cancelling is allowed, reopening under the same number is not
        self.invoice("2026-01-15", 500.0)
        st.action_cancel()
        self.assertEqual(st.state, "cancel")
        with self.assertRaisesRegex(UserError, "cannot be reset to draft") as caught:
            st.action_draft()
        self.assertIn(number, str(caught.exception))
        self.assertEqual(st.state, "cancel")
        self.assertEqual(st.total_due, 1100.0, "the cancelled statement keeps what was sent")
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            st.unlink()
        # the closing run makes a new statement under a new number
        again = self.close("2026-01-31", self.customer)
        self.assertNotEqual(again.name, number)
        self.assertEqual(again.total_due, 1650.0)
        # a statement cancelled before it was ever confirmed may go back to draft
        again.action_cancel()
        again.action_draft()
        self.assertEqual(again.state, "draft")
        again.unlink()

    def test_messages_name_records(self):
        with (
            self.assertRaisesRegex(ValidationError, "after its closing date") as caught,
            self.env.cr.savepoint(),
        ):
            self.Statement.create(
                {"partner_id": self.customer.id, "period_start": "2026-02-01", "period_end": "2026-01-31"}
            )
        self.assertIn("Test Shoji", str(caught.exception))
        self.assertIn("02/01/2026", str(caught.exception))
        with freeze_time("2026-03-01"):
            self.invoice("2026-01-10", 1000.0)
            jan = self.close("2026-01-31", self.customer)
            feb = self.close("2026-02-28", self.customer)
            (jan | feb).action_confirm()
        with self.assertRaisesRegex(UserError, "cannot be cancelled") as caught:
            jan.action_cancel()
        self.assertIn(feb.name, str(caught.exception))
        self.assertEqual(jan.state, "confirmed")
