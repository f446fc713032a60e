# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payment plans at work: payments allocated to installments oldest first, paid in full,
broken past the grace days, the credit hold of the policy."""

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from .common.payment_plan import PaymentPlanCommon


@tagged("post_install", "-at_install")
class TestPaymentPlanPayments(PaymentPlanCommon):
    def _stored_amounts_paid(self, plan):
        """The installments' amount_paid and state as stored in the database."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT amount_paid, state FROM kakeuri_payment_plan_installment WHERE plan_id = %s "
                "ORDER BY date, sequence, id",
                plan.id,
            )
        )
        return [(float(paid), state) for paid, state in self.env.cr.fetchall()]

    def test_allocation_oldest_first_and_done(self):
        with freeze_time("2026-04-01"):
            inv1 = self.invoice(600.0, "2026-01-10", "2026-02-10")
            inv2 = self.invoice(400.0, "2026-01-31", "2026-02-28")
            plan = self.plan(inv1 | inv2, count=3)
            plan.with_user(self.collector).action_activate()
        self.assertTrue(self.customer.kakeuri_credit_hold)
        self.assertEqual(self._stored_amounts_paid(plan), [(0.0, "open")] * 3)
        with freeze_time("2026-04-20"):
            # a partial payment on one invoice: the first installment, at once and stored
            self.pay(inv1, 200.0, "2026-04-20")
            self.assertEqual(self._stored_amounts_paid(plan), [(200.0, "open"), (0.0, "open"), (0.0, "open")])
            self.assertEqual(plan.amount_paid, 200.0)
            self.assertEqual(plan.amount_due, 800.0)
            # the other invoice paid in full: oldest installment first, the next gets the rest
            self.pay(inv2, 400.0, "2026-04-20")
        self.assertEqual(
            self.schedule(plan),
            [
                ("2026-04-30", 333.33, 333.33, "paid"),
                ("2026-05-30", 333.33, 266.67, "open"),
                ("2026-06-30", 333.34, 0.0, "open"),
            ],
        )
        self.assertEqual(self._stored_amounts_paid(plan)[1], (266.67, "open"))
        self.assertEqual(plan.next_installment_id, plan.installment_ids[1])
        self.assertEqual(plan.installment_ids[1].amount_open, 66.66)
        self.assertEqual(plan.state, "active")
        # the last payment: done at once, the hold the plan put released
        with freeze_time("2026-06-15"):
            self.pay(inv1, 400.0, "2026-06-15")
        self.assertEqual(
            self._stored_amounts_paid(plan), [(333.33, "paid"), (333.33, "paid"), (333.34, "paid")]
        )
        self.assertEqual(plan.state, "done")
        self.assertFalse(plan.credit_hold_set)
        self.assertFalse(self.customer.kakeuri_credit_hold)
        self.assertFalse(self.customer.kakeuri_credit_hold_reason)
        bodies = " ".join(plan.message_ids.mapped("body"))
        self.assertIn("Payment plan paid in full: $&nbsp;1,000.00", bodies)
        self.assertIn("Credit hold of Hoshi Trading released", bodies)

    def test_broken_after_grace_with_activity(self):
        with freeze_time("2026-04-01"):
            inv = self.invoice(900.0, "2026-01-10", "2026-02-10")
            plan = self.plan(inv, count=3, user_id=self.collector.id)
            plan.action_activate()
        with freeze_time("2026-05-07"):
            # the first installment was due on 30 April: 7 days of grace end today
            self.pay(inv, 100.0, "2026-05-05")
            self.assertFalse(self.Plan._cron_check_plans())
            self.assertEqual(plan.state, "active")
        with freeze_time("2026-05-08"):
            self.assertEqual(self.Plan._cron_check_plans(), plan)
            self.assertEqual(plan.state, "broken")
            activity = plan.activity_ids
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.user_id, self.collector)
            self.assertEqual(activity.date_deadline.isoformat(), "2026-05-08")
            for thread in (plan, self.customer):
                note = thread.message_ids[0].body
                self.assertIn(f"Payment plan {plan.name} is broken", note)
                self.assertIn("installment 1 of $&nbsp;200.00 due on 04/30/2026", note)
                self.assertIn("The whole rest, $&nbsp;800.00, is due again", note)
            # checked again: nothing more to do
            self.assertFalse(self.Plan._cron_check_plans())
        # the hold stays while the plan is broken; the rest paid later: done, hold released
        self.assertTrue(self.customer.kakeuri_credit_hold)
        with freeze_time("2026-06-01"):
            self.pay(inv, 800.0, "2026-06-01")
        self.assertEqual(plan.state, "done")
        self.assertFalse(self.customer.kakeuri_credit_hold)

    def test_scheduled_action_in_batches(self):
        with freeze_time("2026-04-01"):
            inv_a = self.invoice(300.0, "2026-01-10", "2026-02-10")
            inv_b = self.invoice(300.0, "2026-01-10", "2026-02-10", partner=self.other_customer)
            inv_c = self.invoice(30000, "2026-01-10", "2026-02-10", jp=True)
            plans = self.plan(inv_a, count=1) | self.plan(inv_b, count=1) | self.plan(inv_c, count=1)
            both = (self.usd_company | self.jp_company).ids
            plans.with_context(allowed_company_ids=both).action_activate()
        cron = self.env.ref("kakeuri_ar.ir_cron_kakeuri_payment_plan_check")
        self.assertEqual(cron.code, "model._cron_check_plans()")
        cron, progress = cron._add_progress()
        Plan = self.Plan.with_context(ir_cron_progress_id=progress.id)
        with freeze_time("2026-05-06"):
            # over: the 5 days of grace of the JPY plan, the plan without policy (no grace);
            # not over: the 7 days of the first customer's policy. One plan per call.
            self.assertEqual(Plan._cron_check_plans(batch_size=1), plans[1])
            self.assertEqual((progress.done, progress.remaining), (1, 1))
            self.assertEqual(Plan._cron_check_plans(batch_size=1), plans[2])
            self.assertEqual((progress.done, progress.remaining), (1, 0))
            self.assertEqual(plans.mapped("state"), ["active", "broken", "broken"])
        with freeze_time("2026-05-08"):
            self.assertEqual(Plan._cron_check_plans(batch_size=1), plans[0])
            # a broken plan paid in full is done at once
            self.pay(inv_b, 300.0, "2026-05-08")
        self.assertEqual(plans.mapped("state"), ["broken", "done", "broken"])

    def test_hold_kept_by_another_plan_and_other_reasons(self):
        with freeze_time("2026-04-01"):
            inv1 = self.invoice(100.0, "2026-01-10", "2026-02-10")
            inv2 = self.invoice(200.0, "2026-01-10", "2026-02-10")
            first = self.plan(inv1, count=1)
            second = self.plan(inv2, count=1)
            first.action_activate()
            second.action_activate()
        self.assertTrue(first.credit_hold_set)
        self.assertFalse(second.credit_hold_set, "the hold was already there")
        with freeze_time("2026-04-20"):
            self.pay(inv1, 100.0, "2026-04-20")
        self.assertEqual(first.state, "done")
        self.assertTrue(self.customer.kakeuri_credit_hold, "the second plan still asks for it")
        self.assertTrue(second.credit_hold_set)
        with freeze_time("2026-04-21"):
            self.pay(inv2, 200.0, "2026-04-21")
        self.assertEqual(second.state, "done")
        self.assertFalse(self.customer.kakeuri_credit_hold)
        # a hold a credit manager put is not the plan's to release
        with freeze_time("2026-04-22"):
            inv3 = self.invoice(100.0, "2026-01-10", "2026-02-10")
            self.customer.write({"kakeuri_credit_hold": True, "kakeuri_credit_hold_reason": "Audit"})
            third = self.plan(inv3, count=1)
            third.action_activate()
            self.pay(inv3, 100.0, "2026-04-22")
        self.assertEqual(third.state, "done")
        self.assertFalse(third.credit_hold_set)
        self.assertTrue(self.customer.kakeuri_credit_hold)
        self.assertEqual(self.customer.kakeuri_credit_hold_reason, "Audit")
