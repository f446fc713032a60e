# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's receivables in the portal (/my/receivables): balance, overdue, aging, open
invoices, billing statements, a statement download and Odoo's "pay overdue".

The customer is always the commercial partner of the logged-in user, never a request value.
Figures come from the aging engine run with sudo for that customer only (a portal user cannot
read journal items); the invoices and statements listed are searched as the user, so record
rules decide what is shown."""

from dateutil.relativedelta import relativedelta

from odoo import _, fields, http
from odoo.exceptions import UserError
from odoo.http import content_disposition, request
from odoo.tools import format_amount

from odoo.addons.account_payment.controllers.portal import PortalAccount

# Invoice payment states that leave nothing to pay.
SETTLED_PAYMENT_STATES = ("paid", "in_payment", "reversed", "blocked", "invoicing_legacy")
# Open invoices listed per company, the most urgent first (Odoo's portal lists 80 per page);
# the rest are in Odoo's own invoice list, /my/invoices.
INVOICE_ROWS = 80
STATEMENT_FORMATS = {
    "pdf": ("_render_pdf", "application/pdf"),
    "xlsx": ("_render_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


class KakeuriReceivablesPortal(PortalAccount):
    # ------------------------------------------------------------------ home card
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "kakeuri_receivable_count" in counters:
            values["kakeuri_receivable_count"] = self._kakeuri_balance_label()
        return values

    def _kakeuri_balance_label(self):
        """The customer's balance per company, formatted ("¥12,000 / $300.00"); 0 when it owes
        nothing, which hides the card like Odoo's document counters."""
        customer = self._kakeuri_customer()
        rows = self._kakeuri_aging_rows(customer, fields.Date.context_today(request.env.user))
        env = request.env
        labels = [
            format_amount(env, row["total"], env["res.currency"].browse(row["currency_id"]))
            for row in rows.values()
            if not env["res.currency"].browse(row["currency_id"]).is_zero(row["total"])
        ]
        return " / ".join(labels) or 0

    # ------------------------------------------------------------------ routes
    @http.route(["/my/receivables"], type="http", auth="user", website=True)
    def portal_my_receivables(self, **kw):
        values = self._kakeuri_receivables_values()
        return request.render("kakeuri_ar.portal_my_receivables", values)

    @http.route(["/my/receivables/statement"], type="http", auth="user", website=True, sitemap=False)
    def portal_my_receivables_statement(
        self, date_from=None, date_to=None, file_format="pdf", company_id=None, **kw
    ):
        """Download the customer's statement of account for a period, as PDF or XLSX; bad input
        shows the receivables page again with the reason."""
        customer = self._kakeuri_customer()
        try:
            start, end, company = self._kakeuri_statement_params(date_from, date_to, file_format, company_id)
        except ValueError as error:
            return self._kakeuri_statement_error(str(error), date_from, date_to, file_format)
        method, mimetype = STATEMENT_FORMATS[file_format]
        engine = request.env["kakeuri.account.statement"].sudo()
        try:
            content, filename = getattr(engine, method)(customer, start, end, company)
        except UserError as error:
            return self._kakeuri_statement_error(error.args[0], date_from, date_to, file_format)
        headers = [
            ("Content-Type", mimetype),
            ("Content-Length", len(content)),
            ("Content-Disposition", content_disposition(filename)),
        ]
        return request.make_response(content, headers)

    def _kakeuri_statement_error(self, message, date_from, date_to, file_format):
        """The receivables page again, with the reason the statement cannot be made."""
        values = self._kakeuri_receivables_values(
            statement_error=message,
            statement_form={"date_from": date_from, "date_to": date_to, "file_format": file_format},
        )
        return request.render("kakeuri_ar.portal_my_receivables", values, status=400)

    # ------------------------------------------------------------------ values
    def _kakeuri_customer(self):
        return request.env.user.partner_id.commercial_partner_id

    def _kakeuri_receivables_values(self, statement_error=None, statement_form=None):
        customer = self._kakeuri_customer()
        today = fields.Date.context_today(request.env.user)
        values = self._prepare_portal_layout_values()
        blocks = self._kakeuri_receivable_blocks(customer, today)
        form = {
            "date_from": fields.Date.to_string(today.replace(day=1) - relativedelta(months=2)),
            "date_to": fields.Date.to_string(today),
            "file_format": "pdf",
        }
        form.update({key: value for key, value in (statement_form or {}).items() if value})
        values.update(
            {
                "page_name": "kakeuri_receivables",
                "customer": customer,
                "blocks": blocks,
                "statement_companies": request.env.user.company_ids,
                "statement_form": form,
                "statement_error": statement_error,
                "bucket_labels": request.env["kakeuri.aging.report"].get_bucket_labels(),
                "today": today,
            }
        )
        return values

    def _kakeuri_aging_rows(self, customer, today):
        """``{company_id: aging row}`` of the customer (with its contacts) in the user's
        companies, as of today."""
        partners = (
            request.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", customer.id)])
        )
        companies = request.env.user.company_ids
        rows = (
            request.env["kakeuri.aging.report"]
            .sudo()
            .with_context(allowed_company_ids=companies.ids)
            .get_aging(today, company=companies.ids, partner_ids=partners.ids)
        )
        return {row["company_id"]: row for row in rows if row["partner_id"] == customer.id}

    def _kakeuri_receivable_blocks(self, customer, today):
        """One block per company where the customer owes something or has open invoices or
        billing statements, in the company's currency."""
        aging = self._kakeuri_aging_rows(customer, today)
        invoices = self._kakeuri_open_invoices(customer)
        statements = self._kakeuri_statements(customer)
        companies = request.env.user.company_ids.filtered(
            lambda c: c.id in aging or c in invoices.company_id or c in statements.company_id
        )
        return [
            self._kakeuri_company_block(
                company,
                aging.get(company.id),
                invoices.filtered(lambda m, c=company: m.company_id == c),
                statements.filtered(lambda s, c=company: s.company_id == c),
                today,
            )
            for company in companies.sorted("sequence")
        ]

    def _kakeuri_company_block(self, company, row, invoices, statements, today):
        buckets = (
            row["buckets"] if row else [0.0] * len(request.env["kakeuri.aging.report"].get_bucket_labels())
        )
        overdue_count = request.env["account.move"].search_count(
            [*self._get_overdue_invoices_domain(), ("company_id", "=", company.id)]
        )
        return {
            "company": company,
            "currency": company.currency_id,
            "balance": row["total"] if row else 0.0,
            "overdue": sum(buckets[1:]),
            "buckets": buckets,
            "more_invoices": max(len(invoices) - INVOICE_ROWS, 0),
            "invoices": [
                {
                    "move": move,
                    "days_overdue": max((today - move.invoice_date_due).days, 0)
                    if move.invoice_date_due
                    else 0,
                    "pay_url": move.get_portal_url(anchor="portal_pay", query_string="&payment=True")
                    if move._has_to_be_paid()
                    else False,
                }
                for move in invoices[:INVOICE_ROWS]
            ],
            "statements": statements,
            "pay_overdue": bool(overdue_count),
        }

    def _kakeuri_open_invoices(self, customer):
        """Open customer invoices and credit notes, searched as the portal user."""
        Move = request.env["account.move"]
        if not Move.has_access("read"):
            return Move
        return Move.search(
            [
                ("move_type", "in", ("out_invoice", "out_refund", "out_receipt")),
                ("state", "=", "posted"),
                ("payment_state", "not in", SETTLED_PAYMENT_STATES),
                ("partner_id", "child_of", customer.id),
                ("company_id", "in", request.env.user.company_ids.ids),
            ],
            order="invoice_date_due, id",
        )

    def _kakeuri_statements(self, customer, limit=24):
        """The customer's confirmed and sent billing statements, searched as the portal user."""
        Statement = request.env["kakeuri.billing.statement"]
        if not Statement.has_access("read"):
            return Statement
        return Statement.search(
            [
                ("partner_id", "child_of", customer.id),
                ("state", "in", ("confirmed", "sent")),
                ("company_id", "in", request.env.user.company_ids.ids),
            ],
            order="period_end desc, id desc",
            limit=limit,
        )

    def _kakeuri_statement_params(self, date_from, date_to, file_format, company_id):
        """Checked statement download parameters ``(date_from, date_to, company)``; raises
        ValueError with a message for the customer."""
        try:
            start = fields.Date.to_date(date_from)
            end = fields.Date.to_date(date_to)
        except ValueError:
            start = end = None
        if not start or not end:
            raise ValueError(
                _(
                    "Please enter the statement period as two valid dates "
                    "(from %(date_from)s to %(date_to)s).",
                    date_from=date_from or "-",
                    date_to=date_to or "-",
                )
            )
        if start > end:
            raise ValueError(
                _(
                    "The statement period starts on %(date_from)s, after its end %(date_to)s.",
                    date_from=date_from,
                    date_to=date_to,
                )
            )
        if file_format not in STATEMENT_FORMATS:
            raise ValueError(
                _("Unknown statement format %(format)s: choose PDF or Excel.", format=file_format)
            )
        companies = request.env.user.company_ids
        company = (
            companies.browse(int(company_id))
            if str(company_id or "").isdigit()
            else request.env.user.company_id
        )
        if company not in companies:
            raise ValueError(_("You have no account with the company %(company)s.", company=company_id))
        return start, end, company
