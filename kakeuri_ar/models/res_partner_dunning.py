# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools import SQL


class ResPartner(models.Model):
    _inherit = "res.partner"

    kakeuri_dunning_excluded = fields.Boolean(
        string="Excluded from Dunning",
        tracking=True,
        help="No reminder is sent to this customer; dunning runs list them as skipped.",
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

    def action_kakeuri_dunning_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kakeuri_ar.action_kakeuri_dunning_line")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action
