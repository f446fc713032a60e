# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The invoice links of reminders: an invoice never shared gets a signed link, which gives it
its portal access token when the customer opens it; a link not signed for that invoice is
refused."""

from werkzeug.urls import url_parse

from odoo.tests import tagged

from .common.portal import KakeuriPortalCommon


@tagged("post_install", "-at_install")
class TestDunningReminderLink(KakeuriPortalCommon):
    def _open(self, url):
        return self.url_open(url, allow_redirects=False)

    def test_signed_link_gives_the_invoice_its_token(self):
        Format = self.env["kakeuri.dunning.format"]
        inv = self.inv_a_old
        inv.access_token = False
        link = Format._get_reminder_link(inv)
        signature = url_parse(link).decode_query()["link"]
        other = url_parse(Format._get_reminder_link(self.inv_b1)).decode_query()["link"]
        refused = [
            f"/my/invoices/{inv.id}/reminder",
            f"/my/invoices/{inv.id}/reminder?link={other}",  # another invoice's link
            f"/my/invoices/{inv.id}/reminder?link={signature[:-4]}AAAA",
            f"/my/invoices/{inv.id}/reminder?link=not-a-link!",
            f"/my/invoices/{self.inv_b1.id}/reminder?link={signature}",
        ]
        for url in refused:
            self.assertEqual(self._open(url).status_code, 404, url)
        inv.invalidate_recordset(["access_token"])
        self.assertFalse(inv.access_token, "a refused link makes no token")

        # a visitor (not logged in) follows the link of the email
        response = self._open(link)
        self.assertEqual(response.status_code, 303)
        inv.invalidate_recordset(["access_token"])
        self.assertTrue(inv.access_token)
        location = response.headers["Location"]
        self.assertTrue(location.endswith(f"/my/invoices/{inv.id}?access_token={inv.access_token}"), location)
        page = self.url_open(location)
        self.assertEqual(page.status_code, 200)
        self.assertIn(inv.name, page.text)
        # opened again, the same token; the reminder now links to the invoice's portal URL
        token = inv.access_token
        self.assertTrue(self._open(link).headers["Location"].endswith(f"?access_token={token}"))
        inv.invalidate_recordset(["access_token"])
        self.assertEqual(inv.access_token, token)

    def test_draft_or_cancelled_invoice_refused(self):
        Format = self.env["kakeuri.dunning.format"]
        inv = self._kakeuri_invoice(self.today, 100.0, self.customer)
        inv.button_draft()
        self.assertEqual(self._open(Format._get_reminder_link(inv)).status_code, 404)
        inv.button_cancel()
        self.assertEqual(self._open(Format._get_reminder_link(inv)).status_code, 404)
        inv.invalidate_recordset(["access_token"])
        self.assertFalse(inv.access_token)
