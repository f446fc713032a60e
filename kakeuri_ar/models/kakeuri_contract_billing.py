# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class KakeuriContract(models.Model):
    """The billing run of contracts: which periods are due, their invoices, the next invoice
    date, and the periods billed again after their invoice was deleted or cancelled."""

    _inherit = "kakeuri.contract"

    def action_generate_invoices(self):
        """Bill every period due up to today now (button on the form)."""
        self.env["account.move"].check_access("create")
        contracts = self.filtered(lambda c: c.state == "active")
        if not contracts:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                _(
                    "Only active contracts can be billed: %(contracts)s.",
                    contracts=", ".join(
                        _("%(contract)s is %(state)s", contract=c.display_name, state=states[c.state])
                        for c in self
                    ),
                )
            )
        today = fields.Date.context_today(self)
        if not self.env.context.get("kakeuri_bill_periods_confirmed") and any(
            len(periods) > 1 for periods in contracts._get_periods_to_bill(today).values()
        ):
            # several periods at once (catch-up invoices dated back and due at once): ask first
            wizard = self.env["kakeuri.contract.bill.wizard"].create(
                {"contract_ids": [fields.Command.set(contracts.ids)], "date": today}
            )
            return {
                "type": "ir.actions.act_window",
                "name": _("Bill Several Periods?"),
                "res_model": wizard._name,
                "res_id": wizard.id,
                "view_mode": "form",
                "target": "new",
            }
        moves = contracts._generate_invoices(today)
        if not moves:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": _("Nothing to bill: every period up to today has an invoice."),
                },
            }
        return self.action_view_invoices() if len(self) == 1 else True

    # -------------------------------------------------------------------- crons
    @api.model
    def _cron_generate_invoices(self, date_ref=None, batch_size=500, contract_ids=None):
        """Bill every period of every active contract that starts on or before ``date_ref``.

        Contracts are taken in batches locked with ``FOR UPDATE SKIP LOCKED`` so two workers
        never bill the same contract at once, and batches are committed the way of
        ``kakeuri.batch.mixin``. A unique index on (contract, period start) of non-cancelled
        invoices makes double billing impossible whatever happens. A contract that fails is
        logged on its chatter and left for the next day's run (Bill Now tries it at once).
        ``contract_ids`` limits the run to these contracts."""
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        # a scheduled action does one batch per call: the contracts that failed in an earlier
        # call of today's run are known by their date, not by this call's memory
        failed_on = fields.Date.context_today(self) if self._kakeuri_in_scheduled_action() else None
        tried_ids = []
        created = []

        def process_batch():
            ids = self._lock_due_contract_ids(date_ref, tried_ids, contract_ids, batch_size, failed_on)
            if not ids:
                return 0, 0
            tried_ids.extend(ids)
            created.append(len(self.browse(ids)._generate_invoices(date_ref)))
            self.env.invalidate_all()
            return len(ids), len(
                self._lock_due_contract_ids(date_ref, tried_ids, contract_ids, None, failed_on)
            )

        self._kakeuri_run_batches(process_batch)
        _logger.info("kakeuri: contract billing up to %s created %d invoice(s)", date_ref, sum(created))
        return sum(created)

    @api.model
    def _lock_due_contract_ids(self, date_ref, done_ids, contract_ids, limit, failed_on=None):
        """Ids of at most ``limit`` active contracts with a period due by ``date_ref``, not in
        ``done_ids`` (and among ``contract_ids`` unless None) nor failed on ``failed_on``,
        locked for this transaction; those another worker holds are left to it. Without a
        ``limit``, the ids of all of them, unlocked: the work that remains."""
        self.flush_model(["state", "next_invoice_date", "rebill_period_starts", "billing_failed_date"])
        self.env.cr.execute(
            SQL(
                """
            SELECT id FROM kakeuri_contract
             WHERE state = 'active'
               AND (next_invoice_date <= %s
                    OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(rebill_period_starts) rebill
                                WHERE rebill::date <= %s))
               AND NOT (id = ANY(%s))
               AND (%s OR id = ANY(%s))
               AND (%s::date IS NULL OR billing_failed_date IS DISTINCT FROM %s)
          ORDER BY next_invoice_date, id
            %s
                """,
                date_ref,
                date_ref,
                done_ids,
                contract_ids is None,
                list(contract_ids or []),
                failed_on,
                failed_on,
                SQL("LIMIT %s FOR UPDATE SKIP LOCKED", limit) if limit else SQL(""),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    # ------------------------------------------------------------------ billing
    def _generate_invoices(self, date_ref):
        """Create the invoices of every due period of these contracts, post and queue them as
        configured; return the created moves. Errors are logged per contract, never raised."""
        plans, vals_by_contract = self._plan_invoices(date_ref)
        moves, complete, failed = self._create_planned_invoices(vals_by_contract)
        ok_plans = {c: p for c, p in plans.items() if c not in failed}
        previous_dates = {contract: contract.next_invoice_date for contract in ok_plans}
        finished = self._update_after_billing(ok_plans)
        if moves:
            self._post_generated_invoices(moves, complete)
            self._queue_generated_invoices(moves)
        self._log_billing(moves, finished, previous_dates)
        return moves

    def _plan_invoices(self, date_ref):
        """The due periods of these contracts and their invoice values: ({contract: (periods,
        next invoice date, date_ref)}, {contract: [invoice values]}). A contract that cannot be
        prepared is logged on its chatter and left out."""
        billed = self._get_billed_periods()
        plans = {}
        vals_by_contract = {}
        analytic_company_ids = self._get_analytic_model_company_ids()
        for contract in self.with_context(kakeuri_analytic_model_company_ids=analytic_company_ids):
            try:
                # a savepoint, so an SQL error while preparing one contract (e.g. in a computed
                # field) leaves the transaction usable for the others; preparing writes nothing,
                # so nothing is flushed
                with self.env.cr.savepoint(flush=False):
                    periods, next_date = contract._get_due_periods(date_ref, billed.get(contract.id, set()))
                    contract_vals = [contract._prepare_invoice_vals(*period) for period in periods]
            except Exception as error:  # noqa: BLE001 - one bad contract must not stop the run
                contract._log_billing_failure(error)
                continue
            plans[contract] = (periods, next_date, date_ref)
            vals_by_contract[contract] = contract_vals
        return plans, vals_by_contract

    @api.model
    def _create_planned_invoices(self, vals_by_contract):
        """Create the invoices of ``vals_by_contract`` in one batch; when it fails, contract by
        contract, so one contract's error (logged on its chatter) does not stop the others.
        Return (all the invoices, the complete ones, the contracts that failed)."""
        Move = self.env["account.move"]
        failed = self.browse()
        vals_list = [vals for contract_vals in vals_by_contract.values() for vals in contract_vals]
        if not vals_list:
            return Move, Move, failed
        try:
            with self.env.cr.savepoint():
                moves, complete = self._create_invoices(vals_list)
            return moves, complete, failed
        except Exception:  # noqa: BLE001 - retry contract by contract to isolate the culprit
            moves = complete = Move
        for contract, own_vals in vals_by_contract.items():
            if not own_vals:
                continue
            try:
                with self.env.cr.savepoint():
                    own_moves, own_complete = self._create_invoices(own_vals)
                moves |= own_moves
                complete |= own_complete
            except Exception as error:  # noqa: BLE001
                failed |= contract
                contract._log_billing_failure(error)
        return moves, complete, failed

    @api.model
    def _create_invoices(self, vals_list):
        """Create the invoices of ``vals_list``: those that carry every journal item
        (``line_ids``, see ``_prepare_journal_items``) without Odoo's line synchronisation, which
        has nothing left to add, and the others with it. Return (all the invoices, the complete
        ones)."""
        Move = self.env["account.move"].with_context(**self._billing_context())
        complete = [vals for vals in vals_list if "line_ids" in vals]
        others = [vals for vals in vals_list if "line_ids" not in vals]
        complete_ids = other_ids = []
        if complete:
            complete_ids = Move.with_context(**self._complete_invoice_context()).create(complete).ids
        if others:
            other_ids = Move.create(others).ids
        moves = self.env["account.move"]
        return moves.browse(complete_ids + other_ids), moves.browse(complete_ids)

    @api.model
    def _billing_context(self):
        """Generated invoices get one chatter note from the run (see ``_log_billing``) instead
        of Odoo's per-record creation and tracking messages, which cost more than the invoice."""
        return {"mail_create_nolog": True, "mail_notrack": True, "kakeuri_contract_billing": True}

    def _get_billed_periods(self):
        """{contract id: {period starts with a live (not cancelled) invoice}}"""
        if not self:
            return {}
        self.env["account.move"].flush_model(["kakeuri_contract_id", "kakeuri_period_start", "state"])
        self.env.cr.execute(
            SQL(
                """
            SELECT kakeuri_contract_id, kakeuri_period_start
              FROM account_move
             WHERE kakeuri_contract_id = ANY(%s) AND state != 'cancel'
                """,
                self.ids,
            )
        )
        billed = defaultdict(set)
        for contract_id, start in self.env.cr.fetchall():
            billed[contract_id].add(start)
        return billed

    def _get_periods_to_bill(self, date_ref):
        """{contract: [(start, end, factor)]}: the periods these contracts would bill up to
        ``date_ref`` (the contracts with none left out)."""
        billed = self._get_billed_periods()
        plan = {}
        for contract in self:
            periods = contract._get_due_periods(date_ref, billed.get(contract.id, set()))[0]
            if periods:
                plan[contract] = periods
        return plan

    def _get_due_periods(self, date_ref, billed_starts=()):
        """Return ([(start, end, factor)] of unbilled periods starting on or before date_ref:
        the periods to bill again (their invoice was deleted or cancelled) and those starting on
        or after the next invoice date; the next invoice date after them, or False when the
        contract has no period left). Periods before the next invoice date that are not to be
        billed again stay unbilled (skipped on purpose)."""
        self.ensure_one()
        periods = []
        for start in self._get_rebill_starts():
            if start > date_ref or start in billed_starts:
                continue
            index = self._period_index_at(start)
            if self._get_period_start(index) == start:
                periods.append(self._get_period(index))
        seen = {period[0] for period in periods}
        index = self._first_period_index_from(self.next_invoice_date or self.date_start)
        while True:
            start = self._get_period_start(index)
            if start > date_ref or (self.date_end and start > self.date_end):
                break
            if start not in billed_starts and start not in seen:
                periods.append(self._get_period(index))
            index += 1
        next_start = self._get_period_start(index)
        if self.date_end and next_start > self.date_end:
            next_start = False
        return periods, next_start

    def _first_unbilled_index(self):
        self.ensure_one()
        billed = self._get_billed_periods().get(self.id, set()) if self.id else set()
        index = 0
        while self._get_period_start(index) in billed:
            index += 1
        return index

    def _prepare_invoice_vals(self, period_start, period_end, factor=1.0):
        """Values of the customer invoice of one period: complete with all its journal items
        when ``_prepare_journal_items`` can give them, else with its invoice lines only."""
        self.ensure_one()
        partner = self.partner_id
        fiscal_position = (
            self.env["account.fiscal.position"].with_company(self.company_id)._get_fiscal_position(partner)
        )
        period = self._format_period(period_start, period_end)
        line_vals_list = [
            line._prepare_invoice_line_vals(
                period_start, period_end, factor, fiscal_position, period_label=period
            )
            for line in self.line_ids
        ]
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "journal_id": self.journal_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": period_start,
            "invoice_payment_term_id": self.payment_term_id.id,
            "fiscal_position_id": fiscal_position.id,
            "invoice_user_id": self.user_id.id,
            "invoice_origin": self.name,
            "narration": self.note or False,
            "kakeuri_contract_id": self.id,
            "kakeuri_period_start": period_start,
            "kakeuri_period_end": period_end,
        }
        journal_items = self._prepare_journal_items(line_vals_list, fiscal_position, period_start)
        if journal_items is None:
            vals["invoice_line_ids"] = [fields.Command.create(line) for line in line_vals_list]
        else:
            vals["line_ids"] = [fields.Command.create(line) for line in journal_items]
        return vals

    def _update_after_billing(self, plans):
        """Move next invoice dates forward, forget the periods billed again and close finished
        contracts. ``plans``: {contract: (periods, next date, date_ref)}."""
        by_next = defaultdict(list)
        for contract, (_periods, next_date, date_ref) in plans.items():
            by_next[next_date].append(contract.id)
            starts = contract._get_rebill_starts()
            if starts:
                contract._set_rebill_starts([start for start in starts if start > date_ref])
        # one write per next date; no tracking message per contract: the batch note of
        # _log_billing states the new next invoice date
        for next_date, ids in by_next.items():
            self.browse(ids).with_context(mail_notrack=True).write({"next_invoice_date": next_date})
        finished = self.browse(by_next.get(False, []))
        if finished:
            finished.write({"state": "closed"})
        return finished

    # --------------------------------------------------------- billed again
    def _get_rebill_starts(self):
        """Sorted start dates of the periods to bill again."""
        self.ensure_one()
        return sorted({fields.Date.to_date(start) for start in self.rebill_period_starts or []})

    def _set_rebill_starts(self, starts):
        self.ensure_one()
        self.rebill_period_starts = sorted({fields.Date.to_string(start) for start in starts}) or False

    def _rebill_period(self, start, end, invoice_name, reason):
        """An invoice of this contract was deleted or cancelled: make its period billable again
        by keeping its start among the periods to bill again (the next invoice date does not
        move back, so periods skipped on purpose stay skipped), and say so in the chatter."""
        self.ensure_one()
        period = self._format_period(start, end)
        invoice_name = invoice_name if invoice_name and invoice_name != "/" else _("(draft)")
        if not self.next_invoice_date or start < self.next_invoice_date:
            self._set_rebill_starts([*self._get_rebill_starts(), start])
        if self.state == "active":
            body = _(
                "Invoice %(invoice)s for %(period)s was %(reason)s: the period will be billed again by the "
                "next run.",
                invoice=invoice_name,
                period=period,
                reason=reason,
            )
        else:
            body = _(
                "Invoice %(invoice)s for %(period)s was %(reason)s: the period will be billed again once the "
                "contract is active.",
                invoice=invoice_name,
                period=period,
                reason=reason,
            )
        self.message_post(body=body)
