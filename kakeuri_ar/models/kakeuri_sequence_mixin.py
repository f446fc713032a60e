# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, models


class KakeuriSequenceMixin(models.AbstractModel):
    """A document's reference (``name``) taken from its ``ir.sequence`` when it is created,
    in the document's company: the one way contracts, billing statements and dunning runs
    are numbered. A name given at creation is kept; the placeholders "/" and "New" (the
    defaults shown on a new form) are replaced."""

    _name = "kakeuri.sequence.mixin"
    _description = "Reference from a Sequence"

    # the code of the ir.sequence (data/*.xml); the model's name when not set
    _kakeuri_sequence_code = None

    @api.model_create_multi
    def create(self, vals_list):
        placeholders = {"/", _("New")}
        code = self._kakeuri_sequence_code or self._name
        for vals in vals_list:
            if vals.get("name") and vals["name"] not in placeholders:
                continue
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            number = self.env["ir.sequence"].with_company(company).next_by_code(code)
            if number:  # without a sequence the placeholder stays, as Odoo's documents do
                vals["name"] = number
        return super().create(vals_list)
