# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Zengin 01/03 files as the tests make them (byte-exact, through tools/zengin.py's writer):
the account of the test bank journal and three transactions, a withdrawal among them."""

import datetime

from ...tools import zengin

D = datetime.date


def header(kind="03", account="1234567", **vals):
    return zengin.ZenginHeader(
        **{
            "kind": kind,
            "created": D(2026, 3, 9),
            "date_from": D(2026, 3, 2),
            "date_to": D(2026, 3, 9),
            "bank_code": "0005",
            "bank_name": "ﾐﾂﾋﾞｼUFJ",
            "branch_code": "123",
            "branch_name": "ｼﾝｼﾞﾕｸ",
            "account_number": account,
            "account_name": "ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ",
            **vals,
        }
    )


def tx(ref, amount, day=None, **vals):
    day = day or D(2026, 3, 2)
    return zengin.ZenginTransaction(date=day, amount=amount, reference=ref, transaction_type="11", **vals)


def statement_txs():
    return [
        tx("00000101", 110000, payer_name="ｶ)ﾏﾙｲﾁｼﾖｳｼﾞ", remarks="ﾌﾘｺﾐ", edi="INV2026000012"),
        tx("00000102", 33000, day=D(2026, 3, 3), direction="2", payer_name="ﾃﾞﾝｷﾘﾖｳ"),
        tx("00000103", 54560, day=D(2026, 3, 4), payer_name="ﾐﾅﾄﾌﾞﾂﾘﾕｳ(ﾕ"),
    ]
