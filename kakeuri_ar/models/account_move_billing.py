# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _kakeuri_payment_term_date(self):
        """The date this invoice's payment terms count from, when it is not the invoice date:
        for a customer with a closing day, the closing date of the invoice's period (see
        ``res.partner._kakeuri_payment_term_date``); None otherwise."""
        self.ensure_one()
        if not self.is_sale_document() or not self.invoice_payment_term_id or not self.partner_id:
            return None
        day = self.invoice_date or self.date or fields.Date.context_today(self)
        term_date = self.partner_id._kakeuri_payment_term_date(day)
        return term_date if term_date != day else None

    @api.depends(
        "invoice_payment_term_id",
        "invoice_date",
        "currency_id",
        "amount_total_in_currency_signed",
        "invoice_date_due",
        "partner_id",
    )
    def _compute_needed_terms(self):
        """Closing-day customers (締め請求): the payment terms count from the closing date of
        the invoice's period, as on the customer's billing statement, so that the invoice's due
        date in the ledger (aging, dunning, the portal) is the statement's. The terms are
        computed when the invoice is made, when its date, terms or customer change, and again
        when it is posted; a posted invoice keeps the due date it was posted with."""
        term_dates = {move: move._kakeuri_payment_term_date() for move in self}
        plain = self.filtered(lambda move: not term_dates[move])
        if plain:
            super(AccountMove, plain)._compute_needed_terms()
        by_date = defaultdict(list)
        for move, term_date in term_dates.items():
            if term_date:
                by_date[term_date].append(move.id)
        for term_date, move_ids in by_date.items():
            moves = self.browse(move_ids).with_context(kakeuri_payment_term_date=term_date)
            super(AccountMove, moves)._compute_needed_terms()
        return None  # a compute method: its values are set on the records

    def _post(self, soft=True):
        self._kakeuri_sync_closing_due_dates()
        return super()._post(soft=soft)

    def _kakeuri_sync_closing_due_dates(self):
        """Drafts of closing-day customers made before the customer had its closing day (or
        before it changed) fall due by the closing-day rule once posted: their payment-term
        lines get the rule's due dates (Odoo re-synchronises them only when the terms' needs
        change while the invoice is edited)."""
        for move in self.filtered(lambda m: m.state == "draft" and m._kakeuri_payment_term_date()):
            move.invalidate_recordset(["needed_terms"])
            expected = sorted(key["date_maturity"] for key in move.needed_terms)
            term_lines = move.line_ids.filtered(lambda line: line.display_type == "payment_term")
            term_lines = term_lines.sorted(lambda line: (line.date_maturity, line.id))
            if len(term_lines) == len(expected) and term_lines.mapped("date_maturity") != expected:
                for line, day in zip(term_lines, expected, strict=True):
                    line.date_maturity = day


class AccountPaymentTerm(models.Model):
    _inherit = "account.payment.term"

    def _compute_terms(self, date_ref, *args, **kwargs):
        # the date the terms count from for a closing-day customer's invoice (see
        # account.move._compute_needed_terms): Odoo passes the invoice date
        date_ref = self.env.context.get("kakeuri_payment_term_date") or date_ref
        return super()._compute_terms(date_ref, *args, **kwargs)
