# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from collections import defaultdict
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_is_zero, format_date

from .kakeuri_contract import can_commit

_logger = logging.getLogger(__name__)

CHARGE_MOVE_TYPES = ("out_invoice", "out_refund", "out_receipt")

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
    _inherit = ["mail.thread", "mail.activity.mixin"]
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
            if vals.get("name", _("New")) == _("New"):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "kakeuri.billing.statement"
                ) or _("New")
        return super().create(vals_list)

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

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

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

    def action_send(self):
        """Open the mail composer with the statement template and its PDF."""
        self.ensure_one()
        if self.state == "draft":
            self.action_confirm()
        template = self.env.ref("kakeuri_ar.mail_template_billing_statement", raise_if_not_found=False)
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_layout_with_responsible_signature",
                "force_email": True,
                "mail_notify_force_send": False,
                "kakeuri_mark_statement_sent": True,
            },
        }

    def action_send_queued(self):
        """Confirm and Send (list button): queue the statements by mail."""
        sent = self._send_queued()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if sent == self else "warning",
                "message": _(
                    "%(sent)s of %(total)s statement(s) queued for sending; see the chatter of the others.",
                    sent=len(sent),
                    total=len(self),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _send_queued(self):
        """Confirm and queue the statements by mail (used by the closing run); customers
        without an email address are noted in the chatter and left confirmed. Returns the
        statements queued."""
        template = self.env.ref("kakeuri_ar.mail_template_billing_statement")
        self.filtered(lambda s: s.state == "draft").action_confirm()
        to_send = self.filtered(lambda s: s.state in ("confirmed", "sent"))
        no_email = to_send.filtered(lambda s: not s.partner_id.email)
        for statement in no_email:
            statement.message_post(
                body=_(
                    "Not sent: %(partner)s has no email address.", partner=statement.partner_id.display_name
                )
            )
        for statement in to_send - no_email:
            statement.with_context(mail_notify_force_send=False).message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        (to_send - no_email).with_context(kakeuri_statement_transition=True).write({"state": "sent"})
        return to_send - no_email

    def action_view_moves(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.move_ids.ids)]
        action["context"] = {"create": False}
        return action

    def message_post(self, **kwargs):
        if self.env.context.get("kakeuri_mark_statement_sent"):
            self.filtered(lambda s: s.state == "confirmed").with_context(
                kakeuri_mark_statement_sent=False, kakeuri_statement_transition=True
            ).write({"state": "sent"})
        return super().message_post(**kwargs)

    # -------------------------------------------------------------------- crons
    @api.model
    def _cron_close_period(self, date_ref=None, partners=None, companies=None, batch_size=100):
        """Make the statement of every customer with a closing day whose closing date falls on
        or before ``date_ref`` (default: yesterday) and has none yet, when there is activity (a balance or
        movements). Missed closing dates after a customer's last statement are caught up.

        Statements are created in draft, for review before confirmation. Safe to re-run and to
        run twice at once: a unique index allows one live statement per customer, company and
        closing date, and a duplicate made by a parallel run is skipped. Commits per batch of
        customers (outside tests). Returns the created statements."""
        # the daily run closes up to yesterday: a closing day's own sales are booked during it
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self) - timedelta(days=1)
        commit = can_commit(self.env)
        if partners is None:
            partners = self.env["res.partner"].search([("kakeuri_closing_day", ">", 0)])
        partners = partners.commercial_partner_id.filtered(lambda p: p.kakeuri_closing_day)
        companies = companies or self.env["res.company"].search([])
        created = self.browse()
        for company in companies:
            partner_ids = partners.filtered(lambda p, c=company: not p.company_id or p.company_id == c).ids
            for offset in range(0, len(partner_ids), batch_size):
                batch = self.env["res.partner"].browse(partner_ids[offset : offset + batch_size])
                created |= self._close_partners(batch, company, date_ref)
                if commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        _logger.info("kakeuri: closing up to %s created %d billing statement(s)", date_ref, len(created))
        return created

    @api.model
    def _close_partners(self, partners, company, date_ref):
        created = self.browse()
        for partner in partners:
            last = self._last_statement(partner, company)
            if last:
                closing_dates = []
                day = partner._kakeuri_next_closing_date(last.period_end)
                while day <= date_ref:
                    closing_dates.append(day)
                    day = partner._kakeuri_next_closing_date(day)
            else:
                closing_dates = [partner._kakeuri_last_closing_date(date_ref)]
            for closing in closing_dates:
                statement = self._close_one(partner, company, closing, last)
                if statement:
                    created |= statement
                    last = statement
        return created

    @api.model
    def _last_statement(self, partner, company, before=None):
        domain = [("partner_id", "=", partner.id), ("company_id", "=", company.id), ("state", "!=", "cancel")]
        if before:
            domain.append(("period_end", "<", before))
        return self.search(domain, order="period_end desc", limit=1)

    @api.model
    def _statement_exists(self, partner, company, closing):
        return bool(
            self.search_count(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("period_end", "=", closing),
                    ("state", "!=", "cancel"),
                ],
                limit=1,
            )
        )

    @api.model
    def _close_one(self, partner, company, closing, previous):
        """Create the statement of one customer and closing date; None when there is nothing to
        bill or a parallel run made it first."""
        if self._statement_exists(partner, company, closing):
            return None
        vals = self._prepare_statement_vals(partner, company, closing, previous=previous)
        if not vals:
            return None
        try:
            with self.env.cr.savepoint():
                statement = self.create(vals)
                statement._refresh_from_ledger()
                statement.flush_recordset()
        except IntegrityError:
            _logger.info(
                "kakeuri: statement of partner %s for %s made by a parallel run", partner.id, closing
            )
            return None
        except Exception as error:  # noqa: BLE001 - one bad customer must not stop the run
            if self._statement_exists(partner, company, closing):
                return None
            _logger.warning("kakeuri: closing of partner %s for %s failed: %s", partner.id, closing, error)
            partner.message_post(
                body=_(
                    "The billing statement for the closing date %(date)s could not be made: %(reason)s",
                    date=format_date(self.env, closing),
                    reason=error.args[0] if error.args else str(error),
                )
            )
            return None
        return statement

    @api.model
    def _prepare_statement_vals(self, partner, company, closing, previous=None):
        """Values of the statement of ``partner`` for the closing date, or None when the
        customer has no activity (no balance and no movement in the period)."""
        if previous:
            period_start = previous.period_end + timedelta(days=1)
        else:
            prev_closing = partner._kakeuri_last_closing_date(closing - timedelta(days=1))
            period_start = prev_closing + timedelta(days=1)
        balance = self._ledger_balance(partner, company, closing)
        moved = self._ledger_has_movements(partner, company, period_start, closing)
        previous_total = previous.total_due if previous else 0.0
        if not moved and company.currency_id.is_zero(balance) and company.currency_id.is_zero(previous_total):
            return None
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "period_start": period_start,
            "period_end": closing,
            "previous_statement_id": previous.id if previous else False,
        }

    # ------------------------------------------------------------------ ledger
    @api.model
    def _receivable_where(self, partner, company):
        return SQL(
            """
                aml.parent_state = 'posted'
            AND aml.company_id = %s
            AND account.account_type = 'asset_receivable'
            AND partner.commercial_partner_id = %s
            """,
            company.id,
            partner.id,
        )

    @api.model
    def _ledger_balance(self, partner, company, day):
        """Receivable balance of the customer (and its contacts) at the end of ``day``."""
        self.env["account.move.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """
            SELECT COALESCE(SUM(aml.balance), 0)
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner partner ON partner.id = aml.partner_id
             WHERE %s AND aml.date <= %s
                """,
                self._receivable_where(partner, company),
                day,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _ledger_has_movements(self, partner, company, date_from, date_to):
        self.env["account.move.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """
            SELECT 1
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner partner ON partner.id = aml.partner_id
             WHERE %s AND aml.date BETWEEN %s AND %s
             LIMIT 1
                """,
                self._receivable_where(partner, company),
                date_from,
                date_to,
            )
        )
        return bool(self.env.cr.fetchone())

    def _refresh_from_ledger(self):
        """Compute the figures and lines of draft statements from the ledger, oldest closing
        date first (a statement's previous billing is the total due of the one before it)."""
        for statement in self.sorted(lambda s: (s.period_end, s.id)):
            if statement.state != "draft":
                continue
            statement.write(statement._prepare_ledger_vals())

    def _prepare_ledger_vals(self):
        self.ensure_one()
        partner, company = self.partner_id, self.company_id
        currency = company.currency_id
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model()
        previous = self.previous_statement_id
        if previous.state == "cancel" or (not previous and self.period_start):
            previous = self._last_statement(partner, company, before=self.period_start)
        opening = self._ledger_balance(partner, company, self.period_start - timedelta(days=1))
        previous_amount = previous.total_due if previous else opening
        adjustment = currency.round(opening - previous_amount)

        # Receivable movements of the period, per move
        self.env.cr.execute(
            SQL(
                """
            SELECT aml.move_id, move.move_type, SUM(aml.balance)
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner partner ON partner.id = aml.partner_id
              JOIN account_move move ON move.id = aml.move_id
             WHERE %s AND aml.date BETWEEN %s AND %s
          GROUP BY aml.move_id, move.move_type
                """,
                self._receivable_where(partner, company),
                self.period_start,
                self.period_end,
            )
        )
        charges = {}
        paid = 0.0
        for move_id, move_type, balance in self.env.cr.fetchall():
            if move_type in CHARGE_MOVE_TYPES:
                charges[move_id] = balance
            else:
                paid -= balance
        moves = (
            self.env["account.move"].browse(list(charges)).sorted(lambda m: (m.invoice_date or m.date, m.id))
        )
        lines = [fields.Command.clear()]
        untaxed = tax = total = 0.0
        for sequence, move in enumerate(moves, start=1):
            amount_total = charges[move.id]
            amount_untaxed = move.amount_untaxed_signed
            amount_tax = currency.round(amount_total - amount_untaxed)
            untaxed += amount_untaxed
            tax += amount_tax
            total += amount_total
            lines.append(
                fields.Command.create(
                    {
                        "sequence": sequence,
                        "line_type": "refund" if move.move_type == "out_refund" else "invoice",
                        "move_id": move.id,
                        "date": move.invoice_date or move.date,
                        "name": move.name,
                        "description": move.ref or move.invoice_origin or False,
                        "amount_untaxed": amount_untaxed,
                        "amount_tax": amount_tax,
                        "amount_total": amount_total,
                    }
                )
            )
        if not currency.is_zero(adjustment):
            lines.append(
                fields.Command.create(
                    {
                        "sequence": len(moves) + 1,
                        "line_type": "adjustment",
                        "date": self.period_start,
                        "name": _("Adjustment"),
                        "description": _(
                            "Changes to earlier periods booked after statement %(statement)s",
                            statement=previous.name,
                        )
                        if previous
                        else False,
                        "amount_untaxed": adjustment,
                        "amount_tax": 0.0,
                        "amount_total": adjustment,
                    }
                )
            )
        carryover = currency.round(previous_amount - paid)
        vals = {
            "previous_statement_id": previous.id if previous else False,
            "previous_amount": currency.round(previous_amount),
            "paid_amount": currency.round(paid),
            "carryover_amount": carryover,
            "adjustment_amount": adjustment,
            "invoiced_untaxed": currency.round(untaxed),
            "invoiced_tax": currency.round(tax),
            "invoiced_amount": currency.round(total),
            "total_due": currency.round(carryover + adjustment + total),
            "date_due": self._compute_due_date(),
            "move_ids": [fields.Command.set(moves.ids)],
            "line_ids": lines,
            "tax_line_ids": [fields.Command.clear()]
            + [fields.Command.create(vals) for vals in self._prepare_tax_summary_vals(moves)],
        }
        return vals

    def _prepare_tax_summary_vals(self, moves):
        """Base and tax per tax rate of the period's invoices (credit notes negative)."""
        if not moves:
            return []
        self.env.cr.execute(
            SQL(
                """
            SELECT rel.account_tax_id, SUM(-aml.balance)
              FROM account_move_line aml
              JOIN account_move_line_account_tax_rel rel ON rel.account_move_line_id = aml.id
             WHERE aml.move_id = ANY(%s) AND aml.display_type = 'product'
          GROUP BY rel.account_tax_id
                """,
                moves.ids,
            )
        )
        base = dict(self.env.cr.fetchall())
        self.env.cr.execute(
            SQL(
                """
            SELECT aml.tax_line_id, SUM(-aml.balance)
              FROM account_move_line aml
             WHERE aml.move_id = ANY(%s) AND aml.tax_line_id IS NOT NULL
          GROUP BY aml.tax_line_id
                """,
                moves.ids,
            )
        )
        taxed = dict(self.env.cr.fetchall())
        self.env.cr.execute(
            SQL(
                """
            SELECT SUM(-aml.balance)
              FROM account_move_line aml
             WHERE aml.move_id = ANY(%s) AND aml.display_type = 'product'
               AND NOT EXISTS (SELECT 1 FROM account_move_line_account_tax_rel rel
                                WHERE rel.account_move_line_id = aml.id)
                """,
                moves.ids,
            )
        )
        untaxed_base = self.env.cr.fetchone()[0] or 0.0
        currency = self.company_id.currency_id
        taxes = self.env["account.tax"].browse(set(base) | set(taxed)).sorted(lambda t: (-t.amount, t.id))
        result = [
            {
                "tax_id": tax.id,
                "name": tax.invoice_label or tax.name,
                "rate": tax.amount if tax.amount_type == "percent" else 0.0,
                "base_amount": currency.round(base.get(tax.id, 0.0)),
                "tax_amount": currency.round(taxed.get(tax.id, 0.0)),
            }
            for tax in taxes
        ]
        if not currency.is_zero(untaxed_base):
            result.append(
                {
                    "tax_id": False,
                    "name": _("Not taxed"),
                    "rate": 0.0,
                    "base_amount": currency.round(untaxed_base),
                    "tax_amount": 0.0,
                }
            )
        return result

    def _compute_due_date(self):
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id)
        term = partner.property_payment_term_id or partner.kakeuri_credit_policy_id.payment_term_id
        if not term or not term.line_ids:
            return self.period_end
        return max(line._get_due_date(self.period_end) for line in term.line_ids)

    # ------------------------------------------------------------------ report
    def _get_report_base_filename(self):
        self.ensure_one()
        return "%s - %s" % (_("Statement"), self.name.replace("/", "-"))

    def _get_tax_summary_groups(self):
        """Tax summary rows for the PDF, biggest rate first."""
        self.ensure_one()
        groups = defaultdict(lambda: {"base_amount": 0.0, "tax_amount": 0.0})
        for row in self.tax_line_ids:
            group = groups[row.name]
            group["base_amount"] += row.base_amount
            group["tax_amount"] += row.tax_amount
            group["rate"] = row.rate
        return sorted(
            ({"name": name, **vals} for name, vals in groups.items()),
            key=lambda g: -g.get("rate", 0.0),
        )

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

    def _is_zero(self, amount):
        return float_is_zero(amount, precision_rounding=self.currency_id.rounding)


class KakeuriBillingStatementPart(models.AbstractModel):
    """Lines and tax rows of a statement change only while the statement is a draft."""

    _name = "kakeuri.billing.statement.part"
    _description = "Billing Statement Part"

    statement_id = fields.Many2one(
        comodel_name="kakeuri.billing.statement", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="statement_id.company_id", store=True)
    currency_id = fields.Many2one(related="statement_id.currency_id")

    @api.model_create_multi
    def create(self, vals_list):
        statements = self.env["kakeuri.billing.statement"].browse(
            {vals["statement_id"] for vals in vals_list if vals.get("statement_id")}
        )
        statements._check_parts_editable()
        return super().create(vals_list)

    def write(self, vals):
        self.statement_id._check_parts_editable()
        if vals.get("statement_id"):
            self.env["kakeuri.billing.statement"].browse(vals["statement_id"])._check_parts_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_statement(self):
        self.statement_id.exists()._check_parts_editable()


class KakeuriBillingStatementLine(models.Model):
    _name = "kakeuri.billing.statement.line"
    _inherit = ["kakeuri.billing.statement.part"]
    _description = "Billing Statement Line"
    _order = "statement_id, sequence, id"

    sequence = fields.Integer(default=10)
    line_type = fields.Selection(
        selection=[("invoice", "Invoice"), ("refund", "Credit Note"), ("adjustment", "Adjustment")],
        string="Type",
        required=True,
    )
    move_id = fields.Many2one(comodel_name="account.move", string="Document", index="btree_not_null")
    date = fields.Date()
    name = fields.Char(string="Number")
    description = fields.Char()
    amount_untaxed = fields.Monetary(string="Untaxed")
    amount_tax = fields.Monetary(string="Tax")
    amount_total = fields.Monetary(string="Total")


class KakeuriBillingStatementTax(models.Model):
    _name = "kakeuri.billing.statement.tax"
    _inherit = ["kakeuri.billing.statement.part"]
    _description = "Billing Statement Tax Summary"
    _order = "statement_id, rate desc, id"

    tax_id = fields.Many2one(comodel_name="account.tax", string="Tax Record")
    name = fields.Char(string="Tax Rate", required=True)
    rate = fields.Float(digits=(16, 4))
    base_amount = fields.Monetary(string="Base")
    tax_amount = fields.Monetary(string="Tax")
