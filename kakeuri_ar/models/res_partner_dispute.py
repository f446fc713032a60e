# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResPartner(models.Model):
    """The customer's disputes, for its stat button."""

    _inherit = "res.partner"

    kakeuri_open_dispute_count = fields.Integer(
        string="Open Disputes",
        compute="_compute_kakeuri_open_dispute_count",
        groups="kakeuri_ar.group_ar_user,sales_team.group_sale_salesman",
    )

    def _compute_kakeuri_open_dispute_count(self):
        """Open disputes of the commercial partner, in the companies the user works in."""
        commercial = self.commercial_partner_id
        groups = self.env["kakeuri.dispute"]._read_group(
            [("partner_id", "in", commercial.ids), ("state", "=", "open")],
            groupby=["partner_id"],
            aggregates=["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.kakeuri_open_dispute_count = counts.get(partner.commercial_partner_id.id, 0)

    def action_kakeuri_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("kakeuri_ar.action_kakeuri_dispute")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_filter_open": 1}
        return action
