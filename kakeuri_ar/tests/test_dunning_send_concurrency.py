# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A queued dunning run sent by two cron workers at once (the job and its lane), on two real
database cursors (see common/concurrency.py): a worker whose snapshot is older than the other's
last commit leaves the run queued and is called again, and every reminder goes once."""

from datetime import timedelta

from psycopg2 import errors

from odoo import Command, api, fields
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common.concurrency import KakeuriConcurrencyCase


@tagged("post_install", "-at_install")
class TestDunningSendConcurrency(KakeuriConcurrencyCase):
    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            env = env(context={"allowed_company_ids": company.ids})
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM ir_cron_trigger")
            first_trigger = cr.fetchone()[0] + 1
            today = fields.Date.context_today(env["res.partner"])
            partners = env["res.partner"].create(
                [
                    {
                        "name": f"Dunning Lane {n} 株式会社",
                        "is_company": True,
                        "email": f"lane{n}@example.com",
                    }
                    for n in (1, 2)
                ]
            )
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": today - timedelta(days=60),
                        "invoice_date_due": today - timedelta(days=40),
                        "invoice_line_ids": [
                            Command.create(
                                {"name": "Tab sale", "quantity": 1, "price_unit": 1000.0, "tax_ids": []}
                            )
                        ],
                    }
                    for partner in partners
                ]
            )
            moves.action_post()
            levels = env["kakeuri.dunning.level"].search(
                [("company_id", "=", company.id), ("auto", "=", True)]
            )
            run = env["kakeuri.dunning.run"].create(
                {"date": today, "company_id": company.id, "level_ids": [Command.set(levels.ids)]}
            )
            run.action_compute()
            # only this test's customers (the demo data has overdue customers of its own)
            cr.execute(
                SQL(
                    "DELETE FROM kakeuri_dunning_line WHERE run_id = %s AND NOT (partner_id = ANY(%s))",
                    run.id,
                    partners.ids,
                )
            )
            run.invalidate_recordset()
            run._queue_sending()
            self.ids = {
                "company": company.id,
                "partners": partners.ids,
                "moves": moves.ids,
                "run": run.id,
                "lines": run.line_ids.sorted("id").ids,
                "first_trigger": first_trigger,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        self._close_cursors()
        with self.registry.cursor() as cr:
            partners, moves = self.ids["partners"], self.ids["moves"]
            cr.execute("DELETE FROM ir_cron_trigger WHERE id >= %s", [self.ids["first_trigger"]])
            self._delete_chatter(
                cr,
                (
                    ("res.partner", partners),
                    ("account.move", moves),
                    ("kakeuri.dunning.run", [self.ids["run"]]),
                ),
            )
            cr.execute("DELETE FROM kakeuri_dunning_run WHERE id = %s", [self.ids["run"]])
            cr.execute("DELETE FROM account_move WHERE id = ANY(%s)", [moves])
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["res.partner"].browse(partners).unlink()

    def _send_queued(self, env, progress=None):
        Run = env["kakeuri.dunning.run"]
        if progress:
            Run = Run.with_context(ir_cron_progress_id=progress.id)
        return Run._cron_send_queued()

    def _state(self):
        env = self._env(self.ids["company"])
        env.cr.execute(
            SQL(
                """SELECT r.state, r.send_queued,
                          (SELECT array_agg(l.state ORDER BY l.id) FROM kakeuri_dunning_line l
                            WHERE l.run_id = r.id),
                          (SELECT count(*) FROM mail_mail m
                             JOIN mail_message mm ON mm.id = m.mail_message_id
                            WHERE mm.model = 'res.partner' AND mm.res_id = ANY(%s))
                     FROM kakeuri_dunning_run r WHERE r.id = %s""",
                self.ids["partners"],
                self.ids["run"],
            )
        )
        return env.cr.fetchone()

    def test_older_snapshot_leaves_the_run_queued_and_comes_back(self):
        self.assertEqual(len(self.ids["lines"]), 2)
        env1, env2 = self._env(self.ids["company"]), self._env(self.ids["company"])
        # the lane began its call (its snapshot) before the job committed a batch
        env2.cr.execute(
            SQL(
                "SELECT count(*) FROM kakeuri_dunning_line WHERE run_id = %s AND state = 'draft'",
                self.ids["run"],
            )
        )
        self.assertEqual(env2.cr.fetchone()[0], 2)
        run1 = env1["kakeuri.dunning.run"].browse(self.ids["run"])
        env1["kakeuri.dunning.send"]._send_batch_or_each(run1, self.ids["lines"][:1])
        env1.cr.commit()

        cron = env2.ref("kakeuri_ar.ir_cron_kakeuri_dunning_send_queued_lane_2")
        progress = env2["ir.cron.progress"].create({"cron_id": cron.id})
        env2.cr.execute(SQL("SELECT count(*) FROM ir_cron_trigger WHERE cron_id = %s", cron.id))
        triggers_before = env2.cr.fetchone()[0]
        with mute_logger("odoo.addons.kakeuri_ar.models.kakeuri_dunning_send"):
            self._send_queued(env2, progress)
        run2 = env2["kakeuri.dunning.run"].browse(self.ids["run"])
        self.assertTrue(run2.send_queued, "a lane meeting the other worker's commit does not stop the run")
        self.assertEqual(run2.state, "draft")
        self.assertFalse(
            run2.line_ids.filtered(lambda line: line.state == "failed"),
            "no reminder is marked failed for what another worker did",
        )
        env2.cr.execute(SQL("SELECT count(*) FROM ir_cron_trigger WHERE cron_id = %s", cron.id))
        self.assertEqual(env2.cr.fetchone()[0], triggers_before + 1, "the lane is called again at once")
        env2.cr.commit()

        # its next call, in a new transaction, sends the rest and closes the run
        env3 = self._env(self.ids["company"])
        self._send_queued(env3)
        env3.cr.commit()
        self.assertEqual(self._state(), ("done", False, ["sent", "sent"], 2))

    def test_request_meeting_a_newer_commit_fails_for_odoo_to_retry(self):
        env1, env2 = self._env(self.ids["company"]), self._env(self.ids["company"])
        env2.cr.execute(SQL("SELECT 1 FROM kakeuri_dunning_run WHERE id = %s", self.ids["run"]))
        run1 = env1["kakeuri.dunning.run"].browse(self.ids["run"])
        env1["kakeuri.dunning.send"]._send_batch_or_each(run1, self.ids["lines"][:1])
        env1.cr.commit()
        # outside a scheduled action (a person's Send) the error goes up: Odoo runs the request
        # again in a new transaction, which sees the other worker's commit
        run2 = env2["kakeuri.dunning.run"].browse(self.ids["run"])
        with self.assertRaises(errors.SerializationFailure), mute_logger("odoo.sql_db"):
            run2._send_lines()
        env2.cr.rollback()
        env3 = self._env(self.ids["company"])
        env3["kakeuri.dunning.run"].browse(self.ids["run"])._send_lines()
        env3.cr.commit()
        state = self._state()
        self.assertEqual(state[2], ["sent", "sent"])
        self.assertEqual(state[3], 2, "one reminder mail per customer")

    def test_finishing_left_to_the_worker_holding_the_run(self):
        """Two workers send the last batches at once: the one that finds the run's row taken
        leaves the finishing to the other, without an error in the log."""
        env1, env2 = self._env(self.ids["company"]), self._env(self.ids["company"])
        run1 = env1["kakeuri.dunning.run"].browse(self.ids["run"])
        run2 = env2["kakeuri.dunning.run"].browse(self.ids["run"])
        self.assertTrue(run1._lock_for_finishing())
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            self.assertFalse(run2._lock_for_finishing())
        env1.cr.rollback()
        self.assertTrue(run2._lock_for_finishing())
