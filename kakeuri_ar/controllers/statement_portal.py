# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from urllib.parse import quote

from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class KakeuriStatementPortal(CustomerPortal):
    @http.route("/my/statements/<int:log_id>", type="http", auth="public", website=True)
    def portal_my_statement(self, log_id, access_token=None, **kw):
        """The PDF of a scheduled statement of account, made now from the ledger, in the
        customer's language: for whoever has its access token (the link of the email), or a
        portal user of that customer. Someone else's statement, a wrong token: 403; no such
        statement: 404; no token and not logged in: the login page (through /my)."""
        try:
            log_sudo = self._document_check_access("kakeuri.statement.log", log_id, access_token=access_token)
        except MissingError as error:
            raise NotFound() from error
        except AccessError as error:
            if not access_token and request.env.user._is_public():
                return request.redirect("/my")
            raise Forbidden() from error
        if log_sudo.state == "skipped":
            raise NotFound()
        partner = log_sudo.partner_id
        Statement = request.env["kakeuri.account.statement"].sudo()
        pdf, filename = Statement._render_pdf(
            partner, log_sudo.date_from, log_sudo.date_to, log_sudo.company_id, lang=partner.lang
        )
        headers = [
            ("Content-Type", "application/pdf"),
            ("Content-Length", len(pdf)),
            ("Content-Disposition", "inline; filename*=UTF-8''%s" % quote(filename, safe="")),
        ]
        return request.make_response(pdf, headers=headers)
