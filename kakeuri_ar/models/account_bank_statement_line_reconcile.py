# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reconciling a matched bank statement line through Odoo's ledger.

The line's journal entry holds the bank (liquidity) line and a suspense line. The suspense line
becomes the customer's receivable lines, one per item paid, plus the transfer fee on the
company's fee account (its tax computed by Odoo) and any overpayment as an open receivable
credit; each receivable line is then reconciled with the item it pays, as Odoo's own tests
reconcile a statement line. The open items, hence the customer's exposure, drop at once.
"""

import logging
from collections import defaultdict

from psycopg2 import errors as pg_errors

from odoo import Command, _, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    def action_kakeuri_reconcile(self):
        """Reconcile these lines (all suggested lines of the current companies when called on
        none): the suggested ones and the ones a clerk completed by hand. A line another
        worker is reconciling right now is left to it. More lines than the background
        threshold are queued instead (``_kakeuri_queue_reconcile``)."""
        lines = self or self.search(
            [
                ("company_id", "in", self.env.companies.ids),
                ("is_reconciled", "=", False),
                ("kakeuri_match_state", "=", "suggested"),
            ]
        )
        if lines._kakeuri_reconcile_in_background():
            return lines._kakeuri_queue_reconcile()
        lines = self._kakeuri_lock(lines.filtered("kakeuri_match_partner_id"))
        lines._kakeuri_prefetch()
        done = self.browse()
        # the lines' entries are rewritten and their pairs (item, counterpart) reconciled in
        # batches: Odoo's entry write and reconciliation cost mostly per call, not per line; a
        # line paying an item an earlier line of the batch pays too is allocated after that
        # batch is reconciled
        batch, planned = [], set()
        for line in lines:
            if line.is_reconciled or line.kakeuri_match_state == "matched":
                continue
            if planned & set(line.kakeuri_match_move_ids.ids):
                self._kakeuri_reconcile_batch(batch)
                batch, planned = [], set()
            batch.append(line._kakeuri_prepare())
            planned |= set(line.kakeuri_match_move_ids.ids)
            done |= line
        self._kakeuri_reconcile_batch(batch)
        done.write({"kakeuri_match_state": "matched"})
        # the bank entries' and the paid invoices' chatter messages, made together rather
        # than one by one at commit
        (done.move_id | done.kakeuri_match_move_ids)._kakeuri_post_tracking()
        return self._kakeuri_notify(_("%(count)s bank lines reconciled.", count=len(done)))

    # --------------------------------------------------------------- helpers
    def _kakeuri_lock(self, lines):
        """The lines of ``lines`` this transaction could lock (rows another transaction holds
        are skipped), read again after the lock."""
        if not lines:
            return lines
        self.env["account.bank.statement.line"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """SELECT id FROM account_bank_statement_line WHERE id = ANY(%s)
                    ORDER BY id FOR UPDATE SKIP LOCKED""",
                lines.ids,
            )
        )
        locked = self.browse([row[0] for row in rows])
        locked.invalidate_recordset()
        locked.move_id.invalidate_recordset()
        return locked

    def _kakeuri_prefetch(self):
        """Read at once what preparing and rewriting each line reads of its entry and of the
        items it pays (Odoo's checks before writing a journal item read its reconciliations
        and analytic lines)."""
        items = self.kakeuri_match_move_ids
        items.mapped("name")
        items.line_ids.mapped("balance")
        bank_items = self.move_id.line_ids
        for fname in ("matched_debit_ids", "matched_credit_ids", "analytic_line_ids"):
            bank_items.mapped(fname)

    def _kakeuri_prepare(self):
        """What reconciling the line writes: a dict with ``line``, ``partner``, ``allocations``
        [(item, amount)], ``liquidity`` (the bank line when its partner changes), ``suspense``
        (the line to replace) and ``vals_list`` (the new lines, the counterparts of
        ``allocations`` first, in their order)."""
        self.ensure_one()
        company = self.company_id
        partner = self.kakeuri_match_partner_id.commercial_partner_id
        self._kakeuri_check_reconcilable(partner)
        items = self._kakeuri_open_items(partner)
        allocations, excess = self._kakeuri_allocate(items)
        liquidity, suspense, _other = self._seek_for_lines()
        vals_list = [self._kakeuri_counterpart_vals(item, amount, partner) for item, amount in allocations]
        if excess:
            account = partner.with_company(company).property_account_receivable_id
            vals_list.append(self._kakeuri_line_vals(account, partner, -excess, _("Advance payment")))
        vals_list += self._kakeuri_fee_vals(partner)
        # the statement line and its entry take the partner of the bank line (Odoo's
        # synchronisation from the entry, once the new lines are made)
        liquidity = liquidity if liquidity.partner_id != partner else liquidity.browse()
        move = {"move_id": self.move_id.id}
        return {
            "line": self,
            "partner": partner,
            "allocations": allocations,
            "liquidity": liquidity,
            "suspense": suspense,
            "vals_list": [dict(vals, **move) for vals in vals_list],
        }

    def _kakeuri_reconcile_batch(self, batch):
        """Give the bank lines of ``batch`` their partner and replace the suspense lines by the
        new lines, all entries at once (one deletion, one creation; balance checked and entries
        synchronised with their statement lines once, as Odoo's writes of journal items do),
        then reconcile each item with its counterpart in one plan."""
        if not batch:
            return
        self._kakeuri_learn_payer_names(batch)
        created = self._kakeuri_rewrite_entries(batch)
        plan, start = [], 0
        for prep in batch:
            counterparts = created[start : start + len(prep["allocations"])]
            plan += [
                item + counterpart
                for (item, _amount), counterpart in zip(prep["allocations"], counterparts, strict=True)
            ]
            start += len(prep["vals_list"])
        if plan:
            # the plan's synchronisation reads the journal items of each paid entry, entry
            # by entry: read them at once
            entries = self.env["account.move.line"].union(*plan).move_id.line_ids
            entries.mapped("tax_ids")
            entries.mapped("balance")
            self.env["account.move.line"]._reconcile_plan(plan)

    def _kakeuri_rewrite_entries(self, batch):
        """The new journal items of the batch's entries, in the order of their ``vals_list``,
        the suspense lines deleted and the bank lines given their partner."""
        moves = self.env["account.move"].browse([prep["line"].move_id.id for prep in batch])
        Line = self.env["account.move.line"]
        bank_lines = defaultdict(Line.browse)
        for prep in batch:
            bank_lines[prep["partner"]] |= prep["liquidity"]
        container = {"records": moves}
        # the chatter messages of the deleted and created items are Odoo's, logged at once;
        # the entries are synchronised with their statement lines once, as create() would
        quiet = {"tracking_disable": True, "skip_account_move_synchronization": True}
        with moves._check_balanced(container), moves._sync_dynamic_lines(container):
            for partner, lines in bank_lines.items():
                if lines:
                    # partner_id of journal items is not tracked: without tracking_disable Odoo
                    # only reads every field's description to find nothing to log
                    lines.with_context(**quiet).write({"partner_id": partner.id})
            suspense = Line.union(*(prep["suspense"] for prep in batch))
            audit = suspense._kakeuri_audit_messages("deleted")
            # the entries are posted: deleting their suspense lines is allowed here only
            suspense.with_context(force_delete=True, **quiet).unlink()
            created = Line.with_context(**quiet).create(
                [vals for prep in batch for vals in prep["vals_list"]]
            )
            created = Line.browse(created.ids)
            Line._kakeuri_log_audit(audit + created._kakeuri_audit_messages("created"))
            self._kakeuri_prefetch_partners(batch)
            created.move_id._synchronize_business_models(["line_ids"])
        return created

    def _kakeuri_prefetch_partners(self, batch):
        """Read at once what the entries' synchronisation reads of each customer, entry by
        entry, when it becomes the entry's partner (fiscal position, addresses, bank accounts)."""
        partners = self.env["res.partner"].union(*(prep["partner"] for prep in batch))
        for company in {prep["line"].company_id for prep in batch}:
            partners.with_company(company).mapped("property_account_position_id")
        partners.mapped("child_ids")
        partners.bank_ids.mapped("allow_out_payment")

    def _kakeuri_learn_payer_names(self, batch):
        """The payer names of the batch's lines learned for their customers, in line order
        (a clerk's choice moves a name learned before)."""
        by_company = defaultdict(list)
        for prep in batch:
            line = prep["line"]
            if line.partner_name:
                by_company[line.company_id].append(
                    (line.partner_name, prep["partner"], line.kakeuri_match_manual)
                )
        for company, names in by_company.items():
            try:
                with self.env.cr.savepoint():
                    self.env["kakeuri.payer.name"]._learn_many(company, names)
            except pg_errors.UniqueViolation:
                # another worker learned one of these names meanwhile: it is known now
                _logger.info("Payer names of %s learned by a parallel transaction", company.name)

    def _kakeuri_check_reconcilable(self, partner):
        currency = self.company_currency_id
        if self.amount <= 0:
            raise UserError(
                _(
                    "%(line)s: only a receipt can pay customer items, not %(amount)s.",
                    line=self.display_name,
                    amount=self.amount,
                )
            )
        if (
            self.journal_id.currency_id
            and self.journal_id.currency_id != currency
            or self.foreign_currency_id
        ):
            raise UserError(
                _(
                    "%(line)s: only lines in the company currency %(currency)s are matched here.",
                    line=self.display_name,
                    currency=currency.name,
                )
            )
        fee = self.kakeuri_match_fee
        if currency.compare_amounts(fee, 0) > 0:
            if not self.company_id.kakeuri_fee_account_id:
                raise UserError(
                    _(
                        "%(company)s: set the transfer fee account in the settings before booking "
                        "the fee of %(line)s.",
                        company=self.company_id.display_name,
                        line=self.display_name,
                    )
                )
            partner = partner.with_company(self.company_id)
            tolerance = partner.kakeuri_fee_tolerance or 0.0
            if partner._kakeuri_fee_bearer() == "customer" and currency.compare_amounts(fee, tolerance) > 0:
                raise UserError(
                    _(
                        "%(line)s: the fee %(fee)s is more than the %(tolerance)s %(partner)s may deduct; "
                        "lower the fee (the rest stays open) or raise the customer's tolerance.",
                        line=self.display_name,
                        fee=fee,
                        tolerance=tolerance,
                        partner=partner.display_name,
                    )
                )
        elif currency.compare_amounts(fee, 0) < 0:
            raise UserError(
                _("%(line)s: the transfer fee %(fee)s cannot be negative.", line=self.display_name, fee=fee)
            )

    def _kakeuri_open_items(self, partner):
        """The open receivable lines of the items to pay: credit notes first (they add to what
        is available), then by due date."""
        items = self.kakeuri_match_move_ids.line_ids.filtered(
            lambda line: (
                line.account_id.account_type == "asset_receivable"
                and not line.reconciled
                and line.parent_state == "posted"
                and line.company_id == self.company_id
            )
        )
        foreign = items.filtered(lambda line: line.partner_id.commercial_partner_id != partner)
        if foreign:
            raise UserError(
                _(
                    "%(line)s: %(moves)s are not items of %(partner)s.",
                    line=self.display_name,
                    moves=", ".join(foreign.move_id.mapped("display_name")),
                    partner=partner.display_name,
                )
            )
        return items.sorted(lambda line: (line.amount_residual > 0, line.date_maturity or line.date, line.id))

    def _kakeuri_allocate(self, items):
        """[(item, amount)] of the payment plus the fee spread on ``items``, and the excess."""
        currency = self.company_currency_id
        available = self.amount + self.kakeuri_match_fee
        allocations = []
        for item in items:
            residual = item.amount_residual
            amount = residual if residual < 0 else min(residual, available)
            if currency.compare_amounts(amount, 0) == 0:
                continue
            allocations.append((item, currency.round(amount)))
            available = currency.round(available - amount)
        if not allocations and currency.is_zero(available):
            raise UserError(_("%(line)s: nothing to reconcile.", line=self.display_name))
        return allocations, max(available, 0.0)

    def _kakeuri_counterpart_vals(self, item, amount, partner):
        return self._kakeuri_line_vals(item.account_id, partner, -amount, item.move_id.name)

    def _kakeuri_line_vals(self, account, partner, balance, name):
        return {
            "name": name,
            "account_id": account.id,
            "partner_id": partner.id,
            "currency_id": self.company_currency_id.id,
            "amount_currency": balance,
            "balance": balance,
        }

    def _kakeuri_fee_vals(self, partner):
        """The fee lines: the fee, tax excluded, on the company's fee account and the tax lines
        of the company's fee tax (the fee a bank charges includes its tax)."""
        currency = self.company_currency_id
        fee = self.kakeuri_match_fee
        if currency.is_zero(fee):
            return []
        company = self.company_id
        account = company.kakeuri_fee_account_id
        tax = company.kakeuri_fee_tax_id
        name = _("Bank transfer fee")
        if not tax:
            return [self._kakeuri_line_vals(account, partner, fee, name)]
        taxes = tax.with_context(force_price_include=True).compute_all(fee, currency=currency)
        base = self._kakeuri_line_vals(account, partner, taxes["total_excluded"], name)
        base.update(tax_ids=[Command.set(tax.ids)], tax_tag_ids=[Command.set(taxes["base_tags"])])
        vals_list = [base]
        for tax_vals in taxes["taxes"]:
            vals = self._kakeuri_line_vals(
                self.env["account.account"].browse(tax_vals["account_id"]) or account,
                partner,
                tax_vals["amount"],
                tax_vals["name"],
            )
            vals.update(
                tax_repartition_line_id=tax_vals["tax_repartition_line_id"],
                tax_tag_ids=[Command.set(tax_vals["tag_ids"])],
                display_type="tax",
            )
            vals_list.append(vals)
        return vals_list
