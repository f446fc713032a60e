# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two workers reconciling the same bank line at once, on two real database cursors (see
test_statement_concurrency): the line is reconciled once."""

import psycopg2

from odoo import Command, api
from odoo.tests import tagged
from odoo.tools import SQL

from .common.concurrency import KakeuriConcurrencyCase


@tagged("post_install", "-at_install")
class TestCashConcurrency(KakeuriConcurrencyCase):
    company_xmlid = "base.main_company"

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            company = env.ref(self.company_xmlid)
            env = env(context={"allowed_company_ids": company.ids})
            partner = env["res.partner"].create(
                {"name": "Cash Concurrency", "is_company": True, "kakeuri_name_kana": "ｷﾔｯｼｭｺﾝｶﾚﾝｼｰ"}
            )
            move = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2026-01-10",
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Tab sale", "quantity": 1, "price_unit": 4321.0, "tax_ids": []}
                        )
                    ],
                }
            )
            move.action_post()
            journal = env["account.journal"].search(
                [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
            )
            line = env["account.bank.statement.line"].create(
                {
                    "journal_id": journal.id,
                    "date": "2026-02-02",
                    "amount": 4321.0,
                    "partner_name": "ｷﾔｯｼｭｺﾝｶﾚﾝｼｰ",
                }
            )
            line.action_kakeuri_match()
            self.assertEqual(line.kakeuri_match_state, "suggested")
            self.ids = {"partner": partner.id, "company": company.id, "move": move.id, "line": line.id}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        self._close_cursors()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {"allowed_company_ids": [self.ids["company"]]})
            line = env["account.bank.statement.line"].browse(self.ids["line"])
            invoice = env["account.move"].browse(self.ids["move"])
            (line.move_id | invoice).line_ids.remove_move_reconcile()
            line.unlink()
            invoice.button_draft()
            invoice.with_context(force_delete=True).unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()

    def _env(self):
        return super()._env(self.ids["company"])

    def _reconcile(self, env):
        line = env["account.bank.statement.line"].browse(self.ids["line"])
        line.action_kakeuri_reconcile()
        return line

    def _partials(self):
        env = self._env()
        return env.execute_query(
            SQL(
                """SELECT count(*) FROM account_partial_reconcile p
                     JOIN account_move_line l ON l.id = p.debit_move_id
                    WHERE l.move_id = %s""",
                self.ids["move"],
            )
        )[0][0]

    def test_simultaneous_reconcile_once(self):
        env1, env2 = self._env(), self._env()
        line1 = self._reconcile(env1)
        self.assertEqual(line1.kakeuri_match_state, "matched")
        # worker 2 meets the row worker 1 holds: it skips the line
        line2 = self._reconcile(env2)
        self.assertEqual(line2.kakeuri_match_state, "suggested")
        env2.cr.commit()
        env1.cr.commit()
        self.assertEqual(self._partials(), 1)

    def test_stale_snapshot_reconciles_once(self):
        env1, env2 = self._env(), self._env()
        # worker 2 read the line before worker 1 committed
        self.assertEqual(
            env2["account.bank.statement.line"].browse(self.ids["line"]).kakeuri_match_state, "suggested"
        )
        self._reconcile(env1)
        env1.cr.commit()
        # its lock meets a row changed since its snapshot: the transaction is refused (Odoo
        # retries it and then sees the line matched)
        with self.assertRaises(psycopg2.errors.SerializationFailure), env2.cr.savepoint():
            self._reconcile(env2)
        env2.cr.rollback()
        env3 = self._env()
        line3 = self._reconcile(env3)
        self.assertEqual(line3.kakeuri_match_state, "matched")
        env3.cr.commit()
        self.assertEqual(self._partials(), 1)

    def test_two_workers_reconcile_the_queue_once(self):
        env0 = self._env()
        env0["account.bank.statement.line"].browse(self.ids["line"]).kakeuri_reconcile_queued = True
        env0.cr.commit()
        env1, env2 = self._env(), self._env()
        self.assertEqual(env1["account.bank.statement.line"]._cron_kakeuri_reconcile_queued(), 1)
        # worker 2 meets the line worker 1 holds: it leaves it
        self.assertEqual(env2["account.bank.statement.line"]._cron_kakeuri_reconcile_queued(), 0)
        env2.cr.commit()
        env1.cr.commit()
        self.assertEqual(self._partials(), 1)
        line = self._env()["account.bank.statement.line"].browse(self.ids["line"])
        self.assertEqual((line.kakeuri_match_state, line.kakeuri_reconcile_queued), ("matched", False))


@tagged("post_install", "-at_install")
class TestCashConcurrencyJpy(TestCashConcurrency):
    """The same in the Japanese demo company, in yen (with l10n_jp's chart in the second pass
    of the tests)."""

    company_xmlid = "kakeuri_ar.jp_demo_company"
