# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Half-width kana as banks write it: conversion, the Zengin character set, payer name keys;
and the Japanese test company these capabilities run in."""

from odoo.tests import TransactionCase

from odoo.addons.kakeuri_ar.tools.kana import (
    KanaError,
    decode_bank,
    encode_bank,
    is_bank_text,
    normalize_payer_name,
    to_halfwidth,
)

from .common.jp import KakeuriJpCommon


class TestKana(TransactionCase):
    def test_to_halfwidth(self):
        self.assertEqual(to_halfwidth("ヤマダ　タロウ"), "ﾔﾏﾀﾞ ﾀﾛｳ")
        self.assertEqual(to_halfwidth("がぎぐ"), "ｶﾞｷﾞｸﾞ")
        self.assertEqual(to_halfwidth("パン・ヴァイオリン"), "ﾊﾟﾝ･ｳﾞｧｲｵﾘﾝ")
        self.assertEqual(to_halfwidth("ＡＢＣ１２３（株）"), "ABC123(株)")
        self.assertEqual(to_halfwidth("ｶ)ｻﾝﾌﾟﾙ"), "ｶ)ｻﾝﾌﾟﾙ")

    def test_encode_bank(self):
        self.assertEqual(encode_bank("ヤマダ　タロウ", 12), "ﾔﾏﾀﾞ ﾀﾛｳ".encode("cp932") + b"    ")
        self.assertEqual(len(encode_bank("ヤマダ", 30)), 30)
        # small kana are made large, the long vowel mark becomes a hyphen, latin upper case
        self.assertEqual(encode_bank("ショーabc", 8), "ｼﾖ-ABC".encode("cp932") + b"  ")
        # cut at the width: a field never spills into the next one
        self.assertEqual(encode_bank("ｱｲｳｴｵｶｷｸｹｺ", 5), "ｱｲｳｴｵ".encode("cp932"))
        self.assertEqual(decode_bank(encode_bank("ｶ)ｻﾝﾌﾟﾙｼｮｳｼﾞ", 30)), "ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ")
        with self.assertRaises(KanaError) as caught:
            encode_bank("山田タロウ", 20)
        self.assertEqual(caught.exception.char, "山")
        self.assertIn("山田タロウ", str(caught.exception))
        self.assertTrue(is_bank_text("ﾔﾏﾀﾞ ﾀﾛｳ"))
        self.assertFalse(is_bank_text("山田"))

    def test_normalize_payer_name(self):
        cases = {
            "ｶ)ﾔﾏﾄｼｮｳｼﾞ": "ﾔﾏﾄｼﾖｼﾞ",
            "ﾔﾏﾄｼﾖｳｼﾞ(ｶ": "ﾔﾏﾄｼﾖｼﾞ",
            "ヤマトショージ（株）": "ﾔﾏﾄｼﾖｼﾞ",
            "株式会社ヤマトショウジ": "ﾔﾏﾄｼﾖｼﾞ",
            "ｶﾌﾞｼｷｶﾞｲｼｬ ﾔﾏﾄｼｮｳｼﾞ": "ﾔﾏﾄｼﾖｼﾞ",
            "(ﾕ) ｽｽﾞｷ ｻﾝｷﾞｮｳ": "ｽｽﾞｷｻﾝｷﾞﾖ",
            "スズキサンギョー有限会社": "ｽｽﾞｷｻﾝｷﾞﾖ",
            "ﾄﾞ)ｱｵﾊﾞ": "ｱｵﾊﾞ",
            "ﾔﾏﾀﾞ ﾀﾛｳ": "ﾔﾏﾀﾞﾀﾛ",
            "株式会社サンプル商事": "ｻﾝﾌﾟﾙ商事",
            "ｶﾞｸ)ｱｵﾊﾞｶﾞｸｴﾝ": "ｱｵﾊﾞｶﾞｸｴﾝ",
            "": "",
        }
        for name, key in cases.items():
            with self.subTest(name=name):
                self.assertEqual(normalize_payer_name(name), key)
        # a name that only starts like a legal form keeps it
        self.assertEqual(normalize_payer_name("ｶﾜｻｷ ﾃﾂｺｳ"), "ｶﾜｻｷﾃﾂｺ")


class TestJapaneseCompany(KakeuriJpCommon):
    def test_companies(self):
        self.assertEqual(self.jp_company.currency_id.name, "JPY")
        self.assertEqual(self.jp_company.currency_id.decimal_places, 0)
        self.assertEqual(self.usd_company.currency_id.name, "USD")
        self.assertEqual(self.jp_bank_journal.company_id, self.jp_company)
        self.assertEqual(self.jp_bank_journal.type, "bank")
        expected_chart = "jp" if self.l10n_jp_installed else "generic_coa"
        self.assertEqual(self.jp_company.chart_template, expected_chart)
        for company_data in (self.jp_company_data, self.usd_company_data):
            with self.subTest(company=company_data["company"].name):
                customer = self.kakeuri_customer(company_data, "ｶ)ﾃｽﾄ")
                invoice = self.kakeuri_invoice(company_data, customer, 1234.0, "2026-11-01", "2026-11-30")
                self.assertEqual(invoice.state, "posted")
                self.assertEqual(invoice.company_id, company_data["company"])
                self.assertEqual(str(invoice.invoice_date_due), "2026-11-30")
                self.assertEqual(invoice.amount_residual, 1234.0)
