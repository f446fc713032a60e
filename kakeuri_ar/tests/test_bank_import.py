# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Importing the bank's file (kakeuri.bank.import.wizard): Zengin 01 and 03 files and CSV
into statement lines of a yen bank journal, in a JPY company and in a USD one, and every
refusal leaving nothing behind."""

import base64

from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.kakeuri_ar.tools import zengin

from .common.jp import KakeuriJpCommon
from .common.zengin import D, header, statement_txs, tx


@tagged("post_install", "-at_install")
class TestBankImport(KakeuriJpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.currency.rate"].create(
            {"name": "2018-01-01", "rate": 150.0, "currency_id": cls.jpy.id, "company_id": cls.usd_company.id}
        )
        cls.jp_bank_journal.bank_account_id = cls._bank_account(cls.jp_company_data["company"], "1234567")
        # A US company's yen account, its number written with bank and branch codes.
        cls.usd_yen_journal = cls.env["account.journal"].create(
            {
                "name": "MUFG Yen",
                "code": "BJPY",
                "type": "bank",
                "currency_id": cls.jpy.id,
                "company_id": cls.usd_company_data["company"].id,
                "bank_account_id": cls._bank_account(cls.usd_company_data["company"], "0005-123-1234567").id,
            }
        )
        cls.yen_journals = (cls.jp_bank_journal, cls.usd_yen_journal)

    @classmethod
    def _bank_account(cls, company, number):
        return cls.env["res.partner.bank"].create({"acc_number": number, "partner_id": company.partner_id.id})

    def _wizard(self, journal, data, filename="nyushukkin.txt", **vals):
        return (
            self.env["kakeuri.bank.import.wizard"]
            .with_company(journal.company_id)
            .create(
                {"journal_id": journal.id, "data_file": base64.b64encode(data), "filename": filename, **vals}
            )
        )

    def _import(self, journal, data, **vals):
        action = self._wizard(journal, data, **vals).action_import()
        self.assertEqual(action["domain"][0][:2], ("statement_id", "="))
        return self.env["account.bank.statement"].browse(action["domain"][0][2])

    def _lines(self, journal):
        return self.env["account.bank.statement.line"].search([("journal_id", "=", journal.id)], order="id")

    def assertRefused(self, journal, data, *fragments, **vals):
        """The import raises a UserError holding ``fragments`` and writes nothing."""
        statements = self.env["account.bank.statement"].search_count([])
        lines = self._lines(journal)
        with self.assertRaises(UserError) as caught:
            self._import(journal, data, **vals)
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))
        self.assertIn("Nothing was imported", str(caught.exception))
        self.assertEqual(self.env["account.bank.statement"].search_count([]), statements)
        self.assertEqual(self._lines(journal), lines)
        return str(caught.exception)

    def test_statement_file_credits_become_lines(self):
        for journal in self.yen_journals:
            with self.subTest(company=journal.company_id.name):
                data = zengin.write_zengin(header(), statement_txs())
                statement = self._import(journal, data)
                self.assertEqual(statement.journal_id, journal)
                self.assertIn("nyushukkin.txt", statement.name)
                self.assertEqual(statement.kakeuri_import_filename, "nyushukkin.txt")
                self.assertEqual(statement.attachment_ids.raw, data)
                lines = statement.line_ids.sorted("date")
                self.assertEqual(len(lines), 2, "the withdrawal (出金) is left out")
                first, second = lines
                self.assertEqual((first.date, first.amount), (D(2026, 3, 2), 110000))
                self.assertEqual(first.partner_name, "ｶ)ﾏﾙｲﾁｼﾖｳｼﾞ")
                self.assertEqual(first.payment_ref, "ﾌﾘｺﾐ INV2026000012")
                self.assertEqual(first.kakeuri_bank_ref, "20260302-00000101")
                self.assertEqual(first.transaction_details["payer_bank"], "")
                self.assertEqual(first.currency_id.name, "JPY")
                self.assertEqual((second.date, second.amount), (D(2026, 3, 4), 54560))
                self.assertEqual(second.payment_ref, "ﾐﾅﾄﾌﾞﾂﾘﾕｳ(ﾕ", "no remarks: the payer's name")

    def test_transfer_notice_without_separator_in_heisei(self):
        txs = [
            tx("000501", 88000, day=D(2018, 3, 15), payer_name="ｱｵﾊﾞｼﾖｳｼﾞ", edi="BS201803"),
            tx("000502", 1200, day=D(2018, 3, 16), payer_name="ﾎｸﾄ", cancel="1"),
        ]
        period = {"created": D(2018, 3, 16), "date_from": D(2018, 3, 15), "date_to": D(2018, 3, 16)}
        data = zengin.write_zengin(header("01", **period), txs, separator=b"", eof=True)
        self.assertEqual(data[4:10], b"300316", "平成30")
        statement = self._import(self.jp_bank_journal, data, filename="furikomi.dat")
        line = statement.line_ids
        self.assertEqual((line.date, line.amount, line.partner_name), (D(2018, 3, 15), 88000, "ｱｵﾊﾞｼﾖｳｼﾞ"))
        self.assertEqual((line.payment_ref, line.kakeuri_bank_ref), ("BS201803", "20180315-000501"))

    def test_refusals_import_nothing(self):
        journal = self.jp_bank_journal
        data = zengin.write_zengin(header(), statement_txs())
        self._import(journal, data)
        self.assertRefused(journal, data, "nyushukkin.txt", "already imported")
        again = zengin.write_zengin(header(), [tx("00000201", 500), statement_txs()[2]])
        message = self.assertRefused(journal, again, "record 3", "20260304-00000103")
        self.assertIn(self._lines(journal)[-1].statement_id.name, message)
        twice = zengin.write_zengin(header(), [tx("00000301", 500), tx("00000301", 600)])
        self.assertRefused(journal, twice, "record 3", "record 2", "20260302-00000301")
        fresh = zengin.write_zengin(header(), [tx("00000401", 700), tx("00000402", 800)])
        self.assertRefused(journal, fresh[:-250], "record 4", "200")
        trailer = zengin.ZenginTrailer(credit_count=2, credit_amount=1400)
        wrong = zengin.write_zengin(header(), [tx("00000401", 700), tx("00000402", 800)], trailer=trailer)
        self.assertRefused(journal, wrong, "record 4", "入金額合計", "2 / 1400", "2 / 1500")
        other = zengin.write_zengin(header(account="7654321"), [tx("00000401", 700)])
        self.assertRefused(journal, other, "0005-123 7654321", journal.bank_account_id.acc_number)
        letters = fresh.replace(b"000000000700", b"0000000007OO")
        self.assertRefused(journal, letters, "record 2", "取引金額", "0000000007OO")

    def test_journal_must_be_a_yen_account_with_a_number(self):
        data = zengin.write_zengin(header(), statement_txs())
        with self.assertRaises(UserError) as caught:
            self._import(self.usd_bank_journal, data)
        self.assertIn("USD", str(caught.exception))
        self.assertFalse(self._lines(self.usd_bank_journal))
        journal = self.jp_bank_journal.copy({"code": "BNN", "bank_account_id": False})
        journal.name = "No Number"
        self.assertRefused(journal, data, "No Number", "0005-123 1234567")

    def test_csv_with_mapping_in_cp932(self):
        text = (
            "取引日,摘要,お預り金額,照会番号,振込依頼人\r\n"
            '2026年03月02日,請求書 INV/2026/00012,"110,000",A-1,ｶ)ﾏﾙｲﾁｼﾖｳｼﾞ\r\n'
            "2026年03月03日,電気料,-33000,A-2,\r\n"
            "2026年03月04日,,54560,A-3,株式会社みなと物流\r\n"
        )
        journal = self.jp_bank_journal
        mapping = {
            "file_format": "auto",
            "csv_encoding": "cp932",
            "csv_date_format": "%Y年%m月%d日",
            "csv_date_col": 1,
            "csv_remarks_col": 2,
            "csv_amount_col": 3,
            "csv_ref_col": 4,
            "csv_payer_col": 5,
        }
        statement = self._import(journal, text.encode("cp932"), filename="meisai.csv", **mapping)
        lines = statement.line_ids.sorted("date")
        self.assertEqual(lines.mapped("amount"), [110000, 54560], "the withdrawal is left out")
        self.assertEqual(lines.mapped("partner_name"), ["ｶ)ﾏﾙｲﾁｼﾖｳｼﾞ", "株式会社みなと物流"])
        self.assertEqual(lines.mapped("payment_ref"), ["請求書 INV/2026/00012", "株式会社みなと物流"])
        self.assertEqual(lines.mapped("kakeuri_bank_ref"), ["A-1", "A-3"])
        self.assertEqual((journal.kakeuri_csv_encoding, journal.kakeuri_csv_payer_col), ("cp932", 5))
        remembered = self._wizard(journal, b"x")
        self.assertEqual((remembered.csv_date_format, remembered.csv_amount_col), ("%Y年%m月%d日", 3))
        as_utf8 = {**mapping, "csv_encoding": "utf-8"}
        self.assertRefused(journal, text.encode("cp932"), "line 1", "UTF-8", filename="sjis.csv", **as_utf8)
        bad_date = text.replace("2026年03月04日", "2026-03-04").encode("cp932")
        self.assertRefused(journal, bad_date, "line 4", "2026-03-04", "%Y年%m月%d日", **mapping)

    def test_csv_in_usd(self):
        text = 'date,amount,payer\n03/02/2026,"1,234.50",ACME Corp\n03/03/2026,(20.00),Bank fee\n'
        journal = self.usd_bank_journal
        statement = self._import(journal, text.encode(), filename="usd.csv", csv_date_format="%m/%d/%Y")
        self.assertEqual(statement.line_ids.mapped("amount"), [1234.5])
        self.assertEqual(statement.line_ids.partner_name, "ACME Corp")
        self.assertFalse(statement.line_ids.kakeuri_bank_ref, "no reference column")

    def test_opened_from_the_journal(self):
        action = self.jp_bank_journal.action_kakeuri_import_bank_file()
        self.assertEqual(action["res_model"], "kakeuri.bank.import.wizard")
        wizard = (
            self.env["kakeuri.bank.import.wizard"]
            .with_context(action["context"])
            .create({"data_file": base64.b64encode(b"x")})
        )
        self.assertEqual(wizard.journal_id, self.jp_bank_journal)
        data = zengin.write_zengin(header(), statement_txs())
        wizard.write({"data_file": base64.b64encode(data), "filename": "a.txt"})
        result = wizard.action_import()
        self.assertEqual(result["res_model"], "account.bank.statement.line")
        self.assertEqual(len(self.env[result["res_model"]].search(result["domain"])), 2)

    def test_bank_reference_unique_per_journal_in_the_database(self):
        vals = {"date": "2026-03-02", "amount": 100, "payment_ref": "x", "kakeuri_bank_ref": "20260302-1"}
        Line = self.env["account.bank.statement.line"]
        Line.create({**vals, "journal_id": self.jp_bank_journal.id})
        Line.create({**vals, "journal_id": self.usd_yen_journal.id})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            Line.create({**vals, "journal_id": self.jp_bank_journal.id})
