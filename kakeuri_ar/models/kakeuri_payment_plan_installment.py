# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount

# what only a draft plan's installments may change
SCHEDULE_FIELDS = {"plan_id", "sequence", "date", "amount"}


class KakeuriPaymentPlanInstallment(models.Model):
    _name = "kakeuri.payment.plan.installment"
    _description = "Payment Plan Installment"
    _order = "plan_id, date, sequence, id"

    plan_id = fields.Many2one(
        comodel_name="kakeuri.payment.plan",
        string="Plan",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    date = fields.Date(string="Due Date", required=True)
    amount = fields.Monetary(currency_field="currency_id", required=True)
    amount_paid = fields.Monetary(
        string="Paid",
        currency_field="currency_id",
        compute="_compute_amount_paid",
        store=True,
        help="The plan's payments allocated to its installments, oldest first.",
    )
    amount_open = fields.Monetary(
        string="Open",
        currency_field="currency_id",
        compute="_compute_amount_open",
    )
    state = fields.Selection(
        selection=[("open", "Open"), ("paid", "Paid")],
        required=True,
        default="open",
        compute="_compute_amount_paid",
        store=True,
    )

    # ------------------------------------------------------------------ computes
    @api.depends(
        "amount",
        "date",
        "sequence",
        "plan_id.state",
        "plan_id.amount_total",
        "plan_id.move_ids.amount_residual_signed",
        "plan_id.installment_ids.amount",
        "plan_id.installment_ids.date",
        "plan_id.installment_ids.sequence",
    )
    def _compute_amount_paid(self):
        """What was paid or credited on the plan's invoices since activation, allocated to the
        installments oldest first: each takes up to its amount, the next one the rest."""
        for installment in self.filtered(lambda i: not i.plan_id):
            installment.amount_paid = 0.0
            installment.state = "open"
        for plan in self.plan_id:
            currency = plan.currency_id
            remaining = plan._kakeuri_paid_amount()
            siblings = plan.installment_ids | self.filtered(lambda i, p=plan: i.plan_id == p)
            oldest_first = siblings.sorted(lambda i: (i.date or date.max, i.sequence, i._origin.id or 0))
            for installment in oldest_first:
                share = currency.round(min(max(remaining, 0.0), installment.amount))
                remaining -= share
                if installment not in self:
                    continue
                installment.amount_paid = share
                paid = (
                    plan.state in ("active", "done", "broken")
                    and currency.compare_amounts(installment.amount, 0.0) > 0
                    and currency.compare_amounts(share, installment.amount) >= 0
                )
                installment.state = "paid" if paid else "open"

    @api.depends("amount", "amount_paid")
    def _compute_amount_open(self):
        for installment in self:
            installment.amount_open = installment.amount - installment.amount_paid

    # --------------------------------------------------------------- constraints
    @api.constrains("amount")
    def _check_amount(self):
        for installment in self:
            if installment.currency_id.compare_amounts(installment.amount, 0.0) <= 0:
                raise ValidationError(
                    _(
                        "Installment %(number)s of payment plan %(plan)s is %(amount)s: every "
                        "installment must be more than zero.",
                        number=installment.sequence,
                        plan=installment.plan_id.display_name,
                        amount=format_amount(self.env, installment.amount, installment.currency_id),
                    )
                )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        plans = self.env["kakeuri.payment.plan"].browse({vals.get("plan_id") for vals in vals_list} - {None})
        plans._kakeuri_check_draft()
        return super().create(vals_list)

    def write(self, vals):
        if SCHEDULE_FIELDS & vals.keys():
            self.plan_id._kakeuri_check_draft()
            if "plan_id" in vals:
                self.env["kakeuri.payment.plan"].browse(vals["plan_id"])._kakeuri_check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_agreed(self):
        for plan in self.plan_id:
            if plan.state != "draft":
                raise UserError(
                    _(
                        "Payment plan %(plan)s is %(state)s: its installments cannot be deleted.",
                        plan=plan.display_name,
                        state=plan._kakeuri_state_label(),
                    )
                )
