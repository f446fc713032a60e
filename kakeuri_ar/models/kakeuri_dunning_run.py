# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from psycopg2 import errors as pg_errors

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date

_logger = logging.getLogger(__name__)


class KakeuriDunningRun(models.Model):
    _name = "kakeuri.dunning.run"
    _description = "Dunning Run"
    _inherit = ["mail.thread", "kakeuri.sequence.mixin", "kakeuri.batch.mixin"]
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
            # sudo: the level of another company may be one this user cannot read, and the
            # message must name it rather than fail on access
            wrong = run.level_ids.sudo().filtered(lambda lv, run=run: lv.company_id != run.company_id)
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
        batch by batch (``kakeuri.batch.mixin``: in the scheduled action a batch per call, which
        Odoo commits before it calls again; a crash or a second worker sends only what is
        left)."""
        for run in self.sudo().search([("send_queued", "=", True), ("state", "=", "draft")], order="id"):
            user = run.send_user_id if run.send_user_id.active else self.env.ref("base.user_root")
            run = (
                run.with_user(user)
                .with_company(run.company_id)
                .with_context(allowed_company_ids=[run.company_id.id])
            )
            try:
                with self.env.cr.savepoint():
                    taken = run._send_lines()
                    run._finish_if_complete()
            except Exception as error:  # noqa: BLE001 - one run must not stop the others
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
                continue
            if run.state == "draft" and self._kakeuri_in_scheduled_action():
                if taken:
                    return  # the rest in the next call
                continue  # its lines are being sent by another worker, which finishes it
            run.sudo().send_queued = False

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
        with the automatic levels (one per company and date). Manual levels wait for a
        person's run. In the scheduled action the sending goes a batch per call; a run larger
        than the background threshold is handed to the queued send (``_cron_send_queued``),
        whose lanes share its batches, as when a person presses Send."""
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        for company in self.env["res.company"].sudo().search([]):
            # one company's failure (a broken template, a lock) must not stop the others
            try:
                with self.env.cr.savepoint():
                    pending = self._cron_run_company(company, date_ref)
            except Exception:  # noqa: BLE001
                self.env.invalidate_all()
                _logger.exception("Dunning: the scheduled run of company %s failed", company.name)
                continue
            if pending and self._kakeuri_in_scheduled_action():
                return  # the rest in the next call

    @api.model
    def _cron_run_company(self, company, date_ref):
        """Returns whether reminders of a scheduled run of ``company`` are left to send."""
        Run = self.sudo().with_company(company).with_context(allowed_company_ids=[company.id])
        auto_runs = [("company_id", "=", company.id), ("auto", "=", True)]
        for pending in Run.search([*auto_runs, ("state", "=", "draft"), ("send_queued", "=", False)]):
            taken = pending._send_lines()
            pending._finish_if_complete()
            if taken and pending.state == "draft":
                return True
        levels = Run.env["kakeuri.dunning.level"].search(
            [("company_id", "=", company.id), ("auto", "=", True)]
        )
        if not levels or Run.search_count([*auto_runs, ("date", "=", date_ref)], limit=1):
            return False
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
        if not run.line_ids:
            run.unlink()
            return False
        if run._send_in_background():
            run._queue_sending()
            return False
        run._send_lines()
        run._finish_if_complete()
        return run.state == "draft"

    # ------------------------------------------------------------------ compute
    def _get_candidates(self):
        """Overdue invoices of the run's company as of the run date, grouped per customer
        (commercial partner): {partner_id: [row, ...]} (see ``kakeuri.dunning.candidates``)."""
        self.ensure_one()
        return self.env["kakeuri.dunning.candidates"].get_candidates(self.company_id, self.date)

    def _compute_lines(self):
        self.ensure_one()
        return self.env["kakeuri.dunning.compute"]._compute_run(self)

    # ------------------------------------------------------------------ send
    def _send_lines(self, batch_size=None):
        """Send the unsent lines (see ``kakeuri.dunning.send._send_run``)."""
        self.ensure_one()
        return self.env["kakeuri.dunning.send"]._send_run(self, batch_size)

    def _finish_if_complete(self):
        Line = self.env["kakeuri.dunning.line"]
        for run in self:
            if run.state != "draft" or Line.search_count(
                [("run_id", "=", run.id), ("state", "=", "draft")], limit=1
            ):
                continue
            if not run._lock_for_finishing():
                continue  # another worker (a lane) finishes it
            # the counts of the message: only these columns of the (thousands of) lines
            run.line_ids.fetch(["state", "letter_to_print", "amount_overdue"])
            run.write({"state": "done", "send_queued": False})
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

    def _lock_for_finishing(self):
        """Take the run's row, or tell that another worker has it: two workers sending the last
        batches of one run at once must not both close it (the second would fail on the row and
        report the run as stopped)."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL("SELECT id FROM kakeuri_dunning_run WHERE id = %s FOR NO KEY UPDATE NOWAIT", self.id),
                    log_exceptions=False,  # another worker holding it is expected, not an error
                )
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
            return False
        return True
