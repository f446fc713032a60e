# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Japanese documents: the billing statement and the qualified invoice of a JPY company (issuer
in Japanese order, transfer account with branch and kana holder, 摘要 with ※ for reduced-rate
items, A4 paper, yen without decimals), beside the USD company's, and the demo set-up."""

import io
import re
from unittest.mock import patch

import xlsxwriter
from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.base.models.ir_actions_report import IrActionsReport

from .common.jp import KakeuriJpCommon

STATEMENT_REPORT = "kakeuri_ar.action_report_billing_statement"
INVOICE_REPORT = "account.account_invoices"


@tagged("post_install", "-at_install")
class TestJpDocuments(KakeuriJpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ja_JP")
        cls.jp_company.write(
            {
                "state_id": cls.env.ref("base.state_jp_jp-13").id,
                "zip": "100-0005",
                "city": "千代田区",
                "street": "丸の内1-1-1",
                "phone": "03-1234-5678",
                "kakeuri_invoice_registration_number": "T1234567890123",
                "kakeuri_print_seal_box": True,
            }
        )
        bank = cls.env["res.bank"].create({"name": "みずほ銀行", "kakeuri_bank_code": "0001"})
        cls.jp_account = cls.env["res.partner.bank"].create(
            {
                "partner_id": cls.jp_company.partner_id.id,
                "bank_id": bank.id,
                "acc_number": "7654321",
                "kakeuri_branch_name": "本店",
                "kakeuri_branch_code": "100",
                "kakeuri_account_type": "ordinary",
                "kakeuri_holder_kana": "ｶ)ﾃｽﾄｼｮｳｼﾞ",
            }
        )
        cls.worlds = {}
        for key, data in (("jp", cls.jp_company_data), ("usd", cls.usd_company_data)):
            company = data["company"]
            taxes = {
                rate: cls.env["account.tax"].create(
                    {
                        "name": f"{rate}% kakeuri",
                        "amount": rate,
                        "amount_type": "percent",
                        "type_tax_use": "sale",
                        "company_id": company.id,
                    }
                )
                for rate in (10.0, 8.0)
            }
            customer = cls.kakeuri_customer(
                data, f"{key} 株式会社テスト顧客", kakeuri_closing_day=31, lang="en_US"
            )
            cls.worlds[key] = {"data": data, "taxes": taxes, "customer": customer}

    # ------------------------------------------------------------------ helpers
    def taxed_invoice(self, key, date="2026-01-10"):
        world = self.worlds[key]
        data = world["data"]
        lines = [("Coffee Beans", 8.0, 5000.0), ("Machine Rental", 10.0, 10000.0)]
        move = (
            self.env["account.move"]
            .with_company(data["company"])
            .create(
                {
                    "move_type": "out_invoice",
                    "company_id": data["company"].id,
                    "journal_id": data["default_journal_sale"].id,
                    "partner_id": world["customer"].id,
                    "invoice_date": date,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": name,
                                "quantity": 1,
                                "price_unit": price,
                                "account_id": data["default_account_revenue"].id,
                                "tax_ids": [Command.set(world["taxes"][rate].ids)],
                            }
                        )
                        for name, rate, price in lines
                    ],
                }
            )
        )
        move.action_post()
        return move

    def statement(self, key):
        world = self.worlds[key]
        self.taxed_invoice(key)
        with freeze_time("2026-02-01"):
            return self.env["kakeuri.billing.statement"]._cron_close_period(
                date_ref=fields.Date.to_date("2026-01-31"),
                partners=world["customer"],
                companies=world["data"]["company"],
            )

    @staticmethod
    def text_of(html, start, end):
        """The text between ``start`` and ``end`` in ``html``, tags and spacing collapsed."""
        block = html.split(start, 1)[1].split(end, 1)[0]
        text = re.sub(r"<[^>]+>|^[^>]*>", " ", block).replace("\xa0", " ").replace("&nbsp;", " ")
        return " ".join(text.split())

    def html(self, report, records):
        return self.env["ir.actions.report"]._render_qweb_html(report, records.ids)[0].decode()

    # ------------------------------------------------------------------ statement
    def test_statement_of_japanese_company(self):
        statement = self.statement("jp")
        self.assertEqual(len(statement), 1)
        self.assertEqual(statement.currency_id, self.jpy)
        self.assertEqual(statement.invoiced_amount, 16400.0)  # 5,000 + 8 % and 10,000 + 10 %
        line = statement.line_ids
        self.assertEqual(line.description, "Coffee Beans, Machine Rental")
        html = self.html(STATEMENT_REPORT, statement)
        for text in (
            "株式会社テスト商事",
            "T1234567890123",
            "〒100-0005",
            "Tokyo 千代田区 丸の内1-1-1",
            "03-1234-5678",
            "kakeuri_seal_box",
            "みずほ銀行",
            "(0001)",
            "本店",
            "(100)",
            "Ordinary (普通)",
            "7654321",
            "ｶ)ﾃｽﾄｼｮｳｼﾞ",
            "Reduced tax rate item",
        ):
            self.assertIn(text, html)
        self.assertNotIn("7654321 (", html, "not the account's display name")
        self.assertRegex(html, r"Coffee Beans</span>\s*<span[^>]*> ※</span>")
        self.assertNotRegex(html, r"Machine Rental</span>\s*<span[^>]*> ※")
        self.assertIn('oe_currency_value">16,400</span>', html)
        self.assertNotRegex(html, r"16,400\.00")
        self.assertNotRegex(html, r'oe_currency_value">[\d,]+\.\d\d<')

    def test_statement_in_japanese(self):
        statement = self.statement("jp")
        self.worlds["jp"]["customer"].lang = "ja_JP"
        html = self.html(STATEMENT_REPORT, statement)
        self.assertIn("東京都千代田区丸の内1-1-1", html)
        self.assertIn("御中", html)

    def test_statement_of_usd_company(self):
        statement = self.statement("usd")
        html = self.html(STATEMENT_REPORT, statement)
        self.assertIn('oe_currency_value">16,400.00</span>', html)
        self.assertNotIn("kakeuri_seal_box", html)
        self.assertNotIn("〒", html)
        self.assertIn("Reduced tax rate item", html, "an 8 % tax is the reduced rate everywhere")

    # ------------------------------------------------------------------ paper
    def test_paper_format_follows_the_documents_company(self):
        letter = self.env.ref("base.paperformat_us")
        (self.jp_company | self.usd_company).paperformat_id = letter
        jp_statement = self.statement("jp")
        usd_statement = self.statement("usd")
        used = []

        def fake_wkhtmltopdf(report_self, bodies, report_ref=False, **kwargs):
            used.append(report_self._get_report(report_ref).get_paperformat())
            return b"%PDF-1.4 kakeuri"

        reports = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        with patch.object(IrActionsReport, "_run_wkhtmltopdf", fake_wkhtmltopdf):
            for statement in (jp_statement, usd_statement):
                # printed from the USD company: the paper is still the statement's company's
                reports.with_company(self.usd_company)._render_qweb_pdf(STATEMENT_REPORT, statement.ids)
        a4 = self.env.ref("kakeuri_ar.paperformat_jp_a4")
        self.assertEqual(used, [a4, letter])
        self.assertEqual(a4.format, "A4")

    # ------------------------------------------------------------------ invoice
    def test_qualified_invoice(self):
        invoice = self.taxed_invoice("jp")
        html = self.html(INVOICE_REPORT, invoice)
        self.assertIn("Registration No.", html)
        self.assertIn("T1234567890123", html)
        self.assertEqual(
            self.text_of(html, 'name="kakeuri_tax_by_rate"', "</table>"),
            "Tax Rate Taxable Amount Tax 10% ¥ 10,000 ¥ 1,000 8% ※ ¥ 5,000 ¥ 400",
        )
        self.assertIn("Reduced tax rate item", html)
        self.assertEqual(invoice.partner_bank_id, self.jp_account)
        self.assertEqual(
            self.text_of(html, 'name="kakeuri_transfer_account"', "ｶ)ﾃｽﾄｼｮｳｼﾞ"),
            "Please transfer to: みずほ銀行 (0001) 本店 (100) Ordinary (普通) 7654321 Account holder:",
        )
        self.assertNotIn("適格請求書", html, "English document: Odoo's title")
        self.worlds["jp"]["customer"].lang = "ja_JP"
        self.assertIn("適格請求書", self.html(INVOICE_REPORT, invoice))

    def test_invoice_without_registration_number(self):
        invoice = self.taxed_invoice("usd")
        html = self.html(INVOICE_REPORT, invoice)
        self.assertNotIn("kakeuri_tax_by_rate", html)
        self.assertNotIn("Registration No.", html)
        self.assertNotIn("※", html)
        self.assertIn("Machine Rental", html)

    def test_tax_rate_summary(self):
        summary = self.taxed_invoice("jp")._kakeuri_tax_rate_summary()
        self.assertEqual(
            summary,
            [
                {"rate": 10.0, "label": "10%", "base": 10000.0, "tax": 1000.0, "reduced": False},
                {"rate": 8.0, "label": "8%", "base": 5000.0, "tax": 400.0, "reduced": True},
            ],
        )

    # ------------------------------------------------------------------ yen elsewhere
    def test_yen_without_decimals_in_xlsx_and_mail(self):
        book = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
        xlsx = self.env["kakeuri.aging.xlsx"]
        fmt = xlsx._formats(book)
        self.assertEqual(xlsx._money_format(book, self.jpy, fmt).num_format, '"¥" #,##0;-"¥" #,##0')
        usd = self.env.ref("base.USD")
        self.assertEqual(xlsx._money_format(book, usd, fmt).num_format, '"$" #,##0.00;-"$" #,##0.00')
        book.close()
        statement = self.statement("jp")
        template = self.env.ref("kakeuri_ar.mail_template_billing_statement")
        body = template._render_field("body_html", statement.ids)[statement.id]
        self.assertIn("¥\xa016,400", body)
        self.assertNotIn("16,400.00", body)
