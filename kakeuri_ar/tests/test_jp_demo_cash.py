# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Japanese demo company's day of cash application, as a clerk does it in the browser:
import yesterday's bank file, look at the proposals and their reasons, reconcile; then import
the direct debit result, one debit failing back to dunning."""

import base64

from odoo.tests import TransactionCase, tagged

from odoo.addons.kakeuri_ar.tools.kana import normalize_payer_name


@tagged("post_install", "-at_install")
class TestJpDemoCash(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("kakeuri_ar.jp_demo_company")
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company.ids))
        cls.journal = cls.env.ref("kakeuri_ar.jp_demo_bank_journal")

    def partner(self, name):
        return self.env.ref(f"kakeuri_ar.jp_demo_{name}")

    def test_bank_file_matched_and_reconciled(self):
        # as the demo's accountant, with her own rights
        clerk = self.env(user=self.env.ref("kakeuri_ar.jp_demo_user_keiri"))
        attachment = clerk["ir.attachment"].search(
            [("res_model", "=", "account.journal"), ("res_id", "=", self.journal.id)]
        )
        self.assertEqual(len(attachment), 1)
        wizard = clerk["kakeuri.bank.import.wizard"].create(
            {"journal_id": self.journal.id, "data_file": attachment.datas, "filename": attachment.name}
        )
        wizard.action_import()
        lines = clerk["account.bank.statement.line"].search(
            [("journal_id", "=", self.journal.id), ("kakeuri_bank_ref", "!=", False)]
        )
        self.assertEqual(len(lines), 7, "the seven transfers; the withdrawal is not imported")
        lines.action_kakeuri_match()
        # banks write small kana large (ｼｮ → ｼﾖ): the lines are found by their matching key
        by_payer = {normalize_payer_name(line.partner_name): line for line in lines}
        expected = {
            "ｶ)ﾔﾏﾄｼｮｳｼﾞ": ("suggested", "yamato"),
            "ｶ)ｱｵﾊﾞｼｮｸﾋﾝ": ("suggested", "aoba"),
            "ｶ)ﾐﾄﾞﾘﾃﾞﾝｷ": ("suggested", "midori"),
            "ｽｽﾞｷ ﾀﾛｳ": ("suggested", "suzuki"),
            "ﾄｳｻﾞｲ ｹｲﾘﾌﾞ": ("suggested", "tozai"),
        }
        for payer, (state, partner) in expected.items():
            with self.subTest(payer=payer):
                line = by_payer[normalize_payer_name(payer)]
                self.assertEqual(line.kakeuri_match_state, state, line.kakeuri_match_reason)
                self.assertEqual(line.kakeuri_match_partner_id, self.partner(partner))
                self.assertTrue(line.kakeuri_match_reason)
        self.assertEqual(by_payer[normalize_payer_name("ｶ)ｱｵﾊﾞｼｮｸﾋﾝ")].kakeuri_match_fee, 440)
        self.assertEqual(by_payer[normalize_payer_name("ｻｸﾗ")].kakeuri_match_state, "ambiguous")
        self.assertEqual(
            by_payer[normalize_payer_name("ｻｸﾗ")].kakeuri_match_candidate_ids,
            self.partner("sakura_shoten") | self.partner("sakura_kogyo"),
        )
        self.assertEqual(by_payer[normalize_payer_name("ﾀﾅｶ ｲﾁﾛｳ")].kakeuri_match_state, "none")
        statement = self.env["kakeuri.billing.statement"].search(
            [("partner_id", "=", self.partner("midori").id)]
        )
        self.assertEqual(
            by_payer[normalize_payer_name("ｶ)ﾐﾄﾞﾘﾃﾞﾝｷ")].kakeuri_match_move_ids, statement.line_ids.move_id
        )
        suggested = lines.filtered(lambda line: line.kakeuri_match_state == "suggested")
        moves = suggested.kakeuri_match_move_ids
        suggested.action_kakeuri_reconcile()
        self.assertEqual(set(moves.mapped("payment_state")) - {"paid", "in_payment"}, set())
        self.assertEqual(set(suggested.mapped("kakeuri_match_state")), {"matched"})
        fee_account = self.company.kakeuri_fee_account_id
        fee_lines = by_payer[normalize_payer_name("ｶ)ｱｵﾊﾞｼｮｸﾋﾝ")].move_id.line_ids.filtered(
            lambda ml: ml.account_id == fee_account
        )
        # ¥440 with its 10 % tax (¥400 + ¥40) when the chart has a 10 % purchase tax
        self.assertEqual(sum(fee_lines.mapped("balance")), 400 if self.company.kakeuri_fee_tax_id else 440)

    def test_debit_result_with_one_failure(self):
        run = self.env.ref("kakeuri_ar.jp_demo_debit_run")
        self.assertEqual(run.state, "exported")
        self.assertEqual(len(run.line_ids), 2)
        result = self.env["ir.attachment"].search(
            [("res_model", "=", run._name), ("res_id", "=", run.id), ("name", "=like", "zengin_91_result_%")]
        )
        run.action_import_result(base64.b64decode(result.datas))
        iroha = run.line_ids.filtered(lambda line: line.partner_id == self.partner("iroha"))
        hokuto = run.line_ids - iroha
        self.assertRecordValues(iroha, [{"state": "failed", "result_code": "1"}])
        self.assertEqual(hokuto.state, "paid")
        self.assertEqual(set(hokuto.move_ids.mapped("payment_state")) - {"paid", "in_payment"}, set())
        self.assertTrue(
            self.env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("res_id", "=", iroha.partner_id.id)]
            )
            or self.env["mail.activity"].search([("res_model", "=", run._name), ("res_id", "=", run.id)])
        )
        self.assertEqual(run.state, "done")
        # the failed customer's invoice is overdue-able again: dunning may pick it up
        self.assertTrue(any(m.amount_residual for m in iroha.move_ids))
