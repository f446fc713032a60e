# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class KakeuriCreditBannerMixin(models.AbstractModel):
    """The credit banner of a customer document (order, invoice): why the customer's credit
    does not allow it, and whether that blocks it. The document says which credit statuses
    concern it (:meth:`_kakeuri_credit_banner_statuses`) and the fields it depends on."""

    _name = "kakeuri.credit.banner.mixin"
    _description = "Credit Warning Banner"

    kakeuri_credit_warning = fields.Text(
        string="Credit Warning",
        compute="_compute_kakeuri_credit_warning",
    )
    kakeuri_credit_blocking = fields.Boolean(
        string="Credit Blocks",
        compute="_compute_kakeuri_credit_warning",
    )

    @api.model
    def _kakeuri_credit_banner_depends(self):
        """Fields of the document the banner depends on."""
        return ["partner_id", "company_id", "currency_id", "state", "amount_total"]

    @api.depends(lambda self: self._kakeuri_credit_banner_depends())
    def _compute_kakeuri_credit_warning(self):
        for record in self:
            statuses = record._kakeuri_credit_banner_statuses()
            problems = [problem for status in statuses for problem in status["problems"]]
            record.kakeuri_credit_warning = "\n".join(problems) if problems else False
            record.kakeuri_credit_blocking = bool(
                problems
                and any(status["blocking"] for status in statuses)
                and record._kakeuri_credit_banner_may_block()
            )

    def _kakeuri_credit_banner_statuses(self):
        """Credit statuses (``res.partner._kakeuri_credit_status``, computed without lock) of
        the customers concerned by this document; none for a document without customer."""
        return []

    def _kakeuri_credit_banner_may_block(self):
        """Whether a blocking status blocks this document in its present state."""
        return True
