# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount

INTERVAL_TYPES = [("weeks", "Week(s)"), ("months", "Month(s)")]
# the recurrence rule of kakeuri.recurrence.mixin's period functions for each interval type
RULE_OF_INTERVAL = {"weeks": "weekly", "months": "monthly"}
# what a plan's customer may change only while the plan is a draft
DRAFT_ONLY_FIELDS = {
    "partner_id",
    "company_id",
    "move_ids",
    "installment_ids",
    "down_payment",
    "down_payment_date",
    "installment_count",
    "date_first",
    "interval_number",
    "interval_type",
}


class KakeuriPaymentPlan(models.Model):
    """A payment plan (分割払い・リスケジュール): an overdue balance paid in installments.

    The invoices stay as they are in the ledger; while the plan is active, dunning and the
    overdue figures of credit control follow its installments instead of the invoices' own due
    dates (``kakeuri.receivable.ledger._holds_query``). What was paid or credited on the
    invoices since the plan was activated is allocated to the installments, oldest first
    (``kakeuri.payment.plan.installment.amount_paid``, stored and kept current by the ORM)."""

    _name = "kakeuri.payment.plan"
    _description = "Payment Plan"
    _inherit = ["mail.thread", "mail.activity.mixin", "kakeuri.sequence.mixin"]
    _order = "id desc"

    name = fields.Char(string="Reference", required=True, copy=False, readonly=True, default="/")
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="kakeuri_payment_plan_move_rel",
        column1="plan_id",
        column2="move_id",
        string="Invoices",
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('company_id', '=', company_id), ('commercial_partner_id', '=', partner_id), "
        "('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    installment_ids = fields.One2many(
        comodel_name="kakeuri.payment.plan.installment",
        inverse_name="plan_id",
        string="Installments",
        copy=True,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Collector",
        default=lambda self: self.env.user,
        tracking=True,
    )
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("active", "Active"),
            ("done", "Done"),
            ("broken", "Broken"),
            ("cancel", "Cancelled"),
        ],
        required=True,
        default="draft",
        index=True,
        tracking=True,
        copy=False,
    )
    note = fields.Html()
    amount_total = fields.Monetary(
        string="Balance",
        currency_field="currency_id",
        compute="_compute_amount_total",
        store=True,
        tracking=True,
        help="The open amount of the plan's invoices in company currency: computed from the "
        "invoices while the plan is a draft, kept as it was when the plan was activated.",
    )
    amount_residual = fields.Monetary(
        string="Open on Invoices",
        currency_field="currency_id",
        compute="_compute_amount_residual",
        help="What is still open on the plan's invoices today, in company currency.",
    )
    amount_paid = fields.Monetary(
        string="Paid",
        currency_field="currency_id",
        compute="_compute_amount_residual",
        help="Paid or credited on the plan's invoices since the plan was activated.",
    )
    amount_due = fields.Monetary(
        string="Rest to Pay",
        currency_field="currency_id",
        compute="_compute_amount_residual",
    )
    amount_scheduled = fields.Monetary(
        string="Scheduled",
        currency_field="currency_id",
        compute="_compute_amount_scheduled",
        help="The sum of the installments; it must equal the balance when the plan is activated.",
    )
    down_payment = fields.Monetary(
        currency_field="currency_id",
        help="Paid first, as the first installment; the rest of the balance is split evenly "
        "over the other installments.",
    )
    down_payment_date = fields.Date(
        help="When the down payment is due; empty: on the first date.",
    )
    installment_count = fields.Integer(
        string="Number of Installments",
        default=3,
        help="How many installments, the down payment included.",
    )
    date_first = fields.Date(
        string="First Date",
        default=lambda self: fields.Date.context_today(self),
        help="The due date of the first installment; the others follow every interval.",
    )
    interval_number = fields.Integer(string="Every", default=1)
    interval_type = fields.Selection(selection=INTERVAL_TYPES, string="Interval", default="months")
    grace_days = fields.Integer(
        compute="_compute_grace_days",
        store=True,
        help="Days an installment may stay unpaid after its due date before the plan is "
        "broken: the plan grace of the customer's credit policy, as it was when the plan was "
        "activated (the agreement states it).",
    )
    next_installment_id = fields.Many2one(
        comodel_name="kakeuri.payment.plan.installment",
        string="Next Installment",
        compute="_compute_next_installment",
    )
    next_date = fields.Date(string="Next Due Date", compute="_compute_next_installment")
    date_activated = fields.Date(string="Activated On", readonly=True, copy=False)
    credit_hold_set = fields.Boolean(
        string="Put Credit Hold",
        readonly=True,
        copy=False,
        help="The plan put the customer on credit hold when it was activated (its policy asks "
        "for it); the hold is released when the plan is paid in full.",
    )

    # ------------------------------------------------------------------ computes
    @api.depends("state", "move_ids.amount_residual_signed")
    def _compute_amount_total(self):
        # only a draft follows its invoices: an active (or ended) plan keeps the balance agreed
        for plan in self.filtered(lambda p: p.state == "draft"):
            plan.amount_total = plan.currency_id.round(sum(plan.move_ids.mapped("amount_residual_signed")))

    @api.depends("state", "amount_total", "move_ids.amount_residual_signed")
    def _compute_amount_residual(self):
        for plan in self:
            residual = plan.currency_id.round(sum(plan.move_ids.mapped("amount_residual_signed")))
            plan.amount_residual = residual
            plan.amount_paid = plan._kakeuri_paid_amount()
            plan.amount_due = max(plan.amount_total - plan.amount_paid, 0.0)

    @api.depends("installment_ids.amount")
    def _compute_amount_scheduled(self):
        for plan in self:
            plan.amount_scheduled = sum(plan.installment_ids.mapped("amount"))

    @api.depends("state", "partner_id", "company_id")
    def _compute_grace_days(self):
        for plan in self.filtered(lambda p: p.state == "draft"):
            plan.grace_days = plan._kakeuri_policy_grace_days()

    @api.depends("installment_ids.state", "installment_ids.date")
    def _compute_next_installment(self):
        for plan in self:
            plan.next_installment_id = plan.installment_ids.filtered(lambda i: i.state == "open")[:1]
            plan.next_date = plan.next_installment_id.date

    # --------------------------------------------------------------- constraints
    @api.constrains("move_ids", "partner_id", "company_id", "state")
    def _check_move_ids(self):
        for plan in self:
            for move in plan.move_ids:
                plan._kakeuri_check_invoice(move)
            if plan.state in ("draft", "active"):
                plan._kakeuri_check_invoice_overlap()

    @api.constrains("installment_count", "interval_number", "down_payment")
    def _check_schedule_settings(self):
        for plan in self:
            if plan.installment_count < 1 or plan.interval_number < 1:
                raise ValidationError(
                    _(
                        "Payment plan %(plan)s needs at least one installment every one or more "
                        "weeks or months (%(count)s installments every %(interval)s given).",
                        plan=plan.display_name,
                        count=plan.installment_count,
                        interval=plan.interval_number,
                    )
                )
            if plan.currency_id.compare_amounts(plan.down_payment, 0.0) < 0:
                raise ValidationError(
                    _(
                        "The down payment of payment plan %(plan)s cannot be negative (%(amount)s).",
                        plan=plan.display_name,
                        amount=format_amount(self.env, plan.down_payment, plan.currency_id),
                    )
                )

    def _kakeuri_check_invoice(self, move):
        """Refuse an invoice of another company or customer, and (in a draft) one that is not an
        open posted customer invoice."""
        self.ensure_one()
        if move.company_id != self.company_id:
            raise ValidationError(
                _(
                    "Invoice %(invoice)s belongs to %(company)s, not to %(plan_company)s of payment "
                    "plan %(plan)s.",
                    invoice=move.display_name,
                    company=move.company_id.display_name,
                    plan_company=self.company_id.display_name,
                    plan=self.display_name,
                )
            )
        if move.commercial_partner_id != self.partner_id.commercial_partner_id:
            raise ValidationError(
                _(
                    "Invoice %(invoice)s is billed to %(partner)s, not to %(customer)s of payment "
                    "plan %(plan)s.",
                    invoice=move.display_name,
                    partner=move.commercial_partner_id.display_name,
                    customer=self.partner_id.display_name,
                    plan=self.display_name,
                )
            )
        is_open = (
            move.move_type == "out_invoice"
            and move.state == "posted"
            and move.company_currency_id.compare_amounts(move.amount_residual_signed, 0.0) > 0
        )
        if self.state == "draft" and not is_open:
            raise ValidationError(
                _(
                    "Invoice %(invoice)s is not an open posted customer invoice (status %(state)s, "
                    "open amount %(residual)s): a payment plan covers open customer invoices only.",
                    invoice=move.display_name,
                    state=dict(move._fields["state"]._description_selection(self.env)).get(move.state),
                    residual=format_amount(self.env, move.amount_residual_signed, move.company_currency_id),
                )
            )

    def _kakeuri_check_invoice_overlap(self):
        """An invoice is in at most one draft or active plan."""
        self.ensure_one()
        if not self.move_ids:
            return
        others = self.sudo().search(
            [
                ("id", "!=", self.id),
                ("state", "in", ("draft", "active")),
                ("move_ids", "in", self.move_ids.ids),
            ],
            limit=1,
        )
        if others:
            moves = self.move_ids & others.move_ids
            raise ValidationError(
                _(
                    "Invoice %(invoices)s is already in payment plan %(other)s (%(state)s): an "
                    "invoice can be in one draft or active payment plan only, not also in %(plan)s.",
                    invoices=", ".join(moves.mapped("display_name")),
                    other=others.display_name,
                    state=dict(others._fields["state"]._description_selection(self.env)).get(others.state),
                    plan=self.display_name,
                )
            )

    # ------------------------------------------------------------------ CRUD
    def write(self, vals):
        if DRAFT_ONLY_FIELDS & vals.keys():
            self._kakeuri_check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        for plan in self:
            if plan.state not in ("draft", "cancel"):
                raise UserError(
                    _(
                        "Payment plan %(plan)s is %(state)s and cannot be deleted.",
                        plan=plan.display_name,
                        state=plan._kakeuri_state_label(),
                    )
                )

    # ------------------------------------------------------------------ onchanges
    @api.onchange("partner_id", "company_id")
    def _onchange_partner_id(self):
        """A new plan covers the customer's overdue invoices that no other plan holds."""
        if self.partner_id and self.company_id and not self.move_ids:
            self.move_ids = self._kakeuri_plannable_invoices(self.partner_id, self.company_id, overdue=True)

    # ------------------------------------------------------------------ helpers
    def _kakeuri_check_draft(self):
        for plan in self:
            if plan.state != "draft":
                raise UserError(
                    _(
                        "Payment plan %(plan)s is %(state)s: only a draft plan's customer, invoices "
                        "and schedule can be changed.",
                        plan=plan.display_name,
                        state=plan._kakeuri_state_label(),
                    )
                )

    def _kakeuri_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env)).get(self.state)

    def _kakeuri_policy_grace_days(self):
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id.with_company(self.company_id).sudo()
        return customer.kakeuri_credit_policy_id.plan_grace_days or 0

    def _kakeuri_paid_amount(self):
        """Paid or credited on the invoices since activation: the agreed balance less what is
        still open on them (nothing for a draft or a cancelled plan)."""
        self.ensure_one()
        if self.state not in ("active", "done", "broken"):
            return 0.0
        residual = sum(self.move_ids.mapped("amount_residual_signed"))
        paid = self.currency_id.round(self.amount_total - residual)
        return min(max(paid, 0.0), self.amount_total)

    @api.model
    def _kakeuri_plannable_invoices(self, partner, company, overdue=False):
        """The customer's open posted invoices in the company that no draft or active plan
        holds, oldest due first; only those due before today when ``overdue``."""
        domain = [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("company_id", "=", company.id),
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
            ("payment_state", "in", ("not_paid", "partial")),
        ]
        if overdue:
            domain.append(("invoice_date_due", "<", fields.Date.context_today(self)))
        moves = self.env["account.move"].search(domain, order="invoice_date_due, id")
        busy = (
            self.sudo().search([("state", "in", ("draft", "active")), ("move_ids", "in", moves.ids)]).move_ids
        )
        return moves - busy
