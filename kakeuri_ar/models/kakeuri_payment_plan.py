# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class KakeuriPaymentPlan(models.Model):
    """A payment plan (分割払い・リスケジュール): an overdue balance paid in installments.

    The invoices stay as they are in the ledger; while the plan is active, dunning and the
    overdue figures of credit control follow its installments instead of the invoices' own due
    dates (``kakeuri.receivable.ledger._holds_query``)."""

    _name = "kakeuri.payment.plan"
    _description = "Payment Plan"
    _inherit = ["mail.thread", "mail.activity.mixin", "kakeuri.sequence.mixin"]
    _order = "id desc"

    name = fields.Char(string="Reference", required=True, copy=False, readonly=True, default="/")
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="kakeuri_payment_plan_move_rel",
        column1="plan_id",
        column2="move_id",
        string="Invoices",
    )
    installment_ids = fields.One2many(
        comodel_name="kakeuri.payment.plan.installment",
        inverse_name="plan_id",
        string="Installments",
        copy=True,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Collector",
        default=lambda self: self.env.user,
        tracking=True,
    )
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("active", "Active"),
            ("done", "Done"),
            ("broken", "Broken"),
            ("cancel", "Cancelled"),
        ],
        required=True,
        default="draft",
        index=True,
        tracking=True,
        copy=False,
    )
    note = fields.Html()

