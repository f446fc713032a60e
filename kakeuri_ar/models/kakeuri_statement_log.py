# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

# A failed statement is tried again once a day by the scheduled run, at most this many times
# in all; after that it stays failed, in sight, until someone presses Retry.
MAX_ATTEMPTS = 5


def last_complete_period(frequency, date_ref):
    """(date_from, date_to) of the last complete period before ``date_ref`` (the day of the
    run, which is not over yet): for 'weekly' the Monday to Sunday of the week before the one
    of ``date_ref`` (on a Sunday: the week before it, its own week not being over), for
    'monthly' the previous calendar month."""
    if frequency == "weekly":
        date_to = date_ref - timedelta(days=date_ref.weekday() + 1)
        return date_to - timedelta(days=6), date_to
    if frequency == "monthly":
        date_to = date_ref.replace(day=1) - timedelta(days=1)
        return date_to.replace(day=1), date_to
    raise ValueError(f"no statement period for the frequency {frequency!r}")


class KakeuriStatementLog(models.Model):
    """One scheduled statement of account: a customer, a company and a period, queued once
    (unique), then mailed with a link to its portal page where the PDF is made on opening."""

    _name = "kakeuri.statement.log"
    _description = "Statement of Account Log"
    _inherit = ["portal.mixin"]
    _order = "date_to desc, id desc"

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        help="The customer (commercial partner): its contacts' items are on its statement.",
    )
    company_id = fields.Many2one(comodel_name="res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id", store=True)
    date_from = fields.Date(string="From", required=True, readonly=True)
    date_to = fields.Date(string="To", required=True, readonly=True, index=True)
    state = fields.Selection(
        selection=[
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("skipped", "Skipped"),
        ],
        required=True,
        default="queued",
        readonly=True,
        index=True,
        help="Queued: to be mailed. Sent: the mail is in the mail queue. Failed: the mail could "
        "not be made (see the error); tried again by the next daily runs. Skipped: nothing to "
        "report (no balance and no movement in the period).",
    )
    mail_id = fields.Many2one(comodel_name="mail.mail", string="Email", readonly=True, ondelete="set null")
    error = fields.Text(readonly=True)
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    attempt_date = fields.Date(string="Last Attempt", readonly=True)
    balance = fields.Monetary(
        currency_field="currency_id",
        readonly=True,
        help="The customer's receivable balance at the end of the period, when it was queued.",
    )
    overdue_amount = fields.Monetary(
        string="Overdue",
        currency_field="currency_id",
        readonly=True,
        help="The part of the balance past its due date at the end of the period, when it was queued.",
    )

    _sql_constraints = [
        (
            "period_unique",
            "UNIQUE(partner_id, company_id, date_from, date_to)",
            "A customer has one statement per company and period.",
        ),
    ]

    @api.depends("partner_id", "date_from", "date_to")
    def _compute_display_name(self):
        for log in self:
            log.display_name = _(
                "%(partner)s: %(date_from)s – %(date_to)s",
                partner=log.partner_id.display_name,
                date_from=format_date(self.env, log.date_from),
                date_to=format_date(self.env, log.date_to),
            )

    def _compute_access_url(self):
        for log in self:
            log.access_url = f"/my/statements/{log.id}"

    def _get_report_base_filename(self):
        self.ensure_one()
        return _("Statement %(partner)s %(date_to)s", partner=self.partner_id.name, date_to=self.date_to)

    # ------------------------------------------------------------------ actions
    def action_retry(self):
        """Retry failed statements now (the counter starts again): the mail is queued."""
        not_failed = self.filtered(lambda log: log.state != "failed")
        if not_failed:
            raise UserError(
                _(
                    "Only failed statements can be retried; %(log)s is %(state)s.",
                    log=not_failed[0].display_name,
                    state=dict(not_failed[0]._fields["state"]._description_selection(self.env))[
                        not_failed[0].state
                    ],
                )
            )
        self.write({"state": "queued", "attempt_count": 0, "error": False})
        self._send_statements(fields.Date.context_today(self))
        return True
