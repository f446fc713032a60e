# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A collector records a promise to pay and makes a payment plan from the collections worklist,
in headless Chromium."""

from datetime import date

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common.dunning import DunningCommon


@tagged("post_install", "-at_install")
class TestWorklistTours(DunningCommon, HttpCase):
    def _today(self):
        # the worklist is as of the database's today, which freeze_time does not move
        self.env.cr.execute("SELECT CURRENT_DATE")
        return self.env.cr.fetchone()[0]

    def test_record_promise_from_worklist(self):
        today = self._today()
        customer = self.env["res.partner"].create({"name": "Tour Promise KK", "is_company": True})
        invoice = self._invoice(customer, 1250.0, 20, ref_date=today)
        self.env.user.lang = "en_US"
        self.start_tour(
            "/odoo/action-kakeuri_ar.action_kakeuri_dunning_collection",
            "kakeuri_worklist_promise",
            login=self.env.user.login,
        )
        promise = self.env["kakeuri.payment.promise"].search([("partner_id", "=", customer.id)])
        self.assertEqual(len(promise), 1)
        self.assertEqual(promise.date, date(2030, 12, 31))
        self.assertEqual(promise.amount, 1250.0)
        self.assertEqual(promise.move_ids, invoice)
        self.assertEqual((promise.state, promise.date_start), ("open", fields.Date.today()))
        row = self.env["kakeuri.dunning.collection"].search([("partner_id", "=", customer.id)])
        self.assertEqual((row.promise_id, row.amount_overdue), (promise, 0.0))

    def test_payment_plan_from_worklist(self):
        today = self._today()
        customer = self.env["res.partner"].create(
            {"name": "Tour Plan KK", "is_company": True, "email": "ap@tour-plan.example.com"}
        )
        invoices = self._invoice(customer, 900.0, 40, ref_date=today) | self._invoice(
            customer, 300.0, 20, ref_date=today
        )
        self.env.user.lang = "en_US"
        self.start_tour(
            "/odoo/action-kakeuri_ar.action_kakeuri_dunning_collection",
            "kakeuri_worklist_plan",
            login=self.env.user.login,
        )
        plan = self.env["kakeuri.payment.plan"].search([("partner_id", "=", customer.id)])
        self.assertEqual((len(plan), plan.state, plan.move_ids), (1, "active", invoices))
        self.assertEqual(plan.installment_ids.mapped("amount"), [400.0, 400.0, 400.0])
        self.assertEqual(plan.installment_ids[0].date, date(2031, 1, 31))
        mail = self.env["mail.mail"].search([("model", "=", plan._name), ("res_id", "=", plan.id)])
        self.assertEqual(len(mail), 1, "the agreement is queued, not sent at once")
        self.assertTrue(mail.attachment_ids, "with the agreement attached")
        row = self.env["kakeuri.dunning.collection"].search([("partner_id", "=", customer.id)])
        self.assertEqual((row.plan_id, row.amount_overdue), (plan, 0.0))
