# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Receivables aging as of any date (売掛金年齢表).

One SQL statement ages every receivable line of the requested companies as the ledger stood
at the end of ``as_of``: lines dated later are ignored, and a partial reconciliation counts
only when its ``max_date`` (the later date of the two matched lines) is on or before
``as_of``. The open amount of a line is therefore::

    balance - Σ partial.amount (line on the debit side) + Σ partial.amount (credit side)

in company currency, which is exactly what Odoo's ``amount_residual`` is today when
``as_of`` is after every reconciliation.
"""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, float_is_zero

DEFAULT_BUCKET_EDGES = (30, 60, 90, 120)
BASES = ("due_date", "invoice_date")


class KakeuriAgingReport(models.AbstractModel):
    _name = "kakeuri.aging.report"
    _description = "Receivables Aging Engine"

    # ------------------------------------------------------------------ API
    @api.model
    def get_aging(
        self, as_of, bucket_edges=DEFAULT_BUCKET_EDGES, company=None, partner_ids=None, basis="due_date"
    ):
        """Age the receivables as of the end of ``as_of``.

        :param as_of: date (or ISO string) the ledger is read at, inclusive.
        :param bucket_edges: strictly increasing positive day counts; bands are
            ``not due``, ``1..e0``, ``e0+1..e1``, …, ``> e_last``.
        :param company: ``res.company`` record(s), an id or a list of ids; ``None`` means
            the companies enabled for the user (``self.env.companies``). Requested companies
            are always intersected with the enabled ones: a company the user may not see
            simply gives no rows.
        :param partner_ids: optional list of partner ids (matched on the journal item's
            partner; ``False`` or ``0`` in the list stands for items without a partner);
            ``None`` means every partner, including items without a partner.
        :param basis: ``'due_date'`` (date_maturity, falling back to the accounting date)
            or ``'invoice_date'`` (the accounting date of the entry).
        :return: list of dicts ``{'partner_id': int or False, 'company_id': int,
            'currency_id': int, 'buckets': [float, ...], 'total': float}``, one per company
            and partner with anything open, sorted by company then total descending.
            Amounts are signed, in the company currency. Items without a partner give a row
            with ``partner_id`` False, so the rows always add up to the ledger balance.
        """
        edges = self._check_bucket_edges(bucket_edges)
        query = self._aging_query(as_of, edges, company, partner_ids, basis)
        if query is None:
            return []
        self.env.cr.execute(query)
        result = self.env.cr.fetchall()
        companies = self.env["res.company"].sudo().browse({r[0] for r in result})
        return self._rows_from_result(result, {c.id: c for c in companies})

    @api.model
    def get_open_line_ids(
        self, as_of, company=None, partner_ids=None, bucket_edges=None, basis="due_date", band=None
    ):
        """Ids of the receivable journal items still open at the end of ``as_of`` (same rules
        as :meth:`get_aging`), optionally only those of band index ``band``."""
        edges = self._check_bucket_edges(bucket_edges or DEFAULT_BUCKET_EDGES)
        query = self._open_lines_query(as_of, edges, company, partner_ids, basis)
        if query is None:
            return []
        band_filter = SQL() if band is None else SQL("WHERE band = %s", int(band))
        self.env.cr.execute(SQL("SELECT line_id FROM (%s) o %s ORDER BY line_id", query, band_filter))
        return [r[0] for r in self.env.cr.fetchall()]

    @api.model
    def get_bucket_labels(self, bucket_edges=DEFAULT_BUCKET_EDGES):
        """Translated band labels: ``Not Due``, ``1-30``, ``31-60``, …, ``Over 120``."""
        edges = self._check_bucket_edges(bucket_edges)
        labels = [_("Not Due")]
        low = 1
        for edge in edges:
            labels.append(_("%(low)s-%(high)s", low=low, high=edge))
            low = edge + 1
        labels.append(_("Over %(days)s", days=edges[-1]))
        return labels

    # ------------------------------------------------------------ helpers
    @api.model
    def _check_bucket_edges(self, bucket_edges):
        """Return the edges as a tuple of ints or raise ValidationError."""
        try:
            edges = tuple(bucket_edges or ())
        except TypeError:
            edges = None
        if not edges or any(isinstance(e, bool) or not isinstance(e, int) or e <= 0 for e in edges):
            raise ValidationError(
                _(
                    "Aging bucket edges must be positive whole numbers of days, got %(edges)s.",
                    edges=bucket_edges,
                )
            )
        if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
            raise ValidationError(
                _(
                    "Aging bucket edges must be strictly increasing (e.g. 30, 60, 90, 120), got %(edges)s.",
                    edges=", ".join(str(e) for e in edges),
                )
            )
        return edges

    @api.model
    def _check_basis(self, basis):
        if basis not in BASES:
            raise ValidationError(
                _("Unknown aging basis %(basis)s: use 'due_date' or 'invoice_date'.", basis=basis)
            )
        return basis

    @api.model
    def _allowed_company_ids(self, company):
        """Requested companies ∩ the companies enabled for the user."""
        allowed = self.env.companies.ids
        if company is None or company is False:
            return allowed
        if isinstance(company, models.BaseModel):
            requested = company.ids
        elif isinstance(company, int):
            requested = [company]
        else:
            requested = [int(c) for c in company]
        return [c for c in requested if c in allowed]

    @api.model
    def _open_lines_query(self, as_of, edges, company, partner_ids, basis):
        """SQL selecting (line_id, company_id, partner_id, band, residual) for every receivable
        item open at the end of ``as_of``; None when nothing can match."""
        self._check_basis(basis)
        self.env["account.move.line"].check_access("read")
        as_of = fields.Date.to_date(as_of)
        if not as_of:
            raise ValidationError(_("The aging needs an as-of date."))
        company_ids = self._allowed_company_ids(company)
        if not company_ids or (partner_ids is not None and not list(partner_ids)):
            return None
        for model in ("account.move.line", "account.move", "account.partial.reconcile", "account.account"):
            self.env[model].flush_model()

        ref_date = SQL("l.date") if basis == "invoice_date" else SQL("COALESCE(l.date_maturity, l.date)")
        band = [SQL("WHEN %s - %s <= 0 THEN 0", as_of, ref_date)]
        for index, edge in enumerate(edges, start=1):
            band.append(SQL("WHEN %s - %s <= %s THEN %s", as_of, ref_date, edge, index))
        partner_filter = SQL()
        if partner_ids is not None:
            ids = [int(p) for p in partner_ids if p]
            if len(ids) < len(list(partner_ids)):  # False/0 asks for the items without a partner
                partner_filter = SQL("AND (l.partner_id = ANY(%s) OR l.partner_id IS NULL)", ids)
            else:
                partner_filter = SQL("AND l.partner_id = ANY(%s)", ids)
        return SQL(
            """
            WITH settled AS (
                SELECT line_id, SUM(amount) AS amount
                  FROM (
                        SELECT p.debit_move_id AS line_id, p.amount
                          FROM account_partial_reconcile p
                         WHERE p.max_date <= %(as_of)s AND p.company_id = ANY(%(company_ids)s)
                     UNION ALL
                        SELECT p.credit_move_id, -p.amount
                          FROM account_partial_reconcile p
                         WHERE p.max_date <= %(as_of)s AND p.company_id = ANY(%(company_ids)s)
                       ) m
                 GROUP BY line_id
            )
            SELECT l.id AS line_id,
                   l.company_id,
                   l.partner_id,
                   CASE %(band)s ELSE %(last)s END AS band,
                   l.balance - COALESCE(s.amount, 0) AS residual
              FROM account_move_line l
              JOIN account_account a ON a.id = l.account_id
         LEFT JOIN settled s ON s.line_id = l.id
             WHERE a.account_type = 'asset_receivable'
               AND l.parent_state = 'posted'
               AND l.date <= %(as_of)s
               AND l.company_id = ANY(%(company_ids)s)
               %(partner_filter)s
               AND l.balance - COALESCE(s.amount, 0) <> 0
            """,
            as_of=as_of,
            company_ids=company_ids,
            band=SQL(" ").join(band),
            last=len(edges) + 1,
            partner_filter=partner_filter,
        )

    @api.model
    def _aging_query(self, as_of, edges, company, partner_ids, basis):
        open_lines = self._open_lines_query(as_of, edges, company, partner_ids, basis)
        if open_lines is None:
            return None
        sums = SQL(", ").join(
            SQL("COALESCE(SUM(o.residual) FILTER (WHERE o.band = %s), 0)", index)
            for index in range(len(edges) + 2)
        )
        return SQL(
            """
            SELECT o.company_id, o.partner_id, SUM(o.residual) AS total, %(sums)s
              FROM (%(open_lines)s) o
             GROUP BY o.company_id, o.partner_id
             ORDER BY o.company_id, total DESC, o.partner_id NULLS LAST
            """,
            sums=sums,
            open_lines=open_lines,
        )

    @api.model
    def _rows_from_result(self, result, companies):
        rows = []
        for company_id, partner_id, total, *buckets in result:
            currency = companies[company_id].currency_id
            buckets = [currency.round(float(b)) for b in buckets]
            if all(float_is_zero(b, precision_rounding=currency.rounding) for b in buckets):
                continue
            rows.append(
                {
                    "company_id": company_id,
                    "currency_id": currency.id,
                    "partner_id": partner_id or False,
                    "buckets": buckets,
                    "total": currency.round(float(total)),
                }
            )
        return rows
