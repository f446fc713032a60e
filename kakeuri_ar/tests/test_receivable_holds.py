# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What payment plans, disputes and promises leave aside: read once by dunning (compute, send,
worklist) and by the overdue check of credit control."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common.dunning import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestReceivableHolds(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._levels_skippable()

    def _pay(self, invoice, amount, payment_date=TODAY):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"payment_date": payment_date, "amount": amount})
            ._create_payments()
        )

    def _promise(self, partner, amount, promise_date, moves=None, date_start=TODAY - timedelta(days=2)):
        return self.env["kakeuri.payment.promise"].create(
            {
                "partner_id": partner.id,
                "amount": amount,
                "date": promise_date,
                "date_start": date_start,
                "move_ids": [Command.set(moves.ids if moves else [])],
            }
        )

    def _plan(self, partner, moves, schedule):
        plan = self.env["kakeuri.payment.plan"].create(
            {
                "partner_id": partner.id,
                "move_ids": [Command.set(moves.ids)],
                "installment_ids": [Command.create({"date": d, "amount": a}) for d, a in schedule],
            }
        )
        plan.action_activate()
        return plan

    def _worklist(self, partner):
        return self.env["kakeuri.dunning.collection"].search([("partner_id", "=", partner.id)])

    def _credit(self, partner):
        return self.env["kakeuri.credit.exposure"]._figures(self.company, partner.ids)[partner.id]

    @freeze_time(TODAY)
    def test_partial_dispute_rest_is_dunned(self):
        """The disputed part is left out of dunning and of the overdue figure of credit control;
        it stays in the exposure; the rest of the invoice is reminded."""
        customer = self.customers[0]
        invoice = self._invoice(customer, 1000.0, 20)
        self._dispute(invoice, 300.0)
        line = self._line(self._run(), customer)
        self.assertEqual((line.state, line.amount_overdue), ("draft", 700.0))
        self.assertIn("Disputed, left out:", line.reason)
        figures = self._credit(customer)
        self.assertEqual((figures["receivable"], figures["overdue"]), (1000.0, 700.0))
        self.assertEqual(figures["exposure"], 1000.0)
        row = self._worklist(customer)
        self.assertEqual((row.amount_overdue, row.disputed_count), (700.0, 1))

    @freeze_time(TODAY)
    def test_whole_dispute_not_overdue_for_credit(self):
        customer = self.customers[1]
        invoice = self._invoice(customer, 400.0, 20)
        self._dispute(invoice)
        figures = self._credit(customer)
        self.assertEqual((figures["overdue"], figures["max_days_overdue"]), (0.0, 0))
        line = self._line(self._run(), customer)
        self.assertEqual((line.state, line.reason), ("skipped", "All overdue invoices are disputed."))

    @freeze_time(TODAY)
    def test_promise_holds_its_amount_until_the_deadline(self):
        """An open promise leaves the promised rest out until its date plus the policy's grace;
        the rest is reminded; after the deadline it holds nothing."""
        customer = self.customers[2]
        old = self._invoice(customer, 600.0, 40)
        new = self._invoice(customer, 400.0, 20)
        promise = self._promise(customer, 500.0, TODAY + timedelta(days=5))
        line = self._line(self._run(), customer)
        self.assertEqual(line.state, "draft")
        self.assertEqual(line.amount_overdue, 500.0, "the promised 500 is left out, oldest first")
        self.assertEqual(line.move_ids, old | new)
        self.assertIn("Promised to pay", line.reason)
        # credit control: a promise does not make an invoice less late
        self.assertEqual(self._credit(customer)["overdue"], 1000.0)
        # a payment since the promise was recorded lowers what it still holds
        self._pay(old, 200.0, TODAY - timedelta(days=1))
        line = self._line(self._run(), customer)
        self.assertEqual(line.amount_overdue, 500.0, "800 open, 300 still promised")
        # past the deadline the promise holds nothing
        after = promise.date_deadline + timedelta(days=1)
        with freeze_time(after):
            line = self._line(self._run(run_date=after), customer)
        self.assertEqual(line.amount_overdue, 800.0)

    def test_worklist_shows_the_promise(self):
        """The worklist is as of the database's today."""
        self.env.cr.execute("SELECT CURRENT_DATE")
        today = self.env.cr.fetchone()[0]
        customer = self.customers[2]
        self._invoice(customer, 1000.0, 20, ref_date=today)
        promise = self._promise(customer, 400.0, today + timedelta(days=5), date_start=today)
        row = self._worklist(customer)
        self.assertEqual(
            (row.promise_id, row.promise_date, row.amount_overdue), (promise, promise.date, 600.0)
        )

    @freeze_time(TODAY)
    def test_promise_covering_all_skips_the_customer(self):
        customer = self.customers[3]
        invoice = self._invoice(customer, 300.0, 20)
        self._promise(customer, 300.0, TODAY + timedelta(days=3), moves=invoice)
        line = self._line(self._run(), customer)
        self.assertEqual(line.state, "skipped")
        self.assertTrue(line.reason.startswith("Promised to pay"), line.reason)

    @freeze_time(TODAY)
    def test_promise_on_named_invoices_only(self):
        customer = self.customers[4]
        named = self._invoice(customer, 300.0, 20)
        other = self._invoice(customer, 200.0, 20)
        self._promise(customer, 1000.0, TODAY + timedelta(days=3), moves=named)
        line = self._line(self._run(), customer)
        self.assertEqual((line.move_ids, line.amount_overdue), (other, 200.0))

    @freeze_time(TODAY)
    def test_plan_follows_installments(self):
        """While a plan is active, its invoices are overdue only by the installments dated
        before the day, since the oldest of them: for dunning and for credit control."""
        customer = self.customers[5]
        first = self._invoice(customer, 900.0, 60)
        second = self._invoice(customer, 600.0, 45)
        schedule = [(TODAY - timedelta(days=5), 500.0), (TODAY + timedelta(days=25), 500.0)]
        schedule.append((TODAY + timedelta(days=55), 500.0))
        plan = self._plan(customer, first | second, schedule)
        line = self._line(self._run(), customer)
        self.assertEqual((line.move_ids, line.amount_overdue, line.max_days_overdue), (first, 500.0, 5))
        self.assertIn(plan.name, line.reason)
        figures = self._credit(customer)
        self.assertEqual((figures["overdue"], figures["max_days_overdue"]), (500.0, 5))
        self.assertEqual(figures["receivable"], 1500.0)
        # a month later the second installment is due too, spread over the oldest invoice first
        later = TODAY + timedelta(days=30)
        with freeze_time(later):
            line = self._line(self._run(run_date=later), customer)
        self.assertEqual(line.amount_overdue, 1000.0)
        self.assertEqual(line.move_ids, first | second)

    @freeze_time(TODAY)
    def test_plan_paid_installment_not_overdue(self):
        customer = self.customers[5]
        first = self._invoice(customer, 900.0, 60)
        schedule = [(TODAY - timedelta(days=5), 450.0), (TODAY + timedelta(days=25), 450.0)]
        self._plan(customer, first, schedule)
        self._pay(first, 450.0, TODAY - timedelta(days=1))
        line = self._line(self._run(), customer)
        self.assertEqual(line.state, "skipped", "the only installment due is paid")
        self.assertEqual(self._credit(customer)["overdue"], 0.0)

    @freeze_time(TODAY)
    def test_holds_of_another_company_do_not_count(self):
        customer = self.customers[0]
        self._invoice(customer, 300.0, 20)
        other = self.env["res.company"].create(
            {"name": "Holds Other Co", "currency_id": self.company.currency_id.id}
        )
        self.env["kakeuri.payment.promise"].create(
            {
                "partner_id": customer.id,
                "company_id": other.id,
                "amount": 300.0,
                "date": TODAY + timedelta(days=3),
                "date_start": TODAY,
            }
        )
        line = self._line(self._run(), customer)
        self.assertEqual((line.state, line.amount_overdue), ("draft", 300.0))
