# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from psycopg2 import errors

from odoo import _, api, fields, models
from odoo.tools import SQL, format_amount, format_date

_logger = logging.getLogger(__name__)


class KakeuriPaymentPlan(models.Model):
    """How an active plan ends: done when paid in full (payments, credit notes), broken when an
    installment stays unpaid past the grace days, checked by a daily scheduled action and at
    once when one of its invoices is paid."""

    _name = "kakeuri.payment.plan"
    _inherit = ["kakeuri.payment.plan", "kakeuri.batch.mixin"]

    # -------------------------------------------------------------------- crons
    @api.model
    def _cron_check_plans(self, date_ref=None, batch_size=200):
        """Close the plans paid in full and break those with an installment unpaid past its
        due date plus the grace days, as of ``date_ref`` (default today).

        Plans are taken in batches locked with ``FOR UPDATE SKIP LOCKED`` (two workers never
        take the same plan) and committed the way of ``kakeuri.batch.mixin``; every plan taken
        changes state, so none is taken twice. Returns the plans changed."""
        today = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        changed = self.browse()

        def process_batch():
            nonlocal changed
            plans = self._kakeuri_lock_plans_to_check(today, batch_size)
            if not plans:
                return 0, 0
            plans._kakeuri_check_state(today)
            changed |= plans
            return len(plans), len(self._kakeuri_lock_plans_to_check(today, None))

        self._kakeuri_run_batches(process_batch)
        return changed

    # ------------------------------------------------------------------ helpers
    @api.model
    def _kakeuri_lock_plans_to_check(self, today, limit):
        """At most ``limit`` plans whose state must change today, locked for this transaction
        (those another worker holds are left to it): active or broken plans paid in full, active
        plans with an open installment due before today less the grace days. Without a
        ``limit``, all of them, unlocked: the work that remains."""
        self.env["kakeuri.payment.plan.installment"].flush_model(["state", "date", "plan_id"])
        self.flush_model(["state", "grace_days"])
        query = SQL(
            """
            SELECT p.id FROM kakeuri_payment_plan p
             WHERE (p.state = 'active'
                    AND EXISTS (SELECT 1 FROM kakeuri_payment_plan_installment i
                                 WHERE i.plan_id = p.id AND i.state = 'open'
                                   AND i.date + COALESCE(p.grace_days, 0) < %(today)s))
                OR (p.state IN ('active', 'broken')
                    AND NOT EXISTS (SELECT 1 FROM kakeuri_payment_plan_installment i
                                     WHERE i.plan_id = p.id AND i.state = 'open'))
          ORDER BY p.id
            %(lock)s
            """,
            today=today,
            lock=SQL("LIMIT %s FOR UPDATE SKIP LOCKED", limit) if limit else SQL(""),
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                ids = [row[0] for row in self.env.cr.fetchall()]
        except errors.SerializationFailure:
            # a plan changed by a parallel run since this transaction began: left to that run
            _logger.info("kakeuri: payment plans being checked by a parallel run")
            return self.browse()
        return self.browse(ids)

    def _kakeuri_check_state(self, today):
        """Done when paid in full, else broken when an installment is unpaid past the grace."""
        for plan in self:
            if plan.state not in ("active", "broken"):
                continue
            if plan._kakeuri_is_paid():
                plan._kakeuri_set_done()
                continue
            late = plan.installment_ids.filtered(
                lambda i, p=plan: i.state == "open" and fields.Date.add(i.date, days=p.grace_days) < today
            )
            if plan.state == "active" and late:
                plan._kakeuri_set_broken(late[0], today)

    def _kakeuri_check_paid(self):
        """Close the plans of these that are now paid in full (an invoice was just paid)."""
        for plan in self.filtered(lambda p: p.state in ("active", "broken")):
            if plan._kakeuri_is_paid():
                plan._kakeuri_set_done()

    def _kakeuri_is_paid(self):
        self.ensure_one()
        return bool(self.installment_ids) and all(i.state == "paid" for i in self.installment_ids)

    def _kakeuri_set_done(self):
        self.ensure_one()
        self.write({"state": "done"})
        self.message_post(
            body=_(
                "Payment plan paid in full: %(amount)s received in %(count)s installment(s).",
                amount=format_amount(self.env, self.amount_total, self.currency_id),
                count=len(self.installment_ids),
            ),
            subtype_xmlid="mail.mt_note",
        )
        self._kakeuri_release_credit_hold()

    def _kakeuri_set_broken(self, installment, today):
        """Break the plan: the customer's invoices are due again as they were, the collector
        gets an activity and the chatters of the plan and the customer say so."""
        self.ensure_one()
        self.write({"state": "broken"})
        rest = self.amount_due
        body = _(
            "Payment plan %(plan)s is broken: installment %(number)s of %(amount)s due on %(date)s "
            "is still unpaid after %(grace)s day(s) of grace. The whole rest, %(rest)s, is due "
            "again.",
            plan=self.name,
            number=installment.sequence,
            amount=format_amount(self.env, installment.amount - installment.amount_paid, self.currency_id),
            date=format_date(self.env, installment.date),
            grace=self.grace_days,
            rest=format_amount(self.env, rest, self.currency_id),
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        self.partner_id.commercial_partner_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=today,
            summary=_("Payment plan broken: call the customer"),
            note=body,
            user_id=self.user_id.id or self.env.uid,
        )

    def _kakeuri_release_credit_hold(self):
        """Release the hold this plan put, unless another active plan of the customer whose
        policy asks for a hold keeps it (that plan then releases it)."""
        self.ensure_one()
        if not self.credit_hold_set:
            return
        self.credit_hold_set = False
        customer = self.partner_id.commercial_partner_id.sudo()
        if not customer.kakeuri_credit_hold:
            return
        others = (
            self.sudo()
            .search(
                [
                    ("id", "!=", self.id),
                    ("partner_id", "child_of", customer.id),
                    ("state", "in", ("active", "broken")),
                ]
            )
            .filtered(lambda p: p.credit_hold_set or p._kakeuri_policy_holds())
        )
        if others:
            others[:1].credit_hold_set = True
            return
        customer.write({"kakeuri_credit_hold": False, "kakeuri_credit_hold_reason": False})
        self.message_post(
            body=_("Credit hold of %(customer)s released.", customer=customer.display_name),
            subtype_xmlid="mail.mt_note",
        )
