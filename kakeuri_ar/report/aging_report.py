# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Receivables aging as of any date (売掛金年齢表).

One SQL statement ages every receivable item of the requested companies as the ledger stood
at the end of ``as_of``: items dated later are ignored, and a partial reconciliation counts
only when its ``max_date`` (the later date of the two matched items) is on or before
``as_of``. The open amount of an item as of that date is therefore, in company currency::

    balance - Σ partial.amount (item on the debit side, max_date <= as_of)
            + Σ partial.amount (item on the credit side, max_date <= as_of)

Odoo keeps ``amount_residual = balance - Σ debit-side partials + Σ credit-side partials``
over *all* partials, so the same amount is computed as::

    amount_residual + Σ partial.amount (debit side, max_date > as_of)
                    - Σ partial.amount (credit side, max_date > as_of)

which lets the query read only the items open today plus the few touched by later
reconciliations, instead of summing every reconciliation ever made. What a receivable item
is, its due date and the later reconciliations come from ``kakeuri.receivable.ledger``. The
tests check the result against the ledger.
"""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .receivable_ledger import PARTNER_LINES_MAX

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
            partner, so pass a customer with its contacts; ``False`` or ``0`` in the list
            stands for items without a partner); ``None`` means every partner, including
            items without a partner.
        :param basis: ``'due_date'`` (date_maturity, falling back to the accounting date)
            or ``'invoice_date'`` (the invoice date of invoices and credit notes, the
            accounting date of other entries such as payments).
        :return: list of dicts ``{'partner_id': int or False, 'company_id': int,
            'currency_id': int, 'buckets': [float, ...], 'total': float}``, one per company
            and customer (commercial partner: its contacts' items included) with anything
            open, sorted by company then total descending.
            Amounts are signed, in the company currency. Items without a partner give a row
            with ``partner_id`` False, so the rows always add up to the ledger balance.
        """
        edges = self._check_bucket_edges(bucket_edges)
        query = self._aging_query(as_of, edges, company, partner_ids, basis)
        if query is None:
            return []
        result = self._fetch_without_jit(query)
        companies = self.env["res.company"].sudo().browse({r[0] for r in result})
        return self._rows_from_result(result, {c.id: c for c in companies})

    @api.model
    def get_open_line_ids(
        self, as_of, company=None, partner_ids=None, bucket_edges=None, basis="due_date", band=None
    ):
        """Ids of the receivable journal items still open at the end of ``as_of`` (same rules
        as :meth:`get_aging`), optionally only those of band index ``band``."""
        items = self.get_open_items(as_of, company, partner_ids, bucket_edges, basis, band)
        return [item["line_id"] for item in items]

    @api.model
    def get_open_items(
        self, as_of, company=None, partner_ids=None, bucket_edges=None, basis="due_date", band=None
    ):
        """The receivable journal items still open at the end of ``as_of`` (same rules as
        :meth:`get_aging`), optionally only those of band index ``band``, as dicts
        ``{'line_id', 'company_id', 'partner_id', 'band', 'amount'}`` sorted by line id;
        ``amount`` is the item's open amount as of the date (signed, company currency), so
        the items of a row add up to the row's total."""
        edges = self._check_bucket_edges(bucket_edges or DEFAULT_BUCKET_EDGES)
        if band is not None and (
            isinstance(band, bool) or not isinstance(band, int) or not 0 <= band <= len(edges) + 1
        ):
            raise ValidationError(
                _(
                    "Aging band %(value)s does not exist: use a band number from 0 to %(last)s.",
                    value=band,
                    last=len(edges) + 1,
                )
            )
        query = self._open_lines_query(as_of, edges, company, partner_ids, basis)
        if query is None:
            return []
        band_filter = SQL() if band is None else SQL("WHERE band = %s", band)
        result = self._fetch_without_jit(
            SQL(
                "SELECT line_id, company_id, partner_id, band, residual FROM (%s) o %s ORDER BY line_id",
                query,
                band_filter,
            )
        )
        return [
            {
                "line_id": line_id,
                "company_id": company_id,
                "partner_id": partner_id or False,
                "band": band_index,
                "amount": float(amount),
            }
            for line_id, company_id, partner_id, band_index, amount in result
        ]

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
    def _fetch_without_jit(self, query):
        """Run the aging statement with PostgreSQL's JIT compilation off, and fetch its rows.

        The statement's estimated cost passes the JIT threshold at a few hundred thousand
        items, and compiling its expressions then costs about as much as running it (see
        bench/README.md). The setting is changed for this statement only (and restored); should the statement
        fail, the transaction is aborted and the transaction-local setting goes with it."""
        cr = self.env.cr
        cr.execute(SQL("SELECT current_setting('jit'), set_config('jit', 'off', true)"))
        previous = cr.fetchone()[0]
        cr.execute(query)
        result = cr.fetchall()
        cr.execute(SQL("SELECT set_config('jit', %s, true)", previous))
        return result

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
        elif isinstance(company, int) and not isinstance(company, bool):
            requested = [company]
        else:
            requested = self._to_ids(company, _("company"))
            if len(requested) < len(company):
                raise ValidationError(
                    _("Aging: %(value)s is not a valid list of company ids.", value=repr(company))
                )
        return [c for c in requested if c in allowed]

    @api.model
    def _to_ids(self, values, what):
        """Record ids of ``values`` (a list or tuple of ints; ``False``/``0`` are left out);
        ValidationError naming the value for anything else (a string, a float, ...)."""
        if isinstance(values, models.BaseModel):
            return values.ids
        if not isinstance(values, (list, tuple, set, frozenset)) or not all(
            value is False or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
            for value in values
        ):
            raise ValidationError(
                _("Aging: %(value)s is not a valid list of %(what)s ids.", value=repr(values), what=what)
            )
        return [value for value in values if value]

    @api.model
    def _check_as_of(self, as_of):
        try:
            date = fields.Date.to_date(as_of)
        except (TypeError, ValueError):
            date = None
        if not date:
            raise ValidationError(
                _("The aging needs a valid as-of date, got %(value)s.", value=repr(as_of) if as_of else "")
            )
        return date

    @api.model
    def _record_rule_filter(self):
        """SQL restricting ``l`` to the journal items the user may read under the record
        rules of ``account.move.line``, or None when the company filter is all there is
        (superuser, accounting readers and billing users: their only rule on journal items
        is the multi-company one, which the query applies itself). A salesperson limited to
        his own documents thus sees only the items of his own invoices."""
        user = self.env.user
        if self.env.su or any(
            user.has_group(group)
            for group in ("account.group_account_readonly", "account.group_account_invoice")
        ):
            return None
        query = self.env["account.move.line"]._search([])
        return SQL("l.id IN %s", query.subselect())

    @api.model
    def _query_context(self, as_of, edges, company, partner_ids, basis):
        """Validated inputs and the SQL pieces shared by the aging and open-item queries,
        or None when nothing can match."""
        self._check_basis(basis)
        self.env["account.move.line"].check_access("read")
        as_of = self._check_as_of(as_of)
        company_ids = self._allowed_company_ids(company)
        if partner_ids is not None:
            ids = self._to_ids(partner_ids, _("customer"))
        if not company_ids or (partner_ids is not None and not partner_ids):
            return None
        ledger = self.env["kakeuri.receivable.ledger"]
        ledger._flush()
        account_ids = ledger._receivable_account_ids()
        if not account_ids:
            return None
        line_filter = ledger._item_condition("l", company_ids, date_to=as_of, account_ids=account_ids)
        restrict = self._record_rule_filter()
        if restrict is not None:
            line_filter = SQL("%s AND %s", line_filter, restrict)
        lines, with_lines = SQL("account_move_line"), SQL()
        if partner_ids is not None:
            if len(ids) < len(partner_ids):  # False/0 asks for the items without a partner
                line_filter = SQL("%s AND (l.partner_id = ANY(%s) OR l.partner_id IS NULL)", line_filter, ids)
            elif len(ids) > PARTNER_LINES_MAX:  # many customers: through the receivable index
                line_filter = SQL("%s AND l.partner_id = ANY(%s)", line_filter, ids)
            else:
                lines, with_lines = ledger._partner_lines(ids)

        if basis == "invoice_date":
            ref_date = SQL("COALESCE(l.invoice_date, l.date)")
        else:
            ref_date = ledger._due_date("l")
        band = self._band(as_of, edges, ref_date)

        # a few customers: each item's later reconciliations through its own indexes; all of
        # them: every reconciliation after the date, hashed once
        if partner_ids is not None:
            later = SQL("JOIN LATERAL (%s) p ON p.amount IS NOT NULL", ledger._later_partials_of("l", as_of))
            later_join = SQL("LEFT JOIN LATERAL (%s) s ON TRUE", ledger._later_partials_of("l", as_of))
        else:
            later = SQL("JOIN (%s) p ON p.line_id = l.id", ledger._later_partials(as_of))
            later_join = SQL(
                "LEFT JOIN (SELECT line_id, SUM(amount) AS amount FROM (%s) lp GROUP BY line_id) s"
                " ON s.line_id = l.id",
                ledger._later_partials(as_of),
            )
        ctx = dict(with_lines=with_lines, lines=lines, line_filter=line_filter, band=band)
        return dict(ctx, later=later, later_join=later_join)

    @api.model
    def _open_lines_query(self, as_of, edges, company, partner_ids, basis):
        """SQL selecting (line_id, company_id, partner_id, band, residual) for every receivable
        item open at the end of ``as_of``; None when nothing can match. ``partner_id`` is the
        commercial partner of the item's partner (the customer of the aging row)."""
        ctx = self._query_context(as_of, edges, company, partner_ids, basis)
        if ctx is None:
            return None
        return SQL(
            """
            %(with_lines)s
            SELECT l.id AS line_id, l.company_id,
                   COALESCE(rp.commercial_partner_id, l.partner_id) AS partner_id, %(band)s AS band,
                   l.amount_residual + COALESCE(s.amount, 0) AS residual
              FROM %(lines)s l
         LEFT JOIN res_partner rp ON rp.id = l.partner_id
                   %(later_join)s
             WHERE %(line_filter)s
               AND (l.amount_residual <> 0 OR s.amount IS NOT NULL)
               AND l.amount_residual + COALESCE(s.amount, 0) <> 0
            """,
            **ctx,
        )

    @api.model
    def _aging_query(self, as_of, edges, company, partner_ids, basis):
        """One statement: the current residual of the open items, plus the reconciliations
        dated after ``as_of`` added back to the items they touched, each summed per company,
        partner and band, then one row per company and customer (the commercial partner: a
        payment booked on a contact counts for its company).

        Sums are float8: Odoo reads numeric as float anyway, the rows are rounded to the
        currency afterwards, and float sums let PostgreSQL aggregate in parallel workers at
        a fraction of the numeric cost."""
        ctx = self._query_context(as_of, edges, company, partner_ids, basis)
        if ctx is None:
            return None
        bands = range(len(edges) + 2)
        inner = SQL(", ").join(SQL("SUM(x.amount) FILTER (WHERE x.band = %s)", index) for index in bands)
        inner_names = SQL(", ").join(SQL.identifier(f"b{index}") for index in bands)
        outer = SQL(", ").join(SQL("COALESCE(SUM(g.%s), 0)", SQL.identifier(f"b{index}")) for index in bands)
        return SQL(
            """
            %(with_lines)s
            SELECT g.company_id, COALESCE(rp.commercial_partner_id, g.partner_id) AS partner_id,
                   SUM(g.total) AS total, %(outer)s
              FROM (
                    SELECT x.company_id, x.partner_id, SUM(x.amount) AS total, %(inner)s
                      FROM (
                            SELECT l.company_id, l.partner_id, l.amount_residual::float8 AS amount,
                                   %(band)s AS band
                              FROM %(lines)s l
                             WHERE %(line_filter)s
                               AND l.amount_residual <> 0
                           ) x
                     GROUP BY x.company_id, x.partner_id
                 UNION ALL
                    SELECT x.company_id, x.partner_id, SUM(x.amount) AS total, %(inner)s
                      FROM (
                            SELECT l.company_id, l.partner_id, p.amount::float8 AS amount, %(band)s AS band
                              FROM %(lines)s l
                                   %(later)s
                             WHERE %(line_filter)s
                           ) x
                     GROUP BY x.company_id, x.partner_id
                   ) g (company_id, partner_id, total, %(inner_names)s)
         LEFT JOIN res_partner rp ON rp.id = g.partner_id
             GROUP BY g.company_id, COALESCE(rp.commercial_partner_id, g.partner_id)
             ORDER BY g.company_id, total DESC, 2 NULLS LAST
            """,
            outer=outer,
            inner=inner,
            inner_names=inner_names,
            **ctx,
        )

    @api.model
    def _rows_from_result(self, result, companies):
        """Rows of the statement's result; amounts rounded to the company currency (they are
        sums of rounded amounts, so this only drops float noise), all-zero rows left out."""
        # builtin round() per currency: calling currency.round() 100,000s of times costs
        # seconds at a million items
        currency_of = {cid: (c.currency_id.id, c.currency_id.decimal_places) for cid, c in companies.items()}
        rows = []
        for company_id, partner_id, total, *buckets in result:
            currency_id, digits = currency_of[company_id]
            buckets = [round(float(b), digits) + 0.0 for b in buckets]
            if not any(buckets):
                continue
            rows.append(
                {
                    "company_id": company_id,
                    "currency_id": currency_id,
                    "partner_id": partner_id or False,
                    "buckets": buckets,
                    "total": round(float(total), digits) + 0.0,
                }
            )
        return rows
