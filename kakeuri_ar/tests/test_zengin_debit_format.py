# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Zengin 預金口座振替 file (種別 91): byte positions of each record, trailer sums, reading
back what was written, and the files a reader must refuse."""

from dataclasses import replace

from odoo.tests import BaseCase, tagged

from odoo.addons.kakeuri_ar.tools import zengin_debit as zd

HEADER = zd.DebitHeader(
    consignor_code="123456",
    consignor_name="ｻﾝﾌﾟﾙｼﾖｳｼﾞ(ｶ",
    collection_mmdd="0427",
    bank_code="0001",
    branch_code="001",
    account_type="1",
    account_number="1234567",
)
ITEMS = [
    zd.DebitItem("0005", "123", "1", "7654321", "ﾔﾏﾀﾞ ﾀﾛｳ", 11000, customer_code="42"),
    zd.DebitItem("0009", "010", "2", "0000001", "ｽｽﾞｷｼﾖｳｼﾞ(ｶ", 5500),
    zd.DebitItem("0033", "201", "4", "0012345", "ﾀﾅｶ ﾊﾅｺ", 9999999999, customer_code="12345678901234567890"),
]


@tagged("post_install", "-at_install")
class TestZenginDebitFormat(BaseCase):
    def _records(self, data):
        self.assertTrue(data.endswith(b"\r\n"))
        return data[:-2].split(b"\r\n")

    def test_request_records_byte_exact(self):
        records = self._records(zd.write_request(HEADER, ITEMS))
        self.assertEqual([len(r) for r in records], [120] * 6)
        self.assertEqual([r[:1] for r in records], [b"1", b"2", b"2", b"2", b"8", b"9"])
        header = records[0]
        self.assertEqual(header[0:4], b"1910")  # データ区分, 種別コード 91, コード区分 0 (JIS)
        self.assertEqual(header[4:14], b"0000123456")  # 委託者コード, zero-filled
        self.assertEqual(header[14:54], "ｻﾝﾌﾟﾙｼﾖｳｼﾞ(ｶ".encode("cp932").ljust(40))
        self.assertEqual(header[54:58], b"0427")  # 振替日 MMDD
        self.assertEqual(header[58:62], b"0001")
        self.assertEqual(header[62:77], b" " * 15)
        self.assertEqual(header[77:80], b"001")
        self.assertEqual(header[80:95], b" " * 15)
        self.assertEqual(header[95:96], b"1")
        self.assertEqual(header[96:103], b"1234567")
        self.assertEqual(header[103:120], b" " * 17)

        data = records[1]
        self.assertEqual(data[1:5], b"0005")
        self.assertEqual(data[5:20], b" " * 15)
        self.assertEqual(data[20:23], b"123")
        self.assertEqual(data[23:38], b" " * 15)
        self.assertEqual(data[38:42], b" " * 4)
        self.assertEqual(data[42:43], b"1")
        self.assertEqual(data[43:50], b"7654321")
        self.assertEqual(data[50:80], "ﾔﾏﾀﾞ ﾀﾛｳ".encode("cp932").ljust(30))
        self.assertEqual(data[80:90], b"0000011000")  # 引落金額
        self.assertEqual(data[90:91], b"0")  # 新規コード
        self.assertEqual(data[91:111], b"00000000000000000042")  # 顧客番号
        self.assertEqual(data[111:112], b"0")  # 振替結果コード: the bank's field
        self.assertEqual(data[112:120], b" " * 8)
        self.assertEqual(records[3][80:90], b"9999999999")
        self.assertEqual(records[3][91:111], b"12345678901234567890")
        self.assertEqual(records[3][42:43], b"4")

        trailer = records[4]
        self.assertEqual(trailer[1:7], b"000003")
        self.assertEqual(trailer[7:19], b"%012d" % (11000 + 5500 + 9999999999))
        self.assertEqual(trailer[19:55], b"0" * 36)  # paid and failed: none in a request
        self.assertEqual(trailer[55:120], b" " * 65)
        self.assertEqual(records[5], b"9" + b" " * 119)

    def test_request_ignores_result_codes(self):
        items = [replace(item, result_code="1") for item in ITEMS]
        self.assertEqual(zd.write_request(HEADER, items), zd.write_request(HEADER, ITEMS))

    def test_result_round_trip(self):
        items = [replace(ITEMS[0]), replace(ITEMS[1], result_code="1"), replace(ITEMS[2], result_code="3")]
        data = zd.write_result(HEADER, items)
        trailer = self._records(data)[4]
        self.assertEqual(trailer[19:25], b"000001")
        self.assertEqual(trailer[25:37], b"000000011000")
        self.assertEqual(trailer[37:43], b"000002")
        self.assertEqual(trailer[43:55], b"%012d" % (5500 + 9999999999))
        parsed = zd.read_file(data)
        self.assertEqual(parsed.header.consignor_code, "0000123456")
        self.assertEqual(parsed.header.consignor_name, "ｻﾝﾌﾟﾙｼﾖｳｼﾞ(ｶ")
        self.assertEqual(parsed.header.collection_mmdd, "0427")
        self.assertEqual([i.result_code for i in parsed.items], ["0", "1", "3"])
        self.assertEqual([i.amount for i in parsed.items], [11000, 5500, 9999999999])
        self.assertEqual(parsed.items[0].holder_name, "ﾔﾏﾀﾞ ﾀﾛｳ")
        self.assertEqual(parsed.items[0].customer_code, "00000000000000000042")
        self.assertEqual((parsed.paid_count, parsed.paid_amount), (1, 11000))
        self.assertEqual((parsed.failed_count, parsed.total_count), (2, 3))

    def test_read_without_separators_and_eof_mark(self):
        data = zd.write_request(HEADER, ITEMS)
        parsed = zd.read_file(data.replace(b"\r\n", b"") + b"\x1a")
        self.assertEqual(parsed.total_amount, 11000 + 5500 + 9999999999)
        self.assertEqual(len(parsed.items), 3)

    def test_refused_values(self):
        with self.assertRaises(zd.DebitFileError) as caught:
            zd.write_request(HEADER, [replace(ITEMS[0]), replace(ITEMS[1], amount=10**10)])
        self.assertEqual((caught.exception.index, caught.exception.field), (1, "amount"))
        with self.assertRaises(zd.DebitFileError) as caught:
            zd.write_request(HEADER, [replace(ITEMS[0], holder_name="山田太郎")])
        self.assertEqual((caught.exception.index, caught.exception.field), (0, "holder_name"))
        with self.assertRaises(zd.DebitFileError) as caught:
            zd.write_request(replace(HEADER, consignor_code="12345678901"), ITEMS)
        self.assertIsNone(caught.exception.index)
        self.assertEqual(caught.exception.field, "consignor_code")
        with self.assertRaises(zd.DebitFileError) as caught:
            zd.write_result(HEADER, [replace(ITEMS[0], result_code="7")])
        self.assertEqual(caught.exception.field, "result_code")

    def test_refused_files(self):
        data = zd.write_request(HEADER, ITEMS)
        records = self._records(data)
        cases = {
            "truncated record": b"\r\n".join([records[0], records[1][:119], *records[2:]]),
            "wrong kind": b"\r\n".join([records[0][:1] + b"21" + records[0][3:], *records[1:]]),
            "wrong trailer sum": b"\r\n".join(
                [*records[:4], records[4][:7] + b"000000000001" + records[4][19:], records[5]]
            ),
            "no end record": b"\r\n".join(records[:5]),
            "no trailer": b"\r\n".join([*records[:4], records[5]]),
        }
        for name, bad in cases.items():
            with self.subTest(name), self.assertRaises(zd.DebitFileError) as caught:
                zd.read_file(bad)
            self.assertTrue(caught.exception.record, name)
        with self.assertRaises(zd.DebitFileError) as caught:
            zd.read_file(cases["wrong trailer sum"])
        self.assertEqual((caught.exception.record, caught.exception.field), (5, "total_amount"))
