# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_round, format_amount, format_date

from .kakeuri_payment_plan import RULE_OF_INTERVAL
from .kakeuri_recurrence_mixin import period_start


class KakeuriPaymentPlan(models.Model):
    """A plan's schedule and its activation: equal installments computed from the balance (or
    edited by hand), checked and agreed."""

    _inherit = "kakeuri.payment.plan"

    # ------------------------------------------------------------------ actions
    def action_compute_schedule(self):
        """Write the installments: the down payment first, then the rest of the balance in
        equal amounts rounded down in the company currency, the remainder on the last one."""
        self._kakeuri_check_draft()
        for plan in self:
            vals_list = plan._prepare_installment_vals_list()
            plan.installment_ids.unlink()
            self.env["kakeuri.payment.plan.installment"].create(vals_list)
        return True

    def action_activate(self):
        """Agree the plan: its invoices, schedule and balance are checked and frozen, dunning
        and credit control follow the installments from now on."""
        if not self.env.user.has_group("kakeuri_ar.group_ar_user"):
            raise AccessError(
                _(
                    "Only a receivables user can activate payment plan %(plans)s.",
                    plans=", ".join(self.mapped("display_name")),
                )
            )
        self._kakeuri_check_draft()
        self._kakeuri_lock_invoices()
        today = fields.Date.context_today(self)
        for plan in self:
            balance = plan._kakeuri_check_activation()
            # the agreed balance and grace written as they are now: the computes follow a draft only
            plan.write(
                {
                    "state": "active",
                    "amount_total": balance,
                    "grace_days": plan._kakeuri_policy_grace_days(),
                    "date_activated": today,
                }
            )
            plan._kakeuri_set_credit_hold()
            plan.message_post(
                body=_(
                    "Payment plan activated: %(balance)s of %(count)s invoice(s) in %(installments)s "
                    "installment(s), the last one due on %(date)s.",
                    balance=format_amount(self.env, balance, plan.currency_id),
                    count=len(plan.move_ids),
                    installments=len(plan.installment_ids),
                    date=format_date(self.env, max(plan.installment_ids.mapped("date"))),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_cancel(self):
        self._kakeuri_check_draft()
        self.write({"state": "cancel"})
        return True

    def action_draft(self):
        """A cancelled plan back to draft (its invoices must be free again)."""
        for plan in self:
            if plan.state != "cancel":
                raise UserError(
                    _(
                        "Payment plan %(plan)s is %(state)s: only a cancelled plan goes back to draft.",
                        plan=plan.display_name,
                        state=plan._kakeuri_state_label(),
                    )
                )
        self.write({"state": "draft"})
        return True

    # ------------------------------------------------------------------ schedule
    def _prepare_installment_vals_list(self):
        self.ensure_one()
        currency = self.currency_id
        balance = self.amount_total
        if currency.compare_amounts(balance, 0.0) <= 0:
            raise UserError(
                _(
                    "Payment plan %(plan)s has no open balance to schedule (%(balance)s): choose open "
                    "invoices of %(customer)s.",
                    plan=self.display_name,
                    balance=format_amount(self.env, balance, currency),
                    customer=self.partner_id.display_name,
                )
            )
        if not self.date_first:
            raise UserError(_("Payment plan %(plan)s needs a first date.", plan=self.display_name))
        amounts = self._kakeuri_split_balance(balance)
        rule = RULE_OF_INTERVAL[self.interval_type or "months"]
        dates = [period_start(self.date_first, rule, self.interval_number, i) for i in range(len(amounts))]
        if self.down_payment and self.down_payment_date:
            if len(dates) > 1 and self.down_payment_date >= dates[1]:
                raise UserError(
                    _(
                        "The down payment of payment plan %(plan)s is due on %(date)s, not before the "
                        "next installment on %(next)s.",
                        plan=self.display_name,
                        date=format_date(self.env, self.down_payment_date),
                        next=format_date(self.env, dates[1]),
                    )
                )
            dates[0] = self.down_payment_date
        return [
            {"plan_id": self.id, "sequence": index + 1, "date": day, "amount": amount}
            for index, (day, amount) in enumerate(zip(dates, amounts, strict=True))
        ]

    def _kakeuri_split_balance(self, balance):
        """The installments' amounts: the down payment, then equal parts rounded down, the
        remainder of the rounding on the last part."""
        self.ensure_one()
        currency = self.currency_id
        count = self.installment_count
        down = currency.round(self.down_payment or 0.0)
        amounts = []
        if not currency.is_zero(down):
            if count < 2 or currency.compare_amounts(down, balance) >= 0:
                raise UserError(
                    _(
                        "The down payment %(down)s of payment plan %(plan)s must be less than the "
                        "balance %(balance)s and leave at least one more installment (%(count)s "
                        "installments given).",
                        down=format_amount(self.env, down, currency),
                        plan=self.display_name,
                        balance=format_amount(self.env, balance, currency),
                        count=count,
                    )
                )
            amounts.append(down)
            count -= 1
        rest = currency.round(balance - down)
        part = float_round(rest / count, precision_rounding=currency.rounding, rounding_method="DOWN")
        if currency.compare_amounts(part, 0.0) <= 0:
            raise UserError(
                _(
                    "The balance %(balance)s of payment plan %(plan)s is too small for %(count)s "
                    "installments.",
                    balance=format_amount(self.env, rest, currency),
                    plan=self.display_name,
                    count=count,
                )
            )
        amounts += [part] * (count - 1)
        amounts.append(currency.round(rest - part * (count - 1)))
        return amounts

    # ------------------------------------------------------------------ activation
    def _kakeuri_lock_invoices(self):
        """Lock the plans' invoices until this transaction ends, so that two plans activated at
        once cannot both take the same invoice."""
        moves = self.move_ids
        if moves:
            self.env.cr.execute(
                SQL("SELECT id FROM account_move WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE", moves.ids)
            )
            moves.invalidate_recordset(["amount_residual", "amount_residual_signed", "payment_state"])

    def _kakeuri_check_activation(self):
        """The balance to agree: the invoices' open amount, which the installments must add up
        to exactly; raise otherwise."""
        self.ensure_one()
        currency = self.currency_id
        if not self.move_ids:
            raise UserError(_("Payment plan %(plan)s covers no invoice.", plan=self.display_name))
        for move in self.move_ids:
            self._kakeuri_check_invoice(move)
        self._kakeuri_check_invoice_overlap()
        if not self.installment_ids:
            raise UserError(
                _(
                    "Payment plan %(plan)s has no installments: compute the schedule first.",
                    plan=self.display_name,
                )
            )
        balance = currency.round(sum(self.move_ids.mapped("amount_residual_signed")))
        scheduled = currency.round(sum(self.installment_ids.mapped("amount")))
        if currency.compare_amounts(scheduled, balance):
            raise ValidationError(
                _(
                    "The installments of payment plan %(plan)s add up to %(scheduled)s, but the "
                    "balance of its invoices is %(balance)s (difference %(difference)s): correct the "
                    "schedule or compute it again.",
                    plan=self.display_name,
                    scheduled=format_amount(self.env, scheduled, currency),
                    balance=format_amount(self.env, balance, currency),
                    difference=format_amount(self.env, scheduled - balance, currency),
                )
            )
        return balance

    def _kakeuri_set_credit_hold(self):
        """Put the customer on credit hold when its policy in the plan's company asks for it
        and nothing holds it yet; the plan remembers it set the hold, to release it when paid."""
        self.ensure_one()
        if not self._kakeuri_policy_holds():
            return
        customer = self.partner_id.commercial_partner_id.sudo()
        if customer.kakeuri_credit_hold:
            return
        customer.write(
            {
                "kakeuri_credit_hold": True,
                "kakeuri_credit_hold_reason": _("Payment plan %(plan)s", plan=self.name),
            }
        )
        self.credit_hold_set = True

    def _kakeuri_policy_holds(self):
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id.with_company(self.company_id).sudo()
        policy = customer.kakeuri_credit_policy_id
        return bool(policy.plan_credit_hold)
