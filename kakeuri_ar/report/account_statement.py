# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Statement of account of a customer (取引明細書・对账单).

What the customer owed at the start of a period, every receivable movement of the period
(invoices, credit notes, payments, write-offs: one line per journal entry) with a running
balance, what it owed at the end, and how old that was. Everything is read from the
receivable items of ``kakeuri.receivable.ledger``, in company currency, for the commercial
partner with all its contacts, so that::

    closing_balance = opening_balance + Σ(debit - credit)
                    = the ledger balance at the end of date_to
                    = get_aging(date_to) total

The opening balance and the lines come from one SQL statement (a window function carries
the running balance), whatever the number of lines; the buckets come from the aging engine,
exact as of ``date_to``: a reconciliation dated later leaves the invoice open and the
payment unapplied in them.
"""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .aging_report import DEFAULT_BUCKET_EDGES
from .receivable_ledger import CHARGE_MOVE_TYPES, INVOICE_MOVE_TYPES


class KakeuriAccountStatement(models.AbstractModel):
    _name = "kakeuri.account.statement"
    _description = "Customer Statement of Account"

    # ------------------------------------------------------------------ API
    @api.model
    def get_statement(self, partner, date_from, date_to, company=None):
        """The statement of ``partner`` (its commercial partner and contacts) in ``company``
        (default: the current company) from ``date_from`` to ``date_to`` inclusive.

        :return: dict with ``partner_id`` (the commercial partner), ``company_id``,
            ``currency_id``, ``date_from``, ``date_to``, ``opening_balance``, ``lines``
            (dicts ``date, move_id, name, ref, move_type, kind, date_due, debit, credit,
            balance, correction``; ``kind`` is 'invoice', 'refund', 'payment' or 'other';
            ``balance`` is the running balance after the line; ``correction`` labels a
            corrected invoice, its cancelling credit note and its correction, else empty),
            ``debit_total``, ``credit_total``, ``closing_balance``, ``buckets`` (aging bands
            at ``date_to``: not due, 1-30, 31-60, 61-90, 91-120, over 120), ``bucket_labels``
            and ``overdue`` (the overdue bands summed)."""
        partner, company, date_from, date_to = self._check_input(partner, date_from, date_to, company)
        currency = company.currency_id
        opening, lines = self._fetch_lines(partner, company, date_from, date_to)
        buckets = self._aging_buckets(partner, company, date_to)
        debit_total = currency.round(sum(line["debit"] for line in lines))
        credit_total = currency.round(sum(line["credit"] for line in lines))
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "currency_id": currency.id,
            "date_from": date_from,
            "date_to": date_to,
            "opening_balance": opening,
            "lines": lines,
            "debit_total": debit_total,
            "credit_total": credit_total,
            "closing_balance": currency.round(opening + debit_total - credit_total),
            "buckets": buckets,
            "bucket_labels": self.env["kakeuri.aging.report"].get_bucket_labels(),
            "overdue": currency.round(sum(buckets[1:])),
        }

    @api.model
    def _render_pdf(self, partner, date_from, date_to, company=None, lang=None):
        """``(pdf_bytes, filename)`` of the statement, in ``lang`` or the customer's language."""
        partner, company, date_from, date_to = self._check_input(partner, date_from, date_to, company)
        lang = lang or partner.lang or self.env.lang
        report = self.env["ir.actions.report"].with_context(lang=lang).with_company(company)
        data = self._report_data(company, date_from, date_to, lang)
        pdf, _report_type = report._render_qweb_pdf(
            "kakeuri_ar.action_report_account_statement", partner.ids, data=data
        )
        return pdf, self.with_context(lang=lang)._file_name(partner, date_from, date_to) + ".pdf"

    @api.model
    def _render_xlsx(self, partner, date_from, date_to, company=None, lang=None):
        """``(xlsx_bytes, filename)`` of the statement, in ``lang`` or the customer's language."""
        partner, company, date_from, date_to = self._check_input(partner, date_from, date_to, company)
        lang = lang or partner.lang or self.env.lang
        content = self.env["kakeuri.account.statement.xlsx"].generate(
            partner, company, date_from, date_to, lang=lang
        )
        return content, self.with_context(lang=lang)._file_name(partner, date_from, date_to) + ".xlsx"

    # ------------------------------------------------------------ helpers
    @api.model
    def _report_data(self, company, date_from, date_to, lang=None):
        """The ``data`` of the QWeb report for a period and company."""
        return {
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(date_to),
            "company_id": company.id,
            "lang": lang or False,
        }

    @api.model
    def _file_name(self, partner, date_from, date_to):
        name = _(
            "Statement %(customer)s %(date_from)s-%(date_to)s",
            customer=partner.commercial_partner_id.name or "",
            date_from=fields.Date.to_string(date_from),
            date_to=fields.Date.to_string(date_to),
        )
        return "".join("_" if char in '/\\:*?"<>|' else char for char in name)

    @api.model
    def _check_input(self, partner, date_from, date_to, company):
        """``(commercial partner, company, date_from, date_to)`` checked: one customer, two
        valid dates in order, a company the user may read."""
        if not isinstance(partner, models.BaseModel) or partner._name != "res.partner" or len(partner) != 1:
            raise UserError(
                _("A statement of account is made for one customer, got %(value)s.", value=partner)
            )
        dates = []
        for label, value in ((_("start date"), date_from), (_("end date"), date_to)):
            try:
                date = fields.Date.to_date(value)
            except (TypeError, ValueError):
                date = None
            if not date:
                raise UserError(
                    _(
                        "The statement of %(customer)s needs a valid %(what)s, got %(value)s.",
                        customer=partner.display_name,
                        what=label,
                        value=repr(value),
                    )
                )
            dates.append(date)
        date_from, date_to = dates
        if date_from > date_to:
            raise UserError(
                _(
                    "The statement of %(customer)s cannot start on %(date_from)s, after its end %(date_to)s.",
                    customer=partner.display_name,
                    date_from=date_from,
                    date_to=date_to,
                )
            )
        return partner.commercial_partner_id, self._check_company(company), date_from, date_to

    @api.model
    def _check_company(self, company):
        if company is None or company is False:
            return self.env.company
        if isinstance(company, int) and not isinstance(company, bool):
            company = self.env["res.company"].browse(company)
        if not isinstance(company, models.BaseModel) or company._name != "res.company" or len(company) != 1:
            raise UserError(
                _("A statement of account is made for one company, got %(value)s.", value=company)
            )
        if not self.env.su and company not in self.env.companies:
            raise AccessError(
                _(
                    "You may not read the receivables of company %(company)s.",
                    company=company.sudo().display_name,
                )
            )
        return company

    @api.model
    def _fetch_lines(self, partner, company, date_from, date_to):
        """``(opening_balance, lines)`` in one statement."""
        self.env["account.move.line"].check_access("read")
        ledger = self.env["kakeuri.receivable.ledger"]
        ledger._flush()
        condition = SQL(
            "%s AND %s",
            ledger._item_condition("l", company.ids, date_to=date_to),
            ledger._subset_condition(partner.ids),
        )
        restrict = self.env["kakeuri.aging.report"]._record_rule_filter()
        if restrict is not None:
            condition = SQL("%s AND %s", condition, restrict)
        rows = self.env.execute_query(self._lines_query(condition, date_from))
        currency = company.currency_id
        opening = currency.round(rows[0][0]) if rows else 0.0
        # builtin round() to the currency's digits: the amounts are sums of rounded amounts, so
        # this only drops float noise, and currency.round() per line costs more than the query
        digits = currency.decimal_places
        lines = []
        for _opening, date, move_id, name, ref, move_type, is_payment, date_due, amount, running in rows:
            if move_id is None:  # the opening balance alone: no movement in the period
                continue
            amount = round(amount, digits) + 0.0
            lines.append(
                {
                    "date": date,
                    "move_id": move_id,
                    "name": name or "",
                    "ref": ref or "",
                    "move_type": move_type,
                    "kind": self._line_kind(move_type, is_payment),
                    "date_due": date_due or False,
                    "debit": amount if amount > 0 else 0.0,
                    "credit": -amount if amount < 0 else 0.0,
                    "balance": round(running, digits) + 0.0,
                }
            )
        # a wrong invoice, the credit note cancelling it and its correction say so
        labels = (
            self.env["account.move"].browse([line["move_id"] for line in lines])._kakeuri_correction_labels()
        )
        for line in lines:
            line["correction"] = labels.get(line["move_id"], "")
        return opening, lines

    @api.model
    def _lines_query(self, condition, date_from):
        """The opening balance (items dated before ``date_from``) on every row, and one row per
        entry of the period with its receivable amount and the running balance after it; a
        single row of NULLs beside the opening balance when the period has no entry. Amounts
        are float: Odoo reads numeric as float anyway, they are rounded to the currency."""
        ledger = self.env["kakeuri.receivable.ledger"]
        return SQL(
            """
            WITH items AS (
                SELECT l.move_id, l.date, l.balance, %(due)s AS date_due
                  FROM account_move_line l
                  JOIN res_partner p ON p.id = l.partner_id
                 WHERE %(condition)s
            ), opening AS (
                SELECT COALESCE(SUM(balance), 0)::float8 AS amount FROM items WHERE date < %(date_from)s
            ), moves AS (
                SELECT move_id, date, SUM(balance)::float8 AS amount, MAX(date_due) AS date_due
                  FROM items
                 WHERE date >= %(date_from)s
                 GROUP BY move_id, date
                HAVING SUM(balance) <> 0
            )
            SELECT o.amount, mv.date, mv.move_id, m.name, m.ref, m.move_type,
                   (m.origin_payment_id IS NOT NULL OR m.statement_line_id IS NOT NULL),
                   CASE WHEN m.move_type IN %(invoice_types)s THEN mv.date_due END,
                   mv.amount,
                   o.amount + SUM(mv.amount) OVER (ORDER BY mv.date, mv.move_id)
              FROM opening o
         LEFT JOIN moves mv ON TRUE
         LEFT JOIN account_move m ON m.id = mv.move_id
             ORDER BY mv.date, mv.move_id
            """,
            due=ledger._due_date("l"),
            condition=condition,
            date_from=date_from,
            invoice_types=INVOICE_MOVE_TYPES,
        )

    @api.model
    def _line_kind(self, move_type, is_payment):
        if move_type in INVOICE_MOVE_TYPES:
            return "invoice"
        if move_type in CHARGE_MOVE_TYPES:
            return "refund"
        return "payment" if is_payment else "other"

    @api.model
    def _aging_buckets(self, partner, company, date_to):
        """The customer's aging bands at the end of ``date_to`` (default edges)."""
        contacts = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("commercial_partner_id", "=", partner.id)])
        )
        aging = self.env["kakeuri.aging.report"].with_company(company)
        rows = aging.get_aging(date_to, company=company, partner_ids=contacts.ids)
        for row in rows:
            if row["partner_id"] == partner.id and row["company_id"] == company.id:
                return row["buckets"]
        return [0.0] * (len(DEFAULT_BUCKET_EDGES) + 2)
