# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import sql_db
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestBatchMixin(TransactionCase):
    """Batches committed by Odoo's scheduled-action runner, and lanes that spread a job over
    several cron workers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Mixin = cls.env["kakeuri.batch.mixin"]
        cls.job = cls.env.ref("kakeuri_ar.ir_cron_kakeuri_contract_invoices")
        cls.lane = cls.env.ref("kakeuri_ar.ir_cron_kakeuri_contract_invoices_lane_2")
        # neither is due: the lanes are made ready by the running job only
        (cls.job | cls.lane).write({"nextcall": "2100-01-01 00:00:00"})
        cls.env["ir.cron.trigger"].search([("cron_id", "in", (cls.job | cls.lane).ids)]).unlink()

    def _batches(self, sizes):
        """A process_batch over ``sizes`` (items per batch), with the calls it got."""
        calls = []

        def process_batch():
            done = sizes[len(calls)] if len(calls) < len(sizes) else 0
            calls.append(done)
            return done, sum(sizes[len(calls) :])

        return process_batch, calls

    def _triggered(self):
        return self.env["ir.cron.trigger"].search([("cron_id", "in", (self.job | self.lane).ids)]).cron_id

    def test_outside_a_scheduled_action_every_batch_runs_and_no_lane_is_woken(self):
        process_batch, calls = self._batches([3, 3, 2])
        self.assertEqual(self.Mixin._kakeuri_run_batches(process_batch), 8)
        self.assertEqual(calls, [3, 3, 2])
        self.assertFalse(self._triggered())

    def test_in_a_scheduled_action_one_batch_and_the_lanes_are_made_ready(self):
        job, progress = self.job._add_progress()
        process_batch, calls = self._batches([3, 3, 2])
        done = self.Mixin.with_context(job.env.context)._kakeuri_run_batches(process_batch)
        self.assertEqual((done, calls), (3, [3]))
        self.assertEqual((progress.done, progress.remaining), (3, 5))
        # run by hand (not due): the job itself and its lane get a trigger, once
        self.assertEqual(self._triggered(), self.job | self.lane)
        self.Mixin.with_context(job.env.context)._kakeuri_run_batches(self._batches([1, 1])[0])
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.lane.id)]), 1)

    def test_nothing_left_wakes_no_lane(self):
        job, progress = self.job._add_progress()
        self.Mixin.with_context(job.env.context)._kakeuri_run_batches(self._batches([2])[0])
        self.assertEqual((progress.done, progress.remaining), (2, 0))
        self.assertFalse(self._triggered())

    def test_lanes_are_the_active_scheduled_actions_of_the_same_code(self):
        self.assertEqual(self.Mixin._kakeuri_cron_lanes(self.job), self.job | self.lane)
        self.assertEqual(self.Mixin._kakeuri_cron_lanes(self.lane), self.job | self.lane)
        copy = self.lane.copy({"name": "Receivables: bill recurring contracts (lane 3)"})
        self.assertIn(copy, self.Mixin._kakeuri_cron_lanes(self.job))
        copy.active = False
        self.assertNotIn(copy, self.Mixin._kakeuri_cron_lanes(self.job))
        closing = self.env.ref("kakeuri_ar.ir_cron_kakeuri_close_period")
        self.assertEqual(self.Mixin._kakeuri_cron_lanes(closing), closing, "the closing has no lane")
        dunning = self.env.ref("kakeuri_ar.ir_cron_kakeuri_dunning_send_queued")
        self.assertEqual(
            self.Mixin._kakeuri_cron_lanes(dunning),
            dunning | self.env.ref("kakeuri_ar.ir_cron_kakeuri_dunning_send_queued_lane_2"),
        )
        # the daily dunning run creates the day's runs: it must never have a lane
        daily = self.env.ref("kakeuri_ar.ir_cron_kakeuri_dunning")
        self.assertEqual(self.Mixin._kakeuri_cron_lanes(daily), daily)

    def test_claim_skips_what_another_transaction_claimed(self):
        job = "kakeuri.billing.statement"
        self.assertEqual(self.Mixin._kakeuri_claim([3, 1, 2], job), [1, 2, 3])
        self.assertEqual(self.Mixin._kakeuri_claim([3, 4], job), [3, 4], "claimed by this transaction")
        with sql_db.db_connect(self.env.cr.dbname).cursor() as other:
            Mixin = self.env(cr=other)["kakeuri.batch.mixin"]
            self.assertEqual(Mixin._kakeuri_claim([2, 3, 4, 5], job), [5])
            # another job's items are claimed apart
            self.assertEqual(Mixin._kakeuri_claim([2, 3], "kakeuri.contract"), [2, 3])
            other.rollback()
        self.assertEqual(self.Mixin._kakeuri_claim([]), [])
