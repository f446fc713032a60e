# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models, modules
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date

_logger = logging.getLogger(__name__)


def can_commit(env):
    """Whether a cron may commit per batch: never inside tests (Odoo's runner sets
    ``current_test``; pytest-odoo on 18.0 does not, but test cursors refuse commits) nor when
    the caller asks so with the ``kakeuri_no_commit`` context key."""
    if env.context.get("kakeuri_no_commit") or modules.module.current_test or env.registry.in_test_mode():
        return False
    return getattr(env.cr.commit, "__name__", "") != "forbidden"


RECURRING_RULES = [
    ("weekly", "Week(s)"),
    ("monthly", "Month(s)"),
    ("quarterly", "Quarter(s)"),
    ("yearly", "Year(s)"),
]


class KakeuriContract(models.Model):
    _name = "kakeuri.contract"
    _description = "Recurring Tab-Sale Contract"
    _inherit = ["mail.thread", "mail.activity.mixin"]
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
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "kakeuri.contract"
                ) or _("New")
        return super().create(vals_list)

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
        index = self._period_index_at(today)
        if self._get_period_start(index) < today:
            index += 1
        new_next = self._get_period_start(index)
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
        moves = contracts._generate_invoices(fields.Date.context_today(self))
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
        never bill the same contract at once; each batch is committed (outside tests). A unique
        index on (contract, period start) of non-cancelled invoices makes double billing
        impossible whatever happens. A contract that fails is logged on its chatter and left
        for the next run. ``contract_ids`` limits the run to these contracts."""
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        commit = can_commit(self.env)
        done_ids = []
        created = 0
        while True:
            self.env["kakeuri.contract"].flush_model(["state", "next_invoice_date", "rebill_period_starts"])
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
              ORDER BY next_invoice_date, id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                    """,
                    date_ref,
                    date_ref,
                    done_ids,
                    contract_ids is None,
                    list(contract_ids or []),
                    batch_size,
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if not ids:
                break
            done_ids += ids
            contracts = self.browse(ids)
            moves = contracts._generate_invoices(date_ref)
            created += len(moves)
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.invalidate_all()
        _logger.info("kakeuri: contract billing up to %s created %d invoice(s)", date_ref, created)
        return created

    # ------------------------------------------------------------------ billing
    def _generate_invoices(self, date_ref):
        """Create the invoices of every due period of these contracts, post and queue them as
        configured; return the created moves. Errors are logged per contract, never raised."""
        Move = self.env["account.move"]
        billed = self._get_billed_periods()
        plans = {}
        vals_list = []
        owners = []
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
            vals_list += contract_vals
            owners += [contract] * len(contract_vals)

        moves = complete = Move
        failed = self.browse()
        if vals_list:
            try:
                with self.env.cr.savepoint():
                    moves, complete = self._create_invoices(vals_list)
            except Exception:  # noqa: BLE001 - retry contract by contract to isolate the culprit
                moves = complete = Move
                for contract in plans:
                    own_vals = [
                        vals for vals, owner in zip(vals_list, owners, strict=True) if owner == contract
                    ]
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
        ok_plans = {c: p for c, p in plans.items() if c not in failed}
        previous_dates = {contract: contract.next_invoice_date for contract in ok_plans}
        finished = self._update_after_billing(ok_plans)
        if moves:
            self._post_generated_invoices(moves, complete)
            self._queue_generated_invoices(moves)
        self._log_billing(moves, finished, previous_dates)
        return moves

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
    def _complete_invoice_context(self):
        """Context of creating and posting invoices made with all their journal items: Odoo's
        synchronisation of tax, receivable and line amounts is skipped (the balance check is
        not)."""
        return {"skip_invoice_sync": True, "skip_invoice_line_sync": True}

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
        date_from = self.next_invoice_date or self.date_start
        # the first period starting on or after the next invoice date (as in _iter_periods)
        index = self._period_index_at(date_from)
        if self._get_period_start(index) < date_from:
            index += 1
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

    def _prepare_invoice_vals(self, period_start, period_end, factor=1.0):
        """Values of the customer invoice of one period."""
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

    def _prepare_journal_items(self, line_vals_list, fiscal_position, invoice_date):
        """Every journal item of a period's invoice, as Odoo's line synchronisation would make
        them: the product lines with their account, amounts and tax tags, one tax line per tax
        repartition (``account.move._sync_tax_lines``) and one receivable line per due date of
        the payment terms (``needed_terms``), all computed with Odoo's own tax and payment term
        helpers. The invoice is then created complete and skips that synchronisation, which
        compares every line before and after each write: a third of the cost of a generated
        invoice. Return None when the invoice uses something this does not reproduce (a foreign
        currency, an early payment discount, a discount allocation account, cash basis taxes,
        analytic distribution models, a line without product or income account): Odoo then adds
        the tax and receivable lines itself, from the invoice lines."""
        self.ensure_one()
        company = self.company_id
        currency = self.currency_id
        term = self.payment_term_id
        Tax = self.env["account.tax"]
        if (
            not line_vals_list
            or currency != company.currency_id
            or term.early_discount
            or self._has_analytic_distribution_models()
            or (
                company.account_discount_expense_allocation_id
                and any(vals["discount"] for vals in line_vals_list)
            )
        ):
            return None
        lines = []
        for vals in line_vals_list:
            product = self.env["product.product"].browse(vals.get("product_id"))
            taxes = Tax.browse(vals["tax_ids"][0][2])
            if not product or any(
                tax.tax_exigibility == "on_payment" for tax in taxes.flatten_taxes_hierarchy()
            ):
                return None
            account = product.with_company(company).product_tmpl_id.get_product_accounts(
                fiscal_pos=fiscal_position
            )["income"]
            if not account:
                return None
            lines.append((vals, product, taxes, account))
        partner = self.partner_id.commercial_partner_id
        base_lines = [
            Tax._prepare_base_line_for_taxes_computation(
                None,
                product_id=product,
                tax_ids=taxes,
                price_unit=vals["price_unit"],
                quantity=vals["quantity"],
                discount=vals["discount"],
                currency_id=currency,
                partner_id=partner,
                account_id=account,
                rate=1.0,
                sign=-1,
                is_refund=False,
                tax_tag_invert=bool(taxes),
            )
            for vals, product, taxes, account in lines
        ]
        Tax._add_tax_details_in_base_lines(base_lines, company)
        Tax._round_base_lines_tax_details(base_lines, company)
        Tax._add_accounting_data_in_base_lines_tax_details(base_lines, company)
        tax_results = Tax._prepare_tax_lines(base_lines, company)
        items = []
        untaxed = 0.0
        # the fields Odoo would compute line by line are given too: no analytic distribution
        # (no distribution model applies), the line totals of account.move.line._compute_totals
        for (vals, _product, _taxes, account), (base_line, amounts) in zip(
            lines, tax_results["base_lines_to_update"], strict=True
        ):
            details = base_line["tax_details"]
            items.append(
                {
                    **vals,
                    **amounts,
                    "display_type": "product",
                    "account_id": account.id,
                    "analytic_distribution": False,
                    "price_subtotal": details["raw_total_excluded_currency"],
                    "price_total": details["raw_total_included_currency"],
                }
            )
            untaxed -= amounts["balance"]
        tax_amount = 0.0
        for tax_vals in tax_results["tax_lines_to_add"]:
            items.append({**tax_vals, "display_type": "tax", "price_subtotal": 0.0, "price_total": 0.0})
            tax_amount -= tax_vals["balance"]
        # receivable lines: by due date, as account.move._compute_needed_terms
        due = defaultdict(float)
        if term:
            terms = term._compute_terms(
                date_ref=invoice_date,
                currency=currency,
                company=company,
                tax_amount=tax_amount,
                tax_amount_currency=tax_amount,
                sign=1,
                untaxed_amount=untaxed,
                untaxed_amount_currency=untaxed,
            )
            for term_line in terms["line_ids"]:
                due[fields.Date.to_date(term_line["date"])] += term_line["company_amount"]
        else:
            # no payment terms: Odoo makes the invoice due on the day it is created
            due[fields.Date.context_today(self)] = untaxed + tax_amount
        for date_maturity, amount in due.items():
            amount = currency.round(amount)
            items.append(
                {
                    "display_type": "payment_term",
                    "date_maturity": date_maturity,
                    "balance": amount,
                    "amount_currency": amount,
                    "discount_date": False,
                    "discount_balance": 0.0,
                    "discount_amount_currency": 0.0,
                    "analytic_distribution": False,
                    "price_subtotal": 0.0,
                    "price_total": 0.0,
                }
            )
        return items

    def _has_analytic_distribution_models(self):
        """Whether analytic distribution models may give the invoice lines (and so some tax
        lines) an analytic distribution. A billing run looks them up once per batch
        (context key ``kakeuri_analytic_model_company_ids``)."""
        self.ensure_one()
        company_ids = self.env.context.get("kakeuri_analytic_model_company_ids")
        if company_ids is None:
            company_ids = self._get_analytic_model_company_ids()
        return self.company_id.id in company_ids

    def _get_analytic_model_company_ids(self):
        """Ids of the companies of these contracts that analytic distribution models apply to."""
        groups = (
            self.env["account.analytic.distribution.model"]
            .sudo()
            ._read_group([("company_id", "in", [False, *self.company_id.ids])], ["company_id"])
        )
        if any(not company for (company,) in groups):  # a model shared by all companies
            return self.company_id.ids
        return [company.id for (company,) in groups]

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

    def _log_billing(self, moves, finished, previous_dates=None):
        """One chatter note per contract listing its new invoices and its new next invoice date
        (``previous_dates``: {contract: next invoice date before the run}), and one per invoice
        saying where it comes from."""
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
        # one INSERT each instead of an ORM create per note (two notes per invoice)
        self.env["mail.message"]._kakeuri_log_notes_bulk(self._name, bodies)
        self.env["mail.message"]._kakeuri_log_notes_bulk("account.move", move_bodies)

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
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=note,
            user_id=(self.user_id or self.env.user).id,
        )
        self.message_post(body=note)
        move.message_post(body=note)

    def _log_billing_failure(self, error):
        self.ensure_one()
        _logger.warning("kakeuri: contract %s (id %s) not billed: %s", self.name, self.id, error)
        self.env.invalidate_all()
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
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=body,
            user_id=(self.user_id or self.env.user).id,
        )

    @api.model
    def _error_text(self, error):
        if isinstance(error, UserError | ValidationError):
            return error.args[0] if error.args else str(error)
        return "%s: %s" % (type(error).__name__, error)

    # ------------------------------------------------------------------ periods
    def _get_period_step(self, count=1):
        self.ensure_one()
        interval = self.recurring_interval * count
        return {
            "weekly": relativedelta(weeks=interval),
            "monthly": relativedelta(months=interval),
            "quarterly": relativedelta(months=3 * interval),
            "yearly": relativedelta(years=interval),
        }[self.recurring_rule]

    def _get_period_start(self, index):
        """Start of period ``index`` (0 = first), always counted from the start date so a
        contract starting on the 31st bills on Jan 31, Feb 28/29, Mar 31..."""
        self.ensure_one()
        return self.date_start + self._get_period_step(index)

    def _get_period(self, index):
        """(start, end, factor) of period ``index``; the end date cuts the last one short and
        ``factor`` is the share billed (1.0 unless pro rata is on)."""
        self.ensure_one()
        start = self._get_period_start(index)
        full_end = self._get_period_start(index + 1) - timedelta(days=1)
        end = full_end
        factor = 1.0
        if self.date_end and self.date_end < full_end:
            end = self.date_end
            if self.prorate_last_period:
                factor = ((end - start).days + 1) / ((full_end - start).days + 1)
        return start, end, factor

    def _period_index_at(self, day):
        """Index of the period containing ``day`` (0 when before the start)."""
        self.ensure_one()
        if day <= self.date_start:
            return 0
        if self.recurring_rule == "weekly":
            index = (day - self.date_start).days // (7 * self.recurring_interval)
        else:
            months = (day.year - self.date_start.year) * 12 + day.month - self.date_start.month
            per = {"monthly": 1, "quarterly": 3, "yearly": 12}[self.recurring_rule] * self.recurring_interval
            index = max(months // per, 0)
        while index > 0 and self._get_period_start(index) > day:
            index -= 1
        while self._get_period_start(index + 1) <= day:
            index += 1
        return index

    def _iter_periods(self, date_from, date_to):
        """Periods (start, end, factor) whose start lies in [date_from, date_to]."""
        self.ensure_one()
        index = self._period_index_at(date_from)
        if self._get_period_start(index) < date_from:
            index += 1
        while True:
            start = self._get_period_start(index)
            if start > date_to or (self.date_end and start > self.date_end):
                return
            yield self._get_period(index)
            index += 1

    def _first_unbilled_index(self):
        self.ensure_one()
        billed = self._get_billed_periods().get(self.id, set()) if self.id else set()
        index = 0
        while self._get_period_start(index) in billed:
            index += 1
        return index

    def _get_rebill_starts(self):
        """Sorted start dates of the periods to bill again."""
        self.ensure_one()
        return sorted({fields.Date.to_date(start) for start in self.rebill_period_starts or []})

    def _set_rebill_starts(self, starts):
        self.ensure_one()
        self.rebill_period_starts = sorted({fields.Date.to_string(start) for start in starts}) or False

    def _format_period(self, start, end):
        return _(
            "Period %(start)s – %(end)s",
            start=format_date(self.env, start),
            end=format_date(self.env, end),
        )

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
