# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .kakeuri_recurrence_mixin import month_day

CLOSING_DAY_CHOICES = [(str(day), str(day)) for day in range(1, 31)] + [("31", "End of month")]


class ResPartner(models.Model):
    _inherit = "res.partner"

    kakeuri_closing_day = fields.Integer(
        string="Closing Day",
        tracking=True,
        help="Day of the month on which this customer's purchases are closed and billed on one "
        "statement (締日): 1 to 31, a day past the month's end meaning its last day (31 = end of "
        "month). Empty: no closing-day billing.",
    )
    kakeuri_closing_day_choice = fields.Selection(
        selection=CLOSING_DAY_CHOICES,
        string="Closing Day (締日)",
        compute="_compute_kakeuri_closing_day_choice",
        inverse="_inverse_kakeuri_closing_day_choice",
        help="Day of the month on which this customer's purchases are closed and billed on one "
        "statement (締日). Empty: no closing-day billing.",
    )
    kakeuri_closing_failed_date = fields.Date(
        string="Closing Failed On",
        copy=False,
        readonly=True,
        help="The day the scheduled closing run could not make this customer's statement (the "
        "reason is in the chatter). The scheduled run does not try again that day, so the customer "
        "gets one note, not one per batch; it tries again the next day, and the closing wizard "
        "tries at once.",
    )
    kakeuri_billing_statement_ids = fields.One2many(
        comodel_name="kakeuri.billing.statement",
        inverse_name="partner_id",
        string="Billing Statements",
        readonly=True,
    )
    kakeuri_billing_statement_count = fields.Integer(
        string="Statements", compute="_compute_kakeuri_billing_statement_count"
    )

    @api.depends("kakeuri_closing_day")
    def _compute_kakeuri_closing_day_choice(self):
        for partner in self:
            day = partner.kakeuri_closing_day
            partner.kakeuri_closing_day_choice = str(day) if 1 <= day <= 31 else False

    def _inverse_kakeuri_closing_day_choice(self):
        for partner in self:
            partner.kakeuri_closing_day = int(partner.kakeuri_closing_day_choice or 0)

    def _compute_kakeuri_billing_statement_count(self):
        counts = dict(
            self.env["kakeuri.billing.statement"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.kakeuri_billing_statement_count = counts.get(partner, 0)

    @api.constrains("kakeuri_closing_day")
    def _check_kakeuri_closing_day(self):
        for partner in self:
            # 0 is how Odoo stores an empty integer (and what the web client sends for an
            # empty box): it means "no closing-day billing".
            if partner.kakeuri_closing_day and not 1 <= partner.kakeuri_closing_day <= 31:
                raise ValidationError(
                    _(
                        "%(partner)s: the closing day %(day)s is not valid; use a day from 1 to 31 "
                        "(31 = end of month), or leave it empty for no closing-day billing.",
                        partner=partner.display_name,
                        day=partner.kakeuri_closing_day,
                    )
                )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["kakeuri_closing_day"]

    # ------------------------------------------------------------------ helpers
    def _kakeuri_closing_date(self, year, month):
        """Closing date of this customer in the given month (the last day when shorter)."""
        self.ensure_one()
        return month_day(year, month, self.kakeuri_closing_day)

    def _kakeuri_last_closing_date(self, day):
        """Latest closing date on or before ``day``."""
        self.ensure_one()
        closing = self._kakeuri_closing_date(day.year, day.month)
        if closing > day:
            prev = day.replace(day=1) - timedelta(days=1)
            closing = self._kakeuri_closing_date(prev.year, prev.month)
        return closing

    def _kakeuri_next_closing_date(self, day):
        """First closing date strictly after ``day``."""
        self.ensure_one()
        closing = self._kakeuri_closing_date(day.year, day.month)
        if closing <= day:
            nxt = day.replace(day=1) + relativedelta(months=1)
            closing = self._kakeuri_closing_date(nxt.year, nxt.month)
        return closing

    def _kakeuri_payment_term_date(self, day):
        """The date the payment terms of a sale dated ``day`` count from: for a customer with a
        closing day, the closing date of the period the sale falls in (a sale on the closing
        day itself belongs to it), so that the invoice falls due when its billing statement
        does; ``day`` itself otherwise."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if not partner.kakeuri_closing_day or not day:
            return day
        return partner._kakeuri_next_closing_date(day - timedelta(days=1))

    def action_view_kakeuri_billing_statements(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("kakeuri_ar.action_kakeuri_billing_statement")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
