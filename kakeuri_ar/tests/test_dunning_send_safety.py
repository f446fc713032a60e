# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Sending safely: batches that crash, concurrent runs, lines changed since the run was
computed, sent lines kept."""

from datetime import timedelta
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.kakeuri_ar.models.kakeuri_dunning_mail import KakeuriDunningMail

from .common.dunning import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestDunningSendBatches(DunningCommon):
    """Batches that crash and runs sent twice send each reminder once."""

    def test_crash_after_half_the_batch_and_rerun(self):
        """A crash while sending the second batch keeps the first one; sending again sends
        only the rest: each customer gets exactly one mail."""
        self.env["ir.config_parameter"].sudo().set_param("kakeuri_ar.dunning_batch_size", "2")
        partners = self.customers[:4]
        for partner in partners:
            self._invoice(partner, 100.0, 3)
        run = self._run()
        self.assertEqual(run.draft_count, 4)
        original = KakeuriDunningMail._queue_emails
        calls = []

        class WorkerKilled(BaseException):
            """A killed worker: not an error of one line (those are retried line by line)."""

        def crash_on_second_batch(service, lines, template, summaries=None, batch=None):
            calls.append(lines.ids)
            if len(calls) == 2:
                raise WorkerKilled("worker killed")
            return original(service, lines, template, summaries, batch)

        # (no assertRaises: its savepoint would also undo the first batch, which a real
        # crash keeps because each batch is committed)
        with patch.object(KakeuriDunningMail, "_queue_emails", crash_on_second_batch):
            try:
                run.action_send()
            except WorkerKilled:
                pass
            else:
                self.fail("the second batch should have crashed")
        self.assertEqual(sorted(run.line_ids.mapped("state")), ["draft", "draft", "sent", "sent"])
        self.assertEqual(run.state, "draft")
        self.assertEqual(
            len(
                self.env["mail.mail"].search([("res_id", "in", partners.ids), ("model", "=", "res.partner")])
            ),
            2,
        )
        run.action_send()
        self.assertEqual(run.state, "done")
        for partner in partners:
            self.assertEqual(len(self._mails(partner)), 1, partner.name)
        # a concurrent run computed before the send would find nothing new to send
        self.assertFalse(self._run().line_ids)

    def test_concurrent_draft_run_does_not_send_twice(self):
        partner = self.customers[0]
        self._invoice(partner, 100.0, 3)
        run1 = self._run()
        run2 = self._run()
        run1.action_send()
        run2.action_send()
        self.assertEqual(self._line(run2, partner).state, "skipped")
        self.assertEqual(len(self._mails(partner)), 1)


@tagged("post_install", "-at_install")
class TestDunningStaleLines(DunningCommon):
    def _pay(self, invoice, amount=None, payment_date=TODAY):
        vals = {"payment_date": payment_date}
        if amount is not None:
            vals["amount"] = amount
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(vals)
            ._create_payments()
        )

    def test_paid_or_disputed_between_compute_and_send(self):
        self._levels_skippable()
        paid, disputed, partial, excluded, promised, reminded = self.customers
        inv_paid = self._invoice(paid, 100.0, 20)
        inv_disputed = self._invoice(disputed, 100.0, 20)
        inv_p1 = self._invoice(partial, 300.0, 35)
        inv_p2 = self._invoice(partial, 200.0, 20)
        for partner in excluded | promised | reminded:
            self._invoice(partner, 100.0, 20)
        run = self._run()
        self.assertEqual(run.draft_count, 6)
        # between Compute and Send (e.g. yesterday's pending scheduled run)
        self._pay(inv_paid)
        self._dispute(inv_disputed)
        self._pay(inv_p1)
        excluded.kakeuri_dunning_excluded = True
        self.env["kakeuri.payment.promise"].create(
            {
                "partner_id": promised.id,
                "date_start": TODAY,
                "date": TODAY + timedelta(days=3),
                "amount": 100.0,
            }
        )
        self.company.kakeuri_dunning_min_interval_days = 7
        other = self._run()
        self._line(other, reminded).level_id = self.level_friendly
        other.line_ids.filtered(lambda ln: ln.partner_id != reminded).write({"include": False})
        other.action_send()
        self.assertEqual(self._line(other, reminded).state, "sent")
        run.action_send()
        reasons = {p: self._line(run, p) for p in self.customers}
        self.assertEqual(reasons[paid].state, "skipped")
        self.assertIn("paid since the run was computed", reasons[paid].reason)
        self.assertEqual(
            (reasons[disputed].state, reasons[disputed].reason),
            ("skipped", "All overdue invoices are disputed."),
        )
        self.assertEqual(reasons[excluded].reason, "The customer is excluded from dunning.")
        self.assertIn("Promised to pay", reasons[promised].reason)
        self.assertEqual(reasons[reminded].state, "skipped")
        self.assertIn("minimum interval is 7 days", reasons[reminded].reason)
        for partner in paid | disputed | excluded | promised:
            self.assertFalse(self._mails(partner), partner.name)
        self.assertEqual(len(self._mails(reminded)), 1, "only the other run's reminder")
        self.assertFalse((inv_paid | inv_disputed).kakeuri_dunning_level_id)
        # the partly paid customer: only the invoice still overdue, at its own level
        line = reasons[partial]
        self.assertEqual(line.state, "sent")
        self.assertEqual(line.move_ids, inv_p2)
        self.assertEqual(line.amount_overdue, 200.0)
        self.assertEqual(line.level_id, self.level_second)
        self.assertFalse(partial.kakeuri_credit_hold, "the final level left with the paid invoice")
        mail = self._mails(partial)
        self.assertIn(inv_p2.name, mail.body_html)
        self.assertNotIn(inv_p1.name, mail.body_html)
        self.assertFalse(inv_p1.kakeuri_dunning_level_id)


@tagged("post_install", "-at_install")
class TestDunningTrace(DunningCommon):
    def test_sent_and_failed_lines_are_kept(self):
        self._levels_skippable()
        sent_partner, failed_partner, draft_partner = self.customers[:3]
        failed_partner.email = False
        inv = self._invoice(sent_partner, 100.0, 20)
        self._invoice(failed_partner, 100.0, 3)
        run = self._run()
        run.action_send()
        sent = self._line(run, sent_partner)
        failed = self._line(run, failed_partner)
        self.assertEqual((sent.state, failed.state), ("sent", "failed"))
        for line in sent | failed:
            with self.assertRaisesRegex(UserError, "kept as a record"):
                line.unlink()
        with self.assertRaisesRegex(UserError, "kept as a record"):
            run.unlink()
        # the state only moves by computing and sending
        with self.assertRaisesRegex(UserError, "state of a reminder"):
            sent.state = "draft"
        with self.assertRaisesRegex(UserError, "state of a reminder"):
            failed.write({"state": "sent"})
        self.assertEqual((sent.state, failed.state), ("sent", "failed"))
        # the level of a sent reminder: the message names the customer, the run and the levels
        with self.assertRaisesRegex(
            UserError, f"{sent_partner.name}.*{run.name}.*Second notice.*Final notice"
        ):
            sent.level_id = self.level_final
        # draft lines of a new run may still be deleted
        self._invoice(draft_partner, 100.0, 3)
        draft = self._line(self._run(), draft_partner)
        draft.unlink()
        self.assertFalse(draft.exists())
        # a level used by reminders is archived, not deleted
        with self.assertRaisesRegex(UserError, "archive it"):
            self.level_second.unlink()
        self.level_second.action_archive()
        self.assertFalse(self.level_second.active)
        self.assertEqual(inv.kakeuri_dunning_level_id, self.level_second)
        self.assertEqual(self.env["kakeuri.dunning.move.level"]._fields["level_id"].ondelete, "restrict")
        # an unused level can be deleted
        unused = self.env["kakeuri.dunning.level"].create(
            {"name": "Unused", "days_overdue": 60, "company_id": self.company.id}
        )
        unused.unlink()
        self.assertFalse(unused.exists())
