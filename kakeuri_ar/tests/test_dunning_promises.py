# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Promises to pay seen by a dunning run: computing a run judges the open promises as of its
date (kept once paid, broken past the deadline, once), and the reminder that follows a broken
promise says so."""

from datetime import timedelta

from odoo.tests import tagged

from .common.dunning import TODAY
from .common.promise import PromiseCommon


@tagged("post_install", "-at_install")
class TestDunningPromises(PromiseCommon):
    def test_run_settles_the_promises_as_of_its_date(self):
        self._levels_skippable()
        kept_partner, broken_partner, open_partner = self.customers[:3]
        inv_kept = self._invoice(kept_partner, 500.0, 20)
        self._invoice(kept_partner, 200.0, 20)
        self._invoice(broken_partner, 300.0, 20)
        self._invoice(open_partner, 400.0, 20)
        kept = self._promise(kept_partner, 500.0, days=5, move_ids=[(6, 0, inv_kept.ids)])
        broken = self._promise(broken_partner, 300.0, days=5)
        still_open = self._promise(open_partner, 400.0, days=10)
        self._pay(inv_kept, 500.0, TODAY + timedelta(days=2))
        run = self._run(TODAY + timedelta(days=6))
        self.assertEqual((kept.state, broken.state, still_open.state), ("kept", "broken", "open"))
        self.assertTrue(self._notes(kept_partner, "was kept"))
        self.assertEqual(broken_partner.activity_ids.summary, "Promise broken")
        # dunning resumes: the whole amount, and the reminder says the promise was broken
        line = self._line(run, broken_partner)
        self.assertEqual((line.state, line.amount_overdue), ("draft", 300.0))
        self.assertIn("was broken", line.reason)
        line_kept = self._line(run, kept_partner)
        self.assertEqual(line_kept.amount_overdue, 200.0)
        self.assertNotIn("broken", line_kept.reason or "")
        # computed again: judged once, still said until a reminder is sent
        run.unlink()
        run = self._run(TODAY + timedelta(days=6))
        self.assertEqual(len(self._notes(broken_partner, "was broken")), 1)
        self.assertEqual(len(broken_partner.activity_ids), 1)
        self.assertIn("was broken", self._line(run, broken_partner).reason)
        run.action_send()
        self.assertEqual(self._line(run, broken_partner).state, "sent")
        self.assertEqual(len(self._mails(broken_partner)), 1)
        # the reminder went out: the next run does not repeat it
        self._invoice(broken_partner, 100.0, 1, ref_date=TODAY + timedelta(days=7))
        later = self._run(TODAY + timedelta(days=8))
        self.assertNotIn("was broken", self._line(later, broken_partner).reason or "")

    def test_run_judges_only_its_company(self):
        self._levels_skippable()
        company_2 = self.setup_other_company(name="Kakeuri Promise Run Second KK")["company"]
        partner = self.customers[0]
        self._invoice(partner, 300.0, 20)
        self._invoice(partner, 900.0, 20, company=company_2)
        promise_1 = self._promise(partner, 300.0, days=2)
        promise_2 = self._promise(partner, 900.0, days=2, company_id=company_2.id)
        run = self._run(TODAY + timedelta(days=3))
        self.assertEqual((promise_1.state, promise_2.state), ("broken", "open"))
        self.assertIn("was broken", self._line(run, partner).reason)
        self.assertEqual(partner.activity_ids.summary, "Promise broken")
