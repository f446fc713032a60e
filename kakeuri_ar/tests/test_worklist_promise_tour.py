# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A collector records a promise to pay from the collections worklist, in headless Chromium."""

from datetime import date

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common.dunning import DunningCommon


@tagged("post_install", "-at_install")
class TestWorklistPromiseTour(DunningCommon, HttpCase):
    def test_record_promise_from_worklist(self):
        # the worklist is as of the database's today, which freeze_time does not move
        self.env.cr.execute("SELECT CURRENT_DATE")
        today = self.env.cr.fetchone()[0]
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
