# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

FEE_BEARERS = [
    ("customer", "Customer"),
    ("company", "Our Company"),
]


class ResPartner(models.Model):
    """What cash matching needs to know of a customer: its name in kana and who bears the
    bank's transfer fee (振込手数料)."""

    _inherit = "res.partner"

    kakeuri_name_kana = fields.Char(
        string="Name in Kana",
        help="The customer's name in kana (フリガナ), as its bank writes it on a transfer. "
        "Compared with payer names after normalisation (width, small kana, legal forms).",
    )
    kakeuri_fee_bearer = fields.Selection(
        selection=FEE_BEARERS,
        string="Transfer Fee Borne By",
        company_dependent=True,
        help="Customer: a transfer short of the invoices by at most the fee tolerance is "
        "accepted and the difference booked as a transfer fee; a larger shortfall stays open. "
        "Our company: the company bears the fees by contract, so the shortfall a clerk "
        "accepts is booked as a fee whatever the tolerance.",
    )
    kakeuri_fee_tolerance = fields.Float(
        string="Transfer Fee Tolerance",
        company_dependent=True,
        digits="Account",
        help="The largest transfer fee this customer may deduct from a payment, in the "
        "company currency (e.g. 880 yen). Cash matching accepts a payment this much below "
        "the items it pays.",
    )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["kakeuri_name_kana"]

    @api.constrains("kakeuri_fee_tolerance")
    def _check_kakeuri_fee_tolerance(self):
        for partner in self:
            if (partner.kakeuri_fee_tolerance or 0.0) < 0:
                raise ValidationError(
                    _(
                        "%(partner)s: the transfer fee tolerance %(amount)s cannot be negative.",
                        partner=partner.display_name,
                        amount=partner.kakeuri_fee_tolerance,
                    )
                )

    def _kakeuri_fee_bearer(self):
        """The fee bearer in the current company; 'customer' when not set."""
        self.ensure_one()
        return self.kakeuri_fee_bearer or "customer"
