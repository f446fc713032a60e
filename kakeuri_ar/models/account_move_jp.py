# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _kakeuri_is_qualified_invoice(self):
        """A customer invoice or credit note of a company with an invoice registration number:
        a qualified invoice (適格請求書) that shows the number, the base and tax per rate and
        marks reduced-rate items."""
        self.ensure_one()
        return self.is_sale_document(include_receipts=True) and bool(
            self.company_id.kakeuri_invoice_registration_number
        )

    def _kakeuri_tax_rate_summary(self):
        """Base and tax per tax rate in the document's currency, highest rate first:
        ``[{'rate', 'label', 'reduced', 'base', 'tax'}]``; ``rate`` is None for lines without tax.
        Rates, not tax groups: two taxes of one group at different rates stay apart."""
        self.ensure_one()
        currency = self.currency_id
        rows = defaultdict(lambda: {"base": 0.0, "tax": 0.0, "reduced": False})
        for line in self.invoice_line_ids.filtered(lambda ml: ml.display_type == "product"):
            taxes = line.tax_ids.filtered(lambda t: t.amount_type == "percent")
            for tax in taxes:
                rows[tax.amount]["base"] += line.price_subtotal
                rows[tax.amount]["reduced"] |= tax._kakeuri_is_reduced_rate()
            if not taxes:
                rows[None]["base"] += line.price_subtotal
        for line in self.line_ids.filtered(lambda ml: ml.display_type == "tax"):
            tax = line.tax_line_id
            if tax.amount_type == "percent":
                rows[tax.amount]["tax"] += self.direction_sign * line.amount_currency
        return [
            {
                "rate": rate,
                "label": f"{rate:g}%" if rate is not None else "",
                "reduced": vals["reduced"],
                "base": currency.round(vals["base"]),
                "tax": currency.round(vals["tax"]),
            }
            for rate, vals in sorted(rows.items(), key=lambda item: (item[0] is None, -(item[0] or 0.0)))
        ]

    def _kakeuri_item_labels(self):
        """``[(label, reduced)]``: the first line of each product line's label (the product's
        name when empty) and whether it bears the reduced rate, for the 摘要 of statements."""
        self.ensure_one()
        return [
            (
                (line.name or line.product_id.display_name or "").split("\n")[0],
                line.tax_ids._kakeuri_is_reduced_rate(),
            )
            for line in self.invoice_line_ids
            if line.display_type == "product"
        ]

    def _kakeuri_item_summary(self, limit=3):
        """The items' labels on one line, at most ``limit`` of them then “…”."""
        labels = [label for label, _reduced in self._kakeuri_item_labels() if label]
        summary = ", ".join(labels[:limit])
        return summary + (", …" if len(labels) > limit else "")
