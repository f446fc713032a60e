# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError

# Customer documents that add to the customer's debt: invoices and receipts (credit notes
# only lower it and are never checked).
CUSTOMER_MOVE_TYPES = ("out_invoice", "out_receipt")


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "kakeuri.credit.banner.mixin"]

    kakeuri_credit_warning = fields.Text(
        help="Why the customer's credit does not allow posting this invoice (hold, limit, overdue).",
    )
    kakeuri_credit_blocking = fields.Boolean(string="Credit Blocks Posting")

    @api.model
    def _kakeuri_credit_banner_depends(self):
        return super()._kakeuri_credit_banner_depends() + ["move_type", "invoice_date"]

    def _kakeuri_credit_banner_statuses(self):
        self.ensure_one()
        if not self._kakeuri_credit_checked():
            return []
        status = self.commercial_partner_id._kakeuri_credit_status(
            self.amount_total,
            self.company_id,
            self.currency_id,
            self._origin,
            date=self.invoice_date or fields.Date.context_today(self),
            increase=self._kakeuri_credit_increase(),
            lock=False,
        )
        return [status, *self._kakeuri_ordering_partner_holds(lock=False)]

    def _post(self, soft=True):
        self._kakeuri_check_credit_on_post(soft=soft)
        return super()._post(soft=soft)

    @api.model
    def _kakeuri_customer_move_types(self):
        return CUSTOMER_MOVE_TYPES

    def _kakeuri_credit_checked(self):
        """Whether the customer's credit is checked for this move: a draft customer invoice or
        receipt with a customer and a company. One without customer cannot be posted anyway
        (Odoo refuses it with its own message, which the auto-post cron records on it)."""
        self.ensure_one()
        return bool(
            self.move_type in CUSTOMER_MOVE_TYPES
            and self.state == "draft"
            and self.commercial_partner_id
            and self.company_id
        )

    def _kakeuri_check_credit_on_post(self, soft=True):
        """Customer invoices and receipts are checked before posting: what they add to the
        exposure (lines not coming from a confirmed sale order, which was checked when it was
        confirmed) against the limit and overdue items; a credit hold refuses them all."""
        if self.env.su and self.env.context.get("kakeuri_dunning_fee"):
            return  # a dunning fee invoice: charged because of the overdue (see kakeuri_dunning_action.py)
        today = fields.Date.context_today(self)
        for move in self.filtered(lambda m: m._kakeuri_credit_checked()):
            if soft and move.date and move.date > today:
                continue  # not posted now: Odoo schedules it for auto-posting
            increase = move._kakeuri_credit_increase()
            partner = move.commercial_partner_id
            partner._kakeuri_check_credit(
                move.amount_total,
                move.company_id,
                move.currency_id,
                move,
                date=move.invoice_date or today,
                increase=increase,
            )
            for hold in move._kakeuri_ordering_partner_holds():
                if not partner._kakeuri_credit_override_allowed():
                    raise UserError(partner._kakeuri_credit_message(hold, move))

    def _kakeuri_ordering_partner_holds(self, lock=True):
        """Holds of the customers who placed the orders this invoice bills, when they are not
        the invoiced customer (an invoice address of another company): they refuse it too."""
        self.ensure_one()
        ordering = self.invoice_line_ids.sale_line_ids.order_id.partner_id.commercial_partner_id
        statuses = []
        for partner in ordering - self.commercial_partner_id:
            status = partner._kakeuri_credit_status(
                self.amount_total,
                self.company_id,
                self.currency_id,
                self._origin,
                date=self.invoice_date or fields.Date.context_today(self),
                increase=0.0,
                lock=lock,
                hold_only=True,
            )
            if status["problems"]:
                statuses.append(status)
        return statuses

    def _kakeuri_credit_increase(self):
        """Part of the invoice (move currency, tax included) that is new exposure:

        - lines not invoicing a sale order line;
        - lines invoicing one: what they exceed of what that order line still had to invoice
          besides this invoice (``max(ordered, delivered)`` minus what other invoices and
          credit notes of it hold, at the order line's price), e.g. a quantity or a price
          raised on the draft invoice. The order itself was checked when it was confirmed.

        Down-payment lines add nothing (they are part of their order)."""
        self.ensure_one()
        lines = self.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        increase = sum(lines.filtered(lambda line: not line.sale_line_ids).mapped("price_total"))
        linked = lines.filtered("sale_line_ids")
        date = self.invoice_date or fields.Date.context_today(self)
        for sale_lines, inv_lines in linked.grouped(lambda line: line.sale_line_ids).items():
            if any(sale_lines.mapped("is_downpayment")):
                continue
            remaining = sum(sol._kakeuri_left_to_invoice(self, date) for sol in sale_lines)
            excess = sum(inv_lines.mapped("price_total")) - remaining
            if self.currency_id.compare_amounts(excess, 0) > 0:
                increase += excess
        return increase
