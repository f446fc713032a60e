# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# the credit check is defined before this extension of it, whatever the import order
from . import account_move_credit  # noqa: F401

# the customer documents that may be corrected (a credit note is corrected by another one)
CORRECTABLE_MOVE_TYPES = ("out_invoice", "out_receipt")


class AccountMove(models.Model):
    """Correcting a wrong customer invoice (請求書の訂正): Odoo's "full refund and new draft
    invoice" (``account.move.reversal``), plus what Odoo leaves to do by hand: the payments
    already applied to the wrong invoice move to the corrected one, the corrected invoice
    remembers the one it replaces, and posting it sends the customer one apology mail with
    both invoices (``account_move_correction_mail.py``)."""

    _inherit = "account.move"

    kakeuri_corrected_move_id = fields.Many2one(
        comodel_name="account.move",
        string="Corrects",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The wrong invoice this invoice replaces; a credit note cancels it.",
    )
    kakeuri_correction_ids = fields.One2many(
        comodel_name="account.move",
        inverse_name="kakeuri_corrected_move_id",
        string="Corrected By",
        readonly=True,
        copy=False,
    )
    kakeuri_correction_reason = fields.Text(
        string="What Was Wrong",
        copy=False,
        help="What was wrong with the invoice this one corrects; told to the customer in the apology.",
    )
    kakeuri_correction_credit_note_id = fields.Many2one(
        comodel_name="account.move",
        string="Cancelling Credit Note",
        copy=False,
        readonly=True,
        help="The credit note that cancels the invoice this one corrects.",
    )
    kakeuri_correction_payment_line_ids = fields.Many2many(
        comodel_name="account.move.line",
        relation="kakeuri_correction_payment_line_rel",
        column1="move_id",
        column2="line_id",
        string="Payments to Apply",
        copy=False,
        readonly=True,
        help="Payments of the wrong invoice, applied to this one when it is posted.",
    )
    kakeuri_correction_notified = fields.Boolean(
        string="Apology Sent",
        copy=False,
        readonly=True,
    )

    # -------------------------------------------------------------- actions
    def action_kakeuri_correct(self):
        """Correct this invoice: ask what is wrong (the wizard does the rest)."""
        self.ensure_one()
        self._kakeuri_check_correctable()
        return {
            "type": "ir.actions.act_window",
            "name": _("Correct Invoice"),
            "res_model": "kakeuri.invoice.correction.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_move_id": self.id},
        }

    def _kakeuri_correct(self, reason):
        """Cancel this posted invoice with a credit note reconciled with it and return the
        corrected invoice, a draft copy to fix. Payments applied to this invoice are taken off
        it and applied to the corrected one when that is posted."""
        self.ensure_one()
        self._kakeuri_check_correctable()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say what is wrong with %(move)s to correct it.", move=self.display_name))
        payments = self._kakeuri_reconciled_payment_lines()
        earlier_credit_notes = self.reversal_move_ids
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=self.ids)
            .create(
                {"reason": reason, "journal_id": self.journal_id.id, "date": fields.Date.context_today(self)}
            )
        )
        reversal.reverse_moves(is_modify=True)
        corrected = reversal.new_move_ids
        self.invalidate_recordset(["reversal_move_ids"])
        credit_note = self.reversal_move_ids - earlier_credit_notes
        corrected.write(
            {
                "kakeuri_corrected_move_id": self.id,
                "kakeuri_correction_credit_note_id": credit_note.id,
                "kakeuri_correction_reason": reason,
                "kakeuri_correction_payment_line_ids": [fields.Command.set(payments.ids)],
            }
        )
        self._kakeuri_settle_disputes_by_correction(credit_note)
        self.message_post(
            body=_(
                "Corrected: cancelled by %(credit_note)s, replaced by a corrected invoice. "
                "What was wrong: %(reason)s",
                credit_note=credit_note.name,
                reason=reason,
            )
        )
        return corrected

    # ------------------------------------------------------------- posting
    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        corrections = posted.filtered(
            lambda m: (
                m.kakeuri_corrected_move_id and m.state == "posted" and not m.kakeuri_correction_notified
            )
        )
        for move in corrections:
            move._kakeuri_apply_correction_payments()
            move._kakeuri_send_correction_apology()
        corrections.write({"kakeuri_correction_notified": True})
        return posted

    def _kakeuri_credit_increase(self):
        """A corrected invoice adds to the exposure only what it exceeds the invoice it
        corrects (which a credit note already cancels in the ledger)."""
        increase = super()._kakeuri_credit_increase()
        wrong = self.kakeuri_corrected_move_id
        if not wrong:
            return increase
        date = self.invoice_date or fields.Date.context_today(self)
        replaced = wrong.company_currency_id._convert(
            abs(wrong.amount_total_signed), self.currency_id, self.company_id, date
        )
        return max(increase - replaced, 0.0)

    # ------------------------------------------------------------- helpers
    def _kakeuri_check_correctable(self):
        self.ensure_one()
        if self.move_type not in CORRECTABLE_MOVE_TYPES or self.state != "posted":
            raise UserError(
                _(
                    "Only a posted customer invoice can be corrected; %(move)s is not one.",
                    move=self.display_name,
                )
            )
        if self.payment_state == "reversed" or self.kakeuri_correction_ids:
            raise UserError(_("%(move)s is already cancelled or corrected.", move=self.display_name))

    def _kakeuri_receivable_lines(self):
        return self.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")

    def _kakeuri_reconciled_payment_lines(self):
        """The payment lines (payments and bank statement lines) reconciled with this
        invoice's receivable lines."""
        lines = self._kakeuri_receivable_lines()
        partials = lines.matched_credit_ids | lines.matched_debit_ids
        counterparts = (partials.credit_move_id | partials.debit_move_id) - lines
        return counterparts.filtered(
            lambda line: line.move_id.origin_payment_id or line.move_id.statement_line_id
        )

    def _kakeuri_apply_correction_payments(self):
        """Reconcile the payments taken off the wrong invoice with this corrected one."""
        self.ensure_one()
        payments = self.kakeuri_correction_payment_line_ids.filtered(lambda line: not line.reconciled)
        for account, lines in self._kakeuri_receivable_lines().grouped("account_id").items():
            matching = payments.filtered(lambda line, account=account: line.account_id == account)
            if matching:
                (matching + lines.filtered(lambda line: not line.reconciled)).reconcile()

    def _kakeuri_settle_disputes_by_correction(self, credit_note):
        """Open disputes on a cancelled invoice are settled by its credit note."""
        disputes = self.sudo().kakeuri_dispute_ids.filtered(lambda d: d.state == "open")
        if disputes:
            disputes.write(
                {
                    "state": "credited",
                    "credit_note_id": credit_note.id,
                    "date_resolved": fields.Date.context_today(self),
                    "resolution_note": _("Settled by the correction of the invoice."),
                }
            )

    def _kakeuri_correction_labels(self):
        """{move id: label} for the moves of a correction, on statements: the wrong invoice,
        the credit note cancelling it and the corrected invoice. Others get no label. The moves
        of a correction are picked in SQL first: a customer's statement lists thousands of
        entries, of which few if any were ever corrected."""
        labels = {}
        for move in self._kakeuri_correction_moves():
            wrong = move.reversed_entry_id if move.move_type == "out_refund" else move
            correction = wrong.kakeuri_correction_ids[:1]
            corrected = correction.filtered(lambda m: m.state == "posted")
            if move.kakeuri_corrected_move_id:
                labels[move.id] = _("Correction of %(move)s", move=move.kakeuri_corrected_move_id.name)
            elif correction and correction.kakeuri_correction_credit_note_id == move:
                labels[move.id] = (
                    _(
                        "Cancels %(move)s (corrected by %(corrected)s)",
                        move=wrong.name,
                        corrected=corrected.name,
                    )
                    if corrected
                    else _("Cancels %(move)s (being corrected)", move=wrong.name)
                )
            elif corrected:
                labels[move.id] = _("Corrected by %(corrected)s", corrected=corrected.name)
        return labels

    def _kakeuri_correction_moves(self):
        """The moves of ``self`` that belong to a correction (as superuser): a corrected invoice,
        a correction, or a credit note of an invoice that was corrected."""
        if not self:
            return self.sudo()
        self.flush_model(["kakeuri_corrected_move_id", "reversed_entry_id"])
        # read from the corrections' side: they are few, the statement's entries are many
        rows = self.env.execute_query(
            SQL(
                "SELECT id, kakeuri_corrected_move_id FROM account_move"
                " WHERE kakeuri_corrected_move_id IS NOT NULL"
            )
        )
        corrected = {row[1] for row in rows}
        involved = corrected | {row[0] for row in rows}
        if corrected:
            credit_notes = self.env.execute_query(
                SQL("SELECT id FROM account_move WHERE reversed_entry_id = ANY(%s)", list(corrected))
            )
            involved |= {row[0] for row in credit_notes}
        return self.sudo().browse([move_id for move_id in self.ids if move_id in involved])
