# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import _, api, fields, models
from odoo.tools import SQL, format_date

from ..report.receivable_ledger import CHARGE_MOVE_TYPES

_logger = logging.getLogger(__name__)


class KakeuriBillingStatement(models.Model):
    """The closing run (締め処理): which statements to make, and their figures from the ledger."""

    _inherit = "kakeuri.billing.statement"

    # -------------------------------------------------------------------- crons
    @api.model
    def _cron_close_period(self, date_ref=None, partners=None, companies=None, batch_size=100):
        """Make the statement of every customer with a closing day whose closing date falls on
        or before ``date_ref`` (default: yesterday) and has none yet, when there is activity (a
        balance or movements). Missed closing dates after a customer's last statement are
        caught up.

        Statements are created in draft, for review before confirmation. Works in batches of
        ``batch_size`` customers through ``kakeuri.batch.mixin`` (committed one by one in the
        scheduled action). Safe to re-run and to run twice at once: a run locks the customers it
        closes and leaves those another run holds to it, and a unique index allows one live
        statement per customer, company and closing date (a duplicate made by a parallel run
        is skipped). A customer whose statement cannot be made gets a note and is left out of
        the scheduled run for the rest of the day (``kakeuri_closing_failed_date``). Returns
        the created statements."""
        # the daily run closes up to yesterday: a closing day's own sales are booked during it
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self) - timedelta(days=1)
        if partners is None:
            partners = self.env["res.partner"].search([("kakeuri_closing_day", ">", 0)])
        partners = partners.commercial_partner_id.filtered(lambda p: p.kakeuri_closing_day)
        if self.env["kakeuri.batch.mixin"]._kakeuri_in_scheduled_action():
            # the customers whose closing failed today wait for tomorrow (or the wizard): each
            # call of the scheduled action would try them again and note the same failure
            today = fields.Date.context_today(self)
            partners = partners.filtered(lambda p: p.kakeuri_closing_failed_date != today)
        companies = companies or self.env["res.company"].search([])
        queue = self._closing_queue(partners, companies, date_ref)
        created = []
        self.env["kakeuri.batch.mixin"]._kakeuri_run_batches(
            lambda: self._close_batch(queue, date_ref, batch_size, created)
        )
        created = self.browse([statement.id for statement in created])
        _logger.info("kakeuri: closing up to %s created %d billing statement(s)", date_ref, len(created))
        return created

    @api.model
    def _closing_queue(self, partners, companies, date_ref):
        """[(company, partner_id)] of the customers with a statement to make, per company in
        customer order."""
        ledger = self.env["kakeuri.billing.statement.ledger"]
        queue = []
        for company in companies:
            scope = partners.filtered(lambda p, c=company: not p.company_id or p.company_id == c)
            closings = {}
            for group in scope.grouped("kakeuri_closing_day").values():
                closing = group[0]._kakeuri_last_closing_date(date_ref)
                first_start = group[0]._kakeuri_last_closing_date(closing - timedelta(days=1)) + timedelta(
                    days=1
                )
                closings.update(dict.fromkeys(group.ids, (closing, first_start)))
            queue += [(company, pid) for pid in ledger.get_pending_partner_ids(company, closings)]
        return queue

    @api.model
    def _close_batch(self, queue, date_ref, batch_size, created):
        """Close the next customers of ``queue`` (consumed) until ``batch_size`` of them got their
        statements; adds the statements to ``created``. Returns ``(done, remaining)`` for
        ``_kakeuri_run_batches``. A customer whose closing failed does not count, so that a few
        failing customers never hold back the others."""
        done = 0
        while queue and done < batch_size:
            chunk, queue[: batch_size - done] = queue[: batch_size - done], []
            for company in {company for company, _pid in chunk}:
                partner_ids = [pid for comp, pid in chunk if comp == company]
                for partner in self.env["res.partner"].browse(self._lock_partners(partner_ids)):
                    statements = self._close_partners(partner, company, date_ref)
                    created.extend(statements)
                    done += bool(statements)
        return done, len(queue)

    @api.model
    def _lock_partners(self, partner_ids):
        """Lock the customers to close now; those another closing run holds are left to it."""
        rows = self.env.execute_query(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE SKIP LOCKED",
                partner_ids,
            )
        )
        return [row[0] for row in rows]

    @api.model
    def _close_partners(self, partners, company, date_ref):
        created = self.browse()
        for partner in partners:
            last = self._last_statement(partner, company)
            if last:
                closing_dates = []
                day = partner._kakeuri_next_closing_date(last.period_end)
                while day <= date_ref:
                    closing_dates.append(day)
                    day = partner._kakeuri_next_closing_date(day)
            else:
                closing_dates = [partner._kakeuri_last_closing_date(date_ref)]
            for closing in closing_dates:
                statement = self._close_one(partner, company, closing, last)
                if statement:
                    created |= statement
                    last = statement
        return created

    @api.model
    def _last_statement(self, partner, company, before=None):
        domain = [("partner_id", "=", partner.id), ("company_id", "=", company.id), ("state", "!=", "cancel")]
        if before:
            domain.append(("period_end", "<", before))
        return self.search(domain, order="period_end desc", limit=1)

    @api.model
    def _statement_exists(self, partner, company, closing):
        return bool(
            self.search_count(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("period_end", "=", closing),
                    ("state", "!=", "cancel"),
                ],
                limit=1,
            )
        )

    @api.model
    def _close_one(self, partner, company, closing, previous):
        """Create the statement of one customer and closing date; None when there is nothing to
        bill or a parallel run made it first."""
        if self._statement_exists(partner, company, closing):
            return None
        vals = self._prepare_statement_vals(partner, company, closing, previous=previous)
        if not vals:
            return None
        try:
            with self.env.cr.savepoint():
                statement = self.create(vals)
                statement._refresh_from_ledger()
                statement.flush_recordset()
        except IntegrityError:
            _logger.info(
                "kakeuri: statement of partner %s for %s made by a parallel run", partner.id, closing
            )
            return None
        except Exception as error:  # noqa: BLE001 - one bad customer must not stop the run
            if self._statement_exists(partner, company, closing):
                return None
            _logger.warning("kakeuri: closing of partner %s for %s failed: %s", partner.id, closing, error)
            partner.message_post(
                body=_(
                    "The billing statement for the closing date %(date)s could not be made: %(reason)s",
                    date=format_date(self.env, closing),
                    reason=error.args[0] if error.args else str(error),
                )
            )
            partner.sudo().kakeuri_closing_failed_date = fields.Date.context_today(self)
            return None
        if partner.kakeuri_closing_failed_date:
            partner.sudo().kakeuri_closing_failed_date = False
        return statement

    @api.model
    def _prepare_statement_vals(self, partner, company, closing, previous=None):
        """Values of the statement of ``partner`` for the closing date, or None when the
        customer has no activity (no balance and no movement in the period)."""
        if previous:
            period_start = previous.period_end + timedelta(days=1)
        else:
            prev_closing = partner._kakeuri_last_closing_date(closing - timedelta(days=1))
            period_start = prev_closing + timedelta(days=1)
        ledger = self.env["kakeuri.billing.statement.ledger"]
        balance = ledger.get_balance(partner, company, closing)
        moved = ledger.has_movements(partner, company, period_start, closing)
        previous_total = previous.total_due if previous else 0.0
        if not moved and company.currency_id.is_zero(balance) and company.currency_id.is_zero(previous_total):
            return None
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "period_start": period_start,
            "period_end": closing,
            "previous_statement_id": previous.id if previous else False,
        }

    # ---------------------------------------------------------------- figures
    def _refresh_from_ledger(self):
        """Compute the figures and lines of draft statements from the ledger, oldest closing
        date first (a statement's previous billing is the total due of the one before it)."""
        for statement in self.sorted(lambda s: (s.period_end, s.id)):
            if statement.state != "draft":
                continue
            statement.write(statement._prepare_ledger_vals())

    def _prepare_ledger_vals(self):
        self.ensure_one()
        currency = self.company_id.currency_id
        previous, previous_amount, adjustment = self._ledger_previous()
        charges, paid = self._ledger_charges()
        moves = (
            self.env["account.move"].browse(list(charges)).sorted(lambda m: (m.invoice_date or m.date, m.id))
        )
        lines = [fields.Command.clear()]
        untaxed = tax = total = 0.0
        for sequence, move in enumerate(moves, start=1):
            line_vals = self._prepare_move_line_vals(move, charges[move.id], sequence)
            untaxed += line_vals["amount_untaxed"]
            tax += line_vals["amount_tax"]
            total += line_vals["amount_total"]
            lines.append(fields.Command.create(line_vals))
        if not currency.is_zero(adjustment):
            lines.append(
                fields.Command.create(
                    self._prepare_adjustment_line_vals(previous, adjustment, len(moves) + 1)
                )
            )
        carryover = currency.round(previous_amount - paid)
        return {
            "previous_statement_id": previous.id if previous else False,
            "previous_amount": currency.round(previous_amount),
            "paid_amount": currency.round(paid),
            "carryover_amount": carryover,
            "adjustment_amount": adjustment,
            "invoiced_untaxed": currency.round(untaxed),
            "invoiced_tax": currency.round(tax),
            "invoiced_amount": currency.round(total),
            "total_due": currency.round(carryover + adjustment + total),
            "date_due": self._compute_due_date(),
            "move_ids": [fields.Command.set(moves.ids)],
            "line_ids": lines,
            "tax_line_ids": [fields.Command.clear()]
            + [fields.Command.create(vals) for vals in self._prepare_tax_summary_vals(moves)],
        }

    def _ledger_previous(self):
        """``(previous statement, previous billing, adjustment)``: the statement before this one
        (a cancelled one replaced by the last live one), its total due (for a first statement,
        the balance the day before the period) and what changed since in earlier periods."""
        previous = self.previous_statement_id
        if previous.state == "cancel" or (not previous and self.period_start):
            previous = self._last_statement(self.partner_id, self.company_id, before=self.period_start)
        opening = self.env["kakeuri.billing.statement.ledger"].get_balance(
            self.partner_id, self.company_id, self.period_start - timedelta(days=1)
        )
        previous_amount = previous.total_due if previous else opening
        return previous, previous_amount, self.company_id.currency_id.round(opening - previous_amount)

    def _ledger_charges(self):
        """``({move_id: balance}, paid)``: the receivable movements of the period, the customer
        documents charged (credit notes negative) and the payments and other credits."""
        movements = self.env["kakeuri.billing.statement.ledger"].get_movements(
            self.partner_id, self.company_id, self.period_start, self.period_end
        )
        charges = {}
        paid = 0.0
        for move_id, move_type, balance in movements:
            if move_type in CHARGE_MOVE_TYPES:
                charges[move_id] = balance
            else:
                paid -= balance
        return charges, paid

    def _prepare_move_line_vals(self, move, amount_total, sequence):
        amount_untaxed = move.amount_untaxed_signed
        return {
            "sequence": sequence,
            "line_type": "refund" if move.move_type == "out_refund" else "invoice",
            "move_id": move.id,
            "date": move.invoice_date or move.date,
            "name": move.name,
            "description": move.ref or move.invoice_origin or move._kakeuri_item_summary() or False,
            "amount_untaxed": amount_untaxed,
            "amount_tax": self.company_id.currency_id.round(amount_total - amount_untaxed),
            "amount_total": amount_total,
        }

    def _prepare_adjustment_line_vals(self, previous, adjustment, sequence):
        return {
            "sequence": sequence,
            "line_type": "adjustment",
            "date": self.period_start,
            "name": _("Adjustment"),
            "description": _(
                "Changes to earlier periods booked after statement %(statement)s",
                statement=previous.name,
            )
            if previous
            else False,
            "amount_untaxed": adjustment,
            "amount_tax": 0.0,
            "amount_total": adjustment,
        }

    def _prepare_tax_summary_vals(self, moves):
        """Base and tax per tax rate of the period's invoices (credit notes negative)."""
        if not moves:
            return []
        base, taxed, untaxed_base = self.env["kakeuri.billing.statement.ledger"].get_tax_summary(moves)
        currency = self.company_id.currency_id
        taxes = self.env["account.tax"].browse(set(base) | set(taxed)).sorted(lambda t: (-t.amount, t.id))
        result = [
            {
                "tax_id": tax.id,
                "name": tax.invoice_label or tax.name,
                "rate": tax.amount if tax.amount_type == "percent" else 0.0,
                "base_amount": currency.round(base.get(tax.id, 0.0)),
                "tax_amount": currency.round(taxed.get(tax.id, 0.0)),
            }
            for tax in taxes
        ]
        if not currency.is_zero(untaxed_base):
            result.append(
                {
                    "tax_id": False,
                    "name": _("Not taxed"),
                    "rate": 0.0,
                    "base_amount": currency.round(untaxed_base),
                    "tax_amount": 0.0,
                }
            )
        return result

    def _compute_due_date(self):
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id)
        term = partner.property_payment_term_id or partner.kakeuri_credit_policy_id.payment_term_id
        if not term or not term.line_ids:
            return self.period_end
        return max(line._get_due_date(self.period_end) for line in term.line_ids)
