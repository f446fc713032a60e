# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two billing runs at once, on two real database cursors.

The test transaction of pytest-odoo is invisible to other cursors, so this class commits its
own small world (customer, product, contract) through a separate cursor and removes it at the
end, whatever happens."""

import psycopg2
from freezegun import freeze_time

from odoo import Command, api, fields
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common.concurrency import KakeuriConcurrencyCase


@tagged("post_install", "-at_install")
class TestContractsConcurrency(KakeuriConcurrencyCase):
    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            env = env(context={"allowed_company_ids": company.ids})
            partner = env["res.partner"].create({"name": "Concurrency Test 株式会社", "is_company": True})
            product = env["product.product"].create({"name": "Concurrency Test Service", "list_price": 100.0})
            contract = env["kakeuri.contract"].create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "date_start": "2026-01-01",
                    "auto_post": False,
                    "line_ids": [
                        Command.create({"product_id": product.id, "quantity": 1, "price_unit": 100.0})
                    ],
                }
            )
            contract.action_activate()
            self.ids = {"partner": partner.id, "product": product.id, "contract": contract.id}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        self._close_cursors()
        with self.registry.cursor() as cr:
            cr.execute("SELECT id FROM account_move WHERE kakeuri_contract_id = %s", [self.ids["contract"]])
            move_ids = [row[0] for row in cr.fetchall()]
            # the chatter of the records deleted by SQL goes with them
            self._delete_chatter(
                cr,
                (
                    ("account.move", move_ids),
                    ("kakeuri.contract", [self.ids["contract"]]),
                ),
            )
            cr.execute("DELETE FROM account_move WHERE id = ANY(%s)", [move_ids])
            cr.execute("DELETE FROM kakeuri_contract WHERE id = %s", [self.ids["contract"]])
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["product.product"].browse(self.ids["product"]).product_tmpl_id.unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()

    def _count(self, env):
        env.cr.execute(
            SQL(
                "SELECT kakeuri_period_start FROM account_move "
                "WHERE kakeuri_contract_id = %s AND state != 'cancel' ORDER BY 1",
                self.ids["contract"],
            )
        )
        return [str(row[0]) for row in env.cr.fetchall()]

    @freeze_time("2026-03-15")
    def test_two_concurrent_runs_bill_each_period_once(self):
        env1, env2 = self._env(), self._env()
        date_ref = fields.Date.to_date("2026-03-15")
        ids = [self.ids["contract"]]
        # worker 1 bills and holds its row locks (not committed yet)
        created1 = env1["kakeuri.contract"]._cron_generate_invoices(date_ref=date_ref, contract_ids=ids)
        self.assertEqual(created1, 3)
        # worker 2 runs at the same time: the contract is locked, it is skipped, nothing billed
        created2 = env2["kakeuri.contract"]._cron_generate_invoices(date_ref=date_ref, contract_ids=ids)
        self.assertEqual(created2, 0)
        env2.cr.commit()
        env1.cr.commit()
        # worker 2 again, after worker 1 committed: nothing left to bill
        env3 = self._env()
        self.assertEqual(
            env3["kakeuri.contract"]._cron_generate_invoices(date_ref=date_ref, contract_ids=ids), 0
        )
        env3.cr.commit()
        self.assertEqual(self._count(env3), ["2026-01-01", "2026-02-01", "2026-03-01"])

    @freeze_time("2026-03-15")
    def test_stale_worker_cannot_bill_twice(self):
        """A worker that read the contract before the other one committed, and bills it anyway
        (bypassing the lock, as a crash-restart or a buggy run could), is stopped by the
        database: serialization failure on the row, or the unique index on the invoices."""
        env1, env2 = self._env(), self._env()
        date_ref = fields.Date.to_date("2026-03-15")
        contract2 = env2["kakeuri.contract"].browse(self.ids["contract"])
        self.assertEqual(str(contract2.next_invoice_date), "2026-01-01")  # snapshot taken by worker 2
        env1["kakeuri.contract"]._cron_generate_invoices(
            date_ref=date_ref, contract_ids=[self.ids["contract"]]
        )
        env1.cr.commit()
        # worker 2 creates the January invoice from its stale view, without the cron's lock
        vals = contract2._prepare_invoice_vals(
            fields.Date.to_date("2026-01-01"), fields.Date.to_date("2026-01-31")
        )
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises((psycopg2.errors.UniqueViolation, psycopg2.errors.SerializationFailure)),
        ):
            env2["account.move"].create(vals)
            env2.cr.flush()
        env2.cr.rollback()
        env4 = self._env()
        self.assertEqual(self._count(env4), ["2026-01-01", "2026-02-01", "2026-03-01"])
