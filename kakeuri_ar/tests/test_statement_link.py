# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The link of a scheduled statement: the PDF for the right token or the customer's portal
user, never for anyone else."""

from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, tagged

from .test_statement_schedule import StatementScheduleCommon


@tagged("post_install", "-at_install")
class TestStatementLink(StatementScheduleCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice(cls.monthly, "2026-01-05", "2026-01-20", 1000.0)
        cls.invoice(cls.weekly, "2026-01-27", "2026-01-28", 300.0)
        with freeze_time("2026-02-03"):
            cls.env["res.partner"]._cron_send_statements(date_ref="2026-02-03", companies=cls.env.company)
        cls.log = cls.env["kakeuri.statement.log"].search([("partner_id", "=", cls.monthly.id)])
        cls.other_log = cls.env["kakeuri.statement.log"].search([("partner_id", "=", cls.weekly.id)])
        portal = cls.env.ref("base.group_portal")
        cls.portal_user = cls.env["res.users"].create(
            {
                "name": "経理 担当",
                "login": "kakeuri_stmt_portal",
                "password": "kakeuri_stmt_portal",
                "partner_id": cls.monthly_contact.id,
                "groups_id": [Command.set(portal.ids)],
            }
        )

    def _url(self, log, token=None):
        url = f"/my/statements/{log.id}"
        return f"{url}?access_token={token}" if token else url

    def _assert_pdf(self, response):
        """The statement of the customer, inline. A server running tests renders reports as
        HTML (wkhtmltopdf would call back this busy test server): the content is checked for
        the customer's statement, the real PDF is tested with the statement engine."""
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertTrue(response.headers["Content-Disposition"].startswith("inline; filename*=UTF-8''"))
        self.assertIn(self.monthly.name, response.content.decode())
        self.assertNotIn(self.weekly.name, response.content.decode())

    def test_token_gives_pdf(self):
        self.assertEqual(self.log.state, "sent")
        self._assert_pdf(self.url_open(self._url(self.log, self.log.access_token)))

    def test_wrong_token_refused(self):
        response = self.url_open(self._url(self.log, "not-the-token"))
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(b"%PDF", response.content)
        # another customer's token does not open this one
        response = self.url_open(self._url(self.log, self.other_log.access_token))
        self.assertEqual(response.status_code, 403)

    def test_missing_token_redirects_to_login(self):
        response = self.url_open(self._url(self.log), allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/my", response.headers["Location"])

    def test_unknown_statement_404(self):
        response = self.url_open(self._url(self.log.browse(self.other_log.id + 10000), "x"))
        self.assertEqual(response.status_code, 404)

    def test_portal_user_of_the_customer(self):
        self.authenticate("kakeuri_stmt_portal", "kakeuri_stmt_portal")
        self._assert_pdf(self.url_open(self._url(self.log)))
        # another customer's statement: refused without its token
        response = self.url_open(self._url(self.other_log))
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(b"%PDF", response.content)
