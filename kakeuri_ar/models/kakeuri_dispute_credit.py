# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import Command, _, fields, models
from odoo.exceptions import UserError

# the disputed part is credited; a rounding left over by the taxes is moved onto the credit
# note's biggest line, at most this many times
MAX_ROUNDING_FIXES = 2


class KakeuriDispute(models.Model):
    """Resolving a dispute by a credit note for the disputed amount, reconciled with the
    invoice.

    The credit note credits the same share of each part of the invoice: one line per income
    account and set of taxes of the invoice, its price the disputed share of that part's prices
    (as the invoice states them, tax included or not), with the same taxes. The tax is thus
    reversed as a full reversal (``account.move.reversal``) would reverse it, in proportion,
    and the credit note's total is the disputed amount."""

    _inherit = "kakeuri.dispute"

    def action_credit(self):
        """Credit the disputed amount: a posted credit note, reconciled with the invoice."""
        self._check_resolvable()
        today = fields.Date.context_today(self)
        for dispute in self:
            move = dispute.move_id.sudo().with_company(dispute.company_id)
            currency = dispute.currency_id
            if currency.compare_amounts(dispute.amount, move.amount_residual_signed) > 0:
                raise UserError(
                    _(
                        "%(dispute)s cannot be credited: %(amount)s disputed, but %(move)s only "
                        "owes %(residual)s now.",
                        dispute=dispute.display_name,
                        amount=currency.format(dispute.amount),
                        move=move.name,
                        residual=currency.format(move.amount_residual_signed),
                    )
                )
            refund = dispute._create_credit_note(move, today)
            dispute.write({"state": "credited", "credit_note_id": refund.id, "date_resolved": today})
            dispute._post_credit_messages(move, refund)
        return True

    def _create_credit_note(self, move, date):
        """The credit note of the disputed amount for ``move`` (sudo, in its company), posted
        and reconciled with it."""
        self.ensure_one()
        refund = move.env["account.move"].create(self._prepare_credit_note_vals(move, date))
        self._fix_credit_note_rounding(refund)
        refund.action_post()
        accounts = move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).account_id
        for account in accounts:
            lines = (move.line_ids + refund.line_ids).filtered(
                lambda line, account=account: line.account_id == account and not line.reconciled
            )
            lines.reconcile()
        return refund

    def _prepare_credit_note_vals(self, move, date):
        self.ensure_one()
        return {
            "move_type": "out_refund",
            "partner_id": move.partner_id.id,
            "company_id": move.company_id.id,
            "journal_id": move.journal_id.id,
            "currency_id": move.currency_id.id,
            "fiscal_position_id": move.fiscal_position_id.id,
            "invoice_date": date,
            "date": date,
            "reversed_entry_id": move.id,
            "invoice_origin": move.name,
            "ref": _("Dispute on %(move)s: %(reason)s", move=move.name, reason=self.reason),
            "invoice_line_ids": self._prepare_credit_note_lines(move),
        }

    def _prepare_credit_note_lines(self, move):
        """One line per income account and taxes of the invoice, for the disputed share."""
        self.ensure_one()
        total = abs(move.amount_total_signed)
        ratio = self.amount / total if total else 0.0
        parts = defaultdict(float)
        for line in move.invoice_line_ids.filtered(lambda ln: ln.display_type == "product"):
            parts[(line.account_id, line.tax_ids)] += (
                line.price_unit * line.quantity * (1 - line.discount / 100.0)
            )
        label = _("Disputed part of %(move)s: %(reason)s", move=move.name, reason=self.reason)
        return [
            Command.create(
                {
                    "name": label,
                    "account_id": account.id,
                    "quantity": 1.0,
                    "price_unit": move.currency_id.round(price * ratio),
                    "tax_ids": [Command.set(taxes.ids)],
                }
            )
            for (account, taxes), price in parts.items()
            if not move.currency_id.is_zero(price)
        ]

    def _fix_credit_note_rounding(self, refund):
        """Rounding each part (and its tax) may leave the credit note a cent off the disputed
        amount: the difference is put on its biggest line, before tax."""
        self.ensure_one()
        currency = self.currency_id
        for _attempt in range(MAX_ROUNDING_FIXES):
            diff = self.amount - abs(refund.amount_total_signed)
            lines = refund.invoice_line_ids.filtered(lambda ln: ln.display_type == "product")
            if currency.is_zero(diff) or not lines:
                return
            line = max(lines, key=lambda ln: abs(ln.price_total))
            rate = (
                abs(refund.amount_total / refund.amount_total_signed) if refund.amount_total_signed else 1.0
            )
            share = line.price_subtotal / line.price_total if line.price_total else 1.0
            if line.tax_ids.filtered("price_include"):
                share = 1.0
            line.price_unit += refund.currency_id.round(
                diff * rate * share
            ) or refund.currency_id.rounding * (1 if diff > 0 else -1)

    def _post_credit_messages(self, move, refund):
        self.ensure_one()
        body = _(
            "Dispute of %(amount)s on %(move)s credited by %(refund)s. Claim: %(reason)s",
            amount=self.currency_id.format(self.amount),
            move=move.name,
            refund=refund.name,
            reason=self.reason,
        )
        self.message_post(body=body)
        move.message_post(body=body)
        refund.message_post(body=body)
