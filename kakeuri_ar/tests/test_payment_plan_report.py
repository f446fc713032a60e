# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The payment plan agreement: its PDF in the customer's language, sent by mail, and the
places a plan is started from."""

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common.payment_plan import PaymentPlanCommon

REPORT = "kakeuri_ar.action_report_payment_plan"


@tagged("post_install", "-at_install")
@freeze_time("2026-04-01")
class TestPaymentPlanAgreement(PaymentPlanCommon):
    def _html(self, plan):
        return self.env["ir.actions.report"]._render_qweb_html(REPORT, plan.ids)[0].decode()

    def test_agreement_in_the_customers_language(self):
        self.usd_company.kakeuri_invoice_registration_number = "T1234567890123"
        inv1 = self.invoice(600.0, "2026-01-10", "2026-02-10")
        inv2 = self.invoice(400.0, "2026-01-31", "2026-02-28")
        plan = self.plan(inv1 | inv2, count=4, down_payment=100.0)
        plan.action_activate()
        html = self._html(plan)
        for text in (
            "Payment Plan Agreement",
            plan.name,
            "T1234567890123",
            "Hoshi Trading",
            inv1.name,
            inv2.name,
            "(Down Payment)",
            "04/30/2026",
            "07/30/2026",
            "300.00",
            "1,000.00",
            "still unpaid <strong>7</strong> day(s) after its due date,",
            "Creditor",
            "Debtor",
        ):
            self.assertIn(text, html)
        self.assertNotIn("御中", html)
        self.assertEqual(html.count("kakeuri_installment"), 4)
        self.env["res.lang"]._activate_lang("ja_JP")
        self.customer.lang = "ja_JP"
        html_ja = self._html(plan)
        self.assertIn("御中", html_ja)
        self.assertIn("2026年04月30日", html_ja)
        pdf = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(REPORT, plan.ids)[0]
        )
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_send_agreement_through_the_mail_queue(self):
        inv = self.invoice(900.0, "2026-01-10", "2026-02-10")
        plan = self.plan(inv, count=3)
        with self.assertRefused(UserError, "activate it before sending the agreement"):
            plan.action_send_agreement()
        plan.action_activate()
        action = plan.with_user(self.collector).action_send_agreement()
        composer = Form(
            self.env["mail.compose.message"].with_user(self.collector).with_context(action["context"])
        )
        composer.save().action_send_mail()
        mail = self.env["mail.mail"].search([("model", "=", plan._name), ("res_id", "=", plan.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued, not sent at once")
        self.assertIn(self.customer, mail.recipient_ids)
        self.assertIn(f"Payment Plan Agreement {plan.name}", mail.subject)
        self.assertIn("$&nbsp;900.00", mail.body_html)
        self.assertEqual(len(mail.attachment_ids), 1)
        self.assertTrue(mail.attachment_ids.name.startswith(f"Hoshi Trading - {plan.name.replace('/', '-')}"))


@tagged("post_install", "-at_install")
@freeze_time("2026-04-01")
class TestPaymentPlanEntryPoints(PaymentPlanCommon):
    def test_from_selected_invoices_customer_and_worklist(self):
        overdue = self.invoice(300.0, "2026-01-10", "2026-02-10")
        later = self.invoice(700.0, "2026-03-01", "2026-04-30")
        Plan = self.Plan.with_user(self.collector)
        # selected invoices (the server action of the invoice list)
        server_action = self.env.ref("kakeuri_ar.action_server_kakeuri_move_payment_plan")
        action = (
            server_action.with_user(self.collector)
            .with_context(active_model="account.move", active_ids=(overdue | later).ids)
            .run()
        )
        self.assertEqual(action["res_model"], "kakeuri.payment.plan")
        plan = Plan.with_context(action["context"]).create({"installment_count": 2})
        self.assertEqual(plan.move_ids, overdue | later)
        self.assertEqual(plan.company_id, self.usd_company)
        plan.action_cancel()
        # the customer's form: its overdue invoices
        action = self.customer.with_user(self.collector).action_kakeuri_new_payment_plan()
        self.assertEqual(Plan.with_context(action["context"]).create({}).move_ids, overdue)
        # the collections worklist row of the customer
        row = self.env["kakeuri.dunning.collection"].search(
            [("partner_id", "=", self.customer.id), ("company_id", "=", self.usd_company.id)]
        )
        self.assertEqual(len(row), 1)
        action = row.with_user(self.collector).action_kakeuri_payment_plan()
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        self.assertEqual(action["context"]["default_company_id"], self.usd_company.id)
        # the draft from the customer form holds the overdue invoice: the worklist offers the rest
        self.assertEqual(action["context"]["default_move_ids"], [(6, 0, [])])
        stat = self.customer.with_user(self.collector).action_view_kakeuri_payment_plans()
        self.assertEqual(len(self.Plan.search(stat["domain"])), 2)
        self.assertEqual(self.customer.kakeuri_payment_plan_count, 2)
