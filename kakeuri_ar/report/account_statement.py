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

The opening balance, the lines and the buckets come from one SQL statement that reads the
customer's items once, whatever the number of lines; the buckets are aged by the aging
engine's bands, exact as of ``date_to``: a reconciliation dated later leaves the invoice open
and the payment unapplied in them.
"""

from itertools import islice

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
        opening, lines, buckets, debit_total, credit_total = self._fetch(partner, company, date_from, date_to)
        debit_total = currency.round(debit_total)
        credit_total = currency.round(credit_total)
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
    def _fetch(self, partner, company, date_from, date_to):
        """``(opening_balance, lines, buckets, debit_total, credit_total)`` from one statement
        (the totals unrounded)."""
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
        rows = self.env.execute_query(self._statement_query(condition, date_from, date_to))
        currency = company.currency_id
        # builtin round() to the currency's digits: the amounts are sums of rounded amounts, so
        # this only drops float noise, and currency.round() per line costs more than the query
        digits = currency.decimal_places
        opening = rows[0][7]
        buckets = [round(amount, digits) + 0.0 for amount in rows[0][8]]
        lines, kinds = [], {}
        running = debit_total = credit_total = 0.0
        for date, move_id, name, ref, move_type, is_payment, date_due, amount, _none in islice(rows, 1, None):
            running += amount  # in the order of the lines, as a running sum in SQL would
            amount = round(amount, digits) + 0.0
            debit = amount if amount > 0 else 0.0
            credit = -amount if amount < 0 else 0.0
            debit_total += debit
            credit_total += credit
            kind = kinds.get((move_type, is_payment))
            if kind is None:
                kind = kinds[move_type, is_payment] = self._line_kind(move_type, is_payment)
            lines.append(
                {
                    "date": date,
                    "move_id": move_id,
                    "name": name or "",
                    "ref": ref or "",
                    "move_type": move_type,
                    "kind": kind,
                    "date_due": date_due or False,
                    "debit": debit,
                    "credit": credit,
                    "balance": round(opening + running, digits) + 0.0,
                    "correction": "",
                }
            )
        self._add_correction_labels(lines)
        return currency.round(opening), lines, buckets, debit_total, credit_total

    @api.model
    def _add_correction_labels(self, lines):
        """A wrong invoice, the credit note cancelling it and its correction say so."""
        moves = self.env["account.move"].browse([line["move_id"] for line in lines])
        labels = moves._kakeuri_correction_labels()
        if labels:
            for line in lines:
                if line["move_id"] in labels:
                    line["correction"] = labels[line["move_id"]]

    @api.model
    def _statement_query(self, condition, date_from, date_to):
        """The customer's receivable items up to ``date_to`` (those of ``condition``) read once:
        a first row with the opening balance (items dated before ``date_from``) and the aging
        bands at the end of ``date_to`` (the open items of today and the reconciliations dated
        later, as :meth:`kakeuri.aging.report.get_aging` ages them), then one row per entry of
        the period with its receivable amount, in date order. Amounts are float: Odoo reads
        numeric as float anyway, they are rounded to the currency."""
        ledger = self.env["kakeuri.receivable.ledger"]
        items = SQL("items")
        open_amounts = SQL(
            "SELECT amount_residual AS amount, date_due FROM items WHERE amount_residual <> 0 UNION ALL %s",
            ledger._later_amounts(items, condition, date_to),
        )
        return SQL(
            """
            WITH items AS MATERIALIZED (
                SELECT l.id, l.move_id, l.date, l.balance, l.amount_residual, %(due)s AS date_due
                  FROM account_move_line l
                  JOIN res_partner p ON p.id = l.partner_id
                 WHERE %(condition)s
            ), moves AS (
                SELECT move_id, date, SUM(balance)::float8 AS amount, MAX(date_due) AS date_due
                  FROM items
                 WHERE date >= %(date_from)s
                 GROUP BY move_id, date
                HAVING SUM(balance) <> 0
            )
            SELECT NULL::date, NULL::integer, NULL, NULL, NULL, NULL::boolean, NULL::date,
                   (SELECT COALESCE(SUM(balance), 0)::float8 FROM items WHERE date < %(date_from)s),
                   (%(buckets)s)
         UNION ALL
            SELECT mv.date, mv.move_id, m.name, m.ref, m.move_type,
                   (m.origin_payment_id IS NOT NULL OR m.statement_line_id IS NOT NULL),
                   CASE WHEN m.move_type IN %(invoice_types)s THEN mv.date_due END,
                   mv.amount, NULL
              FROM moves mv
              JOIN account_move m ON m.id = mv.move_id
             ORDER BY 1 NULLS FIRST, 2
            """,
            due=ledger._due_date("l"),
            condition=condition,
            date_from=date_from,
            buckets=self.env["kakeuri.aging.report"]._band_sums(open_amounts, date_to, DEFAULT_BUCKET_EDGES),
            invoice_types=INVOICE_MOVE_TYPES,
        )

    @api.model
    def _line_kind(self, move_type, is_payment):
        if move_type in INVOICE_MOVE_TYPES:
            return "invoice"
        if move_type in CHARGE_MOVE_TYPES:
            return "refund"
        return "payment" if is_payment else "other"
