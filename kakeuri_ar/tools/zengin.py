# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Zengin (全銀協) bank files of 200-byte records: 振込入金通知 (種別コード 01) and
入出金取引明細 (種別コード 03). Pure Python (no Odoo import), so it is unit-testable and
usable by the tests, the benchmark and the demo to build files.

A file is one or more accounts, each a header record (データ区分 1), its data records (2) and
a trailer (8), then one end record (9). Records are 200 bytes of JIS X 0201 (half-width kana
are single bytes, read as cp932); they may be separated by CR LF, LF or nothing, and the file
may end with an EOF byte (0x1A). Numeric fields are right-aligned digits padded with 0, text
fields left-aligned padded with spaces.

Dates are 和暦 YYMMDD; see ``wareki`` for how the era is chosen.
"""

import dataclasses
import datetime
import re

from .kana import encode_bank
from .wareki import date_to_wareki, wareki_to_date

RECORD_LENGTH = 200
KIND_TRANSFER_NOTICE = "01"  # 振込入金通知
KIND_STATEMENT = "03"  # 入出金取引明細
KINDS = (KIND_TRANSFER_NOTICE, KIND_STATEMENT)
EOF = b"\x1a"

# Layouts: (field, width, type). Types: N digits (required), n digits or blank, D 和暦 date
# (required), d 和暦 date or blank/zeros, C text, - filler of spaces, 0 filler of zeros.
HEADER = {
    KIND_TRANSFER_NOTICE: (
        ("record_type", 1, "N"), ("kind", 2, "N"), ("code_type", 1, "N"), ("created", 6, "D"),
        ("date_from", 6, "D"), ("date_to", 6, "D"), ("bank_code", 4, "N"), ("bank_name", 15, "C"),
        ("branch_code", 3, "N"), ("branch_name", 15, "C"), ("account_type", 1, "N"),
        ("account_number", 7, "N"), ("account_name", 40, "C"), ("", 93, "-"),
    ),
    KIND_STATEMENT: (
        ("record_type", 1, "N"), ("kind", 2, "N"), ("code_type", 1, "N"), ("created", 6, "D"),
        ("date_from", 6, "D"), ("date_to", 6, "D"), ("bank_code", 4, "N"), ("bank_name", 15, "C"),
        ("branch_code", 3, "N"), ("branch_name", 15, "C"), ("", 3, "0"), ("account_type", 1, "N"),
        ("account_number", 10, "N"), ("account_name", 40, "C"), ("overdraft", 1, "n"),
        ("passbook", 1, "n"), ("opening_balance", 14, "n"), ("", 71, "-"),
    ),
}  # fmt: skip
DATA = {
    KIND_TRANSFER_NOTICE: (
        ("record_type", 1, "N"), ("reference", 6, "n"), ("date", 6, "D"), ("value_date", 6, "d"),
        ("amount", 10, "N"), ("other_bank_amount", 10, "n"), ("payer_code", 10, "n"),
        ("payer_name", 48, "C"), ("payer_bank_name", 15, "C"), ("payer_branch_name", 15, "C"),
        ("cancel", 1, "C"), ("edi", 20, "C"), ("", 52, "-"),
    ),
    KIND_STATEMENT: (
        ("record_type", 1, "N"), ("reference", 8, "n"), ("date", 6, "D"), ("value_date", 6, "d"),
        ("direction", 1, "N"), ("transaction_type", 2, "n"), ("amount", 12, "N"),
        ("other_bank_amount", 12, "n"), ("exchange_date", 6, "d"), ("dishonour_date", 6, "d"),
        ("bill_type", 1, "n"), ("bill_number", 7, "n"), ("branch_office", 3, "n"),
        ("payer_code", 10, "n"), ("payer_name", 48, "C"), ("payer_bank_name", 15, "C"),
        ("payer_branch_name", 15, "C"), ("remarks", 20, "C"), ("edi", 20, "C"), ("", 1, "-"),
    ),
}  # fmt: skip
# 振込入金通知 with 12-digit amounts: 金額(1) all zeros, 金額(2) after 取消区分 (bytes 129-152).
DATA_01_WIDE = DATA[KIND_TRANSFER_NOTICE][:11] + (
    ("amount_wide", 12, "n"), ("other_bank_amount_wide", 12, "n"), ("edi", 20, "C"), ("", 28, "-"),
)  # fmt: skip
TRAILER = {
    KIND_TRANSFER_NOTICE: (
        ("record_type", 1, "N"), ("credit_count", 6, "N"), ("credit_amount", 12, "N"),
        ("cancel_count", 6, "n"), ("cancel_amount", 12, "n"), ("", 163, "-"),
    ),
    KIND_STATEMENT: (
        ("record_type", 1, "N"), ("credit_count", 6, "N"), ("credit_amount", 13, "N"),
        ("debit_count", 6, "N"), ("debit_amount", 13, "N"), ("overdraft", 1, "n"),
        ("closing_balance", 14, "n"), ("record_count", 7, "n"), ("", 139, "-"),
    ),
}  # fmt: skip
END = (("record_type", 1, "N"), ("record_total", 10, "n"), ("account_total", 5, "n"), ("", 184, "-"))

# The names the bank's format gives the fields, for messages.
FIELD_LABELS = {
    "record_type": "データ区分", "kind": "種別コード", "code_type": "コード区分", "created": "作成日",
    "date_from": "勘定日(自)", "date_to": "勘定日(至)", "bank_code": "銀行コード",
    "branch_code": "支店コード",
    "account_type": "預金種目", "account_number": "口座番号", "opening_balance": "取引前残高",
    "reference": "照会番号", "date": "勘定日", "value_date": "起算日", "direction": "入払区分",
    "transaction_type": "取引区分", "amount": "取引金額", "amount_wide": "金額(2)",
    "other_bank_amount": "うち他店券金額", "payer_code": "振込依頼人コード", "payer_name": "振込依頼人名",
    "credit_count": "入金件数", "credit_amount": "入金額合計", "debit_count": "出金件数",
    "debit_amount": "出金額合計", "cancel_count": "取消件数", "cancel_amount": "取消金額",
    "record_count": "データ・レコード件数", "closing_balance": "取引後残高", "record_total": "レコード総件数",
}  # fmt: skip

MESSAGES = {
    "empty": "the file holds no record",
    "truncated": "record {record_no} is {value} bytes long, not 200",
    "sequence": "record {record_no}: a record of type {value} where the format expects {expected}",
    "after_end": "record {record_no}: the file goes on after its end record (9)",
    "no_end": "the file ends after record {record_no} without its end record (9)",
    "digits": "record {record_no}, {label}: '{value}' is not a number",
    "date": "record {record_no}, {label}: '{value}' is not a 和暦 date (YYMMDD)",
    "kind": "record {record_no}, {label}: '{value}' is not 01 (振込入金通知) or 03 (入出金取引明細)",
    "mixed": "record {record_no}, {label}: '{value}' differs from the file's first header ({expected})",
    "direction": "record {record_no}, {label}: '{value}' is neither 1 (入金) nor 2 (出金)",
    "text": "record {record_no}, {label}: bytes {value} are not JIS X 0201 text",
    "trailer": "record {record_no}, {label}: the trailer says {value}, the data records make {expected}",
}


class ZenginError(ValueError):
    """A file that is not a well-formed Zengin file. ``code`` (a key of MESSAGES), the
    1-based ``record_no``, ``field`` and ``value`` let callers word their own message."""

    def __init__(self, code, record_no=None, field=None, value=None, expected=None):
        self.code, self.record_no, self.field = code, record_no, field
        self.value, self.expected = value, expected
        self.label = FIELD_LABELS.get(field, field or "")
        super().__init__(MESSAGES[code].format(**vars(self)))


@dataclasses.dataclass
class ZenginHeader:
    kind: str = KIND_STATEMENT
    created: datetime.date = None
    date_from: datetime.date = None
    date_to: datetime.date = None
    bank_code: str = "0000"
    bank_name: str = ""
    branch_code: str = "000"
    branch_name: str = ""
    account_type: str = "1"  # 1 普通, 2 当座, 4 貯蓄
    account_number: str = "0000000"
    account_name: str = ""
    code_type: str = "0"  # 0 JIS
    opening_balance: int = None
    record_no: int = None


@dataclasses.dataclass
class ZenginTransaction:
    date: datetime.date = None  # 勘定日
    amount: int = 0
    direction: str = "1"  # 入払区分: 1 入金 (credit), 2 出金 (debit); always 1 in a 01 file
    reference: str = ""  # 照会番号, digits as in the file
    value_date: datetime.date = None  # 起算日 / 預入・払出日
    # 取引区分: 10 現金, 11 振込, 12 他店券入金, 13 交換, 14 振替, 18 その他, 19 訂正
    transaction_type: str = ""
    payer_code: str = ""
    payer_name: str = ""  # half-width kana as in the file
    payer_bank_name: str = ""
    payer_branch_name: str = ""
    remarks: str = ""  # 摘要内容 (03 only)
    edi: str = ""  # EDI情報
    cancel: str = ""  # 取消区分 (01 only): "1" cancels an earlier notice
    other_bank_amount: int = 0
    record_no: int = None

    @property
    def is_credit(self):
        return self.direction == "1" and self.cancel != "1"


@dataclasses.dataclass
class ZenginTrailer:
    credit_count: int = 0
    credit_amount: int = 0
    debit_count: int = 0
    debit_amount: int = 0
    cancel_count: int = None
    cancel_amount: int = None
    closing_balance: int = None
    record_count: int = None
    record_no: int = None


@dataclasses.dataclass
class ZenginAccount:
    """One account's header, data records and trailer."""

    header: ZenginHeader
    transactions: list
    trailer: ZenginTrailer = None


@dataclasses.dataclass
class ZenginFile:
    kind: str
    accounts: list

    @property
    def transactions(self):
        return [tx for account in self.accounts for tx in account.transactions]

    @property
    def credits(self):
        return [tx for tx in self.transactions if tx.is_credit]


# Reading ------------------------------------------------------------------------------------


def split_records(data):
    """The 200-byte records of ``data``: separated by CR LF / LF or not at all, up to an EOF
    byte. A record of another length is truncated (or two records lost their separator)."""
    data = bytes(data).split(EOF, 1)[0]
    if b"\n" in data or b"\r" in data:
        chunks = re.split(rb"\r\n|\n|\r", data)
    else:
        chunks = [data[i : i + RECORD_LENGTH] for i in range(0, len(data), RECORD_LENGTH)]
    while chunks and not chunks[-1].strip():  # the last separator, or blanks some systems pad with
        chunks.pop()
    for record_no, chunk in enumerate(chunks, 1):
        if len(chunk) != RECORD_LENGTH:
            raise ZenginError("truncated", record_no, value=len(chunk))
    if not chunks:
        raise ZenginError("empty")
    return chunks


def _read_field(raw, ftype, record_no, field, today):
    if ftype == "C":
        text = raw.decode("cp932", "replace")
        if len(text) != len(raw) or "\ufffd" in text:  # JIS X 0201 has one byte a character
            raise ZenginError("text", record_no, field, raw.hex(" "))
        return text.rstrip(" ")
    text = raw.decode("ascii", "replace")
    if ftype in "Dd":
        try:
            value = wareki_to_date(text, today)
        except ValueError:
            raise ZenginError("date", record_no, field, text) from None
        if value is None and ftype == "D":
            raise ZenginError("date", record_no, field, text)
        return value
    if ftype == "n" and not text.strip():
        return None
    if not text.isdigit() or not text.isascii():
        raise ZenginError("digits", record_no, field, text)
    return text


def parse_record(raw, layout, record_no, today=None):
    """{field: value} of one record by ``layout``: digits stay strings, dates are dates."""
    values, pos = {}, 0
    for field, width, ftype in layout:
        if ftype not in "-0":
            values[field] = _read_field(raw[pos : pos + width], ftype, record_no, field, today)
        pos += width
    return values


def _int(value):
    return int(value) if value is not None else None


def _header(raw, record_no, today):
    kind = raw[1:3].decode("ascii", "replace")
    if kind not in KINDS:
        raise ZenginError("kind", record_no, "kind", kind)
    values = parse_record(raw, HEADER[kind], record_no, today)
    values["opening_balance"] = _int(values.get("opening_balance"))
    names = {f.name for f in dataclasses.fields(ZenginHeader)}
    return ZenginHeader(record_no=record_no, **{k: v for k, v in values.items() if k in names})


def _transaction(raw, kind, record_no, today):
    layout = DATA[kind]
    if kind == KIND_TRANSFER_NOTICE and raw[128:152].isdigit() and raw[23:33] == b"0" * 10:
        layout = DATA_01_WIDE
    values = parse_record(raw, layout, record_no, today)
    if "amount_wide" in values:
        values["amount"] = values.pop("amount_wide")
        values["other_bank_amount"] = values.pop("other_bank_amount_wide")
    if values.get("direction", "1") not in ("1", "2"):
        raise ZenginError("direction", record_no, "direction", values["direction"])
    for field in ("amount", "other_bank_amount"):
        values[field] = _int(values[field]) or 0
    for field in ("reference", "payer_code"):  # all zeros: the bank gave none
        values[field] = (values[field] or "").strip("0") and values[field]
    values["transaction_type"] = values.get("transaction_type") or ""
    names = {f.name for f in dataclasses.fields(ZenginTransaction)}
    return ZenginTransaction(record_no=record_no, **{k: v for k, v in values.items() if k in names})


def _trailer(raw, kind, record_no, today):
    values = parse_record(raw, TRAILER[kind], record_no, today)
    values.pop("record_type")
    values.pop("overdraft", None)
    return ZenginTrailer(record_no=record_no, **{k: _int(v) for k, v in values.items()})


def check_trailer(kind, transactions, trailer):
    """Raise ZenginError when the trailer's counts and sums are not those of the data."""

    def total(condition):
        txs = [tx for tx in transactions if condition(tx)]
        return len(txs), sum(tx.amount for tx in txs)

    credit = total(lambda tx: tx.is_credit)
    if kind == KIND_TRANSFER_NOTICE:
        # Banks differ on whether the 振込 total counts the cancellations too: accept both.
        checks = [("credit", {credit, total(bool)}), ("cancel", {total(lambda tx: tx.cancel == "1")})]
    else:
        checks = [("credit", {credit}), ("debit", {total(lambda tx: tx.direction == "2")})]
    for name, expected in checks:
        got = (getattr(trailer, f"{name}_count"), getattr(trailer, f"{name}_amount") or 0)
        if got not in expected and got[0] is not None:
            field = f"{name}_amount" if got[0] in {count for count, _amount in expected} else f"{name}_count"
            shown = " or ".join(f"{count} / {amount}" for count, amount in sorted(expected))
            raise ZenginError("trailer", trailer.record_no, field, f"{got[0]} / {got[1]}", shown)
    if kind == KIND_STATEMENT and trailer.record_count not in (None, 0, len(transactions)):
        raise ZenginError(
            "trailer", trailer.record_no, "record_count", trailer.record_count, len(transactions)
        )


def parse_zengin(data, today=None):
    """Parse a whole file (bytes) into a ZenginFile; ``today`` is the reference day of the
    和暦 rule. Raises ZenginError naming the record for anything malformed."""
    records = split_records(data)
    accounts, current, state, kind = [], None, "start", None
    follows = {"start": "1", "header": "28", "data": "28", "trailer": "19"}
    for record_no, raw in enumerate(records, 1):
        rtype = raw[:1].decode("ascii", "replace")
        if state == "end":
            raise ZenginError("after_end", record_no, "record_type", rtype)
        if rtype not in follows[state]:
            raise ZenginError("sequence", record_no, "record_type", rtype, " or ".join(follows[state]))
        if rtype == "1":
            header = _header(raw, record_no, today)
            if kind and header.kind != kind:
                raise ZenginError("mixed", record_no, "kind", header.kind, kind)
            kind, state = header.kind, "header"
            current = ZenginAccount(header=header, transactions=[])
            accounts.append(current)
        elif rtype == "2":
            current.transactions.append(_transaction(raw, kind, record_no, today))
            state = "data"
        elif rtype == "8":
            current.trailer = _trailer(raw, kind, record_no, today)
            check_trailer(kind, current.transactions, current.trailer)
            state = "trailer"
        else:
            parse_record(raw, END, record_no, today)
            state = "end"
    if state != "end":
        raise ZenginError("no_end", len(records))
    return ZenginFile(kind=kind, accounts=accounts)


# Writing (tests, benchmark, demo bank files) ------------------------------------------------


def _write_field(value, width, ftype, field):
    if ftype in "-0":
        return (b" " if ftype == "-" else b"0") * width
    if ftype in "Dd":
        return date_to_wareki(value).encode("ascii")
    if ftype in "Nn":
        text = "" if value is None else str(value)
        if ftype == "n" and not text:
            return b"0" * width
        if not text.isdigit() or len(text) > width:
            raise ValueError(f"{field}: {value!r} does not fit {width} digits")
        return text.rjust(width, "0").encode("ascii")
    return encode_bank(value or "", width)  # KanaError (a ValueError) for kanji and the like


def write_record(layout, values):
    """One 200-byte record from {field: value} (missing fields are zeros or blanks)."""
    return b"".join(_write_field(values.get(field), width, ftype, field) for field, width, ftype in layout)


def trailer_for(transactions):
    """The trailer that matches ``transactions``."""
    credits = [tx for tx in transactions if tx.is_credit]
    debits = [tx for tx in transactions if tx.direction == "2"]
    cancels = [tx for tx in transactions if tx.cancel == "1"]
    return ZenginTrailer(
        credit_count=len(credits), credit_amount=sum(tx.amount for tx in credits),
        debit_count=len(debits), debit_amount=sum(tx.amount for tx in debits),
        cancel_count=len(cancels), cancel_amount=sum(tx.amount for tx in cancels),
        record_count=len(transactions),
    )  # fmt: skip


def write_zengin(header, transactions, separator=b"\r\n", trailer=None, eof=False):
    """Bytes of a one-account file of ``header.kind``: header, data, trailer (computed
    unless given) and end, each record 200 bytes, joined by ``separator``."""
    kind = header.kind
    trailer = trailer or trailer_for(transactions)
    records = [write_record(HEADER[kind], {**vars(header), "record_type": "1"})]
    records += [
        write_record(DATA[kind], {**vars(tx), "record_type": "2", "value_date": tx.value_date or tx.date})
        for tx in transactions
    ]
    records.append(write_record(TRAILER[kind], {**vars(trailer), "record_type": "8"}))
    records.append(write_record(END, {"record_type": "9", "record_total": len(records) + 1}))
    return separator.join(records) + separator + (EOF if eof else b"")
