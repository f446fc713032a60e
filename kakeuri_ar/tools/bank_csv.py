# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Bank transactions from a CSV file by a column mapping. Pure Python (no Odoo import).

Columns are numbered from 1; 0 means "not in this file". Amounts may carry thousands
separators, currency signs and 円; a minus sign or parentheses make a withdrawal."""

import csv
import dataclasses
import datetime
import io
import re
from decimal import Decimal, InvalidOperation

ENCODINGS = ("utf-8", "cp932")
_AMOUNT_NOISE = re.compile(r"[\s,¥￥$€円]")


class CsvError(ValueError):
    """A row that cannot be read: ``code`` ('encoding', 'columns', 'date', 'amount', 'empty'),
    the 1-based ``line``, the column ``field`` and the ``value``."""

    def __init__(self, code, line=None, field=None, value=None):
        self.code, self.line, self.field, self.value = code, line, field, value
        super().__init__(f"{code}: line {line}, {field}: {value!r}")


@dataclasses.dataclass
class CsvMapping:
    date: int = 1
    amount: int = 2
    payer: int = 0
    reference: int = 0
    remarks: int = 0
    date_format: str = "%Y/%m/%d"
    delimiter: str = ","
    encoding: str = "utf-8"
    header: bool = True


@dataclasses.dataclass
class CsvRow:
    line: int
    date: datetime.date
    amount: Decimal
    payer: str = ""
    reference: str = ""
    remarks: str = ""


def parse_amount(text):
    text = _AMOUNT_NOISE.sub("", text or "")
    negative = text.startswith("(") and text.endswith(")")
    try:
        value = Decimal(text.strip("()"))
    except InvalidOperation:
        raise ValueError(text) from None
    return -value if negative else value


def read_csv(data, mapping):
    """The rows of ``data`` (bytes) as CsvRow, blank lines skipped; raises CsvError."""
    try:
        text = bytes(data).decode("utf-8-sig" if mapping.encoding == "utf-8" else mapping.encoding)
    except UnicodeDecodeError as err:
        line = bytes(data)[: err.start].count(b"\n") + 1
        raise CsvError(
            "encoding", line, mapping.encoding, bytes(data)[err.start : err.start + 2].hex()
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter or ",")
    columns = {name: getattr(mapping, name) for name in ("date", "amount", "payer", "reference", "remarks")}
    rows = []
    for line, cells in enumerate(reader, 1):
        if (mapping.header and line == 1) or not any(cell.strip() for cell in cells):
            continue
        values = {}
        for name, column in columns.items():
            if column and column > len(cells):
                raise CsvError("columns", line, name, len(cells))
            values[name] = cells[column - 1].strip() if column else ""
        try:
            day = datetime.datetime.strptime(values["date"], mapping.date_format).date()
        except ValueError:
            raise CsvError("date", line, "date", values["date"]) from None
        try:
            amount = parse_amount(values["amount"])
        except ValueError:
            raise CsvError("amount", line, "amount", values["amount"]) from None
        rows.append(
            CsvRow(
                line=line,
                date=day,
                amount=amount,
                **{k: values[k] for k in ("payer", "reference", "remarks")},
            )
        )
    if not rows:
        raise CsvError("empty")
    return rows
