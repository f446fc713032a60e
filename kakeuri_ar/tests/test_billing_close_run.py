# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The closing run: closing dates, catch-up, one statement per period, the wizard, the daily job."""

from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common.billing import KakeuriBillingCommon


@tagged("post_install", "-at_install")
class TestBillingCloseRun(KakeuriBillingCommon):
    def test_closing_day_validation_and_dates(self):
        with self.assertRaisesRegex(ValidationError, "closing day 32 is not valid"):
            self.customer.kakeuri_closing_day = 32
        with self.assertRaisesRegex(ValidationError, "closing day -1 is not valid"):
            self.customer.kakeuri_closing_day = -1
        # Odoo stores an empty integer as 0: 0 and False both mean "no closing-day billing"
        self.customer.kakeuri_closing_day = 0
        self.assertFalse(self.customer.kakeuri_closing_day_choice)
        self.assertFalse(self.close("2026-01-31", self.customer), "no closing day: no statement")
        self.customer.kakeuri_closing_day = False
        self.assertFalse(self.customer.kakeuri_closing_day_choice)
        self.customer.kakeuri_closing_day_choice = "31"
        self.assertEqual(self.customer.kakeuri_closing_day, 31)
        d = fields.Date.to_date
        self.assertEqual(self.customer._kakeuri_closing_date(2026, 2), d("2026-02-28"))
        self.assertEqual(self.customer._kakeuri_closing_date(2028, 2), d("2028-02-29"))
        self.customer.kakeuri_closing_day = 30
        self.assertEqual(self.customer._kakeuri_last_closing_date(d("2026-03-15")), d("2026-02-28"))
        self.assertEqual(self.customer._kakeuri_next_closing_date(d("2026-02-28")), d("2026-03-30"))
        # a contact follows its company
        contact = self.env["res.partner"].create({"name": "Sato", "parent_id": self.customer.id})
        self.assertEqual(contact.kakeuri_closing_day, 30)

    @freeze_time("2026-04-05")
    def test_catch_up_missed_closing_dates(self):
        self.invoice("2026-01-10", 1000.0)
        jan = self.close("2026-01-31", self.customer)
        self.invoice("2026-02-10", 100.0)
        self.invoice("2026-03-10", 10.0)
        later = self.close("2026-04-05", self.customer)
        self.assertEqual(
            [str(s.period_end) for s in later.sorted("period_end")], ["2026-02-28", "2026-03-31"]
        )
        self.assertEqual(later.sorted("period_end")[0].previous_statement_id, jan)
        for st in later:
            self.assertReconciles(st)

    @freeze_time("2026-02-01")
    def test_unique_statement_per_period(self):
        self.invoice("2026-01-10", 1000.0)
        st = self.close("2026-01-31", self.customer)
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    """
                    INSERT INTO kakeuri_billing_statement
                           (name, partner_id, company_id, period_start, period_end, state)
                    VALUES ('dup', %s, %s, '2026-01-01', '2026-01-31', 'draft')
                    """,
                    (st.partner_id.id, st.company_id.id),
                )
        with self.assertRaisesRegex(ValidationError, "already has a billing statement"):
            self.Statement.create(
                {
                    "partner_id": st.partner_id.id,
                    "company_id": st.company_id.id,
                    "period_start": "2026-01-01",
                    "period_end": "2026-01-31",
                }
            )
        # a cancelled statement can be made again
        st.action_cancel()
        again = self.close("2026-01-31", self.customer)
        self.assertEqual(again.total_due, 1100.0)
        self.assertNotEqual(again, st)

    def test_daily_run_closes_up_to_yesterday(self):
        with freeze_time("2026-01-31"):
            self.invoice("2026-01-10", 1000.0)
            self.assertFalse(
                self.Statement._cron_close_period(partners=self.customer, companies=self.env.company),
                "the closing day is not over yet",
            )
            self.invoice("2026-01-31", 500.0)  # sold on the closing day itself
        with freeze_time("2026-02-01"):
            st = self.Statement._cron_close_period(partners=self.customer, companies=self.env.company)
        self.assertEqual(str(st.period_end), "2026-01-31")
        self.assertEqual(st.total_due, 1650.0, "the closing day's own sales are in")

    @freeze_time("2026-02-25")
    def test_closing_wizard(self):
        self.invoice("2026-01-10", 1000.0)
        self.invoice("2026-02-10", 300.0, partner=self.customer_b)
        wizard = self.env["kakeuri.closing.run.wizard"].create(
            {
                "date": "2026-02-24",
                "partner_ids": [Command.set((self.customer | self.customer_b).ids)],
                "confirm": True,
            }
        )
        notification = wizard.action_run()
        # the user is told what was done, then sees the statements
        self.assertEqual(notification["params"]["message"], "Statements made: 2.")
        action = notification["params"]["next"]
        statements = self.Statement.search(action["domain"])
        self.assertEqual(statements.partner_id, self.customer | self.customer_b)
        self.assertEqual(set(statements.mapped("state")), {"confirmed"})
        self.assertEqual(
            {(s.partner_id, str(s.period_end)) for s in statements},
            {(self.customer, "2026-01-31"), (self.customer_b, "2026-02-20")},
        )
        # running it again changes nothing
        again = self.env["kakeuri.closing.run.wizard"].create(
            {"date": "2026-02-24", "partner_ids": [Command.set((self.customer | self.customer_b).ids)]}
        )
        summary = again.action_run()["params"]["message"]
        self.assertEqual(summary, "Statements made: 0. Customers whose statement was made before: 2.")
        idle = self.env["res.partner"].create({"name": "暇な商店", "kakeuri_closing_day": 31})
        wizard = self.env["kakeuri.closing.run.wizard"].create(
            {"date": "2026-02-24", "partner_ids": [Command.set(idle.ids)]}
        )
        summary = wizard.action_run()["params"]["message"]
        self.assertIn("nothing to bill (no balance, no movement): 1.", summary)
        self.assertEqual(
            self.Statement.search_count([("partner_id", "in", (self.customer | self.customer_b).ids)]), 2
        )
        self.assertEqual(statements.partner_id.mapped("kakeuri_billing_statement_count"), [1, 1])

    @freeze_time("2026-02-05")
    def test_closing_wizard_form_send(self):
        self.invoice("2026-01-10", 1000.0)
        with Form(self.env["kakeuri.closing.run.wizard"]) as form:
            form.date = fields.Date.to_date("2026-02-05")
            form.partner_ids.add(self.customer)
            form.send = True
            self.assertTrue(form.confirm, "sending confirms")
        action = form.record.action_run()["params"]["next"]
        statement = self.Statement.search(action["domain"])
        self.assertEqual(statement.state, "sent")
        self.assertEqual(statement.total_due, 1100.0)
        self.assertEqual(
            self.env["mail.mail"]
            .search([("model", "=", statement._name), ("res_id", "=", statement.id)])
            .state,
            "outgoing",
        )

    @freeze_time("2026-02-01")
    def test_run_in_batches(self):
        third = self.customer.copy({"name": "株式会社三番商店 (Third Shop)", "kakeuri_closing_day": 31})
        idle = self.customer.copy({"name": "有限会社休眠 (Idle Ltd.)", "kakeuri_closing_day": 31})
        self.invoice("2026-01-10", 1000.0)
        self.invoice("2026-01-10", 200.0, partner=self.customer_b)
        self.invoice("2026-01-15", 300.0, partner=third)
        customers = self.customer | self.customer_b | third | idle
        # outside a scheduled action every batch runs, in the caller's transaction
        created = self.Statement._cron_close_period(
            date_ref=fields.Date.to_date("2026-01-31"), partners=customers, batch_size=1
        )
        self.assertEqual(created.partner_id, self.customer | self.customer_b | third, "nothing when idle")
        self.assertEqual(sorted(created.mapped("total_due")), [220.0, 330.0, 1100.0])
        created.unlink()
        # in the scheduled action: one batch per call, its progress reported to Odoo, which
        # commits it and calls again while work remains
        cron = self.env.ref("kakeuri_ar.ir_cron_kakeuri_close_period")
        progress = self.env["ir.cron.progress"].sudo().create({"cron_id": cron.id, "remaining": 0, "done": 0})
        Statement = self.Statement.with_context(ir_cron_progress_id=progress.id)
        calls = []
        for _call in range(4):
            made = Statement._cron_close_period(
                date_ref=fields.Date.to_date("2026-01-31"), partners=customers, batch_size=2
            )
            calls.append((len(made), progress.done, progress.remaining))
        self.assertEqual(calls, [(2, 2, 1), (1, 1, 0), (0, 0, 0), (0, 0, 0)])
        self.assertEqual(
            self.Statement.search_count([("partner_id", "in", customers.ids), ("state", "!=", "cancel")]), 3
        )

    @freeze_time("2026-02-01")
    def test_failing_customer_does_not_hold_back_the_others(self):
        self.invoice("2026-01-10", 1000.0)
        self.invoice("2026-01-10", 200.0, partner=self.customer_b)
        Statement = type(self.Statement)
        due_date = Statement._compute_due_date

        def broken_due_date(statement):
            if statement.partner_id == self.customer:
                raise ValueError("the payment term cannot be read")
            return due_date(statement)

        cron = self.env.ref("kakeuri_ar.ir_cron_kakeuri_close_period")
        progress = self.env["ir.cron.progress"].sudo().create({"cron_id": cron.id, "remaining": 0, "done": 0})
        with (
            patch.object(Statement, "_compute_due_date", broken_due_date),
            mute_logger("odoo.addons.kakeuri_ar.models.kakeuri_billing_statement_close"),
        ):
            made = self.Statement.with_context(ir_cron_progress_id=progress.id)._cron_close_period(
                date_ref=fields.Date.to_date("2026-01-31"),
                partners=self.customer | self.customer_b,
                batch_size=1,
            )
        self.assertEqual(made.partner_id, self.customer_b, "the batch went on past the failing customer")
        self.assertEqual((progress.done, progress.remaining), (1, 0))
        self.assertFalse(self.Statement.search([("partner_id", "=", self.customer.id)]))
        note = self.customer.message_ids[:1]
        self.assertIn("could not be made", note.body)
        self.assertIn("the payment term cannot be read", note.body)
        self.assertEqual(str(self.customer.kakeuri_closing_failed_date), "2026-02-01")

        def failure_notes():
            return self.customer.message_ids.filtered(lambda m: "could not be made" in (m.body or ""))

        # the next calls of the scheduled action that day leave it out: one note, not one per call
        with (
            patch.object(Statement, "_compute_due_date", broken_due_date),
            mute_logger("odoo.addons.kakeuri_ar.models.kakeuri_billing_statement_close"),
        ):
            again = self.Statement.with_context(ir_cron_progress_id=progress.id)._cron_close_period(
                date_ref=fields.Date.to_date("2026-01-31"), partners=self.customer, batch_size=1
            )
        self.assertFalse(again)
        self.assertEqual(len(failure_notes()), 1)
        # the closing wizard (or tomorrow's run) tries again, and a success clears the mark
        made = self.Statement._cron_close_period(
            date_ref=fields.Date.to_date("2026-01-31"), partners=self.customer, batch_size=1
        )
        self.assertEqual(made.partner_id, self.customer)
        self.assertFalse(self.customer.kakeuri_closing_failed_date)
        self.assertEqual(len(failure_notes()), 1)

    @freeze_time("2026-02-01")
    def test_entries_without_customer_and_customers_of_other_companies(self):
        company_2 = self.setup_other_company(name="株式会社九州締め (Kyushu Closing)")["company"]
        # a receivable item without partner (a misc. entry) belongs to no statement
        receivable = self.company_data["default_account_receivable"]
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2026-01-15",
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create({"account_id": receivable.id, "debit": 500.0, "credit": 0.0}),
                    Command.create(
                        {
                            "account_id": self.company_data["default_account_revenue"].id,
                            "debit": 0.0,
                            "credit": 500.0,
                        }
                    ),
                ],
            }
        )
        entry.action_post()
        self.invoice("2026-01-10", 1000.0)
        # a customer of the other company only, and one of no company in particular
        kyushu = self.env["res.partner"].create(
            {
                "name": "九州商店 (Kyushu Shop)",
                "is_company": True,
                "kakeuri_closing_day": 31,
                "company_id": company_2.id,
            }
        )
        kyushu_invoice = (
            self.env["account.move"]
            .with_company(company_2)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": kyushu.id,
                    "invoice_date": "2026-01-12",
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Tab sale", "quantity": 1, "price_unit": 700.0, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        kyushu_invoice.action_post()
        shared = self.env["res.partner"].create(
            {"name": "共通商事 (Shared Trading)", "is_company": True, "kakeuri_closing_day": 31}
        )
        self.invoice("2026-01-20", 300.0, partner=shared)
        created = self.Statement._cron_close_period(
            date_ref=fields.Date.to_date("2026-01-31"),
            partners=self.customer | kyushu | shared,
            companies=self.env.company | company_2,
        )
        self.assertEqual(
            {(s.partner_id, s.company_id, s.total_due) for s in created},
            {
                (self.customer, self.env.company, 1100.0),
                (shared, self.env.company, 330.0),
                (kyushu, company_2, 700.0),
            },
        )
        for statement in created.filtered(lambda s: s.company_id == self.env.company):
            self.assertReconciles(statement)
