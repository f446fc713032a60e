# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two closing runs at once, on two real database cursors (see test_contracts_concurrency)."""

from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, api, fields
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common.concurrency import KakeuriConcurrencyCase


@tagged("post_install", "-at_install")
class TestBillingConcurrency(KakeuriConcurrencyCase):
    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            env = env(context={"allowed_company_ids": company.ids})
            partner = env["res.partner"].create(
                {"name": "Closing Concurrency 株式会社", "is_company": True, "kakeuri_closing_day": 31}
            )
            move = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2026-01-10",
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Tab sale", "quantity": 1, "price_unit": 1000.0, "tax_ids": []}
                        )
                    ],
                }
            )
            move.action_post()
            self.ids = {"partner": partner.id, "company": company.id, "move": move.id}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        self._close_cursors()
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT id FROM kakeuri_billing_statement WHERE partner_id = %s", [self.ids["partner"]]
            )
            statement_ids = [row[0] for row in cr.fetchall()]
            self._delete_chatter(
                cr,
                (
                    ("kakeuri.billing.statement", statement_ids),
                    ("account.move", [self.ids["move"]]),
                    ("res.partner", [self.ids["partner"]]),
                ),
            )
            cr.execute("DELETE FROM kakeuri_billing_statement WHERE id = ANY(%s)", [statement_ids])
            cr.execute("DELETE FROM account_move WHERE id = %s", [self.ids["move"]])
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["res.partner"].browse(self.ids["partner"]).unlink()

    def _env(self):
        return super()._env(self.ids["company"])

    def _close(self, env):
        return env["kakeuri.billing.statement"]._cron_close_period(
            date_ref=fields.Date.to_date("2026-01-31"),
            partners=env["res.partner"].browse(self.ids["partner"]),
            companies=env["res.company"].browse(self.ids["company"]),
        )

    @freeze_time("2026-02-01")
    def test_parallel_closing_makes_one_statement(self):
        env1, env2 = self._env(), self._env()
        # worker 2 looked before worker 1 committed: it saw no statement for the closing date
        self.assertFalse(
            env2["kakeuri.billing.statement"]._statement_exists(
                env2["res.partner"].browse(self.ids["partner"]),
                env2["res.company"].browse(self.ids["company"]),
                fields.Date.to_date("2026-01-31"),
            )
        )
        created1 = self._close(env1)
        self.assertEqual(len(created1), 1)
        self.assertEqual(created1.total_due, 1000.0)
        env1.cr.commit()
        # worker 2 goes on from its stale view: the unique index refuses its statement, the
        # IntegrityError is caught and the run goes on without a duplicate
        Statement = type(env2["kakeuri.billing.statement"])
        with (
            patch.object(Statement, "_statement_exists", lambda *args: False),
            patch.object(Statement, "_check_no_live_duplicate", lambda *args: None),
            mute_logger("odoo.sql_db"),
            self.assertLogs("odoo", "DEBUG") as logs,
        ):
            created2 = self._close(env2)
        self.assertFalse(created2)
        self.assertIn("made by a parallel run", "\n".join(logs.output), "the IntegrityError path")
        self.assertFalse(
            env2["res.partner"]
            .browse(self.ids["partner"])
            .message_ids.filtered(lambda m: "could not be made" in (m.body or "")),
            "not reported as a failure",
        )
        env2.cr.commit()
        env3 = self._env()
        env3.cr.execute(
            SQL(
                "SELECT count(*) FROM kakeuri_billing_statement WHERE partner_id = %s AND state != 'cancel'",
                self.ids["partner"],
            )
        )
        self.assertEqual(env3.cr.fetchone()[0], 1)
