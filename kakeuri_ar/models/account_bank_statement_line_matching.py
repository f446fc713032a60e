# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, _, api, fields, models

MATCH_STATES = [
    ("none", "Unmatched"),
    ("suggested", "Suggested"),
    ("ambiguous", "Ambiguous"),
    ("matched", "Matched"),
]


class AccountBankStatementLine(models.Model):
    """The proposal of cash matching on a bank statement line: which customer paid, which
    open items it pays, the transfer fee deducted and why. 'ambiguous' is a line several
    customers match equally well: it is never guessed, its candidates are listed."""

    _inherit = "account.bank.statement.line"

    kakeuri_match_state = fields.Selection(
        selection=MATCH_STATES,
        string="Matching",
        default="none",
        required=True,
        copy=False,
        index=True,
    )
    kakeuri_match_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Proposed Customer",
        copy=False,
        index="btree_not_null",
        domain="[('parent_id', '=', False)]",
    )
    kakeuri_match_move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="kakeuri_st_line_match_move_rel",
        column1="st_line_id",
        column2="move_id",
        string="Items Paid",
        copy=False,
        help="The customer's open invoices and credit notes this payment settles.",
    )
    kakeuri_match_fee = fields.Monetary(
        string="Transfer Fee",
        currency_field="company_currency_id",
        copy=False,
        help="Bank transfer fee the customer deducted (振込手数料), booked to the company's "
        "transfer fee account on reconciliation.",
    )
    kakeuri_match_reason = fields.Char(
        string="Reason",
        copy=False,
        help="Which rule proposed the match and what it found.",
    )
    kakeuri_match_candidate_ids = fields.Many2many(
        comodel_name="res.partner",
        relation="kakeuri_st_line_match_candidate_rel",
        column1="st_line_id",
        column2="partner_id",
        string="Candidates",
        copy=False,
        help="Customers that match equally well: choose one.",
    )
    kakeuri_match_manual = fields.Boolean(
        string="Completed by Hand",
        copy=False,
        help="A clerk chose the customer or the items: proposing matches again keeps them.",
    )

    # ------------------------------------------------------------- onchanges
    @api.onchange("kakeuri_match_partner_id", "kakeuri_match_move_ids", "kakeuri_match_fee")
    def _onchange_kakeuri_match_by_hand(self):
        for line in self:
            line.kakeuri_match_manual = bool(line.kakeuri_match_partner_id)
            if line.kakeuri_match_partner_id:
                line.kakeuri_match_reason = _("Completed by hand")

    @api.onchange("kakeuri_match_partner_id")
    def _onchange_kakeuri_match_partner(self):
        for line in self:
            partner = line.kakeuri_match_partner_id.commercial_partner_id
            line.kakeuri_match_move_ids = line.kakeuri_match_move_ids.filtered(
                lambda move, partner=partner: move.commercial_partner_id == partner
            )

    @api.onchange("kakeuri_match_move_ids")
    def _onchange_kakeuri_match_moves(self):
        """Propose the shortfall as the fee when the customer's tolerance (or its fee bearer
        being the company) allows it."""
        for line in self:
            partner = line.kakeuri_match_partner_id.commercial_partner_id
            if not partner or not line.kakeuri_match_move_ids:
                line.kakeuri_match_fee = 0.0
                continue
            partner = partner.with_company(line.company_id)
            shortfall = line.company_currency_id.round(
                sum(line.kakeuri_match_move_ids.mapped("amount_residual_signed")) - line.amount
            )
            accept = partner._kakeuri_fee_bearer() == "company" or shortfall <= partner.kakeuri_fee_tolerance
            line.kakeuri_match_fee = shortfall if shortfall > 0 and accept else 0.0

    # --------------------------------------------------------------- actions
    def action_kakeuri_match(self):
        """Propose a customer and the items paid for these lines (all lines to match in the
        current companies when called on none). Lines matched or completed by hand stay."""
        lines = self or self.search(self._kakeuri_to_match_domain())
        lines = lines.filtered(
            lambda line: line.kakeuri_match_state != "matched" and not line.kakeuri_match_manual
        )
        proposals = self.env["kakeuri.cash.matching"].propose(lines)
        # the current items and candidates of all lines in two queries: replacing them line by
        # line would otherwise read each line's two relations first
        lines.fetch(["kakeuri_match_move_ids", "kakeuri_match_candidate_ids"])
        for line in lines:
            proposal = proposals.get(line.id)
            if proposal is None:
                continue
            line.write(self._kakeuri_prepare_match_vals(proposal))
        counts = {state: 0 for state, _label in MATCH_STATES}
        for proposal in proposals.values():
            counts[proposal["state"]] += 1
        return self._kakeuri_notify(
            _(
                "%(suggested)s lines matched, %(ambiguous)s ambiguous, %(none)s unmatched.",
                suggested=counts["suggested"],
                ambiguous=counts["ambiguous"],
                none=counts["none"],
            )
        )

    # --------------------------------------------------------------- helpers
    @api.model
    def _kakeuri_to_match_domain(self):
        return [
            ("company_id", "in", self.env.companies.ids),
            ("is_reconciled", "=", False),
            ("amount", ">", 0),
            ("kakeuri_match_state", "!=", "matched"),
        ]

    @api.model
    def _kakeuri_prepare_match_vals(self, proposal):
        return {
            "kakeuri_match_state": proposal["state"],
            "kakeuri_match_partner_id": proposal["partner_id"],
            "kakeuri_match_move_ids": [Command.set(proposal["move_ids"])],
            "kakeuri_match_fee": proposal["fee"],
            "kakeuri_match_reason": proposal["reason"],
            "kakeuri_match_candidate_ids": [Command.set(proposal["candidate_ids"])],
        }

    @api.model
    def _kakeuri_notify(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Bank Matching"),
                "message": message,
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
