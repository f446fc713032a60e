# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Correcting a wrong invoice (請求書の訂正・お詫び): a credit note cancels it, a payment already
applied moves to the corrected invoice, posting the corrected invoice queues one apology mail
with both invoices, the credit check counts only the difference, and statements show the
pair as a correction; in the USD and the JPY company."""

from datetime import date

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged

from .common.billing import KakeuriBillingCommon
from .common.dispute import KakeuriDisputeCommon


@tagged("post_install", "-at_install")
class TestInvoiceCorrection(KakeuriDisputeCommon):
    def correct(self, invoice, reason="The unit price was the old one", user=None):
        env = self.env(user=user) if user else self.env
        action = env["account.move"].browse(invoice.id).action_kakeuri_correct()
        wizard = (
            env[action["res_model"]]
            .with_context(**action["context"])
            .with_company(invoice.company_id)
            .create({"reason": reason})
        )
        result = wizard.action_correct()
        return self.env["account.move"].browse(result["res_id"])

    def set_price(self, move, total_untaxed):
        line = move.invoice_line_ids
        move.write(
            {"invoice_line_ids": [Command.update(line.id, {"price_unit": total_untaxed / line.quantity})]}
        )

    def apology_mails(self, move):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "account.move"),
                ("res_id", "=", move.id),
                ("subject", "ilike", "Correction of invoice"),
            ]
        )

    def test_correct_paid_invoice(self):
        """The wrong invoice was partly paid: the payment leaves it, the credit note cancels it
        in full, and the payment is applied to the corrected invoice once posted; one apology
        mail with both PDFs is queued, in the USD and the JPY company."""
        for company_data, customer, price in self.worlds:
            with self.subTest(company=company_data["company"].name):
                wrong = self.taxed_invoice(company_data, customer, price, "2026-03-01")
                currency = wrong.currency_id
                payment_line = self.pay(wrong, price / 2, "2026-03-05")
                with freeze_time("2026-03-10"):
                    corrected = self.correct(wrong, user=self.billing_user)
                credit_note = corrected.kakeuri_correction_credit_note_id
                self.assertEqual(corrected.state, "draft")
                self.assertEqual(corrected.kakeuri_corrected_move_id, wrong)
                self.assertEqual(corrected.kakeuri_correction_reason, "The unit price was the old one")
                self.assertEqual(wrong.kakeuri_correction_ids, corrected)
                self.assertEqual(credit_note.reversed_entry_id, wrong)
                self.assertEqual(credit_note.state, "posted")
                self.assertEqual(credit_note.date, date(2026, 3, 10))
                self.assertEqual(credit_note.amount_total, wrong.amount_total)
                self.assertIn("The unit price was the old one", credit_note.ref)
                self.assertEqual(wrong.payment_state, "reversed")
                self.assertEqual(credit_note.payment_state, "paid")
                self.assertFalse(payment_line.reconciled, "the payment waits for the corrected invoice")
                self.assertEqual(corrected.kakeuri_correction_payment_line_ids, payment_line)
                self.assertEqual(corrected.partner_id, customer)
                self.assertEqual(corrected.invoice_line_ids.tax_ids, wrong.invoice_line_ids.tax_ids)
                self.assertFalse(
                    self.apology_mails(corrected), "no mail before the corrected invoice is posted"
                )

                self.set_price(corrected, price * 0.8)
                with freeze_time("2026-03-11"):
                    corrected.with_user(self.billing_user).action_post()
                self.assertEqual(corrected.invoice_date, date(2026, 3, 11))
                self.assertTrue(payment_line.reconciled)
                self.assertTrue(
                    currency.is_zero(corrected.amount_residual - (corrected.amount_total - price / 2))
                )
                self.assertIn(payment_line, corrected.line_ids.matched_credit_ids.credit_move_id)

                mail = self.apology_mails(corrected)
                self.assertEqual(len(mail), 1)
                self.assertEqual(mail.state, "outgoing", "queued, not sent inside the posting")
                self.assertEqual(mail.recipient_ids, customer)
                self.assertEqual(
                    mail.subject, f"Correction of invoice {wrong.name}: corrected invoice {corrected.name}"
                )
                body = str(mail.body_html)
                for text in (wrong.name, corrected.name, credit_note.name, "The unit price was the old one"):
                    self.assertIn(text, body)
                self.assertIn("apologise", body)
                self.assertIn(currency.format(corrected.amount_residual).replace("\xa0", "&nbsp;")[-6:], body)
                self.assertEqual(
                    sorted(mail.attachment_ids.mapped("name")),
                    sorted(
                        [f"{wrong.name.replace('/', '_')}.pdf", f"{corrected.name.replace('/', '_')}.pdf"]
                    ),
                )
                self.assertTrue(all(mail.attachment_ids.mapped("raw")))
                self.assertTrue(corrected.kakeuri_correction_notified)

                # posted again after a reset to draft: no second apology
                corrected.button_draft()
                corrected.action_post()
                self.assertEqual(len(self.apology_mails(corrected)), 1)

    def test_correct_unpaid_invoice_and_refusals(self):
        company_data, customer, price = self.worlds[0]
        wrong = self.taxed_invoice(company_data, customer, price, "2026-03-01")
        with self.assertRefused("Say what is wrong with"):
            wrong._kakeuri_correct("   ")
        self.assertFalse(wrong.reversal_move_ids)
        corrected = self.correct(wrong)
        self.assertFalse(corrected.kakeuri_correction_payment_line_ids)
        with self.assertRefused("already cancelled or corrected"):
            wrong.action_kakeuri_correct()
        self.set_price(corrected, price)
        corrected.action_post()
        self.assertEqual(corrected.amount_residual, corrected.amount_total)
        self.assertEqual(len(self.apology_mails(corrected)), 1)
        draft = self.taxed_invoice(company_data, customer, price, "2026-03-01", post=False)
        with self.assertRefused("Only a posted customer invoice can be corrected"):
            draft.action_kakeuri_correct()
        bill = self.init_invoice("in_invoice", partner=customer, amounts=[500.0], post=True)
        with self.assertRefused("Only a posted customer invoice can be corrected"):
            bill.action_kakeuri_correct()

    def test_customer_without_email(self):
        company_data, _customer, price = self.worlds[0]
        customer = self.kakeuri_customer(company_data, "No Mail KK")
        corrected = self.correct(self.taxed_invoice(company_data, customer, price, "2026-03-01"))
        corrected.action_post()
        self.assertFalse(self.apology_mails(corrected))
        self.assertIn("has no email address", "\n".join(corrected.message_ids.mapped("body")))

    def test_open_dispute_settled_by_correction(self):
        company_data, customer, price = self.worlds[0]
        wrong = self.taxed_invoice(company_data, customer, price, "2026-03-01")
        dispute = self.new_dispute(wrong, 100.0)
        corrected = self.correct(wrong)
        self.assertEqual(dispute.state, "credited")
        self.assertEqual(dispute.credit_note_id, corrected.kakeuri_correction_credit_note_id)
        self.assertFalse(wrong.kakeuri_dunning_blocked)

    @freeze_time("2026-03-10")
    def test_exposure_and_credit_check_count_the_difference(self):
        """While the corrected invoice is a draft, the customer's exposure counts it once
        (the wrong invoice and its credit note net to zero); posting a corrected invoice not
        above the wrong one passes the limit check even when the customer is over its limit,
        a higher one is checked for the whole exposure."""
        company_data, customer, price = self.worlds[0]
        policy = self.env["kakeuri.credit.policy"].create(
            {
                "name": "Block (test)",
                "hold_mode": "block",
                "default_credit_limit": 2000.0,
                "block_on_overdue": False,
            }
        )
        customer.write({"kakeuri_credit_policy_id": policy.id, "credit_limit": 2000.0})
        override = self.env["account.move"].with_context(kakeuri_credit_override=True)
        wrong, other = (
            override.browse(self.taxed_invoice(company_data, customer, price, "2026-03-01", post=False).id)
            for _i in range(2)
        )  # 1,150 each
        (wrong + other).action_post()
        self.pay(wrong, 150.0, "2026-03-05")
        exposure = customer.with_company(self.usd_company)
        exposure.invalidate_recordset(["kakeuri_credit_exposure"])
        self.assertEqual(exposure.kakeuri_credit_exposure, 2150.0)
        corrected = self.correct(wrong)
        exposure.invalidate_recordset(["kakeuri_credit_exposure"])
        self.assertEqual(
            exposure.kakeuri_credit_exposure, 2150.0, "the draft correction replaces the wrong one"
        )

        # 1,150 -> 1,035 (tax included): lower, posted although 2,150 is over the 2,000 limit
        self.set_price(corrected, 900.0)
        corrected.action_post()
        self.assertEqual(corrected.state, "posted")
        exposure.invalidate_recordset(["kakeuri_credit_exposure"])
        self.assertEqual(exposure.kakeuri_credit_exposure, 2035.0)

        # a correction above the wrong invoice is checked like a new invoice
        wrong2 = override.browse(
            self.taxed_invoice(company_data, customer, 100.0, "2026-03-02", post=False).id
        )
        wrong2.action_post()
        corrected2 = self.correct(wrong2)
        self.set_price(corrected2, 200.0)
        with self.assertRefused("Credit limit exceeded"):
            corrected2.action_post()
        self.assertEqual(corrected2.state, "draft")

    def test_account_statement_labels(self):
        company_data, customer, price = self.worlds[1]
        wrong = self.taxed_invoice(company_data, customer, price, "2026-03-01")
        with freeze_time("2026-03-10"):
            corrected = self.correct(wrong)
            self.set_price(corrected, price * 0.9)
            corrected.action_post()
        credit_note = corrected.kakeuri_correction_credit_note_id
        statement = self.env["kakeuri.account.statement"].get_statement(
            customer, "2026-03-01", "2026-03-31", company=self.jp_company
        )
        labels = {line["move_id"]: line["correction"] for line in statement["lines"]}
        self.assertEqual(
            labels,
            {
                wrong.id: f"Corrected by {corrected.name}",
                credit_note.id: f"Cancels {wrong.name} (corrected by {corrected.name})",
                corrected.id: f"Correction of {wrong.name}",
            },
        )
        data = self.env["kakeuri.account.statement"]._report_data(
            self.jp_company, fields.Date.to_date("2026-03-01"), fields.Date.to_date("2026-03-31")
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("kakeuri_ar.action_report_account_statement", customer.ids, data=data)[0]
            .decode()
        )
        self.assertIn(f"Cancels {wrong.name} (corrected by {corrected.name})", html)
        self.assertIn(f"Correction of {wrong.name}", html)


@tagged("post_install", "-at_install")
class TestCorrectionOnBillingStatement(KakeuriBillingCommon):
    def test_billing_statement_shows_the_correction(self):
        with freeze_time("2026-01-05"):
            wrong = self.invoice("2026-01-05", 1000.0)
        with freeze_time("2026-01-12"):
            corrected = wrong._kakeuri_correct("Ten cases instead of eight")
            line = corrected.invoice_line_ids
            corrected.write({"invoice_line_ids": [Command.update(line.id, {"price_unit": 800.0})]})
            corrected.action_post()
        credit_note = corrected.kakeuri_correction_credit_note_id
        with freeze_time("2026-02-01"):
            statement = self.close("2026-01-31", self.customer)
        self.assertEqual(statement.move_ids, wrong | credit_note | corrected)
        self.assertEqual(statement.invoiced_amount, 880.0, "only the corrected invoice is billed")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("kakeuri_ar.action_report_billing_statement", statement.ids)[0]
            .decode()
        )
        self.assertIn(f"Cancels {wrong.name} (corrected by {corrected.name})", html)
        self.assertIn(f"Correction of {wrong.name}", html)
        self.assertIn(f"Corrected by {corrected.name}", html)
