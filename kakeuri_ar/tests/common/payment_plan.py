# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Ground for the payment plan tests: the USD test company and a Japanese company in JPY
(``KakeuriJpCommon``), a customer in each with a credit policy (7 days of plan grace, credit
hold while in a plan in the USD company), a collector (billing user, so a receivables user)
and a salesperson."""

from contextlib import contextmanager

from odoo import Command, fields
from odoo.tests import new_test_user

from .jp import KakeuriJpCommon


class PaymentPlanCommon(KakeuriJpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Plan = cls.env["kakeuri.payment.plan"]
        cls.Policy = cls.env["kakeuri.credit.policy"]
        cls.policy_usd = cls.Policy.with_company(cls.usd_company).create(
            {
                "name": "Plans hold",
                "company_id": cls.usd_company.id,
                "hold_mode": "warn",
                "plan_grace_days": 7,
                "plan_credit_hold": True,
            }
        )
        cls.policy_jp = cls.Policy.with_company(cls.jp_company).create(
            {"name": "分割猶予", "company_id": cls.jp_company.id, "hold_mode": "warn", "plan_grace_days": 5}
        )
        cls.customer = cls.kakeuri_customer(
            cls.usd_company_data, "Hoshi Trading", email="ap@hoshi.example.com"
        )
        cls.customer.with_company(cls.usd_company).kakeuri_credit_policy_id = cls.policy_usd
        cls.customer_jp = cls.kakeuri_customer(
            cls.jp_company_data, "株式会社ほし", email="ap@hoshi.example.jp"
        )
        cls.customer_jp.with_company(cls.jp_company).kakeuri_credit_policy_id = cls.policy_jp
        cls.other_customer = cls.kakeuri_customer(cls.usd_company_data, "Tsuki Foods")
        companies = cls.usd_company | cls.jp_company
        cls.collector = new_test_user(
            cls.env,
            login="kakeuri_plan_collector",
            groups="base.group_user,base.group_partner_manager,account.group_account_invoice",
            company_id=cls.usd_company.id,
            company_ids=[Command.set(companies.ids)],
        )
        cls.salesman = new_test_user(
            cls.env,
            login="kakeuri_plan_salesman",
            groups="base.group_user,sales_team.group_sale_salesman",
            company_id=cls.usd_company.id,
            company_ids=[Command.set(cls.usd_company.ids)],
        )

    # ------------------------------------------------------------------ helpers
    @contextmanager
    def assertRefused(self, exception, regex):
        """``assertRaisesRegex`` in a savepoint (Odoo's ``assertRaises``): what the refused call
        wrote is rolled back, as the user's transaction would be."""
        with self.assertRaises(exception) as cm:
            yield cm
        self.assertRegex(str(cm.exception), regex)

    def invoice(self, amount, date, date_due=None, partner=None, jp=False):
        company_data = self.jp_company_data if jp else self.usd_company_data
        partner = partner or (self.customer_jp if jp else self.customer)
        return self.kakeuri_invoice(company_data, partner, amount, date, date_due)

    def plan(self, moves, count=3, date_first="2026-04-30", compute=True, **vals):
        # invoices of two companies (refused) are read in all the user's companies
        company = moves.company_id[:1]
        Plan = self.Plan.with_company(company) if len(moves.company_id) == 1 else self.Plan
        plan = Plan.create(
            {
                "partner_id": moves.commercial_partner_id[:1].id,
                "company_id": company.id,
                "move_ids": [Command.set(moves.ids)],
                "installment_count": count,
                "date_first": fields.Date.to_date(date_first),
                **vals,
            }
        )
        if compute:
            plan.action_compute_schedule()
        return plan

    def pay(self, invoice, amount, date):
        return (
            self.env["account.payment.register"]
            .with_company(invoice.company_id)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"payment_date": fields.Date.to_date(date), "amount": amount})
            ._create_payments()
        )

    def schedule(self, plan):
        """[(date, amount, paid, state)] of the plan's installments, oldest first."""
        return [
            (fields.Date.to_string(i.date), i.amount, i.amount_paid, i.state) for i in plan.installment_ids
        ]
