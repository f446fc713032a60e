# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from odoo import Command, _, api, fields, models
from odoo.tools import SQL, sql

_logger = logging.getLogger(__name__)

# The customer's promise fields of earlier versions, kept as columns by Odoo once removed.
OLD_PROMISE_COLUMNS = ("kakeuri_promise_date", "kakeuri_promise_amount", "kakeuri_promise_start_date")


class KakeuriPaymentPromise(models.Model):
    """Upgrade from the customer's promise fields to promise records."""

    _inherit = "kakeuri.payment.promise"

    @api.model
    def _migrate_partner_promises(self):
        """Make one open promise of each customer with a promised date in the old columns of
        ``res_partner``, then drop them: its company is the customer's, else the company of its
        newest open receivable item, else the main company; it covers the customer's overdue
        invoices there; recorded on the old start date, or today (not after the promised
        date). Returns the promises made; nothing when the columns are gone."""
        cr = self.env.cr
        if not sql.column_exists(cr, "res_partner", "kakeuri_promise_date"):
            return self.browse()
        start = (
            SQL("kakeuri_promise_start_date")
            if sql.column_exists(cr, "res_partner", "kakeuri_promise_start_date")
            else SQL("NULL::date")
        )
        amount = (
            SQL("kakeuri_promise_amount")
            if sql.column_exists(cr, "res_partner", "kakeuri_promise_amount")
            else SQL("NULL::numeric")
        )
        rows = self.env.execute_query(
            SQL(
                """SELECT id, kakeuri_promise_date, %s, %s FROM res_partner
                    WHERE kakeuri_promise_date IS NOT NULL ORDER BY id""",
                amount,
                start,
            )
        )
        promises = self.browse()
        today = fields.Date.context_today(self)
        for partner_id, date, old_amount, date_start in rows:
            partner = self.env["res.partner"].browse(partner_id).commercial_partner_id
            if partner.kakeuri_promise_ids.filtered(lambda p, d=date: p.state == "open" and p.date == d):
                continue
            vals = self._migrated_promise_vals(partner, date, old_amount, min(date_start or today, date))
            if vals:
                promises |= self.with_context(mail_create_nolog=True).create(vals)
        for column in OLD_PROMISE_COLUMNS:
            cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN IF EXISTS %s", SQL.identifier(column)))
        _logger.info("kakeuri: %d promise(s) to pay moved from customers to promise records", len(promises))
        return promises

    @api.model
    def _migrated_promise_vals(self, partner, date, amount, date_start):
        """Values of the promise made of a customer's old promise fields, or None when there is
        nothing to promise (no amount and no overdue invoice)."""
        company = (
            partner.company_id
            or self._newest_receivable_company(partner)
            or self.env.ref("base.main_company")
        )
        moves = self._get_overdue_invoices(partner, company)
        amount = float(amount or 0.0) or sum(moves.mapped("amount_residual_signed"))
        if company.currency_id.compare_amounts(amount, 0) <= 0:
            _logger.warning(
                "kakeuri: no promise made for %s: nothing promised nor overdue", partner.display_name
            )
            return None
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "amount": amount,
            "date": date,
            "date_start": date_start,
            "move_ids": [Command.set(moves.ids)],
            "user_id": partner.user_id.id,
            "note": _("Moved from the customer's promise fields on upgrade."),
        }

    @api.model
    def _newest_receivable_company(self, partner):
        ledger = self.env["kakeuri.receivable.ledger"]
        ledger._flush()
        company_ids = self.env["res.company"].search([]).ids
        rows = self.env.execute_query(
            SQL(
                """SELECT l.company_id FROM account_move_line l
                     JOIN res_partner p ON p.id = l.partner_id
                    WHERE %s AND %s AND p.commercial_partner_id = %s
                    ORDER BY l.date DESC, l.id DESC LIMIT 1""",
                ledger._item_condition("l", company_ids),
                ledger._open_condition("l"),
                partner.id,
            )
        )
        return self.env["res.company"].browse(rows[0][0]) if rows else None
