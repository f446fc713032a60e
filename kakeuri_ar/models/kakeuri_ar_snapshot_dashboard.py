# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

TREND_MONTHS = 12


class KakeuriArSnapshot(models.Model):
    """The receivables dashboard's data: one call returns everything the client action
    (``kakeuri_ar.dashboard``) draws, each number with the action that opens what is behind
    it (the customers or the open items)."""

    _inherit = "kakeuri.ar.snapshot"

    @api.model
    def get_dashboard_data(self, company_id=None, refresh=False):
        """The dashboard of ``company_id`` (default: the current company), which must be one of
        the companies enabled for the user; ``refresh`` recomputes today's snapshot.

        Keys: ``company`` (id, name, currency_id), ``companies`` (those the user may switch
        to), ``date``, ``previous_date``, ``kpis`` (list of ``{key, label, value, previous,
        unit, better, action}``: now and at the previous month end), ``trend`` (the last 12
        month ends: ``dates`` and one list per KPI), ``aging`` (``labels``, ``dates``,
        ``series``: per bucket, per month end), ``top_debtors`` and ``top_overdue`` (``{
        partner_id, name, amount, action}``), ``grades`` (``{grade, label, count, action}``),
        ``promises`` (``{state, label, count, action}``), ``can_backfill``."""
        self.check_access("read")
        company = self._dashboard_company(company_id)
        today = fields.Date.context_today(self)
        previous_date = today.replace(day=1) - timedelta(days=1)
        current = self._dashboard_snapshot(company, today, refresh)
        previous = self._dashboard_snapshot(company, previous_date)
        months = self.search(
            [("company_id", "=", company.id), ("kind", "=", "month"), ("date", "<=", previous_date)],
            order="date desc",
            limit=TREND_MONTHS,
        ).sorted("date")
        debtors, overdue = self._dashboard_top_rows(company, today, current)
        return {
            "company": {"id": company.id, "name": company.name, "currency_id": company.currency_id.id},
            "companies": [{"id": c.id, "name": c.name} for c in self.env.companies],
            "date": fields.Date.to_string(today),
            "previous_date": fields.Date.to_string(previous_date),
            "kpis": self._dashboard_kpis(company, today, current, previous),
            "trend": self._dashboard_trend(months),
            "aging": self._dashboard_aging(months),
            "top_debtors": debtors,
            "top_overdue": overdue,
            "grades": self._dashboard_grades(company),
            "promises": self._dashboard_promises(company, today),
            "can_backfill": self.env.user.has_group("kakeuri_ar.group_credit_manager"),
        }

    # ---------------------------------------------------------------- parts
    @api.model
    def _dashboard_company(self, company_id):
        if not company_id:
            return self.env.company
        if company_id not in self.env.companies.ids:
            # named, not numbered: the user may not read the company, the message may
            company = self.env["res.company"].sudo().browse(company_id).exists()
            raise AccessError(
                _(
                    "The receivables dashboard of company %(company)s is not open to you.",
                    company=company.display_name or company_id,
                )
            )
        return self.env["res.company"].browse(company_id)

    @api.model
    def _dashboard_snapshot(self, company, day, refresh=False):
        """The stored snapshot of ``company`` at ``day``, computed (as the system: the figures
        are the company's, whoever looks) when missing or asked to."""
        snapshot = self.search([("company_id", "=", company.id), ("date", "=", day)], limit=1)
        if not snapshot or refresh:
            kind = "today" if day == fields.Date.context_today(self) else "month"
            snapshot = self.sudo()._compute_snapshot(company, day, kind)
        return snapshot

    @api.model
    def _dashboard_kpis(self, company, today, current, previous):
        def ratio(snapshot):
            return round(snapshot.overdue / snapshot.receivable * 100.0, 1) if snapshot.receivable else 0.0

        open_items = self._open_items_action(company, today, _("Open Receivables"))
        overdue_items = self._open_items_action(company, today, _("Overdue Receivables"), overdue=True)
        collected = self._collected_action(company, today)
        specs = [
            ("receivable", _("Receivable"), "money", "lower", open_items),
            ("overdue", _("Overdue"), "money", "lower", overdue_items),
            ("overdue_percent", _("Overdue %"), "percent", "lower", overdue_items),
            ("dso", _("DSO"), "days", "lower", open_items),
            ("cei", _("CEI"), "percent", "higher", collected),
            ("avg_days_delinquent", _("Avg. Days Delinquent"), "days", "lower", overdue_items),
        ]
        kpis = []
        for key, label, unit, better, action in specs:
            value = ratio(current) if key == "overdue_percent" else current[key]
            before = ratio(previous) if key == "overdue_percent" else previous[key]
            kpis.append(
                {
                    "key": key,
                    "label": label,
                    "value": value,
                    "previous": before,
                    "unit": unit,
                    "better": better,
                    "action": action,
                }
            )
        return kpis

    @api.model
    def _dashboard_trend(self, months):
        return {
            "dates": [fields.Date.to_string(s.date) for s in months],
            "receivable": months.mapped("receivable"),
            "overdue": months.mapped("overdue"),
            "dso": months.mapped("dso"),
            "cei": months.mapped("cei"),
            "avg_days_delinquent": months.mapped("avg_days_delinquent"),
        }

    @api.model
    def _dashboard_aging(self, months):
        labels = self.env["kakeuri.aging.report"].get_bucket_labels()
        return {
            "labels": labels,
            "dates": [fields.Date.to_string(s.date) for s in months],
            "series": [months.mapped(name) for name in self.BUCKET_FIELDS],
        }

    @api.model
    def _dashboard_top_rows(self, company, today, current):
        """The ten customers who owe the most, and the ten with the most overdue, as stored in
        today's snapshot ``current`` (from the same aging as its figures)."""
        pairs = (current.top_debtors or []) + (current.top_overdue or [])
        partners = self.env["res.partner"].browse({partner_id for partner_id, _amount in pairs})
        names = {p.id: p.display_name for p in partners.sudo()}

        def lines(selected, overdue):
            return [
                {
                    "partner_id": partner_id,
                    "name": names[partner_id],
                    "amount": amount,
                    "action": self._open_items_action(
                        company, today, names[partner_id], overdue=overdue, partner_id=partner_id
                    ),
                }
                for partner_id, amount in selected
                if partner_id in names
            ]

        return lines(current.top_debtors or [], False), lines(current.top_overdue or [], True)

    @api.model
    def _dashboard_grades(self, company):
        """Customers per payment grade in ``company`` (the grade is stored per company)."""
        Partner = self.env["res.partner"].with_company(company)
        groups = dict(
            Partner._read_group(
                [("kakeuri_payment_grade", "!=", False)], ["kakeuri_payment_grade"], ["__count"]
            )
        )
        grades = Partner._fields["kakeuri_payment_grade"]._description_selection(self.env)
        result = []
        for grade, label in grades:
            domain = [("kakeuri_payment_grade", "=", grade)]
            if company != self.env.company:  # the client filters the grade of its current company
                domain = [("id", "in", Partner.search(domain).ids)]
            result.append(
                {
                    "grade": grade,
                    "label": label,
                    "count": groups.get(grade, 0),
                    "action": self._customers_action(_("Grade %(grade)s", grade=grade), domain),
                }
            )
        return result

    @api.model
    def _dashboard_promises(self, company, today):
        """Promises to pay of ``company`` promised in the last 12 months, per state."""
        since = today - relativedelta(months=12)
        Promise = self.env["kakeuri.payment.promise"]
        base = [("company_id", "=", company.id), ("date", ">=", since)]
        counts = dict(Promise._read_group(base, ["state"], ["__count"]))
        labels = dict(Promise._fields["state"]._description_selection(self.env))
        action = self.env["ir.actions.actions"]._for_xml_id("kakeuri_ar.action_kakeuri_payment_promise")
        result = []
        for state in ("kept", "broken", "open"):
            domain = base + [("state", "=", state)]
            result.append(
                {
                    "state": state,
                    "label": labels[state],
                    "count": counts.get(state, 0),
                    "action": dict(action, domain=domain, context={}, name=labels[state]),
                }
            )
        return result
