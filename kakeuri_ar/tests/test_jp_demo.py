# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Japanese demo company: created once, whatever the number of calls."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestJpDemo(TransactionCase):
    def test_demo_company_is_idempotent(self):
        Company = self.env["res.company"]
        company = Company._kakeuri_demo_japanese_company()
        again = Company._kakeuri_demo_japanese_company()
        self.assertEqual(again, company)
        self.assertEqual(Company.search_count([("name", "=", "株式会社サンプル商事")]), 1)
        self.assertEqual(company.currency_id, self.env.ref("base.JPY"))
        self.assertEqual(company.country_id.code, "JP")
        self.assertEqual(company.kakeuri_invoice_registration_number, "T1234567890123")
        l10n_jp = self.env["ir.module.module"]._get("l10n_jp").state == "installed"
        self.assertEqual(company.chart_template, "jp" if l10n_jp else "generic_coa")
        journal = self.env.ref("kakeuri_ar.jp_demo_bank_journal")
        self.assertEqual(journal.company_id, company)
        account = journal.bank_account_id
        self.assertEqual(
            (account.bank_id.kakeuri_bank_code, account.kakeuri_branch_code, account.kakeuri_account_type),
            ("0001", "100", "ordinary"),
        )
        self.assertEqual(account.kakeuri_holder_kana, "ｶ)ｻﾝﾌﾟﾙｼｮｳｼﾞ")
        accounts = self.env["res.partner.bank"].search([("partner_id", "=", company.partner_id.id)])
        self.assertEqual(accounts, account)
        users = self.env["res.users"].search([("login", "in", ("keiri", "kaishu"))])
        self.assertEqual(sorted(users.mapped("login")), ["kaishu", "keiri"])
        for user in users:
            self.assertEqual(user.lang, "ja_JP")
            self.assertEqual(user.company_ids, company)
        keiri = users.filtered(lambda u: u.login == "keiri")
        self.assertTrue(keiri.has_group("kakeuri_ar.group_credit_manager"))
        kaishu = users.filtered(lambda u: u.login == "kaishu")
        self.assertTrue(kaishu.has_group("kakeuri_ar.group_ar_user"))
        self.assertFalse(kaishu.has_group("kakeuri_ar.group_credit_manager"))
        self.assertIn(company, self.env.ref("base.user_admin").company_ids)
