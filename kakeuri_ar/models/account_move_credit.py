# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    kakeuri_credit_warning = fields.Text(
        string="Credit Warning",
        compute="_compute_kakeuri_credit_warning",
        help="Why the customer's credit does not allow posting this invoice (hold, limit, overdue).",
    )
    kakeuri_credit_blocking = fields.Boolean(
        string="Credit Blocks Posting",
        compute="_compute_kakeuri_credit_warning",
    )

    @api.depends(
        "move_type", "state", "partner_id", "company_id", "currency_id", "amount_total", "invoice_date"
    )
    def _compute_kakeuri_credit_warning(self):
        for move in self:
            move.kakeuri_credit_warning = False
            move.kakeuri_credit_blocking = False
            if move.move_type != "out_invoice" or move.state != "draft" or not move.partner_id:
                continue
            status = move.commercial_partner_id._kakeuri_credit_status(
                move.amount_total,
                move.company_id,
                move.currency_id,
                move._origin,
                date=move.invoice_date or fields.Date.context_today(move),
                increase=move._kakeuri_credit_increase(),
                lock=False,
            )
            if status["problems"]:
                move.kakeuri_credit_warning = "\n".join(status["problems"])
                move.kakeuri_credit_blocking = status["blocking"]

    def _post(self, soft=True):
        self._kakeuri_check_credit_on_post(soft=soft)
        return super()._post(soft=soft)

    def _kakeuri_check_credit_on_post(self, soft=True):
        """Customer invoices that add new exposure (lines not coming from a confirmed sale
        order, which was checked when it was confirmed) are checked before posting."""
        today = fields.Date.context_today(self)
        for move in self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "draft"):
            if soft and move.date and move.date > today:
                continue  # not posted now: Odoo schedules it for auto-posting
            increase = move._kakeuri_credit_increase()
            if move.currency_id.compare_amounts(increase, 0) <= 0:
                continue
            move.commercial_partner_id._kakeuri_check_credit(
                move.amount_total,
                move.company_id,
                move.currency_id,
                move,
                date=move.invoice_date or today,
                increase=increase,
            )

    def _kakeuri_credit_increase(self):
        """Part of the invoice (move currency, tax included) that is new exposure: lines not
        invoicing a sale order line."""
        self.ensure_one()
        lines = self.invoice_line_ids.filtered(
            lambda line: line.display_type == "product" and not line.sale_line_ids
        )
        return sum(lines.mapped("price_total"))
