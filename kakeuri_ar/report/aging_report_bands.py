# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The aging bands as SQL, for the aging statement and for reports that age the items they
have already read (a customer's statement ages the items it lists)."""

from odoo import api, models
from odoo.tools import SQL


class KakeuriAgingReport(models.AbstractModel):
    _inherit = "kakeuri.aging.report"

    @api.model
    def _band(self, as_of, edges, ref_date):
        """SQL: the band index (0 not due, 1 up to the first edge, …, ``len(edges) + 1`` past
        the last) of an item due (or dated, by the basis) on ``ref_date`` as of ``as_of``."""
        cases = [SQL("WHEN %s - %s <= 0 THEN 0", as_of, ref_date)]
        for index, edge in enumerate(edges, start=1):
            cases.append(SQL("WHEN %s - %s <= %s THEN %s", as_of, ref_date, edge, index))
        return SQL("CASE %s ELSE %s END", SQL(" ").join(cases), len(edges) + 1)

    @api.model
    def _band_sums(self, amounts, as_of, edges):
        """SQL selecting one row, the float8 array of the sums per band (zeros included) of the
        open amounts ``amounts`` (a relation of ``amount, date_due``: the items' residuals of
        today and their later reconciliations, as :meth:`get_aging` adds them) as of
        ``as_of``, by due date."""
        sums = SQL(", ").join(
            SQL("COALESCE(SUM(b.amount) FILTER (WHERE b.band = %s), 0)", index)
            for index in range(len(edges) + 2)
        )
        return SQL(
            "SELECT ARRAY[%s] FROM (SELECT a.amount::float8 AS amount, %s AS band FROM (%s) a) b",
            sums,
            self._band(as_of, edges, SQL("a.date_due")),
            amounts,
        )
