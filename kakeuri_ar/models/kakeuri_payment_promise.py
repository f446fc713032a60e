# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from ..report.receivable_ledger import INVOICE_MOVE_TYPES


class KakeuriPaymentPromise(models.Model):
    """A promise to pay (支払約束): the customer says it will pay an amount by a date.

    While it is open, dunning leaves the promised amount out until the promise's deadline (its
    date plus the grace of the customer's credit policy) and reminds the rest; what it sets aside
    is read by ``kakeuri.receivable.ledger._holds_query``. It is judged kept as soon as the
    customer's payments dated from the day it was recorded cover it, broken when the deadline
    passes without (``_settle``, run daily and by each dunning run)."""

    _name = "kakeuri.payment.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread", "mail.activity.mixin", "kakeuri.batch.mixin"]
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        help="The customer (commercial partner) who promised to pay.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(
        string="Promised Amount",
        currency_field="currency_id",
        required=True,
        tracking=True,
        compute="_compute_amount",
        store=True,
        readonly=False,
        precompute=True,
        help="In company currency; by default the open amount of the invoices it covers.",
    )
    date = fields.Date(string="Promised Date", required=True, tracking=True)
    date_start = fields.Date(
        string="Recorded On",
        required=True,
        default=fields.Date.context_today,
        help="Payments dated from this day up to the deadline count towards the promise.",
    )
    date_deadline = fields.Date(
        string="Deadline",
        compute="_compute_date_deadline",
        store=True,
        help="The promised date plus the grace days of the customer's credit policy: dunning "
        "leaves the promised amount out until this day; after it an unpaid promise is broken.",
    )
    move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="kakeuri_payment_promise_move_rel",
        column1="promise_id",
        column2="move_id",
        string="Invoices",
        compute="_compute_move_ids",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_receipt')), ('state', '=', 'posted'),"
        " ('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id)]",
        help="The invoices the promise covers; none means the customer's overdue invoices. "
        "By default its overdue open invoices.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Taken By",
        default=lambda self: self.env.user,
        tracking=True,
        help="Who took the promise: the collector who gets an activity if it is broken.",
    )
    dunning_line_id = fields.Many2one(
        comodel_name="kakeuri.dunning.line",
        string="From Reminder",
        ondelete="set null",
        index="btree_not_null",
    )
    note = fields.Text()
    state = fields.Selection(
        selection=[("open", "Open"), ("kept", "Kept"), ("broken", "Broken"), ("cancel", "Cancelled")],
        required=True,
        default="open",
        index=True,
        tracking=True,
    )
    date_checked = fields.Date(
        string="Last Judged",
        readonly=True,
        copy=False,
        help="The last day the promise was judged (kept, broken or still open).",
    )
    amount_paid = fields.Monetary(
        string="Paid",
        currency_field="currency_id",
        compute="_compute_amount_paid",
        help="The customer's payments dated from the day the promise was recorded up to its "
        "deadline (or today, if earlier), in company currency.",
    )
    amount_residual = fields.Monetary(
        string="Still Promised",
        currency_field="currency_id",
        compute="_compute_amount_paid",
    )

    # ------------------------------------------------------------------ computes
    @api.depends("partner_id", "amount", "date", "currency_id")
    def _compute_display_name(self):
        for promise in self:
            if not promise.partner_id:
                promise.display_name = _("New Promise to Pay")
                continue
            promise.display_name = _(
                "%(customer)s: %(amount)s by %(date)s",
                customer=promise.partner_id.display_name,
                amount=format_amount(self.env, promise.amount, promise.currency_id),
                date=format_date(self.env, promise.date) if promise.date else "-",
            )

    @api.depends("date", "partner_id", "company_id")
    def _compute_date_deadline(self):
        for promise in self:
            if not promise.date:
                promise.date_deadline = False
                continue
            policy = promise.partner_id.with_company(promise.company_id).sudo().kakeuri_credit_policy_id
            promise.date_deadline = fields.Date.add(promise.date, days=policy.promise_grace_days or 0)

    @api.depends("partner_id", "company_id")
    def _compute_move_ids(self):
        # only while it is being recorded: a recorded promise keeps the invoices it was given
        for promise in self:
            if promise._origin or not promise.partner_id or not promise.company_id:
                promise.move_ids = promise.move_ids
                continue
            promise.move_ids = self._get_overdue_invoices(promise.partner_id, promise.company_id)

    @api.depends("move_ids")
    def _compute_amount(self):
        for promise in self:
            if promise._origin:
                promise.amount = promise.amount
                continue
            promise.amount = sum(promise.move_ids.sudo().mapped("amount_residual_signed"))

    @api.depends("partner_id", "company_id", "date_start", "date_deadline", "amount")
    def _compute_amount_paid(self):
        today = fields.Date.context_today(self)
        paid = self._get_paid_amounts(today)
        for promise in self:
            promise.amount_paid = paid.get(promise.id, 0.0)
            promise.amount_residual = max(promise.amount - promise.amount_paid, 0.0)

    # ------------------------------------------------------------------ constraints
    @api.constrains("amount")
    def _check_amount(self):
        for promise in self:
            if promise.currency_id.compare_amounts(promise.amount, 0) <= 0:
                raise ValidationError(
                    _(
                        "Promise to pay of %(customer)s: the promised amount must be positive, "
                        "not %(amount)s.",
                        customer=promise.partner_id.display_name,
                        amount=format_amount(self.env, promise.amount, promise.currency_id),
                    )
                )

    @api.constrains("date", "date_start")
    def _check_date(self):
        for promise in self:
            if promise.date < promise.date_start:
                raise ValidationError(
                    _(
                        "Promise to pay of %(customer)s: the promised date %(date)s is before the day "
                        "it is recorded (%(start)s): a promise in the past.",
                        customer=promise.partner_id.display_name,
                        date=format_date(self.env, promise.date),
                        start=format_date(self.env, promise.date_start),
                    )
                )

    @api.constrains("move_ids", "partner_id", "company_id")
    def _check_move_ids(self):
        for promise in self:
            for move in promise.sudo().move_ids:
                if move.move_type not in INVOICE_MOVE_TYPES or move.state != "posted":
                    message = _(
                        "Promise to pay of %(customer)s: %(invoice)s is not a posted customer invoice.",
                        customer=promise.partner_id.display_name,
                        invoice=move.display_name,
                    )
                elif move.commercial_partner_id != promise.partner_id:
                    message = _(
                        "Promise to pay of %(customer)s: invoice %(invoice)s is of another customer "
                        "(%(other)s).",
                        customer=promise.partner_id.display_name,
                        invoice=move.display_name,
                        other=move.commercial_partner_id.display_name,
                    )
                elif move.company_id != promise.company_id:
                    message = _(
                        "Promise to pay of %(customer)s: invoice %(invoice)s is of another company "
                        "(%(company)s).",
                        customer=promise.partner_id.display_name,
                        invoice=move.display_name,
                        company=move.company_id.name,
                    )
                else:
                    continue
                raise ValidationError(message)

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalize_partner(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._normalize_partner(vals)
        return super().write(vals)

    @api.model
    def _normalize_partner(self, vals):
        """A promise is the customer's: a contact given stands for its commercial partner."""
        if vals.get("partner_id"):
            vals["partner_id"] = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id

    # ------------------------------------------------------------------ actions
    def action_cancel(self):
        for promise in self:
            if promise.state != "open":
                raise UserError(
                    _(
                        "%(promise)s is %(state)s: only an open promise can be cancelled.",
                        promise=promise.display_name,
                        state=dict(self._fields["state"]._description_selection(self.env))[promise.state],
                    )
                )
        self.write({"state": "cancel"})
        return True

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }

    @api.model
    def _action_record(self, partner, company, moves=None, dunning_line=None):
        """The dialog that records a promise of ``partner`` to ``company``: its invoices are
        ``moves``, or its overdue ones; the amount is their open amount."""
        context = {
            "default_partner_id": partner.commercial_partner_id.id,
            "default_company_id": company.id,
            "default_user_id": self.env.user.id,
        }
        if moves:
            context["default_move_ids"] = [Command.set(moves.ids)]
        if dunning_line:
            context["default_dunning_line_id"] = dunning_line.id
        return {
            "type": "ir.actions.act_window",
            "name": _("Promise to Pay"),
            "res_model": "kakeuri.payment.promise",
            "view_mode": "form",
            "views": [(self.env.ref("kakeuri_ar.view_kakeuri_payment_promise_form").id, "form")],
            "target": "new",
            "context": context,
        }

    # ------------------------------------------------------------------ helpers
    @api.model
    def _get_overdue_invoices(self, partner, company, date=None):
        """The customer's invoices with an amount overdue in ``company`` on ``date`` (today)."""
        date = date or fields.Date.context_today(self)
        ledger = self.env["kakeuri.receivable.ledger"]
        ledger._flush()
        rows = self.env.execute_query(
            ledger._overdue_invoices_query(
                company.ids, date, commercial_partner_ids=partner.commercial_partner_id.ids
            )
        )
        move_ids = sorted({row[2] for row in rows})
        return self.env["account.move"].browse(move_ids)

    def _get_paid_amounts(self, date):
        """{promise id: the customer's payments dated from the promise's recording to its
        deadline, or ``date`` if earlier}, in company currency."""
        Candidates = self.env["kakeuri.dunning.candidates"]
        paid = {}
        promises = self.filtered(lambda p: p.partner_id and p.company_id and p.date_start and p.date)
        for company, company_promises in promises.grouped("company_id").items():
            # one query per set of promises with distinct customers
            pending = list(company_promises)
            while pending:
                batch, rest, seen = [], [], set()
                for promise in pending:
                    (rest if promise.partner_id.id in seen else batch).append(promise)
                    seen.add(promise.partner_id.id)
                ranges = {
                    p.partner_id.id: (p.date_start, min(p.date_deadline or p.date, date)) for p in batch
                }
                by_partner = Candidates.get_promise_payments(company, ranges)
                paid.update({p.id: float(by_partner.get(p.partner_id.id, 0.0)) for p in batch})
                pending = rest
        return paid
