# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Scheduled statements of account: periods, who gets one, one row and one mail per customer,
company and period, failures retried."""

from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.kakeuri_ar.models.kakeuri_statement_log import MAX_ATTEMPTS, last_complete_period

from .common import KakeuriCommon


class StatementScheduleCommon(KakeuriCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Log = cls.env["kakeuri.statement.log"]
        Partner = cls.env["res.partner"]
        cls.monthly = Partner.create(
            {"name": "月次 Monthly 株式会社", "is_company": True, "email": "monthly@example.com"}
        )
        cls.monthly.kakeuri_statement_frequency = "monthly"
        cls.monthly_contact = Partner.create(
            {"name": "経理 担当", "parent_id": cls.monthly.id, "email": "keiri@example.com"}
        )
        cls.weekly = Partner.create(
            {
                "name": "Weekly Ltd",
                "is_company": True,
                "email": "weekly@example.com",
                "kakeuri_statement_frequency": "weekly",
            }
        )
        cls.closing = Partner.create(
            {
                "name": "締め日 Closing 株式会社",
                "is_company": True,
                "email": "closing@example.com",
                "kakeuri_statement_frequency": "monthly",
                "kakeuri_closing_day": 20,
            }
        )
        cls.quiet = Partner.create(
            {
                "name": "Quiet Ltd",
                "is_company": True,
                "email": "quiet@example.com",
                "kakeuri_statement_frequency": "monthly",
            }
        )

    @classmethod
    def invoice(cls, partner, invoice_date, due, amount, company=None):
        company = company or cls.env.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": invoice_date,
                    "invoice_date_due": due,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Tab sale", "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def run_cron(self, date_ref, companies=None):
        return self.env["res.partner"]._cron_send_statements(
            date_ref=date_ref, companies=companies or self.env.company
        )

    def logs(self, partner):
        return self.Log.search([("partner_id", "=", partner.id)])


@tagged("post_install", "-at_install")
class TestStatementPeriods(KakeuriCommon):
    def test_weekly_periods(self):
        cases = {
            # Thursday 1 January: the week before, all in December
            date(2026, 1, 1): (date(2025, 12, 22), date(2025, 12, 28)),
            # Monday: the week that ended yesterday, across the year end
            date(2026, 1, 5): (date(2025, 12, 29), date(2026, 1, 4)),
            # Sunday: its own week is not over, the one before
            date(2026, 1, 4): (date(2025, 12, 22), date(2025, 12, 28)),
            # across a month end
            date(2026, 3, 3): (date(2026, 2, 23), date(2026, 3, 1)),
        }
        for date_ref, period in cases.items():
            self.assertEqual(last_complete_period("weekly", date_ref), period, date_ref)

    def test_monthly_periods(self):
        cases = {
            date(2026, 1, 1): (date(2025, 12, 1), date(2025, 12, 31)),
            date(2026, 1, 31): (date(2025, 12, 1), date(2025, 12, 31)),
            date(2026, 3, 15): (date(2026, 2, 1), date(2026, 2, 28)),
            date(2028, 3, 1): (date(2028, 2, 1), date(2028, 2, 29)),
        }
        for date_ref, period in cases.items():
            self.assertEqual(last_complete_period("monthly", date_ref), period, date_ref)
        with self.assertRaises(ValueError):
            last_complete_period("none", date(2026, 1, 1))

    def test_frequency_is_commercial(self):
        customer = self.env["res.partner"].create({"name": "Parent KK", "is_company": True})
        contact = self.env["res.partner"].create({"name": "Child", "parent_id": customer.id})
        customer.kakeuri_statement_frequency = "weekly"
        self.assertEqual(contact.kakeuri_statement_frequency, "weekly")


@tagged("post_install", "-at_install")
class TestStatementSchedule(StatementScheduleCommon):
    @freeze_time("2026-02-03")
    def test_one_row_and_one_mail_per_period(self):
        self.invoice(self.monthly, "2026-01-05", "2026-01-20", 1000.0)
        self.invoice(self.monthly_contact, "2026-01-25", "2026-02-25", 500.0)
        self.invoice(self.weekly, "2026-01-27", "2026-01-28", 300.0)
        self.invoice(self.closing, "2026-01-10", "2026-01-20", 700.0)
        self.run_cron("2026-02-03")
        self.run_cron("2026-02-03")

        log = self.logs(self.monthly)
        self.assertEqual(len(log), 1)
        self.assertRecordValues(
            log,
            [
                {
                    "state": "sent",
                    "date_from": date(2026, 1, 1),
                    "date_to": date(2026, 1, 31),
                    "balance": 1500.0,
                    "overdue_amount": 1000.0,
                    "attempt_count": 1,
                }
            ],
        )
        self.assertTrue(log.mail_id)
        self.assertEqual(
            self.env["mail.mail"].search_count([("model", "=", self.Log._name), ("res_id", "=", log.id)]), 1
        )
        self.assertEqual(log.mail_id.recipient_ids, self.monthly)
        body = str(log.mail_id.body_html)
        self.assertIn("1,500.00", body)
        self.assertIn("1,000.00", body)
        self.assertIn(f"/my/statements/{log.id}?access_token={log.access_token}", body)
        self.assertTrue(log.access_token)
        self.assertEqual(log.access_url, f"/my/statements/{log.id}")
        self.assertFalse(log.mail_id.attachment_ids, "the PDF is made when the link is opened")
        # the mail is what Odoo's own rendering of the template gives (send_mail_batch)
        template = self.env.ref("kakeuri_ar.mail_template_statement_log")
        odoo_values = template._generate_template(log.ids, ("subject", "body_html", "email_from"))[log.id]
        self.assertEqual(log.mail_id.subject, odoo_values["subject"])
        self.assertEqual(log.mail_id.email_from, odoo_values["email_from"])
        self.assertEqual(str(log.mail_id.body_html), str(odoo_values["body_html"]))

        weekly = self.logs(self.weekly)
        self.assertRecordValues(
            weekly,
            [
                {
                    "state": "sent",
                    "date_from": date(2026, 1, 26),
                    "date_to": date(2026, 2, 1),
                    "balance": 300.0,
                    "overdue_amount": 300.0,
                }
            ],
        )
        # the closing-day customer gets its 締め請求書, no statement of account
        self.assertFalse(self.logs(self.closing))
        # nothing to report: a 'skipped' row, no mail
        self.assertRecordValues(self.logs(self.quiet), [{"state": "skipped", "mail_id": False}])

    @freeze_time("2026-02-03")
    def test_movement_without_balance_is_reported(self):
        """A customer that paid everything in the period still gets its statement."""
        move = self.invoice(self.quiet, "2026-01-05", "2026-01-20", 400.0)
        payment = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"payment_date": "2026-01-15"})
            ._create_payments()
        )
        self.assertTrue(payment)
        self.run_cron("2026-02-03")
        self.assertRecordValues(
            self.logs(self.quiet), [{"state": "sent", "balance": 0.0, "overdue_amount": 0.0}]
        )

    def test_customer_in_mail_language(self):
        self.env["res.lang"]._activate_lang("ja_JP")
        self.monthly.lang = "ja_JP"
        self.invoice(self.monthly, "2026-01-05", "2026-01-20", 1000.0)
        with freeze_time("2026-02-03"):
            self.run_cron("2026-02-03")
        mail = self.logs(self.monthly).mail_id
        # Japanese dates in the subject (the template's lang is the customer's)
        self.assertIn("2026年01月31日", mail.subject)

    @freeze_time("2026-02-03")
    def test_failed_mail_is_retried_next_day(self):
        for partner in (self.monthly, self.quiet):
            self.invoice(partner, "2026-01-05", "2026-01-20", 100.0)
        MailMail = type(self.env["mail.mail"])
        create = MailMail.create
        bad = self.quiet

        def failing_create(records, vals_list):
            vals_list = vals_list if isinstance(vals_list, list) else [vals_list]
            if any((4, bad.id) in (vals.get("recipient_ids") or []) for vals in vals_list):
                raise ValueError("SMTP template exploded")
            return create(records, vals_list)

        with patch.object(MailMail, "create", failing_create):
            self.run_cron("2026-02-03")
            failed = self.logs(bad)
            self.assertRecordValues(failed, [{"state": "failed", "attempt_count": 1, "mail_id": False}])
            self.assertIn("SMTP template exploded", failed.error)
            self.assertEqual(self.logs(self.monthly).state, "sent", "the others still go")
            # the same day: not tried again (a run's further batches leave it)
            self.run_cron("2026-02-03")
            self.assertEqual(failed.attempt_count, 1)
        with freeze_time("2026-02-04"):
            self.run_cron("2026-02-04")
        self.assertRecordValues(failed, [{"state": "sent", "attempt_count": 2, "error": False}])
        self.assertTrue(failed.mail_id)
        self.assertEqual(len(self.logs(self.monthly).mail_id), 1)

    def test_no_email_fails_until_max_attempts(self):
        self.quiet.email = False
        self.invoice(self.quiet, "2026-01-05", "2026-01-20", 100.0)
        for day in range(3, 3 + MAX_ATTEMPTS + 2):
            with freeze_time(date(2026, 2, day)):
                self.run_cron(date(2026, 2, day))
        log = self.logs(self.quiet)
        self.assertRecordValues(log, [{"state": "failed", "attempt_count": MAX_ATTEMPTS}])
        self.assertIn("Quiet Ltd", log.error)
        self.assertIn("no email address", log.error)
        # an address and Retry: sent at once
        self.quiet.email = "quiet@example.com"
        with freeze_time("2026-02-20"):
            log.action_retry()
        self.assertRecordValues(log, [{"state": "sent", "attempt_count": 1, "error": False}])
        self.assertTrue(log.mail_id)

    def test_retry_refuses_sent(self):
        self.invoice(self.monthly, "2026-01-05", "2026-01-20", 100.0)
        with freeze_time("2026-02-03"):
            self.run_cron("2026-02-03")
        log = self.logs(self.monthly)
        with self.assertRaisesRegex(Exception, "Only failed statements can be retried"):
            log.action_retry()

    @freeze_time("2026-02-03")
    def test_closing_day_set_later_stops_statements(self):
        self.invoice(self.monthly, "2026-01-05", "2026-01-20", 100.0)
        self.monthly.kakeuri_closing_day = 31
        self.run_cron("2026-02-03")
        self.assertFalse(self.logs(self.monthly))
        self.assertEqual(self.monthly.kakeuri_statement_frequency, "monthly", "kept, but not used")

    @freeze_time("2026-02-03")
    def test_two_companies_two_rows(self):
        company_2 = self.setup_other_company(name="company_2 statements")["company"]
        self.invoice(self.monthly, "2026-01-05", "2026-01-20", 1000.0)
        self.invoice(self.monthly, "2026-01-06", "2026-01-21", 250.0, company=company_2)
        self.run_cron("2026-02-03", companies=self.env.company | company_2)
        self.run_cron("2026-02-03", companies=self.env.company | company_2)
        logs = self.logs(self.monthly).sorted("balance")
        self.assertRecordValues(
            logs,
            [
                {"company_id": company_2.id, "balance": 250.0, "state": "sent"},
                {"company_id": self.env.company.id, "balance": 1000.0, "state": "sent"},
            ],
        )
        self.assertEqual(len(logs.mail_id), 2)

    @freeze_time("2026-02-03")
    def test_batches(self):
        """Small batches give the same result as one: every customer once."""
        customers = self.env["res.partner"].create(
            [
                {
                    "name": f"Batch {i}",
                    "is_company": True,
                    "email": f"b{i}@example.com",
                    "kakeuri_statement_frequency": "monthly",
                }
                for i in range(5)
            ]
        )
        for customer in customers:
            self.invoice(customer, "2026-01-05", "2026-01-20", 10.0)
        self.env["res.partner"]._cron_send_statements(
            date_ref="2026-02-03", companies=self.env.company, batch_size=2
        )
        logs = self.Log.search([("partner_id", "in", customers.ids)])
        self.assertEqual(len(logs), 5)
        self.assertEqual(set(logs.mapped("state")), {"sent"})
        self.assertEqual(len(logs.mail_id), 5)
        # all batches ran in this transaction (no scheduled action): the queueing claims one
        # advisory lock per company and period, not one per customer, so that a run over tens
        # of thousands of customers stays within PostgreSQL's lock table
        self.env.cr.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        self.assertLessEqual(self.env.cr.fetchone()[0], 2)
