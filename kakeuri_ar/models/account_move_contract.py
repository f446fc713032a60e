# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date


class AccountMove(models.Model):
    _inherit = "account.move"

    kakeuri_contract_id = fields.Many2one(
        comodel_name="kakeuri.contract",
        string="Contract",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
        help="Recurring contract that generated this invoice.",
    )
    kakeuri_period_start = fields.Date(string="Billed Period Start", copy=False, readonly=True)
    kakeuri_period_end = fields.Date(string="Billed Period End", copy=False, readonly=True)

    def init(self):
        res = super().init()
        # Never bill a contract period twice: at most one live invoice per contract and period,
        # whatever the number of cron workers, re-runs or crashes.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS account_move_kakeuri_contract_period_uniq
                ON account_move (kakeuri_contract_id, kakeuri_period_start)
             WHERE kakeuri_contract_id IS NOT NULL AND state != 'cancel'
            """
        )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("kakeuri_contract_id") for vals in vals_list):
            # pending cancellations must reach the unique index before the new invoices do
            self.flush_model(["state"])
        return super().create(vals_list)

    def write(self, vals):
        if (
            self.env.context.get("kakeuri_contract_billing")
            and vals.keys() == {"checked"}
            and self.env["kakeuri.contract"]._use_complete_invoices()
        ):
            # Odoo's _post sets ``checked`` invoice by invoice: a flag of the move alone, which
            # changes no line and no amount, so the run skips the line synchronisation and the
            # balance check that account.move.write wraps around every write (they compare all
            # the lines of the batch before and after each write)
            self = self.with_context(skip_invoice_sync=True, check_move_validity=False)
        return super().write(vals)

    def _get_next_sequence_format(self):
        """A billing run posts hundreds of invoices of one journal and date at once: Odoo asks
        the database for the journal's last number invoice by invoice (three queries each),
        although after the first one it numbers them from its sequence cache of the
        transaction (``_locked_increment``). The run keeps the format found for the first
        invoice of each journal, date and type, and reuses it while that cache holds its
        number; otherwise (cache cleared, another format) Odoo looks it up again."""
        if not self.env.context.get("kakeuri_contract_billing"):
            return super()._get_next_sequence_format()
        formats = self.env.cr.precommit.data.setdefault("kakeuri_ar.contract_sequence_formats", {})
        key = (self.journal_id.id, self.date, self.move_type, bool(self.origin_payment_id))
        if key in formats:
            format_string, format_values = formats[key]
            cache_key = (
                format_string.format(**dict(format_values, seq=0)),
                self._sequence_index and self[self._sequence_index],
            )
            if cache_key in self._get_sequence_cache():
                return format_string, dict(format_values)
        format_string, format_values = super()._get_next_sequence_format()
        formats[key] = (format_string, dict(format_values))
        return format_string, format_values

    def unlink(self):
        rebill = [
            (move.kakeuri_contract_id, move.kakeuri_period_start, move.kakeuri_period_end, move.name)
            for move in self
            if move.kakeuri_contract_id and move.kakeuri_period_start and move.state != "cancel"
        ]
        res = super().unlink()
        for contract, start, end, name in rebill:
            contract.sudo()._rebill_period(start, end, name, _("deleted"))
        return res

    def button_cancel(self):
        live = self.filtered(
            lambda m: m.kakeuri_contract_id and m.kakeuri_period_start and m.state != "cancel"
        )
        res = super().button_cancel()
        for move in live.filtered(lambda m: m.state == "cancel"):
            move.kakeuri_contract_id.sudo()._rebill_period(
                move.kakeuri_period_start, move.kakeuri_period_end, move.name, _("cancelled")
            )
        return res

    def button_draft(self):
        cancelled = self.filtered(
            lambda m: m.kakeuri_contract_id and m.kakeuri_period_start and m.state == "cancel"
        )
        if cancelled:
            self.flush_model(["kakeuri_contract_id", "kakeuri_period_start", "state"])
            self.env.cr.execute(
                SQL(
                    """
                SELECT cancelled.id, live.id
                  FROM account_move cancelled
                  JOIN account_move live
                    ON live.kakeuri_contract_id = cancelled.kakeuri_contract_id
                   AND live.kakeuri_period_start = cancelled.kakeuri_period_start
                   AND live.state != 'cancel'
                 WHERE cancelled.id = ANY(%s)
                    """,
                    cancelled.ids,
                )
            )
            for cancelled_id, live_id in self.env.cr.fetchall():
                move, live = self.browse(cancelled_id), self.browse(live_id)
                raise UserError(
                    _(
                        "%(invoice)s cannot be reset to draft: its period %(start)s of contract %(contract)s "
                        "was billed again by %(other)s.",
                        invoice=move.display_name,
                        start=format_date(self.env, move.kakeuri_period_start),
                        contract=move.kakeuri_contract_id.display_name,
                        other=live.display_name,
                    )
                )
        return super().button_draft()
