# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from psycopg2 import errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..report.ar_kpi import DSO_DAYS

KINDS = ("month", "today")


def month_end(day):
    """The last day of the month of ``day``."""
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


# customers in the dashboard's top lists
TOP_ROWS = 10


def is_month_end(day):
    return (day + timedelta(days=1)).day == 1


class KakeuriArSnapshot(models.Model):
    """The receivables of one company at the end of one date (a month end, or today), read by
    the exact as-of aging engine: what the dashboard's KPIs and trends show.

    Figures, in the company currency, as the ledger stood at the end of the date:

    - **Receivable**: the total of ``kakeuri.aging.report.get_aging(date)`` (every open
      receivable item, credits included); the six buckets are its bands with the default
      edges 30/60/90/120 days past due; **overdue** is every band but *not due*.
    - **Customers with a balance**: the customers whose aging total is positive.
    - **Top debtors** and **top overdue**: the ten customers with the largest total and the
      largest overdue part of that aging.
    - **Credit sales** and **collected**: those of the month up to the date (from the 1st),
      as ``kakeuri.ar.kpi`` defines them (invoices minus credit notes; payments received).
    - **DSO** = receivable / credit sales of the 90 days ending on the date × 90
      (0 without sales).
    - **CEI** (collection effectiveness index, of the month) = (receivable at the start of
      the month + credit sales of the month − receivable at the date) / (receivable at the
      start of the month + credit sales of the month − not-due receivable at the date) × 100
      (0 when the denominator is 0). The start of the month is the end of the previous
      month's last day.
    - **Average days delinquent** = DSO − best possible DSO, where the best possible DSO =
      not-due receivable / credit sales of the 90 days × 90.

    One snapshot per company and date: ``month`` for a month end, ``today`` for today's,
    recomputed when asked again; a new today's replaces the previous one (unless that one
    fell on a month end, which the daily run then turns into the month's)."""

    _name = "kakeuri.ar.snapshot"
    _description = "Receivables Snapshot"
    _order = "company_id, date desc"
    _rec_name = "date"

    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, index=True)
    kind = fields.Selection(
        selection=[("month", "Month End"), ("today", "Today")],
        required=True,
        default="month",
    )
    receivable = fields.Monetary(string="Receivable", currency_field="currency_id")
    overdue = fields.Monetary(string="Overdue", currency_field="currency_id")
    bucket_not_due = fields.Monetary(string="Not Due", currency_field="currency_id")
    bucket_1_30 = fields.Monetary(string="1-30", currency_field="currency_id")
    bucket_31_60 = fields.Monetary(string="31-60", currency_field="currency_id")
    bucket_61_90 = fields.Monetary(string="61-90", currency_field="currency_id")
    bucket_91_120 = fields.Monetary(string="91-120", currency_field="currency_id")
    bucket_over_120 = fields.Monetary(string="Over 120", currency_field="currency_id")
    sales = fields.Monetary(string="Credit Sales", currency_field="currency_id")
    collected = fields.Monetary(string="Collected", currency_field="currency_id")
    dso = fields.Float(string="DSO (Days)", digits=(16, 1), aggregator="avg")
    cei = fields.Float(string="CEI (%)", digits=(16, 1), aggregator="avg")
    avg_days_delinquent = fields.Float(string="Avg. Days Delinquent", digits=(16, 1), aggregator="avg")
    customer_count = fields.Integer(string="Customers with a Balance", aggregator="max")
    # [[partner_id, amount], ...], largest first: the dashboard's top lists, taken from the
    # same aging as the figures so that it reads them instead of ageing the ledger again
    top_debtors = fields.Json(string="Top Debtors", readonly=True)
    top_overdue = fields.Json(string="Top Overdue", readonly=True)

    _sql_constraints = [
        ("company_date_uniq", "unique(company_id, date)", "A company has one snapshot per date."),
    ]

    BUCKET_FIELDS = (
        "bucket_not_due",
        "bucket_1_30",
        "bucket_31_60",
        "bucket_61_90",
        "bucket_91_120",
        "bucket_over_120",
    )

    # ------------------------------------------------------------ computing
    @api.model
    def _compute_snapshot(self, company, date, kind):
        """Compute and store (create or replace) the snapshot of ``company`` at the end of
        ``date``; returns it. ``kind`` is ``'month'`` or ``'today'``; a new ``'today'``
        snapshot drops the company's previous ones of days that are not month ends."""
        company.ensure_one()
        date = self._check_date(date)
        if kind not in KINDS:
            raise ValidationError(_("Unknown snapshot kind %(kind)s: use 'month' or 'today'.", kind=kind))
        snapshot = self._store(company, date, kind, self._snapshot_vals(company, date))
        if kind == "today":
            previous = self.search(
                [("company_id", "=", company.id), ("kind", "=", "today"), ("date", "!=", date)]
            )
            previous.filtered(lambda s: not is_month_end(s.date)).unlink()
        return snapshot

    @api.model
    def _snapshot_vals(self, company, date, start_receivable=None, daily=None):
        """The figures of the snapshot of ``company`` at the end of ``date`` (see the class).
        ``start_receivable``: the receivable at the end of the previous month, when the caller
        knows it already (the backfill, month after month); ``daily``: the ledger's daily
        figures (``kakeuri.ar.kpi.get_daily_figures``) of a range covering the date's 90 days,
        when the caller read them already."""
        Aging = self.env["kakeuri.aging.report"].sudo().with_company(company)
        Kpi = self.env["kakeuri.ar.kpi"].sudo()
        currency = company.currency_id
        rows = Aging.get_aging(date, company=company)
        buckets = [currency.round(sum(row["buckets"][i] for row in rows)) + 0.0 for i in range(6)]
        receivable = currency.round(sum(row["total"] for row in rows)) + 0.0
        month_start = date.replace(day=1)
        if start_receivable is None:
            previous = Aging.get_aging(month_start - timedelta(days=1), company=company)
            start_receivable = currency.round(sum(row["total"] for row in previous))
        since = min(month_start, date - timedelta(days=DSO_DAYS - 1))
        if daily is None:
            daily = Kpi.get_daily_figures(company, since, date)
        month = Kpi.sum_period(company, daily, month_start, date)
        sales_90 = Kpi.sum_period(company, daily, date - timedelta(days=DSO_DAYS - 1), date)["sales"]
        vals = {
            "receivable": receivable,
            "overdue": currency.round(sum(buckets[1:])) + 0.0,
            "customer_count": sum(1 for row in rows if row["partner_id"] and row["total"] > 0),
            "top_debtors": self._top_rows(rows, lambda row: row["total"]),
            "top_overdue": self._top_rows(rows, lambda row: sum(row["buckets"][1:])),
            "sales": month["sales"],
            "collected": month["collected"],
        }
        vals.update(zip(self.BUCKET_FIELDS, buckets, strict=True))
        vals.update(Kpi.get_ratios(receivable, buckets[0], sales_90, start_receivable, month["sales"]))
        return vals

    @api.model
    def _top_rows(self, rows, amount):
        """[[partner_id, amount], ...] of the ten customers of the aging ``rows`` with the
        largest positive ``amount(row)``, largest first (ties by partner id)."""
        amounts = [(row["partner_id"], amount(row)) for row in rows if row["partner_id"]]
        top = sorted((a for a in amounts if a[1] > 0), key=lambda a: (-a[1], a[0]))[:TOP_ROWS]
        return [[partner_id, round(value, 2)] for partner_id, value in top]

    @api.model
    def _store(self, company, date, kind, vals):
        """Write ``vals`` on the snapshot of ``company`` and ``date``, or create it. When
        another transaction created it meanwhile (two workers, two users opening the
        dashboard), that one stays and an unsaved record with the same figures is returned."""
        existing = self.search([("company_id", "=", company.id), ("date", "=", date)], limit=1)
        if existing:
            existing.write(dict(vals, kind=kind))
            return existing
        try:
            with self.env.cr.savepoint():
                return self.create(dict(vals, company_id=company.id, date=date, kind=kind))
        except errors.UniqueViolation:
            return self.new(dict(vals, company_id=company.id, date=date, kind=kind))

    @api.model
    def _check_date(self, date):
        try:
            value = fields.Date.to_date(date)
        except (TypeError, ValueError):
            value = None
        if not value:
            raise ValidationError(
                _("A receivables snapshot needs a valid date, got %(value)s.", value=repr(date))
            )
        return value

    # --------------------------------------------------------------- backfill
    @api.model
    def _backfill(self, company, months=24):
        """(Re)compute the month-end snapshots of ``company`` for the ``months`` months before
        the current one (the month end just passed and the earlier ones), oldest first, each
        month's end receivable serving as the next month's start. Returns the snapshots."""
        company.ensure_one()
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 240:
            raise ValidationError(
                _(
                    "Backfill %(company)s: the number of months must be from 1 to 240, got %(value)s.",
                    company=company.display_name,
                    value=months,
                )
            )
        today = fields.Date.context_today(self)
        ends = []
        day = today.replace(day=1) - timedelta(days=1)
        for _i in range(months):
            ends.append(day)
            day = day.replace(day=1) - timedelta(days=1)
        snapshots = self.browse()
        start_receivable = None
        daily = (
            self.env["kakeuri.ar.kpi"]
            .sudo()
            .get_daily_figures(company, ends[-1] - timedelta(days=DSO_DAYS - 1), ends[0])
        )
        for end in reversed(ends):
            vals = self._snapshot_vals(company, end, start_receivable=start_receivable, daily=daily)
            start_receivable = vals["receivable"]
            snapshots |= self._store(company, end, "month", vals)
        return snapshots

    def action_backfill(self, months=24):
        """Button (credit managers): backfill the month ends of the companies enabled in the
        client (all of them ``months`` months back) and reload the view."""
        self._check_credit_manager()
        if isinstance(months, bool) or not isinstance(months, int):
            months = 24
        for company in self.env.companies:
            self._backfill(company, months)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "The month-end snapshots of the last %(months)s months are computed.", months=months
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _check_credit_manager(self):
        if not self.env.su and not self.env.user.has_group("kakeuri_ar.group_credit_manager"):
            raise AccessError(
                _(
                    "Only credit managers may compute receivables snapshots (%(user)s is not one).",
                    user=self.env.user.display_name,
                )
            )

    @api.model
    def _install_backfill(self):
        """On install: the last 12 month ends of every company (quick on an empty ledger)."""
        for company in self.env["res.company"].sudo().search([]):
            self.sudo()._backfill(company, 12)

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_snapshot(self, date_ref=None, batch_size=5):
        """Daily: for every company, today's snapshot (at ``date_ref``, default today) if the
        day has none yet, and the month end just passed if it is missing or was taken during
        that day. In batches of companies (``kakeuri.batch.mixin``); safe with several
        workers: a company is claimed by one at a time, and the unique key (company, date)
        keeps one snapshot per date whatever happens."""
        # every company's figures, whoever runs it (the scheduled action runs as the system)
        self = self.sudo()
        date_ref = self._check_date(date_ref or fields.Date.context_today(self))
        Batch = self.env["kakeuri.batch.mixin"]
        return Batch._kakeuri_run_batches(lambda: self._cron_snapshot_batch(date_ref, batch_size))

    @api.model
    def _cron_snapshot_batch(self, date_ref, batch_size):
        todo = self._cron_companies_todo(date_ref)
        claimed = self.env["kakeuri.batch.mixin"]._kakeuri_claim(todo.ids[:batch_size], namespace=self._name)
        last_month_end = date_ref.replace(day=1) - timedelta(days=1)
        for company in todo.browse(claimed):
            month = self.search([("company_id", "=", company.id), ("date", "=", last_month_end)])
            if not month or month.kind != "month":
                self._compute_snapshot(company, last_month_end, "month")
            if not self.search_count([("company_id", "=", company.id), ("date", "=", date_ref)]):
                # a month end's own snapshot is taken the next day, once the day is over
                self._compute_snapshot(company, date_ref, "today")
        return len(claimed), len(todo) - len(claimed)

    @api.model
    def _cron_companies_todo(self, date_ref):
        """The companies whose snapshot of ``date_ref`` or of the month end just passed is
        still to compute."""
        last_month_end = date_ref.replace(day=1) - timedelta(days=1)
        companies = self.env["res.company"].sudo().search([])
        done_today = self.sudo().search([("date", "=", date_ref)]).company_id
        done_month = self.sudo().search([("date", "=", last_month_end), ("kind", "=", "month")]).company_id
        return companies.filtered(lambda c: c not in done_today or c not in done_month)
