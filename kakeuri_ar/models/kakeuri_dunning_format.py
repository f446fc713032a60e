# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import ast
import binascii
import dataclasses

from werkzeug.urls import url_encode

from odoo import api, models
from odoo.tools import float_round
from odoo.tools.misc import hash_sign, verify_hash_signed

from odoo.addons.base.models.res_lang import intersperse

# the signatures of reminder links, apart from every other signature made with the database
# secret
REMINDER_LINK_SCOPE = "kakeuri_ar.reminder_invoice"


@dataclasses.dataclass(eq=False)
class DunningBatch:
    """What the reminders of one batch share while they are rendered, passed along
    explicitly (as an argument, and to the templates in the context of the lines rendered,
    key ``kakeuri_dunning_batch``) and forgotten with the batch.

    ``rows``: {(line_id, lang): invoice rows}; ``formats``: {lang:
    date format and separators, and (``"currency"``, id): currency settings};
    ``base_urls``: {website id or None: base URL}."""

    rows: dict = dataclasses.field(default_factory=dict)
    formats: dict = dataclasses.field(default_factory=dict)
    base_urls: dict = dataclasses.field(default_factory=dict)


class KakeuriDunningFormat(models.AbstractModel):
    """The invoice rows, amounts and portal links of a reminder, formatted in the language of
    the rendering context (the recipient's), once per batch rather than once per cell."""

    _name = "kakeuri.dunning.format"
    _description = "Dunning Reminder Formatting"

    @api.model
    def _get_batch(self, records):
        """The batch the records are rendered in, or a new one for them alone."""
        return records.env.context.get("kakeuri_dunning_batch") or DunningBatch()

    @api.model
    def _get_invoice_rows(self, line):
        """The formatted invoice rows of ``line`` (see ``_prepare_mail_rows``). While a batch
        is rendered, the rows of all its lines (the prefetch set) are prepared at once."""
        batch = line.env.context.get("kakeuri_dunning_batch")
        if batch is None:
            return self._prepare_mail_rows(line, DunningBatch())[line.id]
        key = (line.id, line.env.lang)
        if key not in batch.rows:
            lines = line.browse(line._prefetch_ids) | line
            rows = self._prepare_mail_rows(lines, batch)
            batch.rows.update({(line_id, line.env.lang): value for line_id, value in rows.items()})
        return batch.rows[key]

    @api.model
    def _prepare_mail_rows(self, lines, batch):
        """{line id: rows}: the overdue invoices of each line as rows for the reminder, in the
        language of ``lines.env``: number, invoice date, due date, days overdue, amount due
        (company currency), portal URL; sorted by due date and number."""
        formats = self._get_mail_formats(lines.env, batch)
        date_format = formats["date_format"]
        moves = lines.move_ids
        moves.mapped("access_url")  # computed for all the invoices at once
        moves.fetch(["name", "invoice_date", "invoice_date_due", "date", "company_id", "access_token"])
        dates = {}  # formatted dates: the invoices of a batch share few of them

        def format_day(day):
            if not day:
                return ""
            if day not in dates:
                dates[day] = day.strftime(date_format)
            return dates[day]

        result = {}
        for line in lines:
            entries = [
                (date_due or move.date, move.name, move, amount, date_due)
                for move, (amount, date_due) in line._get_overdue_by_move().items()
            ]
            entries.sort(key=lambda entry: entry[:2])
            result[line.id] = [
                {
                    "name": name,
                    "invoice_date": format_day(move.invoice_date),
                    "date_due": format_day(date_due),
                    "days": (line.date - date_due).days if date_due else "",
                    "amount": self._format_amount_lang(amount, move.company_id.currency_id, formats),
                    "url": self._get_invoice_portal_url(move, batch),
                }
                for _key, name, move, amount, date_due in entries
            ]
        return result

    @api.model
    def _get_amount(self, line, amount):
        """An amount of the line (overdue, unapplied, to pay), formatted as the invoice rows are."""
        formats = self._get_mail_formats(line.env, self._get_batch(line))
        return self._format_amount_lang(amount, line.currency_id, formats)

    @api.model
    def _get_mail_formats(self, env, batch):
        """Date format and number separators of the language of ``env``, read once per batch
        instead of once per amount."""
        code = env.lang or "en_US"
        if code not in batch.formats:
            Lang = self.env["res.lang"]
            lang = Lang._lang_get(code) or Lang._lang_get("en_US")
            batch.formats[code] = {
                "date_format": lang.date_format or "%m/%d/%Y",
                "grouping": ast.literal_eval(lang.grouping or "[]"),
                "thousands_sep": lang.thousands_sep or "",
                "decimal_point": lang.decimal_point or ".",
            }
        return batch.formats[code]

    @api.model
    def _format_amount_lang(self, amount, currency, formats):
        """odoo.tools.format_amount (``res.lang.format`` with grouping, then the currency
        symbol) with the language's separators already known (``_get_mail_formats``)."""
        key = ("currency", currency.id)  # the currency's settings, read once per batch
        if key not in formats:
            formats[key] = (
                f"%.{currency.decimal_places}f",
                currency.rounding,
                currency.symbol or "",
                currency.position == "before",
            )
        pattern, rounding, symbol, before = formats[key]
        parts = (pattern % float_round(amount, precision_rounding=rounding)).split(".")
        parts[0] = intersperse(parts[0], formats["grouping"], formats["thousands_sep"])[0]
        formatted = (
            formats["decimal_point"]
            .join(parts)
            .replace(" ", "\N{NO-BREAK SPACE}")
            .replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
        )
        if before:
            return f"{symbol}\N{NO-BREAK SPACE}{formatted}"
        return f"{formatted}\N{NO-BREAK SPACE}{symbol}"

    @api.model
    def _get_invoice_portal_url(self, move, batch):
        """Absolute portal URL of an invoice (the customer can pay there when a payment
        provider is set up). The base URL is looked up once per batch (per website when the
        invoices have one). An invoice without a portal access token yet gets a signed link
        instead, which gives it its token when the customer opens it
        (``/my/invoices/<id>/reminder``): sending a reminder writes nothing on the invoices."""
        key = move.website_id.id if "website_id" in move._fields else None
        if key not in batch.base_urls:
            batch.base_urls[key] = move.get_base_url()
        if move.access_token:
            return batch.base_urls[key] + move.get_portal_url()
        return batch.base_urls[key] + self._get_reminder_link(move)

    @api.model
    def _get_reminder_link(self, move):
        """The signed link of a reminder to invoice ``move`` (see ``_get_invoice_portal_url``),
        relative to the base URL."""
        signature = hash_sign(self.env(su=True), REMINDER_LINK_SCOPE, move.id)
        return f"/my/invoices/{move.id}/reminder?{url_encode({'link': signature})}"

    @api.model
    def _verify_reminder_link(self, move_id, signature):
        """Whether ``signature`` is the reminder link of invoice ``move_id``."""
        try:
            signed = verify_hash_signed(self.env(su=True), REMINDER_LINK_SCOPE, signature or "")
        except (ValueError, UnicodeError, binascii.Error):
            return False
        return signed == move_id
