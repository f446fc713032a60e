# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payment plans in the portal: the receivables page lists the customer's active plans with
their next installment, and the agreement PDF is served to the plan's customer only (the
portal record rule decides, as for billing statements)."""

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from .portal import KakeuriReceivablesPortal

PLAN_MODEL = "kakeuri.payment.plan"
AGREEMENT_REPORT = "kakeuri_ar.action_report_payment_plan"


class KakeuriPaymentPlanPortal(KakeuriReceivablesPortal):
    # ------------------------------------------------------------------ routes
    @http.route(
        ["/my/payment_plans/<int:plan_id>/agreement"], type="http", auth="user", website=True, sitemap=False
    )
    def portal_my_payment_plan_agreement(self, plan_id, download=False, **kw):
        plan_sudo = self._kakeuri_plan_check_access(plan_id)
        if plan_sudo is None:
            return request.not_found()
        return self._show_report(
            model=plan_sudo, report_type="pdf", report_ref=AGREEMENT_REPORT, download=download
        )

    # ------------------------------------------------------------------ values
    def _kakeuri_company_block(self, company, row, invoices, statements, today):
        block = super()._kakeuri_company_block(company, row, invoices, statements, today)
        block["payment_plans"] = self._kakeuri_payment_plans(company)
        return block

    def _kakeuri_payment_plans(self, company):
        """The customer's active plans in the company, searched as the portal user."""
        Plan = request.env[PLAN_MODEL]
        if not Plan.has_access("read"):
            return Plan
        return Plan.search(
            [
                ("partner_id", "child_of", self._kakeuri_customer().id),
                ("company_id", "=", company.id),
                ("state", "=", "active"),
            ],
            order="id",
        )

    def _kakeuri_plan_check_access(self, plan_id):
        """The plan (sudo) if the user may read it (its customer, through the portal record
        rule, in one of the user's companies), else None."""
        plan = request.env[PLAN_MODEL].browse(plan_id)
        try:
            if not plan.sudo().exists():
                return None
            plan.check_access("read")
        except (AccessError, MissingError):
            return None
        if plan.sudo().company_id not in request.env.user.company_ids:
            return None
        return plan.sudo()
