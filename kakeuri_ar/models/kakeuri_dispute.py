# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

# the customer documents a dispute may be recorded on
DISPUTABLE_MOVE_TYPES = ("out_invoice", "out_receipt")


class KakeuriDispute(models.Model):
    """A dispute (異議・争議) over all or part of a customer invoice: the disputed amount is left
    out of dunning and of the overdue check of credit control, and stays in the exposure.

    Resolved by a credit note for the disputed amount (``action_credit``, see
    ``kakeuri_dispute_credit.py``) or by rejecting it (``action_reject``), which gives the amount
    back to dunning. What an open dispute sets aside is read by
    ``kakeuri.receivable.ledger._holds_query`` from ``amount`` and ``state``."""

    _name = "kakeuri.dispute"
    _description = "Invoice Dispute"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _rec_names_search = ["move_id", "partner_id", "reason"]

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
    date = fields.Date(string="Recorded On", required=True, default=fields.Date.context_today)
    date_resolved = fields.Date(string="Resolved On", readonly=True, copy=False)
    resolution_note = fields.Text(
        readonly=True,
        copy=False,
        help="Why the dispute was rejected, or what the credit note settled.",
    )
    credit_note_id = fields.Many2one(
        comodel_name="account.move",
        string="Credit Note",
        readonly=True,
        copy=False,
    )
    move_residual = fields.Monetary(
        related="move_id.amount_residual_signed",
        string="Invoice Open Amount",
        currency_field="currency_id",
    )
    state = fields.Selection(
        selection=[("open", "Open"), ("credited", "Credited"), ("rejected", "Rejected")],
        required=True,
        default="open",
        index=True,
        tracking=True,
        copy=False,
    )

    # ------------------------------------------------------------ defaults
    @api.model
    def default_get(self, fields_list):
        """The disputable rest of the invoice (its open amount less its other open disputes)
        as the default amount."""
        vals = super().default_get(fields_list)
        move = self.env["account.move"].browse(vals.get("move_id"))
        if "amount" in fields_list and move and not vals.get("amount"):
            vals["amount"] = max(move.sudo()._kakeuri_disputable_amount(), 0.0)
        return vals

    def _compute_display_name(self):
        for dispute in self:
            dispute.display_name = _(
                "Dispute on %(invoice)s", invoice=dispute.move_id.name or dispute.move_id.display_name or ""
            )

    # --------------------------------------------------------- constraints
    @api.constrains("move_id", "amount", "state")
    def _check_amount(self):
        """An open dispute is on a posted customer invoice or receipt, for more than zero and
        at most what the invoice still owes besides its other open disputes."""
        for dispute in self.filtered(lambda d: d.state == "open"):
            move = dispute.move_id.sudo()
            currency = dispute.company_id.currency_id
            amount = currency.format(dispute.amount) if currency else str(dispute.amount)
            if move.move_type not in DISPUTABLE_MOVE_TYPES or move.state != "posted":
                raise ValidationError(
                    _(
                        "A dispute is recorded on a posted customer invoice; %(move)s is not one.",
                        move=move.display_name,
                    )
                )
            if currency.compare_amounts(dispute.amount, 0.0) <= 0:
                raise ValidationError(
                    _(
                        "The disputed amount on %(move)s must be more than zero, got %(amount)s.",
                        move=move.display_name,
                        amount=amount,
                    )
                )
            disputable = move._kakeuri_disputable_amount(exclude=dispute)
            if currency.compare_amounts(dispute.amount, disputable) > 0:
                raise ValidationError(
                    _(
                        "%(move)s owes %(residual)s, of which %(other)s is already disputed: a "
                        "dispute of %(amount)s is more than is left to dispute.",
                        amount=amount,
                        move=move.display_name,
                        residual=currency.format(move.amount_residual_signed),
                        other=currency.format(move.amount_residual_signed - disputable),
                    )
                )

    # -------------------------------------------------------------- actions
    def action_reject(self, note=None):
        """The customer's claim is refused: the amount comes back to dunning; the invoice's and
        the customer's chatter say so, with the reason."""
        self._check_resolvable()
        today = fields.Date.context_today(self)
        for dispute in self:
            note = note or ""
            dispute.write({"state": "rejected", "date_resolved": today, "resolution_note": note})
            body = _(
                "Dispute of %(amount)s on %(move)s rejected: the amount is dunned again. "
                "Claim: %(reason)s. Rejection: %(note)s",
                amount=dispute.currency_id.format(dispute.amount),
                move=dispute.move_id.name,
                reason=dispute.reason,
                note=note or _("no note"),
            )
            dispute.message_post(body=body)
            dispute.move_id.sudo().message_post(body=body)
            dispute.partner_id.sudo().message_post(body=body)
        return True

    def action_open_reject_wizard(self):
        self._check_resolvable()
        action = self.env["ir.actions.actions"]._for_xml_id("kakeuri_ar.action_kakeuri_dispute_reject_wizard")
        action["context"] = {"default_dispute_ids": self.ids}
        return action

    def action_view_move(self):
        self.ensure_one()
        return self._move_action(self.move_id)

    def action_view_credit_note(self):
        self.ensure_one()
        return self._move_action(self.credit_note_id)

    # ------------------------------------------------------------- helpers
    def _check_resolvable(self):
        """Only receivables users (credit managers included) resolve disputes, and only open
        ones."""
        if not self.env.su and not self.env.user.has_group("kakeuri_ar.group_ar_user"):
            raise AccessError(
                _(
                    "%(user)s may not resolve disputes (%(disputes)s): receivables users only.",
                    user=self.env.user.name,
                    disputes=", ".join(self.mapped("display_name")),
                )
            )
        self.check_access("write")
        closed = self.filtered(lambda d: d.state != "open")
        if closed:
            raise UserError(
                _(
                    "%(dispute)s is already %(state)s.",
                    dispute=closed[0].display_name,
                    state=dict(self._fields["state"]._description_selection(self.env))[closed[0].state],
                )
            )

    @api.model
    def _move_action(self, move):
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "view_mode": "form",
            "res_id": move.id,
        }

    @api.model
    def _migrate_blocked_invoices(self):
        """Upgrade from the bare "disputed" flag: each posted customer invoice still open and
        flagged, without a dispute, gets an open dispute for its whole open amount; then the
        flag of every flagged invoice follows its disputes. Returns the disputes made."""
        Move = self.env["account.move"].sudo().with_context(active_test=False)
        flagged = Move.search([("kakeuri_dunning_blocked", "=", True)])
        to_dispute = flagged.filtered(
            lambda m: (
                m.state == "posted"
                and m.move_type in DISPUTABLE_MOVE_TYPES
                and not m.kakeuri_dispute_ids
                and m.company_currency_id.compare_amounts(m.amount_residual_signed, 0.0) > 0
            )
        )
        reason = _("Blocked before disputes were recorded")
        disputes = self.sudo().browse()
        for company, moves in to_dispute.grouped("company_id").items():
            disputes |= (
                self.sudo()
                .with_company(company)
                .create(
                    [
                        {
                            "move_id": move.id,
                            "amount": move.amount_residual_signed,
                            "reason": reason,
                            "user_id": False,
                        }
                        for move in moves
                    ]
                )
            )
        self.env.add_to_compute(Move._fields["kakeuri_dunning_blocked"], flagged)
        flagged.flush_recordset(["kakeuri_dunning_blocked"])
        return disputes
