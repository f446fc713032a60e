# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A credit manager opens the receivables dashboard in headless Chromium and clicks a KPI
through to the items behind it."""

from odoo.tests import HttpCase, new_test_user, tagged

from .common.dunning import DunningCommon


@tagged("post_install", "-at_install")
class TestArDashboardTour(DunningCommon, HttpCase):
    def test_dashboard_kpi_click_through(self):
        # the dashboard is as of the database's today, which freeze_time does not move
        self.env.cr.execute("SELECT CURRENT_DATE")
        today = self.env.cr.fetchone()[0]
        customer = self.env["res.partner"].create({"name": "Tour Dashboard KK", "is_company": True})
        self._invoice(customer, 4321.0, 20, ref_date=today)
        manager = new_test_user(
            self.env,
            "dashboard_credit_manager",
            groups="base.group_user,account.group_account_invoice,kakeuri_ar.group_credit_manager",
            company_id=self.company.id,
            lang="en_US",
        )
        # the first browser test of a run waits for the web client's assets to be built: on a
        # busy machine that alone may take most of the default minute. The charts' library is
        # a bundle Odoo builds on its first request; built here first, as a running server has
        # it, so that the tour does not also wait for (or race with) that build.
        response = self.url_open("/web/bundle/web.chartjs_lib", timeout=180)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.json(), "the charts' library bundle lists its files")
        self.start_tour(
            "/odoo/action-kakeuri_ar.action_kakeuri_ar_dashboard",
            "kakeuri_ar_dashboard",
            login=manager.login,
            timeout=180,
        )
        snapshot = self.env["kakeuri.ar.snapshot"].search(
            [("company_id", "=", self.company.id), ("date", "=", today)]
        )
        self.assertEqual(len(snapshot), 1, "opening the dashboard made today's snapshot")
        self.assertEqual(snapshot.overdue, 4321.0)
