# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models

from ..report.aging_report import DEFAULT_BUCKET_EDGES


class ResPartner(models.Model):
    _inherit = "res.partner"

    kakeuri_aging_html = fields.Html(
        string="Aging Today",
        compute="_compute_kakeuri_aging_html",
        sanitize=False,
        help="What the customer (with its contacts) owes today in the current company, by days past due.",
    )

    @api.depends_context("company", "lang", "uid")
    def _compute_kakeuri_aging_html(self):
        if not self.env["account.move.line"].has_access("read"):
            # users who may not read journal items see no aging (and the form still opens)
            self.kakeuri_aging_html = False
            return
        today = fields.Date.context_today(self)
        bands = self._kakeuri_aging_bands(today)
        labels = self.env["kakeuri.aging.report"].get_bucket_labels(DEFAULT_BUCKET_EDGES)
        for partner in self:
            amounts = bands.get(partner.commercial_partner_id.id)
            partner.kakeuri_aging_html = self.env["ir.qweb"]._render(
                "kakeuri_ar.partner_aging_bands",
                {
                    "labels": labels,
                    "amounts": amounts or [0.0] * len(labels),
                    "total": sum(amounts or []),
                    "currency": self.env.company.currency_id,
                    "date": today,
                },
            )

    def _kakeuri_aging_bands(self, as_of):
        """{commercial partner id: band amounts} in the current company as of ``as_of``. The
        aging engine already returns one row per customer (its contacts' items included); it
        is asked for the items of the customers and all their contacts."""
        commercial = self.commercial_partner_id.filtered("id")
        if not commercial:
            return {}
        contacts = self.with_context(active_test=False).search(
            [("commercial_partner_id", "in", commercial.ids)]
        )
        rows = self.env["kakeuri.aging.report"].get_aging(
            as_of, DEFAULT_BUCKET_EDGES, company=self.env.company, partner_ids=contacts.ids
        )
        return {row["partner_id"]: row["buckets"] for row in rows}

    def action_kakeuri_open_aging(self):
        """The aging of this customer as of today, on screen (list, pivot, graph)."""
        self.ensure_one()
        wizard = self.env["kakeuri.aging.wizard"].create(
            {
                "partner_ids": [(6, 0, self.commercial_partner_id.ids)],
                "company_ids": [(6, 0, self.env.company.ids)],
                "include_zero": True,
            }
        )
        action = wizard.action_view()
        action["name"] = _("Aging of %(customer)s", customer=self.commercial_partner_id.display_name)
        return action
