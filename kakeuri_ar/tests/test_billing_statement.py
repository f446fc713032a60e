# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import psycopg2
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common.contracts import KakeuriContractsCommon


@tagged("post_install", "-at_install")
class TestBillingStatement(KakeuriContractsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Statement = cls.env["kakeuri.billing.statement"]
        cls.end_of_next_month = cls.env["account.payment.term"].create(
            {
                "name": "月末締め翌月末払い",
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
        cls.customer.write({"kakeuri_closing_day": 31, "property_payment_term_id": cls.end_of_next_month.id})
        cls.customer_b.kakeuri_closing_day = 20

    # ------------------------------------------------------------------ helpers
    def invoice(self, date, amount, partner=None, tax=None, move_type="out_invoice"):
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or self.customer).id,
                "invoice_date": date,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Tab sale",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.set((tax or self.tax_10).ids)],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def pay(self, date, amount, partner=None):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": (partner or self.customer).id,
                "amount": amount,
                "date": date,
            }
        )
        payment.action_post()
        return payment

    def close(self, date_ref, partners=None):
        return self.Statement._cron_close_period(
            date_ref=fields.Date.to_date(date_ref),
            partners=partners or (self.customer | self.customer_b),
            companies=self.env.company,
        )

    def ledger_balance(self, partner, date):
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("company_id", "=", self.env.company.id),
                ("date", "<=", date),
            ]
        )
        return sum(lines.mapped("balance"))

    def assertReconciles(self, statement):
        currency = statement.currency_id
        self.assertAlmostEqual(statement.previous_amount - statement.paid_amount, statement.carryover_amount)
        self.assertAlmostEqual(
            statement.carryover_amount + statement.adjustment_amount + statement.invoiced_amount,
            statement.total_due,
        )
        self.assertAlmostEqual(statement.invoiced_untaxed + statement.invoiced_tax, statement.invoiced_amount)
        self.assertTrue(
            currency.is_zero(
                statement.total_due - self.ledger_balance(statement.partner_id, statement.period_end)
            ),
            "total due %s is the receivable balance at the closing date" % statement.total_due,
        )

    # -------------------------------------------------------------------- tests
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

    @freeze_time("2026-02-01")
    def test_month_end_closing(self):
        inv1 = self.invoice("2026-01-05", 1000.0)
        inv2 = self.invoice("2026-01-20", 500.0, tax=self.tax_8)
        refund = self.invoice("2026-01-25", 100.0, move_type="out_refund")
        self.invoice("2026-02-01", 999.0)  # next period
        statements = self.close("2026-01-31", self.customer)
        self.assertEqual(len(statements), 1)
        st = statements
        self.assertEqual((str(st.period_start), str(st.period_end)), ("2026-01-01", "2026-01-31"))
        self.assertEqual(st.state, "draft")
        self.assertEqual(st.previous_amount, 0.0)
        self.assertEqual(st.paid_amount, 0.0)
        self.assertEqual(st.invoiced_untaxed, 1400.0)
        self.assertEqual(st.invoiced_tax, 130.0)  # 100 + 40 - 10
        self.assertEqual(st.invoiced_amount, 1530.0)
        self.assertEqual(st.total_due, 1530.0)
        self.assertEqual(str(st.date_due), "2026-02-28", "end of the month after the closing date")
        self.assertEqual(st.move_ids, inv1 | inv2 | refund)
        self.assertEqual(st.line_ids.mapped("line_type"), ["invoice", "invoice", "refund"])
        self.assertEqual(st.line_ids.mapped("amount_total"), [1100.0, 540.0, -110.0])
        summary = {t.name: (t.base_amount, t.tax_amount) for t in st.tax_line_ids}
        self.assertEqual(summary, {"10%": (900.0, 90.0), "8% (reduced)": (500.0, 40.0)})
        self.assertReconciles(st)
        # idempotent
        self.assertFalse(self.close("2026-01-31", self.customer))
        self.assertFalse(self.close("2026-02-01", self.customer))

    @freeze_time("2026-03-01")
    def test_twentieth_closing(self):
        self.invoice("2026-01-10", 1000.0, partner=self.customer_b)
        self.invoice("2026-01-25", 2000.0, partner=self.customer_b)
        self.invoice("2026-02-20", 300.0, partner=self.customer_b)
        self.invoice("2026-02-21", 400.0, partner=self.customer_b)
        first = self.close("2026-01-20", self.customer_b)
        self.assertEqual((str(first.period_start), str(first.period_end)), ("2025-12-21", "2026-01-20"))
        self.assertEqual(first.invoiced_amount, 1100.0)
        self.assertEqual(first.total_due, 1100.0)
        self.assertEqual(str(first.date_due), "2026-01-20", "no payment term: due at closing")
        self.assertReconciles(first)
        second = self.close("2026-02-25", self.customer_b)
        self.assertEqual((str(second.period_start), str(second.period_end)), ("2026-01-21", "2026-02-20"))
        self.assertEqual(second.previous_statement_id, first)
        self.assertEqual(second.previous_amount, 1100.0)
        self.assertEqual(second.invoiced_amount, 2530.0)
        self.assertEqual(second.total_due, 3630.0)
        self.assertReconciles(second)

    def test_carryover_three_periods_with_payments_and_credit_note(self):
        with freeze_time("2026-02-01"):
            self.invoice("2026-01-10", 1000.0)  # 1100
            jan = self.close("2026-01-31", self.customer)
            jan.action_confirm()
        with freeze_time("2026-03-01"):
            self.pay("2026-02-10", 500.0)
            self.invoice("2026-02-15", 2000.0)  # 2200
            self.invoice("2026-02-20", 200.0, move_type="out_refund")  # -220
            feb = self.close("2026-02-28", self.customer)
        with freeze_time("2026-04-01"):
            self.pay("2026-03-05", 1000.0)
            self.pay("2026-03-25", 300.0)
            self.invoice("2026-03-20", 100.0, tax=self.tax_8)  # 108
            mar = self.close("2026-03-31", self.customer)
        expected = [
            # previous, paid, carryover, invoiced, total
            (jan, 0.0, 0.0, 0.0, 1100.0, 1100.0),
            (feb, 1100.0, 500.0, 600.0, 1980.0, 2580.0),
            (mar, 2580.0, 1300.0, 1280.0, 108.0, 1388.0),
        ]
        for st, previous, paid, carryover, invoiced, total in expected:
            self.assertEqual(
                (st.previous_amount, st.paid_amount, st.carryover_amount, st.invoiced_amount, st.total_due),
                (previous, paid, carryover, invoiced, total),
                st.display_name,
            )
            self.assertReconciles(st)
        self.assertEqual(mar.previous_statement_id, feb)
        self.assertEqual(feb.previous_statement_id, jan)

    def test_confirmed_statement_is_frozen_and_changes_show_as_adjustment(self):
        with freeze_time("2026-02-01"):
            inv = self.invoice("2026-01-10", 1000.0)
            self.invoice("2026-01-12", 500.0)
            jan = self.close("2026-01-31", self.customer)
            jan.action_confirm()
        self.assertEqual(jan.state, "confirmed")
        self.assertEqual(jan.total_due, 1650.0)
        with freeze_time("2026-02-10"):
            # the January invoice was wrong: cancelled after the statement was confirmed
            inv.button_draft()
            inv.button_cancel()
            with self.assertRaisesRegex(UserError, "frozen"):
                jan.action_recompute()
            self.invoice("2026-02-05", 200.0)
        with freeze_time("2026-03-01"):
            feb = self.close("2026-02-28", self.customer)
        self.assertEqual(jan.total_due, 1650.0, "a confirmed statement never changes")
        self.assertEqual(jan.line_ids.move_id, jan.move_ids)
        self.assertIn(inv, jan.move_ids)
        self.assertEqual(feb.previous_amount, 1650.0)
        self.assertEqual(feb.adjustment_amount, -1100.0)
        adjustment = feb.line_ids.filtered(lambda line: line.line_type == "adjustment")
        self.assertEqual(adjustment.amount_total, -1100.0)
        self.assertIn(jan.name, adjustment.description)
        self.assertEqual(feb.invoiced_amount, 220.0)
        self.assertEqual(feb.total_due, 770.0)
        self.assertReconciles(feb)

    @freeze_time("2026-02-05")
    def test_draft_statement_recompute_and_no_activity(self):
        st = self.close("2026-01-31", self.customer)
        self.assertFalse(st, "no balance and no movement: no statement")
        inv = self.invoice("2026-01-10", 1000.0)
        st = self.close("2026-01-31", self.customer)
        self.assertEqual(st.total_due, 1100.0)
        self.invoice("2026-01-11", 100.0)  # booked late in the period
        st.action_recompute()
        self.assertEqual(st.total_due, 1210.0)
        self.assertEqual(len(st.line_ids), 2)
        self.assertReconciles(st)
        # a customer with only an old balance still gets a statement next month
        with freeze_time("2026-03-01"):
            feb = self.close("2026-02-28", self.customer)
        self.assertEqual(feb.previous_amount, 1210.0)
        self.assertEqual(feb.total_due, 1210.0)
        self.assertFalse(feb.line_ids)
        self.assertIn(inv, st.move_ids)

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

    @freeze_time("2026-02-01")
    def test_confirm_send_and_report(self):
        with self.assertRaisesRegex(ValidationError, "not valid"):
            self.env.company.kakeuri_invoice_registration_number = "1234"
        self.env.company.kakeuri_invoice_registration_number = "T1234567890123"
        self.invoice("2026-01-10", 1000.0)
        self.invoice("2026-01-11", 500.0, tax=self.tax_8)
        st = self.close("2026-01-31", self.customer)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("kakeuri_ar.action_report_billing_statement", st.ids)[0]
            .decode()
        )
        for text in (
            "Invoice Statement",
            "T1234567890123",
            "Test Shoji",
            "Total Due",
            "Payment Due Date",
            "8% (reduced)",
            "(reduced rate)",
            st.name,
            st.line_ids[0].name,
        ):
            self.assertIn(text, html)
        self.assertNotIn("御中", html)
        self.env["res.lang"]._activate_lang("ja_JP")
        self.customer.lang = "ja_JP"
        html_ja = (
            self.env["ir.actions.report"]
            ._render_qweb_html("kakeuri_ar.action_report_billing_statement", st.ids)[0]
            .decode()
        )
        self.assertIn("御中", html_ja)
        self.customer.lang = "en_US"
        pdf = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("kakeuri_ar.action_report_billing_statement", st.ids)[0]
        )
        self.assertTrue(pdf.startswith(b"%PDF"))

        sent = st._send_queued()
        self.assertEqual(sent, st)
        self.assertEqual(st.state, "sent")
        self.assertTrue(st.date_confirmed)
        mail = self.env["mail.mail"].search([("model", "=", st._name), ("res_id", "=", st.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued, not sent in the run")
        self.assertIn(self.customer, mail.recipient_ids)
        self.assertIn(st.name, mail.subject)
        self.assertEqual(len(mail.attachment_ids), 1)
        # named by the report's print name (".pdf" outside tests, where the PDF is really rendered)
        self.assertTrue(mail.attachment_ids.name.startswith("株式会社テスト商事 (Test Shoji) - BS-"))
        message = st.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(message.attachment_ids, mail.attachment_ids)
        # a sent statement cannot be deleted
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            st.unlink()

    @freeze_time("2026-02-01")
    def test_send_button_opens_composer(self):
        self.invoice("2026-01-10", 1000.0)
        st = self.close("2026-01-31", self.customer)
        action = st.action_send()
        self.assertEqual(st.state, "confirmed")
        composer = Form(self.env["mail.compose.message"].with_context(action["context"]))
        composer.save().action_send_mail()
        self.assertEqual(st.state, "sent")
        self.assertEqual(
            self.env["mail.mail"].search([("model", "=", st._name), ("res_id", "=", st.id)]).state, "outgoing"
        )

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
        action = wizard.action_run()
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
        again.action_run()
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
        action = form.record.action_run()
        statement = self.Statement.search(action["domain"])
        self.assertEqual(statement.state, "sent")
        self.assertEqual(statement.total_due, 1100.0)
        self.assertEqual(
            self.env["mail.mail"]
            .search([("model", "=", statement._name), ("res_id", "=", statement.id)])
            .state,
            "outgoing",
        )

    # ------------------------------------------------------------ audit fixes
    @freeze_time("2026-03-05")
    def test_confirm_oldest_first_and_refuse_earlier_draft(self):
        self.invoice("2026-01-10", 1000.0)
        self.invoice("2026-02-10", 100.0)
        jan = self.close("2026-01-31", self.customer)
        feb = self.close("2026-03-05", self.customer)
        self.assertEqual(str(feb.period_end), "2026-02-28")
        self.assertEqual((jan.total_due, feb.previous_amount), (1100.0, 1100.0))
        # booked late in January, after the drafts were made
        self.invoice("2026-01-20", 500.0)
        with self.assertRaisesRegex(UserError, "earlier statement") as caught:
            feb.action_confirm()
        self.assertIn(feb.name, str(caught.exception))
        self.assertIn(jan.name, str(caught.exception))
        self.assertEqual(feb.state, "draft")
        # confirmed together (in the list's newest-first order): January is refreshed first
        (feb | jan).action_confirm()
        self.assertEqual((jan.state, feb.state), ("confirmed", "confirmed"))
        self.assertEqual(jan.total_due, 1650.0)
        self.assertEqual(feb.previous_amount, 1650.0, "前回請求額 is January's final total")
        self.assertEqual(feb.adjustment_amount, 0.0)
        self.assertEqual(feb.total_due, 1760.0)
        self.assertReconciles(feb)

    @freeze_time("2026-02-01")
    def test_sent_statement_is_frozen(self):
        self.invoice("2026-01-10", 1000.0)
        st = self.close("2026-01-31", self.customer)
        self.assertEqual(st._send_queued(), st)
        self.assertEqual(st.state, "sent")
        number = st.name
        # no direct change of a sent statement, its lines or its tax summary
        with self.assertRaisesRegex(UserError, "frozen"):
            st.total_due = 1.0
        with self.assertRaisesRegex(UserError, "frozen"):
            st.line_ids.amount_total = 1.0
        with self.assertRaisesRegex(UserError, "frozen"):
            st.line_ids.unlink()
        with self.assertRaisesRegex(UserError, "frozen"):
            st.tax_line_ids.unlink()
        with self.assertRaisesRegex(UserError, "frozen"):
            self.env["kakeuri.billing.statement.line"].create(
                {"statement_id": st.id, "line_type": "adjustment", "amount_total": 5.0}
            )
        # the chatter still works on it
        st.message_post(body="Customer called about it")
        # cancelling is allowed, reopening under the same number is not
        self.invoice("2026-01-15", 500.0)
        st.action_cancel()
        self.assertEqual(st.state, "cancel")
        with self.assertRaisesRegex(UserError, "cannot be reset to draft") as caught:
            st.action_draft()
        self.assertIn(number, str(caught.exception))
        self.assertEqual(st.state, "cancel")
        self.assertEqual(st.total_due, 1100.0, "the cancelled statement keeps what was sent")
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            st.unlink()
        # the closing run makes a new statement under a new number
        again = self.close("2026-01-31", self.customer)
        self.assertNotEqual(again.name, number)
        self.assertEqual(again.total_due, 1650.0)
        # a statement cancelled before it was ever confirmed may go back to draft
        again.action_cancel()
        again.action_draft()
        self.assertEqual(again.state, "draft")
        again.unlink()

    def test_messages_name_records(self):
        with (
            self.assertRaisesRegex(ValidationError, "after its closing date") as caught,
            self.env.cr.savepoint(),
        ):
            self.Statement.create(
                {"partner_id": self.customer.id, "period_start": "2026-02-01", "period_end": "2026-01-31"}
            )
        self.assertIn("Test Shoji", str(caught.exception))
        self.assertIn("02/01/2026", str(caught.exception))
        with freeze_time("2026-03-01"):
            self.invoice("2026-01-10", 1000.0)
            jan = self.close("2026-01-31", self.customer)
            feb = self.close("2026-02-28", self.customer)
            (jan | feb).action_confirm()
        with self.assertRaisesRegex(UserError, "cannot be cancelled") as caught:
            jan.action_cancel()
        self.assertIn(feb.name, str(caught.exception))
        self.assertEqual(jan.state, "confirmed")

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
