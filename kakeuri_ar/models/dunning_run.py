# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import contextlib
import json
import logging
import threading
from collections import defaultdict

import odoo
from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_amount, format_date

_logger = logging.getLogger(__name__)

# The line values _prepare_line_vals returns, inserted in bulk by _create_lines.
BULK_LINE_COLUMNS = (
    "partner_id",
    "contact_partner_id",
    "level_id",
    "proposed_level_id",
    "move_level_data",
    "amount_overdue",
    "max_days_overdue",
    "last_dunning_date",
    "user_id",
    "state",
    "include",
    "reason",
)
BULK_LINE_KEYS = (*BULK_LINE_COLUMNS, "run_id", "move_ids")

# One row per overdue customer invoice (receivable lines grouped per invoice), with everything
# the level choice needs about the invoice and its customer. One query per run.
CANDIDATES_SQL = """
WITH overdue AS (
    SELECT p.commercial_partner_id AS partner_id,
           aml.move_id,
           MIN(aml.date_maturity) AS date_maturity,
           SUM(aml.amount_residual) AS residual
      FROM account_move_line aml
      JOIN account_account acc ON acc.id = aml.account_id
      JOIN account_move m ON m.id = aml.move_id
      JOIN res_partner p ON p.id = aml.partner_id
     WHERE aml.company_id = %(company)s
       AND aml.parent_state = 'posted'
       AND acc.account_type = 'asset_receivable'
       AND m.move_type IN ('out_invoice', 'out_receipt')
       AND aml.reconciled IS NOT TRUE
       AND aml.amount_residual > 0
       AND aml.date_maturity < %(date)s
     GROUP BY p.commercial_partner_id, aml.move_id
),
customers AS (
    SELECT DISTINCT partner_id FROM overdue
),
unapplied AS (
    -- open credit notes and payments not yet matched with an invoice, netted per customer
    SELECT p.commercial_partner_id AS partner_id, SUM(aml.amount_residual) AS amount
      FROM account_move_line aml
      JOIN account_account acc ON acc.id = aml.account_id
      JOIN res_partner p ON p.id = aml.partner_id
     WHERE aml.company_id = %(company)s
       AND aml.parent_state = 'posted'
       AND acc.account_type = 'asset_receivable'
       AND aml.reconciled IS NOT TRUE
       AND aml.amount_residual < 0
       AND aml.date <= %(date)s
       AND p.commercial_partner_id IN (SELECT partner_id FROM customers)
     GROUP BY p.commercial_partner_id
),
last_sent AS (
    SELECT c.partner_id, ls.last_date
      FROM customers c
      JOIN LATERAL (
            SELECT MAX(r.date) AS last_date
              FROM kakeuri_dunning_line l
              JOIN kakeuri_dunning_run r ON r.id = l.run_id
             WHERE l.partner_id = c.partner_id
               AND l.state = 'sent'
               AND r.company_id = %(company)s
      ) ls ON TRUE
),
contacts AS (
    SELECT c.partner_id, inv.id AS contact_id
      FROM customers c
      LEFT JOIN LATERAL (
            SELECT ch.id
              FROM res_partner ch
             WHERE ch.parent_id = c.partner_id
               AND ch.type = 'invoice'
               AND ch.active
               AND COALESCE(ch.email, '') != ''
             ORDER BY ch.id
             LIMIT 1
      ) inv ON TRUE
)
SELECT o.partner_id,
       o.move_id,
       o.date_maturity,
       o.residual,
       COALESCE(m.kakeuri_dunning_blocked, FALSE) AS blocked,
       COALESCE(lv.days_overdue, -1) AS current_days,
       COALESCE(p.kakeuri_dunning_excluded, FALSE) AS excluded,
       p.kakeuri_promise_date,
       p.kakeuri_promise_amount,
       p.user_id,
       ls.last_date,
       ct.contact_id,
       COALESCE(un.amount, 0) AS unapplied
  FROM overdue o
  JOIN account_move m ON m.id = o.move_id
  JOIN res_partner p ON p.id = o.partner_id
  LEFT JOIN kakeuri_dunning_level lv ON lv.id = m.kakeuri_dunning_level_id
  LEFT JOIN last_sent ls ON ls.partner_id = o.partner_id
  LEFT JOIN contacts ct ON ct.partner_id = o.partner_id
  LEFT JOIN unapplied un ON un.partner_id = o.partner_id
 ORDER BY o.partner_id, o.date_maturity, o.move_id
"""


class KakeuriDunningRun(models.Model):
    _name = "kakeuri.dunning.run"
    _description = "Dunning Run"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="Invoices due before this date are overdue; days overdue are counted up to it.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_ids = fields.Many2many(
        comodel_name="kakeuri.dunning.level",
        string="Levels",
        domain="[('company_id', '=', company_id)]",
        default=lambda self: self._default_level_ids(),
        help="Only these levels are proposed. The scheduled run uses the automatic levels.",
    )
    line_ids = fields.One2many(comodel_name="kakeuri.dunning.line", inverse_name="run_id", string="Lines")
    state = fields.Selection(
        selection=[("draft", "Draft"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    auto = fields.Boolean(string="Scheduled", readonly=True, help="Created by the daily scheduled action.")
    send_queued = fields.Boolean(
        string="Sending in Background",
        readonly=True,
        copy=False,
        help="The reminders are being sent by the scheduled action “Receivables: send queued "
        "dunning runs”, batch by batch: a run over thousands of customers is not sent within "
        "the browser's request.",
    )
    send_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Queued By",
        readonly=True,
        copy=False,
        help="The reminders sent in the background are sent in this user's name.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Activities for customers without a salesperson are assigned to this user.",
    )
    line_count = fields.Integer(compute="_compute_counts", string="Customers")
    draft_count = fields.Integer(compute="_compute_counts", string="To Send")
    sent_count = fields.Integer(compute="_compute_counts", string="Sent")
    skipped_count = fields.Integer(compute="_compute_counts", string="Skipped")
    failed_count = fields.Integer(compute="_compute_counts", string="Failed")
    letter_count = fields.Integer(compute="_compute_counts", string="Letters")
    amount_to_send = fields.Monetary(
        compute="_compute_counts", string="Overdue Amount to Remind", currency_field="currency_id"
    )
    payment_link_enabled = fields.Boolean(
        compute="_compute_payment_link_enabled",
        help="Technical: an online payment provider is enabled for the company, so reminders "
        "invite the customer to pay online.",
    )

    @api.model
    def _default_level_ids(self):
        return self.env["kakeuri.dunning.level"].search([("company_id", "=", self.env.company.id)])

    @api.depends("line_ids.state", "line_ids.letter_to_print", "line_ids.amount_overdue")
    def _compute_counts(self):
        for run in self:
            lines = run.line_ids
            run.line_count = len(lines)
            run.draft_count = len(lines.filtered(lambda ln: ln.state == "draft"))
            run.sent_count = len(lines.filtered(lambda ln: ln.state == "sent"))
            run.skipped_count = len(lines.filtered(lambda ln: ln.state == "skipped"))
            run.failed_count = len(lines.filtered(lambda ln: ln.state == "failed"))
            run.letter_count = len(lines.filtered("letter_to_print"))
            run.amount_to_send = sum(lines.filtered(lambda ln: ln.state == "draft").mapped("amount_overdue"))

    def _compute_payment_link_enabled(self):
        has_payment = "payment.provider" in self.env
        for run in self:
            run.payment_link_enabled = has_payment and bool(
                self.env["payment.provider"]
                .sudo()
                .search_count(
                    [("state", "in", ("enabled", "test")), ("company_id", "=", run.company_id.id)], limit=1
                )
            )

    @api.constrains("company_id", "level_ids")
    def _check_level_company(self):
        for run in self:
            wrong = run.level_ids.filtered(lambda lv, run=run: lv.company_id != run.company_id)
            if wrong:
                raise ValidationError(
                    _(
                        "Dunning run %(run)s is for %(company)s but level %(level)s belongs to %(other)s.",
                        run=run.name,
                        company=run.company_id.name,
                        level=wrong[0].name,
                        other=wrong[0].company_id.name,
                    )
                )

    @api.constrains("date")
    def _check_date_not_future(self):
        for run in self:
            today = fields.Date.context_today(run)
            if run.date and run.date > today:
                raise ValidationError(
                    _(
                        "Dunning run %(run)s is dated %(date)s, in the future: a run reminds of what is "
                        "overdue by today at the latest.",
                        run=run.name,
                        date=format_date(self.env, run.date),
                    )
                )

    @api.onchange("company_id")
    def _onchange_company_id(self):
        self.level_ids = self.env["kakeuri.dunning.level"].search([("company_id", "=", self.company_id.id)])

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("kakeuri.dunning.run") or "/"
                )
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        for run in self:
            if run.line_ids.filtered(lambda ln: ln.state in ("sent", "failed")):
                raise UserError(
                    _("Dunning run %(run)s has sent reminders; it is kept as a record.", run=run.name)
                )

    # ------------------------------------------------------------------ actions
    def action_compute(self):
        for run in self:
            if run.state != "draft":
                raise UserError(_("Dunning run %(run)s is done; create a new run.", run=run.name))
            if run.send_queued:
                raise UserError(
                    _(
                        "Dunning run %(run)s is being sent in the background; it cannot be computed again.",
                        run=run.name,
                    )
                )
            run._compute_lines()
        return True

    def action_send(self):
        for run in self:
            if run.state != "draft":
                raise UserError(_("Dunning run %(run)s is done; nothing is left to send.", run=run.name))
            if not run.line_ids:
                raise UserError(_("Dunning run %(run)s has no lines; compute it first.", run=run.name))
            if run.send_queued:
                raise UserError(
                    _(
                        "Dunning run %(run)s is already being sent in the background.",
                        run=run.name,
                    )
                )
            if run._send_in_background():
                run._queue_sending()
                continue
            run._send_lines()
            run._finish_if_complete()
        queued = self.filtered("send_queued")
        if queued:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "sticky": False,
                    "message": _(
                        "%(runs)s: the reminders are sent in the background; the run is done once "
                        "they are all sent.",
                        runs=", ".join(queued.mapped("name")),
                    ),
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        return True

    def _send_in_background(self):
        """Whether sending waits for the scheduled action rather than running in the request:
        when more reminders are to send than the system parameter
        ``kakeuri_ar.dunning_background_threshold`` (default 2,000)."""
        self.ensure_one()
        threshold = int(
            self.env["ir.config_parameter"].sudo().get_param("kakeuri_ar.dunning_background_threshold", 2000)
        )
        return self.draft_count > threshold

    def _queue_sending(self):
        self.ensure_one()
        self.write({"send_queued": True, "send_user_id": self.env.user.id})
        self.message_post(
            body=_(
                "%(count)s reminders queued by %(user)s; they are sent in the background.",
                count=self.draft_count,
                user=self.env.user.name,
            )
        )
        self.env.ref("kakeuri_ar.ir_cron_kakeuri_dunning_send_queued")._trigger()

    @api.model
    def _cron_send_queued(self):
        """Send the runs queued by ``action_send``, each in the name of the user who queued it,
        batch by batch (a batch per commit: a crash or a second worker sends only what is
        left)."""
        commit = self._kakeuri_can_commit()
        for run in self.sudo().search([("send_queued", "=", True), ("state", "=", "draft")], order="id"):
            user = run.send_user_id if run.send_user_id.active else self.env.ref("base.user_root")
            run = (
                run.with_user(user)
                .with_company(run.company_id)
                .with_context(allowed_company_ids=[run.company_id.id])
            )
            try:
                with contextlib.nullcontext() if commit else self.env.cr.savepoint():
                    run._send_lines()
                    run._finish_if_complete()
            except Exception as error:  # noqa: BLE001 - one run must not stop the others
                if commit:
                    self.env.cr.rollback()
                self.env.invalidate_all()
                _logger.exception("Dunning: the queued run %s could not be sent", run.name)
                # not left "sending" for ever: the person can see why and press Send again
                run.sudo().message_post(
                    body=_(
                        "Sending in the background stopped: %(error)s. The reminders not sent yet "
                        "are still to send; press Send again once the cause is fixed.",
                        error=str(error) or type(error).__name__,
                    )
                )
            run.sudo().send_queued = False
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def action_print_letters(self):
        lines = self.line_ids.filtered("letter_to_print")
        if not lines:
            raise UserError(
                _("Dunning run %(run)s has no letter to print.", run=", ".join(self.mapped("name")))
            )
        return self.env.ref("kakeuri_ar.action_report_dunning_letter").report_action(lines)

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kakeuri_ar.action_kakeuri_dunning_line")
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {"search_default_group_state": 1}
        return action

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_run(self, date_ref=None):
        """Daily: for each company, finish unsent scheduled runs, then compute and send a run
        with the automatic levels. Manual levels wait for a person's run."""
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        commit = self._kakeuri_can_commit()
        for company in self.env["res.company"].sudo().search([]):
            # one company's failure (a broken template, a lock) must not stop the others
            try:
                if commit:
                    self._cron_run_company(company, date_ref)
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                else:
                    with self.env.cr.savepoint():
                        self._cron_run_company(company, date_ref)
            except Exception:  # noqa: BLE001
                if commit:
                    self.env.cr.rollback()
                _logger.exception("Dunning: the scheduled run of company %s failed", company.name)

    @api.model
    def _cron_run_company(self, company, date_ref):
        Run = self.sudo().with_company(company).with_context(allowed_company_ids=[company.id])
        for pending in Run.search(
            [("company_id", "=", company.id), ("auto", "=", True), ("state", "=", "draft")]
        ):
            pending._send_lines()
            pending._finish_if_complete()
        levels = Run.env["kakeuri.dunning.level"].search(
            [("company_id", "=", company.id), ("auto", "=", True)]
        )
        if not levels:
            return
        run = Run.create(
            {
                "date": date_ref,
                "company_id": company.id,
                "level_ids": [Command.set(levels.ids)],
                "auto": True,
                "user_id": self.env.user.id,
            }
        )
        run._compute_lines()
        if run.line_ids:
            run._send_lines()
            run._finish_if_complete()
        else:
            run.unlink()

    # ------------------------------------------------------------------ compute
    def _get_candidates(self):
        """Overdue invoices of the run's company as of the run date, grouped per customer
        (commercial partner): {partner_id: [row, ...]}. A single SQL query."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(SQL(CANDIDATES_SQL, company=self.company_id.id, date=self.date))
        by_partner = defaultdict(list)
        for row in self.env.cr.dictfetchall():
            by_partner[row["partner_id"]].append(row)
        return by_partner

    def _compute_lines(self):
        self.ensure_one()
        self.env["kakeuri.dunning.level"]._create_default_levels(self.company_id)
        if not self.level_ids:
            self.level_ids = self._default_level_ids().filtered(lambda lv: lv.company_id == self.company_id)
        levels = self.level_ids.filtered("active").sorted("days_overdue")
        if not levels:
            raise UserError(_("Dunning run %(run)s has no active level to propose.", run=self.name))
        self.line_ids.filtered(lambda ln: ln.state in ("draft", "skipped")).unlink()
        kept_partners = set(self.line_ids.partner_id.ids)
        vals_list = []
        steps = [(lv.days_overdue, lv) for lv in levels]
        candidates = self._get_candidates()
        self._settle_promises(candidates)
        for partner_id, rows in candidates.items():
            if partner_id in kept_partners:
                continue
            vals = self._prepare_line_vals(partner_id, rows, levels, steps=steps)
            if vals:
                vals_list.append(vals)
        lines = self._create_lines(vals_list)
        self.message_post(
            body=_(
                "Computed on %(date)s: %(count)s customers to remind, %(skipped)s skipped.",
                date=format_date(self.env, self.date),
                count=sum(1 for vals in vals_list if vals.get("state") == "draft"),
                skipped=sum(1 for vals in vals_list if vals.get("state") == "skipped"),
            )
        )
        return lines

    def _settle_promises(self, candidates):
        """Judge the promises to pay of the candidate customers: kept when the payments dated
        from the day the promise was recorded up to the promised date (or the run date, if
        earlier) cover the promised amount; broken when the date has passed without. Either way
        the promise is cleared (with a note in the customer's chatter), so it is judged once;
        a broken promise is mentioned on the customer's reminder. Updates ``candidates``."""
        self.ensure_one()
        promises = {}
        for partner_id, rows in candidates.items():
            head = rows[0]
            if head["kakeuri_promise_date"]:
                promises[partner_id] = head
        if not promises:
            return
        partners = self.env["res.partner"].browse(list(promises)).sudo()
        # promises recorded before the start date was kept: count from the last reminder
        starts = {
            p.id: p.kakeuri_promise_start_date
            or promises[p.id]["last_date"]
            or promises[p.id]["kakeuri_promise_date"]
            for p in partners
        }
        ids = list(promises)
        self.env.cr.execute(
            SQL(
                """SELECT v.partner_id, COALESCE(SUM(-aml.balance), 0)
                     FROM unnest(%(partners)s::int[], %(starts)s::date[], %(ends)s::date[])
                          AS v(partner_id, date_start, date_end)
                     JOIN res_partner p ON p.commercial_partner_id = v.partner_id
                     JOIN account_move_line aml ON aml.partner_id = p.id
                     JOIN account_account acc ON acc.id = aml.account_id
                     JOIN account_move m ON m.id = aml.move_id
                    WHERE aml.company_id = %(company)s
                      AND aml.parent_state = 'posted'
                      AND acc.account_type = 'asset_receivable'
                      AND m.move_type = 'entry'
                      AND aml.balance < 0
                      AND aml.date >= v.date_start
                      AND aml.date <= v.date_end
                    GROUP BY v.partner_id""",
                partners=ids,
                starts=[starts[pid] for pid in ids],
                ends=[min(promises[pid]["kakeuri_promise_date"], self.date) for pid in ids],
                company=self.company_id.id,
            )
        )
        paid = dict(self.env.cr.fetchall())
        currency = self.company_id.currency_id
        for partner in partners:
            head = promises[partner.id]
            amount = head["kakeuri_promise_amount"] or 0.0
            promise_date = head["kakeuri_promise_date"]
            kept = currency.compare_amounts(amount, 0) > 0 and (
                currency.compare_amounts(paid.get(partner.id, 0.0), amount) >= 0
            )
            if not kept and promise_date >= self.date:
                continue  # still valid
            values = {
                "amount": format_amount(self.env, amount, currency),
                "date": format_date(self.env, promise_date),
                "paid": format_amount(self.env, paid.get(partner.id, 0.0), currency),
            }
            if kept:
                body = _("Promise to pay %(amount)s by %(date)s was kept (paid %(paid)s).", **values)
            else:
                body = _("Promise to pay %(amount)s by %(date)s was broken (paid %(paid)s).", **values)
            partner.with_context(tracking_disable=True).write(
                {
                    "kakeuri_promise_date": False,
                    "kakeuri_promise_amount": 0.0,
                    "kakeuri_promise_start_date": False,
                }
            )
            partner.message_post(body=body, subtype_xmlid="mail.mt_note")
            for row in candidates[partner.id]:
                row["kakeuri_promise_date"] = None
                row["promise_broken"] = not kept and (amount, promise_date)

    def _create_lines(self, vals_list):
        """Create the proposed lines. The plain values of ``_prepare_line_vals`` are inserted
        with one INSERT (and one for the invoice links): a run over 20,000 customers would
        spend most of its time in 20,000 ORM creates. Values with other keys (an extension's
        fields) go through the ORM."""
        self.ensure_one()
        Line = self.env["kakeuri.dunning.line"]
        if not vals_list:
            return Line
        if set().union(*vals_list) - set(BULK_LINE_KEYS):
            return Line.create(vals_list)
        Line.flush_model()
        columns = {key: [vals.get(key) for vals in vals_list] for key in BULK_LINE_COLUMNS}
        self.env.cr.execute(
            SQL(
                """INSERT INTO kakeuri_dunning_line
                          (run_id, company_id, date, partner_id, contact_partner_id, level_id,
                           proposed_level_id, move_level_data, amount_overdue, max_days_overdue,
                           last_dunning_date, user_id, state, include, reason,
                           letter_to_print, hold_set, create_uid, create_date, write_uid, write_date)
                   SELECT %(run)s, %(company)s, %(date)s, v.partner_id, v.contact_partner_id, v.level_id,
                          v.proposed_level_id, v.move_level_data::jsonb, v.amount_overdue,
                          v.max_days_overdue, v.last_dunning_date, v.user_id, v.state, v.include,
                          v.reason, FALSE, FALSE,
                          %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                     FROM unnest(%(partner_id)s::int[], %(contact_partner_id)s::int[],
                                 %(level_id)s::int[], %(proposed_level_id)s::int[],
                                 %(move_level_data)s::text[], %(amount_overdue)s::numeric[],
                                 %(max_days_overdue)s::int[], %(last_dunning_date)s::date[],
                                 %(user_id)s::int[], %(state)s::varchar[], %(include)s::bool[],
                                 %(reason)s::varchar[])
                          AS v(partner_id, contact_partner_id, level_id, proposed_level_id,
                               move_level_data, amount_overdue, max_days_overdue,
                               last_dunning_date, user_id, state, include, reason)
                RETURNING id, partner_id""",
                run=self.id,
                company=self.company_id.id,
                date=self.date,
                uid=self.env.uid,
                partner_id=columns["partner_id"],
                contact_partner_id=columns["contact_partner_id"],
                level_id=columns["level_id"],
                proposed_level_id=columns["proposed_level_id"],
                move_level_data=[json.dumps(value) for value in columns["move_level_data"]],
                amount_overdue=columns["amount_overdue"],
                max_days_overdue=columns["max_days_overdue"],
                last_dunning_date=columns["last_dunning_date"],
                user_id=columns["user_id"],
                state=columns["state"],
                include=columns["include"],
                reason=[str(value) if value else None for value in columns["reason"]],
            )
        )
        line_by_partner = {partner_id: line_id for line_id, partner_id in self.env.cr.fetchall()}
        rel_lines, rel_moves = [], []
        for vals in vals_list:
            line_id = line_by_partner[vals["partner_id"]]
            for command in vals["move_ids"]:
                for move_id in command[2]:
                    rel_lines.append(line_id)
                    rel_moves.append(move_id)
        self.env.cr.execute(
            SQL(
                """INSERT INTO kakeuri_dunning_line_move_rel (line_id, move_id)
                   SELECT * FROM unnest(%s::int[], %s::int[])""",
                rel_lines,
                rel_moves,
            )
        )
        self.invalidate_recordset(["line_ids"])
        return Line.browse(sorted(line_by_partner.values()))

    def _target_level(self, days, current_days, steps):
        """The highest level an invoice ``days`` overdue has reached, if it is above the level
        it already had (``current_days``: days of its current level, -1 for none).
        ``steps``: [(days_overdue, level)] of the run's levels, ascending."""
        target_days, target = -1, False
        for level_days, level in steps:
            if level_days > days:
                break
            target_days, target = level_days, level
        if target and target_days > current_days:
            return target
        return False

    def _prepare_line_vals(self, partner_id, rows, levels, steps=None):
        """Values of the dunning line of one customer, or None when nothing new is due."""
        self.ensure_one()
        run_date = self.date
        steps = steps or [(lv.days_overdue, lv) for lv in levels]
        open_rows = [r for r in rows if not r["blocked"]]
        disputed = [r for r in rows if r["blocked"]]
        considered = open_rows or disputed
        targets = {}
        for row in considered:
            level = self._target_level((run_date - row["date_maturity"]).days, row["current_days"], steps)
            if level:
                targets[row["move_id"]] = level
        if not targets:
            return None
        level = max(targets.values(), key=lambda lv: (lv.days_overdue, lv.id))
        head = rows[0]
        currency = self.company_id.currency_id
        notes = []
        state, reason = "draft", False
        min_interval = self.company_id.kakeuri_dunning_min_interval_days
        promise_date = head["kakeuri_promise_date"]
        last_date = head["last_date"]
        unapplied = head["unapplied"] or 0.0
        if not open_rows:
            state, reason = "skipped", _("All overdue invoices are disputed.")
        elif currency.compare_amounts(sum(r["residual"] for r in open_rows) + unapplied, 0) <= 0:
            state, reason = "skipped", _("Unapplied payments/credit notes cover the overdue amount.")
        elif head["excluded"]:
            state, reason = "skipped", _("The customer is excluded from dunning.")
        elif promise_date and promise_date >= self.date:
            state = "skipped"
            reason = _(
                "Promised to pay %(amount)s by %(date)s.",
                amount=format_amount(self.env, head["kakeuri_promise_amount"] or 0.0, currency),
                date=format_date(self.env, promise_date),
            )
        elif last_date and min_interval and (self.date - last_date).days < min_interval:
            state = "skipped"
            reason = _(
                "Reminded on %(date)s; the minimum interval is %(days)s days.",
                date=format_date(self.env, last_date),
                days=min_interval,
            )
        else:
            if head.get("promise_broken"):
                broken_amount, broken_date = head["promise_broken"]
                notes.append(
                    _(
                        "Promise to pay %(amount)s by %(date)s was broken.",
                        amount=format_amount(self.env, broken_amount, currency),
                        date=format_date(self.env, broken_date),
                    )
                )
            if disputed:
                notes.append(_("Disputed invoices left out: %(count)s.", count=len(disputed)))
            if currency.compare_amounts(unapplied, 0) < 0:
                notes.append(
                    _(
                        "Unapplied payments/credit notes of %(amount)s to match.",
                        amount=format_amount(self.env, -unapplied, currency),
                    )
                )
            reason = " ".join(notes) or False
        return {
            "run_id": self.id,
            "partner_id": partner_id,
            "contact_partner_id": head["contact_id"] or partner_id,
            "level_id": level.id,
            "proposed_level_id": level.id,
            "move_ids": [Command.set([r["move_id"] for r in considered])],
            # per invoice: the level it reaches (None: already reached), its overdue amount and
            # earliest overdue due date (an instalment invoice is only partly overdue)
            "move_level_data": {
                str(r["move_id"]): {
                    "level": targets[r["move_id"]].id if r["move_id"] in targets else None,
                    "amount": float(r["residual"]),
                    "date_due": fields.Date.to_string(r["date_maturity"]),
                }
                for r in considered
            },
            "amount_overdue": sum(r["residual"] for r in considered),
            "max_days_overdue": max((run_date - r["date_maturity"]).days for r in considered),
            "last_dunning_date": last_date,
            "user_id": head["user_id"],
            "state": state,
            "include": state == "draft",
            "reason": reason,
        }

    # ------------------------------------------------------------------ send
    @api.model
    def _kakeuri_can_commit(self):
        return not (
            self.env.context.get("kakeuri_dunning_no_commit")
            or odoo.modules.module.current_test
            or getattr(threading.current_thread(), "testing", False)
        )

    def _send_lines(self, batch_size=None):
        """Send the unsent lines in batches. Each batch locks its lines (SKIP LOCKED, so two
        workers never take the same line), queues the mails and marks the lines and invoices in
        one transaction, then commits. A crashed run re-sent later only sends what is left."""
        self.ensure_one()
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].sudo().get_param("kakeuri_ar.dunning_batch_size", 500)
        )
        commit = self._kakeuri_can_commit()
        Line = self.env["kakeuri.dunning.line"]
        seen = set()
        while True:
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """SELECT id FROM kakeuri_dunning_line
                        WHERE run_id = %s AND state = 'draft'
                        ORDER BY id LIMIT %s
                          FOR UPDATE SKIP LOCKED""",
                    self.id,
                    batch_size,
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if not ids or seen.issuperset(ids):
                break
            seen.update(ids)
            try:
                with self.env.cr.savepoint():
                    Line.browse(ids)._send()
            except Exception:  # noqa: BLE001 - one bad line must not stop the others
                _logger.warning(
                    "Dunning run %s: a batch failed; sending it line by line", self.name, exc_info=True
                )
                self._send_lines_one_by_one(ids)
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.invalidate_all()

    def _send_lines_one_by_one(self, ids):
        """After a failed batch: send each line in its own savepoint; a line that fails again
        is marked failed with the error, so the others go and later runs do not stumble on it
        (a person retries it once the cause is fixed)."""
        Line = self.env["kakeuri.dunning.line"]
        for line_id in ids:
            try:
                with self.env.cr.savepoint():
                    Line.browse(line_id)._send()
            except Exception as exc:  # noqa: BLE001
                _logger.warning("Dunning run %s: line %s failed", self.name, line_id, exc_info=True)
                Line.browse(line_id).with_context(kakeuri_dunning_sending=True).write(
                    {
                        "state": "failed",
                        "reason": _("Sending failed: %(error)s", error=str(exc) or type(exc).__name__),
                    }
                )

    def _finish_if_complete(self):
        Line = self.env["kakeuri.dunning.line"]
        for run in self:
            if run.state != "draft" or Line.search_count(
                [("run_id", "=", run.id), ("state", "=", "draft")], limit=1
            ):
                continue
            # the counts of the message: only these columns of the (thousands of) lines
            run.line_ids.fetch(["state", "letter_to_print", "amount_overdue"])
            run.state = "done"
            run.message_post(
                body=_(
                    "Sent: %(sent)s reminders, %(skipped)s skipped, %(failed)s failed, "
                    "%(letters)s letters to print.",
                    sent=run.sent_count,
                    skipped=run.skipped_count,
                    failed=run.failed_count,
                    letters=run.letter_count,
                )
            )
