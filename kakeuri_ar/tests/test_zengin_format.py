# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The pure Zengin reader and writer (tools/zengin.py) and 和暦 dates (tools/wareki.py):
byte-exact records, separators, kana, eras and every refusal, without a database."""

from odoo.tests import BaseCase, tagged

from odoo.addons.kakeuri_ar.tools import zengin
from odoo.addons.kakeuri_ar.tools.wareki import date_to_wareki, wareki_to_date

from .common.zengin import D, header, statement_txs, tx

TODAY = D(2026, 3, 10)


@tagged("post_install", "-at_install")
class TestZenginFormat(BaseCase):
    def test_statement_records_are_byte_exact(self):
        data = zengin.write_zengin(header(), statement_txs())
        records = data.split(b"\r\n")
        self.assertEqual(records[-1], b"", "every record ends with CR LF")
        records = records[:-1]
        self.assertEqual([len(r) for r in records], [200] * 6)
        head, first, _debit, _third, trailer, end = records
        self.assertEqual(head[:4], b"1030")
        self.assertEqual(head[4:22], b"080309080302080309", "作成日, 勘定日(自/至) in Reiwa")
        self.assertEqual(head[22:26], b"0005")
        self.assertEqual(head[41:44], b"123")
        self.assertEqual(head[59:73], b"0001" + b"0001234567", "dummy 000, 預金種目 1, 口座番号 10 digits")
        self.assertEqual(head[73:113].rstrip(), "ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ".encode("cp932"))
        self.assertEqual(first[:9], b"200000101")
        self.assertEqual(first[9:22], b"0803020803021", "勘定日, 起算日, 入払区分 1")
        self.assertEqual(first[22:36], b"11000000110000")
        self.assertEqual(first[81:129].rstrip(), b"\xb6)\xcf\xd9\xb2\xc1\xbc\xd6\xb3\xbc\xde")
        self.assertEqual(first[159:179].rstrip(), "ﾌﾘｺﾐ".encode("cp932"))
        self.assertEqual(first[179:199].rstrip(), b"INV2026000012")
        self.assertEqual(trailer[:39], b"8" + b"000002" + b"0000000164560" + b"000001" + b"0000000033000")
        self.assertEqual(trailer[54:61], b"0000003", "データ・レコード件数")
        self.assertEqual(end[:1], b"9")

    def test_statement_read_back_with_any_separator(self):
        for separator, eof in ((b"\r\n", False), (b"\n", True), (b"", False), (b"", True)):
            with self.subTest(separator=separator, eof=eof):
                data = zengin.write_zengin(header(), statement_txs(), separator=separator, eof=eof)
                parsed = zengin.parse_zengin(data, today=TODAY)
                self.assertEqual(parsed.kind, "03")
                account = parsed.accounts[0]
                self.assertEqual(account.header.bank_code, "0005")
                self.assertEqual(account.header.branch_name, "ｼﾝｼﾞﾕｸ")
                self.assertEqual(account.header.account_number, "0001234567")
                self.assertEqual(
                    (account.header.date_from, account.header.date_to), (D(2026, 3, 2), D(2026, 3, 9))
                )
                self.assertEqual(
                    [t.reference for t in parsed.credits], ["00000101", "00000103"], "出金 left out"
                )
                first = parsed.credits[0]
                self.assertEqual((first.date, first.amount, first.record_no), (D(2026, 3, 2), 110000, 2))
                self.assertEqual(first.payer_name, "ｶ)ﾏﾙｲﾁｼﾖｳｼﾞ")
                self.assertEqual((first.remarks, first.edi), ("ﾌﾘｺﾐ", "INV2026000012"))
                self.assertEqual(account.trailer.credit_amount, 164560)

    def test_transfer_notice(self):
        txs = [
            tx("000201", 88000, payer_name="ｱｵﾊﾞｼﾖｳｼﾞ", edi="BS2026-0003"),
            tx("000202", 1200, payer_name="ﾎｸﾄ", cancel="1"),
        ]
        data = zengin.write_zengin(header("01"), txs)
        head, first = data.split(b"\r\n")[:2]
        self.assertEqual(head[:4], b"1010")
        self.assertEqual(head[60:67], b"1234567", "口座番号 7 digits")
        self.assertEqual(first[:7], b"2000201")
        self.assertEqual(first[19:29], b"0000088000")
        self.assertEqual(first[49:97].rstrip(), "ｱｵﾊﾞｼﾖｳｼﾞ".encode("cp932"))
        parsed = zengin.parse_zengin(data, today=TODAY)
        self.assertEqual([(t.reference, t.amount) for t in parsed.credits], [("000201", 88000)])
        self.assertEqual(parsed.credits[0].edi, "BS2026-0003")
        self.assertEqual(parsed.accounts[0].trailer.cancel_count, 1)

    def test_transfer_notice_with_twelve_digit_amounts(self):
        record = bytearray(
            zengin.write_record(zengin.DATA["01"], {**vars(tx("000301", 0)), "record_type": "2"})
        )
        record[128:152] = b"123456789012" + b"000000000000"
        record[152:172] = b"EDI-WIDE".ljust(20)
        data = zengin.write_zengin(header("01"), [])
        lines = data.split(b"\r\n")
        trailer = zengin.write_record(
            zengin.TRAILER["01"], {"record_type": "8", "credit_count": 1, "credit_amount": 123456789012}
        )
        data = b"\r\n".join([lines[0], bytes(record), trailer, lines[2]])
        parsed = zengin.parse_zengin(data, today=TODAY)
        self.assertEqual((parsed.credits[0].amount, parsed.credits[0].edi), (123456789012, "EDI-WIDE"))

    def test_several_accounts_in_one_file(self):
        one = zengin.write_zengin(header(), statement_txs()[:1]).split(b"\r\n")
        two = zengin.write_zengin(header(account_number="7654321"), statement_txs()[2:]).split(b"\r\n")
        data = b"".join(one[:3] + two[:4])
        parsed = zengin.parse_zengin(data, today=TODAY)
        self.assertEqual([a.header.account_number for a in parsed.accounts], ["0001234567", "0007654321"])
        self.assertEqual([t.record_no for t in parsed.credits], [2, 5])

    def test_wareki(self):
        cases = [
            ("081205", D(2026, 3, 10), D(2026, 12, 5)),  # 令和8: within a year of today
            ("081205", D(2020, 1, 1), D(1996, 12, 5)),  # 令和8 would be 6 years ahead: 平成8
            ("010501", TODAY, D(2019, 5, 1)),  # first day of Reiwa
            ("310430", TODAY, D(2019, 4, 30)),  # last day of Heisei
            ("010430", TODAY, D(1989, 4, 30)),  # 令和1 began in May: 平成1
            ("320115", TODAY, D(2020, 1, 15)),  # Heisei kept counting by some banks
        ]
        for text, today, expected in cases:
            with self.subTest(text=text, today=today):
                self.assertEqual(wareki_to_date(text, today), expected)
        self.assertIsNone(wareki_to_date("000000"))
        self.assertIsNone(wareki_to_date("      "))
        for bad in ("081332", "0812", "08120A", "010105"):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                wareki_to_date(bad, TODAY)
        self.assertEqual(date_to_wareki(D(2019, 4, 30)), "310430")
        self.assertEqual(date_to_wareki(D(2019, 5, 1)), "010501")
        self.assertEqual(date_to_wareki(D(2026, 12, 5)), "081205")

    def assertZenginError(self, data, code, record_no, field=None):
        with self.assertRaises(zengin.ZenginError) as caught:
            zengin.parse_zengin(data, today=TODAY)
        err = caught.exception
        self.assertEqual((err.code, err.record_no, err.field), (code, record_no, field), str(err))
        self.assertIn(f"record {record_no}", str(err))
        return err

    def test_truncated_records(self):
        data = zengin.write_zengin(header(), statement_txs())
        err = self.assertZenginError(data[:-220], "truncated", 5)  # the trailer cut, separator kept
        self.assertEqual(err.value, 184)
        flat = zengin.write_zengin(header(), statement_txs(), separator=b"")
        self.assertZenginError(flat[:-30], "truncated", 6)
        lines = data.split(b"\r\n")
        lines[2] = lines[2][:150]
        self.assertZenginError(b"\r\n".join(lines), "truncated", 3)

    def test_bad_sequence(self):
        lines = zengin.write_zengin(header(), statement_txs()).split(b"\r\n")
        self.assertZenginError(b"\r\n".join(lines[1:]), "sequence", 1, "record_type")
        self.assertZenginError(b"\r\n".join([lines[0], lines[0]] + lines[1:]), "sequence", 2, "record_type")
        self.assertZenginError(b"\r\n".join(lines[:5]), "no_end", 5)
        self.assertZenginError(b"\r\n".join(lines[:6] + [lines[1]]), "after_end", 7, "record_type")
        self.assertZenginError(b"\r\n".join([lines[0], lines[5]]), "sequence", 2, "record_type")
        with self.assertRaises(zengin.ZenginError) as caught:
            zengin.parse_zengin(b"\r\n\x1a")
        self.assertEqual(caught.exception.code, "empty")

    def test_bad_fields(self):
        lines = zengin.write_zengin(header(), statement_txs()).split(b"\r\n")
        bad_amount = lines[2][:24] + b"0000000330A0" + lines[2][36:]
        err = self.assertZenginError(
            b"\r\n".join(lines[:2] + [bad_amount] + lines[3:]), "digits", 3, "amount"
        )
        self.assertEqual(err.value, "0000000330A0")
        self.assertIn("取引金額", str(err))
        bad_direction = lines[1][:21] + b"3" + lines[1][22:]
        self.assertZenginError(
            b"\r\n".join([lines[0], bad_direction] + lines[2:]), "direction", 2, "direction"
        )
        bad_date = lines[1][:9] + b"081340" + lines[1][15:]
        self.assertZenginError(b"\r\n".join([lines[0], bad_date] + lines[2:]), "date", 2, "date")
        bad_kind = lines[0][:1] + b"05" + lines[0][3:]
        self.assertZenginError(b"\r\n".join([bad_kind] + lines[1:]), "kind", 1, "kind")
        kanji = lines[1][:81] + "丸一".encode("cp932")[:3] + lines[1][84:]
        self.assertZenginError(b"\r\n".join([lines[0], kanji] + lines[2:]), "text", 2, "payer_name")

    def test_trailer_must_match(self):
        txs = statement_txs()
        good = zengin.trailer_for(txs)
        cases = [
            (dict(credit_count=3), "credit_count"),
            (dict(credit_amount=164561), "credit_amount"),
            (dict(debit_amount=0), "debit_amount"),
            (dict(record_count=4), "record_count"),
        ]
        for change, field in cases:
            with self.subTest(field=field):
                trailer = zengin.ZenginTrailer(**{**vars(good), **change})
                data = zengin.write_zengin(header(), txs, trailer=trailer)
                self.assertZenginError(data, "trailer", 5, field)
        notice = [tx("000401", 5000), tx("000402", 700, cancel="1")]
        for count, amount in ((1, 5000), (2, 5700)):  # without or with the cancellation: both seen
            trailer = zengin.ZenginTrailer(
                credit_count=count, credit_amount=amount, cancel_count=1, cancel_amount=700
            )
            data = zengin.write_zengin(header("01"), notice, trailer=trailer)
            self.assertEqual(len(zengin.parse_zengin(data, today=TODAY).credits), 1)
        trailer = zengin.ZenginTrailer(credit_count=1, credit_amount=5000, cancel_count=0, cancel_amount=0)
        self.assertZenginError(
            zengin.write_zengin(header("01"), notice, trailer=trailer), "trailer", 4, "cancel_count"
        )

    def test_writer_refuses_what_the_bank_cannot_carry(self):
        with self.assertRaises(ValueError):
            zengin.write_zengin(header(), [tx("00000001", 10**12)])
        with self.assertRaises(ValueError):
            zengin.write_zengin(header(), [tx("00000001", 100, payer_name="丸一商事")])
