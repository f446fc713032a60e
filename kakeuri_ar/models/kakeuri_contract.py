# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from .kakeuri_recurrence_mixin import RECURRING_RULES


class KakeuriContract(models.Model):
    _name = "kakeuri.contract"
    _description = "Recurring Tab-Sale Contract"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "kakeuri.sequence.mixin",
        "kakeuri.recurrence.mixin",
        "kakeuri.batch.mixin",
    ]
    _order = "next_invoice_date, name, id"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
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
        index=True,
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        string="Currency",
        required=True,
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Gets an activity when a generated invoice cannot be posted or billed.",
    )
    journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Journal",
        required=True,
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('type', '=', 'sale')]",
        check_company=True,
    )
    payment_term_id = fields.Many2one(
        comodel_name="account.payment.term",
        string="Payment Terms",
        compute="_compute_payment_term_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        check_company=True,
        help="Defaults to the payment terms of the customer's credit policy, "
        "else to the customer's own payment terms.",
    )
    line_ids = fields.One2many(
        comodel_name="kakeuri.contract.line",
        inverse_name="contract_id",
        string="Lines",
        copy=True,
    )
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("active", "Active"),
            ("paused", "Paused"),
            ("closed", "Closed"),
        ],
        default="draft",
        required=True,
        copy=False,
        index=True,
        tracking=True,
    )
    date_start = fields.Date(
        string="Start Date",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="First day of the first period. Later periods start on the same day of the month "
        "(or the month's last day when it is shorter).",
    )
    date_end = fields.Date(
        string="End Date",
        tracking=True,
        help="Last day billed. A period cut short by the end date ends on it.",
    )
    recurring_rule = fields.Selection(
        selection=RECURRING_RULES,
        string="Recurrence",
        default="monthly",
        required=True,
        tracking=True,
    )
    recurring_interval = fields.Integer(
        string="Repeat Every",
        default=1,
        required=True,
        tracking=True,
        help="Bill every N weeks, months, quarters or years.",
    )
    next_invoice_date = fields.Date(
        string="Next Invoice Date",
        copy=False,
        index=True,
        tracking=True,
        help="Start of the next period to bill. The daily run bills every period that starts on "
        "or before today, from this date on.",
    )
    rebill_period_starts = fields.Json(
        string="Periods to Bill Again",
        copy=False,
        help="Start dates (ISO) of periods before the next invoice date whose invoice was deleted or "
        "cancelled: the next run bills exactly these periods again.",
    )
    billing_failed_date = fields.Date(
        string="Billing Failed On",
        readonly=True,
        copy=False,
        help="Last day the billing run could not bill this contract (the reason is in the chatter). "
        "The scheduled run does not try it again that day; Bill Now does.",
    )
    rebill_periods_text = fields.Char(
        string="Billed Again Next Run",
        compute="_compute_rebill_periods_text",
        help="Periods whose invoice was deleted or cancelled; the next run bills them again.",
    )
    prorate_last_period = fields.Boolean(
        string="Prorate Last Period",
        help="When the end date cuts the last period short, bill it by days (日割り); "
        "otherwise the last period is billed in full.",
    )
    auto_post = fields.Boolean(
        string="Post Automatically",
        default=True,
        help="Post generated invoices. An invoice that cannot be posted (e.g. the customer's credit "
        "is blocked) stays in draft and the responsible gets an activity.",
    )
    auto_send = fields.Boolean(
        string="Send Automatically",
        help="Queue posted invoices for sending by email (in the background).",
    )
    invoice_ids = fields.One2many(
        comodel_name="account.move",
        inverse_name="kakeuri_contract_id",
        string="Invoices",
        readonly=True,
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    amount_untaxed = fields.Monetary(
        string="Amount per Period",
        compute="_compute_amount_untaxed",
        help="Untaxed amount billed each full period.",
    )
    note = fields.Text(string="Terms", help="Printed on every invoice of the contract.")

    # ------------------------------------------------------------------ computes
    @api.depends("company_id")
    def _compute_currency_id(self):
        for contract in self:
            contract.currency_id = (contract.company_id or self.env.company).currency_id

    @api.depends("company_id")
    def _compute_journal_id(self):
        for contract in self:
            company = contract.company_id or self.env.company
            if contract.journal_id.company_id == company:
                continue
            contract.journal_id = self.env["account.journal"].search(
                [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "sale")],
                limit=1,
            )

    @api.depends("partner_id", "company_id")
    def _compute_payment_term_id(self):
        for contract in self:
            partner = contract.partner_id.commercial_partner_id.with_company(
                contract.company_id or self.env.company
            )
            contract.payment_term_id = (
                partner.kakeuri_credit_policy_id.payment_term_id or partner.property_payment_term_id
            )

    @api.depends("rebill_period_starts", "date_start", "recurring_rule", "recurring_interval", "date_end")
    def _compute_rebill_periods_text(self):
        for contract in self:
            contract.rebill_periods_text = (
                ", ".join(
                    contract._format_period(*contract._get_period(contract._period_index_at(start))[:2])
                    for start in contract._get_rebill_starts()
                )
                or False
            )

    def _compute_invoice_count(self):
        counts = dict(
            self.env["account.move"]._read_group(
                [("kakeuri_contract_id", "in", self.ids)], ["kakeuri_contract_id"], ["__count"]
            )
        )
        for contract in self:
            contract.invoice_count = counts.get(contract, 0)

    @api.depends("line_ids.price_subtotal")
    def _compute_amount_untaxed(self):
        for contract in self:
            contract.amount_untaxed = sum(contract.line_ids.mapped("price_subtotal"))

    # --------------------------------------------------------------- constraints
    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if contract.date_end and contract.date_end < contract.date_start:
                raise ValidationError(
                    _(
                        "Contract %(contract)s: the end date %(end)s is before the start date %(start)s.",
                        contract=contract.display_name,
                        end=format_date(self.env, contract.date_end),
                        start=format_date(self.env, contract.date_start),
                    )
                )

    @api.constrains("recurring_interval")
    def _check_recurring_interval(self):
        for contract in self:
            if contract.recurring_interval < 1:
                raise ValidationError(
                    _(
                        "Contract %(contract)s: “Repeat Every” is %(interval)s; it must be at least 1.",
                        contract=contract.display_name,
                        interval=contract.recurring_interval,
                    )
                )

    @api.constrains("state", "line_ids")
    def _check_lines_when_running(self):
        for contract in self:
            emptied = self.env.context.get("kakeuri_check_emptied")
            if contract.state in ("active", "paused") and (emptied or not contract.line_ids):
                raise ValidationError(
                    _(
                        "Contract %(contract)s has no lines: add what is billed each period before "
                        "activating it.",
                        contract=contract.display_name,
                    )
                )

    # ------------------------------------------------------------------ CRUD
    def write(self, vals):
        if "line_ids" in vals:
            # lines deleted through the form are checked by _check_lines_when_running once the
            # whole write is done (a line may be replaced by another in the same save)
            self = self.with_context(kakeuri_contract_lines_write=True)  # noqa: PLW0642
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        for contract in self:
            if contract.invoice_ids:
                raise UserError(
                    _(
                        "Contract %(contract)s has invoices and cannot be deleted; close it instead.",
                        contract=contract.display_name,
                    )
                )

    # ------------------------------------------------------------------ actions
    def action_activate(self):
        """Activate a draft contract (periods since its start are caught up) or reopen a closed
        one: like resuming, periods that started while it was closed are not billed."""
        for contract in self:
            if contract.state not in ("draft", "closed"):
                continue
            reopening = contract.state == "closed"
            vals = {"state": "active"}
            if not contract.next_invoice_date:
                vals["next_invoice_date"] = contract._get_period_start(contract._first_unbilled_index())
            contract.write(vals)
            if reopening:
                contract._skip_periods_until_today("closed")
        return True

    def action_pause(self):
        self.filtered(lambda c: c.state == "active").write({"state": "paused"})
        return True

    def action_resume(self):
        """Resume billing. Periods that started while the contract was paused are not billed
        (nothing was delivered); billing restarts with the first period starting today or later,
        unless the next invoice date was set later by hand."""
        for contract in self.filtered(lambda c: c.state == "paused"):
            contract.write({"state": "active"})
            contract._skip_periods_until_today("paused")
        return True

    def _skip_periods_until_today(self, reason):
        """Move the next invoice date to the first period starting today or later: the periods
        in between are not billed (the contract was paused or closed). Periods whose invoice was
        deleted or cancelled stay to be billed again. The chatter lists the periods skipped that
        really have no invoice. ``reason``: 'paused' or 'closed'."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        nxt = self.next_invoice_date
        if not nxt or nxt >= today:
            return
        new_next = self._get_period_start(self._first_period_index_from(today))
        kept = self._get_billed_periods().get(self.id, set()) | set(self._get_rebill_starts())
        skipped = [
            self._format_period(start, end)
            for start, end, _factor in self._iter_periods(nxt, new_next - timedelta(days=1))
            if start not in kept
        ]
        self.next_invoice_date = new_next
        if not skipped:
            return
        if reason == "closed":
            body = _(
                "Reopened: the periods that started while the contract was closed are not billed: "
                "%(periods)s.",
                periods=", ".join(skipped),
            )
        else:
            body = _(
                "Resumed: the periods that started while paused are not billed: %(periods)s.",
                periods=", ".join(skipped),
            )
        self.message_post(body=body)

    def action_close(self):
        self.filtered(lambda c: c.state != "closed").write({"state": "closed"})
        return True

    def action_draft(self):
        for contract in self:
            if contract.invoice_ids:
                raise UserError(
                    _(
                        "Contract %(contract)s already has invoices; pause or close it instead.",
                        contract=contract.display_name,
                    )
                )
        self.write({"state": "draft", "next_invoice_date": False})
        return True

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("kakeuri_contract_id", "=", self.id)]
        action["context"] = {
            "default_move_type": "out_invoice",
            "default_partner_id": self.partner_id.id,
            "create": False,
        }
        return action
