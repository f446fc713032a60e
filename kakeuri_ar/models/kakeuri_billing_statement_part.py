# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class KakeuriBillingStatementPart(models.AbstractModel):
    """Lines and tax rows of a statement change only while the statement is a draft."""

    _name = "kakeuri.billing.statement.part"
    _description = "Billing Statement Part"

    statement_id = fields.Many2one(
        comodel_name="kakeuri.billing.statement", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="statement_id.company_id", store=True)
    currency_id = fields.Many2one(related="statement_id.currency_id")

    @api.model_create_multi
    def create(self, vals_list):
        statements = self.env["kakeuri.billing.statement"].browse(
            {vals["statement_id"] for vals in vals_list if vals.get("statement_id")}
        )
        statements._check_parts_editable()
        return super().create(vals_list)

    def write(self, vals):
        self.statement_id._check_parts_editable()
        if vals.get("statement_id"):
            self.env["kakeuri.billing.statement"].browse(vals["statement_id"])._check_parts_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_statement(self):
        self.statement_id.exists()._check_parts_editable()
