# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's open promises to pay on its receivables page (/my/receivables)."""

from odoo.http import request

from .portal import KakeuriReceivablesPortal


class KakeuriPromisePortal(KakeuriReceivablesPortal):
    def _kakeuri_company_block(self, company, row, invoices, statements, today):
        block = super()._kakeuri_company_block(company, row, invoices, statements, today)
        block["promises"] = self._kakeuri_open_promises(company)
        return block

    def _kakeuri_open_promises(self, company):
        """[(promise, rest still promised)] of the customer in ``company``: searched as the
        portal user (its record rule keeps it to its own open ones); the payments counted
        come from journal items a portal user cannot read, hence sudo for the rest only."""
        Promise = request.env["kakeuri.payment.promise"]
        if not Promise.has_access("read"):
            return []
        promises = Promise.search(
            [
                ("partner_id", "=", self._kakeuri_customer().id),
                ("company_id", "=", company.id),
                ("state", "=", "open"),
            ],
            order="date, id",
        )
        return [(promise, promise.sudo().amount_residual) for promise in promises]
