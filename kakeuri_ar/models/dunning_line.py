# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import ast
import contextlib
import datetime
import uuid
from collections import defaultdict

from lxml import html
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_round, format_amount, format_date, html_sanitize
from odoo.tools.lru import LRU
from odoo.tools.mail import generate_tracking_message_id
from odoo.tools.rendering_tools import parse_inline_template
from odoo.tools.safe_eval import safe_eval

from odoo.addons.base.models.res_lang import intersperse

# compiled email bodies {(database, template, language, source, restricted): (functions, name)}:
# a run renders one batch after the other with the same template, compiling it once is enough
# (the source is part of the key, so an edited template is compiled again)
_COMPILED_BODIES = LRU(64)

# body_html is rendered by _render_email_bodies (compiled once per language and batch)
TEMPLATE_FIELDS = ("subject", "email_from", "reply_to", "partner_to", "email_to", "email_cc")

# what _replace_local_links looks for (src, href, background starting with "/", or a
# style url(...)): a body without any of these is left as it is
_LOCAL_LINK_MARKS = ('src="/', 'href="/', 'background="/', "url(")

# how an inline expression ({{ ... }}) of these fields is evaluated per reminder, by
# expression: ("path", field names) read on the record, ("company", None) evaluated once per
# company (it reads the record only as object.company_id), ("eval", None) evaluated per record
_INLINE_PLANS = LRU(256)
# nodes that make an expression depend on more than its names' values (calls, lambdas, ...)
_INLINE_COMPANY_FORBIDDEN = (
    ast.Call,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.NamedExpr,
    ast.Subscript,
)


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
        index=True,
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
        """Execute a batch of lines (locked by the caller): queue mails, mark letters, create
        activities and fee invoices, set holds, store the levels on the invoices, log in the
        chatter of the customers and invoices, and mark the lines. A constant number of
        queries per batch, whatever the number of invoices (fees aside: one invoice each)."""
        lines = self.filtered(lambda ln: ln.state == "draft").with_context(
            kakeuri_dunning_sending=True, mail_activity_quick_update=True, tracking_disable=True
        )
        if not lines:
            return
        current_days = lines._lock_move_levels()
        stale = lines._recheck_locked()
        for line, reason in stale.items():
            line.write({"state": "skipped", "include": False, "reason": reason})
        lines -= lines.browse([line.id for line in stale])
        if not lines:
            return
        results, plans = lines._plan_send(current_days)
        to_send = lines.filtered(lambda ln: results[ln]["state"] == "sent")
        self.env.cr.cache["kakeuri_dunning_new_tokens"] = {}
        try:
            values = to_send._execute_actions(results)
            tokens = self.env.cr.cache.get("kakeuri_dunning_new_tokens") or {}
            to_send._store_levels(plans, tokens)
        finally:
            self.env.cr.cache.pop("kakeuri_dunning_new_tokens", None)
        to_send._log_chatter(plans, results, values)
        for line in lines:
            vals = dict(values.get(line, {}), state=results[line]["state"])
            notes = ([line.reason] if line.reason and vals["state"] == "sent" else []) + results[line][
                "notes"
            ]
            vals["reason"] = " ".join(str(n) for n in notes) or False
            line.write(vals)
        lines.partner_id.invalidate_recordset(["kakeuri_last_dunning_date", "kakeuri_dunning_level_id"])

    def _lock_move_levels(self):
        """Lock the invoices of the batch (a second run waits here, then sees the levels the
        first one stored) and return {move_id: days of the level it already reached}."""
        # the invoice fields the batch reads (messages, mail rows, portal links, re-check), and
        # only those: the default prefetch reads the ~130 columns of account_move for each
        self.move_ids.fetch(self._get_send_move_fields())
        self.env.cr.execute(
            SQL(
                """SELECT m.id, COALESCE(lv.days_overdue, -1)
                     FROM account_move m
                     LEFT JOIN kakeuri_dunning_level lv ON lv.id = m.kakeuri_dunning_level_id
                    WHERE m.id = ANY(%s)
                    ORDER BY m.id
                      FOR UPDATE OF m""",
                self.move_ids.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _get_send_move_fields(self):
        """The account.move fields read while a batch is sent (see ``_lock_move_levels``)."""
        Move = self.env["account.move"]
        fnames = [
            "name",
            "move_type",
            "company_id",
            "date",
            "invoice_date",
            "invoice_date_due",
            "amount_residual_signed",
            "access_token",
            "kakeuri_dunning_blocked",
        ]
        return [
            fname
            for fname in [*fnames, "website_id"]
            if fname in Move._fields and Move._fields[fname].is_accessible(self.env)
        ]

    def _recheck_locked(self):
        """Re-check, once the invoices are locked, what the run saw when it was computed (a
        pending run may be sent a day later): each invoice still open, overdue and not
        disputed, the customer not excluded, without a valid promise to pay and not reminded
        within the minimum interval. Invoices paid or disputed meanwhile leave the line (its
        amount follows); returns {line: reason} for the lines to skip."""
        stale = {}
        if not self:
            return stale
        self.env.flush_all()
        partners = self.partner_id
        partners.invalidate_recordset(
            ["kakeuri_dunning_excluded", "kakeuri_promise_date", "kakeuri_promise_amount"]
        )
        self.move_ids.invalidate_recordset(["kakeuri_dunning_blocked"])
        for run, rlines in self.grouped("run_id").items():
            company = run.company_id
            self.env.cr.execute(
                SQL(
                    """SELECT aml.move_id, SUM(aml.amount_residual)
                         FROM account_move_line aml
                         JOIN account_account acc ON acc.id = aml.account_id
                         JOIN account_move m ON m.id = aml.move_id
                        WHERE aml.move_id = ANY(%(moves)s)
                          AND aml.parent_state = 'posted'
                          AND acc.account_type = 'asset_receivable'
                          AND aml.reconciled IS NOT TRUE
                          AND aml.amount_residual > 0
                          AND aml.date_maturity < %(date)s
                          AND NOT COALESCE(m.kakeuri_dunning_blocked, FALSE)
                        GROUP BY aml.move_id""",
                    moves=rlines.move_ids.ids,
                    date=run.date,
                )
            )
            open_amounts = dict(self.env.cr.fetchall())
            self.env.cr.execute(
                SQL(
                    """SELECT l.partner_id, MAX(r.date)
                         FROM kakeuri_dunning_line l
                         JOIN kakeuri_dunning_run r ON r.id = l.run_id
                        WHERE l.partner_id = ANY(%s) AND l.state = 'sent' AND r.company_id = %s
                          AND l.id != ALL(%s)
                        GROUP BY l.partner_id""",
                    rlines.partner_id.ids,
                    company.id,
                    rlines.ids,
                )
            )
            last_sent = dict(self.env.cr.fetchall())
            min_interval = company.kakeuri_dunning_min_interval_days
            currency = company.currency_id
            for line in rlines:
                partner = line.partner_id
                remaining = line.move_ids.filtered(lambda m, amounts=open_amounts: m.id in amounts)
                last_date = last_sent.get(partner.id)
                if not remaining:
                    if line.move_ids.filtered("kakeuri_dunning_blocked"):
                        stale[line] = self.env._("All overdue invoices are disputed.")
                    else:
                        stale[line] = self.env._(
                            "No invoice of this reminder is still open and overdue: paid since the run "
                            "was computed."
                        )
                elif partner.kakeuri_dunning_excluded:
                    stale[line] = self.env._("The customer is excluded from dunning.")
                elif partner.kakeuri_promise_date and partner.kakeuri_promise_date >= run.date:
                    stale[line] = self.env._(
                        "Promised to pay %(amount)s by %(date)s.",
                        amount=format_amount(self.env, partner.kakeuri_promise_amount or 0.0, currency),
                        date=format_date(self.env, partner.kakeuri_promise_date),
                    )
                elif last_date and min_interval and (run.date - last_date).days < min_interval:
                    stale[line] = self.env._(
                        "Reminded on %(date)s; the minimum interval is %(days)s days.",
                        date=format_date(self.env, last_date),
                        days=min_interval,
                    )
                elif remaining != line.move_ids or currency.compare_amounts(
                    sum(open_amounts[m.id] for m in remaining), line.amount_overdue
                ):
                    line._restrict_to_moves(remaining, {m.id: open_amounts[m.id] for m in remaining})
        return stale

    def _restrict_to_moves(self, moves, amounts):
        """Keep only ``moves`` on the line (the others were paid or disputed since it was
        computed), with their current overdue ``amounts`` ({move_id: amount})."""
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
        level_ids = [value.get("level") if isinstance(value, dict) else value for value in data.values()]
        level_ids = [level_id for level_id in level_ids if level_id]
        if self.level_id == self.proposed_level_id and level_ids:
            Level = self.env["kakeuri.dunning.level"]
            level = max((Level.browse(value) for value in level_ids), key=lambda lv: (lv.days_overdue, lv.id))
            vals.update(level_id=level.id, proposed_level_id=level.id)
        self.write(vals)

    def _plan_send(self, current_days):
        """Decide per line: sent / skipped (nothing new) / failed (no way to reach the
        customer), and which invoices reach which level."""
        results, plans = {}, {}
        for line in self:
            results[line] = {"state": "sent", "notes": []}
            data_levels = line._get_data_levels()
            plan = line._get_move_levels(current_days, data_levels)
            if data_levels and not plan:
                results[line] = {
                    "state": "skipped",
                    "notes": [self.env._("These invoices have already reached this level.")],
                }
                continue
            level = line.level_id
            if level.send_email and not line.contact_partner_id.email:
                if not level.print_letter:
                    results[line] = {
                        "state": "failed",
                        "notes": [
                            self.env._(
                                "No email address for %(partner)s and level %(level)s prints no letter.",
                                partner=line.contact_partner_id.display_name,
                                level=level.name,
                            )
                        ],
                    }
                    continue
                results[line]["notes"].append(self.env._("No email address: a letter is to be sent instead."))
            plans[line] = plan
        return results, plans

    def _execute_actions(self, results):
        """Queue the emails, mark the letters, create activities and fees, set holds.
        Returns the values to write on each line."""
        values = {line: {} for line in self}
        for line in self:
            level = line.level_id
            if level.print_letter or (level.send_email and not line.contact_partner_id.email):
                values[line]["letter_to_print"] = True
        activity_lines = self.filtered(lambda ln: ln.level_id.create_activity)
        if activity_lines:
            activities = self.env["mail.activity"].sudo().create(activity_lines._prepare_activity_vals_list())
            for line, activity in zip(activity_lines, activities, strict=True):
                values[line]["activity_id"] = activity.id
                results[line]["notes"].append(
                    self.env._("Activity for %(user)s.", user=activity.user_id.name or activity.user_id.login)
                )
        for line in self.filtered(lambda ln: ln.level_id.fee_amount > 0):
            fee_move, note = line._create_fee_invoice()
            values[line]["fee_move_id"] = fee_move.id
            results[line]["notes"].append(note)
        hold_lines = self.filtered(lambda ln: ln.level_id.set_credit_hold)
        if hold_lines:
            held = hold_lines._set_credit_hold()
            for line in hold_lines:
                if line.partner_id.id in held.ids:
                    values[line]["hold_set"] = True
                    results[line]["notes"].append(self.env._("Credit hold set."))
                else:
                    results[line]["notes"].append(self.env._("Already on credit hold."))
        # emails last: the message in the customer's chatter summarises everything done
        email_lines = self.filtered(lambda ln: ln.level_id.send_email and ln.contact_partner_id.email)
        with self._mail_caches():
            self._queue_all_emails(email_lines, results, values)
        return values

    def _queue_all_emails(self, email_lines, results, values):
        """Queue the emails of ``email_lines`` per template; note them in ``results`` and
        their messages in ``values``."""
        for template, tlines in email_lines.grouped(lambda ln: ln.level_id.mail_template_id).items():
            summaries = {}
            for line in tlines:
                results[line]["notes"].insert(
                    0, self.env._("Email queued to %(email)s.", email=line.contact_partner_id.email)
                )
                summaries[line.id] = line._chatter_body_partner(results[line]["notes"])
            mails = tlines._queue_emails(template, summaries)
            mails.fetch(["mail_message_id"])  # not the bodies just inserted
            for line, mail in zip(tlines, mails, strict=True):
                values[line]["mail_message_id"] = mail.mail_message_id.id

    def _store_levels(self, plans, tokens=None):
        """Level and date on the invoices, and the portal access tokens made for the emails
        (``tokens``: {move_id: token}), in one UPDATE for the batch: these kakeuri fields have
        no dependants, account.move.write would re-synchronise every invoice's lines, and each
        UPDATE of an invoice rewrites its row and all the indexes of account_move. The
        customers' last reminder and level are computed per company from the sent lines."""
        tokens = tokens or {}
        if not self and not tokens:
            return
        date = self.run_id[:1].date
        levels = {}
        for line in self:
            for move_id, level in plans.get(line, {}).items():
                levels[move_id] = level.id
        move_ids = sorted(levels.keys() | tokens.keys())  # in the order of the table and its locks
        if not move_ids:
            return
        self.env["account.move"].flush_model(["kakeuri_dunning_level_id", "access_token"])
        self.env.cr.execute(
            SQL(
                """UPDATE account_move m
                      SET kakeuri_dunning_level_id = COALESCE(v.level_id, m.kakeuri_dunning_level_id),
                          kakeuri_last_dunning_date = CASE WHEN v.level_id IS NULL
                                                           THEN m.kakeuri_last_dunning_date ELSE %(date)s END,
                          access_token = COALESCE(m.access_token, v.token),
                          write_uid = %(uid)s, write_date = (now() AT TIME ZONE 'UTC')
                     FROM unnest(%(ids)s::int[], %(levels)s::int[], %(tokens)s::varchar[])
                          AS v(id, level_id, token)
                    WHERE m.id = v.id""",
                date=date,
                uid=self.env.uid,
                ids=move_ids,
                levels=[levels.get(move_id) for move_id in move_ids],
                tokens=[tokens.get(move_id) for move_id in move_ids],
            )
        )
        self.env["account.move"].browse(move_ids).invalidate_recordset(
            [
                "kakeuri_dunning_level_id",
                "kakeuri_last_dunning_date",
                "access_token",
                "write_uid",
                "write_date",
            ]
        )

    def _log_chatter(self, plans, results, values):
        """A note per customer not emailed (the email itself carries the summary) with what was
        done, and a note per invoice with the level it reached."""
        partner_bodies, move_bodies, texts = {}, {}, {}
        for line in self:
            if not values.get(line, {}).get("mail_message_id"):
                partner_bodies[line.partner_id.id] = line._chatter_body_partner(results[line]["notes"])
            for move_id, level in plans.get(line, {}).items():
                key = (level.id, line.run_id.id)
                if key not in texts:  # the same note for all the invoices of a level and run
                    texts[key] = escape(
                        self.env._(
                            "Dunning level %(level)s reached; reminder sent by run %(run)s.",
                            level=level.name,
                            run=line.run_id.name,
                        )
                    )
                move_bodies[move_id] = texts[key]
        if partner_bodies:
            self.env["res.partner"].browse(list(partner_bodies))._message_log_batch(partner_bodies)
        self.env["mail.message"]._kakeuri_log_notes_bulk("account.move", move_bodies)

    def _queue_emails(self, template, summaries=None):
        """Render ``template`` on these lines in one batch and queue one mail.mail each (never
        sent synchronously), posted on the customer's chatter. The chatter shows ``summaries``
        ({line id: html}: level, run, invoices, what was done) when given, the email keeps
        the full rendered body."""
        # portal links: the invoices without an access token get one (as _portal_ensure_token
        # makes them), stored with their level by _store_levels in the same UPDATE
        missing = self.move_ids.filtered(lambda m: not m.access_token)
        pending = self.env.cr.cache.get("kakeuri_dunning_new_tokens")
        if pending is not None:
            for move in missing:
                pending.setdefault(move.id, str(uuid.uuid4()))
        elif missing:  # outside _send: store them now
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move SET access_token = gen_random_uuid()::text "
                    "WHERE id = ANY(%s) AND access_token IS NULL",
                    missing.ids,
                )
            )
            missing.invalidate_recordset(["access_token"])
        langs = self._render_template_langs(template)  # once for the fields and the body
        rendered = self._render_template_fields(template, langs)
        for line_id, body in self._render_email_bodies(template, langs).items():
            rendered[line_id]["body_html"] = body
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        author = self.env.user.partner_id
        vals_list = []
        for line in self:
            res = rendered[line.id]
            body = res.get("body_html") or ""
            summary = (summaries or {}).get(line.id)
            partner_ids = res.get("partner_ids") or [line.contact_partner_id.id]
            vals_list.append(
                {
                    "subject": res.get("subject"),
                    "body_html": body,
                    "body": summary or body,
                    "email_from": res.get("email_from") or author.email_formatted,
                    "reply_to": res.get("reply_to"),
                    "email_to": res.get("email_to"),
                    "email_cc": res.get("email_cc"),
                    "recipient_ids": [(4, pid) for pid in partner_ids],
                    "author_id": author.id,
                    "model": "res.partner",
                    "res_id": line.partner_id.id,
                    "record_name": line.partner_id.display_name,
                    "message_type": "comment",
                    "subtype_id": subtype_id,
                    "auto_delete": template.auto_delete,
                    "mail_server_id": template.mail_server_id.id,
                    "state": "outgoing",
                }
            )
        return self._create_mails_bulk(vals_list)

    @api.model
    def _create_mails_bulk(self, vals_list):
        """Queue the reminder mails ``vals_list`` (mail.mail values: a message on a document
        with its recipients) with three INSERTs for the whole batch: the mail.message rows,
        the mail.mail rows and their recipients, stored as ``mail.mail.create`` stores them
        (message id, date, signature flag, outgoing state). The ORM create of a mail
        (defaults, sanitizing, inverse fields) cost more than rendering it, for thousands of
        customers per run. Bodies for the chatter are sanitized here unless they are
        escaped text already (Markup). Returns the mail.mail records in the order given."""
        if not vals_list:
            return self.env["mail.mail"]
        messages = []
        for vals in vals_list:
            body = vals.get("body") or ""
            if not isinstance(body, Markup):
                body = html_sanitize(body)
            messages.append(
                {
                    **vals,
                    "body": str(body),
                    "message_id": generate_tracking_message_id(f"{vals['res_id']}-{vals['model']}"),
                }
            )

        def column(key):
            return [msg.get(key) or None for msg in messages]

        self.env["mail.message"].flush_model()
        self.env["mail.mail"].flush_model()
        self.env.cr.execute(
            SQL(
                """INSERT INTO mail_message (model, res_id, record_name, subject, body, message_type,
                                             subtype_id, author_id, email_from, reply_to, message_id,
                                             mail_server_id, email_add_signature, date,
                                             create_uid, create_date, write_uid, write_date)
                   SELECT r.model, r.res_id, r.record_name, r.subject, r.body, r.message_type,
                          r.subtype_id, r.author_id, r.email_from, r.reply_to, r.message_id,
                          r.mail_server_id, TRUE, date_trunc('second', now() AT TIME ZONE 'UTC'),
                          %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                     FROM unnest(%(model)s::varchar[], %(res_id)s::int[], %(record_name)s::varchar[],
                                 %(subject)s::varchar[], %(body)s::text[], %(message_type)s::varchar[],
                                 %(subtype_id)s::int[], %(author_id)s::int[], %(email_from)s::varchar[],
                                 %(reply_to)s::varchar[], %(message_id)s::varchar[],
                                 %(mail_server_id)s::int[])
                          AS r(model, res_id, record_name, subject, body, message_type, subtype_id,
                               author_id, email_from, reply_to, message_id, mail_server_id)
                RETURNING message_id, id""",
                uid=self.env.uid,
                **{
                    key: column(key)
                    for key in (
                        "model",
                        "res_id",
                        "record_name",
                        "subject",
                        "body",
                        "message_type",
                        "subtype_id",
                        "author_id",
                        "email_from",
                        "reply_to",
                        "message_id",
                        "mail_server_id",
                    )
                },
            )
        )
        message_ids = dict(self.env.cr.fetchall())
        message_list = [message_ids[msg["message_id"]] for msg in messages]
        self.env.cr.execute(
            SQL(
                """INSERT INTO mail_mail (mail_message_id, body_html, email_to, email_cc, state, auto_delete,
                                          create_uid, create_date, write_uid, write_date)
                   SELECT r.mail_message_id, r.body_html, r.email_to, r.email_cc, r.state, r.auto_delete,
                          %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                     FROM unnest(%(mail_message_id)s::int[], %(body_html)s::text[], %(email_to)s::text[],
                                 %(email_cc)s::varchar[], %(state)s::varchar[], %(auto_delete)s::bool[])
                          AS r(mail_message_id, body_html, email_to, email_cc, state, auto_delete)
                RETURNING mail_message_id, id""",
                uid=self.env.uid,
                mail_message_id=message_list,
                body_html=[str(msg.get("body_html") or "") for msg in messages],
                email_to=column("email_to"),
                email_cc=column("email_cc"),
                state=[msg.get("state") or "outgoing" for msg in messages],
                auto_delete=[bool(msg.get("auto_delete")) for msg in messages],
            )
        )
        mail_ids = dict(self.env.cr.fetchall())
        mail_list = [mail_ids[message_id] for message_id in message_list]
        rel_mail_ids, rel_partner_ids = [], []
        for mail_id, msg in zip(mail_list, messages, strict=True):
            for command in msg.get("recipient_ids") or []:
                rel_mail_ids.append(mail_id)
                rel_partner_ids.append(command[1])
        if rel_mail_ids:
            self.env.cr.execute(
                SQL(
                    """INSERT INTO mail_mail_res_partner_rel (mail_mail_id, res_partner_id)
                       SELECT * FROM unnest(%s::int[], %s::int[]) ON CONFLICT DO NOTHING""",
                    rel_mail_ids,
                    rel_partner_ids,
                )
            )
        documents = defaultdict(list)
        for msg in messages:
            documents[msg["model"]].append(msg["res_id"])
        for model, res_ids in documents.items():
            self.env[model].browse(res_ids).invalidate_recordset(["message_ids"])
        return self.env["mail.mail"].sudo().browse(mail_list)

    def _render_template_fields(self, template, langs=None):
        """{line id: values}: the subject, sender, reply-to and recipients of ``template``
        on these lines, as ``template._generate_template(ids, TEMPLATE_FIELDS)`` returns
        them (per recipient language, ``partner_to`` turned into existing ``partner_ids``),
        without one ``safe_eval`` per expression and line: an expression that is a path of
        fields (``object.contact_partner_id.id``) is read on the record, one that reads the
        record only as ``object.company_id`` (the sender, the company name in the subject)
        is evaluated once per company, any other once per line as Odoo does. Odoo's own
        rendering is used when the user may not render such expressions, for default
        recipients or a preview language, and to report a rendering error."""
        if (
            self._is_restricted_rendering(template)
            or template.use_default_to
            or self.env.context.get("template_preview_lang")
        ):
            return template._generate_template(self.ids, TEMPLATE_FIELDS)
        if langs is None:
            langs = template._render_lang(self.ids)
        per_lang = defaultdict(list)
        for line_id in self.ids:
            per_lang[langs.get(line_id)].append(line_id)
        results = {line_id: {} for line_id in self.ids}
        try:
            for lang, line_ids in per_lang.items():
                tmpl = template.with_context(lang=lang) if lang else template
                records = tmpl.env[tmpl.render_model].browse(line_ids)
                variables = tmpl._render_eval_context()
                for field in TEMPLATE_FIELDS:
                    for line_id, value in self._render_inline_field(tmpl[field], records, variables).items():
                        results[line_id][field] = value
        except Exception:  # noqa: BLE001 - Odoo's rendering raises its own error for the user
            return template._generate_template(self.ids, TEMPLATE_FIELDS)
        # partner_to -> partner_ids, as _generate_template_recipients does
        parsed = {}
        for line_id, values in results.items():
            partner_to = values.get("partner_to")
            if not partner_to:
                parsed[line_id] = None
            elif partner_to.isdigit():  # one id, what _parse_partner_to returns for it
                parsed[line_id] = [int(partner_to)]
            else:
                parsed[line_id] = template._parse_partner_to(partner_to)
        all_ids = {pid for pids in parsed.values() if pids for pid in pids}
        existing = (
            set(self.env["res.partner"].sudo().browse(list(all_ids)).exists().ids) if all_ids else set()
        )
        for line_id, pids in parsed.items():
            results[line_id].pop("partner_to", None)
            if pids is not None:
                results[line_id]["partner_ids"] = list(set(pids) & existing)
        return results

    def _render_template_langs(self, template):
        """{line id: language code}: ``template._render_lang(ids)`` (the recipient's language),
        with the expressions evaluated as ``_render_template_fields`` does."""
        if self._is_restricted_rendering(template):
            return template._render_lang(self.ids)
        try:
            records = template.env[template.render_model].browse(self.ids)
            return self._render_inline_field(template.lang, records, template._render_eval_context())
        except Exception:  # noqa: BLE001 - Odoo's rendering raises its own error for the user
            return template._render_lang(self.ids)

    @api.model
    def _render_inline_field(self, text, records, variables):
        """{record id: str} of the inline template ``text`` rendered on ``records`` like
        ``render_inline_template`` (see ``_render_template_fields``); ``variables`` is the
        template's evaluation context."""
        if not text:
            return dict.fromkeys(records.ids, "")
        instructions = parse_inline_template(str(text))
        plans = [self._get_inline_plan(expr, records) if expr else None for _s, expr, _d in instructions]
        by_company = {}
        results = {}
        for record in records:
            parts = []
            for (string, expr, default), plan in zip(instructions, plans, strict=True):
                parts.append(string)
                if not expr:
                    continue
                kind, path = plan
                if kind == "path":
                    value = record
                    for fname in path:
                        value = value[fname]
                elif kind == "company":
                    key = (expr, record.company_id.id)
                    if key not in by_company:
                        by_company[key] = safe_eval(expr, dict(variables, object=record))
                    value = by_company[key]
                else:
                    value = safe_eval(expr, dict(variables, object=record))
                value = value or default
                if value:
                    parts.append(str(value))
            results[record.id] = "".join(parts)
        return results

    @api.model
    def _get_inline_plan(self, expr, records):
        """How to evaluate the inline expression ``expr`` on ``records`` (see ``_INLINE_PLANS``)."""
        # the fields of a model depend on the database and its installed modules
        key = (self.env.cr.dbname, self.env.registry.registry_sequence, records._name, expr)
        plan = _INLINE_PLANS.get(key)
        if plan is None:
            plan = _INLINE_PLANS[key] = self._make_inline_plan(expr, records)
        return plan

    @api.model
    def _make_inline_plan(self, expr, records):
        try:
            tree = ast.parse(expr.strip(), mode="eval")
        except SyntaxError:
            return ("eval", None)
        # object.field.field...: each step a field of the model reached so far
        node, path = tree.body, []
        while isinstance(node, ast.Attribute):
            path.insert(0, node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id == "object" and path:
            model = records
            for i, fname in enumerate(path):
                field = model._fields.get(fname)
                if field is None or (i < len(path) - 1 and not field.relational):
                    break
                if field.relational:
                    model = self.env[field.comodel_name]
            else:
                return ("path", tuple(path))
        # reads the record only through object.company_id, calls nothing
        if "company_id" not in records._fields or any(
            isinstance(n, _INLINE_COMPANY_FORBIDDEN) for n in ast.walk(tree)
        ):
            return ("eval", None)
        company_uses = {
            id(n.value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.attr == "company_id"
        }
        objects = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "object"]
        if objects and all(id(n) in company_uses for n in objects):
            return ("company", None)
        return ("eval", None)

    def _is_restricted_rendering(self, template):
        """The current user may only render the allowed expressions of ``template``."""
        return (
            not template._unrestricted_rendering
            and not self.env.is_admin()
            and not self.env.user.has_group("mail.group_mail_template_editor")
        )

    def _render_email_bodies(self, template, langs=None):
        """{line id: html}: the template's QWeb body rendered on each line like
        ``mail.template._generate_template`` does, in the recipient's language, but compiled
        once per language for the whole batch (Odoo compiles a template body per record, which
        dominated the cost of a run over thousands of customers)."""
        results = {}
        if langs is None:
            langs = template._render_lang(self.ids)
        restricted = self._is_restricted_rendering(template)
        per_lang = defaultdict(list)
        for line in self:
            per_lang[langs.get(line.id) or False].append(line.id)
        self.move_ids.mapped("access_url")  # portal URLs: computed for the whole batch at once
        with self._mail_caches():
            for lang, line_ids in per_lang.items():
                results.update(self.browse(line_ids)._render_email_bodies_lang(template, lang, restricted))
        return results

    def _render_email_bodies_lang(self, template, lang, restricted):
        """{line id: html} of these lines in language ``lang`` (see ``_render_email_bodies``)."""
        tmpl = template.with_context(lang=lang) if lang else template
        source = tmpl.body_html
        if not source:
            return dict.fromkeys(self.ids, "")
        qweb = self.env["ir.qweb"].with_context(lang=lang) if lang else self.env["ir.qweb"]
        if restricted:
            qweb = qweb.with_context(raise_on_forbidden_code_for_model=template.model)
        key = (self.env.cr.dbname, template.id, lang, source, restricted)
        compiled = _COMPILED_BODIES.get(key)
        if compiled is None:
            compiled = _COMPILED_BODIES[key] = qweb._compile(
                html.fragment_fromstring(source, create_parent="div")
            )
        functions, def_name = compiled
        render = functions[def_name]
        base_values = tmpl._render_eval_context()
        # the rendering values and environment QWeb prepares are the same for every line
        # (constants, user, company, language): prepared once, only `object` changes
        env_qweb = qweb._prepare_environment(base_values)
        bodies = {}
        for line in self.with_context(lang=lang) if lang else self:
            values = dict(base_values, object=line)
            bodies[line.id] = Markup("".join(render(env_qweb, values))[5:-6])
        # local links made absolute (_render_template_postprocess), for the bodies that have a
        # candidate at all: its four regular expressions cost more than the rendering
        to_process = {
            line_id: body
            for line_id, body in bodies.items()
            if any(mark in body for mark in _LOCAL_LINK_MARKS)
        }
        if to_process:
            bodies.update(tmpl._render_template_postprocess(template.model, to_process))
        return bodies

    def _prepare_activity_vals_list(self):
        model_id = self.env["ir.model"]._get_id("res.partner")
        default_type = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        vals_list = []
        for line in self:
            level = line.level_id
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": line.partner_id.id,
                    "activity_type_id": (level.activity_type_id or default_type).id,
                    "summary": self.env._(
                        "%(level)s: %(amount)s overdue",
                        level=level.name,
                        amount=format_amount(self.env, line.amount_overdue, line.currency_id),
                    ),
                    "note": escape(
                        self.env._(
                            "Overdue invoices: %(invoices)s (up to %(days)s days overdue). Run %(run)s.",
                            invoices=", ".join(line.move_ids.mapped("name")),
                            days=line.max_days_overdue,
                            run=line.run_id.name,
                        )
                    ),
                    "date_deadline": line.run_id.date,
                    "user_id": (line.user_id or line.run_id.user_id or self.env.user).id,
                }
            )
        return vals_list

    def _prepare_fee_invoice_vals(self):
        self.ensure_one()
        level = self.level_id
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_date": self.run_id.date,
            "invoice_origin": self.run_id.name,
            "invoice_line_ids": [
                fields.Command.create(
                    {
                        "product_id": level.fee_product_id.id,
                        "name": self.env._(
                            "Late payment fee: %(level)s (%(run)s)",
                            level=level.name,
                            run=self.run_id.name,
                        ),
                        "quantity": 1.0,
                        "price_unit": level.fee_amount,
                    }
                )
            ],
        }

    def _create_fee_invoice(self):
        """Create (and post, if the level says so) the fee invoice; returns it and a note."""
        self.ensure_one()
        Move = self.env["account.move"].sudo().with_company(self.company_id)
        move = Move.with_context(tracking_disable=False).create(self._prepare_fee_invoice_vals())
        note = self.env._("Fee invoice created in draft.")
        if self.level_id.fee_post:
            try:
                with self.env.cr.savepoint():
                    # the fee is charged because the customer is overdue (often on hold by
                    # now): the credit check would refuse exactly these invoices
                    move.with_context(kakeuri_dunning_fee=True).action_post()
                note = self.env._("Fee invoice %(invoice)s posted.", invoice=move.name)
            except UserError as exc:
                note = self.env._("Fee invoice left in draft: %(error)s", error=str(exc))
        return move, note

    def _set_credit_hold(self):
        """Put the customers on credit hold (issue 1): their new orders are refused until a
        credit manager releases it. The reason names the level and the run. Returns the
        customers put on hold now (not those already on hold)."""
        held = self.env["res.partner"]
        for level, lines in self.grouped("level_id").items():
            partners = lines.partner_id.sudo().filtered(lambda p: not p.kakeuri_credit_hold)
            if partners:
                # the customer's chatter gets the dunning summary ("Credit hold set."): no
                # field tracking message per customer on top of it
                partners.with_context(tracking_disable=True).write(
                    {
                        "kakeuri_credit_hold": True,
                        "kakeuri_credit_hold_reason": self.env._(
                            "Dunning: %(level)s sent on %(date)s (run %(run)s).",
                            level=level.name,
                            date=format_date(self.env, lines.run_id[:1].date),
                            run=lines.run_id[:1].name,
                        ),
                    }
                )
                held |= partners
        return held

    def _chatter_body_partner(self, notes):
        self.ensure_one()
        text = self.env._(
            "Reminder %(level)s (run %(run)s) for %(amount)s overdue, invoices %(invoices)s.",
            level=self.level_id.name,
            run=self.run_id.name,
            amount=self._get_mail_total(),
            invoices=", ".join(self.move_ids.mapped("name")),
        )
        return escape(" ".join([text, *[str(n) for n in notes]]))

    # ------------------------------------------------------------------ letters
    def _get_letter_lang(self):
        self.ensure_one()
        return self.contact_partner_id.lang or self.partner_id.lang or self.env.lang

    def _get_mail_invoice_rows(self):
        """The overdue invoices of the line as formatted rows for the reminder email, in the
        language of the rendering context (the recipient's): number, invoice date, due date,
        days overdue, amount due (company currency), portal URL. Formatted here once per line
        rather than by one format_date()/format_amount() call per cell; while a batch is
        rendered, the rows of all its lines are prepared at once (``_prepare_mail_rows``)."""
        self.ensure_one()
        batch = self.env.cr.cache.get("kakeuri_dunning_mail_rows")
        if batch is None:
            return self._prepare_mail_rows()[self.id]
        key = (self.id, self.env.lang)
        if key not in batch:
            # the lines rendered together (the prefetch set of the batch being rendered)
            lines = self.browse(self._prefetch_ids) | self
            batch.update(
                {(line_id, self.env.lang): rows for line_id, rows in lines._prepare_mail_rows().items()}
            )
        return batch[key]

    def _prepare_mail_rows(self):
        """{line id: rows} (see ``_get_mail_invoice_rows``) for these lines in the language of
        the environment, reading the invoices once for all the lines."""
        formats = self._get_mail_formats()
        date_format = formats["date_format"]
        moves = self.move_ids
        moves.mapped("access_url")  # computed for all the invoices at once
        moves.fetch(["name", "invoice_date", "invoice_date_due", "date", "company_id", "access_token"])
        dates = {}  # formatted dates: the invoices of a batch share few of them
        currencies = {}  # company id: currency

        def format_day(day):
            if not day:
                return ""
            if day not in dates:
                dates[day] = day.strftime(date_format)
            return dates[day]

        result = {}
        for line in self:
            entries = [
                (date_due or move.date, move.name, move, amount, date_due)
                for move, (amount, date_due) in line._get_overdue_by_move().items()
            ]
            entries.sort(key=lambda entry: entry[:2])
            run_date = line.date
            rows = []
            for _key, name, move, amount, date_due in entries:
                company_id = move.company_id.id
                if company_id not in currencies:
                    currencies[company_id] = move.company_id.currency_id
                rows.append(
                    {
                        "name": name,
                        "invoice_date": format_day(move.invoice_date),
                        "date_due": format_day(date_due),
                        "days": (run_date - date_due).days if date_due else "",
                        "amount": self._format_amount_lang(amount, currencies[company_id], formats),
                        "url": self._get_invoice_portal_url(move),
                    }
                )
            result[line.id] = rows
        return result

    def _get_mail_total(self):
        self.ensure_one()
        return self._format_amount_lang(self.amount_overdue, self.currency_id, self._get_mail_formats())

    @api.model
    def _get_mail_formats(self):
        """Date format and number separators of the rendering language, read once per batch
        of reminders (in ``self.env.cr.cache`` while ``_render_email_bodies`` runs) instead of
        once per amount: a run formats 100,000 amounts."""
        cache = self.env.cr.cache.get("kakeuri_dunning_mail_formats")
        if cache is None:
            cache = {}
        code = self.env.lang or "en_US"
        if code not in cache:
            Lang = self.env["res.lang"]
            lang = Lang._lang_get(code) or Lang._lang_get("en_US")
            cache[code] = {
                "date_format": lang.date_format or "%m/%d/%Y",
                "grouping": ast.literal_eval(lang.grouping or "[]"),
                "thousands_sep": lang.thousands_sep or "",
                "decimal_point": lang.decimal_point or ".",
            }
        return cache[code]

    @api.model
    def _format_amount_lang(self, amount, currency, formats):
        """odoo.tools.format_amount (``res.lang.format`` with grouping, then the currency
        symbol) with the language's separators already known (``_get_mail_formats``)."""
        key = ("currency", currency.id)  # the currency's settings, read once per batch
        if key not in formats:
            formats[key] = (
                f"%.{currency.decimal_places}f",
                currency.rounding,
                currency.symbol or "",
                currency.position == "before",
            )
        pattern, rounding, symbol, before = formats[key]
        parts = (pattern % float_round(amount, precision_rounding=rounding)).split(".")
        parts[0] = intersperse(parts[0], formats["grouping"], formats["thousands_sep"])[0]
        formatted = (
            formats["decimal_point"]
            .join(parts)
            .replace(" ", "\N{NO-BREAK SPACE}")
            .replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
        )
        if before:
            return f"{symbol}\N{NO-BREAK SPACE}{formatted}"
        return f"{formatted}\N{NO-BREAK SPACE}{symbol}"

    def _get_invoice_portal_url(self, move):
        """Absolute portal URL of an invoice (the customer can pay there when a payment
        provider is set up). The base URL is looked up once per batch (per website when the
        invoices have one)."""
        cache = self.env.cr.cache.get("kakeuri_dunning_base_urls")
        if cache is None:
            cache = {}
        key = move.website_id.id if "website_id" in move._fields else None
        if key not in cache:
            cache[key] = move.get_base_url()
        token = self.env.cr.cache.get("kakeuri_dunning_new_tokens", {}).get(move.id)
        if token:  # made for this batch, stored with the levels (same URL as get_portal_url)
            return f"{cache[key]}{move.access_url}?access_token={token}"
        return cache[key] + move.get_portal_url()

    @contextlib.contextmanager
    def _mail_caches(self):
        """Keep the language formats and base URLs of the reminders of one batch (see
        ``_get_mail_formats``, ``_get_invoice_portal_url``); forgotten when the batch is
        rendered, so a later change of the language settings is seen."""
        cache = self.env.cr.cache
        if "kakeuri_dunning_mail_formats" in cache:  # an outer batch keeps them
            yield
            return
        keys = ("kakeuri_dunning_mail_formats", "kakeuri_dunning_base_urls", "kakeuri_dunning_mail_rows")
        for key in keys:
            cache[key] = {}
        try:
            yield
        finally:
            for key in keys:
                cache.pop(key, None)
