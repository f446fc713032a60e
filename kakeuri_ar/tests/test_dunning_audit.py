# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Dunning: the fixes of the audit (install and demo, stale lines, failing lines, fees under
credit control, promises, per-company partner fields, instalments, unapplied credits, trace
protection)."""

from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval, time

from .common.dunning import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestDunningInstallAndDemo(DunningCommon):
    def test_cron_first_runs_the_next_night(self):
        """Installing (or starting a server right after) sends nothing: the first scheduled
        run is the night after the installation."""
        cron = self.env.ref("kakeuri_ar.ir_cron_kakeuri_dunning")
        self.assertTrue(cron.active)
        self.assertGreater(cron.nextcall.date(), cron.create_date.date())
        data = self.env["ir.model.data"].search(
            [("module", "=", "kakeuri_ar"), ("name", "=", "ir_cron_kakeuri_dunning")]
        )
        self.assertTrue(data.noupdate, "an upgrade keeps the scheduled time")

    @freeze_time("2026-03-31")
    def test_done_when_on_demo_like_data(self):
        """The issue's 'Done when': a run on today's date proposes sensible reminders, sending
        queues mails with the right invoices and amounts, the final level sets the hold, and
        running it again sends nothing new."""
        friendly, second, final, call, disputed, promised = self.customers
        inv_friendly = self._invoice(friendly, 128000.0, 3)
        inv_second = self._invoice(second, 89100.0, 20)
        inv_final_1 = self._invoice(final, 356400.0, 35)
        inv_final_2 = self._invoice(final, 210000.0, 3)
        self._invoice(call, 184800.0, 50)
        self._invoice(disputed, 1250000.0, 50).kakeuri_dunning_blocked = True
        self._invoice(promised, 76500.0, 25)
        promised.write({"kakeuri_promise_date": TODAY + timedelta(days=5), "kakeuri_promise_amount": 76500.0})
        run = self.env["kakeuri.dunning.run"].create({"company_id": self.company.id})
        self.assertEqual(run.date, TODAY)
        run.action_compute()
        expected = {
            friendly: (self.level_friendly, "draft", 128000.0),
            second: (self.level_second, "draft", 89100.0),
            final: (self.level_final, "draft", 566400.0),
            call: (self.level_call, "draft", 184800.0),
            disputed: (self.level_call, "skipped", 1250000.0),
            promised: (self.level_second, "skipped", 76500.0),
        }
        for partner, (level, state, amount) in expected.items():
            line = self._line(run, partner)
            self.assertEqual(
                (line.level_id, line.state, line.amount_overdue), (level, state, amount), partner.name
            )
        run.action_send()
        self.assertEqual(run.state, "done")
        mail = self._mails(final)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        for inv in inv_final_1 | inv_final_2:
            self.assertIn(inv.name, mail.body_html)
        self.assertIn("566,400.00", mail.body_html)
        self.assertIn("356,400.00", mail.body_html)
        self.assertIn(inv_friendly.name, self._mails(friendly).body_html)
        self.assertIn(inv_second.name, self._mails(second).body_html)
        self.assertFalse(self._mails(call), "the call level is an activity")
        self.assertTrue(self._line(run, call).activity_id)
        self.assertFalse(self._mails(disputed) | self._mails(promised))
        self.assertTrue(final.kakeuri_credit_hold)
        self.assertFalse((friendly | second | call).filtered("kakeuri_credit_hold"))
        mail_count = self.env["mail.mail"].search_count([])
        # running it again sends nothing new
        run2 = self.env["kakeuri.dunning.run"].create({"company_id": self.company.id})
        run2.action_compute()
        self.assertFalse(run2.line_ids.filtered(lambda ln: ln.state == "draft"))
        self.assertEqual(self.env["mail.mail"].search_count([]), mail_count)

    def test_credit_demo_customers_left_out_of_dunning(self):
        """The demo marks the credit demo's customers as excluded (when demo data is loaded)."""
        partner = self.env.ref("kakeuri_ar.demo_credit_partner_hokuriku", raise_if_not_found=False)
        if not partner:
            self.skipTest("no demo data")
        names = ["yamato", "sakura", "fujimoto", "hokuriku", "minato", "aoba", "kansai", "tsubasa"]
        for name in names:
            self.assertTrue(
                self.env.ref(f"kakeuri_ar.demo_credit_partner_{name}").kakeuri_dunning_excluded, name
            )
        customers = self.env["res.partner"].browse(
            [self.env.ref(f"kakeuri_ar.demo_credit_partner_{name}").id for name in names]
        )
        self.assertFalse(self.env["kakeuri.dunning.line"].search([("partner_id", "in", customers.ids)]))
        self.assertEqual(
            customers.filtered("kakeuri_credit_hold"), self.env.ref("kakeuri_ar.demo_credit_partner_aoba")
        )


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
        inv_disputed.kakeuri_dunning_blocked = True
        self._pay(inv_p1)
        excluded.kakeuri_dunning_excluded = True
        promised.write({"kakeuri_promise_date": TODAY + timedelta(days=3), "kakeuri_promise_amount": 100.0})
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
class TestDunningFailingLine(DunningCommon):
    @freeze_time("2026-03-31")
    def test_line_whose_template_raises_fails_alone(self):
        good_1, bad, good_2 = self.customers[:3]
        bad.ref = "BOOM"
        for partner in good_1 | bad | good_2:
            self._invoice(partner, 100.0, 3)
        template = self.level_friendly.mail_template_id.copy()
        template.body_html = (
            '<div><t t-if="object.partner_id.ref == \'BOOM\'" t-out="1 / 0"/>'
            '<p>Please pay <t t-out="object._get_mail_total()"/></p></div>'
        )
        self.level_friendly.mail_template_id = template
        company_2 = self.setup_other_company(name="Kakeuri Failing KK")["company"]
        self.env["kakeuri.dunning.level"]._create_default_levels(company_2)
        original = type(self.env["kakeuri.dunning.run"])._compute_lines

        def compute_lines(run):
            if run.company_id == company_2:
                raise RuntimeError("company 2 is broken")
            return original(run)

        with patch.object(type(self.env["kakeuri.dunning.run"]), "_compute_lines", compute_lines):
            self.env["kakeuri.dunning.run"]._cron_run()
        run = self.env["kakeuri.dunning.run"].search(
            [("company_id", "=", self.company.id), ("auto", "=", True)]
        )
        self.assertEqual(len(run), 1)
        self.assertEqual(run.state, "done")
        self.assertEqual(self._line(run, good_1).state, "sent")
        self.assertEqual(self._line(run, good_2).state, "sent")
        line = self._line(run, bad)
        self.assertEqual(line.state, "failed")
        self.assertIn("Sending failed", line.reason)
        self.assertIn("division by zero", line.reason)
        self.assertFalse(self._mails(bad))
        self.assertFalse(line.move_ids.kakeuri_dunning_level_id, "nothing of the failed line was kept")
        self.assertEqual(len(self._mails(good_1)), 1)
        self.assertFalse(self.env["kakeuri.dunning.run"].search([("company_id", "=", company_2.id)]))
        # the next night: no error, the failed line is not retried on its own
        with freeze_time("2026-04-01"):
            self.env["kakeuri.dunning.run"]._cron_run()
        self.assertEqual(line.state, "failed")
        self.assertFalse(self._mails(bad))


@tagged("post_install", "-at_install")
class TestDunningFeeUnderCreditControl(DunningCommon):
    def test_fee_posted_for_held_block_policy_customer(self):
        policy = self.env["kakeuri.credit.policy"].create(
            {
                "name": "Strict (dunning test)",
                "hold_mode": "block",
                "block_on_overdue": True,
                "overdue_grace_days": 0,
            }
        )
        partner = self.customers[0]
        partner.write({"kakeuri_credit_policy_id": policy.id, "credit_limit": 100000.0})
        self._invoice(partner, 100.0, 35)
        self.level_final.write({"fee_amount": 2000.0, "fee_post": True})
        run = self._run(levels=self.levels.filtered("auto"))
        run.action_send()
        line = self._line(run, partner)
        self.assertTrue(partner.kakeuri_credit_hold)
        fee = line.fee_move_id
        self.assertEqual(fee.state, "posted")
        self.assertEqual(fee.amount_total, 2000.0)
        self.assertIn(f"Fee invoice {fee.name} posted.", line.reason)
        # the credit check still refuses an ordinary invoice for this customer, also with the flag
        # passed by a user (not the dunning's own sudo)
        other = self._invoice(partner, 50.0, -30, post=False)
        with self.assertRaisesRegex(UserError, "cannot be posted"):
            other.with_context(kakeuri_dunning_fee=True).action_post()
        self.assertEqual(other.state, "draft")


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


@tagged("post_install", "-at_install")
class TestDunningPerCompany(DunningCommon):
    def test_partner_level_and_date_per_company(self):
        company_2 = self.setup_other_company(name="Kakeuri Osaka KK")["company"]
        partner = self.customers[0]
        today = fields.Date.context_today(self.env["res.partner"])
        self._invoice(partner, 100.0, 35, ref_date=today)
        self._invoice(partner, 900.0, 3, ref_date=today, company=company_2)
        run = self._run(today, levels=self.levels.filtered("auto"))
        run.action_send()
        self.assertEqual(partner.with_company(self.company).kakeuri_dunning_level_id, self.level_final)
        self.assertEqual(partner.with_company(self.company).kakeuri_last_dunning_date, today)
        self.assertFalse(partner.with_company(company_2).kakeuri_dunning_level_id)
        self.assertFalse(partner.with_company(company_2).kakeuri_last_dunning_date)
        rows = (
            self.env["kakeuri.dunning.collection"]
            .with_context(allowed_company_ids=[self.company.id, company_2.id])
            .search([("partner_id", "=", partner.id)])
        )
        row_1 = rows.filtered(lambda r: r.company_id == self.company)
        row_2 = rows.filtered(lambda r: r.company_id == company_2)
        self.assertEqual(row_1.last_dunning_date, today)
        self.assertEqual(row_1.level_id, self.level_final)
        self.assertFalse(row_2.last_dunning_date, "not reminded by the second company")
        self.assertFalse(row_2.level_id)
        self.assertEqual(row_2.amount_overdue, 900.0)


@tagged("post_install", "-at_install")
class TestDunningInstalments(DunningCommon):
    def test_instalment_invoice_rows_add_up(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "Two instalments (dunning test)",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 10}),
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 40}),
                ],
            }
        )
        partner = self.customers[0]
        inv = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": TODAY - timedelta(days=30),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [
                    Command.create({"name": "Goods", "quantity": 1.0, "price_unit": 1000.0, "tax_ids": []})
                ],
            }
        )
        inv.action_post()
        plain = self._invoice(partner, 300.0, 5)
        self.assertEqual(inv.invoice_date_due, TODAY + timedelta(days=10), "the last instalment is not due")
        run = self._run()
        line = self._line(run, partner)
        self.assertEqual(line.amount_overdue, 800.0, "the first instalment and the plain invoice")
        self.assertEqual(line.max_days_overdue, 20)
        rows = {row["name"]: row for row in line.with_context(lang="en_US")._get_mail_invoice_rows()}
        self.assertEqual(rows[inv.name]["days"], 20)
        self.assertIn("500.00", rows[inv.name]["amount"])
        self.assertEqual(rows[plain.name]["days"], 5)
        self.assertIn("300.00", rows[plain.name]["amount"])
        self.assertEqual(line._get_overdue_by_move()[inv], (500.0, TODAY - timedelta(days=20)))
        run.action_send()
        body = self._mails(partner).body_html
        self.assertIn("800.00", body)
        self.assertNotIn("1,000.00", body)
        self.assertIn('text-align: right;">20</td>', body)
        html = self.env["ir.actions.report"]._render_qweb_html("kakeuri_ar.report_dunning_letter", line.ids)[
            0
        ]
        self.assertIn("500.00", html.decode())
        self.assertNotIn("1,000.00", html.decode())


@tagged("post_install", "-at_install")
class TestDunningUnappliedCredits(DunningCommon):
    def test_unapplied_credits_netted(self):
        covered, partly, refunded = self.customers[:3]
        self._invoice(covered, 100.0, 20)
        self._invoice(partly, 300.0, 20)
        self._invoice(refunded, 200.0, 20)
        bank = self.company_data["default_journal_bank"]
        for partner, amount in ((covered, 150.0), (partly, 100.0)):
            payment = self.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": partner.id,
                    "amount": amount,
                    "date": TODAY - timedelta(days=2),
                    "journal_id": bank.id,
                }
            )
            payment.action_post()
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": refunded.id,
                "invoice_date": TODAY - timedelta(days=3),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Returned goods", "quantity": 1.0, "price_unit": 200.0, "tax_ids": []}
                    )
                ],
            }
        )
        refund.action_post()
        run = self._run()
        for partner in covered | refunded:
            line = self._line(run, partner)
            self.assertEqual(line.state, "skipped", partner.name)
            self.assertEqual(line.reason, "Unapplied payments/credit notes cover the overdue amount.")
        line = self._line(run, partly)
        self.assertEqual(line.state, "draft")
        self.assertEqual(line.amount_overdue, 300.0)
        self.assertIn("Unapplied payments/credit notes of $\N{NO-BREAK SPACE}100.00 to match.", line.reason)
        run.action_send()
        self.assertFalse(self._mails(covered) | self._mails(refunded))
        self.assertEqual(len(self._mails(partly)), 1)


@tagged("post_install", "-at_install")
class TestDunningTrace(DunningCommon):
    def test_sent_and_failed_lines_are_kept(self):
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
        self.assertEqual(self.env["account.move"]._fields["kakeuri_dunning_level_id"].ondelete, "restrict")
        # an unused level can be deleted
        unused = self.env["kakeuri.dunning.level"].create(
            {"name": "Unused", "days_overdue": 60, "company_id": self.company.id}
        )
        unused.unlink()
        self.assertFalse(unused.exists())


@tagged("post_install", "-at_install")
class TestDunningSmallFixes(DunningCommon):
    def test_hold_note_only_when_set_now(self):
        held_before, held_now = self.customers[:2]
        self._invoice(held_before, 100.0, 35)
        self._invoice(held_now, 100.0, 35)
        held_before.write({"kakeuri_credit_hold": True, "kakeuri_credit_hold_reason": "Bill dishonoured"})
        run = self._run()
        run.action_send()
        line_before = self._line(run, held_before)
        self.assertFalse(line_before.hold_set)
        self.assertNotIn("Credit hold set.", line_before.reason)
        self.assertIn("Already on credit hold.", line_before.reason)
        self.assertEqual(held_before.kakeuri_credit_hold_reason, "Bill dishonoured", "the reason is kept")
        line_now = self._line(run, held_now)
        self.assertTrue(line_now.hold_set)
        self.assertIn("Credit hold set.", line_now.reason)

    @freeze_time("2026-03-31")
    def test_run_in_the_future_refused(self):
        with self.assertRaisesRegex(ValidationError, "04/01/2026"):
            self.env["kakeuri.dunning.run"].create(
                {"date": TODAY + timedelta(days=1), "company_id": self.company.id}
            )
        run = self.env["kakeuri.dunning.run"].create({"date": TODAY, "company_id": self.company.id})
        with self.assertRaisesRegex(ValidationError, "in the future"):
            run.date = TODAY + timedelta(days=10)

    def test_letter_of_draft_line_not_stored(self):
        partner = self.customers[0]
        self._invoice(partner, 100.0, 20)
        run = self._run()
        line = self._line(run, partner)
        report = self.env.ref("kakeuri_ar.action_report_dunning_letter")
        self.assertFalse(safe_eval(report.attachment, {"object": line, "time": time}))
        run.action_send()
        self.assertEqual(
            safe_eval(report.attachment, {"object": line, "time": time}),
            f"Reminder - {partner.name} - {run.name}.pdf",
        )
