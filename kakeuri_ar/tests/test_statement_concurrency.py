# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two scheduled statement runs at once, on two real database cursors (see
test_billing_concurrency): each statement is queued and mailed once."""

from freezegun import freeze_time

from odoo import Command, api
from odoo.tests import tagged
from odoo.tools import SQL

from .common.concurrency import KakeuriConcurrencyCase


@tagged("post_install", "-at_install")
class TestStatementConcurrency(KakeuriConcurrencyCase):
    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            env = env(context={"allowed_company_ids": company.ids})
            partner = env["res.partner"].create(
                {
                    "name": "Statement Concurrency 株式会社",
                    "is_company": True,
                    "email": "concurrency@example.com",
                    "kakeuri_statement_frequency": "monthly",
                }
            )
            move = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2026-01-10",
                    "invoice_date_due": "2026-01-20",
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
            cr.execute("SELECT id FROM kakeuri_statement_log WHERE partner_id = %s", [self.ids["partner"]])
            log_ids = [row[0] for row in cr.fetchall()]
            cr.execute("DELETE FROM kakeuri_statement_log WHERE id = ANY(%s)", [log_ids])
            self._delete_chatter(
                cr,
                (
                    ("kakeuri.statement.log", log_ids),
                    ("account.move", [self.ids["move"]]),
                    ("res.partner", [self.ids["partner"]]),
                ),
            )
            cr.execute("DELETE FROM account_move WHERE id = %s", [self.ids["move"]])
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["res.partner"].browse(self.ids["partner"]).unlink()

    def _env(self):
        return super()._env(self.ids["company"])

    def _run(self, env):
        return env["res.partner"]._cron_send_statements(
            date_ref="2026-02-03", companies=env["res.company"].browse(self.ids["company"])
        )

    def _counts(self):
        env = self._env()
        env.cr.execute(
            SQL(
                """SELECT count(*), count(mail_id), min(state)
                     FROM kakeuri_statement_log WHERE partner_id = %s""",
                self.ids["partner"],
            )
        )
        rows, mails, state = env.cr.fetchone()
        env.cr.execute(
            SQL(
                """SELECT count(*) FROM mail_mail m
                     JOIN mail_message mm ON mm.id = m.mail_message_id
                     JOIN kakeuri_statement_log s ON s.id = mm.res_id
                    WHERE mm.model = 'kakeuri.statement.log' AND s.partner_id = %s""",
                self.ids["partner"],
            )
        )
        return rows, mails, state, env.cr.fetchone()[0]

    @freeze_time("2026-02-03")
    def test_stale_snapshot_queues_once(self):
        env1, env2 = self._env(), self._env()
        # worker 2 took its snapshot before worker 1 committed: it sees no row for the period
        env2.cr.execute(
            SQL("SELECT count(*) FROM kakeuri_statement_log WHERE partner_id = %s", self.ids["partner"])
        )
        self.assertEqual(env2.cr.fetchone()[0], 0)
        # queued and mailed (other customers with a frequency, e.g. the demo's, count too)
        self.assertGreaterEqual(self._run(env1), 2)
        env1.cr.commit()
        # the insert of worker 2 meets the committed row it cannot see: it leaves the work
        self.assertEqual(self._run(env2), 0)
        env2.cr.commit()
        self.assertEqual(self._counts(), (1, 1, "sent", 1))

    @freeze_time("2026-02-03")
    def test_simultaneous_runs_queue_once(self):
        env1, env2 = self._env(), self._env()
        self.assertGreaterEqual(self._run(env1), 2)
        # worker 1 has not committed: worker 2 leaves the period it is queueing and sees no row
        self.assertEqual(self._run(env2), 0)
        env2.cr.commit()
        env1.cr.commit()
        self.assertEqual(self._counts(), (1, 1, "sent", 1))
        # a re-run after both committed finds nothing to do
        env3 = self._env()
        self.assertEqual(self._run(env3), 0)
        env3.cr.commit()
        self.assertEqual(self._counts(), (1, 1, "sent", 1))
