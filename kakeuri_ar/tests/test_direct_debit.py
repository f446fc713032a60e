# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Direct debit (口座振替): collecting the debit customers' items, the Zengin 種別 91 file,
the bank's result turned into payments and failures, and the refusals; in a JPY company and
in a USD one."""

import base64
from dataclasses import replace
from datetime import date

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.kakeuri_ar.tools import zengin_debit as zd

from .common.jp import KakeuriJpCommon

COLLECTION = date(2026, 4, 27)


@tagged("post_install", "-at_install")
class TestDirectDebit(KakeuriJpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank = cls.env["res.bank"].create({"name": "Sample Bank", "kakeuri_bank_code": "0005"})
        cls.company_bank = cls.env["res.bank"].create({"name": "Company Bank", "kakeuri_bank_code": "0001"})
        cls.collector = new_test_user(
            cls.env,
            login="debit_collector",
            groups="base.group_user,kakeuri_ar.group_ar_user",
            company_id=cls.jp_company.id,
            company_ids=[cls.jp_company.id, cls.usd_company_data["company"].id],
        )
        cls.worlds = []
        for company_data, journal in (
            (cls.jp_company_data, cls.jp_bank_journal),
            (cls.usd_company_data, cls.usd_bank_journal),
        ):
            company = company_data["company"]
            company.write(
                {
                    "kakeuri_debit_consignor_code": "0000123456",
                    "kakeuri_debit_consignor_kana": "ｻﾝﾌﾟﾙｼﾖｳｼﾞ(ｶ",
                    "kakeuri_debit_journal_id": journal.id,
                }
            )
            journal.bank_account_id = cls._account(
                company.partner_id, "1234567", "ｻﾝﾌﾟﾙｼﾖｳｼﾞ(ｶ", bank_id=cls.company_bank.id
            )
            cls.worlds.append((company_data, journal))

    @classmethod
    def _account(cls, partner, number, holder, **vals):
        return cls.env["res.partner.bank"].create(
            {
                "partner_id": partner.id,
                "acc_number": number,
                "bank_id": cls.bank.id,
                "kakeuri_branch_code": "123",
                "kakeuri_branch_name": "ﾎﾝﾃﾝ",
                "kakeuri_account_type": "ordinary",
                "kakeuri_holder_kana": holder,
                **vals,
            }
        )

    def _debit_customer(self, company_data, name, code, number, holder="ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ", **vals):
        partner = self.kakeuri_customer(company_data, name, **vals)
        partner.write(
            {
                "kakeuri_direct_debit": True,
                "kakeuri_debit_bank_id": self._account(partner, number, holder).id,
                "kakeuri_debit_customer_code": code,
                "kakeuri_debit_mandate_date": date(2026, 1, 15),
            }
        )
        return partner

    def _run(self, company_data, collection_date=COLLECTION):
        company = company_data["company"]
        run = (
            self.env["kakeuri.direct.debit.run"]
            .with_company(company)
            .create({"company_id": company.id, "collection_date": collection_date})
        )
        run.action_collect()
        return run

    def _line(self, run, partner):
        return run.line_ids.filtered(lambda ln: ln.partner_id == partner)

    def _world(self, company_data):
        """Two debit customers (one with two invoices due, one not yet due), a customer
        paying by transfer, and a debit customer with a confirmed billing statement."""
        prefix = company_data["company"].name
        alpha = self._debit_customer(company_data, f"{prefix} Alpha", "42", "7654321")
        beta = self._debit_customer(company_data, f"{prefix} Beta", "43", "0000001", holder="ﾍﾞｰﾀ(ｶ")
        other = self.kakeuri_customer(company_data, f"{prefix} Transfer")
        inv = self.kakeuri_invoice
        invoices = {
            "alpha_1": inv(company_data, alpha, 11000, date(2026, 3, 1), date_due=date(2026, 4, 10)),
            "alpha_2": inv(company_data, alpha, 5500, date(2026, 3, 20), date_due=COLLECTION),
            "alpha_late": inv(company_data, alpha, 3300, date(2026, 4, 20), date_due=date(2026, 5, 31)),
            "beta": inv(company_data, beta, 8800, date(2026, 3, 5), date_due=date(2026, 4, 5)),
            "other": inv(company_data, other, 1000, date(2026, 3, 5), date_due=date(2026, 4, 5)),
        }
        return alpha, beta, invoices

    def _file(self, run):
        return zd.read_file(run.attachment_id.raw)

    def _result(self, run, codes):
        """The bank's result file of ``run``'s export, with ``codes`` per customer number."""
        parsed = self._file(run)
        items = [replace(item, result_code=codes[item.customer_code.lstrip("0")]) for item in parsed.items]
        return zd.write_result(parsed.header, items)

    # ------------------------------------------------------------------ collect
    def test_collect(self):
        for company_data, journal in self.worlds:
            with self.subTest(company=company_data["company"].name):
                alpha, beta, invoices = self._world(company_data)
                run = self._run(company_data)
                self.assertEqual(run.journal_id, journal)
                self.assertTrue(run.name.startswith("DD/"))
                self.assertEqual(run.line_ids.partner_id, alpha | beta, "only debit customers")
                line = self._line(run, alpha)
                self.assertEqual(line.amount, 16500, "the invoice due after the date waits")
                self.assertEqual(line.move_ids, invoices["alpha_1"] | invoices["alpha_2"])
                self.assertEqual(line.partner_bank_id, alpha.kakeuri_debit_bank_id)
                self.assertEqual(self._line(run, beta).amount, 8800)
                self.assertEqual(run.amount_total, 25300)
                # a disputed invoice is not debited
                self.env["kakeuri.dispute"].create(
                    {
                        "move_id": invoices["beta"].id,
                        "amount": invoices["beta"].amount_residual,
                        "reason": "Wrong goods",
                    }
                )
                run.action_collect()
                self.assertEqual(run.line_ids.partner_id, alpha)

    def test_collect_billing_statement(self):
        for company_data, _journal in self.worlds:
            with self.subTest(company=company_data["company"].name):
                company = company_data["company"]
                gamma = self._debit_customer(company_data, f"{company.name} Gamma", "44", "2222222")
                gamma.kakeuri_closing_day = 31
                march = self.kakeuri_invoice(
                    company_data, gamma, 4400, date(2026, 3, 10), date_due=date(2026, 3, 10)
                )
                april = self.kakeuri_invoice(
                    company_data, gamma, 2200, date(2026, 4, 2), date_due=date(2026, 4, 2)
                )
                statement = self.env["kakeuri.billing.statement"].create(
                    {
                        "partner_id": gamma.id,
                        "company_id": company.id,
                        "period_start": date(2026, 3, 1),
                        "period_end": date(2026, 3, 31),
                        "date_due": date(2026, 4, 25),
                        "total_due": 4400,
                        "move_ids": [Command.set(march.ids)],
                        "state": "confirmed",
                    }
                )
                line = self._line(self._run(company_data), gamma)
                self.assertEqual(line.amount, 4400, "the statement's open total, not April's invoice")
                self.assertEqual(line.move_ids, march)
                self.assertEqual(line.statement_ids, statement)
                self.assertNotIn(april, line.move_ids)

    def test_exported_items_not_collected_twice(self):
        for company_data, _journal in self.worlds:
            with self.subTest(company=company_data["company"].name):
                alpha, beta, invoices = self._world(company_data)
                first = self._run(company_data)
                first.action_export()
                invoice = self.kakeuri_invoice(
                    company_data, alpha, 770, date(2026, 4, 1), date_due=COLLECTION
                )
                second = self._run(company_data)
                self.assertEqual(second.line_ids.partner_id, alpha)
                self.assertEqual(second.line_ids.move_ids, invoice)
                self.assertEqual(second.amount_total, 770)
                # a run collected before the first one was exported is refused at export
                third = self.env["kakeuri.direct.debit.run"].create(
                    {"company_id": company_data["company"].id, "collection_date": COLLECTION}
                )
                third.line_ids = [
                    Command.create(
                        {
                            "partner_id": beta.id,
                            "partner_bank_id": beta.kakeuri_debit_bank_id.id,
                            "amount": 8800,
                            "item_ids": [
                                Command.set(invoices["beta"].line_ids.filtered("date_maturity").ids)
                            ],
                        }
                    )
                ]
                with self.assertRaisesRegex(UserError, f"{beta.name}.*{first.name}"):
                    third.action_export()

    # ------------------------------------------------------------------- export
    def test_export_file(self):
        for company_data, _journal in self.worlds:
            with self.subTest(company=company_data["company"].name):
                alpha, beta, _invoices = self._world(company_data)
                run = self._run(company_data)
                run.action_export()
                self.assertEqual(run.state, "exported")
                self.assertEqual(set(run.line_ids.mapped("state")), {"exported"})
                records = run.attachment_id.raw.split(b"\r\n")[:-1]
                self.assertEqual([len(r) for r in records], [120] * 5)
                header, data_alpha, data_beta, trailer, end = records
                self.assertEqual(header[:14], b"1910" + b"0000123456")
                self.assertEqual(header[14:54], "ｻﾝﾌﾟﾙｼﾖｳｼﾞ(ｶ".encode("cp932").ljust(40))
                self.assertEqual(header[54:58], b"0427")
                self.assertEqual(
                    header[58:62] + header[77:80] + header[95:103], b"0001" + b"123" + b"11234567"
                )
                self.assertEqual(data_alpha[1:5] + data_alpha[20:23], b"0005123")
                self.assertEqual(data_alpha[42:50], b"17654321")
                self.assertEqual(data_alpha[50:80], "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ".encode("cp932").ljust(30))
                self.assertEqual(data_alpha[80:91], b"00000165000")
                self.assertEqual(data_alpha[91:111], b"42".zfill(20))
                self.assertEqual(data_beta[43:50] + data_beta[80:90], b"0000001" + b"0000008800")
                self.assertEqual(trailer[:19], b"8000002000000025300")
                self.assertEqual(end, b"9" + b" " * 119)
                self.assertEqual(self._line(run, alpha).sequence, 1)
                self.assertEqual(self._line(run, beta).customer_code, "43".zfill(20))
                self.assertIn(run.attachment_id, run.message_ids.attachment_ids)
                # the run is locked once sent
                with self.assertRaisesRegex(UserError, "draft"):
                    self._line(run, alpha).amount = 1
                with self.assertRaisesRegex(UserError, "draft"):
                    run.action_collect()
                with self.assertRaisesRegex(UserError, "draft"):
                    run.collection_date = date(2026, 4, 28)

    # ------------------------------------------------------------------- result
    def test_result_round_trip(self):
        for company_data, journal in self.worlds:
            with self.subTest(company=company_data["company"].name):
                alpha, beta, invoices = self._world(company_data)
                beta.user_id = self.collector
                run = self._run(company_data)
                run.action_export()
                result = self._result(run, {"42": "0", "43": "1"})
                counts = run.action_import_result(result)
                self.assertEqual(counts, {"paid": 1, "failed": 1, "unchanged": 0})
                self.assertEqual(run.state, "done")
                paid = self._line(run, alpha)
                self.assertEqual((paid.state, paid.result_code), ("paid", "0"))
                payment = paid.payment_id
                self.assertIn(payment.state, ("in_process", "paid"))
                self.assertEqual(payment.journal_id, journal)
                self.assertEqual(payment.date, COLLECTION)
                self.assertEqual(payment.amount, 16500)
                self.assertEqual(payment.partner_id, alpha)
                self.assertEqual(payment.payment_type, "inbound")
                for key in ("alpha_1", "alpha_2"):
                    self.assertIn(invoices[key].payment_state, ("paid", "in_payment"), key)
                self.assertEqual(invoices["alpha_late"].payment_state, "not_paid")
                self.assertEqual(run.amount_paid, 16500)

                failed = self._line(run, beta)
                self.assertEqual((failed.state, failed.result_code), ("failed", "1"))
                self.assertEqual(failed.result_label, "Insufficient funds")
                self.assertFalse(failed.payment_id)
                self.assertEqual(invoices["beta"].payment_state, "not_paid")
                activity = beta.activity_ids
                self.assertEqual(len(activity), 1)
                self.assertEqual(activity.user_id, self.collector)
                self.assertIn("Insufficient funds", activity.summary)
                self.assertTrue(any("Insufficient funds" in str(m.body) for m in beta.message_ids))
                # back to dunning and free for the next debit
                candidates = self.env["kakeuri.dunning.candidates"].get_candidates(
                    company_data["company"], date(2026, 4, 30)
                )
                self.assertIn(invoices["beta"].id, [row["move_id"] for row in candidates[beta.id]])
                next_run = self._run(company_data, date(2026, 5, 31))
                self.assertEqual(next_run.line_ids.move_ids, invoices["beta"] | invoices["alpha_late"])

                # the same result again changes nothing
                messages = len(run.message_ids) + len(beta.message_ids)
                payments = self.env["account.payment"].search_count(
                    [("partner_id", "in", (alpha | beta).ids)]
                )
                counts = run.action_import_result(result)
                self.assertEqual(counts, {"paid": 0, "failed": 0, "unchanged": 2})
                self.assertEqual(len(run.message_ids) + len(beta.message_ids), messages)
                self.assertEqual(
                    self.env["account.payment"].search_count([("partner_id", "in", (alpha | beta).ids)]),
                    payments,
                )
                self.assertEqual(len(beta.activity_ids), 1)
                self.assertEqual(paid.payment_id, payment)

    def test_result_failure_fallback_user_and_codes(self):
        company_data = self.jp_company_data
        alpha, beta, _invoices = self._world(company_data)
        run = self._run(company_data)
        run.action_export()
        run.action_import_result(self._result(run, {"42": "3", "43": "4"}))
        self.assertEqual(self._line(run, alpha).result_label, "Stopped by the account holder")
        self.assertEqual(self._line(run, beta).result_label, "No debit mandate at the bank")
        self.assertEqual(alpha.activity_ids.user_id, run.user_id, "no salesperson: the run's user")
        self.assertEqual(run.state, "done")
        self.assertEqual(run.amount_paid, 0)

    def test_result_of_another_file_refused(self):
        company_data = self.jp_company_data
        self._world(company_data)
        run = self._run(company_data)
        with self.assertRaisesRegex(UserError, "not sent to the bank"):
            run.action_import_result(b"")
        run.action_export()
        parsed = self._file(run)
        other_date = zd.write_result(replace(parsed.header, collection_mmdd="0527"), parsed.items)
        with self.assertRaisesRegex(UserError, "0527"):
            run.action_import_result(other_date)
        other_amount = zd.write_result(parsed.header, [replace(parsed.items[0], amount=1), parsed.items[1]])
        with self.assertRaisesRegex(UserError, "record 2"):
            run.action_import_result(other_amount)
        with self.assertRaisesRegex(UserError, "not a valid debit file"):
            run.action_import_result(run.attachment_id.raw[:-10])
        self.assertEqual(set(run.line_ids.mapped("state")), {"exported"})

    def test_result_wizard(self):
        company_data = self.jp_company_data
        alpha, _beta, _invoices = self._world(company_data)
        run = self._run(company_data)
        run.action_export()
        action = run.action_open_result_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_context(action["context"])
            .create({"result_file": base64.b64encode(self._result(run, {"42": "0", "43": "9"}))})
        )
        notification = wizard.action_import()
        self.assertIn("1 debits paid, 1 failed", notification["params"]["message"])
        self.assertEqual(self._line(run, alpha).state, "paid")

    # ---------------------------------------------------------------- refusals
    def _label(self, record, fname):
        return record._fields[fname].string

    def _assert_refused(self, run, record, vals, name, needle):
        """Export refused with a message naming ``name`` and ``needle`` while ``vals`` are
        written on ``record``; the values are restored after. A value the record itself
        refuses when saved (a bank account's branch code, its holder kana) is refused there,
        with a message naming that value, and never reaches the export."""
        old = record._convert_to_write({fname: record[fname] for fname in vals})
        try:
            with self.env.cr.savepoint():
                record.write(vals)
        except ValidationError as error:
            self.assertIn(str(next(iter(vals.values()))), str(error))
            return
        try:
            with self.assertRaises(UserError) as caught:
                run.action_export()
            message = str(caught.exception)
            self.assertIn(name, message)
            self.assertIn(needle, message)
        finally:
            record.write(old)

    def test_refusals(self):
        for company_data, _journal in self.worlds:
            with self.subTest(company=company_data["company"].name):
                company = company_data["company"]
                alpha, beta, _invoices = self._world(company_data)
                run = self._run(company_data)
                bank = alpha.kakeuri_debit_bank_id
                line = self._line(run, alpha)
                cases = [
                    (bank, {"kakeuri_holder_kana": False}, self._label(bank, "kakeuri_holder_kana")),
                    (bank, {"kakeuri_holder_kana": "山田商事"}, "山"),
                    (bank, {"acc_number": "12345678"}, "12345678"),
                    (bank, {"kakeuri_branch_code": "12"}, self._label(bank, "kakeuri_branch_code")),
                    (self.bank, {"kakeuri_bank_code": False}, self._label(self.bank, "kakeuri_bank_code")),
                    (line, {"partner_bank_id": False}, "Debit Account"),
                    (line, {"amount": 10**10}, "10 digits"),
                ]
                if company.currency_id.decimal_places:  # cents: a yen file carries none
                    cases.append((line, {"amount": 100.5}, "whole"))
                for record, vals, needle in cases:
                    with self.subTest(needle=needle):
                        self._assert_refused(run, record, vals, alpha.name, needle)
                self._assert_refused(
                    run, company, {"kakeuri_debit_consignor_code": False}, company.name, "Consignor Code"
                )
                self.assertEqual(run.state, "draft")
                self.assertFalse(run.attachment_id)
                run.action_export()
                self.assertEqual(run.state, "exported", "the run exports once the values are right")
