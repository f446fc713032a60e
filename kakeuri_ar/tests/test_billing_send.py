# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The printed statement and its sending by mail."""

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common.billing import KakeuriBillingCommon


@tagged("post_install", "-at_install")
class TestBillingSend(KakeuriBillingCommon):
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
        # a link to the statement in the portal, where it can be paid online
        self.assertTrue(st.access_token)
        self.assertIn(f"/my/billing_statements/{st.id}?access_token={st.access_token}", mail.body_html)
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
