# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Zengin 預金口座振替 file (種別コード 91): the request a company sends its bank and the
result file the bank sends back, in the same layout with the 振替結果コード filled in.

Fixed 120-byte records in JIS X 0201 (half-width kana): a header (データ区分 1), one data
record per debit (2), a trailer with counts and sums (8) and an end record (9). Numeric
fields (N) are right-aligned and zero-filled, text fields (C) left-aligned and space-padded.
Records are written separated by CR LF, as banks return them; the reader takes them with or
without separators. Pure Python, no Odoo import: the direct debit run calls it.
"""

from dataclasses import dataclass, field, replace

from .kana import decode_bank, encode_bank

RECORD_LENGTH = 120
KIND_CODE = "91"
# 振替結果コード: 0 paid; the other codes are the bank's reasons for not debiting
RESULT_PAID = "0"
RESULT_CODES = ("0", "1", "2", "3", "4", "8", "9")
# 預金種目: 普通 1, 当座 2, 貯蓄 4 (the Zengin account type codes)
ACCOUNT_TYPE_CODES = {"ordinary": "1", "current": "2", "savings": "4"}

# (name, width, kind): kind N numeric, C text (half-width kana), X a fixed value
HEADER_LAYOUT = (
    ("record_type", 1, "X"),
    ("kind_code", 2, "X"),
    ("code_type", 1, "X"),
    ("consignor_code", 10, "N"),
    ("consignor_name", 40, "C"),
    ("collection_mmdd", 4, "N"),
    ("bank_code", 4, "N"),
    ("bank_name", 15, "C"),
    ("branch_code", 3, "N"),
    ("branch_name", 15, "C"),
    ("account_type", 1, "N"),
    ("account_number", 7, "N"),
    ("dummy", 17, "C"),
)
DATA_LAYOUT = (
    ("record_type", 1, "X"),
    ("bank_code", 4, "N"),
    ("bank_name", 15, "C"),
    ("branch_code", 3, "N"),
    ("branch_name", 15, "C"),
    ("dummy1", 4, "C"),
    ("account_type", 1, "N"),
    ("account_number", 7, "N"),
    ("holder_name", 30, "C"),
    ("amount", 10, "N"),
    ("new_code", 1, "N"),
    ("customer_code", 20, "N"),
    ("result_code", 1, "N"),
    ("dummy2", 8, "C"),
)
TRAILER_LAYOUT = (
    ("record_type", 1, "X"),
    ("total_count", 6, "N"),
    ("total_amount", 12, "N"),
    ("paid_count", 6, "N"),
    ("paid_amount", 12, "N"),
    ("failed_count", 6, "N"),
    ("failed_amount", 12, "N"),
    ("dummy", 65, "C"),
)
END_LAYOUT = (("record_type", 1, "X"), ("dummy", 119, "C"))


class DebitFileError(ValueError):
    """A value the file cannot carry, or a file that is not a valid 種別 91 file.

    ``index`` is the position of the debit (0-based) the value belongs to, None for the
    header; ``record`` the 1-based record number of a file being read; ``field`` the field."""

    def __init__(self, message, field=None, value=None, index=None, record=None):
        super().__init__(message)
        self.field = field
        self.value = value
        self.index = index
        self.record = record


@dataclass
class DebitHeader:
    consignor_code: str
    consignor_name: str
    collection_mmdd: str
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    bank_name: str = ""
    branch_name: str = ""


@dataclass
class DebitItem:
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder_name: str
    amount: int
    customer_code: str = ""
    new_code: str = "0"
    result_code: str = "0"
    bank_name: str = ""
    branch_name: str = ""


@dataclass
class DebitFile:
    header: DebitHeader
    items: list = field(default_factory=list)
    total_count: int = 0
    total_amount: int = 0
    paid_count: int = 0
    paid_amount: int = 0
    failed_count: int = 0
    failed_amount: int = 0


# ---------------------------------------------------------------------- writing
def _numeric(value, width, name, index):
    """``value`` right-aligned and zero-filled; an empty optional field (a customer number
    not given) is all zeros."""
    text = str(value if value is not None else "").strip() or "0"
    if not text.isdigit() or not text.isascii() or len(text) > width:
        raise DebitFileError(
            f"{name}: {value!r} is not a number of at most {width} digits", name, value, index
        )
    return text.zfill(width).encode("ascii")


def _record(layout, values, index=None):
    parts = []
    for name, width, kind in layout:
        value = values.get(name, "")
        if kind == "N":
            parts.append(_numeric(value, width, name, index))
            continue
        try:
            parts.append(encode_bank(value or "", width))
        except ValueError as error:  # KanaError: a character the bank set cannot carry
            raise DebitFileError(
                f"{name}: {value!r} cannot be written in half-width kana ({error})", name, value, index
            ) from error
    record = b"".join(parts)
    assert len(record) == RECORD_LENGTH, (layout, len(record))
    return record


def _header_values(header):
    values = vars(header).copy()
    values.update(record_type="1", kind_code=KIND_CODE, code_type="0")
    return values


def write_file(header, items, results=False):
    """The bytes of a 種別 91 file: a request, or with ``results`` the bank's result file
    (the trailer then counts the paid and failed debits by their result codes)."""
    records = [_record(HEADER_LAYOUT, _header_values(header))]
    totals = _totals(items, with_results=results)
    for index, item in enumerate(items):
        if item.result_code not in RESULT_CODES:
            raise DebitFileError(
                f"result_code: {item.result_code!r} is not a transfer result code",
                "result_code",
                item.result_code,
                index,
            )
        values = vars(item).copy()
        values.update(record_type="2", dummy1="", dummy2="")
        records.append(_record(DATA_LAYOUT, values, index))
    for name in ("total_amount", "paid_amount", "failed_amount"):
        _numeric(totals[name], 12, name, None)
    records.append(_record(TRAILER_LAYOUT, dict(totals, record_type="8")))
    records.append(_record(END_LAYOUT, {"record_type": "9"}))
    return b"\r\n".join(records) + b"\r\n"


def write_request(header, items):
    """The request file: every item sent with result code "0" (the field is the bank's)."""
    return write_file(header, [replace(item, result_code=RESULT_PAID) for item in items])


def write_result(header, items):
    """A result file as the bank returns it: the request's records with their result codes."""
    return write_file(header, items, results=True)


def _totals(items, with_results):
    """Counts and sums of the trailer; paid and failed stay zero in a request."""
    paid = [i for i in items if i.result_code == RESULT_PAID] if with_results else []
    failed = [i for i in items if i.result_code != RESULT_PAID] if with_results else []
    return {
        "total_count": len(items),
        "total_amount": sum(int(i.amount) for i in items),
        "paid_count": len(paid),
        "paid_amount": sum(int(i.amount) for i in paid),
        "failed_count": len(failed),
        "failed_amount": sum(int(i.amount) for i in failed),
    }


# ---------------------------------------------------------------------- reading
def _split_records(data):
    data = data.rstrip(b"\x1a")  # an MS-DOS end-of-file mark some banks still append
    if b"\n" in data or b"\r" in data:
        lines = [line for line in data.replace(b"\r\n", b"\n").split(b"\n") if line.strip()]
    else:
        lines = [data[i : i + RECORD_LENGTH] for i in range(0, len(data), RECORD_LENGTH)]
    for number, line in enumerate(lines, 1):
        if len(line) != RECORD_LENGTH:
            raise DebitFileError(f"record {number} has {len(line)} bytes, not {RECORD_LENGTH}", record=number)
    return lines


def _parse(layout, record, number):
    values, position = {}, 0
    for name, width, kind in layout:
        raw = record[position : position + width]
        position += width
        if kind == "N":
            text = raw.decode("ascii", "replace")
            if not text.isdigit():
                raise DebitFileError(
                    f"record {number}: {name} {text!r} is not a number", name, text, record=number
                )
            values[name] = text
        else:
            values[name] = decode_bank(raw)
    return values


def read_file(data):
    """Read a 種別 91 file (request or result) into a :class:`DebitFile`; raise
    :class:`DebitFileError` naming the record for a wrong length, order, kind or trailer."""
    records = _split_records(data)
    if len(records) < 3 or records[0][:1] != b"1":
        raise DebitFileError("the file does not start with a header record (1)", record=1)
    header = _parse(HEADER_LAYOUT, records[0], 1)
    if records[0][1:3] != KIND_CODE.encode():
        raise DebitFileError(
            f"record 1: kind code {records[0][1:3].decode('ascii', 'replace')!r} is not 91 (預金口座振替)",
            record=1,
        )
    result = DebitFile(header=DebitHeader(**{k: header[k] for k in DebitHeader.__dataclass_fields__}))
    number = 2
    while number <= len(records) and records[number - 1][:1] == b"2":
        values = _parse(DATA_LAYOUT, records[number - 1], number)
        values["amount"] = int(values["amount"])
        result.items.append(DebitItem(**{k: values[k] for k in DebitItem.__dataclass_fields__}))
        number += 1
    if number > len(records) or records[number - 1][:1] != b"8":
        raise DebitFileError(f"record {number}: a trailer record (8) was expected", record=number)
    trailer = _parse(TRAILER_LAYOUT, records[number - 1], number)
    for name in ("total_count", "total_amount", "paid_count", "paid_amount", "failed_count", "failed_amount"):
        setattr(result, name, int(trailer[name]))
    _check_trailer(result, number)
    if number + 1 > len(records) or records[number][:1] != b"9" or len(records) > number + 1:
        raise DebitFileError(
            f"record {number + 1}: the end record (9) must close the file", record=number + 1
        )
    return result


def _check_trailer(result, number):
    with_results = bool(result.paid_count or result.failed_count)
    expected = _totals(result.items, with_results=with_results)
    for name, value in expected.items():
        if getattr(result, name) != value:
            raise DebitFileError(
                f"record {number}: the trailer's {name} is {getattr(result, name)}, "
                f"the data records make {value}",
                name,
                getattr(result, name),
                record=number,
            )
