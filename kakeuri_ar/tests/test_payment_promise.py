# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Promises to pay: defaults, judging (kept, partial then kept, broken, cancelled), the daily
job, two companies, who may record one and the input refused."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common.dunning import TODAY
from .common.promise import PromiseCommon


@tagged("post_install", "-at_install")
class TestPaymentPromise(PromiseCommon):
    @freeze_time(TODAY)
    def test_defaults_overdue_invoices_and_their_open_amount(self):
        partner = self.customers[0]
        inv_1 = self._invoice(partner, 300.0, 20)
        inv_2 = self._invoice(partner, 200.0, 5)
        self._invoice(partner, 700.0, -10)  # not due yet
        self._pay(inv_1, 100.0, TODAY)
        contact = self.env["res.partner"].create({"name": "Accounts", "parent_id": partner.id})
        promise = self.env["kakeuri.payment.promise"].create(
            {"partner_id": contact.id, "date": TODAY + timedelta(days=7)}
        )
        self.assertEqual(promise.partner_id, partner, "a contact stands for its customer")
        self.assertEqual(promise.move_ids, inv_1 | inv_2)
        self.assertEqual(promise.amount, 400.0)
        self.assertEqual(promise.date_start, TODAY)
        self.assertEqual(promise.user_id, self.env.user)
        self.assertEqual(promise.state, "open")
        self.assertIn(partner.name, promise.display_name)
        self.assertIn("400", promise.display_name)
        # the form of the dialog fills them in the same way
        form = Form(self.env["kakeuri.payment.promise"].with_context(default_partner_id=partner.id))
        form.date = TODAY + timedelta(days=3)
        self.assertEqual(form.amount, 400.0)
        self.assertEqual(len(form.move_ids), 2)
        # from an invoice: that invoice and its open amount
        action = inv_2.action_kakeuri_new_promise()
        self.assertEqual(action["target"], "new")
        form = Form(self.env["kakeuri.payment.promise"].with_context(**action["context"]))
        form.date = TODAY + timedelta(days=3)
        promise_2 = form.save()
        self.assertEqual((promise_2.move_ids, promise_2.amount), (inv_2, 200.0))

    @freeze_time(TODAY)
    def test_kept_partial_then_kept(self):
        partner = self.customers[0]
        inv = self._invoice(partner, 500.0, 20)
        promise = self._promise(partner, 500.0, days=5)
        self._pay(inv, 200.0, TODAY + timedelta(days=1))
        kept, broken = promise._settle(TODAY + timedelta(days=2))
        self.assertFalse(kept | broken)
        self.assertEqual(promise.state, "open", "partly paid: the rest stays promised")
        with freeze_time(TODAY + timedelta(days=2)):
            promise.invalidate_recordset(["amount_paid", "amount_residual"])
            self.assertEqual((promise.amount_paid, promise.amount_residual), (200.0, 300.0))
        self._pay(inv, 300.0, TODAY + timedelta(days=4))
        kept, broken = promise._settle(TODAY + timedelta(days=4))
        self.assertEqual(kept, promise)
        self.assertEqual(promise.state, "kept")
        self.assertEqual(promise.date_checked, TODAY + timedelta(days=4))
        self.assertTrue(self._notes(promise, "was kept"))
        self.assertTrue(self._notes(partner, "was kept"))
        self.assertFalse(partner.activity_ids)
        self.assertEqual(partner.kakeuri_promise_kept_count, 1)
        self.assertEqual(partner.kakeuri_promise_kept_rate, 1.0)

    @freeze_time(TODAY)
    def test_broken_after_the_deadline_with_grace(self):
        policy = self.env["kakeuri.credit.policy"].create(
            {"name": "Three days of grace", "company_id": self.company.id, "promise_grace_days": 3}
        )
        partner, salesman_customer = self.customers[:2]
        salesperson = new_test_user(
            self.env, login="kakeuri_collector", groups="sales_team.group_sale_salesman"
        )
        salesman_customer.user_id = salesperson
        inv = self._invoice(partner, 500.0, 20)
        self._invoice(salesman_customer, 100.0, 20)
        partner.kakeuri_credit_policy_id = policy
        promise = self._promise(partner, 500.0, days=5)
        other = self._promise(salesman_customer, 100.0, days=5, user_id=False)
        self.assertEqual(promise.date_deadline, TODAY + timedelta(days=8))
        self.assertEqual(other.date_deadline, TODAY + timedelta(days=5), "no policy: no grace")
        self._pay(inv, 100.0, TODAY + timedelta(days=2))
        # the promised date passed, the grace not yet: still open
        promise._settle(TODAY + timedelta(days=8))
        self.assertEqual(promise.state, "open")
        # a payment after the deadline does not count
        self._pay(inv, 400.0, TODAY + timedelta(days=9))
        kept, broken = (promise | other)._settle(TODAY + timedelta(days=9))
        self.assertEqual(broken, promise | other)
        self.assertEqual(promise.state, "broken")
        note = self._notes(partner, "was broken")
        self.assertEqual(len(note), 1)
        self.assertIn("100", note.body, "says what was paid")
        activity = partner.activity_ids
        self.assertEqual(activity.summary, "Promise broken")
        self.assertEqual(activity.user_id, self.env.user, "the collector who took it")
        self.assertEqual(
            salesman_customer.activity_ids.user_id, salesperson, "none took it: the customer's salesperson"
        )
        self.assertEqual((partner.kakeuri_promise_broken_count, partner.kakeuri_promise_kept_rate), (1, 0.0))
        # judged once
        promise._settle(TODAY + timedelta(days=10))
        self.assertEqual(len(self._notes(partner, "was broken")), 1)

    @freeze_time(TODAY)
    def test_cancel(self):
        partner = self.customers[0]
        self._invoice(partner, 300.0, 20)
        promise = self._promise(partner, days=5)
        promise.action_cancel()
        self.assertEqual(promise.state, "cancel")
        self.assertFalse(promise._settle(TODAY + timedelta(days=30))[1])
        with self.assertRaisesRegex(UserError, "only an open promise"):
            promise.action_cancel()
        self.assertEqual(partner.kakeuri_promise_count, 0, "a cancelled promise was not made")

    @freeze_time(TODAY)
    def test_daily_job(self):
        kept_partner, broken_partner, open_partner = self.customers[:3]
        inv = self._invoice(kept_partner, 300.0, 20)
        self._invoice(broken_partner, 300.0, 20)
        self._invoice(open_partner, 300.0, 20)
        kept = self._promise(kept_partner, days=5)
        broken = self._promise(broken_partner, days=1)
        still_open = self._promise(open_partner, days=10)
        self._pay(inv, 300.0, TODAY + timedelta(days=1))
        counts = self.env["kakeuri.payment.promise"]._cron_settle_promises(
            date_ref=TODAY + timedelta(days=3), batch_size=1
        )
        self.assertEqual(counts, {"kept": 1, "broken": 1})
        self.assertEqual((kept.state, broken.state, still_open.state), ("kept", "broken", "open"))
        self.assertEqual(still_open.date_checked, TODAY + timedelta(days=3))
        # judged on that day: not taken again the same day
        Promise = self.env["kakeuri.payment.promise"]
        self.assertFalse(Promise._lock_promises_to_settle(TODAY + timedelta(days=3), None))
        self.assertEqual(Promise._lock_promises_to_settle(TODAY + timedelta(days=4), None), still_open.ids)
        self.assertTrue(self.env.ref("kakeuri_ar.ir_cron_kakeuri_settle_promises").active)

    @freeze_time(TODAY)
    def test_two_companies(self):
        company_2 = self.setup_other_company(name="Kakeuri Promise Second KK")["company"]
        partner = self.customers[0]
        inv_1 = self._invoice(partner, 300.0, 20)
        inv_2 = self._invoice(partner, 900.0, 20, company=company_2)
        promise_1 = self._promise(partner, days=5)
        promise_2 = self._promise(partner, days=5, company_id=company_2.id)
        self.assertEqual((promise_1.move_ids, promise_1.amount), (inv_1, 300.0))
        self.assertEqual((promise_2.move_ids, promise_2.amount), (inv_2, 900.0))
        # a payment in the second company keeps only its promise
        self._pay(inv_2, 900.0, TODAY + timedelta(days=1))
        (promise_1 | promise_2)._settle(TODAY + timedelta(days=2))
        self.assertEqual((promise_1.state, promise_2.state), ("open", "kept"))
        self.assertEqual(partner.with_company(company_2).kakeuri_promise_kept_count, 1)
        self.assertEqual(partner.with_company(self.company).kakeuri_promise_kept_count, 0)
        self.assertEqual(partner.with_company(self.company).kakeuri_promise_open_id, promise_1)
        with self.assertRaisesRegex(ValidationError, "another company"):
            promise_1.move_ids = [Command.link(inv_2.id)]

    @freeze_time(TODAY)
    def test_salesperson_records_a_promise(self):
        partner = self.customers[0]
        inv = self._invoice(partner, 300.0, 20)
        salesman = new_test_user(
            self.env,
            login="kakeuri_promise_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
        )
        self.assertFalse(salesman.has_group("account.group_account_invoice"))
        inv.invoice_user_id = salesman  # a salesperson sees the invoices of its sales
        action = partner.with_user(salesman).action_kakeuri_new_promise()
        form = Form(self.env["kakeuri.payment.promise"].with_user(salesman).with_context(**action["context"]))
        form.date = TODAY + timedelta(days=4)
        promise = form.save()
        self.assertEqual((promise.partner_id, promise.move_ids, promise.amount), (partner, inv, 300.0))
        self.assertEqual(promise.user_id, salesman)
        self.assertEqual(partner.with_user(salesman).kakeuri_promise_open_id, promise)

    def _refused(self, vals, *texts):
        """Creating a promise of ``vals`` is refused with a message holding ``texts``."""
        with self.assertRaises(ValidationError) as caught:
            self.env["kakeuri.payment.promise"].create(vals)
        for text in texts:
            self.assertIn(text, str(caught.exception))

    @freeze_time(TODAY)
    def test_bad_input_refused(self):
        partner, other = self.customers[:2]
        self._invoice(partner, 300.0, 20)
        other_invoice = self._invoice(other, 100.0, 20)
        draft = self._invoice(partner, 100.0, 20, post=False)
        base = {"partner_id": partner.id, "date_start": TODAY, "date": TODAY + timedelta(days=3)}
        self._refused(
            {**base, "date": TODAY - timedelta(days=1)}, "a promise in the past", "03/30/2026", partner.name
        )
        self._refused({**base, "amount": -50.0}, "must be positive", "50.00", partner.name)
        self._refused(
            {**base, "move_ids": [Command.set(other_invoice.ids)], "amount": 100.0},
            "another customer",
            other_invoice.name,
            other.name,
        )
        self._refused(
            {**base, "move_ids": [Command.set(draft.ids)], "amount": 100.0}, "not a posted customer invoice"
        )
        # nothing overdue to promise: the default amount is refused
        self._refused(
            {"partner_id": self.customers[2].id, "date": TODAY + timedelta(days=3)}, "must be positive"
        )
        self.assertFalse(
            self.env["kakeuri.payment.promise"].search([("partner_id", "in", self.customers.ids)])
        )
        with self.assertRaisesRegex(UserError, "not a posted customer invoice"):
            draft.action_kakeuri_new_promise()
