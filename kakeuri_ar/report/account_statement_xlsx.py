# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import io
import re

import xlsxwriter

from odoo import _, api, fields, models

# characters Excel refuses in a sheet name; at most 31 characters
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class KakeuriAccountStatementXlsx(models.AbstractModel):
    _name = "kakeuri.account.statement.xlsx"
    _description = "Statement of Account Spreadsheet"

    @api.model
    def generate(self, partners, company, date_from, date_to, lang=None):
        """The statements of ``partners`` (their commercial partners) as one XLSX workbook
        (bytes), one sheet per customer, each in ``lang`` or the customer's language; the
        dates in the format of that language."""
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        used = set()
        for partner in partners.commercial_partner_id:
            this = self.with_context(lang=lang or partner.lang or self.env.lang)
            statement = this.env["kakeuri.account.statement"].get_statement(
                partner, date_from, date_to, company=company
            )
            sheet = book.add_worksheet(self._sheet_name(partner, used))
            this._write_sheet(book, sheet, partner, company, statement)
        book.close()
        return buffer.getvalue()

    @api.model
    def _sheet_name(self, partner, used):
        """The customer's name, cut to Excel's 31 characters and made unique in the book."""
        base = SHEET_NAME_FORBIDDEN.sub("_", partner.name or str(partner.id)).strip("'") or str(partner.id)
        name, counter = base[:31], 2
        while name.lower() in used:
            suffix = f" ({counter})"
            name, counter = base[: 31 - len(suffix)] + suffix, counter + 1
        used.add(name.lower())
        return name

    @api.model
    def _write_sheet(self, book, sheet, partner, company, statement):
        aging_xlsx = self.env["kakeuri.aging.xlsx"]
        fmt = aging_xlsx._formats(book)
        currency = company.currency_id
        fmt["money"] = aging_xlsx._money_format(book, currency, fmt)
        fmt["money_total"] = aging_xlsx._money_format(book, currency, fmt, total=True)
        fmt["date_cell"] = book.add_format({"num_format": aging_xlsx._excel_date_format()})
        sheet.set_column(0, 0, 14)
        sheet.set_column(1, 3, 22)
        sheet.set_column(4, 4, 14)
        sheet.set_column(5, 7, 18)
        self._write_header(sheet, partner, company, statement, fmt)
        row = self._write_lines(sheet, 7, statement, fmt)
        self._write_aging(sheet, row + 2, statement, fmt)

    @api.model
    def _write_header(self, sheet, partner, company, statement, fmt):
        """Title, customer, company, period and currency (rows 1 to 6)."""
        sheet.write(0, 0, _("Statement of Account"), fmt["title"])
        sheet.write(1, 0, _("Customer"), fmt["label"])
        sheet.write(1, 1, partner.name)
        sheet.write(2, 0, _("Company"), fmt["label"])
        sheet.write(2, 1, company.name)
        if company.kakeuri_invoice_registration_number:
            sheet.write(3, 0, _("Registration No."), fmt["label"])
            sheet.write(3, 1, company.kakeuri_invoice_registration_number)
        sheet.write(4, 0, _("Period"), fmt["label"])
        sheet.write_datetime(4, 1, fields.Datetime.to_datetime(statement["date_from"]), fmt["date"])
        sheet.write_datetime(4, 2, fields.Datetime.to_datetime(statement["date_to"]), fmt["date"])
        sheet.write(5, 0, _("Currency"), fmt["label"])
        sheet.write(5, 1, company.currency_id.name)

    @api.model
    def _write_lines(self, sheet, row, statement, fmt):
        """Column headers, the opening balance, a row per movement and the closing balance
        from ``row``; returns the row of the closing balance."""
        headers = [
            _("Date"),
            _("Document"),
            _("Type"),
            _("Reference"),
            _("Due Date"),
            _("Charges"),
            _("Payments and Credits"),
            _("Balance"),
        ]
        for col, header in enumerate(headers):
            sheet.write(row, col, header, fmt["header"] if col < 5 else fmt["header_num"])
        sheet.freeze_panes(row + 1, 0)
        row += 1
        sheet.write_datetime(row, 0, fields.Datetime.to_datetime(statement["date_from"]), fmt["date_cell"])
        sheet.write(row, 1, _("Opening Balance"), fmt["label"])
        sheet.write_number(row, 7, statement["opening_balance"], fmt["money"])
        kinds = self._kind_labels()
        for line in statement["lines"]:
            row += 1
            sheet.write_datetime(row, 0, fields.Datetime.to_datetime(line["date"]), fmt["date_cell"])
            sheet.write(row, 1, line["name"])
            sheet.write(row, 2, kinds[line["kind"]])
            sheet.write(row, 3, " / ".join(text for text in (line.get("correction"), line["ref"]) if text))
            if line["date_due"]:
                sheet.write_datetime(row, 4, fields.Datetime.to_datetime(line["date_due"]), fmt["date_cell"])
            if line["debit"]:
                sheet.write_number(row, 5, line["debit"], fmt["money"])
            if line["credit"]:
                sheet.write_number(row, 6, line["credit"], fmt["money"])
            sheet.write_number(row, 7, line["balance"], fmt["money"])
        row += 1
        sheet.write_datetime(row, 0, fields.Datetime.to_datetime(statement["date_to"]), fmt["date_cell"])
        sheet.write(row, 1, _("Closing Balance"), fmt["total_label"])
        sheet.write_number(row, 5, statement["debit_total"], fmt["money_total"])
        sheet.write_number(row, 6, statement["credit_total"], fmt["money_total"])
        sheet.write_number(row, 7, statement["closing_balance"], fmt["money_total"])
        return row

    @api.model
    def _write_aging(self, sheet, row, statement, fmt):
        """The aging bands at the end of the period, their total and the overdue part."""
        sheet.write(row, 0, _("Aging"), fmt["label"])
        labels = [*statement["bucket_labels"], _("Total"), _("Overdue")]
        amounts = [*statement["buckets"], statement["closing_balance"], statement["overdue"]]
        for col, (label, amount) in enumerate(zip(labels, amounts, strict=True), start=1):
            sheet.write(row, col, label, fmt["header_num"])
            sheet.write_number(row + 1, col, amount, fmt["money"])

    @api.model
    def _kind_labels(self):
        return {
            "invoice": _("Invoice"),
            "refund": _("Credit Note"),
            "payment": _("Payment"),
            "other": _("Adjustment"),
        }
