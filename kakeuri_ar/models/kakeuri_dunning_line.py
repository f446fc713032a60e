# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import datetime

from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError


class KakeuriDunningLine(models.Model):
    _name = "kakeuri.dunning.line"
    _description = "Dunning Line"
    _order = "run_id desc, amount_overdue desc, id"

    run_id = fields.Many2one(
        comodel_name="kakeuri.dunning.run",
        string="Run",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    date = fields.Date(related="run_id.date", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
    )
    contact_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Recipient",
        help="The customer's invoice address with an email, or the customer itself.",
    )
    email = fields.Char(related="contact_partner_id.email", string="Email")
    user_id = fields.Many2one(comodel_name="res.users", string="Salesperson")
    level_id = fields.Many2one(
        comodel_name="kakeuri.dunning.level",
        string="Level",
        required=True,
        ondelete="restrict",
        domain="[('company_id', '=', company_id)]",
    )
    proposed_level_id = fields.Many2one(
        comodel_name="kakeuri.dunning.level",
        string="Proposed Level",
        readonly=True,
        ondelete="restrict",
    )
    move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="kakeuri_dunning_line_move_rel",
        column1="line_id",
        column2="move_id",
        string="Overdue Invoices",
    )
    move_level_data = fields.Json(
        string="Invoice Levels",
        help="Technical: the level each invoice reaches with this reminder, by invoice id.",
    )
    move_count = fields.Integer(compute="_compute_move_count", string="Invoices")
    amount_overdue = fields.Monetary(string="Overdue Amount", currency_field="currency_id")
    amount_unapplied = fields.Monetary(
        string="Unapplied Credits",
        currency_field="currency_id",
        help="The customer's payments and credit notes not matched with an invoice yet; the "
        "reminder shows them and asks for the overdue amount less them.",
    )
    amount_to_pay = fields.Monetary(
        string="Amount to Pay",
        currency_field="currency_id",
        compute="_compute_amount_to_pay",
        help="The overdue amount less the unapplied credits: what the reminder asks for.",
    )
    max_days_overdue = fields.Integer(string="Days Overdue", aggregator="max")
    last_dunning_date = fields.Date(string="Previous Reminder")
    include = fields.Boolean(
        default=True,
        help="Untick to leave this customer out of the run.",
    )
    state = fields.Selection(
        selection=[("draft", "To Send"), ("sent", "Sent"), ("skipped", "Skipped"), ("failed", "Failed")],
        default="draft",
        required=True,
        readonly=True,
    )
    reason = fields.Char(string="Note", help="Why the line was skipped or failed, and remarks.")
    mail_message_id = fields.Many2one(comodel_name="mail.message", string="Email Message", readonly=True)
    letter_to_print = fields.Boolean(string="Letter", readonly=True)
    activity_id = fields.Many2one(comodel_name="mail.activity", string="Activity", readonly=True)
    fee_move_id = fields.Many2one(comodel_name="account.move", string="Fee Invoice", readonly=True)
    hold_set = fields.Boolean(string="Hold Set", readonly=True)

    _sql_constraints = [
        ("run_partner_uniq", "unique(run_id, partner_id)", "A customer gets one line per dunning run."),
    ]

    def init(self):
        res = super().init()
        # The last reminder of a customer (``kakeuri.dunning.candidates._last_sent_query``),
        # looked up for every customer of a run: an index of the sent lines alone, by customer.
        # The plain index on the state of earlier versions goes: with statistics taken before a
        # run is sent (every line a draft), PostgreSQL preferred it for this look-up and went
        # through all the sent lines for each customer.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS kakeuri_dunning_line_sent_partner_idx
                ON kakeuri_dunning_line (partner_id, company_id, date)
             WHERE state = 'sent';
            DROP INDEX IF EXISTS kakeuri_dunning_line__state_index;
            """
        )
        return res

    @api.depends("amount_overdue", "amount_unapplied")
    def _compute_amount_to_pay(self):
        for line in self:
            line.amount_to_pay = max(line.amount_overdue - line.amount_unapplied, 0.0)

    @api.depends("move_ids")
    def _compute_move_count(self):
        for line in self:
            line.move_count = len(line.move_ids)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent_or_failed(self):
        for line in self:
            if line.state in ("sent", "failed"):
                raise UserError(
                    self.env._(
                        "The reminder of %(partner)s in run %(run)s is %(state)s; it is kept as a record.",
                        partner=line.partner_id.display_name,
                        run=line.run_id.name,
                        state=line._state_label(),
                    )
                )

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def write(self, vals):
        sending = self.env.context.get("kakeuri_dunning_sending")
        if "state" in vals and not sending:
            raise UserError(
                self.env._(
                    "The state of a reminder is set by computing and sending the run (%(lines)s); "
                    "tick or untick the line instead.",
                    lines=", ".join(f"{ln.partner_id.display_name} ({ln.run_id.name})" for ln in self[:5]),
                )
            )
        if "include" in vals and not sending:
            for line in self:
                if line.run_id.state != "draft" or line.state in ("sent", "failed"):
                    raise UserError(
                        self.env._(
                            "The line of %(partner)s in run %(run)s is %(state)s; it cannot be changed.",
                            partner=line.partner_id.display_name,
                            run=line.run_id.name,
                            state=line._state_label(),
                        )
                    )
            if vals["include"]:
                vals = dict(vals, state="draft")
            else:
                vals = dict(
                    vals,
                    state="skipped",
                    reason=self.env._("Left out by %(user)s.", user=self.env.user.name),
                )
        if "level_id" in vals and not sending:
            new_level = self.env["kakeuri.dunning.level"].browse(vals["level_id"])
            for line in self.filtered(lambda ln: ln.state in ("sent", "failed")):
                raise UserError(
                    self.env._(
                        "The reminder of %(partner)s in run %(run)s is %(state)s: its level %(level)s "
                        "cannot be changed to %(new_level)s.",
                        partner=line.partner_id.display_name,
                        run=line.run_id.name,
                        state=line._state_label(),
                        level=line.level_id.display_name,
                        new_level=new_level.display_name,
                    )
                )
        return super().write(vals)

    # ------------------------------------------------------------------ actions
    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.move_ids.ids)]
        action["context"] = {"default_move_type": "out_invoice"}
        return action

    def action_retry(self):
        """Put failed lines back to send (e.g. after an email address was added)."""
        for line in self:
            if line.state != "failed":
                raise UserError(
                    self.env._(
                        "Only failed lines can be retried (%(partner)s).",
                        partner=line.partner_id.display_name,
                    )
                )
        self.with_context(kakeuri_dunning_sending=True).write({"state": "draft", "reason": False})
        self.run_id.filtered(lambda r: r.state == "done").write({"state": "draft"})
        return True

    def action_print_letter(self):
        return self.env.ref("kakeuri_ar.action_report_dunning_letter").report_action(self)

    # ------------------------------------------------------------------ send
    def _get_move_levels(self, current_days, data_levels=None):
        """{move_id: level} the invoices of this line reach when it is sent: the level each
        invoice reached (or the line's level when a person changed it), only if above the
        level the invoice already has (``current_days``: {move_id: days of current level})."""
        self.ensure_one()
        Level = self.env["kakeuri.dunning.level"]
        changed = self.level_id != self.proposed_level_id
        result = {}
        if data_levels is None:
            data_levels = self._get_data_levels()
        for move_id, level_id in data_levels.items():
            level = self.level_id if changed else Level.browse(level_id)
            if level.days_overdue > current_days.get(move_id, -1):
                result[move_id] = level
        return result

    def _get_data_levels(self):
        """{move_id: level id} of the invoices that reach a new level with this line."""
        self.ensure_one()
        result = {}
        for key, value in self._get_move_level_data().items():
            level_id = value.get("level") if isinstance(value, dict) else value
            if level_id:
                result[int(key)] = level_id
        return result

    def _get_move_level_data(self):
        """``move_level_data`` to read, not to change: the cached value itself, since each
        read of a Json field is a deep copy (two per line and batch otherwise)."""
        self.ensure_one()
        field = self._fields["move_level_data"]
        if not isinstance(self.id, int):  # a new record (form): the usual read
            return self.move_level_data or {}
        if not self.env.cache.contains(self, field):
            self.fetch(["move_level_data"])
        return self.env.cache.get(self, field) or {}

    def _get_overdue_by_move(self):
        """{invoice: (overdue amount, earliest overdue due date)} as of the run date: the part
        of each invoice that is overdue (for an instalment invoice, the instalments due), so
        the invoices add up to the line's total."""
        self.ensure_one()
        result = {}
        data = self._get_move_level_data()
        for move in self.move_ids:
            value = data.get(str(move.id))
            if isinstance(value, dict) and value.get("date_due"):
                result[move] = (value["amount"], datetime.date.fromisoformat(value["date_due"]))
            else:
                result[move] = (move.amount_residual_signed, move.invoice_date_due)
        return result

    def _send(self):
        """Send these lines as one batch (see ``kakeuri.dunning.send._send_batch``)."""
        self.env["kakeuri.dunning.send"]._send_batch(self)

    def _restrict_to_moves(self, moves, amounts):
        """Keep only ``moves`` on the line (the others were paid or disputed since it was
        computed), with their current overdue ``amounts`` ({move_id: amount}). Unless a person
        chose the level, the level is decided again for the invoices left, by the run's rule
        (``kakeuri.dunning.compute._next_level``): a final notice due because of an invoice
        paid meanwhile is not sent for the others."""
        self.ensure_one()
        data = {}
        for key, value in (self.move_level_data or {}).items():
            if int(key) in amounts:
                data[key] = dict(value, amount=amounts[int(key)]) if isinstance(value, dict) else value
        vals = {
            "move_ids": [fields.Command.set(moves.ids)],
            "move_level_data": data,
            "amount_overdue": sum(amounts.values()),
        }
        if self.level_id == self.proposed_level_id and moves:
            current = {
                m.id: m.kakeuri_dunning_level_id.days_overdue if m.kakeuri_dunning_level_id else -1
                for m in moves
            }
            level = self._decide_level(data, current)
            for value in data.values():
                if isinstance(value, dict):
                    value["level"] = None
            if level:
                for key, value in data.items():
                    if isinstance(value, dict) and current.get(int(key), -1) < level.days_overdue:
                        value["level"] = level.id
                vals.update(level_id=level.id, proposed_level_id=level.id)
        self.write(vals)

    def _decide_level(self, data, current):
        """The level of this line for the invoices of ``data`` (their days overdue) whose
        current levels are ``current`` ({move_id: days of the level reached, -1 for none}),
        as the run decides it when it is computed."""
        levels = self.run_id.level_ids.filtered("active").sorted("days_overdue")
        steps = [(level.days_overdue, level) for level in levels]
        due_dates = [
            fields.Date.to_date(value["date_due"])
            for value in data.values()
            if isinstance(value, dict) and value.get("date_due")
        ]
        if not steps or not due_dates:
            return self.level_id
        return self.env["kakeuri.dunning.compute"]._next_level(
            steps,
            current_days=max(current.values()),
            max_days=max((self.date - day).days for day in due_dates),
            pending=any(days < steps[-1][0] for days in current.values()),
        )

    def _chatter_body_partner(self, notes):
        self.ensure_one()
        if self.currency_id.is_zero(self.amount_unapplied):
            text = self.env._(
                "Reminder %(level)s (run %(run)s) for %(amount)s overdue, invoices %(invoices)s.",
                level=self.level_id.name,
                run=self.run_id.name,
                amount=self._get_mail_total(),
                invoices=", ".join(self.move_ids.mapped("name")),
            )
        else:
            text = self.env._(
                "Reminder %(level)s (run %(run)s) for %(amount)s overdue, invoices %(invoices)s, "
                "less %(unapplied)s of unapplied credits: %(to_pay)s to pay.",
                level=self.level_id.name,
                run=self.run_id.name,
                amount=self._get_mail_total(),
                invoices=", ".join(self.move_ids.mapped("name")),
                unapplied=self._get_mail_unapplied(),
                to_pay=self._get_mail_to_pay(),
            )
        return escape(" ".join([text, *[str(n) for n in notes]]))

    # ------------------------------------------------------------------ letters
    def _get_letter_lang(self):
        self.ensure_one()
        return self.contact_partner_id.lang or self.partner_id.lang or self.env.lang

    def _get_mail_invoice_rows(self):
        """The overdue invoices of the line as formatted rows for the reminder email and the
        letter, in the language of the rendering context (the recipient's): number, invoice
        date, due date, days overdue, amount due (company currency), portal URL."""
        self.ensure_one()
        return self.env["kakeuri.dunning.format"]._get_invoice_rows(self)

    def _get_mail_total(self):
        """The overdue amount, formatted in the language of the rendering context."""
        self.ensure_one()
        return self.env["kakeuri.dunning.format"]._get_amount(self, self.amount_overdue)

    def _get_mail_unapplied(self):
        """The unapplied credits, formatted (empty when there are none)."""
        self.ensure_one()
        if self.currency_id.is_zero(self.amount_unapplied):
            return ""
        return self.env["kakeuri.dunning.format"]._get_amount(self, self.amount_unapplied)

    def _get_mail_to_pay(self):
        """The amount the reminder asks for (overdue less unapplied credits), formatted."""
        self.ensure_one()
        return self.env["kakeuri.dunning.format"]._get_amount(self, self.amount_to_pay)
