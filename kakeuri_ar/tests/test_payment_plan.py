# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payment plans: the schedule, the checks of invoices and amounts, who may activate."""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common.payment_plan import PaymentPlanCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-04-01")
class TestPaymentPlanSchedule(PaymentPlanCommon):
    def test_equal_installments_usd(self):
        inv1 = self.invoice(600.0, "2026-01-10", "2026-02-10")
        inv2 = self.invoice(400.0, "2026-01-31", "2026-02-28")
        plan = self.plan(inv1 | inv2, count=3, date_first="2026-01-31")
        self.assertEqual(plan.state, "draft")
        self.assertEqual(plan.amount_total, 1000.0)
        self.assertTrue(plan.name.startswith("PLAN/"))
        self.assertEqual(
            self.schedule(plan),
            [
                ("2026-01-31", 333.33, 0.0, "open"),
                # monthly from the 31st: the month's last day when it is shorter
                ("2026-02-28", 333.33, 0.0, "open"),
                ("2026-03-31", 333.34, 0.0, "open"),
            ],
        )
        self.assertEqual(plan.amount_scheduled, 1000.0)
        # a partial payment before activation lowers the draft's balance
        self.pay(inv2, 100.0, "2026-04-01")
        self.assertEqual(plan.amount_total, 900.0)
        plan.action_compute_schedule()
        self.assertEqual([i.amount for i in plan.installment_ids], [300.0, 300.0, 300.0])

    def test_equal_installments_jpy_weekly(self):
        inv = self.invoice(10000, "2026-02-01", "2026-03-01", jp=True)
        plan = self.plan(inv, count=3, date_first="2026-04-10", interval_number=2, interval_type="weeks")
        self.assertEqual(plan.currency_id, self.jpy)
        self.assertEqual(
            self.schedule(plan),
            [
                ("2026-04-10", 3333.0, 0.0, "open"),
                ("2026-04-24", 3333.0, 0.0, "open"),
                ("2026-05-08", 3334.0, 0.0, "open"),
            ],
        )
        # yen have no decimals: 7 installments of 10,000 yen are 1,428 and 1,432 on the last
        plan.installment_count = 7
        plan.action_compute_schedule()
        self.assertEqual([i.amount for i in plan.installment_ids], [1428.0] * 6 + [1432.0])
        # a balance too small to split
        plan.installment_count = 20000
        with self.assertRefused(UserError, "too small for 20000 installments"):
            plan.action_compute_schedule()

    def test_down_payment(self):
        inv = self.invoice(1000.0, "2026-01-10", "2026-02-10")
        plan = self.plan(inv, count=4, date_first="2026-04-30", down_payment=100.0)
        self.assertEqual(
            self.schedule(plan),
            [
                ("2026-04-30", 100.0, 0.0, "open"),
                ("2026-05-30", 300.0, 0.0, "open"),
                ("2026-06-30", 300.0, 0.0, "open"),
                ("2026-07-30", 300.0, 0.0, "open"),
            ],
        )
        plan.down_payment_date = "2026-04-15"
        plan.action_compute_schedule()
        self.assertEqual(self.schedule(plan)[0], ("2026-04-15", 100.0, 0.0, "open"))
        self.assertEqual(self.schedule(plan)[1], ("2026-05-30", 300.0, 0.0, "open"))
        plan.down_payment_date = "2026-06-01"
        with self.assertRefused(UserError, "not before the next installment on 05/30/2026"):
            plan.action_compute_schedule()
        plan.write({"down_payment_date": False, "down_payment": 1000.0})
        with self.assertRefused(UserError, "down payment \\$\xa01,000.00 .* less than the balance"):
            plan.action_compute_schedule()
        with self.assertRefused(ValidationError, "cannot be negative \\(\\$.*5.00\\)"):
            plan.down_payment = -5.0

    def test_hand_edited_schedule_must_add_up(self):
        inv = self.invoice(1000.0, "2026-01-10", "2026-02-10")
        plan = self.plan(inv, count=3)
        last = plan.installment_ids[-1]
        last.amount = 400.0
        plan.installment_ids[0].date = "2026-04-20"
        self.assertEqual(plan.amount_scheduled, 1066.66)
        with self.assertRefused(
            ValidationError,
            "add up to \\$\xa01,066.66, but the balance of its invoices is \\$\xa01,000.00 "
            "\\(difference \\$\xa066.66\\)",
        ):
            plan.action_activate()
        self.assertEqual(plan.state, "draft")
        # an installment of nothing, or less, is refused with its amount
        with self.assertRefused(ValidationError, "Installment 3 of payment plan .* is \\$\xa00.00"):
            last.amount = 0.0
        # fixed by hand: activated
        last.amount = 333.34
        plan.action_activate()
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.installment_ids[0].date.isoformat(), "2026-04-20")
        # an agreed schedule is not changed any more
        with self.assertRefused(UserError, "is Active: only a draft plan's"):
            plan.installment_ids[0].amount = 10.0
        with self.assertRefused(UserError, "is Active: only a draft plan's"):
            plan.down_payment = 10.0
        with self.assertRefused(UserError, "cannot be deleted"):
            plan.installment_ids[0].unlink()
        with self.assertRefused(UserError, "cannot be deleted"):
            plan.unlink()

    def test_invoices_checked(self):
        inv = self.invoice(1000.0, "2026-01-10", "2026-02-10")
        other = self.invoice(200.0, "2026-01-10", "2026-02-10", partner=self.other_customer)
        with self.assertRefused(ValidationError, f"{other.name} is billed to Tsuki Foods, not to Hoshi"):
            self.plan(inv | other, compute=False)
        draft = self.invoice(50.0, "2026-01-10", "2026-02-10")
        draft.button_draft()
        with self.assertRefused(ValidationError, "is not an open posted customer invoice \\(status Draft"):
            self.plan(inv | draft, compute=False)
        paid = self.invoice(80.0, "2026-01-10", "2026-02-10")
        self.pay(paid, 80.0, "2026-03-01")
        with self.assertRefused(ValidationError, "open amount \\$\xa00.00"):
            self.plan(paid, compute=False)
        jp_invoice = self.invoice(5000, "2026-01-10", "2026-02-10", jp=True)
        with self.assertRefused(ValidationError, f"{jp_invoice.name} belongs to 株式会社テスト商事"):
            self.plan(inv | jp_invoice, compute=False)
        # one draft or active plan per invoice
        first = self.plan(inv)
        with self.assertRefused(ValidationError, f"{inv.name} is already in payment plan {first.name}"):
            self.plan(inv)
        first.action_cancel()
        self.assertEqual(first.state, "cancel")
        second = self.plan(inv)
        with self.assertRefused(ValidationError, f"already in payment plan {second.name}"):
            first.action_draft()
        second.action_activate()
        with self.assertRefused(UserError, "is Active: only a draft plan's"):
            second.action_cancel()
        with self.assertRefused(UserError, "covers no invoice"):
            self.Plan.create({"partner_id": self.customer.id, "installment_count": 1}).action_activate()


@tagged("post_install", "-at_install")
@freeze_time("2026-04-01")
class TestPaymentPlanRights(PaymentPlanCommon):
    def test_salesperson_cannot_activate_collector_can(self):
        inv = self.invoice(1000.0, "2026-01-10", "2026-02-10")
        plan = self.plan(inv)
        # a salesperson sees the customer's plans, but does not agree them
        self.assertEqual(plan.with_user(self.salesman).amount_total, 1000.0)
        with self.assertRefused(AccessError, "Only a receivables user can activate"):
            plan.with_user(self.salesman).action_activate()
        with self.assertRaises(AccessError):
            plan.with_user(self.salesman).write({"note": "mine"})
        self.assertEqual(plan.state, "draft")
        plan.with_user(self.collector).action_activate()
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.date_activated.isoformat(), "2026-04-01")
        # the collector may not change credit settings, but the plan puts its policy's hold
        self.assertTrue(self.customer.kakeuri_credit_hold)
        self.assertTrue(plan.credit_hold_set)
        self.assertIn(plan.name, self.customer.kakeuri_credit_hold_reason)

    def test_collector_creates_a_plan_from_scratch(self):
        inv_old = self.invoice(300.0, "2026-01-10", "2026-02-10")
        inv_new = self.invoice(700.0, "2026-03-01", "2026-04-30")  # not overdue yet
        Plan = self.Plan.with_user(self.collector)
        action = self.customer.with_user(self.collector).action_kakeuri_new_payment_plan()
        self.assertEqual(action["res_model"], "kakeuri.payment.plan")
        plan = Plan.with_context(action["context"]).create({"installment_count": 2})
        self.assertEqual(plan.partner_id, self.customer)
        self.assertEqual(plan.move_ids, inv_old, "the customer's overdue invoices")
        plan.move_ids = [Command.link(inv_new.id)]
        plan.action_compute_schedule()
        self.assertEqual([i.amount for i in plan.installment_ids], [500.0, 500.0])
        plan.action_activate()
        self.assertEqual(plan.amount_total, 1000.0)
        self.assertIn("Payment plan activated", plan.message_ids[0].body)


@tagged("post_install", "-at_install")
@freeze_time("2026-04-01")
class TestPaymentPlanCompanies(PaymentPlanCommon):
    def test_two_companies(self):
        inv_usd = self.invoice(1000.0, "2026-01-10", "2026-02-10")
        inv_jp = self.invoice(90000, "2026-01-10", "2026-02-10", jp=True)
        plan_usd = self.plan(inv_usd)
        plan_jp = self.plan(inv_jp, count=4)
        self.assertEqual(plan_jp.company_id, self.jp_company)
        self.assertEqual([i.amount for i in plan_jp.installment_ids], [22500.0] * 4)
        self.assertEqual(plan_jp.grace_days, 5)
        self.assertEqual(plan_usd.grace_days, 7)
        both = (self.usd_company | self.jp_company).ids
        (plan_usd | plan_jp).with_context(allowed_company_ids=both).action_activate()
        # the hold is asked by the USD company's policy only
        self.assertTrue(plan_usd.credit_hold_set)
        self.assertFalse(plan_jp.credit_hold_set)
        self.assertFalse(self.customer_jp.kakeuri_credit_hold)
        # each company sees its own plans
        plans = self.Plan.with_user(self.collector).with_context(allowed_company_ids=self.usd_company.ids)
        self.assertEqual(plans.search([("id", "in", (plan_usd | plan_jp).ids)]), plan_usd)
        # a plan started from invoices of two companies is refused
        with self.assertRefused(UserError, "one customer in one company"):
            (inv_usd | inv_jp).action_kakeuri_payment_plan()
        self.assertEqual(self.customer.kakeuri_payment_plan_count, 1)
