# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What dunning leaves out for an open promise (read by the ledger's holds): the rest of the
promise (its amount less the payments since it was recorded) is left out of its invoices,
oldest first, until its deadline; the rest of the customer's overdue amount is dunned."""

from datetime import timedelta

from odoo.tests import tagged

from .common.dunning import TODAY
from .common.promise import PromiseCommon


@tagged("post_install", "-at_install")
class TestDunningPromiseHolds(PromiseCommon):
    def test_promised_amount_left_out_rest_dunned(self):
        self._levels_skippable()
        partner = self.customers[0]
        self._invoice(partner, 500.0, 30)
        self._invoice(partner, 200.0, 20)
        self._promise(partner, 300.0, days=5)
        line = self._line(self._run(), partner)
        self.assertEqual(line.state, "draft", "the rest is dunned")
        self.assertEqual(line.amount_overdue, 400.0)

    def test_whole_amount_promised_no_reminder_until_the_deadline(self):
        self._levels_skippable()
        partner = self.customers[0]
        self._invoice(partner, 300.0, 20)
        promise = self._promise(partner, 300.0, days=5)
        line = self._line(self._run(), partner)
        self.assertFalse(line.filtered(lambda ln: ln.state == "draft"), "nothing left to remind")
        line = self._line(self._run(promise.date_deadline), partner)
        self.assertFalse(line.filtered(lambda ln: ln.state == "draft"), "the deadline day is still promised")
        line = self._line(self._run(promise.date_deadline + timedelta(days=1)), partner)
        self.assertEqual((line.state, line.amount_overdue), ("draft", 300.0))
        self.assertEqual(promise.state, "broken")

    def test_partial_payment_rest_stays_promised(self):
        self._levels_skippable()
        partner = self.customers[0]
        inv_1 = self._invoice(partner, 300.0, 30)
        self._invoice(partner, 300.0, 20)
        self._promise(partner, 400.0, days=5)
        self._pay(inv_1, 100.0, TODAY + timedelta(days=1))
        # 500 overdue, 300 of the promise still to come: 200 reminded
        line = self._line(self._run(TODAY + timedelta(days=2)), partner)
        self.assertEqual((line.state, line.amount_overdue), ("draft", 200.0))
