# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from lxml import html
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, format_date

# body_html is rendered by _render_email_bodies (compiled once per language and batch)
TEMPLATE_FIELDS = ("subject", "email_from", "reply_to", "partner_to", "email_to", "email_cc")


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
                    _(
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
                _(
                    "The state of a reminder is set by computing and sending the run (%(lines)s); "
                    "tick or untick the line instead.",
                    lines=", ".join(f"{ln.partner_id.display_name} ({ln.run_id.name})" for ln in self[:5]),
                )
            )
        if "include" in vals and not sending:
            for line in self:
                if line.run_id.state != "draft" or line.state in ("sent", "failed"):
                    raise UserError(
                        _(
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
                    reason=_("Left out by %(user)s.", user=self.env.user.name),
                )
        if "level_id" in vals and not sending:
            new_level = self.env["kakeuri.dunning.level"].browse(vals["level_id"])
            for line in self.filtered(lambda ln: ln.state in ("sent", "failed")):
                raise UserError(
                    _(
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
                    _("Only failed lines can be retried (%(partner)s).", partner=line.partner_id.display_name)
                )
        self.with_context(kakeuri_dunning_sending=True).write({"state": "draft", "reason": False})
        self.run_id.filtered(lambda r: r.state == "done").write({"state": "draft"})
        return True

    def action_print_letter(self):
        return self.env.ref("kakeuri_ar.action_report_dunning_letter").report_action(self)

    # ------------------------------------------------------------------ send
    def _get_move_levels(self, current_days):
        """{move_id: level} the invoices of this line reach when it is sent: the level each
        invoice reached (or the line's level when a person changed it), only if above the
        level the invoice already has (``current_days``: {move_id: days of current level})."""
        self.ensure_one()
        Level = self.env["kakeuri.dunning.level"]
        changed = self.level_id != self.proposed_level_id
        result = {}
        for move_id, level_id in self._get_data_levels().items():
            level = self.level_id if changed else Level.browse(level_id)
            if level.days_overdue > current_days.get(move_id, -1):
                result[move_id] = level
        return result

    def _get_data_levels(self):
        """{move_id: level id} of the invoices that reach a new level with this line."""
        self.ensure_one()
        result = {}
        for key, value in (self.move_level_data or {}).items():
            level_id = value.get("level") if isinstance(value, dict) else value
            if level_id:
                result[int(key)] = level_id
        return result

    def _get_overdue_by_move(self):
        """{invoice: (overdue amount, earliest overdue due date)} as of the run date: the part
        of each invoice that is overdue (for an instalment invoice, the instalments due), so
        the invoices add up to the line's total."""
        self.ensure_one()
        result = {}
        for move in self.move_ids:
            value = (self.move_level_data or {}).get(str(move.id))
            if isinstance(value, dict) and value.get("date_due"):
                result[move] = (value["amount"], fields.Date.to_date(value["date_due"]))
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
        values = to_send._execute_actions(results)
        to_send._store_levels(plans)
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
        self.move_ids.mapped("name")  # prefetch names for the messages
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
                        stale[line] = _("All overdue invoices are disputed.")
                    else:
                        stale[line] = _(
                            "No invoice of this reminder is still open and overdue: paid since the run "
                            "was computed."
                        )
                elif partner.kakeuri_dunning_excluded:
                    stale[line] = _("The customer is excluded from dunning.")
                elif partner.kakeuri_promise_date and partner.kakeuri_promise_date >= run.date:
                    stale[line] = _(
                        "Promised to pay %(amount)s by %(date)s.",
                        amount=format_amount(self.env, partner.kakeuri_promise_amount or 0.0, currency),
                        date=format_date(self.env, partner.kakeuri_promise_date),
                    )
                elif last_date and min_interval and (run.date - last_date).days < min_interval:
                    stale[line] = _(
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
            plan = line._get_move_levels(current_days)
            if line._get_data_levels() and not plan:
                results[line] = {
                    "state": "skipped",
                    "notes": [_("These invoices have already reached this level.")],
                }
                continue
            level = line.level_id
            if level.send_email and not line.contact_partner_id.email:
                if not level.print_letter:
                    results[line] = {
                        "state": "failed",
                        "notes": [
                            _(
                                "No email address for %(partner)s and level %(level)s prints no letter.",
                                partner=line.contact_partner_id.display_name,
                                level=level.name,
                            )
                        ],
                    }
                    continue
                results[line]["notes"].append(_("No email address: a letter is to be sent instead."))
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
                    _("Activity for %(user)s.", user=activity.user_id.name or activity.user_id.login)
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
                    results[line]["notes"].append(_("Credit hold set."))
                else:
                    results[line]["notes"].append(_("Already on credit hold."))
        # emails last: the message in the customer's chatter summarises everything done
        email_lines = self.filtered(lambda ln: ln.level_id.send_email and ln.contact_partner_id.email)
        for template, tlines in email_lines.grouped(lambda ln: ln.level_id.mail_template_id).items():
            summaries = {}
            for line in tlines:
                results[line]["notes"].insert(
                    0, _("Email queued to %(email)s.", email=line.contact_partner_id.email)
                )
                summaries[line.id] = line._chatter_body_partner(results[line]["notes"])
            mails = tlines._queue_emails(template, summaries)
            for line, mail in zip(tlines, mails, strict=True):
                values[line]["mail_message_id"] = mail.mail_message_id.id
        return values

    def _store_levels(self, plans):
        """Level and date on the invoices (one UPDATE per level: these two kakeuri fields have
        no dependants, and account.move.write would re-synchronise every invoice's lines). The
        customers' last reminder and level are computed per company from the sent lines."""
        if not self:
            return
        date = self.run_id[:1].date
        per_level = defaultdict(list)
        for line in self:
            for move_id, level in plans.get(line, {}).items():
                per_level[level].append(move_id)
        Move = self.env["account.move"]
        for level, move_ids in per_level.items():
            self.env.cr.execute(
                SQL(
                    """UPDATE account_move
                          SET kakeuri_dunning_level_id = %s, kakeuri_last_dunning_date = %s,
                              write_uid = %s, write_date = (now() AT TIME ZONE 'UTC')
                        WHERE id = ANY(%s)""",
                    level.id,
                    date,
                    self.env.uid,
                    move_ids,
                )
            )
            Move.browse(move_ids).invalidate_recordset(
                ["kakeuri_dunning_level_id", "kakeuri_last_dunning_date", "write_uid", "write_date"]
            )

    def _log_chatter(self, plans, results, values):
        """A note per customer not emailed (the email itself carries the summary) with what was
        done, and a note per invoice with the level it reached."""
        partner_bodies, move_bodies = {}, {}
        for line in self:
            if not values.get(line, {}).get("mail_message_id"):
                partner_bodies[line.partner_id.id] = line._chatter_body_partner(results[line]["notes"])
            for move_id, level in plans.get(line, {}).items():
                move_bodies[move_id] = escape(
                    _(
                        "Dunning level %(level)s reached; reminder sent by run %(run)s.",
                        level=level.name,
                        run=line.run_id.name,
                    )
                )
        if partner_bodies:
            self.env["res.partner"].browse(list(partner_bodies))._message_log_batch(partner_bodies)
        self._log_notes_bulk("account.move", move_bodies)

    def _log_notes_bulk(self, model, bodies):
        """Internal notes on many documents of ``model`` ({res_id: escaped html}) in one INSERT,
        the same messages as ``_message_log_batch`` (author: current user, subtype note, no
        notification) without one ORM create per invoice: a run may touch 100,000 invoices."""
        if not bodies:
            return
        author = self.env.user.partner_id
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        res_ids = list(bodies)
        self.env["mail.message"].flush_model()
        self.env.cr.execute(
            SQL(
                """INSERT INTO mail_message (model, res_id, body, message_type, subtype_id, is_internal,
                                             author_id, email_from, date,
                                             create_uid, create_date, write_uid, write_date)
                   SELECT %(model)s, r.res_id, r.body, 'notification', %(subtype)s, TRUE,
                          %(author)s, %(email)s, now() AT TIME ZONE 'UTC',
                          %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                     FROM unnest(%(res_ids)s::int[], %(bodies)s::text[]) AS r(res_id, body)""",
                model=model,
                subtype=subtype_id,
                author=author.id,
                email=author.email_formatted or None,
                uid=self.env.uid,
                res_ids=res_ids,
                bodies=[str(bodies[res_id]) for res_id in res_ids],
            )
        )
        self.env[model].browse(res_ids).invalidate_recordset(["message_ids"])

    def _queue_emails(self, template, summaries=None):
        """Render ``template`` on these lines in one batch and queue one mail.mail each (never
        sent synchronously), posted on the customer's chatter. The chatter shows ``summaries``
        ({line id: html}: level, run, invoices, what was done) when given, the email keeps
        the full rendered body."""
        # portal links: create the missing access tokens of all invoices in one statement
        missing = self.move_ids.filtered(lambda m: not m.access_token)
        if missing:
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move SET access_token = gen_random_uuid()::text "
                    "WHERE id = ANY(%s) AND access_token IS NULL",
                    missing.ids,
                )
            )
            missing.invalidate_recordset(["access_token"])
        rendered = template._generate_template(self.ids, TEMPLATE_FIELDS)
        for line_id, body in self._render_email_bodies(template).items():
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
        return self.env["mail.mail"].sudo().create(vals_list)

    def _render_email_bodies(self, template):
        """{line id: html}: the template's QWeb body rendered on each line like
        ``mail.template._generate_template`` does, in the recipient's language, but compiled
        once per language for the whole batch (Odoo compiles a template body per record, which
        dominated the cost of a run over thousands of customers)."""
        results = {}
        langs = template._render_lang(self.ids)
        restricted = (
            not template._unrestricted_rendering
            and not self.env.is_admin()
            and not self.env.user.has_group("mail.group_mail_template_editor")
        )
        per_lang = defaultdict(list)
        for line in self:
            per_lang[langs.get(line.id) or False].append(line.id)
        for lang, line_ids in per_lang.items():
            tmpl = template.with_context(lang=lang) if lang else template
            source = tmpl.body_html
            if not source:
                results.update(dict.fromkeys(line_ids, ""))
                continue
            qweb = self.env["ir.qweb"].with_context(lang=lang) if lang else self.env["ir.qweb"]
            if restricted:
                qweb = qweb.with_context(raise_on_forbidden_code_for_model=template.model)
            functions, def_name = qweb._compile(html.fragment_fromstring(source, create_parent="div"))
            base_values = tmpl._render_eval_context()
            bodies = {}
            for line in self.browse(line_ids).with_context(lang=lang) if lang else self.browse(line_ids):
                values = dict(base_values, object=line)
                env_qweb = qweb._prepare_environment(values)
                bodies[line.id] = Markup("".join(functions[def_name](env_qweb, values))[5:-6])
            results.update(tmpl._render_template_postprocess(template.model, bodies))
        return results

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
                    "summary": _(
                        "%(level)s: %(amount)s overdue",
                        level=level.name,
                        amount=format_amount(self.env, line.amount_overdue, line.currency_id),
                    ),
                    "note": escape(
                        _(
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
                        "name": _(
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
        note = _("Fee invoice created in draft.")
        if self.level_id.fee_post:
            try:
                with self.env.cr.savepoint():
                    # the fee is charged because the customer is overdue (often on hold by
                    # now): the credit check would refuse exactly these invoices
                    move.with_context(kakeuri_dunning_fee=True).action_post()
                note = _("Fee invoice %(invoice)s posted.", invoice=move.name)
            except UserError as exc:
                note = _("Fee invoice left in draft: %(error)s", error=str(exc))
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
                        "kakeuri_credit_hold_reason": _(
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
        text = _(
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
        rather than by one format_date()/format_amount() call per cell."""
        self.ensure_one()
        lang = self.env["res.lang"]._lang_get(self.env.lang or "en_US") or self.env["res.lang"]._lang_get(
            "en_US"
        )
        date_format = lang.date_format or "%m/%d/%Y"
        rows = []
        overdue = self._get_overdue_by_move()
        for inv in self.move_ids.sorted(lambda m: (overdue[m][1] or m.date, m.name)):
            amount, date_due = overdue[inv]
            rows.append(
                {
                    "name": inv.name,
                    "invoice_date": inv.invoice_date.strftime(date_format) if inv.invoice_date else "",
                    "date_due": date_due.strftime(date_format) if date_due else "",
                    "days": (self.date - date_due).days if date_due else "",
                    "amount": self._format_amount_lang(amount, inv.company_currency_id, lang),
                    "url": self._get_invoice_portal_url(inv),
                }
            )
        return rows

    def _get_mail_total(self):
        self.ensure_one()
        lang = self.env["res.lang"]._lang_get(self.env.lang or "en_US") or self.env["res.lang"]._lang_get(
            "en_US"
        )
        return self._format_amount_lang(self.amount_overdue, self.currency_id, lang)

    @api.model
    def _format_amount_lang(self, amount, currency, lang):
        """odoo.tools.format_amount with the language record already known."""
        formatted = (
            lang.format(f"%.{currency.decimal_places}f", currency.round(amount), grouping=True)
            .replace(" ", "\N{NO-BREAK SPACE}")
            .replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
        )
        symbol = currency.symbol or ""
        if currency.position == "before":
            return f"{symbol}\N{NO-BREAK SPACE}{formatted}"
        return f"{formatted}\N{NO-BREAK SPACE}{symbol}"

    def _get_invoice_portal_url(self, move):
        """Absolute portal URL of an invoice (the customer can pay there when a payment
        provider is set up)."""
        return move.get_base_url() + move.get_portal_url()
