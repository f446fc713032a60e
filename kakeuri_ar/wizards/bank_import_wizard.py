# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import hashlib
import re

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..models.account_journal_bank_import import CSV_DELIMITERS, CSV_ENCODINGS
from ..tools import bank_csv, zengin

# The journal's remembered CSV mapping: wizard field → journal field.
CSV_FIELDS = {
    "csv_delimiter": "kakeuri_csv_delimiter",
    "csv_encoding": "kakeuri_csv_encoding",
    "csv_header": "kakeuri_csv_header",
    "csv_date_format": "kakeuri_csv_date_format",
    "csv_date_col": "kakeuri_csv_date_col",
    "csv_amount_col": "kakeuri_csv_amount_col",
    "csv_payer_col": "kakeuri_csv_payer_col",
    "csv_ref_col": "kakeuri_csv_ref_col",
    "csv_remarks_col": "kakeuri_csv_remarks_col",
}


class KakeuriBankImportWizard(models.TransientModel):
    """Imports a bank file into a bank journal: each deposit becomes a statement line of one
    new statement. A file that fails any check imports nothing."""

    _name = "kakeuri.bank.import.wizard"
    _description = "Import a Bank File"

    journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Bank Journal",
        required=True,
        domain="[('type', '=', 'bank')]",
        default=lambda self: self._default_journal(),
    )
    company_id = fields.Many2one(related="journal_id.company_id")
    data_file = fields.Binary(string="Bank File", required=True, attachment=False)
    filename = fields.Char(string="File Name")
    file_format = fields.Selection(
        selection=[("auto", "Detect"), ("zengin", "Zengin (全銀, 200-byte records)"), ("csv", "CSV")],
        string="Format",
        required=True,
        default="auto",
    )
    csv_delimiter = fields.Selection(selection=CSV_DELIMITERS, string="Delimiter")
    csv_encoding = fields.Selection(selection=CSV_ENCODINGS, string="Encoding")
    csv_header = fields.Boolean(string="Header Row")
    csv_date_format = fields.Char(string="Date Format", help="As Python writes it: %Y/%m/%d for 2026/03/31.")
    csv_date_col = fields.Integer(string="Date Column")
    csv_amount_col = fields.Integer(
        string="Amount Column", help="Deposits are positive; negative amounts are skipped."
    )
    csv_payer_col = fields.Integer(string="Payer Name Column", help="0: not in the file.")
    csv_ref_col = fields.Integer(string="Reference Column", help="0: not in the file.")
    csv_remarks_col = fields.Integer(string="Remarks Column", help="0: not in the file.")

    def _default_journal(self):
        context = self.env.context
        if context.get("active_model") == "account.journal" and context.get("active_id"):
            return context["active_id"]
        return self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "in", self.env.companies.ids)], limit=1
        )

    @api.model_create_multi
    def create(self, vals_list):
        # The mapping the journal remembers, for what the caller leaves out.
        default_journal = self.default_get(["journal_id"]).get("journal_id")
        for vals in vals_list:
            journal = self.env["account.journal"].browse(vals.get("journal_id") or default_journal)
            for field, journal_field in CSV_FIELDS.items():
                vals.setdefault(field, journal[journal_field])
        return super().create(vals_list)

    @api.onchange("journal_id")
    def _onchange_journal_id(self):
        for field, journal_field in CSV_FIELDS.items():
            self[field] = self.journal_id[journal_field]

    # Import ---------------------------------------------------------------------------------

    def action_import(self):
        self.ensure_one()
        self = self.with_company(self.journal_id.company_id)  # noqa: PLW0642
        data = base64.b64decode(self.data_file or b"")
        if not data.strip(b"\r\n\x1a "):
            raise UserError(_("%(file)s is empty.", file=self._file_label()))
        file_format = self.file_format if self.file_format != "auto" else self._detect_format(data)
        if file_format == "zengin":
            rows, period = self._zengin_rows(data)
        else:
            rows, period = self._csv_rows(data)
        digest = hashlib.sha256(data).hexdigest()
        self._check_not_imported(digest, rows)
        if not rows:
            raise UserError(_("%(file)s holds no deposit to import.", file=self._file_label()))
        statement = self._create_statement(rows, period, digest, data)
        if file_format == "csv":
            self.journal_id.write({journal_field: self[field] for field, journal_field in CSV_FIELDS.items()})
        return self._action_open_lines(statement)

    def _file_label(self):
        return self.filename or _("The bank file")

    @api.model
    def _detect_format(self, data):
        head = data[: zengin.RECORD_LENGTH]
        is_zengin = head[:1] == b"1" and head[1:3].decode("ascii", "replace") in zengin.KINDS
        is_zengin = is_zengin and len(head) == zengin.RECORD_LENGTH and not re.search(rb"[\r\n]", head)
        return "zengin" if is_zengin else "csv"

    def _create_statement(self, rows, period, digest, data):
        journal = self.journal_id
        name = f"{self.filename or journal.name} {format_date(self.env, period[0])}"
        if period[1] != period[0]:
            name += f" – {format_date(self.env, period[1])}"
        lines = [Command.create({**vals, "journal_id": journal.id}) for _label, vals in rows]
        return self.env["account.bank.statement"].create(
            {
                "name": name,
                "line_ids": lines,
                "kakeuri_import_hash": digest,
                "kakeuri_import_filename": self.filename,
                "attachment_ids": [Command.create({"name": self.filename or name, "raw": data})],
            }
        )

    def _action_open_lines(self, statement):
        action = self.env.ref("kakeuri_ar.action_kakeuri_bank_matching", raise_if_not_found=False)
        if action:
            result = action._get_action_dict()
        else:
            view = self.env.ref("kakeuri_ar.view_account_bank_statement_line_import_list")
            result = {
                "type": "ir.actions.act_window",
                "res_model": "account.bank.statement.line",
                "views": [(view.id, "list"), (False, "form")],
            }
        result.update(name=statement.name, domain=[("statement_id", "=", statement.id)], target="current")
        return result

    # Checks ---------------------------------------------------------------------------------

    def _check_not_imported(self, digest, rows):
        journal, file = self.journal_id, self._file_label()
        earlier = self.env["account.bank.statement"].search(
            [("journal_id", "=", journal.id), ("kakeuri_import_hash", "=", digest)], limit=1
        )
        if earlier:
            raise UserError(
                _(
                    "%(file)s was already imported into %(journal)s (statement %(statement)s). "
                    "Nothing was imported.",
                    file=file,
                    journal=journal.display_name,
                    statement=earlier.name,
                )
            )
        seen = {}
        for label, vals in rows:
            ref = vals.get("kakeuri_bank_ref")
            if ref and ref in seen:
                raise UserError(
                    _(
                        "%(file)s, %(record)s: transaction %(ref)s is already in %(first)s of the same "
                        "file. Nothing was imported.",
                        file=file,
                        record=label,
                        ref=ref,
                        first=seen[ref],
                    )
                )
            seen[ref] = label
        seen.pop(None, None)
        seen.pop(False, None)
        if not seen:
            return
        done = self.env["account.bank.statement.line"].search(
            [("journal_id", "=", journal.id), ("kakeuri_bank_ref", "in", list(seen))], limit=1, order="id"
        )
        if done:
            raise UserError(
                _(
                    "%(file)s, %(record)s: transaction %(ref)s was already imported into %(journal)s "
                    "(%(statement)s, %(date)s). Nothing was imported.",
                    file=file,
                    record=seen[done.kakeuri_bank_ref],
                    ref=done.kakeuri_bank_ref,
                    journal=journal.display_name,
                    statement=done.statement_id.name or done.move_id.name,
                    date=format_date(self.env, done.date),
                )
            )

    # Zengin ---------------------------------------------------------------------------------

    def _zengin_rows(self, data):
        journal, file = self.journal_id, self._file_label()
        currency = journal.currency_id or journal.company_id.currency_id
        if currency.name != "JPY":
            raise UserError(
                _(
                    "%(file)s is a Zengin file, in yen, but %(journal)s keeps %(currency)s. "
                    "Import it into a yen bank journal.",
                    file=file,
                    journal=journal.display_name,
                    currency=currency.name,
                )
            )
        try:
            parsed = zengin.parse_zengin(data, today=fields.Date.context_today(self))
        except zengin.ZenginError as err:
            raise UserError(self._zengin_error_message(err)) from None
        for account in parsed.accounts:
            self._check_zengin_account(account.header)
        kind = "zengin_" + parsed.kind
        rows = [(_("record %s", tx.record_no), self._zengin_line_vals(tx, kind)) for tx in parsed.credits]
        headers = [account.header for account in parsed.accounts]
        period = (min(h.date_from for h in headers), max(h.date_to for h in headers))
        return rows, period

    @api.model
    def _zengin_line_vals(self, tx, kind):
        remarks = " ".join(text for text in (tx.remarks, tx.edi) if text)
        details = {
            "format": kind,
            "record": tx.record_no,
            "reference": tx.reference,
            "value_date": tx.value_date and tx.value_date.isoformat(),
            "transaction_type": tx.transaction_type,
            "payer_code": tx.payer_code,
            "payer_bank": tx.payer_bank_name,
            "payer_branch": tx.payer_branch_name,
            "remarks": tx.remarks,
            "edi": tx.edi,
        }
        return {
            "date": tx.date,
            "amount": tx.amount,
            "partner_name": tx.payer_name,
            "payment_ref": remarks or tx.payer_name or tx.reference,
            # Some banks number their transactions again every day: the booking day makes
            # the bank's 照会番号 unique.
            "kakeuri_bank_ref": tx.reference and f"{tx.date:%Y%m%d}-{tx.reference}" or False,
            "transaction_type": tx.transaction_type,
            "transaction_details": details,
        }

    def _check_zengin_account(self, header):
        journal, file = self.journal_id, self._file_label()
        file_account = f"{header.bank_code}-{header.branch_code} {header.account_number.lstrip('0')}"
        bank_account = journal.bank_account_id
        if not bank_account:
            raise UserError(
                _(
                    "%(journal)s has no bank account: set it so that the account of %(file)s "
                    "(%(account)s) can be checked. Nothing was imported.",
                    journal=journal.display_name,
                    file=file,
                    account=file_account,
                )
            )
        digits = re.sub(r"\D", "", bank_account.acc_number or "")
        # An account number written with its bank and branch codes ends with the 7 digits.
        number = digits[-7:] if len(digits) > 10 else digits
        same = int(number or 0) == int(header.account_number)
        bank_code = (
            bank_account.bank_id._fields.get("kakeuri_bank_code") and bank_account.bank_id.kakeuri_bank_code
        )
        branch_code = bank_account._fields.get("kakeuri_branch_code") and bank_account.kakeuri_branch_code
        same = same and (not bank_code or bank_code == header.bank_code)
        same = same and (not branch_code or branch_code == header.branch_code)
        if not same:
            raise UserError(
                _(
                    "%(file)s (record %(record)s) is the file of account %(account)s (%(name)s), not of "
                    "%(journal)s (%(journal_account)s). Nothing was imported.",
                    file=file,
                    record=header.record_no,
                    account=file_account,
                    name=header.account_name,
                    journal=journal.display_name,
                    journal_account=bank_account.acc_number,
                )
            )

    def _zengin_error_message(self, err):
        problems = {
            "empty": _("the file holds no record"),
            "truncated": _("the record is %(value)s bytes long instead of 200 (a truncated file?)"),
            "sequence": _("a record of type %(value)s where the format expects type %(expected)s"),
            "after_end": _("the file goes on after its end record (9)"),
            "no_end": _("the file ends without its end record (9)"),
            "digits": _("'%(value)s' is not a number"),
            "date": _("'%(value)s' is not a date of the Japanese era (YYMMDD)"),
            "kind": _("'%(value)s' is neither 01 (振込入金通知) nor 03 (入出金取引明細)"),
            "mixed": _("'%(value)s' differs from the first header's %(expected)s"),
            "direction": _("'%(value)s' is neither 1 (deposit) nor 2 (withdrawal)"),
            "text": _("bytes %(value)s are not half-width (JIS X 0201) characters"),
            "trailer": _("the trailer says %(value)s (count / amount), the data records make %(expected)s"),
        }
        problem = problems[err.code] % {"value": err.value, "expected": err.expected}
        return _(
            "%(file)s, record %(record)s %(field)s: %(problem)s. Nothing was imported.",
            file=self._file_label(),
            record=err.record_no or "-",
            field=err.label,
            problem=problem,
        )

    # CSV ------------------------------------------------------------------------------------

    def _csv_rows(self, data):
        mapping = bank_csv.CsvMapping(
            date=self.csv_date_col,
            amount=self.csv_amount_col,
            payer=self.csv_payer_col,
            reference=self.csv_ref_col,
            remarks=self.csv_remarks_col,
            date_format=self.csv_date_format or "%Y/%m/%d",
            delimiter=self.csv_delimiter or ",",
            encoding=self.csv_encoding or "utf-8",
            header=self.csv_header,
        )
        try:
            csv_rows = bank_csv.read_csv(data, mapping)
        except bank_csv.CsvError as err:
            raise UserError(self._csv_error_message(err, mapping)) from None
        currency = self.journal_id.currency_id or self.journal_id.company_id.currency_id
        rows = [
            (
                _("line %s", row.line),
                {
                    "date": row.date,
                    "amount": currency.round(float(row.amount)),
                    "partner_name": row.payer,
                    "payment_ref": row.remarks or row.payer or row.reference,
                    "kakeuri_bank_ref": row.reference or False,
                    "transaction_details": {"format": "csv", "record": row.line, "remarks": row.remarks},
                },
            )
            for row in csv_rows
            if row.amount > 0
        ]
        return rows, (min(row.date for row in csv_rows), max(row.date for row in csv_rows))

    def _csv_error_message(self, err, mapping):
        values = {"file": self._file_label(), "line": err.line, "value": err.value}
        if err.code == "encoding":
            return _(
                "%(file)s, line %(line)s: the file is not %(encoding)s text (bytes %(value)s). "
                "Nothing was imported.",
                encoding=dict(CSV_ENCODINGS)[mapping.encoding],
                **values,
            )
        if err.code == "columns":
            field = self._fields[{"reference": "csv_ref_col"}.get(err.field, f"csv_{err.field}_col")]
            return _(
                "%(file)s, line %(line)s: the line has %(value)s columns, fewer than the %(column)s. "
                "Nothing was imported.",
                column=field._description_string(self.env),
                **values,
            )
        if err.code == "date":
            return _(
                "%(file)s, line %(line)s: '%(value)s' is not a date in the format %(format)s. "
                "Nothing was imported.",
                format=mapping.date_format,
                **values,
            )
        if err.code == "amount":
            return _("%(file)s, line %(line)s: '%(value)s' is not an amount. Nothing was imported.", **values)
        return _("%(file)s holds no transaction.", file=values["file"])
