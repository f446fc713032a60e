# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Computing a dunning run: the level of each customer, the skip reasons, the lines a person changes."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common.dunning import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestDunningCompute(DunningCommon):
    """A run proposes one line per customer at the level its invoices reached."""

    def test_level_selection_edge_days(self):
        """0 days overdue is not overdue; a customer never reminded starts at the first level,
        however late; with levels that may be skipped, it starts at the level reached."""
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
                self.assertEqual(line.level_id, self.level_friendly, f"{days} days overdue, never reminded")
                self.assertEqual(line.max_days_overdue, days)
                self.assertEqual(line.state, "draft")
        (self.level_friendly | self.level_second | self.level_final).skippable = True
        run = self._run()
        for partner, days, level in cases[1:]:
            self.assertEqual(self._line(run, partner).level_id, level, f"{days} days overdue, skippable")
        # automatic levels only: 45 days gets the final notice
        run_auto = self._run(levels=self.levels.filtered("auto"))
        self.assertEqual(self._line(run_auto, c[5]).level_id, self.level_final)

    def test_escalation_one_level_at_a_time_over_three_runs(self):
        """The issue's case: a customer never reminded, 35 days overdue, got the final notice
        and a credit hold as its first contact. Now: friendly, second, final, a run each."""
        partner = self.customers[0]
        inv35 = self._invoice(partner, 300.0, 35)
        inv20 = self._invoice(partner, 200.0, 20)
        auto = self.levels.filtered("auto")
        run1 = self._run(TODAY - timedelta(days=14), levels=auto)  # inv35 21 days overdue, inv20 6
        self.assertEqual(self._line(run1, partner).level_id, self.level_friendly)
        run1.action_send()
        self.assertFalse(partner.kakeuri_credit_hold)
        self.assertEqual((inv35 | inv20).kakeuri_dunning_level_id, self.level_friendly)
        run2 = self._run(TODAY - timedelta(days=7), levels=auto)  # 28 and 13 days: second
        self.assertEqual(self._line(run2, partner).level_id, self.level_second)
        run2.action_send()
        self.assertEqual((inv35 | inv20).kakeuri_dunning_level_id, self.level_second)
        # the same day again: nothing new
        self.assertFalse(self._line(self._run(TODAY - timedelta(days=7), levels=auto), partner))
        run3 = self._run(levels=auto)  # 35 days: final, for both invoices
        line3 = self._line(run3, partner)
        self.assertEqual(line3.level_id, self.level_final)
        run3.action_send()
        self.assertTrue(partner.kakeuri_credit_hold)
        self.assertEqual((inv35 | inv20).kakeuri_dunning_level_id, self.level_final)
        subjects = self._mails(partner).sorted("id").mapped("subject")
        self.assertEqual(len(subjects), 3)
        self.assertIn("Payment reminder", subjects[0])
        self.assertIn("Second notice", subjects[1])
        self.assertIn("Final notice", subjects[2])
        # at the top, an invoice that has not had the final notice gets it; the others not again
        partner.kakeuri_credit_hold = False  # a credit manager lets a new sale through
        inv_new = self._invoice(partner, 50.0, 2)
        line4 = self._line(self._run(TODAY, levels=auto), partner)
        self.assertEqual(line4.level_id, self.level_final)
        self.assertEqual(line4._get_data_levels(), {inv_new.id: self.level_final.id})
        # once the reminded invoices are paid, a new overdue invoice starts again at the first level
        (inv35 | inv20 | inv_new).button_draft()
        (inv35 | inv20 | inv_new).button_cancel()
        self._invoice(self.customers[1], 10.0, 40)  # another customer, never reminded
        self.assertEqual(self._line(self._run(levels=auto), self.customers[1]).level_id, self.level_friendly)

    def test_one_line_per_customer_at_highest_level(self):
        # levels that may be skipped: a customer 35 days overdue gets the final notice at once
        (self.level_friendly | self.level_second).skippable = True
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
        self.assertFalse(inv20.kakeuri_dunning_line_ids, "a reminder not sent yet is not on the invoice")
        run.action_send()
        self.assertEqual(run.state, "done")
        self.assertEqual(line.state, "sent")
        # each invoice of the reminder reached its level, with the date
        self.assertEqual((inv3 | inv20 | inv35).kakeuri_dunning_level_id, self.level_final)
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
            # an invoice never shared gets a signed link, which makes its token once opened
            self.assertFalse(inv.access_token)
            self.assertIn(self.env["kakeuri.dunning.format"]._get_reminder_link(inv), mail.body_html)
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
        # chatter: the email on the customer summarises what was done; the invoices show the
        # reminder that listed them (no note each) and the level each reached
        note = partner.message_ids.filtered(lambda m: run.name in (m.body or "") and "Final notice" in m.body)
        self.assertEqual(len(note), 1)
        self.assertIn("Email queued to", note.body)
        for inv in inv3 | inv20 | inv35:
            self.assertEqual(inv.kakeuri_dunning_line_ids, line)
            self.assertFalse(inv.message_ids.filtered(lambda m, run=run: run.name in (m.body or "")))
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
        self._invoice(partner, 100.0, 14, ref_date=TODAY - timedelta(days=7))  # 14 days on TODAY - 7
        self._run(TODAY - timedelta(days=7)).action_send()  # friendly reminder
        # four days later the invoice is 18 days overdue, the second notice is due: too soon
        line = self._line(self._run(TODAY - timedelta(days=3)), partner)
        self.assertEqual(line.state, "skipped")
        self.assertEqual(line.level_id, self.level_second)
        self.assertIn("minimum interval is 7 days", line.reason)
        self.assertFalse(line.include)
        # seven days after the last reminder: the second notice goes
        line = self._line(self._run(), partner)
        self.assertEqual(line.state, "draft")
        self.assertEqual(line.level_id, self.level_second)

    def test_disputes_and_exclusions(self):
        self._levels_skippable()
        only_disputed, excluded, mixed = self.customers[:3]
        inv_d = self._invoice(only_disputed, 100.0, 20)
        self._dispute(inv_d)
        self._invoice(excluded, 100.0, 20)
        excluded.kakeuri_dunning_excluded = True
        inv_m1 = self._invoice(mixed, 100.0, 20)
        inv_m2 = self._invoice(mixed, 700.0, 40)
        self._dispute(inv_m2)
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
        self.assertIn("Disputed, left out:", line_m.reason)
        self.assertIn("(1 invoice(s))", line_m.reason)
        run.action_send()
        self.assertFalse(self._mails(only_disputed) | self._mails(excluded))
        self.assertEqual(len(self._mails(mixed)), 1)
        self.assertFalse(inv_d.kakeuri_dunning_level_id)
        self.assertFalse(inv_m2.kakeuri_dunning_level_id)
        self.assertEqual(inv_m1.kakeuri_dunning_level_id, self.level_second)

    def test_untick_and_change_level(self):
        self._levels_skippable()
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

    @freeze_time("2026-03-31")
    def test_run_in_the_future_refused(self):
        with self.assertRaisesRegex(ValidationError, "04/01/2026"):
            self.env["kakeuri.dunning.run"].create(
                {"date": TODAY + timedelta(days=1), "company_id": self.company.id}
            )
        run = self.env["kakeuri.dunning.run"].create({"date": TODAY, "company_id": self.company.id})
        with self.assertRaisesRegex(ValidationError, "in the future"):
            run.date = TODAY + timedelta(days=10)


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
        # the reminder asks for the net: overdue 300 less the 100 paid and not yet applied
        self.assertEqual((line.amount_unapplied, line.amount_to_pay), (100.0, 200.0))
        run.action_send()
        self.assertFalse(self._mails(covered) | self._mails(refunded))
        mail = self._mails(partly)
        self.assertEqual(len(mail), 1)
        body = mail.body_html.replace("\N{NO-BREAK SPACE}", " ")
        self.assertIn("Total overdue", body)
        self.assertIn("300.00", body)
        self.assertIn("Less your payments and credit notes not yet applied", body)
        self.assertIn("-$ 100.00", body)
        self.assertIn("Amount to pay", body)
        self.assertIn("200.00", body)
        self.assertIn("200.00 to pay", mail.body.replace("\N{NO-BREAK SPACE}", " "))
        # the letter says the same
        html = self.env["ir.actions.report"]._render_qweb_html("kakeuri_ar.report_dunning_letter", line.ids)[
            0
        ]
        self.assertIn("Amount to pay", html.decode())
