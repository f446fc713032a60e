# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, models
from odoo.tools import format_date

RECURRING_RULES = [
    ("weekly", "Week(s)"),
    ("monthly", "Month(s)"),
    ("quarterly", "Quarter(s)"),
    ("yearly", "Year(s)"),
]
MONTHS_PER_RULE = {"monthly": 1, "quarterly": 3, "yearly": 12}


def month_day(year, month, day):
    """Day ``day`` of the month, or the month's last day when the month is shorter (day 31 of
    February is its 28th or 29th)."""
    return date(year, month, 1) + relativedelta(day=day)


def period_step(rule, interval, count=1):
    """Length of ``count`` periods of ``interval`` weeks, months, quarters or years."""
    if rule == "weekly":
        return relativedelta(weeks=interval * count)
    return relativedelta(months=MONTHS_PER_RULE[rule] * interval * count)


def period_start(date_start, rule, interval, index):
    """Start of period ``index`` (0 = first), always counted from ``date_start`` and not
    chained: monthly from 31 January gives 31 Jan, 28/29 Feb, 31 Mar."""
    if rule == "weekly":
        return date_start + timedelta(weeks=interval * index)
    month = date(date_start.year, date_start.month, 1) + period_step(rule, interval, index)
    return month_day(month.year, month.month, date_start.day)


class KakeuriRecurrenceMixin(models.AbstractModel):
    """Periods counted from a start date every N weeks, months, quarters or years, cut short
    by an optional end date. The model provides ``date_start``, ``date_end``,
    ``recurring_rule``, ``recurring_interval`` and ``prorate_last_period``."""

    _name = "kakeuri.recurrence.mixin"
    _description = "Recurring Periods"

    def _get_period_step(self, count=1):
        self.ensure_one()
        return period_step(self.recurring_rule, self.recurring_interval, count)

    def _get_period_start(self, index):
        """Start of period ``index`` (0 = first), see ``period_start``."""
        self.ensure_one()
        return period_start(self.date_start, self.recurring_rule, self.recurring_interval, index)

    def _get_period(self, index):
        """(start, end, factor) of period ``index``; the end date cuts the last one short and
        ``factor`` is the share billed (1.0 unless pro rata is on)."""
        self.ensure_one()
        start = self._get_period_start(index)
        full_end = self._get_period_start(index + 1) - timedelta(days=1)
        end = full_end
        factor = 1.0
        if self.date_end and self.date_end < full_end:
            end = self.date_end
            if self.prorate_last_period:
                factor = ((end - start).days + 1) / ((full_end - start).days + 1)
        return start, end, factor

    def _period_index_at(self, day):
        """Index of the period containing ``day`` (0 when before the start)."""
        self.ensure_one()
        if day <= self.date_start:
            return 0
        if self.recurring_rule == "weekly":
            index = (day - self.date_start).days // (7 * self.recurring_interval)
        else:
            months = (day.year - self.date_start.year) * 12 + day.month - self.date_start.month
            index = max(months // (MONTHS_PER_RULE[self.recurring_rule] * self.recurring_interval), 0)
        while index > 0 and self._get_period_start(index) > day:
            index -= 1
        while self._get_period_start(index + 1) <= day:
            index += 1
        return index

    def _first_period_index_from(self, day):
        """Index of the first period starting on or after ``day``."""
        self.ensure_one()
        index = self._period_index_at(day)
        if self._get_period_start(index) < day:
            index += 1
        return index

    def _iter_periods(self, date_from, date_to):
        """Periods (start, end, factor) whose start lies in [date_from, date_to]."""
        self.ensure_one()
        index = self._first_period_index_from(date_from)
        while True:
            start = self._get_period_start(index)
            if start > date_to or (self.date_end and start > self.date_end):
                return
            yield self._get_period(index)
            index += 1

    def _format_period(self, start, end):
        return _(
            "Period %(start)s – %(end)s",
            start=format_date(self.env, start),
            end=format_date(self.env, end),
        )
