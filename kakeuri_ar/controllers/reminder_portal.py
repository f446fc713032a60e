# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class KakeuriReminderPortal(CustomerPortal):
    @http.route("/my/invoices/<int:invoice_id>/reminder", type="http", auth="public", website=True)
    def portal_my_invoice_reminder(self, invoice_id, link=None, **kw):
        """The invoice link of a reminder email or letter for an invoice that had no portal
        access token when the reminder was sent: the link is signed
        (``kakeuri.dunning.format._get_reminder_link``), so it gives the invoice its token
        now, as Odoo does when it shares a document, and goes to the invoice's portal page. A
        link not signed for that invoice: 404, as an unknown invoice."""
        Format = request.env["kakeuri.dunning.format"]
        if not Format._verify_reminder_link(invoice_id, link):
            raise NotFound()
        move_sudo = request.env["account.move"].sudo().browse(invoice_id).exists()
        if not move_sudo or move_sudo.state != "posted" or not move_sudo.is_invoice(include_receipts=True):
            raise NotFound()
        move_sudo._portal_ensure_token()
        return request.redirect(move_sudo.get_portal_url())
