# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class ResPartner(models.Model):
    """A customer's credit limit reviews: proposed on demand for a selection, listed from the
    Credit tab."""

    _inherit = "res.partner"

    kakeuri_credit_review_count = fields.Integer(
        string="Limit Reviews",
        compute="_compute_kakeuri_credit_review_count",
        groups="kakeuri_ar.group_ar_user",
    )
    kakeuri_credit_review_proposed = fields.Boolean(
        string="Limit Review Proposed",
        compute="_compute_kakeuri_credit_review_count",
        groups="kakeuri_ar.group_ar_user",
    )

    @api.depends_context("company")
    def _compute_kakeuri_credit_review_count(self):
        """Reviews of the customer (its commercial partner) in the current company."""
        Review = self.env["kakeuri.credit.review"]
        commercial = self.filtered("id").commercial_partner_id
        counts, proposed = {}, set()
        if commercial:
            groups = Review._read_group(
                [("partner_id", "in", commercial.ids), ("company_id", "=", self.env.company.id)],
                ["partner_id", "state"],
                ["__count"],
            )
            for partner, state, count in groups:
                counts[partner.id] = counts.get(partner.id, 0) + count
                if state == "proposed":
                    proposed.add(partner.id)
        for partner in self:
            cp_id = partner.commercial_partner_id.id
            partner.kakeuri_credit_review_count = counts.get(cp_id, 0)
            partner.kakeuri_credit_review_proposed = cp_id in proposed

    # ------------------------------------------------------------------ actions
    def action_propose_limit_reviews(self):
        """Score the selected customers (their commercial partners) in the current company as of
        today and propose a review of their limit; an open proposal is brought up to date.
        Opens the proposals."""
        if not (self.env.su or self.env.user.has_group("kakeuri_ar.group_credit_manager")):
            raise AccessError(
                _(
                    "Only a credit manager can propose limit reviews for %(partners)s.",
                    partners=", ".join(self.mapped("display_name")),
                )
            )
        company = self.env.company
        partners = self.commercial_partner_id
        scores = self.env["kakeuri.credit.score"]._compute_scores(
            company, fields.Date.context_today(self), partners=partners
        )
        reviews = self.env["kakeuri.credit.review"]._propose_for_scores(scores)
        return reviews._kakeuri_open_action(_("Proposed Limit Reviews"))

    def action_kakeuri_open_credit_reviews(self):
        """The limit reviews of this customer in the current company."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        proposed = self.kakeuri_credit_review_proposed
        return self.env["kakeuri.credit.review"]._kakeuri_open_action(
            _("Limit Reviews of %(partner)s", partner=commercial.display_name),
            domain=[("partner_id", "=", commercial.id), ("company_id", "=", self.env.company.id)],
            context={"search_default_filter_proposed": int(proposed)},
        )
