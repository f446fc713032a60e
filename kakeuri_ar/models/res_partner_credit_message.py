# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, models
from odoo.tools import format_amount, formatLang


class ResPartner(models.Model):
    """The words of a credit refusal: what is refused, why, the figures, what to do."""

    _inherit = "res.partner"

    @api.model
    def _kakeuri_credit_message(self, status, document, change=None):
        company = status["company"]
        fmt = self.env["kakeuri.credit.exposure"]._format_amount
        if change is not None:
            # A confirmed order being changed: the override is for quotations, not suggested.
            title = _(
                "The change to confirmed order %(order)s cannot be saved: it raises what is still "
                "to be invoiced by %(increase)s (%(lines)s), and the credit of %(partner)s in "
                "%(company)s does not allow it.",
                order=document.display_name,
                increase=format_amount(self.env, change["increase"], document.currency_id),
                lines="; ".join(self._kakeuri_describe_order_line(line) for line in change["lines"])
                or _("new lines"),
                partner=status["partner"].display_name,
                company=company.display_name,
            )
        elif document and document._name == "account.move":
            title = _(
                "%(document)s cannot be posted: the credit of %(partner)s in %(company)s does not allow it.",
                document=document.display_name,
                partner=status["partner"].display_name,
                company=company.display_name,
            )
        else:
            title = _(
                "%(document)s cannot be confirmed: the credit of %(partner)s in %(company)s does not "
                "allow it.",
                document=document.display_name if document else _("This document"),
                partner=status["partner"].display_name,
                company=company.display_name,
            )
        lines = [
            title,
            "",
            *status["problems"],
            "",
            _(
                "Exposure: %(exposure)s (open receivables %(receivable)s, orders to invoice "
                "%(to_invoice)s, draft invoices %(draft)s). This document: %(amount)s. Credit "
                "limit: %(limit)s.",
                exposure=fmt(status["exposure"], company),
                receivable=fmt(status["figures"]["receivable"], company),
                to_invoice=fmt(status["figures"]["to_invoice"], company),
                draft=fmt(status["figures"]["draft"], company),
                amount=fmt(status["amount"], company),
                limit=fmt(status["limit"], company),
            ),
            self._kakeuri_credit_what_to_do(status, change is not None),
        ]
        return "\n".join(lines)

    @api.model
    def _kakeuri_credit_what_to_do(self, status, changing_confirmed):
        """What the user can do about a refusal: only the sentences that apply to its reasons
        (no "collect the overdue payments" when nothing is overdue)."""
        reasons = status.get("reasons") or set()
        steps = []
        if changing_confirmed:
            steps.append(_("Keep the order as it was confirmed."))
        if "overdue" in reasons:
            steps.append(_("Collect the overdue payments."))
        if "limit" in reasons:
            steps.append(_("Ask the customer for a prepayment, or a credit manager to raise the limit."))
        if "hold" in reasons:
            steps.append(_("Ask a credit manager to release the hold once its reason is settled."))
        if not changing_confirmed:
            steps.append(_("A credit manager can also override the block for this document alone."))
        return _("What to do: %(steps)s", steps=" ".join(steps))

    @api.model
    def _kakeuri_describe_order_line(self, line):
        return _(
            "%(product)s: %(qty)s %(uom)s at %(price)s",
            product=(line.name or line.product_id.display_name or "").splitlines()[0],
            qty=formatLang(
                self.env,
                line.product_uom_qty,
                digits=self.env["decimal.precision"].precision_get("Product Unit of Measure"),
            ),
            uom=line.product_uom.name or "",
            price=format_amount(self.env, line.price_unit, line.currency_id),
        )
