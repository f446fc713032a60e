# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.kakeuri_ar.models.dunning_line import KakeuriDunningLine

from .common.dunning import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestDunningLevels(DunningCommon):
    def test_default_levels(self):
        """The shipped levels: 1/15/30 days automatic with email, 45 days call, manual."""
        self.assertEqual(self.levels.sorted("days_overdue").mapped("days_overdue"), [1, 15, 30, 45])
        self.assertEqual(
            self.level_friendly.mail_template_id, self.env.ref("kakeuri_ar.mail_template_dunning_friendly")
        )
        self.assertTrue(self.level_second.print_letter)
        self.assertTrue(self.level_final.set_credit_hold)
        self.assertTrue(self.level_call.create_activity)
        self.assertFalse(self.level_call.auto)
        # a second call does not duplicate them
        self.assertFalse(self.env["kakeuri.dunning.level"]._create_default_levels(self.company))

    def test_validation(self):
        with self.assertRaisesRegex(ValidationError, "15 days"):
            self.env["kakeuri.dunning.level"].create(
                {"name": "Twin", "days_overdue": 15, "company_id": self.company.id}
            )
        with self.assertRaisesRegex(ValidationError, r"-3"):
            self.env["kakeuri.dunning.level"].create(
                {"name": "Neg", "days_overdue": -3, "company_id": self.company.id}
            )
        with self.assertRaisesRegex(ValidationError, r"-5"):
            self.level_call.fee_amount = -5
        with self.assertRaisesRegex(ValidationError, "no email template"):
            self.level_call.write({"send_email": True})
        self.env.cr.execute(
            "SELECT fee_amount FROM kakeuri_dunning_level WHERE id = %s", [self.level_call.id]
        )
        self.assertFalse(self.env.cr.fetchone()[0], "nothing half-written")


@tagged("post_install", "-at_install")
class TestDunningRun(DunningCommon):
    def test_level_selection_edge_days(self):
        """0 days overdue is not overdue; each level starts on its exact day."""
        c = self.customers
        cases = [(c[0], 0, None), (c[1], 1, self.level_friendly), (c[2], 14, self.level_friendly)]
        cases += [(c[3], 15, self.level_second), (c[4], 30, self.level_final), (c[5], 45, self.level_call)]
        for partner, days, _level in cases:
            self._invoice(partner, 100.0, days)
        run = self._run()
        for partner, days, level in cases:
            line = self._line(run, partner)
            if level is None:
                self.assertFalse(line, f"{days} days overdue is not overdue")
            else:
                self.assertEqual(line.level_id, level, f"{days} days overdue")
                self.assertEqual(line.max_days_overdue, days)
                self.assertEqual(line.state, "draft")
        # automatic levels only: 45 days gets the final notice
        run_auto = self._run(levels=self.levels.filtered("auto"))
        self.assertEqual(self._line(run_auto, c[5]).level_id, self.level_final)

    def test_one_line_per_customer_at_highest_level(self):
        partner = self.customers[0]
        inv3 = self._invoice(partner, 100.0, 3)
        inv20 = self._invoice(partner, 200.0, 20)
        inv35 = self._invoice(partner, 300.0, 35)
        run = self._run(levels=self.levels.filtered("auto"))
        line = self._line(run, partner)
        self.assertEqual(len(line), 1)
        self.assertEqual(line.level_id, self.level_final)
        self.assertEqual(line.amount_overdue, 600.0)
        self.assertEqual(line.move_ids, inv3 | inv20 | inv35)
        run.action_send()
        self.assertEqual(run.state, "done")
        self.assertEqual(line.state, "sent")
        # each invoice keeps the level it reached, with the date
        self.assertEqual(inv3.kakeuri_dunning_level_id, self.level_friendly)
        self.assertEqual(inv20.kakeuri_dunning_level_id, self.level_second)
        self.assertEqual(inv35.kakeuri_dunning_level_id, self.level_final)
        self.assertEqual(inv35.kakeuri_last_dunning_date, TODAY)
        self.assertEqual(partner.kakeuri_dunning_level_id, self.level_final)
        self.assertEqual(partner.kakeuri_last_dunning_date, TODAY)
        # one mail, queued (not sent), on the customer's chatter, with invoices and total
        mail = self._mails(partner)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(mail.recipient_ids, partner)
        self.assertIn("Final notice", mail.subject)
        for inv in inv3 | inv20 | inv35:
            self.assertIn(inv.name, mail.body_html)
            # the link carries the invoice's stored token (made for the mail, saved with the level)
            self.assertTrue(inv.access_token)
            self.assertIn(f"/my/invoices/{inv.id}?access_token={inv.access_token}", mail.body_html)
        self.assertIn("600.00", mail.body_html)
        # the queued mail is complete: a message id, the author, the chatter summary
        self.assertTrue(mail.message_id)
        self.assertEqual(mail.author_id, self.env.user.partner_id)
        self.assertEqual(mail.model, "res.partner")
        self.assertEqual(mail.res_id, partner.id)
        self.assertEqual(mail.message_type, "comment")
        self.assertEqual(mail.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertEqual(line.mail_message_id, mail.mail_message_id)
        self.assertTrue(line.letter_to_print)
        # chatter: a note on the customer and on each invoice
        note = partner.message_ids.filtered(lambda m: run.name in (m.body or "") and "Final notice" in m.body)
        self.assertEqual(len(note), 1)
        self.assertIn("Email queued to", note.body)
        self.assertTrue(inv20.message_ids.filtered(lambda m: "Second notice" in (m.body or "")))
        # the letter renders with the invoices
        html = self.env["ir.actions.report"]._render_qweb_html("kakeuri_ar.report_dunning_letter", line.ids)[
            0
        ]
        self.assertIn(inv35.name, html.decode())
        self.assertIn("Final notice", html.decode())

    def test_repeat_suppression(self):
        partner = self.customers[0]
        inv = self._invoice(partner, 100.0, 3)
        run = self._run()
        run.action_send()
        self.assertEqual(inv.kakeuri_dunning_level_id, self.level_friendly)
        # same day, next day: the invoice already reached its level, nothing to send
        self.assertFalse(self._line(self._run(), partner))
        self.assertFalse(self._line(self._run(TODAY + timedelta(days=5)), partner))
        # 12 days later the invoice is 15 days overdue: second notice
        run3 = self._run(TODAY + timedelta(days=12))
        self.assertEqual(self._line(run3, partner).level_id, self.level_second)
        run3.action_send()
        self.assertEqual(len(self._mails(partner)), 2)
        # a re-sent run does nothing more
        with self.assertRaises(UserError):
            run3.action_send()
        self.assertEqual(len(self._mails(partner)), 2)

    def test_minimum_interval(self):
        self.company.kakeuri_dunning_min_interval_days = 7
        partner = self.customers[0]
        self._invoice(partner, 100.0, 3)
        self._run().action_send()
        # a new invoice falls due; three days after the last reminder: skipped
        self._invoice(partner, 50.0, 1, ref_date=TODAY + timedelta(days=3))
        line = self._line(self._run(TODAY + timedelta(days=3)), partner)
        self.assertEqual(line.state, "skipped")
        self.assertIn("minimum interval is 7 days", line.reason)
        self.assertFalse(line.include)
        # seven days after: reminded again
        line = self._line(self._run(TODAY + timedelta(days=7)), partner)
        self.assertEqual(line.state, "draft")
        self.assertEqual(line.level_id, self.level_friendly)

    def test_disputes_and_exclusions(self):
        only_disputed, excluded, mixed = self.customers[:3]
        inv_d = self._invoice(only_disputed, 100.0, 20)
        inv_d.kakeuri_dunning_blocked = True
        self._invoice(excluded, 100.0, 20)
        excluded.kakeuri_dunning_excluded = True
        inv_m1 = self._invoice(mixed, 100.0, 20)
        inv_m2 = self._invoice(mixed, 700.0, 40)
        inv_m2.kakeuri_dunning_blocked = True
        run = self._run()
        line_d = self._line(run, only_disputed)
        self.assertEqual((line_d.state, line_d.reason), ("skipped", "All overdue invoices are disputed."))
        line_e = self._line(run, excluded)
        self.assertEqual((line_e.state, line_e.reason), ("skipped", "The customer is excluded from dunning."))
        line_m = self._line(run, mixed)
        self.assertEqual(line_m.state, "draft")
        self.assertEqual(line_m.level_id, self.level_second, "the disputed 40-day invoice does not count")
        self.assertEqual(line_m.move_ids, inv_m1)
        self.assertEqual(line_m.amount_overdue, 100.0)
        self.assertIn("Disputed invoices left out: 1.", line_m.reason)
        run.action_send()
        self.assertFalse(self._mails(only_disputed) | self._mails(excluded))
        self.assertEqual(len(self._mails(mixed)), 1)
        self.assertFalse(inv_d.kakeuri_dunning_level_id)
        self.assertFalse(inv_m2.kakeuri_dunning_level_id)
        self.assertEqual(inv_m1.kakeuri_dunning_level_id, self.level_second)

    def test_untick_and_change_level(self):
        a, b = self.customers[:2]
        self._invoice(a, 100.0, 20)
        inv_b = self._invoice(b, 100.0, 40)
        run = self._run(levels=self.levels.filtered("auto"))
        self._line(run, a).include = False
        self.assertEqual(self._line(run, a).state, "skipped")
        self.assertIn("Left out by", self._line(run, a).reason)
        self._line(run, b).level_id = self.level_friendly
        run.action_send()
        self.assertFalse(self._mails(a))
        self.assertIn("Payment reminder", self._mails(b).subject)
        self.assertEqual(inv_b.kakeuri_dunning_level_id, self.level_friendly)
        # the next run proposes the level the invoice really reached
        self.assertEqual(self._line(self._run(), b).level_id, self.level_final)

    def test_promise_to_pay_kept_and_broken(self):
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

    def test_fee_invoice(self):
        self.level_second.write({"fee_amount": 1500.0, "fee_post": True})
        self.level_final.write({"fee_amount": 3000.0, "fee_post": False})
        a, b = self.customers[:2]
        self._invoice(a, 100.0, 20)
        self._invoice(b, 100.0, 35)
        run = self._run(levels=self.levels.filtered("auto"))
        run.action_send()
        fee_a = self._line(run, a).fee_move_id
        self.assertEqual(fee_a.move_type, "out_invoice")
        self.assertEqual(fee_a.state, "posted")
        self.assertEqual(fee_a.partner_id, a)
        self.assertEqual(fee_a.amount_total, 1500.0)
        self.assertEqual(fee_a.invoice_line_ids.product_id, self.env.ref("kakeuri_ar.product_dunning_fee"))
        self.assertEqual(fee_a.invoice_date, TODAY)
        fee_b = self._line(run, b).fee_move_id
        self.assertEqual(fee_b.state, "draft")
        self.assertEqual(fee_b.amount_total, 3000.0)
        self.assertIn("Fee invoice", self._line(run, a).reason)

    def test_final_level_sets_hold_and_order_is_refused(self):
        partner = self.customers[0]
        self._invoice(partner, 100.0, 35)
        run = self._run()
        run.action_send()
        line = self._line(run, partner)
        self.assertEqual(line.level_id, self.level_final)
        self.assertTrue(line.hold_set)
        self.assertIn("Credit hold set.", line.reason)
        self.assertTrue(partner.kakeuri_credit_hold)
        self.assertIn("Final notice", partner.kakeuri_credit_hold_reason)
        self.assertIn(run.name, partner.kakeuri_credit_hold_reason)
        product = self._create_product(name="Tea (dunning test)", lst_price=10.0, taxes_id=[Command.clear()])
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1.0})],
            }
        )
        with self.assertRaises(UserError):
            order.action_confirm()
        self.assertIn(order.state, ("draft", "sent"))
        # the second notice does not put a customer on hold
        other = self.customers[1]
        self._invoice(other, 100.0, 20)
        self._run().action_send()
        self.assertFalse(other.kakeuri_credit_hold)

    def test_missing_email_falls_back_to_letter(self):
        no_mail_second, no_mail_first = self.customers[:2]
        (no_mail_second | no_mail_first).email = False
        self._invoice(no_mail_second, 100.0, 20)
        self._invoice(no_mail_first, 100.0, 3)
        run = self._run()
        run.action_send()
        line = self._line(run, no_mail_second)
        self.assertEqual(line.state, "sent")
        self.assertTrue(line.letter_to_print)
        self.assertFalse(line.mail_message_id)
        self.assertIn("No email address", line.reason)
        self.assertFalse(self._mails(no_mail_second))
        failed = self._line(run, no_mail_first)
        self.assertEqual(failed.state, "failed")
        self.assertIn("prints no letter", failed.reason)
        self.assertFalse(failed.move_ids.kakeuri_dunning_level_id, "nothing was sent")
        self.assertEqual(run.state, "done")
        # once an address is known, the failed line can be retried
        no_mail_first.email = "ap@found.example.jp"
        failed.action_retry()
        self.assertEqual(run.state, "draft")
        run.action_send()
        self.assertEqual(failed.state, "sent")
        self.assertEqual(len(self._mails(no_mail_first)), 1)
        self.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        action = run.action_print_letters()
        self.assertEqual(action["report_name"], "kakeuri_ar.report_dunning_letter")

    def test_invoice_address_receives_the_mail(self):
        partner = self.customers[0]
        contact = self.env["res.partner"].create(
            {
                "name": "Accounting dept",
                "type": "invoice",
                "parent_id": partner.id,
                "email": "keiri@customer1.example.jp",
            }
        )
        self._invoice(partner, 100.0, 3)
        run = self._run()
        self.assertEqual(self._line(run, partner).contact_partner_id, contact)
        run.action_send()
        self.assertEqual(self._mails(partner).recipient_ids, contact)

    def test_call_level_creates_activity(self):
        salesman = new_test_user(self.env, login="dunning_salesman", groups="base.group_user")
        partner = self.customers[0]
        partner.user_id = salesman
        other = self.customers[1]
        self._invoice(partner, 100.0, 50)
        self._invoice(other, 100.0, 50)
        run = self._run()
        run.action_send()
        activity = self._line(run, partner).activity_id
        self.assertEqual(activity.res_model, "res.partner")
        self.assertEqual(activity.res_id, partner.id)
        self.assertEqual(activity.user_id, salesman)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(activity.date_deadline, TODAY)
        self.assertEqual(self._line(run, other).activity_id.user_id, self.env.user, "the run's user")
        self.assertFalse(self._mails(partner), "the call level sends no email")

    def test_crash_after_half_the_batch_and_rerun(self):
        """A crash while sending the second batch keeps the first one; sending again sends
        only the rest: each customer gets exactly one mail."""
        self.env["ir.config_parameter"].sudo().set_param("kakeuri_ar.dunning_batch_size", "2")
        partners = self.customers[:4]
        for partner in partners:
            self._invoice(partner, 100.0, 3)
        run = self._run()
        self.assertEqual(run.draft_count, 4)
        original = KakeuriDunningLine._queue_emails
        calls = []

        class WorkerKilled(BaseException):
            """A killed worker: not an error of one line (those are retried line by line)."""

        def crash_on_second_batch(lines, template, summaries=None):
            calls.append(lines.ids)
            if len(calls) == 2:
                raise WorkerKilled("worker killed")
            return original(lines, template, summaries)

        # (no assertRaises: its savepoint would also undo the first batch, which a real
        # crash keeps because each batch is committed)
        with patch.object(KakeuriDunningLine, "_queue_emails", crash_on_second_batch):
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

    def test_large_run_is_sent_in_the_background(self):
        """Above the background threshold, Send queues the run for the scheduled action, which
        sends it batch by batch in the name of the user who pressed Send."""
        self.env["ir.config_parameter"].sudo().set_param("kakeuri_ar.dunning_background_threshold", 1)
        clerk = new_test_user(
            self.env,
            login="kakeuri_dunning_clerk",
            groups="account.group_account_invoice,kakeuri_ar.group_ar_user",
            company_id=self.company.id,
        )
        a, b = self.customers[:2]
        inv_a = self._invoice(a, 100.0, 3)
        self._invoice(b, 200.0, 20)
        run = self._run().with_user(clerk)
        cron = self.env.ref("kakeuri_ar.ir_cron_kakeuri_dunning_send_queued")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        action = run.action_send()
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload")
        self.assertIn(run.name, action["params"]["message"])
        self.assertTrue(run.send_queued)
        self.assertEqual(run.send_user_id, clerk)
        self.assertEqual(run.state, "draft")
        self.assertEqual(set(run.line_ids.mapped("state")), {"draft"})
        self.assertFalse(self._mails(a))
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1)
        self.assertIn("queued by", run.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "being sent in the background"):
            run.action_compute()
        with self.assertRaisesRegex(UserError, "already being sent in the background"):
            run.action_send()

        self.env["kakeuri.dunning.run"]._cron_send_queued()
        self.assertEqual(run.state, "done")
        self.assertFalse(run.send_queued)
        self.assertEqual(set(run.line_ids.mapped("state")), {"sent"})
        self.assertEqual(inv_a.kakeuri_dunning_level_id, self.level_friendly)
        mail = self._mails(a)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.author_id, clerk.partner_id)
        # nothing left: a second pass sends nothing more
        self.env["kakeuri.dunning.run"]._cron_send_queued()
        self.assertEqual(len(self._mails(a)), 1)

    def test_background_sending_that_fails_is_reported(self):
        self.env["ir.config_parameter"].sudo().set_param("kakeuri_ar.dunning_background_threshold", 0)
        partner = self.customers[0]
        self._invoice(partner, 100.0, 3)
        run = self._run()
        run.action_send()
        self.assertTrue(run.send_queued)
        with patch.object(
            type(self.env["kakeuri.dunning.run"]), "_send_lines", side_effect=RuntimeError("SMTP down")
        ):
            self.env["kakeuri.dunning.run"]._cron_send_queued()
        self.assertFalse(run.send_queued, "Send is offered again")
        self.assertEqual(run.state, "draft")
        self.assertEqual(self._line(run, partner).state, "draft")
        self.assertIn("Sending in the background stopped: SMTP down", run.message_ids[0].body)
        run.action_send()  # queued again, and sent this time
        self.env["kakeuri.dunning.run"]._cron_send_queued()
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self._mails(partner)), 1)

    def test_small_run_is_sent_at_once(self):
        partner = self.customers[0]
        self._invoice(partner, 100.0, 3)
        run = self._run()
        self.assertTrue(run.action_send())
        self.assertFalse(run.send_queued)
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self._mails(partner)), 1)

    @freeze_time("2026-03-31")
    def test_cron_only_auto_levels(self):
        a, b, c = self.customers[:3]
        inv_a = self._invoice(a, 100.0, 3)
        self._invoice(b, 100.0, 60)
        self._invoice(c, 100.0, 60)
        c.kakeuri_dunning_excluded = True
        self.env["kakeuri.dunning.run"]._cron_run()
        run = self.env["kakeuri.dunning.run"].search(
            [("company_id", "=", self.company.id), ("auto", "=", True)]
        )
        self.assertEqual(len(run), 1)
        self.assertEqual(run.date, TODAY)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.level_ids, self.levels.filtered("auto"))
        self.assertEqual(self._line(run, a).level_id, self.level_friendly)
        self.assertEqual(self._line(run, b).level_id, self.level_final, "the manual call level waits")
        self.assertEqual(self._line(run, c).state, "skipped")
        self.assertFalse(self._line(run, b).activity_id)
        self.assertEqual(inv_a.kakeuri_dunning_level_id, self.level_friendly)
        self.assertEqual(len(self._mails(a)), 1)
        # the next day nothing new: no empty run is kept, no mail
        with freeze_time("2026-04-01"):
            self.env["kakeuri.dunning.run"]._cron_run()
        runs = self.env["kakeuri.dunning.run"].search(
            [("company_id", "=", self.company.id), ("auto", "=", True)]
        )
        self.assertEqual(len(runs), 2, "the skipped excluded customer is shown again")
        self.assertEqual(len(self._mails(a)), 1)
        self.assertEqual(len(self._mails(b)), 1)
        # a person's run proposes the manual call level
        self.assertEqual(self._line(self._run(), b).level_id, self.level_call)

    def test_collections_worklist(self):
        today = date.today()
        a, b = self.customers[:2]
        self._invoice(a, 100.0, 20, ref_date=today)
        self._invoice(a, 50.0, 3, ref_date=today)
        inv_b = self._invoice(b, 400.0, 40, ref_date=today)
        inv_b.kakeuri_dunning_level_id = self.level_second
        b.activity_schedule("mail.mail_activity_data_call", date_deadline=today, summary="Call about INV")
        rows = self.env["kakeuri.dunning.collection"].search([("partner_id", "in", (a | b).ids)])
        row_a = rows.filtered(lambda r: r.partner_id == a)
        row_b = rows.filtered(lambda r: r.partner_id == b)
        self.assertEqual(row_a.amount_overdue, 150.0)
        self.assertEqual(row_a.invoice_count, 2)
        self.assertEqual(row_a.max_days_overdue, 20)
        self.assertFalse(row_a.level_id)
        self.assertEqual(row_a.next_level_id, self.level_second)
        self.assertEqual(row_b.level_id, self.level_second)
        self.assertEqual(row_b.next_level_id, self.level_final)
        self.assertEqual(rows[0], row_b, "ordered by overdue amount")
        today_rows = self.env["kakeuri.dunning.collection"].search(
            [("partner_id", "in", (a | b).ids), ("activity_date", "<=", today)]
        )
        self.assertEqual(today_rows, row_b)
        self.assertEqual(row_b.activity_summary, "Call about INV")


@tagged("post_install", "-at_install")
class TestDunningMultiCompany(DunningCommon):
    def test_multi_company(self):
        company_2 = self.setup_other_company(name="Kakeuri Second KK")["company"]
        partner = self.customers[0]
        inv_1 = self._invoice(partner, 100.0, 20)
        inv_2 = self._invoice(partner, 900.0, 40, company=company_2)
        run_1 = self._run()
        self.assertEqual(self._line(run_1, partner).move_ids, inv_1)
        self.assertEqual(self._line(run_1, partner).amount_overdue, 100.0)
        # the second company has no level yet: its first run creates the defaults
        levels_2 = self.env["kakeuri.dunning.level"].search([("company_id", "=", company_2.id)])
        self.assertFalse(levels_2)
        run_2 = (
            self.env["kakeuri.dunning.run"]
            .with_company(company_2)
            .create({"date": TODAY, "company_id": company_2.id})
        )
        run_2.action_compute()
        levels_2 = self.env["kakeuri.dunning.level"].search([("company_id", "=", company_2.id)])
        self.assertEqual(levels_2.mapped("days_overdue"), [1, 15, 30, 45])
        line_2 = self._line(run_2, partner)
        self.assertEqual(line_2.move_ids, inv_2)
        self.assertEqual(line_2.level_id.company_id, company_2)
        self.assertEqual(line_2.level_id.days_overdue, 30)
        # levels of another company are refused on a run
        with self.assertRaisesRegex(ValidationError, "belongs to"):
            run_1.level_ids = [Command.link(levels_2[0].id)]
        # a user of the first company only sees its runs
        user = new_test_user(
            self.env,
            login="dunning_mc_user",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        runs = self.env["kakeuri.dunning.run"].with_user(user).search([])
        self.assertIn(run_1, runs)
        self.assertNotIn(run_2, runs)
        self.assertFalse(
            self.env["kakeuri.dunning.level"].with_user(user).search([("company_id", "=", company_2.id)])
        )


@tagged("post_install", "-at_install")
class TestDunningAccess(DunningCommon):
    def test_access_rights(self):
        ar_user = new_test_user(
            self.env,
            login="dunning_ar_user",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        self.assertTrue(ar_user.has_group("kakeuri_ar.group_ar_user"))
        self.assertFalse(ar_user.has_group("kakeuri_ar.group_credit_manager"))
        partner = self.customers[0]
        self._invoice(partner, 100.0, 3)
        # a receivables user runs dunning end to end
        run = self.env["kakeuri.dunning.run"].with_user(ar_user).create({"date": TODAY})
        run.action_compute()
        run.action_send()
        self.assertEqual(self._line(run, partner).state, "sent")
        self.assertEqual(len(self._mails(partner)), 1)
        # ... but does not change the levels
        with self.assertRaises(AccessError):
            self.level_friendly.with_user(ar_user).days_overdue = 2
        # an internal user without accounting rights sees no runs
        plain = new_test_user(self.env, login="dunning_plain", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["kakeuri.dunning.run"].with_user(plain).search([])
        with self.assertRaises(AccessError):
            self.env["kakeuri.dunning.collection"].with_user(plain).search([])
