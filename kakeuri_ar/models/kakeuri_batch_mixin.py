# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models


class KakeuriBatchMixin(models.AbstractModel):
    """Work done in batches, committed the way Odoo 18 commits scheduled actions.

    A scheduled action does one batch per call and reports its progress with
    ``ir.cron._notify_progress``: Odoo commits the batch and calls the action again while work
    remains (on this server or another one), so a crash, a time-out or a restart loses at most
    the batch in hand. Called from anywhere else (a button, a wizard, a test, a script), every
    batch runs in the caller's transaction, which commits or rolls back as a whole. Nothing in
    the addon commits by itself: this is the one place that decides."""

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
        that worker. Returns the number of items processed."""
        total = 0
        while True:
            done, remaining = process_batch()
            total += done
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining if done else 0)
            if not done or not remaining or self._kakeuri_in_scheduled_action():
                return total
