# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The billing run of contracts: invoices, notes, posting, sending, failures."""

from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.kakeuri_contract_line import KakeuriContractLine
from .common.contracts import KakeuriContractsCommon


@tagged("post_install", "-at_install")
class TestContractBilling(KakeuriContractsCommon):
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
            self.assertRegex(note.body, f"data-oe-id=[\"']{contract.id}[\"']")
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

    @freeze_time("2026-02-15")
    def test_notes_are_created_through_the_orm(self):
        """The run's notes are mail.message records created by the ORM, as
        ``_message_log_batch`` makes them: one batch message id, note subtype, no notification."""
        Message = type(self.env["mail.message"])
        orm_create = Message.create
        created = self.env["mail.message"].sudo()

        def create(records, vals_list):
            nonlocal created
            messages = orm_create(records, vals_list)
            created |= messages.sudo()
            return messages

        contract = self.make_contract(date_start="2026-02-01")
        other = self.make_contract(partner=self.customer_b, date_start="2026-02-01")
        with patch.object(Message, "create", autospec=True, side_effect=create):
            self.assertEqual(self.run_cron("2026-02-15", contract | other), 2)
        notes = (contract | other).message_ids.filtered(lambda m: "Invoices created" in (m.body or ""))
        invoice_notes = (contract | other).invoice_ids.message_ids.filtered(
            lambda m: "Generated and posted by contract" in (m.body or "")
        )
        self.assertEqual(len(notes), 2)
        self.assertEqual(len(invoice_notes), 2)
        for batch in (notes, invoice_notes):
            self.assertLessEqual(batch, created)
            self.assertEqual(len(set(batch.mapped("message_id"))), 1, "one message id for the batch")
            self.assertEqual(set(batch.mapped("message_type")), {"notification"})
            self.assertEqual(batch.subtype_id, self.env.ref("mail.mt_note"))
            self.assertEqual(batch.author_id, self.env.user.partner_id)
            self.assertTrue(all(batch.mapped("is_internal")))
            self.assertFalse(batch.notification_ids)
        self.assertEqual(set(notes.mapped("model")), {"kakeuri.contract"})
        self.assertEqual(set(notes.mapped("res_id")), set((contract | other).ids))
        self.assertEqual(set(invoice_notes.mapped("model")), {"account.move"})

    @freeze_time("2026-03-15")
    def test_archived_customer_or_failing_report_does_not_stop_the_batch(self):
        """A contract of an archived customer is billed; a contract whose failure cannot be put
        on an activity keeps its reason in its chatter and the others are billed."""
        archived = self.env["res.partner"].create({"name": "閉店商店 (Closed Shop)", "is_company": True})
        held = self.env["res.partner"].create({"name": "保留商店 (Held Shop)", "is_company": True})
        gone = self.make_contract(partner=archived, date_start="2026-03-01")
        blocked = self.make_contract(partner=held, date_start="2026-03-01")
        good = self.make_contract(partner=self.customer_b, date_start="2026-03-01")
        archived.action_archive()
        held.kakeuri_credit_hold = True
        Contract = type(self.env["kakeuri.contract"])
        schedule = Contract.activity_schedule

        def refuse_activity(records, *args, **kwargs):
            if records == blocked:
                raise RuntimeError("the responsible cannot be assigned")
            return schedule(records, *args, **kwargs)

        with patch.object(Contract, "activity_schedule", autospec=True, side_effect=refuse_activity):
            self.assertEqual(self.run_cron("2026-03-15", gone | blocked | good), 3)
        self.assertEqual(good.invoice_ids.state, "posted")
        self.assertEqual(gone.invoice_ids.state, "posted")
        self.assertEqual(gone.invoice_ids.partner_id, archived)
        self.assertEqual(blocked.invoice_ids.state, "draft")
        self.assertFalse(blocked.activity_ids)
        self.assertTrue(blocked.message_ids.filtered(lambda m: "could not be posted" in (m.body or "")))
        self.assertEqual(str(blocked.next_invoice_date), "2026-04-01")

        # a contract that cannot be billed at all, and whose activity cannot be made either
        broken = self.make_contract(date_start="2026-03-01")
        broken.journal_id = self.company_data["default_journal_purchase"]
        other = self.make_contract(partner=self.customer_b, date_start="2026-03-01")

        def refuse_broken(records, *args, **kwargs):
            if records == broken:
                raise RuntimeError("the responsible cannot be assigned")
            return schedule(records, *args, **kwargs)

        with patch.object(Contract, "activity_schedule", autospec=True, side_effect=refuse_broken):
            self.assertEqual(self.run_cron("2026-03-15", broken | other), 1)
        self.assertEqual(other.invoice_ids.state, "posted")
        self.assertFalse(broken.invoice_ids)
        self.assertTrue(broken.message_ids.filtered(lambda m: "could not be billed" in (m.body or "")))

    @freeze_time("2026-02-15")
    def test_scheduled_action_one_batch_per_call_and_failures_left_for_tomorrow(self):
        """In the scheduled action each call bills one batch and reports its progress (Odoo
        commits it and calls again while work remains); a contract that failed is not tried
        again in a later call of the same day, so the run ends, and it is tried the next day."""
        bad = self.make_contract(date_start="2026-01-01")
        bad.journal_id = self.company_data["default_journal_purchase"]
        goods = self.make_contract(partner=self.customer_b, date_start="2026-01-01") | self.make_contract(
            partner=self.customer_b, date_start="2026-02-01"
        )
        contracts = bad | goods
        cron = self.env.ref("kakeuri_ar.ir_cron_kakeuri_contract_invoices")
        progress = self.env["ir.cron.progress"].sudo().create({"cron_id": cron.id, "remaining": 0, "done": 0})
        Contract = self.env["kakeuri.contract"].with_context(ir_cron_progress_id=progress.id)
        calls = []
        for _call in range(4):
            created = Contract._cron_generate_invoices(
                date_ref=fields.Date.to_date("2026-02-15"), contract_ids=contracts.ids, batch_size=1
            )
            calls.append((created, progress.done, progress.remaining))
        # the failing contract comes first (oldest next invoice date): tried once, then left
        self.assertEqual(calls, [(0, 1, 2), (2, 1, 1), (1, 1, 0), (0, 0, 0)])
        self.assertEqual(str(bad.billing_failed_date), "2026-02-15")
        self.assertEqual(len(bad.message_ids.filtered(lambda m: "could not be billed" in (m.body or ""))), 1)
        self.assertEqual(len(goods.invoice_ids), 3)
        with freeze_time("2026-02-16"):
            Contract._cron_generate_invoices(date_ref=fields.Date.to_date("2026-02-16"), contract_ids=bad.ids)
        self.assertEqual(len(bad.message_ids.filtered(lambda m: "could not be billed" in (m.body or ""))), 2)
