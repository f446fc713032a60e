# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.kana import normalize_payer_name


class KakeuriPayerName(models.Model):
    """A payer name seen on a bank transfer, learned when a clerk confirms which customer
    paid: the next transfer under this name is matched to the customer."""

    _name = "kakeuri.payer.name"
    _description = "Learned Payer Name"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(
        string="Payer Name",
        required=True,
        index=True,
        help="Normalised half-width kana: no spaces, punctuation, long vowel marks or legal forms.",
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "UNIQUE(company_id, name)",
            "A payer name is learned once per company.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalize_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._normalize_vals(vals)
        return super().write(vals)

    @api.model
    def _normalize_vals(self, vals):
        if "name" in vals:
            key = normalize_payer_name(vals["name"] or "")
            if not key:
                raise ValidationError(
                    _("The payer name “%(name)s” is empty once normalised.", name=vals["name"] or "")
                )
            vals["name"] = key
        if vals.get("partner_id"):
            vals["partner_id"] = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id

    @api.model
    def _learn(self, company, name, partner, overwrite=False):
        """Remember that ``name`` (as the bank wrote it) pays for ``partner`` in ``company``.
        An existing name of another customer is moved only when ``overwrite``."""
        key = normalize_payer_name(name or "")
        if not key:
            return self.browse()
        partner = partner.commercial_partner_id
        existing = self.sudo().search([("company_id", "=", company.id), ("name", "=", key)], limit=1)
        if existing:
            if overwrite and existing.partner_id != partner:
                existing.partner_id = partner
            return existing
        return self.sudo().create({"name": key, "partner_id": partner.id, "company_id": company.id})
