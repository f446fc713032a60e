# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reconciling matched bank lines through the ledger: invoices paid, fee on the fee account,
overpayment left as credit, exposure freed, payer names learned by hand."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common.cash import KakeuriCashCommon


@tagged("post_install", "-at_install")
class TestCashReconcile(KakeuriCashCommon):
    def receivable(self, partner, data):
        self.env.invalidate_all()
        return partner.with_company(data["company"]).kakeuri_credit_receivable

    def fee_balance(self, line, data):
        fee_lines = line.move_id.line_ids.filtered(
            lambda aml: aml.account_id == data["company"].kakeuri_fee_account_id or aml.tax_line_id
        )
        return sum(fee_lines.mapped("balance"))

    def test_statement_paid_with_fee_and_tax(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                company = data["company"]
                company.kakeuri_fee_tax_id = data["default_tax_purchase"]
                customer = self.customer(data, "ヤマト商事", tolerance=880, kakeuri_name_kana="ﾔﾏﾄｼｮｳｼﾞ")
                invoices = self.kakeuri_invoice(data, customer, 6000, "2026-01-05") | self.kakeuri_invoice(
                    data, customer, 4000, "2026-01-15"
                )
                self.assertAlmostEqual(self.receivable(customer, data), 10000)
                line = self.match(self.bank_line(data, 9560, "ｶ)ﾔﾏﾄｼﾖｳｼﾞ"))
                self.assertEqual(line.kakeuri_match_state, "suggested")
                line.action_kakeuri_reconcile()
                self.assertEqual(line.kakeuri_match_state, "matched")
                self.assertTrue(line.is_reconciled)
                self.assertEqual(set(invoices.mapped("payment_state")) - {"paid", "in_payment"}, set())
                self.assertAlmostEqual(self.fee_balance(line, data), 440)
                tax_line = line.move_id.line_ids.filtered("tax_line_id")
                self.assertEqual(tax_line.tax_line_id, data["default_tax_purchase"])
                self.assertTrue(company.currency_id.is_zero(sum(line.move_id.line_ids.mapped("balance"))))
                # the customer's credit is freed at once
                self.assertAlmostEqual(self.receivable(customer, data), 0)
                company.kakeuri_fee_tax_id = False

    def test_overpayment_left_as_credit(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                customer = self.customer(data, "Overpayer", kakeuri_name_kana="ｵｰﾊﾞｰﾍﾟｲ")
                invoice = self.kakeuri_invoice(data, customer, 1000, "2026-01-03")
                line = self.match(self.bank_line(data, 1300, "ｵｰﾊﾞｰﾍﾟｲ"))
                line.action_kakeuri_reconcile()
                self.assertIn(invoice.payment_state, ("paid", "in_payment"))
                self.assertAlmostEqual(self.receivable(customer, data), -300)
                self.assertAlmostEqual(self.fee_balance(line, data), 0)

    def test_hand_completion_teaches_payer_name(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                one = self.customer(data, "ミナト", kakeuri_name_kana="ﾐﾅﾄ")
                two = self.customer(data, "みなと", kakeuri_name_kana="ﾐﾅﾄ")
                invoice = self.kakeuri_invoice(data, two, 3000, "2026-01-03")
                self.kakeuri_invoice(data, one, 5000, "2026-01-03")
                line = self.match(self.bank_line(data, 2700, "ﾐﾅﾄ"))
                self.assertEqual(line.kakeuri_match_state, "ambiguous")
                form = Form(line, view="kakeuri_ar.view_account_bank_statement_line_kakeuri_match_form")
                form.kakeuri_match_partner_id = two
                form.kakeuri_match_move_ids.add(invoice)
                form.save()
                self.assertTrue(line.kakeuri_match_manual)
                # no tolerance and the customer bears the fee: the shortfall stays open
                self.assertAlmostEqual(line.kakeuri_match_fee, 0)
                line.action_kakeuri_reconcile()
                self.assertEqual(invoice.payment_state, "partial")
                self.assertAlmostEqual(invoice.amount_residual, 300)
                learned = self.env["kakeuri.payer.name"].search([("company_id", "=", data["company"].id)])
                self.assertEqual(learned.mapped("name"), ["ﾐﾅﾄ"])
                self.assertEqual(learned.partner_id, two)
                # next time the learned name decides
                self.kakeuri_invoice(data, two, 800, "2026-02-03")
                line = self.match(self.bank_line(data, 1100, "ﾐﾅﾄ"))
                self.assertEqual(line.kakeuri_match_partner_id, two)
                self.assertIn("Learned payer name", line.kakeuri_match_reason)

    def test_fee_bearer_company_accepts_any_shortfall(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                bears = self.customer(data, "Fees On Us", bearer="company")
                strict = self.customer(data, "Fees On Them", tolerance=100)
                for customer in (bears, strict):
                    invoice = self.kakeuri_invoice(data, customer, 5000, "2026-01-03")
                    line = self.bank_line(data, 4340, "ﾃﾃﾞ")
                    line.write(
                        {
                            "kakeuri_match_partner_id": customer.id,
                            "kakeuri_match_move_ids": [Command.set(invoice.ids)],
                            "kakeuri_match_fee": 660,
                            "kakeuri_match_manual": True,
                        }
                    )
                    if customer == strict:
                        with self.assertRaisesRegex(UserError, "more than"):
                            line.action_kakeuri_reconcile()
                        continue
                    line.action_kakeuri_reconcile()
                    self.assertIn(invoice.payment_state, ("paid", "in_payment"))
                    self.assertAlmostEqual(self.fee_balance(line, data), 660)

    def test_reconcile_all_suggested(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                customer = self.customer(data, "Batch Payer", kakeuri_name_kana="ﾊﾞｯﾁ")
                invoices = [
                    self.kakeuri_invoice(data, customer, 100 * n, "2026-01-0%s" % n) for n in (1, 2, 3)
                ]
                lines = [self.bank_line(data, 100 * n, "ﾊﾞｯﾁ", invoices[n - 1].name) for n in (1, 2, 3)]
                lines = self.match(*lines)
                self.assertEqual(set(lines.mapped("kakeuri_match_state")), {"suggested"})
                lines.action_kakeuri_reconcile()
                self.assertEqual(set(lines.mapped("kakeuri_match_state")), {"matched"})
                # reconciling again changes nothing
                partials = self.env["account.partial.reconcile"].search_count(
                    [("debit_move_id.move_id", "in", [inv.id for inv in invoices])]
                )
                lines.action_kakeuri_reconcile()
                self.assertEqual(
                    self.env["account.partial.reconcile"].search_count(
                        [("debit_move_id.move_id", "in", [inv.id for inv in invoices])]
                    ),
                    partials,
                )
                self.assertAlmostEqual(self.receivable(customer, data), 0)
