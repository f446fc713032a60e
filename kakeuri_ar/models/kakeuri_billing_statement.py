# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

# Fields of a statement that only change while it is a draft
FROZEN_FIELDS = (
    "name",
    "partner_id",
    "company_id",
    "period_start",
    "period_end",
    "date_due",
    "previous_statement_id",
    "previous_amount",
    "paid_amount",
    "carryover_amount",
    "adjustment_amount",
    "invoiced_untaxed",
    "invoiced_tax",
    "invoiced_amount",
    "total_due",
    "move_ids",
    "line_ids",
    "tax_line_ids",
    "state",
    "date_confirmed",
)


class KakeuriBillingStatement(models.Model):
    _name = "kakeuri.billing.statement"
    _description = "Closing-Day Billing Statement"
    _inherit = ["mail.thread", "mail.activity.mixin", "kakeuri.sequence.mixin"]
    _order = "period_end desc, partner_id, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Number",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: _("New"),
        index="trigram",
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    period_start = fields.Date(string="Period Start", required=True, readonly=True)
    period_end = fields.Date(
        string="Closing Date", required=True, readonly=True, index=True, help="Last day of the period (締日)."
    )
    date_due = fields.Date(
        string="Due Date",
        readonly=True,
        tracking=True,
        help="The customer's payment terms applied to the closing date.",
    )
    previous_statement_id = fields.Many2one(
        comodel_name="kakeuri.billing.statement", string="Previous Statement", readonly=True
    )
    previous_amount = fields.Monetary(
        string="Previous Billing",
        readonly=True,
        help="Total due on the previous statement (前回請求額); for a first statement, the receivable "
        "balance the day before the period.",
    )
    paid_amount = fields.Monetary(
        string="Payments Received",
        readonly=True,
        help="Payments and other credits to the receivable booked in the period (ご入金額).",
    )
    carryover_amount = fields.Monetary(
        string="Carried Over",
        readonly=True,
        help="Previous billing minus payments received (繰越金額).",
    )
    adjustment_amount = fields.Monetary(
        string="Adjustments",
        readonly=True,
        help="Changes booked after the previous statement to entries of earlier periods (調整額).",
    )
    invoiced_untaxed = fields.Monetary(string="Purchases (untaxed)", readonly=True)
    invoiced_tax = fields.Monetary(string="Tax", readonly=True)
    invoiced_amount = fields.Monetary(
        string="Purchases", readonly=True, help="Invoices less credit notes of the period, taxes included."
    )
    total_due = fields.Monetary(
        string="Total Due",
        readonly=True,
        tracking=True,
        help="Carried over + adjustments + purchases (今回ご請求額): "
        "the receivable balance at the closing date.",
    )
    move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="kakeuri_billing_statement_move_rel",
        column1="statement_id",
        column2="move_id",
        string="Invoices",
        readonly=True,
    )
    line_ids = fields.One2many(
        comodel_name="kakeuri.billing.statement.line",
        inverse_name="statement_id",
        string="Lines",
        readonly=True,
    )
    tax_line_ids = fields.One2many(
        comodel_name="kakeuri.billing.statement.tax",
        inverse_name="statement_id",
        string="Tax Summary",
        readonly=True,
    )
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("confirmed", "Confirmed"),
            ("sent", "Sent"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    date_confirmed = fields.Date(string="Confirmed On", readonly=True, copy=False)
    move_count = fields.Integer(compute="_compute_move_count")

    def init(self):
        res = super().init()
        # the period check is the Python constraint _check_period (its message names the
        # customer and the dates); drop the generic SQL check of earlier versions
        self.env.cr.execute(
            "ALTER TABLE kakeuri_billing_statement "
            "DROP CONSTRAINT IF EXISTS kakeuri_billing_statement_period_check"
        )
        # One live statement per customer, company and closing date, whatever the number of
        # closing runs at once.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS kakeuri_billing_statement_partner_period_uniq
                ON kakeuri_billing_statement (partner_id, company_id, period_end)
             WHERE state != 'cancel'
            """
        )
        return res

    # ------------------------------------------------------------------ computes
    @api.depends("move_ids")
    def _compute_move_count(self):
        for statement in self:
            statement.move_count = len(statement.move_ids)

    @api.depends("partner_id", "period_end")
    def _compute_display_name(self):
        for statement in self:
            if statement.partner_id and statement.period_end:
                statement.display_name = "%s - %s (%s)" % (
                    statement.name,
                    statement.partner_id.display_name,
                    format_date(self.env, statement.period_end),
                )
            else:
                statement.display_name = statement.name

    # --------------------------------------------------------------- constraints
    @api.constrains("period_start", "period_end")
    def _check_period(self):
        for statement in self:
            if (
                statement.period_start
                and statement.period_end
                and statement.period_start > statement.period_end
            ):
                raise ValidationError(
                    _(
                        "Billing statement %(statement)s of %(partner)s: the period starts on %(start)s, "
                        "after its closing date %(end)s.",
                        statement=statement.name,
                        partner=statement.partner_id.display_name,
                        start=format_date(self.env, statement.period_start),
                        end=format_date(self.env, statement.period_end),
                    )
                )

    def _check_no_live_duplicate(self, partner_id, company_id, period_end):
        """Friendly error before the unique index refuses a second live statement."""
        duplicate = self.search(
            [
                ("partner_id", "=", partner_id),
                ("company_id", "=", company_id),
                ("period_end", "=", period_end),
                ("state", "!=", "cancel"),
            ],
            limit=1,
        )
        if duplicate:
            raise ValidationError(
                _(
                    "%(partner)s already has a billing statement for the closing date %(date)s: "
                    "%(statement)s.",
                    partner=duplicate.partner_id.display_name,
                    date=format_date(self.env, duplicate.period_end),
                    statement=duplicate.name,
                )
            )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id") and vals.get("period_end") and vals.get("state", "draft") != "cancel":
                self._check_no_live_duplicate(
                    vals["partner_id"], vals.get("company_id") or self.env.company.id, vals["period_end"]
                )
        return super().create(vals_list)

    def _state_label(self):
        """The state of this statement as the user reads it (translated)."""
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def write(self, vals):
        self._check_frozen(vals)
        return super().write(vals)

    def _check_frozen(self, vals):
        """Only draft statements change. A confirmed, sent or cancelled statement keeps its
        figures and lines; its state moves only through the actions (which set the
        ``kakeuri_statement_transition`` context key), and a statement that was ever confirmed
        is never changed again but by cancelling it. Chatter and activity fields stay free."""
        frozen = set(vals) & set(FROZEN_FIELDS)
        if not frozen:
            return
        if self.env.context.get("kakeuri_statement_transition") and frozen <= {"state", "date_confirmed"}:
            return
        for statement in self:
            if statement.state != "draft":
                raise UserError(
                    _(
                        "Billing statement %(statement)s is %(state)s and frozen: %(fields)s cannot be "
                        "changed. Later changes to its invoices show on the next statement.",
                        statement=statement.display_name,
                        state=statement._state_label(),
                        fields=", ".join(
                            sorted(self._fields[name]._description_string(self.env) for name in frozen)
                        ),
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_or_cancel(self):
        for statement in self:
            if statement.date_confirmed:
                raise UserError(
                    _(
                        "Billing statement %(statement)s was confirmed on %(date)s and cannot be deleted; "
                        "it stays (cancelled if needed) as a record of what the customer was billed.",
                        statement=statement.display_name,
                        date=format_date(self.env, statement.date_confirmed),
                    )
                )
            if statement.state not in ("draft", "cancel"):
                raise UserError(
                    _(
                        "Billing statement %(statement)s is %(state)s; cancel it before deleting it.",
                        statement=statement.display_name,
                        state=statement._state_label(),
                    )
                )

    # ------------------------------------------------------------------ actions
    def action_recompute(self):
        """Read the figures from the ledger again (draft statements only)."""
        for statement in self:
            if statement.state != "draft":
                raise UserError(
                    _(
                        "Billing statement %(statement)s is confirmed and frozen; later changes show on the "
                        "next statement.",
                        statement=statement.display_name,
                    )
                )
        self._refresh_from_ledger()
        return True

    def action_confirm(self):
        """Confirm draft statements, oldest closing date first: each one reads its 前回請求額
        from the statement before it, which must be final by then. A statement whose customer
        still has an earlier draft statement (not confirmed along with it) is refused."""
        drafts = self.filtered(lambda s: s.state == "draft").sorted(lambda s: (s.period_end, s.id))
        for statement in drafts:
            earlier = self.search(
                [
                    ("partner_id", "=", statement.partner_id.id),
                    ("company_id", "=", statement.company_id.id),
                    ("period_end", "<", statement.period_end),
                    ("state", "=", "draft"),
                    ("id", "not in", drafts.ids),
                ],
                order="period_end, id",
                limit=1,
            )
            if earlier:
                raise UserError(
                    _(
                        "Billing statement %(statement)s cannot be confirmed while the earlier statement "
                        "%(earlier)s of the same customer is still in draft: its total due is this "
                        "statement's previous billing. Confirm %(earlier)s first (or both together).",
                        statement=statement.display_name,
                        earlier=earlier.display_name,
                    )
                )
        today = fields.Date.context_today(self)
        for statement in drafts:
            statement._refresh_from_ledger()
            statement.write({"state": "confirmed", "date_confirmed": today})
        return True

    def action_cancel(self):
        for statement in self:
            later = self.search(
                [
                    ("partner_id", "=", statement.partner_id.id),
                    ("company_id", "=", statement.company_id.id),
                    ("period_end", ">", statement.period_end),
                    ("state", "in", ("confirmed", "sent")),
                ],
                order="period_end desc, id desc",
                limit=1,
            )
            if later:
                raise UserError(
                    _(
                        "Billing statement %(statement)s cannot be cancelled: the later statement "
                        "%(later)s (%(state)s) carries its total forward. Cancel %(later)s first.",
                        statement=statement.display_name,
                        later=later.display_name,
                        state=later._state_label(),
                    )
                )
        self.with_context(kakeuri_statement_transition=True).write({"state": "cancel"})
        return True

    def action_draft(self):
        for statement in self.filtered(lambda s: s.state == "cancel"):
            if statement.date_confirmed:
                raise UserError(
                    _(
                        "Billing statement %(statement)s was confirmed on %(date)s and cannot be reset to "
                        "draft: what the customer received stays as it was. Leave it cancelled and run "
                        "the closing again for %(closing)s to make a new statement under a new number, "
                        "or keep it confirmed and let the next statement carry the difference.",
                        statement=statement.display_name,
                        date=format_date(self.env, statement.date_confirmed),
                        closing=format_date(self.env, statement.period_end),
                    )
                )
            self._check_no_live_duplicate(
                statement.partner_id.id, statement.company_id.id, statement.period_end
            )
            statement.with_context(kakeuri_statement_transition=True).state = "draft"
        self.filtered(lambda s: s.state == "draft")._refresh_from_ledger()
        return True

    def _check_parts_editable(self):
        for statement in self:
            if statement.state != "draft":
                raise UserError(
                    _(
                        "Billing statement %(statement)s is %(state)s and frozen: its lines and tax "
                        "summary cannot be changed.",
                        statement=statement.display_name,
                        state=statement._state_label(),
                    )
                )
