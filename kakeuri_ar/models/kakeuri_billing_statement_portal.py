# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

# Payment states of an invoice with nothing left for the customer to pay online.
SETTLED_PAYMENT_STATES = ("paid", "in_payment", "reversed", "blocked", "invoicing_legacy")


class KakeuriBillingStatement(models.Model):
    """A billing statement in the customer portal, paid online in one transaction."""

    _name = "kakeuri.billing.statement"
    _inherit = ["kakeuri.billing.statement", "portal.mixin"]

    # ------------------------------------------------------------------ computes
    def _compute_access_url(self):
        for statement in self:
            statement.access_url = f"/my/billing_statements/{statement.id}"

    # ------------------------------------------------------------------ actions
    def action_kakeuri_preview(self):
        """Open the statement as the customer sees it in the portal."""
        self.ensure_one()
        return {"type": "ir.actions.act_url", "target": "self", "url": self.get_portal_url()}

    # ------------------------------------------------------------------ helpers
    def _get_report_base_filename(self):
        self.ensure_one()
        return "%s - %s" % (self.partner_id.name, self.name.replace("/", "-"))

    def _kakeuri_portal_visible(self):
        """Whether the customer may see this statement: confirmed or sent, never a draft or a
        cancelled one."""
        self.ensure_one()
        return self.state in ("confirmed", "sent")

    def _kakeuri_open_moves(self):
        """The statement's invoices and credit notes still open for the customer, oldest due
        date first: what one online payment of the statement settles."""
        self.ensure_one()
        return self.move_ids.filtered(
            lambda m: (
                m.state == "posted"
                and m.move_type in ("out_invoice", "out_refund", "out_receipt")
                and m.payment_state not in SETTLED_PAYMENT_STATES
                and not m.company_currency_id.is_zero(m.amount_residual_signed)
            )
        ).sorted(lambda m: (m.invoice_date_due or m.date, m.id))

    def _kakeuri_amount_to_pay(self):
        """What the customer pays online for this statement, in the company currency: the
        residual of its open invoices less its open credit notes."""
        self.ensure_one()
        moves = self._kakeuri_open_moves()
        return self.currency_id.round(sum(moves.mapped("amount_residual_signed")))

    def _kakeuri_payment_in_progress(self):
        """Whether an online payment of the statement's open invoices is already being
        processed by a provider (a second one would pay twice); bank transfer instructions
        ('custom') do not count, as in Odoo's invoice page."""
        self.ensure_one()
        return any(
            tx.state in ("pending", "authorized") and tx.provider_code not in ("none", "custom")
            for tx in self._kakeuri_open_moves().transaction_ids
        )
