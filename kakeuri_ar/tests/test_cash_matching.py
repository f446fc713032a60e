# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Cash matching proposals: each rule, in the JPY company and the USD one."""

from odoo.tests import tagged

from .common.cash import KakeuriCashCommon


@tagged("post_install", "-at_install")
class TestCashMatching(KakeuriCashCommon):
    def test_billing_statement_in_remarks_with_fee(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                yamato = self.customer(data, "ヤマト商事株式会社", tolerance=880)
                invoices = [
                    self.kakeuri_invoice(data, yamato, amount, "2026-01-%02d" % day)
                    for amount, day in ((1000, 5), (2000, 10), (3000, 20))
                ]
                statement = self.confirmed_statement(data, yamato)
                self.assertEqual(statement.state, "confirmed")
                line = self.match(self.bank_line(data, 5560, "ﾀﾞﾚｶ", "ｾｲｷﾕｳ %s" % statement.name))
                self.assertProposal(
                    line,
                    "suggested",
                    yamato,
                    invoices[0] | invoices[1] | invoices[2],
                    fee=440,
                    reason=(statement.name, "fee"),
                )

    def test_invoice_number_and_customer_code_in_remarks(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                customer = self.customer(data, "Code Customer", ref="K-%s" % data["company"].id)
                first = self.kakeuri_invoice(data, customer, 1500, "2026-01-05")
                second = self.kakeuri_invoice(data, customer, 2500, "2026-01-06")
                line = self.match(self.bank_line(data, 2500, "ｺｰﾄﾞ", "PAY %s THANKS" % second.name.lower()))
                self.assertProposal(line, "suggested", customer, second, reason=(second.name,))
                line = self.match(self.bank_line(data, 4000, "ｺｰﾄﾞ", "ＫＩＮ %s" % customer.ref))
                self.assertProposal(line, "suggested", customer, first | second, reason=(customer.ref, "2"))

    def test_learned_payer_name(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                customer = self.customer(data, "Learned Customer")
                invoice = self.kakeuri_invoice(data, customer, 7100, "2026-01-05")
                self.kakeuri_invoice(data, customer, 900, "2026-01-25")
                self.env["kakeuri.payer.name"].create(
                    {"name": "ﾏﾙﾏﾙ ｼﾖｳｼﾞ", "partner_id": customer.id, "company_id": data["company"].id}
                )
                line = self.match(self.bank_line(data, 7100, "ｶ)ﾏﾙﾏﾙｼｮｰｼﾞ"))
                self.assertProposal(line, "suggested", customer, invoice, reason=("Learned payer name",))

    def test_customer_kana_name_oldest_items(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                customer = self.customer(data, "有限会社みどり園芸", kakeuri_name_kana="ミドリエンゲイ")
                old = self.kakeuri_invoice(data, customer, 1200, "2026-01-03")
                mid = self.kakeuri_invoice(data, customer, 800, "2026-01-09")
                self.kakeuri_invoice(data, customer, 5000, "2026-01-30")
                line = self.match(self.bank_line(data, 2000, "ﾕ)ﾐﾄﾞﾘｴﾝｹﾞｲ"))
                self.assertProposal(line, "suggested", customer, old | mid, reason=("2",))

    def test_amount_alone(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                customer = self.customer(data, "Amount Only %s" % data["company"].id)
                invoice = self.kakeuri_invoice(data, customer, 12345, "2026-01-03")
                line = self.match(self.bank_line(data, 12345, "ｼﾗﾅｲ ﾅﾏｴ"))
                self.assertProposal(line, "suggested", customer, invoice, reason=(invoice.name,))

    def test_fee_over_tolerance_not_guessed(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                customer = self.customer(data, "Tolerant", tolerance=880, kakeuri_name_kana="ﾄﾚﾗﾝﾄ")
                self.kakeuri_invoice(data, customer, 10000, "2026-01-03")
                line = self.match(self.bank_line(data, 9000, "ﾄﾚﾗﾝﾄ"))
                self.assertProposal(line, "none", customer, self.env["account.move"])
                line = self.match(self.bank_line(data, 9120, "ﾄﾚﾗﾝﾄ"))
                self.assertEqual(line.kakeuri_match_state, "suggested")
                self.assertAlmostEqual(line.kakeuri_match_fee, 880)

    def test_overpayment_keeps_credit(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                customer = self.customer(data, "Overpayer", kakeuri_name_kana="ｵｰﾊﾞｰ")
                invoices = self.kakeuri_invoice(data, customer, 1000, "2026-01-03") | self.kakeuri_invoice(
                    data, customer, 2000, "2026-01-04"
                )
                line = self.match(self.bank_line(data, 3500, "ｵｰﾊﾞｰ"))
                self.assertProposal(line, "suggested", customer, invoices, reason=("credit",))

    def test_ambiguous_name_and_amount(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                one = self.customer(data, "サクラ", kakeuri_name_kana="ｻｸﾗ")
                two = self.customer(data, "さくら", kakeuri_name_kana="ｻｸﾗ")
                self.kakeuri_invoice(data, one, 4100, "2026-01-03")
                self.kakeuri_invoice(data, two, 4200, "2026-01-03")
                line = self.match(self.bank_line(data, 5000, "ｻｸﾗ"))
                self.assertProposal(line, "ambiguous")
                self.assertEqual(line.kakeuri_match_candidate_ids, one | two)
                # the amount tells the two apart
                line = self.match(self.bank_line(data, 4200, "ｻｸﾗ"))
                self.assertProposal(line, "suggested", two)
                # one amount, two customers, no name: not guessed
                a = self.customer(data, "Same Amount A")
                b = self.customer(data, "Same Amount B")
                self.kakeuri_invoice(data, a, 7777, "2026-01-03")
                self.kakeuri_invoice(data, b, 7777, "2026-01-04")
                line = self.match(self.bank_line(data, 7777, "ﾀﾆﾝ"))
                self.assertProposal(line, "ambiguous")
                self.assertEqual(line.kakeuri_match_candidate_ids, a | b)

    def test_nothing_matches(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                line = self.match(self.bank_line(data, 31337, "ﾅｿﾞﾉﾋﾄ"))
                self.assertProposal(line, "none")
                self.assertIn("No reference", line.kakeuri_match_reason)

    def test_many_lines_few_queries(self):
        data = self.jp_company_data
        customers = [self.customer(data, "Bulk %s" % i, kakeuri_name_kana="ﾊﾞﾙｸ%s" % i) for i in range(5)]
        for i, customer in enumerate(customers):
            self.kakeuri_invoice(data, customer, 1000 + i, "2026-01-03")
        lines = [self.bank_line(data, 1000 + i, "ﾊﾞﾙｸ%s" % i) for i in range(5)]
        self.env.flush_all()
        matching = self.env["kakeuri.cash.matching"]
        few = self.env["account.bank.statement.line"].union(*lines[:1])
        many = self.env["account.bank.statement.line"].union(*lines)
        counts = []
        for lines_set in (few, many):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            proposals = matching.propose(lines_set)
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual({p["partner_id"] for p in proposals.values()}, {c.id for c in customers})
        # as many queries for five lines as for one: nothing is read per line
        self.assertLessEqual(counts[1], counts[0])
