# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

_logger = logging.getLogger(__name__)


class KakeuriContract(models.Model):
    """After a billing run has created its invoices: posting, queueing for sending, the run's
    chatter notes and the failures a person must look at."""

    _inherit = "kakeuri.contract"

    def _post_generated_invoices(self, moves, complete=None):
        """Post the invoices of auto-post contracts; an invoice that cannot be posted stays in
        draft and its contract's responsible gets an activity with the reason. ``complete``: the
        invoices created with all their journal items, posted without Odoo's line
        synchronisation (posting changes none of their lines)."""
        to_post = moves.filtered(lambda m: m.kakeuri_contract_id.auto_post)
        if not to_post:
            return
        self._subscribe_customers(to_post)
        complete = to_post & (complete or moves.browse())
        if complete:
            self._post_invoices(complete.with_context(**self._complete_invoice_context()))
        if to_post - complete:
            self._post_invoices(to_post - complete)

    def _post_invoices(self, moves):
        moves = moves.with_context(**self._billing_context())
        try:
            with self.env.cr.savepoint():
                moves.action_post()
            return
        except Exception:  # noqa: BLE001 - post one by one to find which ones cannot be posted
            self.env.invalidate_all()
        for move in moves:
            try:
                with self.env.cr.savepoint():
                    move.action_post()
            except Exception as error:  # noqa: BLE001
                self.env.invalidate_all()
                move.kakeuri_contract_id._notify_posting_failure(move, error)

    @api.model
    def _subscribe_customers(self, moves):
        """Make each invoice's customer a follower, as posting does, but for the whole batch in
        one insert: Odoo's ``_post`` subscribes the customer invoice by invoice (four queries
        each) and skips invoices whose customer already follows them. Same rules as
        ``message_subscribe``: active partners only, default subtypes of invoices, the external
        ones for portal/customer partners."""
        partners = moves.partner_id.sudo().filtered("active")
        if not partners:
            return
        default, _internal, external = self.env["mail.message.subtype"].default_subtypes(moves._name)
        following = defaultdict(set)
        for follower in (
            self.env["mail.followers"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", moves._name),
                    ("res_id", "in", moves.ids),
                    ("partner_id", "in", partners.ids),
                ],
                ["res_id", "partner_id"],
            )
        ):
            following[follower.res_id].add(follower.partner_id.id)
        vals_list = []
        for move in moves:
            partner = move.partner_id.sudo()
            if partner not in partners or partner.id in following[move.id]:
                continue
            subtypes = external if partner.partner_share else default
            vals_list.append(
                {
                    "res_model": moves._name,
                    "res_id": move.id,
                    "partner_id": partner.id,
                    "subtype_ids": [fields.Command.set(subtypes.ids)],
                }
            )
        if vals_list:
            self.env["mail.followers"].sudo().with_context(default_partner_id=False).create(vals_list)
            moves.invalidate_recordset(["message_follower_ids", "message_partner_ids"])

    def _queue_generated_invoices(self, moves):
        """Queue posted invoices of auto-send contracts for Odoo's background invoice sending
        (the same queue as Send & Print on several invoices): the PDF is generated and the
        mail queued by the ``account.ir_cron_account_move_send`` job, not in this run."""
        to_send = moves.filtered(lambda m: m.state == "posted" and m.kakeuri_contract_id.auto_send)
        if not to_send:
            return
        by_author = defaultdict(lambda: self.env["account.move"])
        for move in to_send:
            by_author[move.kakeuri_contract_id.user_id or self.env.user] |= move
        for user, user_moves in by_author.items():
            user_moves.sending_data = {
                "author_user_id": user.id,
                "author_partner_id": user.partner_id.id,
            }
        self.env.ref("account.ir_cron_account_move_send")._trigger()

    def _notify_posting_failure(self, move, error):
        self.ensure_one()
        reason = self._error_text(error)
        summary = _("Invoice not posted")
        note = _(
            "The invoice %(invoice)s for %(period)s was created but could not be posted, so it stays in "
            "draft: %(reason)s",
            invoice=move.display_name,
            period=self._format_period(move.kakeuri_period_start, move.kakeuri_period_end),
            reason=reason,
        )
        self.message_post(body=note)
        move.message_post(body=note)
        self._schedule_responsible_activity(summary, note)

    def _log_billing_failure(self, error):
        self.ensure_one()
        _logger.warning("kakeuri: contract %s (id %s) not billed: %s", self.name, self.id, error)
        self.env.invalidate_all()
        self.billing_failed_date = fields.Date.context_today(self)
        body = _(
            "The periods due could not be billed; the contract is skipped until it is fixed: %(reason)s",
            reason=self._error_text(error),
        )
        self.message_post(body=body)
        summary = _("Contract not billed")
        todo = self.env.ref("mail.mail_activity_data_todo")
        # one open activity while the contract keeps failing: refresh its note, do not add more
        open_activity = self.activity_ids.filtered(
            lambda a: a.activity_type_id == todo and a.summary == summary
        )[:1]
        if open_activity:
            open_activity.note = body
            return
        self._schedule_responsible_activity(summary, body)

    def _schedule_responsible_activity(self, summary, note):
        """A To Do for the contract's responsible (else the current user). The reason is in the
        chatter already: an activity that cannot be made must not stop the run for the other
        contracts."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=summary,
                    note=note,
                    user_id=(self.user_id or self.env.user).id,
                )
        except Exception as error:  # noqa: BLE001 - the chatter keeps the reason
            self.env.invalidate_all()
            _logger.warning("kakeuri: no activity for contract %s (id %s): %s", self.name, self.id, error)

    @api.model
    def _error_text(self, error):
        if isinstance(error, UserError | ValidationError):
            return error.args[0] if error.args else str(error)
        return "%s: %s" % (type(error).__name__, error)

    # ------------------------------------------------------------------ chatter
    def _log_billing(self, moves, finished, previous_dates=None):
        """One chatter note per contract listing its new invoices and its new next invoice date
        (``previous_dates``: {contract: next invoice date before the run}), and one per invoice
        saying where it comes from; each set logged in one batch (``_message_log_batch``)."""
        bodies, move_bodies = self._billing_notes(moves)
        for contract, previous in (previous_dates or {}).items():
            if contract in finished or contract.next_invoice_date == previous:
                continue
            bodies[contract.id] = (bodies.get(contract.id) or Markup()) + Markup("<p>%s</p>") % self.env._(
                "Next invoice date: %(previous)s → %(next)s",
                previous=format_date(self.env, previous) if previous else "-",
                next=format_date(self.env, contract.next_invoice_date),
            )
        for contract in finished:
            bodies[contract.id] = (bodies.get(contract.id) or Markup()) + Markup("<p>%s</p>") % self.env._(
                "Every period up to the end date %(end)s is billed; the contract is closed.",
                end=format_date(self.env, contract.date_end),
            )
        if bodies:
            self.browse(list(bodies))._message_log_batch(bodies)
        if move_bodies:
            moves.browse(list(move_bodies))._message_log_batch(move_bodies)

    @api.model
    def _billing_notes(self, moves):
        """({contract id: list of its new invoices}, {invoice id: where it comes from})"""
        bodies = {}
        move_bodies = {}
        for contract, contract_moves in moves.grouped("kakeuri_contract_id").items():
            items = []
            for move in contract_moves.sorted("kakeuri_period_start"):
                period = contract._format_period(move.kakeuri_period_start, move.kakeuri_period_end)
                link = move._get_html_link(
                    title=move.name if move.name != "/" else self.env._("Draft invoice")
                )
                items.append(
                    Markup("<li>%s</li>")
                    % self.env._("%(invoice)s for %(period)s", invoice=link, period=period)
                )
                if move.state == "posted":
                    note = self.env._(
                        "Generated and posted by contract %(contract)s for %(period)s.",
                        contract=contract._get_html_link(),
                        period=period,
                    )
                else:
                    note = self.env._(
                        "Generated by contract %(contract)s for %(period)s.",
                        contract=contract._get_html_link(),
                        period=period,
                    )
                move_bodies[move.id] = note
            bodies[contract.id] = Markup("%s<ul>%s</ul>") % (
                self.env._("Invoices created:"),
                Markup().join(items),
            )
        return bodies, move_bodies
