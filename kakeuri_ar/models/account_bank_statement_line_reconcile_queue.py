# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reconciling many bank lines in the background, on every free cron worker.

*Reconcile* on more lines than ``kakeuri_ar.reconcile_background_threshold`` (default 200)
queues them instead of reconciling them in the clerk's request, which a month's transfers would
make outlast the server's time limit. The scheduled action *reconcile queued bank lines* and its
lane then reconcile them batch by batch (``kakeuri.batch.mixin``): each batch locks its lines
with ``FOR UPDATE SKIP LOCKED``, so two cron workers, on one server or two, never take the same
line, and each is reconciled as the clerk who queued it, in its own company. A line that fails
leaves the queue with the reason; the others go on.
"""

import logging

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    kakeuri_reconcile_queued = fields.Boolean(
        string="Reconciling in Background",
        copy=False,
        readonly=True,
        index=True,
        help="Queued by Reconcile: the scheduled action reconciles the line shortly.",
    )
    kakeuri_reconcile_user_id = fields.Many2one(
        "res.users",
        string="Reconciliation Queued By",
        copy=False,
        readonly=True,
        help="The line is reconciled in the background as this user.",
    )

    def _kakeuri_reconcile_in_background(self):
        """Whether *Reconcile* on these lines queues them (see the module)."""
        if self.env.context.get("kakeuri_reconcile_now"):
            return False
        threshold = int(
            self.env["ir.config_parameter"].sudo().get_param("kakeuri_ar.reconcile_background_threshold", 200)
        )
        return len(self) > threshold

    def _kakeuri_queue_reconcile(self):
        """Queue the lines that can be reconciled and wake the cron workers."""
        lines = self.filtered(
            lambda line: (
                line.kakeuri_match_partner_id
                and not line.is_reconciled
                and line.kakeuri_match_state != "matched"
                and not line.kakeuri_reconcile_queued
            )
        )
        lines.write({"kakeuri_reconcile_queued": True, "kakeuri_reconcile_user_id": self.env.uid})
        self.env.ref("kakeuri_ar.ir_cron_kakeuri_reconcile_queued").sudo()._trigger()
        return self._kakeuri_notify(
            _(
                "%(count)s bank lines are reconciled in the background: they show *Reconciling in "
                "Background* until then.",
                count=len(lines),
            )
        )

    @api.model
    def _cron_kakeuri_reconcile_queued(self, batch_size=None):
        """Reconcile the queued lines, one batch per call in a scheduled action (its lanes take
        the next batches at once), all of them elsewhere. Returns the number of lines taken."""
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].sudo().get_param("kakeuri_ar.reconcile_batch_size", 100)
        )
        Batch = self.env["kakeuri.batch.mixin"]
        seen = set()

        def process_batch():
            try:
                ids = self._kakeuri_lock_queued(batch_size)
                if not ids or seen.issuperset(ids):
                    return 0, 0
                seen.update(ids)
                self._kakeuri_reconcile_queued_batch(ids)
            except pg_errors.SerializationFailure:
                # an item of the batch changed by another transaction after this one began (a
                # line of another worker paying the same invoice, a payment): a new transaction
                self.env.invalidate_all()
                if not Batch._kakeuri_call_again():
                    raise
                _logger.info("Queued bank lines: changed by a parallel transaction; reconciled in a new one")
                return 0, 0
            self.env.invalidate_all()
            return len(ids), self.search_count([("kakeuri_reconcile_queued", "=", True)])

        return Batch._kakeuri_run_batches(process_batch)

    @api.model
    def _kakeuri_lock_queued(self, batch_size):
        """Ids of the next queued lines, locked; those another worker holds are left to it."""
        self.env.flush_all()
        with self.env.cr.savepoint(flush=False):
            self.env.cr.execute(
                SQL(
                    """SELECT id FROM account_bank_statement_line
                        WHERE kakeuri_reconcile_queued
                        ORDER BY id LIMIT %s
                          FOR UPDATE SKIP LOCKED""",
                    batch_size,
                ),
                log_exceptions=False,
            )
            return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _kakeuri_reconcile_queued_batch(self, ids):
        """Reconcile the locked lines ``ids``, as the user who queued them and in their company,
        together; if that fails, each in its own savepoint: a line that fails again leaves the
        queue with the error as its reason."""
        lines = self.browse(ids)
        groups = lines.grouped(lambda line: (line.kakeuri_reconcile_user_id, line.company_id))
        for (user, company), group in groups.items():
            user = user or self.env.user
            # the failure reasons in the language of the clerk who queued the lines
            group = (
                group.with_user(user)
                .with_company(company)
                .with_context(kakeuri_reconcile_now=True, lang=user.lang or self.env.lang)
            )
            try:
                with self.env.cr.savepoint():
                    group.action_kakeuri_reconcile()
                continue
            except pg_errors.SerializationFailure:
                raise
            except Exception:  # noqa: BLE001 - one bad line must not stop the others
                _logger.warning(
                    "Queued bank lines: a batch failed; reconciling it line by line", exc_info=True
                )
            for line in group:
                try:
                    with self.env.cr.savepoint():
                        line.action_kakeuri_reconcile()
                except pg_errors.SerializationFailure:
                    raise
                except Exception as exc:  # noqa: BLE001
                    _logger.warning("Queued bank line %s failed", line.id, exc_info=True)
                    line.sudo().write(
                        {
                            "kakeuri_reconcile_queued": False,
                            "kakeuri_match_reason": line.env._(
                                "Reconciliation failed: %(error)s", error=str(exc) or type(exc).__name__
                            ),
                        }
                    )
        lines.sudo().write({"kakeuri_reconcile_queued": False})
