# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models


class AccountMove(models.Model):
    """Disputes on a customer invoice: the open disputed amount, and the former "disputed"
    flag, now set from the open disputes."""

    _inherit = "account.move"

    kakeuri_dispute_ids = fields.One2many(
        comodel_name="kakeuri.dispute",
        inverse_name="move_id",
        string="Disputes",
        copy=False,
        readonly=True,
    )
    # Kept for compatibility (reports, other modules): True while the invoice has an open
    # dispute. It is no longer set by hand; an open dispute for the amount replaces it.
    kakeuri_dunning_blocked = fields.Boolean(
        string="Disputed",
        compute="_compute_kakeuri_dunning_blocked",
        store=True,
        copy=False,
        help="The invoice has an open dispute: the disputed amount is not dunned until it is resolved.",
    )
    # not stored: adding it to every journal entry of a large database on upgrade costs more
    # than reading the disputes of the invoices on screen
    kakeuri_disputed_amount = fields.Monetary(
        string="Disputed Amount",
        compute="_compute_kakeuri_dispute_figures",
        compute_sudo=True,
        currency_field="company_currency_id",
        help="What the open disputes on this invoice contest, in company currency.",
    )
    kakeuri_dispute_count = fields.Integer(
        string="Dispute Count",
        compute="_compute_kakeuri_dispute_count",
        compute_sudo=True,
    )

    @api.depends("kakeuri_dispute_ids.state")
    def _compute_kakeuri_dunning_blocked(self):
        for move in self:
            move.kakeuri_dunning_blocked = any(d.state == "open" for d in move.sudo().kakeuri_dispute_ids)

    @api.depends("kakeuri_dispute_ids.state", "kakeuri_dispute_ids.amount")
    def _compute_kakeuri_dispute_figures(self):
        for move in self:
            disputes = move.kakeuri_dispute_ids.filtered(lambda d: d.state == "open")
            move.kakeuri_disputed_amount = sum(disputes.mapped("amount"))

    @api.depends("kakeuri_dispute_ids")
    def _compute_kakeuri_dispute_count(self):
        for move in self:
            move.kakeuri_dispute_count = len(move.kakeuri_dispute_ids)

    def action_kakeuri_dispute(self):
        """Record a dispute on this invoice (the Dispute button)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Dispute"),
            "res_model": "kakeuri.dispute",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_move_id": self.id},
        }

    def action_kakeuri_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("kakeuri_ar.action_kakeuri_dispute")
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {"default_move_id": self.id}
        if len(self.kakeuri_dispute_ids) == 1:
            action.update(view_mode="form", views=[(False, "form")], res_id=self.kakeuri_dispute_ids.id)
        return action

    def _kakeuri_disputable_amount(self, exclude=None):
        """What may still be disputed on this invoice, in company currency: its open amount
        less its open disputes (but ``exclude``)."""
        self.ensure_one()
        others = self.kakeuri_dispute_ids.filtered(lambda d: d.state == "open") - (
            exclude or self.env["kakeuri.dispute"]
        )
        return self.amount_residual_signed - sum(others.mapped("amount"))
