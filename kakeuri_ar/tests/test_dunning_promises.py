# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Promises to pay: judged kept or broken once, the reminder waits for a valid one."""

from datetime import timedelta

from odoo.tests import tagged

from .common.dunning import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestDunningPromiseRun(DunningCommon):
    """A valid promise skips the customer; a broken one is mentioned."""

    def test_promise_to_pay_kept_and_broken(self):
        self._levels_skippable()
        kept, broken = self.customers[:2]
        inv_kept = self._invoice(kept, 500.0, 20)
        self._invoice(broken, 300.0, 20)
        (kept | broken).write(
            {"kakeuri_promise_date": TODAY + timedelta(days=5), "kakeuri_promise_amount": 300.0}
        )
        run = self._run()
        for partner in kept | broken:
            line = self._line(run, partner)
            self.assertEqual(line.state, "skipped")
            self.assertIn("Promised to pay", line.reason)
        run.action_send()
        self.assertFalse(self._mails(kept) | self._mails(broken))
        # the kept promise: paid in full before the date
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=inv_kept.ids
        ).create({"payment_date": TODAY + timedelta(days=4)})._create_payments()
        self.assertEqual(inv_kept.payment_state, "paid")
        # the day after the promised date: the broken promise is dunned, the kept one is not
        run2 = self._run(TODAY + timedelta(days=6))
        self.assertFalse(self._line(run2, kept))
        line = self._line(run2, broken)
        self.assertEqual(line.state, "draft")
        self.assertEqual(line.level_id, self.level_second)
        self.assertIn("was broken", line.reason)
        run2.action_send()
        self.assertEqual(len(self._mails(broken)), 1)


@tagged("post_install", "-at_install")
class TestDunningPromises(DunningCommon):
    def _pay(self, invoice, amount, payment_date):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"payment_date": payment_date, "amount": amount})
            ._create_payments()
        )

    def _promise(self, partner, amount, days):
        partner.write(
            {
                "kakeuri_promise_date": TODAY + timedelta(days=days),
                "kakeuri_promise_amount": amount,
                "kakeuri_promise_start_date": TODAY,
            }
        )

    def test_promise_kept_by_payments_before_the_date(self):
        partner = self.customers[0]
        inv_1 = self._invoice(partner, 300.0, 20)
        inv_2 = self._invoice(partner, 200.0, 20)
        self._promise(partner, 300.0, 10)
        self.assertFalse(self._line(self._run(), partner).include, "promised: left out")
        self._pay(inv_1, 300.0, TODAY + timedelta(days=2))
        # the promise is kept before its date: cleared, the rest is dunned again
        line = self._line(self._run(TODAY + timedelta(days=3)), partner)
        self.assertEqual(line.state, "draft")
        self.assertEqual(line.move_ids, inv_2)
        self.assertNotIn("broken", line.reason or "")
        self.assertFalse(partner.kakeuri_promise_date)
        self.assertFalse(partner.kakeuri_promise_amount)
        self.assertTrue(partner.message_ids.filtered(lambda m: "was kept" in (m.body or "")))

    def test_payment_after_the_date_or_too_small_breaks_it_once(self):
        late, small = self.customers[:2]
        inv_late = self._invoice(late, 500.0, 20)
        inv_small = self._invoice(small, 500.0, 20)
        self._invoice(late, 100.0, 20)
        self._promise(late, 500.0, 5)
        self._promise(small, 500.0, 5)
        self._pay(inv_late, 500.0, TODAY + timedelta(days=6))  # one day late
        self._pay(inv_small, 100.0, TODAY + timedelta(days=2))  # not the promised amount
        run = self._run(TODAY + timedelta(days=7))
        for partner in late | small:
            line = self._line(run, partner)
            self.assertEqual(line.state, "draft", partner.name)
            self.assertIn("was broken", line.reason)
            self.assertFalse(partner.kakeuri_promise_date)
            broken = partner.message_ids.filtered(lambda m: "was broken" in (m.body or ""))
            self.assertEqual(len(broken), 1)
        # computed again: judged once, not repeated
        run.unlink()
        run = self._run(TODAY + timedelta(days=7))
        for partner in late | small:
            self.assertNotIn("was broken", self._line(run, partner).reason or "")
            self.assertEqual(len(partner.message_ids.filtered(lambda m: "was broken" in (m.body or ""))), 1)
