# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class ResPartner(models.Model):
    _inherit = "res.partner"

    kakeuri_dunning_excluded = fields.Boolean(
        string="Excluded from Dunning",
        tracking=True,
        help="No reminder is sent to this customer; dunning runs list them as skipped.",
    )
    kakeuri_promise_date = fields.Date(
        string="Promised Payment Date",
        tracking=True,
        help="The customer promised to pay by this date. Until then no reminder is sent; "
        "if the date passes and the invoices are still overdue, the next run reminds them.",
    )
    kakeuri_promise_amount = fields.Monetary(
        string="Promised Amount",
        currency_field="currency_id",
        tracking=True,
    )
    kakeuri_promise_start_date = fields.Date(
        string="Promise Recorded On",
        readonly=True,
        copy=False,
        help="Payments dated from this day up to the promised date count towards the promise.",
    )
    # per company, from the reminders sent: a customer of two companies is dunned by each
    kakeuri_last_dunning_date = fields.Date(
        string="Last Reminder",
        compute="_compute_kakeuri_last_dunning",
        help="Date of the last reminder the current company sent this customer.",
    )
    kakeuri_dunning_level_id = fields.Many2one(
        comodel_name="kakeuri.dunning.level",
        string="Last Dunning Level",
        compute="_compute_kakeuri_last_dunning",
        help="Level of the last reminder the current company sent this customer.",
    )
    kakeuri_dunning_line_count = fields.Integer(
        string="Reminders",
        compute="_compute_kakeuri_dunning_line_count",
    )

    @api.depends_context("company")
    def _compute_kakeuri_last_dunning(self):
        last = {}
        partner_ids = [pid for pid in self.commercial_partner_id.ids if pid]
        if partner_ids:
            self.env["kakeuri.dunning.line"].flush_model(
                ["partner_id", "company_id", "state", "date", "level_id"]
            )
            self.env.cr.execute(
                SQL(
                    """SELECT DISTINCT ON (partner_id) partner_id, date, level_id
                         FROM kakeuri_dunning_line
                        WHERE partner_id = ANY(%s) AND company_id = %s AND state = 'sent'
                        ORDER BY partner_id, date DESC, id DESC""",
                    partner_ids,
                    self.env.company.id,
                )
            )
            last = {pid: (date, level_id) for pid, date, level_id in self.env.cr.fetchall()}
        Level = self.env["kakeuri.dunning.level"]
        for partner in self:
            date, level_id = last.get(partner.commercial_partner_id.id, (False, False))
            partner.kakeuri_last_dunning_date = date
            partner.kakeuri_dunning_level_id = Level.browse(level_id)

    def _compute_kakeuri_dunning_line_count(self):
        counts = dict(
            self.env["kakeuri.dunning.line"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.kakeuri_dunning_line_count = counts.get(partner.commercial_partner_id, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("kakeuri_promise_date") and not vals.get("kakeuri_promise_start_date"):
                vals["kakeuri_promise_start_date"] = fields.Date.context_today(self)
        return super().create(vals_list)

    def write(self, vals):
        if "kakeuri_promise_date" in vals and "kakeuri_promise_start_date" not in vals:
            vals = dict(
                vals,
                kakeuri_promise_start_date=vals["kakeuri_promise_date"] and fields.Date.context_today(self),
            )
        return super().write(vals)

    @api.constrains("kakeuri_promise_amount")
    def _check_kakeuri_promise_amount(self):
        for partner in self:
            if partner.kakeuri_promise_amount < 0:
                raise ValidationError(
                    _(
                        "%(partner)s: the promised amount cannot be negative (%(amount)s).",
                        partner=partner.display_name,
                        amount=partner.kakeuri_promise_amount,
                    )
                )

    def action_kakeuri_dunning_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kakeuri_ar.action_kakeuri_dunning_line")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action
