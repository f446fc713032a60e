# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from odoo import _, api, fields, models
from odoo.tools import SQL, format_amount, format_date

_logger = logging.getLogger(__name__)


class KakeuriPaymentPromise(models.Model):
    """Judging promises to pay: kept as soon as the payments cover the amount, broken when
    the deadline passes without. Run daily (``_cron_settle_promises``) and by each dunning run
    for its date (``kakeuri.dunning.compute._settle_promises``)."""

    _inherit = "kakeuri.payment.promise"

    # ------------------------------------------------------------------ crons
    @api.model
    def _cron_settle_promises(self, date_ref=None, batch_size=200):
        """Judge every open promise as of ``date_ref`` (today). The promises are taken in
        batches locked with ``FOR UPDATE SKIP LOCKED`` (two workers never judge the same one)
        and committed the way of ``kakeuri.batch.mixin``; a promise judged on ``date_ref``
        (``date_checked``) is not taken again that day, so the open ones are not looped over."""
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        counts = {"kept": 0, "broken": 0}

        def process_batch():
            ids = self._lock_promises_to_settle(date_ref, batch_size)
            if not ids:
                return 0, 0
            kept, broken = self.browse(ids)._settle(date_ref)
            counts["kept"] += len(kept)
            counts["broken"] += len(broken)
            return len(ids), len(self._lock_promises_to_settle(date_ref, None))

        self._kakeuri_run_batches(process_batch)
        _logger.info(
            "kakeuri: promises to pay as of %s: %d kept, %d broken",
            date_ref,
            counts["kept"],
            counts["broken"],
        )
        return counts

    @api.model
    def _lock_promises_to_settle(self, date_ref, limit):
        """Ids of at most ``limit`` open promises recorded by ``date_ref`` and not judged on
        that day yet, locked for this transaction (those another worker holds are left to it).
        Without a ``limit``, the ids of all of them, unlocked: the work that remains."""
        self.flush_model(["state", "date_start", "date_checked"])
        self.env.cr.execute(
            SQL(
                """SELECT id FROM kakeuri_payment_promise
                    WHERE state = 'open' AND date_start <= %s
                      AND (date_checked IS NULL OR date_checked < %s)
                    ORDER BY id
                    %s""",
                date_ref,
                date_ref,
                SQL("LIMIT %s FOR UPDATE SKIP LOCKED", limit) if limit else SQL(""),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    # ------------------------------------------------------------------ judging
    def _settle(self, date):
        """Judge these promises as of ``date``: kept when the customer's payments dated from
        the day it was recorded up to its deadline (or ``date``, if earlier) cover the amount;
        broken when ``date`` is past the deadline without; otherwise it stays open (a partial
        payment leaves the rest promised until the deadline). Returns (kept, broken)."""
        date = fields.Date.to_date(date)
        promises = self.filtered(lambda p: p.state == "open" and p.date_start <= date)
        paid = promises._get_paid_amounts(date)
        kept = broken = self.browse()
        for promise in promises:
            if promise.currency_id.compare_amounts(paid.get(promise.id, 0.0), promise.amount) >= 0:
                kept |= promise
            elif promise.date_deadline < date:
                broken |= promise
        promises.write({"date_checked": date})
        kept._mark_kept(paid)
        broken._mark_broken(paid, date)
        return kept, broken

    def _mark_kept(self, paid):
        for promise in self:
            body = _(
                "Promise to pay %(amount)s by %(date)s was kept (paid %(paid)s).",
                **promise._note_values(paid),
            )
            promise.state = "kept"
            promise.message_post(body=body, subtype_xmlid="mail.mt_note")
            promise.partner_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    def _mark_broken(self, paid, date):
        """Broken: the customer's chatter says so and its collector (who took the promise,
        else the customer's salesperson) gets an activity; dunning resumes."""
        for promise in self:
            values = promise._note_values(paid)
            body = _("Promise to pay %(amount)s by %(date)s was broken (paid %(paid)s).", **values)
            promise.state = "broken"
            promise.message_post(body=body, subtype_xmlid="mail.mt_note")
            partner = promise.partner_id.sudo()
            partner.message_post(body=body, subtype_xmlid="mail.mt_note")
            collector = promise.user_id or partner.user_id
            partner.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=date,
                summary=_("Promise broken"),
                note=_(
                    "%(customer)s promised to pay %(amount)s by %(date)s and paid %(paid)s by the "
                    "deadline %(deadline)s. Call the customer: the next reminder goes out.",
                    customer=partner.display_name,
                    deadline=format_date(self.env, promise.date_deadline),
                    **values,
                ),
                **({"user_id": collector.id} if collector else {}),
            )

    def _note_values(self, paid):
        self.ensure_one()
        return {
            "amount": format_amount(self.env, self.amount, self.currency_id),
            "date": format_date(self.env, self.date),
            "paid": format_amount(self.env, paid.get(self.id, 0.0), self.currency_id),
        }
