# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..models.contract_line import KakeuriContractLine
from .common.contracts import KakeuriContractsCommon


@tagged("post_install", "-at_install")
class TestContracts(KakeuriContractsCommon):
    @freeze_time("2026-04-01")
    def test_monthly_from_31st_february(self):
        """Periods are counted from the start date, not chained: Jan 31, Feb 28, Mar 31."""
        contract = self.make_contract(date_start="2026-01-31")
        self.assertEqual(contract.state, "active")
        self.assertEqual(str(contract.next_invoice_date), "2026-01-31")
        self.assertEqual(self.run_cron("2026-04-01", contract), 3)
        self.assertEqual(
            self.periods(contract),
            [
                ("2026-01-31", "2026-02-27"),
                ("2026-02-28", "2026-03-30"),
                ("2026-03-31", "2026-04-29"),
            ],
        )
        self.assertEqual(str(contract.next_invoice_date), "2026-04-30")
        invoices = contract.invoice_ids.sorted("kakeuri_period_start")
        self.assertEqual(
            [str(d) for d in invoices.mapped("invoice_date")], ["2026-01-31", "2026-02-28", "2026-03-31"]
        )
        # leap year: a contract from 2028-01-31 bills 2028-02-29
        leap = self.make_contract(date_start="2028-01-31")
        self.assertEqual(str(leap._get_period_start(1)), "2028-02-29")
        self.assertEqual(str(leap._get_period_start(2)), "2028-03-31")

    @freeze_time("2026-03-15")
    def test_catch_up_three_months_in_one_run(self):
        contract = self.make_contract(date_start="2026-01-01")
        created = self.env["kakeuri.contract"]._cron_generate_invoices()
        self.assertGreaterEqual(created, 3)
        invoices = contract.invoice_ids.sorted("kakeuri_period_start")
        self.assertEqual(len(invoices), 3)
        self.assertEqual(
            self.periods(contract),
            [("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-31")],
        )
        self.assertEqual(invoices.mapped("state"), ["posted"] * 3)
        # 2 x 3000 at 8% + 5000 at 10% = 11000 untaxed, 480 + 500 tax
        self.assertEqual(invoices.mapped("amount_untaxed"), [11000.0] * 3)
        self.assertEqual(invoices.mapped("amount_total"), [11980.0] * 3)
        first = invoices[0]
        self.assertEqual(first.kakeuri_contract_id, contract)
        self.assertEqual(first.invoice_origin, contract.name)
        self.assertEqual(first.partner_id, self.customer)
        self.assertEqual(first.invoice_user_id, self.responsible)
        line = first.invoice_line_ids.filtered(lambda line: line.product_id == self.coffee)
        self.assertIn("Period 01/01/2026 – 01/31/2026", line.name)
        self.assertEqual(line.tax_ids, self.tax_8)
        self.assertEqual(str(contract.next_invoice_date), "2026-04-01")
        self.assertEqual(contract.invoice_count, 3)
        log = contract.message_ids.filtered(lambda m: "Invoices created" in (m.body or ""))
        self.assertEqual(len(log), 1)
        self.assertEqual(log.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(log.author_id, self.env.user.partner_id)
        for invoice in invoices:
            self.assertIn(invoice.name, log.body)
            # and a note on the invoice, where it comes from (with a link to the contract)
            note = invoice.message_ids.filtered(
                lambda m: "Generated and posted by contract" in (m.body or "")
            )
            self.assertEqual(len(note), 1)
            self.assertIn(f"data-oe-id='{contract.id}'", note.body)
            self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
            self.assertEqual(note.message_type, "notification")
            self.assertTrue(note.message_id)
            self.assertEqual(note.author_id, self.env.user.partner_id)
            # the customer follows the invoice (subscribed for the whole batch before posting)
            self.assertIn(self.customer, invoice.message_partner_ids)
            self.assertEqual(
                invoice.message_follower_ids.filtered(lambda f: f.partner_id == self.customer).subtype_ids,
                self.env["mail.message.subtype"].default_subtypes("account.move")[2],
            )
        # the new next invoice date is in the batch note, not in a tracking message per contract
        self.assertIn("Next invoice date: 01/01/2026 → 04/01/2026", log.body)
        self.assertFalse(
            contract.message_ids.tracking_value_ids.filtered(
                lambda t: t.field_id.name == "next_invoice_date" and t.create_date >= log.create_date
            )
        )
        # a re-run bills nothing
        self.assertEqual(self.run_cron("2026-03-15", contract), 0)
        self.assertEqual(len(contract.invoice_ids), 3)

    def test_weekly_quarterly_yearly_intervals(self):
        weekly = self.make_contract(date_start="2026-01-05", recurring_rule="weekly", recurring_interval=2)
        self.assertEqual(self.run_cron("2026-02-01", weekly), 2)
        self.assertEqual(self.periods(weekly), [("2026-01-05", "2026-01-18"), ("2026-01-19", "2026-02-01")])
        quarterly = self.make_contract(date_start="2026-01-01", recurring_rule="quarterly")
        self.assertEqual(self.run_cron("2026-07-01", quarterly), 3)
        self.assertEqual(self.periods(quarterly)[1], ("2026-04-01", "2026-06-30"))
        yearly = self.make_contract(date_start="2024-02-29", recurring_rule="yearly")
        self.assertEqual(self.run_cron("2026-03-01", yearly), 3)
        self.assertEqual(
            self.periods(yearly),
            [("2024-02-29", "2025-02-27"), ("2025-02-28", "2026-02-27"), ("2026-02-28", "2027-02-27")],
        )

    def test_pause_and_resume(self):
        contract = self.make_contract(date_start="2026-01-01")
        with freeze_time("2026-01-15"):
            self.assertEqual(self.run_cron("2026-01-15", contract), 1)
            contract.action_pause()
        self.assertEqual(contract.state, "paused")
        with freeze_time("2026-03-10"):
            self.assertEqual(self.run_cron("2026-03-10", contract), 0, "a paused contract is not billed")
            contract.action_resume()
        self.assertEqual(contract.state, "active")
        # February and March started while paused: not billed; billing restarts in April
        self.assertEqual(str(contract.next_invoice_date), "2026-04-01")
        self.assertTrue(
            contract.message_ids.filtered(
                lambda m: "while paused" in (m.body or "") and "02/01/2026" in m.body
            )
        )
        with freeze_time("2026-04-02"):
            self.assertEqual(self.run_cron("2026-04-02", contract), 1)
        self.assertEqual(self.periods(contract), [("2026-01-01", "2026-01-31"), ("2026-04-01", "2026-04-30")])

    @freeze_time("2026-03-01")
    def test_end_date_mid_period(self):
        contract = self.make_contract(date_start="2026-01-01", date_end="2026-02-14")
        self.assertEqual(self.run_cron("2026-03-01", contract), 2)
        self.assertEqual(self.periods(contract), [("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-14")])
        # without pro rata, the shortened last period is billed in full
        self.assertEqual(contract.invoice_ids.mapped("amount_untaxed"), [11000.0, 11000.0])
        self.assertEqual(contract.state, "closed")
        self.assertFalse(contract.next_invoice_date)
        self.assertTrue(contract.message_ids.filtered(lambda m: "the contract is closed" in (m.body or "")))

        prorated = self.make_contract(
            date_start="2026-01-01", date_end="2026-02-14", prorate_last_period=True
        )
        self.run_cron("2026-03-01", prorated)
        last = prorated.invoice_ids.filtered(lambda m: str(m.kakeuri_period_start) == "2026-02-01")
        # 14 of 28 days: half the quantities
        self.assertEqual(last.invoice_line_ids.mapped("quantity"), [1.0, 0.5])
        self.assertEqual(last.amount_untaxed, 5500.0)

    @freeze_time("2026-03-15")
    def test_deleted_invoice_is_billed_again(self):
        contract = self.make_contract(date_start="2026-01-01", auto_post=False)
        self.run_cron("2026-03-15", contract)
        february = contract.invoice_ids.filtered(lambda m: str(m.kakeuri_period_start) == "2026-02-01")
        self.assertEqual(february.state, "draft")
        february.unlink()
        self.assertEqual(str(contract.next_invoice_date), "2026-04-01", "the next date does not move back")
        self.assertEqual(contract.rebill_period_starts, ["2026-02-01"])
        self.assertEqual(contract.rebill_periods_text, "Period 02/01/2026 – 02/28/2026")
        self.assertTrue(
            contract.message_ids.filtered(
                lambda m: (
                    "was deleted" in (m.body or "") and "billed again" in m.body and "02/01/2026" in m.body
                )
            )
        )
        self.assertEqual(self.run_cron("2026-03-15", contract), 1, "only the deleted period is billed again")
        self.assertEqual(
            self.periods(contract),
            [("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-31")],
        )
        self.assertEqual(str(contract.next_invoice_date), "2026-04-01")
        self.assertFalse(contract.rebill_period_starts)

    @freeze_time("2026-03-15")
    def test_cancelled_invoice_is_billed_again(self):
        contract = self.make_contract(date_start="2026-01-01")
        self.run_cron("2026-03-15", contract)
        january = contract.invoice_ids.filtered(lambda m: str(m.kakeuri_period_start) == "2026-01-01")
        self.assertEqual(january.state, "posted")
        january.button_draft()
        january.button_cancel()
        self.assertEqual(january.state, "cancel")
        self.assertEqual(str(contract.next_invoice_date), "2026-04-01")
        self.assertEqual(contract.rebill_period_starts, ["2026-01-01"])
        self.assertTrue(contract.message_ids.filtered(lambda m: "was cancelled" in (m.body or "")))
        self.assertEqual(self.run_cron("2026-03-15", contract), 1)
        rebilled = contract.invoice_ids.filtered(
            lambda m: str(m.kakeuri_period_start) == "2026-01-01" and m.state == "posted"
        )
        self.assertEqual(len(rebilled), 1)
        # the cancelled invoice cannot come back: its period is billed again
        with self.assertRaisesRegex(UserError, "was billed again"):
            january.button_draft()

    @freeze_time("2026-02-15")
    def test_unique_index_prevents_second_invoice(self):
        contract = self.make_contract(date_start="2026-01-01", auto_post=False)
        self.run_cron("2026-02-15", contract)
        january = contract.invoice_ids.filtered(lambda m: str(m.kakeuri_period_start) == "2026-01-01")
        vals = contract._prepare_invoice_vals(
            fields.Date.to_date("2026-01-01"), fields.Date.to_date("2026-01-31")
        )
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation):
            with self.env.cr.savepoint():
                self.env["account.move"].create(vals)
        # a copy of an invoice does not carry the contract period
        copy = january.copy()
        self.assertFalse(copy.kakeuri_contract_id)
        # once cancelled, the period may be billed by another invoice
        january.button_cancel()
        again = self.env["account.move"].create(vals)
        self.assertEqual(again.kakeuri_contract_id, contract)

    @freeze_time("2026-03-15")
    def test_blocked_customer_stays_draft_with_activity(self):
        self.customer_b.kakeuri_credit_hold = True
        blocked = self.make_contract(partner=self.customer_b, date_start="2026-02-01")
        good = self.make_contract(date_start="2026-02-01")
        self.assertEqual(self.run_cron("2026-03-15", blocked | good), 4)
        self.assertEqual(good.invoice_ids.mapped("state"), ["posted", "posted"])
        self.assertEqual(blocked.invoice_ids.mapped("state"), ["draft", "draft"])
        activities = blocked.activity_ids
        self.assertEqual(len(activities), 2)
        self.assertEqual(activities.user_id, self.responsible)
        self.assertEqual(activities.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertIn("could not be posted", activities[0].note)
        self.assertIn("stays in draft", activities[0].note)
        self.assertFalse(good.activity_ids)
        # the periods are billed: the next run does not create them again
        self.assertEqual(str(blocked.next_invoice_date), "2026-04-01")
        self.assertEqual(self.run_cron("2026-03-15", blocked | good), 0)

    @freeze_time("2026-02-15")
    def test_failing_contract_is_logged_and_skipped(self):
        bad = self.make_contract(date_start="2026-01-01")
        good = self.make_contract(partner=self.customer_b, date_start="2026-01-01")
        original = KakeuriContractLine._prepare_invoice_line_vals

        def broken(line, *args, **kwargs):
            if line.contract_id == bad:
                raise UserError(line.env._("No income account defined for the product"))
            return original(line, *args, **kwargs)

        with patch.object(KakeuriContractLine, "_prepare_invoice_line_vals", broken):
            self.assertEqual(self.run_cron("2026-02-15", bad | good), 2)
        self.assertEqual(len(good.invoice_ids), 2)
        self.assertFalse(bad.invoice_ids)
        self.assertEqual(str(bad.next_invoice_date), "2026-01-01", "left for the next run")
        self.assertTrue(
            bad.message_ids.filtered(lambda m: "No income account defined" in (m.body or "")),
            "the failure is on the contract's chatter",
        )
        self.assertEqual(bad.activity_ids.summary, "Contract not billed")

        # an error inside the batch invoice creation is isolated too
        bad2 = self.make_contract(date_start="2026-01-01")
        good2 = self.make_contract(partner=self.customer_b, date_start="2026-01-01")
        bad2.journal_id = self.company_data["default_journal_purchase"]
        self.assertEqual(self.run_cron("2026-02-15", bad2 | good2), 2)
        self.assertEqual(len(good2.invoice_ids), 2)
        self.assertFalse(bad2.invoice_ids)
        self.assertTrue(bad2.message_ids.filtered(lambda m: "could not be billed" in (m.body or "")))

    @freeze_time("2026-02-15")
    def test_auto_send_is_queued(self):
        contract = self.make_contract(date_start="2026-02-01", auto_send=True)
        mails_before = self.env["mail.mail"].search_count([])
        self.run_cron("2026-02-15", contract)
        invoice = contract.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.sending_data["author_user_id"], self.responsible.id)
        self.assertFalse(invoice.is_move_sent, "not sent inside the billing run")
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)
        # Odoo's background sending job sends it through the mail queue
        self.env["account.move"]._cron_account_move_send()
        self.assertTrue(invoice.is_move_sent)
        self.assertFalse(invoice.sending_data)
        mail = self.env["mail.mail"].search([("model", "=", "account.move"), ("res_id", "=", invoice.id)])
        self.assertEqual(len(mail), 1)
        self.assertIn(self.customer, mail.recipient_ids)
        self.assertTrue(invoice.invoice_pdf_report_id, "the PDF is made by the background job")

    def test_validation(self):
        with self.assertRaisesRegex(ValidationError, "end date .* is before the start date"):
            self.make_contract(date_start="2026-03-01", date_end="2026-02-01")
        with self.assertRaisesRegex(ValidationError, "at least 1"):
            self.make_contract(recurring_interval=0)
        with self.assertRaisesRegex(ValidationError, "has no lines"):
            self.make_contract(lines=[])
        with self.assertRaisesRegex(ValidationError, "negative quantity"):
            self.make_contract(lines=[Command.create({"product_id": self.coffee.id, "quantity": -1})])
        contract = self.make_contract()
        with self.assertRaisesRegex(UserError, "has invoices"):
            self.run_cron("2026-01-01", contract)
            contract.unlink()

    def test_defaults_and_sequence(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "End of next month",
                "line_ids": [
                    Command.create(
                        {
                            "value": "percent",
                            "value_amount": 100,
                            "delay_type": "days_after_end_of_next_month",
                            "nb_days": 0,
                        }
                    )
                ],
            }
        )
        policy = self.env["kakeuri.credit.policy"].create(
            {"name": "Tab customers", "payment_term_id": term.id}
        )
        self.customer.kakeuri_credit_policy_id = policy
        contract = self.make_contract(activate=False)
        self.assertEqual(contract.payment_term_id, term, "default from the customer's credit policy")
        self.assertTrue(contract.name.startswith("CTR/"))
        self.assertEqual(contract.state, "draft")
        self.assertEqual(contract.amount_untaxed, 11000.0)
        contract.action_activate()
        invoice = self.env["account.move"].browse()
        with freeze_time("2026-01-10"):
            self.run_cron("2026-01-10", contract)
            invoice = contract.invoice_ids
        self.assertEqual(invoice.invoice_payment_term_id, term)
        self.assertEqual(str(invoice.invoice_date_due), "2026-02-28")
        action = contract.action_view_invoices()
        self.assertEqual(self.env["account.move"].search(action["domain"]), invoice)

    def test_contract_form(self):
        """The form as a user fills it: product defaults, per-period amount, activation."""
        with Form(self.env["kakeuri.contract"]) as form:
            form.partner_id = self.customer
            form.date_start = fields.Date.to_date("2026-01-31")
            form.recurring_rule = "quarterly"
            with form.line_ids.new() as line:
                line.product_id = self.rental
                line.quantity = 2
        contract = form.record
        self.assertEqual(contract.line_ids.price_unit, 5000.0)
        self.assertEqual(contract.line_ids.tax_ids, self.tax_10)
        self.assertIn("Kakeuri Machine Rental", contract.line_ids.name)
        self.assertEqual(contract.amount_untaxed, 10000.0)
        self.assertEqual(contract.journal_id.type, "sale")
        contract.action_activate()
        self.assertEqual(str(contract.next_invoice_date), "2026-01-31")
        self.assertEqual(self.run_cron("2026-05-01", contract), 2)
        self.assertEqual(self.periods(contract), [("2026-01-31", "2026-04-29"), ("2026-04-30", "2026-07-30")])

    # ------------------------------------------------------------ audit fixes
    def test_rebill_keeps_periods_skipped_on_purpose(self):
        """Billing a cancelled period again bills that period only, not the periods skipped by
        a resume or by a next invoice date set by hand."""
        contract = self.make_contract(date_start="2026-01-01")
        with freeze_time("2026-01-15"):
            self.run_cron("2026-01-15", contract)
            contract.action_pause()
        with freeze_time("2026-03-10"):
            contract.action_resume()  # February and March are not billed
        self.assertEqual(str(contract.next_invoice_date), "2026-04-01")
        with freeze_time("2026-04-02"):
            self.assertEqual(self.run_cron("2026-04-02", contract), 1)
            january = contract.invoice_ids.filtered(lambda m: str(m.kakeuri_period_start) == "2026-01-01")
            january.button_draft()
            january.button_cancel()
            self.assertEqual(str(contract.next_invoice_date), "2026-05-01")
            self.assertEqual(self.run_cron("2026-04-02", contract), 1, "January only")
        self.assertEqual(self.periods(contract), [("2026-01-01", "2026-01-31"), ("2026-04-01", "2026-04-30")])
        self.assertFalse(contract.rebill_period_starts)

        # a next invoice date set by hand skips May and June; a deleted April invoice is billed
        # again without them
        hand = self.make_contract(partner=self.customer_b, date_start="2026-01-01", auto_post=False)
        with freeze_time("2026-04-15"):
            self.run_cron("2026-04-15", hand)
            hand.next_invoice_date = "2026-07-01"
            hand.invoice_ids.filtered(lambda m: str(m.kakeuri_period_start) == "2026-04-01").unlink()
        self.assertEqual(str(hand.next_invoice_date), "2026-07-01")
        with freeze_time("2026-07-02"):
            self.assertEqual(self.run_cron("2026-07-02", hand), 2)
        self.assertEqual(
            [start for start, _end in self.periods(hand)],
            ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-07-01"],
        )
        self.assertEqual(str(hand.next_invoice_date), "2026-08-01")

    def test_resume_keeps_reopened_period_and_lists_only_unbilled(self):
        contract = self.make_contract(date_start="2026-01-01", auto_post=False)
        with freeze_time("2026-02-15"):
            self.run_cron("2026-02-15", contract)  # January and February
            contract.action_pause()
            contract.invoice_ids.filtered(lambda m: str(m.kakeuri_period_start) == "2026-01-01").unlink()
            # the next date moved back by hand, before January
            contract.next_invoice_date = "2026-01-01"
        with freeze_time("2026-04-10"):
            contract.action_resume()
        self.assertEqual(str(contract.next_invoice_date), "2026-05-01")
        note = contract.message_ids.filtered(lambda m: "while paused" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("03/01/2026", note.body)
        self.assertIn("04/01/2026", note.body)
        self.assertNotIn("01/01/2026", note.body, "January is billed again, not skipped")
        self.assertNotIn("02/01/2026", note.body, "February has an invoice")
        self.assertEqual(contract.rebill_period_starts, ["2026-01-01"])
        with freeze_time("2026-04-10"):
            self.assertEqual(self.run_cron("2026-04-10", contract), 1, "the reopened January")
        with freeze_time("2026-05-02"):
            self.assertEqual(self.run_cron("2026-05-02", contract), 1)
        self.assertEqual(
            [start for start, _end in self.periods(contract)], ["2026-01-01", "2026-02-01", "2026-05-01"]
        )

    def test_reopen_closed_contract_skips_closed_time(self):
        contract = self.make_contract(date_start="2026-01-01")
        with freeze_time("2026-02-15"):
            self.run_cron("2026-02-15", contract)
            contract.action_close()
        with freeze_time("2026-05-10"):
            contract.action_activate()
            self.assertEqual(contract.state, "active")
            self.assertEqual(str(contract.next_invoice_date), "2026-06-01")
            self.assertEqual(self.run_cron("2026-05-10", contract), 0, "the closed months are not billed")
        note = contract.message_ids.filtered(lambda m: "while the contract was closed" in (m.body or ""))
        self.assertEqual(len(note), 1)
        for day in ("03/01/2026", "04/01/2026", "05/01/2026"):
            self.assertIn(day, note.body)
        self.assertNotIn("02/01/2026", note.body)
        with freeze_time("2026-06-02"):
            self.assertEqual(self.run_cron("2026-06-02", contract), 1)
        self.assertEqual(
            [start for start, _end in self.periods(contract)], ["2026-01-01", "2026-02-01", "2026-06-01"]
        )

    def test_mid_period_next_date_does_not_bill_the_running_period(self):
        contract = self.make_contract(date_start="2026-01-01")
        with freeze_time("2026-01-15"):
            self.run_cron("2026-01-15", contract)
        contract.next_invoice_date = "2026-02-15"
        with freeze_time("2026-03-15"):
            self.assertEqual(self.run_cron("2026-03-15", contract), 1)
        self.assertEqual(self.periods(contract), [("2026-01-01", "2026-01-31"), ("2026-03-01", "2026-03-31")])
        self.assertEqual(str(contract.next_invoice_date), "2026-04-01")

    @freeze_time("2026-02-15")
    def test_failing_contract_keeps_one_activity(self):
        bad = self.make_contract(date_start="2026-01-01")
        bad.journal_id = self.company_data["default_journal_purchase"]
        self.run_cron("2026-02-15", bad)
        self.run_cron("2026-02-15", bad)
        activities = bad.activity_ids.filtered(lambda a: a.summary == "Contract not billed")
        self.assertEqual(len(activities), 1, "the open activity is reused, not one a day")
        self.assertEqual(len(bad.message_ids.filtered(lambda m: "could not be billed" in (m.body or ""))), 2)

    @freeze_time("2026-02-15")
    def test_sql_error_in_preparation_does_not_abort_the_batch(self):
        bad = self.make_contract(date_start="2026-01-01")
        good = self.make_contract(partner=self.customer_b, date_start="2026-01-01")
        original = KakeuriContractLine._prepare_invoice_line_vals

        def broken(line, *args, **kwargs):
            if line.contract_id == bad:
                line.env.cr.execute("SELECT 1/0")
            return original(line, *args, **kwargs)

        with (
            patch.object(KakeuriContractLine, "_prepare_invoice_line_vals", broken),
            mute_logger("odoo.sql_db"),
        ):
            self.assertEqual(self.run_cron("2026-02-15", bad | good), 2)
        self.assertEqual(len(good.invoice_ids), 2)
        self.assertFalse(bad.invoice_ids)
        self.assertTrue(bad.message_ids.filtered(lambda m: "DivisionByZero" in (m.body or "")))

    def test_last_line_of_running_contract_cannot_be_deleted(self):
        contract = self.make_contract()
        contract.line_ids[0].unlink()
        with self.assertRaisesRegex(ValidationError, "has no lines"):
            contract.line_ids.unlink()
        self.assertEqual(len(contract.line_ids), 1)
        # replacing the last line in one save (the form) is fine
        contract.write(
            {
                "line_ids": [
                    Command.delete(contract.line_ids.id),
                    Command.create({"product_id": self.coffee.id, "quantity": 3}),
                ]
            }
        )
        self.assertEqual(contract.line_ids.quantity, 3)
        # a draft contract may lose all its lines
        draft = self.make_contract(activate=False)
        draft.line_ids.unlink()
        self.assertFalse(draft.line_ids)

    def test_bill_now_names_contract_and_state(self):
        contract = self.make_contract(activate=False)
        with self.assertRaisesRegex(UserError, "Only active contracts") as caught:
            contract.action_generate_invoices()
        self.assertIn(contract.name, str(caught.exception))
        self.assertIn("Draft", str(caught.exception))
