# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import zlib

from odoo import api, models
from odoo.tools import SQL


class KakeuriBatchMixin(models.AbstractModel):
    """Work done in batches, committed the way Odoo 18 commits scheduled actions.

    A scheduled action does one batch per call and reports its progress with
    ``ir.cron._notify_progress``: Odoo commits the batch and calls the action again while work
    remains (on this server or another one), so a crash, a time-out or a restart loses at most
    the batch in hand. Called from anywhere else (a button, a wizard, a test, a script), every
    batch runs in the caller's transaction, which commits or rolls back as a whole. Nothing in
    the addon commits by itself: this is the one place that decides.

    Lanes: Odoo runs one scheduled action on one cron worker at a time (its ``ir_cron`` row is
    locked while it runs). A large job spreads over several cron workers, on this server or
    others, through *lanes*: further scheduled actions with the same model and the same code
    (``data/kakeuri_cron_lanes.xml``, or a duplicate made in Settings). While work remains, the
    job makes its lanes ready, and each lane takes its own batches: only for jobs whose batches
    are taken with ``FOR UPDATE SKIP LOCKED`` (or ``_kakeuri_claim``) and whose results are
    guarded by unique keys, so that no item is done twice."""

    _name = "kakeuri.batch.mixin"
    _description = "Work in Batches"

    @api.model
    def _kakeuri_in_scheduled_action(self):
        """Whether this runs as a scheduled action that Odoo commits after each call."""
        return bool(self.env.context.get("ir_cron_progress_id"))

    @api.model
    def _kakeuri_run_batches(self, process_batch):
        """Call ``process_batch()`` until nothing remains, or once in a scheduled action.

        ``process_batch`` does one batch and returns ``(done, remaining)``: how many items it
        processed and how many are still to process (an estimate is enough). A batch that
        processed nothing ends the loop, so work that another worker holds locked is left to
        that worker. In a scheduled action with work remaining, the job's lanes are made ready
        (see the class). Returns the number of items processed."""
        total = 0
        while True:
            done, remaining = process_batch()
            total += done
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining if done else 0)
            if self._kakeuri_in_scheduled_action():
                if done and remaining:
                    self._kakeuri_wake_lanes()
                return total
            if not done or not remaining:
                return total

    @api.model
    def _kakeuri_cron_lanes(self, cron):
        """The lanes of the job of scheduled action ``cron``, itself included: the active
        scheduled actions with its model and its code."""
        cron = cron.sudo()
        return cron.search(
            [("model_id", "=", cron.model_id.id), ("code", "=", cron.code), ("active", "=", True)],
            order="id",
        )

    @api.model
    def _kakeuri_wake_lanes(self):
        """Work remains: make every lane of the running job ready (a trigger for those not due
        yet, this one too when it was run by hand) and wake the cron workers at the next commit,
        so that free workers go on at once instead of at their next poll."""
        progress_id = self.env.context.get("ir_cron_progress_id")
        if not progress_id:
            return
        Cron = self.env["ir.cron"].sudo()
        cron = self.env["ir.cron.progress"].sudo().browse(progress_id).cron_id
        lanes = self._kakeuri_cron_lanes(cron)
        self.env.cr.execute(
            SQL(
                """SELECT id FROM ir_cron c
                    WHERE id = ANY(%s)
                      AND nextcall > (clock_timestamp() AT TIME ZONE 'UTC')
                      AND NOT EXISTS (SELECT 1 FROM ir_cron_trigger t
                                       WHERE t.cron_id = c.id
                                         AND t.call_at <= (clock_timestamp() AT TIME ZONE 'UTC'))""",
                lanes.ids,
            )
        )
        for lane in Cron.browse([row[0] for row in self.env.cr.fetchall()]):
            lane._trigger()
        self.env.cr.postcommit.add(Cron._notifydb)

    @api.model
    def _kakeuri_call_again(self):
        """In a scheduled action, have Odoo call it again at once, in a new transaction: what
        it was about to do was changed by another transaction after this one began, which
        Odoo's repeatable-read snapshot of a scheduled action cannot lock or see. Returns False
        elsewhere (the caller decides: Odoo runs a request again by itself when it fails so)."""
        progress_id = self.env.context.get("ir_cron_progress_id")
        if not progress_id:
            return False
        # a trigger made now outlives the end of this call (Odoo removes only those due before
        # the call began) and wakes the cron workers at the commit
        self.env["ir.cron.progress"].sudo().browse(progress_id).cron_id._trigger()
        return True

    @api.model
    def _kakeuri_claim(self, ids, namespace=None):
        """Of these ids (the items of one job: customers to close, …), those that no other
        transaction works on, now claimed by this one until it ends: the ``SKIP LOCKED`` of work
        that has no row of its own to lock yet (a customer's statement to make), with
        transaction-level advisory locks, which block nobody's reads or writes of the records.
        The claims of different jobs are apart: ``namespace`` (default: this model's name)."""
        if not ids:
            return []
        namespace = zlib.crc32((namespace or self._name).encode()) - 2**31  # a signed int4
        self.env.cr.execute(
            SQL(
                "SELECT id FROM unnest(%s::int[]) AS id WHERE pg_try_advisory_xact_lock(%s, id) ORDER BY id",
                list(ids),
                namespace,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]
