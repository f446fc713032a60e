# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Japanese bank accounts: bank code, branch, deposit type and holder kana, validated."""

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestJpBankAccounts(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank = cls.env["res.bank"].create({"name": "みずほ銀行", "kakeuri_bank_code": "0001"})
        cls.holder = cls.env["res.partner"].create({"name": "株式会社テスト", "is_company": True})

    def account(self, **vals):
        return self.env["res.partner.bank"].create(
            {
                "acc_number": vals.pop("acc_number", "1234567"),
                "partner_id": self.holder.id,
                "bank_id": self.bank.id,
                **vals,
            }
        )

    def test_complete_account(self):
        account = self.account(
            kakeuri_branch_name="本店",
            kakeuri_branch_code="100",
            kakeuri_account_type="ordinary",
            kakeuri_holder_kana="ｶ)ﾃｽﾄ",
        )
        self.assertEqual(account.kakeuri_bank_code, "0001")
        self.assertEqual(account.kakeuri_branch_code, "100")
        self.assertEqual(account.kakeuri_account_type, "ordinary")
        self.assertEqual(account.kakeuri_holder_kana, "ｶ)ﾃｽﾄ")

    def test_bank_code_is_four_digits(self):
        for code in ("001", "00011", "A001", "０００１"):
            with self.subTest(code=code), self.assertRaises(ValidationError) as caught:
                self.bank.kakeuri_bank_code = code
            self.assertIn(code, str(caught.exception))
            self.assertIn("みずほ銀行", str(caught.exception))

    def test_branch_code_is_three_digits(self):
        for code in ("10", "1000", "1O0"):
            with self.subTest(code=code), self.assertRaises(ValidationError) as caught:
                self.account(acc_number="765432" + str(len(code)), kakeuri_branch_code=code)
            self.assertIn(code, str(caught.exception))
            self.assertIn("765432", str(caught.exception))

    def test_holder_kana_is_half_width(self):
        account = self.account(kakeuri_holder_kana="カ）サンプルショウジ")
        self.assertEqual(account.kakeuri_holder_kana, "ｶ)ｻﾝﾌﾟﾙｼｮｳｼﾞ")
        account.kakeuri_holder_kana = "やまだ　たろう"
        self.assertEqual(account.kakeuri_holder_kana, "ﾔﾏﾀﾞ ﾀﾛｳ")

    def test_holder_kana_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.account(acc_number="7654321", kakeuri_holder_kana="株式会社サンプル")
        message = str(caught.exception)
        self.assertIn("7654321", message)
        self.assertIn("株式会社ｻﾝﾌﾟﾙ", message)
        self.assertIn("株", message)
        with self.assertRaises(ValidationError) as caught:
            self.account(acc_number="7654322", kakeuri_holder_kana="ｱ" * 31)
        self.assertIn("31", str(caught.exception))
