# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from psycopg2 import errors as pg_errors

from odoo import api, models
from odoo.tools import SQL

from .kakeuri_dunning_format import DunningBatch

_logger = logging.getLogger(__name__)


class KakeuriDunningSend(models.AbstractModel):
    """Sending the reminders of a dunning run, batch by batch: lock the lines (SKIP LOCKED)
    and their invoices, re-check under the lock what the run saw when it was computed, plan
    which invoices reach which level, execute (``kakeuri.dunning.action``), store the levels
    and log in the chatter."""

    _name = "kakeuri.dunning.send"
    _description = "Dunning Send"

    @api.model
    def _send_run(self, run, batch_size=None):
        """Send the unsent lines of ``run`` in batches (``kakeuri.batch.mixin``: one batch per
        call in a scheduled action, all of them otherwise). Each batch locks its lines with
        SKIP LOCKED, so two workers never take the same line, and sends them together; a
        batch that fails is sent again line by line. A batch whose lines or invoices another
        transaction changed after this one began is left for a new transaction: in a scheduled
        action the action is called again at once, elsewhere the error goes up (Odoo retries a
        request). Returns the number of lines taken."""
        run.ensure_one()
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].sudo().get_param("kakeuri_ar.dunning_batch_size", 500)
        )
        seen = set()

        def process_batch():
            try:
                ids = self._lock_next_lines(run, batch_size)
                if not ids or seen.issuperset(ids):
                    return 0, 0
                seen.update(ids)
                self._send_batch_or_each(run, ids)
            except pg_errors.SerializationFailure:
                # lines or invoices changed by another transaction after this one began (a
                # parallel worker, a payment): this transaction cannot lock what it cannot see
                self.env.invalidate_all()
                if not run._kakeuri_call_again():
                    raise  # a request: Odoo runs it again in a new transaction
                _logger.info("Dunning run %s: changed by a parallel transaction; sent in a new one", run.name)
                return 0, 0
            self.env.invalidate_all()
            remaining = self.env["kakeuri.dunning.line"].search_count(
                [("run_id", "=", run.id), ("state", "=", "draft")]
            )
            return len(ids), remaining

        return run._kakeuri_run_batches(process_batch)

    @api.model
    def _lock_next_lines(self, run, batch_size):
        """Ids of the next unsent lines of ``run``, locked; those another worker holds are left
        to it."""
        self.env.flush_all()
        with self.env.cr.savepoint(flush=False):
            self.env.cr.execute(
                SQL(
                    """SELECT id FROM kakeuri_dunning_line
                        WHERE run_id = %s AND state = 'draft'
                        ORDER BY id LIMIT %s
                          FOR UPDATE SKIP LOCKED""",
                    run.id,
                    batch_size,
                ),
                log_exceptions=False,
            )
            return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _send_batch_or_each(self, run, ids):
        """Send the lines ``ids`` together; if that fails, each in its own savepoint: a line
        that fails again is marked failed with the error, so the others go and later runs do
        not stumble on it (a person retries it once the cause is fixed)."""
        Line = self.env["kakeuri.dunning.line"]
        try:
            with self.env.cr.savepoint():
                Line.browse(ids)._send()
            return
        except pg_errors.SerializationFailure:
            raise  # not the lines' fault: the whole batch goes again in a new transaction
        except Exception:  # noqa: BLE001 - one bad line must not stop the others
            _logger.warning(
                "Dunning run %s: a batch failed; sending it line by line", run.name, exc_info=True
            )
        for line_id in ids:
            try:
                with self.env.cr.savepoint():
                    Line.browse(line_id)._send()
            except pg_errors.SerializationFailure:
                raise
            except Exception as exc:  # noqa: BLE001
                _logger.warning("Dunning run %s: line %s failed", run.name, line_id, exc_info=True)
                Line.browse(line_id).with_context(kakeuri_dunning_sending=True).write(
                    {
                        "state": "failed",
                        "reason": self.env._(
                            "Sending failed: %(error)s", error=str(exc) or type(exc).__name__
                        ),
                    }
                )

    @api.model
    def _send_batch(self, lines):
        """Execute a batch of lines (locked by the caller): queue mails, mark letters, create
        activities and fee invoices, set holds, store the levels on the invoices, log in the
        chatter of the customers, and mark the lines. A constant number of
        queries per batch, whatever the number of invoices (fees aside: one invoice each)."""
        lines = lines.filtered(lambda ln: ln.state == "draft").with_context(
            kakeuri_dunning_sending=True, mail_activity_quick_update=True, tracking_disable=True
        )
        if not lines:
            return
        # the services work in the lines' environment (context of the sending)
        send = self.with_env(lines.env)
        current_days = send._lock_move_levels(lines)
        stale = send._recheck_locked(lines)
        for line, reason in stale.items():
            line.write({"state": "skipped", "include": False, "reason": reason})
        lines -= lines.browse([line.id for line in stale])
        if not lines:
            return
        results, plans = send._plan_send(lines, current_days)
        to_send = lines.filtered(lambda ln: results[ln]["state"] == "sent")
        values = send.env["kakeuri.dunning.action"]._execute_actions(to_send, results, DunningBatch())
        send._store_levels(to_send, plans)
        send._log_chatter(to_send, results, values)
        send._store_line_results(lines, results, values)
        lines.partner_id.invalidate_recordset(["kakeuri_last_dunning_date", "kakeuri_dunning_level_id"])

    @api.model
    def _store_line_results(self, lines, results, values):
        """The outcome of each line of the batch (state, note, and what ``values`` says was
        made: message, letter, activity, fee, hold) in one UPDATE of the lines, which the
        batch holds locked: a ``write`` per line would run the lines' checks and the ORM's
        bookkeeping once for each customer."""
        rows = []
        for line in lines:
            vals = values.get(line, {})
            state = results[line]["state"]
            notes = [line.reason] if line.reason and state == "sent" else []
            reason = " ".join(str(n) for n in notes + results[line]["notes"]) or None
            rows.append(
                (
                    line.id,
                    state,
                    reason,
                    bool(vals.get("letter_to_print")),
                    bool(vals.get("hold_set")),
                    vals.get("mail_message_id"),
                    vals.get("activity_id"),
                    vals.get("fee_move_id"),
                )
            )
        fnames = [
            "state",
            "reason",
            "letter_to_print",
            "hold_set",
            "mail_message_id",
            "activity_id",
            "fee_move_id",
        ]
        lines.flush_recordset(fnames)
        columns = list(zip(*rows, strict=True))
        self.env.cr.execute(
            SQL(
                """UPDATE kakeuri_dunning_line l
                      SET state = v.state, reason = v.reason,
                          letter_to_print = l.letter_to_print OR v.letter,
                          hold_set = l.hold_set OR v.hold,
                          mail_message_id = COALESCE(v.message_id, l.mail_message_id),
                          activity_id = COALESCE(v.activity_id, l.activity_id),
                          fee_move_id = COALESCE(v.fee_move_id, l.fee_move_id),
                          write_uid = %s, write_date = (now() AT TIME ZONE 'UTC')
                     FROM unnest(%s::int[], %s::varchar[], %s::varchar[], %s::bool[], %s::bool[],
                                 %s::int[], %s::int[], %s::int[])
                          AS v(id, state, reason, letter, hold, message_id, activity_id, fee_move_id)
                    WHERE l.id = v.id""",
                self.env.uid,
                *(list(column) for column in columns),
            )
        )
        lines.invalidate_recordset([*fnames, "write_uid", "write_date"])
        lines.modified(fnames)

    @api.model
    def _lock_move_levels(self, lines):
        """Lock the invoices of the batch (a second run waits here, then sees the levels the
        first one stored; a payment made meanwhile makes the batch go again in a new
        transaction) and return {move_id: days of the level it already reached}."""
        # the invoice fields the batch reads (messages, mail rows, portal links, re-check), and
        # only those: the default prefetch reads every column of account_move for each
        lines.move_ids.fetch(self._get_send_move_fields())
        self.env["kakeuri.dunning.move.level"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT m.id, COALESCE(lv.days_overdue, -1)
                     FROM account_move m
                     LEFT JOIN kakeuri_dunning_move_level ml ON ml.move_id = m.id
                     LEFT JOIN kakeuri_dunning_level lv ON lv.id = ml.level_id
                    WHERE m.id = ANY(%s)
                    ORDER BY m.id
                      FOR UPDATE OF m""",
                lines.move_ids.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _get_send_move_fields(self):
        """The account.move fields read while a batch is sent (see ``_lock_move_levels``)."""
        Move = self.env["account.move"]
        fnames = [
            "name",
            "move_type",
            "company_id",
            "date",
            "invoice_date",
            "invoice_date_due",
            "amount_residual_signed",
            "access_token",
            "kakeuri_dunning_blocked",
        ]
        return [
            fname
            for fname in [*fnames, "website_id"]
            if fname in Move._fields and Move._fields[fname].is_accessible(self.env)
        ]

    @api.model
    def _recheck_locked(self, lines):
        """Re-check, once the invoices are locked, what the run saw when it was computed (a
        pending run may be sent a day later), with the run's skip reasons: invoices paid or
        disputed meanwhile leave the line (its amount follows); returns {line: reason} for
        the lines to skip."""
        stale = {}
        if not lines:
            return stale
        self.env.flush_all()
        lines.partner_id.invalidate_recordset(["kakeuri_dunning_excluded"])
        lines.move_ids.invalidate_recordset(["kakeuri_dunning_level_id"])
        Candidates = self.env["kakeuri.dunning.candidates"]
        Compute = self.env["kakeuri.dunning.compute"]
        Holds = self.env["kakeuri.receivable.holds"]
        for run, rlines in lines.grouped("run_id").items():
            overdue, unapplied, last_sent = Candidates.get_send_facts(
                run.company_id, run.date, rlines.move_ids.ids, rlines.partner_id.ids, rlines.ids
            )
            for line in rlines:
                partner = line.partner_id
                rows = [overdue[move.id] for move in line.move_ids if move.id in overdue]
                remaining = line.move_ids.filtered(
                    lambda m, overdue=overdue: m.id in overdue and overdue[m.id]["residual"] > 0
                )
                amounts = {move.id: overdue[move.id]["residual"] for move in remaining}
                reason = Compute._get_skip_reason(
                    run,
                    sum(amounts.values()) if remaining else None,
                    holds=Holds._describe(run.company_id, rows),
                    unapplied=unapplied.get(partner.id, 0.0),
                    excluded=partner.kakeuri_dunning_excluded,
                    last_date=last_sent.get(partner.id),
                )
                if reason:
                    stale[line] = reason
                    continue
                fresh_unapplied = -unapplied.get(partner.id, 0.0)
                if run.currency_id.compare_amounts(fresh_unapplied, line.amount_unapplied):
                    line.amount_unapplied = fresh_unapplied
                if remaining != line.move_ids or run.currency_id.compare_amounts(
                    sum(amounts.values()), line.amount_overdue
                ):
                    line._restrict_to_moves(remaining, amounts)
        return stale

    @api.model
    def _plan_send(self, lines, current_days):
        """Decide per line: sent / skipped (nothing new) / failed (no way to reach the
        customer), and which invoices reach which level."""
        results, plans = {}, {}
        for line in lines:
            results[line] = {"state": "sent", "notes": []}
            data_levels = line._get_data_levels()
            plan = line._get_move_levels(current_days, data_levels)
            if data_levels and not plan:
                results[line] = {
                    "state": "skipped",
                    "notes": [self.env._("These invoices have already reached this level.")],
                }
                continue
            level = line.level_id
            if level.send_email and not line.contact_partner_id.email:
                if not level.print_letter:
                    results[line] = {
                        "state": "failed",
                        "notes": [
                            self.env._(
                                "No email address for %(partner)s and level %(level)s prints no letter.",
                                partner=line.contact_partner_id.display_name,
                                level=level.name,
                            )
                        ],
                    }
                    continue
                results[line]["notes"].append(self.env._("No email address: a letter is to be sent instead."))
            plans[line] = plan
        return results, plans

    @api.model
    def _store_levels(self, lines, plans):
        """The level each invoice of the batch reached, dated with the run, stored in one
        statement (``kakeuri.dunning.move.level._store``). The customers' last reminder and
        level are computed per company from the sent lines."""
        levels = {move_id: level.id for line in lines for move_id, level in plans.get(line, {}).items()}
        self.env["kakeuri.dunning.move.level"]._store(levels, lines.run_id[:1].date)

    @api.model
    def _log_chatter(self, lines, results, values):
        """A note per customer not emailed (the email itself carries the summary) with what was
        done. The invoices get no note each: their reminders are the sent dunning lines that
        list them (*Reminders* on the invoice), and their level is stored on them."""
        partner_bodies = {
            line.partner_id.id: line._chatter_body_partner(results[line]["notes"])
            for line in lines
            if not values.get(line, {}).get("mail_message_id")
        }
        if partner_bodies:
            self.env["res.partner"].browse(list(partner_bodies))._message_log_batch(partner_bodies)
