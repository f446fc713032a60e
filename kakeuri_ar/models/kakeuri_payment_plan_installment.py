# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class KakeuriPaymentPlanInstallment(models.Model):
    _name = "kakeuri.payment.plan.installment"
    _description = "Payment Plan Installment"
    _order = "plan_id, date, sequence, id"

    plan_id = fields.Many2one(
        comodel_name="kakeuri.payment.plan",
        string="Plan",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    date = fields.Date(string="Due Date", required=True)
    amount = fields.Monetary(currency_field="currency_id", required=True)
    amount_paid = fields.Monetary(
        string="Paid",
        currency_field="currency_id",
        help="The plan's payments allocated to its installments, oldest first.",
    )
    state = fields.Selection(
        selection=[("open", "Open"), ("paid", "Paid")],
        required=True,
        default="open",
    )
