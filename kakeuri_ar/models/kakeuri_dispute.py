# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class KakeuriDispute(models.Model):
    """A dispute (異議・争議) over all or part of a customer invoice: the disputed amount is left
    out of dunning and of the overdue check of credit control, and stays in the exposure."""

    _name = "kakeuri.dispute"
    _description = "Invoice Dispute"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Invoice",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_receipt')), ('state', '=', 'posted')]",
    )
    partner_id = fields.Many2one(
        related="move_id.commercial_partner_id",
        string="Customer",
        store=True,
        index=True,
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(
        string="Disputed Amount",
        currency_field="currency_id",
        required=True,
        tracking=True,
        help="In company currency; at most the invoice's open amount.",
    )
    reason = fields.Text(required=True)
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Recorded By",
        default=lambda self: self.env.user,
        tracking=True,
    )
    credit_note_id = fields.Many2one(
        comodel_name="account.move",
        string="Credit Note",
        readonly=True,
        copy=False,
    )
    state = fields.Selection(
        selection=[("open", "Open"), ("credited", "Credited"), ("rejected", "Rejected")],
        required=True,
        default="open",
        index=True,
        tracking=True,
        copy=False,
    )
