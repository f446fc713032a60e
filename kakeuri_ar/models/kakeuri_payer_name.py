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
    def _learn_many(self, company, names):
        """Remember, for each (name, partner, overwrite) of ``names`` in turn, that ``name`` (as
        the bank wrote it) pays for ``partner`` in ``company``; an existing name of another
        customer is moved only when ``overwrite``. One search and one create for all: a name
        learned earlier in the list counts as existing."""
        first, forced = {}, {}
        for name, partner, overwrite in names:
            key = normalize_payer_name(name or "")
            if not key:
                continue
            first.setdefault(key, partner.commercial_partner_id)
            if overwrite:
                forced[key] = partner.commercial_partner_id
        Names = self.sudo()
        if not first:
            return Names.browse()
        existing = Names.search([("company_id", "=", company.id), ("name", "in", list(first))])
        for record in existing:
            del first[record.name]
            if record.name in forced and forced[record.name] != record.partner_id:
                record.partner_id = forced[record.name]
        vals_list = [
            {"name": key, "partner_id": forced.get(key, partner).id, "company_id": company.id}
            for key, partner in first.items()
        ]
        return existing | Names.create(vals_list)
