# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import io
import re

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from odoo import _, api, fields, models


class KakeuriAgingXlsx(models.AbstractModel):
    _name = "kakeuri.aging.xlsx"
    _description = "Receivables Aging Spreadsheet"

    @api.model
    def generate(self, wizard):
        """The wizard's result lines as an XLSX workbook (bytes): one sheet, one block per
        company with its currency, the as-of date and the band labels in the header."""
        wizard.ensure_one()
        labels = wizard.get_band_labels()
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = book.add_worksheet(_("Aging")[:31])
        fmt = self._formats(book)
        self._write_header(sheet, wizard, fmt)
        sheet.set_column(0, 0, 42)
        sheet.set_column(1, 1, 18)
        sheet.set_column(2, len(labels) + 2, 15)
        row = 6
        # frozen: the title block and the first company's column headers (row 8), which stay in
        # sight while the customers scroll
        sheet.freeze_panes(row + 2, 1)
        for company in wizard.line_ids.company_id:
            lines = wizard.line_ids.filtered(lambda line, c=company: line.company_id == c)
            row = self._write_company(book, sheet, row, company, lines, labels, fmt)
        if not wizard.line_ids:
            sheet.write(row, 0, _("Nothing is open at this date."))
        book.close()
        return buffer.getvalue()

    @api.model
    def _write_header(self, sheet, wizard, fmt):
        """Title, as-of date, basis, companies and filters (rows 1 to 5)."""
        sheet.write(0, 0, wizard._get_title(), fmt["title"])
        sheet.write(1, 0, _("As of"), fmt["label"])
        sheet.write_datetime(1, 1, fields.Datetime.to_datetime(wizard.date_as_of), fmt["date"])
        sheet.write(2, 0, _("Age By"), fmt["label"])
        sheet.write(2, 1, dict(wizard._fields["basis"]._description_selection(self.env))[wizard.basis])
        sheet.write(3, 0, _("Companies"), fmt["label"])
        sheet.write(3, 1, ", ".join(wizard.company_ids.mapped("name")))
        filters = []
        if wizard.partner_ids:
            filters.append(
                _("Customers: %(names)s", names=", ".join(wizard.partner_ids.mapped("display_name")))
            )
        if wizard.user_id:
            filters.append(_("Salesperson: %(name)s", name=wizard.user_id.name))
        if filters:
            sheet.write(4, 0, _("Filters"), fmt["label"])
            sheet.write(4, 1, "; ".join(filters))

    @api.model
    def _write_company(self, book, sheet, row, company, lines, labels, fmt):
        """The block of one company from ``row``: its name and currency, the band headers, a
        row per customer and a total row of formulas. Returns the next free row."""
        currency = company.currency_id
        money = self._money_format(book, currency, fmt)
        money_total = self._money_format(book, currency, fmt, total=True)
        sheet.write(row, 0, f"{company.name} ({currency.name})", fmt["company"])
        row += 1
        headers = [_("Customer"), _("Salesperson"), *labels, _("Total")]
        for col, header in enumerate(headers):
            sheet.write(row, col, header, fmt["header"] if col < 2 else fmt["header_num"])
        row += 1
        first = row
        for line in lines:
            sheet.write(row, 0, line.partner_name)
            sheet.write(row, 1, line.user_id.name or "")
            for col, amount in enumerate(line._get_bands(), start=2):
                sheet.write_number(row, col, amount, money)
            sheet.write_number(row, len(labels) + 2, line.total, money)
            row += 1
        sheet.write(row, 0, _("Total"), fmt["total_label"])
        sheet.write(row, 1, "", fmt["total_label"])
        totals = [
            sum(amounts)
            for amounts in zip(*(line._get_bands() + [line.total] for line in lines), strict=True)
        ]
        for col, amount in enumerate(totals, start=2):
            column = xl_col_to_name(col)
            sheet.write_formula(
                row, col, f"=SUM({column}{first + 1}:{column}{row})", money_total, currency.round(amount)
            )
        return row + 2

    @api.model
    def _formats(self, book):
        return {
            "title": book.add_format({"bold": True, "font_size": 14}),
            "label": book.add_format({"bold": True}),
            "date": book.add_format({"num_format": self._excel_date_format(), "align": "left"}),
            "company": book.add_format({"bold": True, "font_size": 12}),
            "header": book.add_format({"bold": True, "bottom": 1, "bg_color": "#EEEEEE"}),
            "header_num": book.add_format(
                {"bold": True, "bottom": 1, "bg_color": "#EEEEEE", "align": "right"}
            ),
            "total_label": book.add_format({"bold": True, "top": 1}),
        }

    @api.model
    def _excel_date_format(self):
        """The user's language date format (%m/%d/%Y, %Y年%m月%d日…) as an Excel number format,
        its literal text quoted; ISO when it has a directive Excel cannot show."""
        lang = self.env["res.lang"]._lang_get(self.env.lang or "en_US")
        pattern = (lang.date_format if lang else None) or "%Y-%m-%d"
        directives = {"%Y": "yyyy", "%y": "yy", "%m": "mm", "%d": "dd", "%b": "mmm", "%B": "mmmm"}
        parts = re.split(r"(%.)", pattern)
        excel = []
        for part in parts:
            if part.startswith("%"):
                if part not in directives:
                    return "yyyy-mm-dd"
                excel.append(directives[part])
            elif part:
                plain = all(char in "/-. " for char in part)
                excel.append(part if plain else '"%s"' % part.replace('"', ""))
        return "".join(excel)

    @api.model
    def _money_format(self, book, currency, fmt, total=False):
        decimals = "0." + "0" * currency.decimal_places if currency.decimal_places else "0"
        symbol = currency.symbol.replace('"', "")
        number = f"#,##{decimals}"
        if currency.position == "before":
            pattern = f'"{symbol}" {number};-"{symbol}" {number}'
        else:
            pattern = f'{number} "{symbol}";-{number} "{symbol}"'
        props = {"num_format": pattern}
        if total:
            props.update(bold=True, top=1)
        return book.add_format(props)
