# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A billing statement (締め請求書) in the portal: the statement, its open invoices, its PDF, and
one online payment for all of them through Odoo's payment form and account_payment's
post-processing (the transaction carries the invoices, so a done payment reconciles them)."""

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.account_payment.controllers.portal import PortalAccount

STATEMENT_MODEL = "kakeuri.billing.statement"
STATEMENT_REPORT = "kakeuri_ar.action_report_billing_statement"


class KakeuriBillingStatementPortal(PortalAccount, PaymentPortal):
    # ------------------------------------------------------------------ routes
    @http.route(["/my/billing_statements/<int:statement_id>"], type="http", auth="public", website=True)
    def portal_my_billing_statement(
        self, statement_id, access_token=None, report_type=None, download=False, **kw
    ):
        statement_sudo = self._kakeuri_statement_check_access(statement_id, access_token)
        if statement_sudo is None:
            return request.not_found()
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=statement_sudo, report_type=report_type, report_ref=STATEMENT_REPORT, download=download
            )
        values = self._kakeuri_statement_page_values(statement_sudo, access_token)
        return request.render("kakeuri_ar.portal_billing_statement_page", values)

    @http.route("/my/billing_statements/<int:statement_id>/transaction", type="json", auth="public")
    def portal_billing_statement_transaction(
        self, statement_id, access_token=None, payment_reference=None, **kwargs
    ):
        """Create the draft transaction paying the statement's open invoices at once and return
        its processing values. The amount is the statement's, never the browser's."""
        statement_sudo = self._kakeuri_statement_check_access(statement_id, access_token)
        if statement_sudo is None:
            raise ValidationError(_("The access token is invalid."))
        amount = statement_sudo._kakeuri_amount_to_pay()
        if statement_sudo.currency_id.compare_amounts(amount, 0.0) <= 0:
            raise ValidationError(
                _("Billing statement %(statement)s has nothing left to pay.", statement=statement_sudo.name)
            )
        if statement_sudo._kakeuri_payment_in_progress():
            raise ValidationError(
                _(
                    "A payment of billing statement %(statement)s is already being processed.",
                    statement=statement_sudo.name,
                )
            )
        self._validate_transaction_kwargs(kwargs)
        kwargs["amount"] = amount
        logged_in = not request.env.user._is_public()
        partner_sudo = request.env.user.partner_id if logged_in else statement_sudo.partner_id
        return self._process_transaction(
            partner_sudo.id,
            statement_sudo.currency_id.id,
            statement_sudo._kakeuri_open_moves().ids,
            payment_reference or statement_sudo.name,
            **kwargs,
        )

    # ------------------------------------------------------------------ helpers
    def _kakeuri_statement_check_access(self, statement_id, access_token):
        """The statement (sudo) if the visitor may see it, else None: the owner through the
        portal record rule, anyone else only with the statement's token. Drafts and cancelled
        statements are never shown, and a logged-in user never sees a statement of a company
        it does not belong to."""
        try:
            statement_sudo = self._document_check_access(STATEMENT_MODEL, statement_id, access_token)
        except (AccessError, MissingError):
            return None
        if not statement_sudo._kakeuri_portal_visible():
            return None
        user = request.env.user
        if not user._is_public() and statement_sudo.company_id not in user.company_ids:
            return None
        return statement_sudo

    def _kakeuri_statement_page_values(self, statement_sudo, access_token):
        moves = statement_sudo._kakeuri_open_moves()
        amount = statement_sudo._kakeuri_amount_to_pay()
        currency = statement_sudo.currency_id
        values = {
            "page_name": "kakeuri_billing_statement",
            "statement": statement_sudo,
            "open_moves": moves,
            "amount_to_pay": amount,
            "currency": currency,
            "payment_in_progress": statement_sudo._kakeuri_payment_in_progress(),
            "pdf_url": statement_sudo.get_portal_url(report_type="pdf", download=True),
        }
        values = self._get_page_view_values(
            statement_sudo, access_token, values, "my_billing_statements_history", False
        )
        if currency.compare_amounts(amount, 0.0) > 0 and not values["payment_in_progress"]:
            values.update(
                self._get_common_page_view_values(
                    invoices_data={
                        "partner": statement_sudo.partner_id,
                        "company": statement_sudo.company_id,
                        "total_amount": amount,
                        "currency": currency,
                        "amount_residual": amount,
                        "payment_reference": statement_sudo.name,
                        "landing_route": statement_sudo.get_portal_url(),
                        "transaction_route": f"/my/billing_statements/{statement_sudo.id}/transaction",
                    },
                    access_token=statement_sudo._portal_ensure_token(),
                )
            )
            values.update({"amount": amount, "show_payment": True})
        return values
