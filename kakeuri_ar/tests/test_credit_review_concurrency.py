# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two daily review runs at once, on two real database cursors (see
test_statement_concurrency): each customer gets one proposed review."""

from odoo import api
from odoo.tests import tagged
from odoo.tools import SQL

from .common.concurrency import KakeuriConcurrencyCase

DATE_REF = "2026-03-15"


@tagged("post_install", "-at_install")
class TestCreditReviewConcurrency(KakeuriConcurrencyCase):
    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            env = env(context={"allowed_company_ids": company.ids})
            partners = env["res.partner"].create(
                [
                    {"name": f"Review Concurrency {i} 株式会社", "is_company": True, "credit_limit": 5000.0}
                    for i in range(3)
                ]
            )
            partners.write({"kakeuri_credit_review_date": "2026-03-01"})
            self.ids = {"partners": partners.ids, "company": company.id}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        self._close_cursors()
        partner_ids = self.ids["partners"]
        with self.registry.cursor() as cr:
            cr.execute("SELECT id FROM kakeuri_credit_review WHERE partner_id = ANY(%s)", [partner_ids])
            review_ids = [row[0] for row in cr.fetchall()]
            self._delete_chatter(
                cr,
                (("kakeuri.credit.review", review_ids), ("res.partner", partner_ids)),
            )
            cr.execute("DELETE FROM kakeuri_credit_review WHERE id = ANY(%s)", [review_ids])
            cr.execute("DELETE FROM kakeuri_credit_score WHERE partner_id = ANY(%s)", [partner_ids])
            api.Environment(cr, api.SUPERUSER_ID, {})["res.partner"].browse(partner_ids).unlink()

    def _env(self):
        return super()._env(self.ids["company"])

    def _run(self, env):
        companies = env["res.company"].browse(self.ids["company"])
        return env["kakeuri.credit.review"]._cron_propose_reviews(
            date_ref=DATE_REF, companies=companies, batch_size=2
        )

    def _proposed_counts(self):
        env = self._env()
        env.cr.execute(
            SQL(
                """SELECT partner_id, count(*) FROM kakeuri_credit_review
                    WHERE partner_id = ANY(%s) AND state = 'proposed' GROUP BY partner_id""",
                self.ids["partners"],
            )
        )
        return dict(env.cr.fetchall())

    def test_two_runs_at_once(self):
        """The first run holds its customers: the second leaves them to it."""
        env_a, env_b = self._env(), self._env()
        self.assertEqual(self._run(env_a), 3)
        self.assertEqual(self._run(env_b), 0, "claimed by the first run")
        env_a.cr.commit()
        env_b.cr.commit()
        self.assertEqual(self._proposed_counts(), dict.fromkeys(self.ids["partners"], 1))

    def test_overtaken_run(self):
        """A run whose view of the data is older than another's commit does nothing twice."""
        env_a, env_b = self._env(), self._env()
        env_b.cr.execute("SELECT 1 FROM kakeuri_credit_review LIMIT 1")  # B's snapshot starts
        self.assertEqual(self._run(env_a), 3)
        env_a.cr.commit()
        self.assertEqual(self._run(env_b), 0, "overtaken: the proposals are the first run's")
        env_b.cr.commit()
        self.assertEqual(self._proposed_counts(), dict.fromkeys(self.ids["partners"], 1))
        # and a later run finds nothing left to propose
        env_c = self._env()
        self.assertEqual(self._run(env_c), 0)
        env_c.cr.commit()
        self.assertEqual(self._proposed_counts(), dict.fromkeys(self.ids["partners"], 1))
