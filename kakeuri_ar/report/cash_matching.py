# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Cash matching (入金消込・收款认领): which customer a bank transfer comes from and which open
items it pays.

For a set of bank statement lines, each company's open receivable items (from
``kakeuri.receivable.ledger``, the one definition of an open item), confirmed billing
statements, learned payer names and customers are read once, with a few queries whatever the
number of lines, into a :class:`MatchingBook`. Each line then tries, best first:

1. a reference in its remarks: a billing statement number, an invoice number, a customer code;
2. its payer name, normalised, among the learned payer names, then the customers' names and
   kana names;
3. its amount: one open item, the open items of one billing statement, or the customer's
   oldest items in due-date order, exactly or short by at most the customer's fee tolerance
   (the difference is the transfer fee the customer deducted).

A customer found by reference or name whose items the amount exceeds pays them all and keeps
the rest as open credit. Two customers equally good, or none, is never guessed: the line stays
for a clerk, with the candidates listed.
"""

from odoo import api, models
from odoo.tools import SQL, format_amount

from ..tools.kana import normalize_payer_name
from .cash_matching_book import KIND_OLDEST, KIND_STATEMENT, MatchingBook, reference_tokens

# Customers listed on an ambiguous line at most.
MAX_CANDIDATES = 10


class KakeuriCashMatching(models.AbstractModel):
    _name = "kakeuri.cash.matching"
    _description = "Cash Matching"

    # ---------------------------------------------------------------- entry
    @api.model
    def propose(self, st_lines):
        """{statement line id: proposal} for the lines of ``st_lines`` that are receipts not
        reconciled yet; a proposal is ``{'state', 'partner_id', 'move_ids', 'fee' (company
        currency), 'reason', 'candidate_ids'}``."""
        ledger = self.env["kakeuri.receivable.ledger"]
        ledger._flush()
        for model in ("account.bank.statement.line", "kakeuri.billing.statement", "kakeuri.payer.name"):
            self.env[model].flush_model()
        rows = self.env.execute_query_dict(
            SQL(
                """
            SELECT sl.id, sl.amount, sl.partner_name, sl.payment_ref, sl.partner_id, m.company_id
              FROM account_bank_statement_line sl
              JOIN account_move m ON m.id = sl.move_id
              JOIN account_journal j ON j.id = sl.journal_id
              JOIN res_company c ON c.id = m.company_id
             WHERE sl.id = ANY(%s) AND NOT COALESCE(sl.is_reconciled, FALSE) AND sl.amount > 0
               AND (j.currency_id IS NULL OR j.currency_id = c.currency_id)
                """,
                list(st_lines.ids),
            )
        )
        by_company = {}
        for row in rows:
            by_company.setdefault(row["company_id"], []).append(row)
        result = {}
        for company_id, company_rows in by_company.items():
            company = self.env["res.company"].browse(company_id)
            book = self._load(company)
            for row in company_rows:
                result[row["id"]] = self._match(book, company, row)
        return result

    # -------------------------------------------------------------- loading
    @api.model
    def _load(self, company):
        """One company's book: open items, statements, learned names, customers."""
        book = MatchingBook(10**company.currency_id.decimal_places)
        ledger = self.env["kakeuri.receivable.ledger"]
        items = SQL(
            """
            SELECT oi.partner_id, oi.move_id, mv.name, MIN(oi.date_due), SUM(oi.residual)
              FROM (%s) oi
              JOIN account_move mv ON mv.id = oi.move_id
             GROUP BY oi.partner_id, oi.move_id, mv.name
            """,
            ledger._open_items_query(company.ids),
        )
        for partner, move_id, name, date_due, residual in self.env.execute_query(items):
            book.add_item(partner, move_id, name, date_due, residual)
        statements = SQL(
            """
            SELECT s.id, s.name, s.partner_id, ARRAY_AGG(r.move_id)
              FROM kakeuri_billing_statement s
              JOIN kakeuri_billing_statement_move_rel r ON r.statement_id = s.id
             WHERE s.company_id = %s AND s.state IN ('confirmed', 'sent') AND r.move_id = ANY(%s)
             GROUP BY s.id
            """,
            company.id,
            list(book.residual),
        )
        for statement_id, name, partner, move_ids in self.env.execute_query(statements):
            book.add_statement(statement_id, name, partner, move_ids)
        learned = SQL("SELECT name, partner_id FROM kakeuri_payer_name WHERE company_id = %s", company.id)
        for name, partner in self.env.execute_query(learned):
            book.add_learned(name, partner)
        for row in self.env.execute_query(self._customers_query(company, list(book.items))):
            book.add_customer(*row)
        book.index()
        return book

    @api.model
    def _customers_query(self, company, partner_ids):
        """``id, name, kana, ref, fee tolerance`` of the customers (commercial partners) the
        company may sell to: with open items, or marked as customers."""
        field = self.env["res.partner"]._fields["kakeuri_fee_tolerance"]
        fallback = field.get_company_dependent_fallback(self.env["res.partner"].with_company(company)) or 0.0
        return SQL(
            """
            SELECT p.id, p.name, p.kakeuri_name_kana, p.ref,
                   COALESCE((p.kakeuri_fee_tolerance ->> %(company)s)::float, %(fallback)s)
              FROM res_partner p
             WHERE p.id = p.commercial_partner_id AND p.active
               AND (p.company_id IS NULL OR p.company_id = %(company_id)s)
               AND (p.customer_rank > 0 OR p.id = ANY(%(partners)s))
            """,
            company=str(company.id),
            company_id=company.id,
            fallback=fallback,
            partners=partner_ids,
        )

    # ------------------------------------------------------------- matching
    @api.model
    def _match(self, book, company, row):
        amount = book.units(row["amount"])
        partners, reason, scope = self._match_reference(book, row["payment_ref"])
        if not partners and row["partner_id"] and row["partner_id"] in book.partner_name:
            partners, reason = {row["partner_id"]}, self.env._("Customer set on the bank line")
        if not partners:
            partners, reason = self._match_name(book, row["partner_name"])
        if len(partners) > 1:
            fits = book.amount_fits(amount, partners=partners)
            if len(fits) == 1:
                partners = set(fits)
            else:
                return self._ambiguous(book, partners, reason)
        if partners:
            return self._fit_partner(book, company, next(iter(partners)), amount, reason, scope)
        fits = book.amount_fits(amount)
        exact = {partner: fit for partner, fit in fits.items() if not fit[0]}
        chosen = exact or fits
        if len(chosen) == 1:
            partner, (fee, kind, payload) = next(iter(chosen.items()))
            return self._proposal(book, company, partner, kind, payload, fee, None)
        if chosen:
            return self._ambiguous(book, set(chosen), self.env._("Amount"))
        return {
            "state": "none",
            "partner_id": False,
            "move_ids": [],
            "fee": 0.0,
            "reason": self.env._("No reference, payer name or amount matches an open item"),
            "candidate_ids": [],
        }

    @api.model
    def _match_reference(self, book, remarks):
        """(partners, reason, scope move ids) of the references in the remarks."""
        partners, reasons, scope = set(), [], []
        _ = self.env._
        for token in reference_tokens(remarks):
            if token in book.statement_by_name:
                name, partner, moves, _total = book.statements[book.statement_by_name[token]]
                partners.add(partner)
                scope += moves
                reasons.append(_("Billing statement %(name)s in the remarks", name=name))
            elif token in book.move_by_name:
                move_id = book.move_by_name[token]
                partners.add(book.move_partner[move_id])
                scope.append(move_id)
                reasons.append(_("Invoice %(name)s in the remarks", name=book.move_name[move_id]))
            elif token in book.by_code:
                partners |= book.by_code[token]
                reasons.append(_("Customer code %(code)s in the remarks", code=token))
        return partners, ", ".join(reasons), list(dict.fromkeys(scope))

    @api.model
    def _match_name(self, book, payer):
        """(partners, reason) of the payer name: learned names first, then customers' names."""
        key = normalize_payer_name(payer or "")
        if not key:
            return set(), ""
        if key in book.learned:
            return set(book.learned[key]), self.env._("Learned payer name %(name)s", name=key)
        if key in book.names:
            return set(book.names[key]), self.env._("Customer name %(name)s", name=key)
        return set(), ""

    @api.model
    def _fit_partner(self, book, company, partner, amount, reason, scope):
        """The proposal for a payment of ``amount`` units by a known customer."""
        scope = [move_id for move_id in scope if book.move_partner[move_id] == partner]
        if scope:
            total = sum(book.residual[move_id] for move_id in scope)
            fee = total - amount
            if 0 <= fee <= book.tolerance.get(partner, 0):
                return self._proposal(book, company, partner, None, scope, fee, reason)
            if fee < 0:
                return self._overpaid(book, company, partner, scope, -fee, reason)
        best = book.partner_fit(partner, amount)
        if best:
            fee, kind, payload = best
            return self._proposal(book, company, partner, kind, payload, fee, reason)
        items = [item[1] for item in book.items.get(partner, ())]
        total = sum(book.residual[move_id] for move_id in items)
        if total < amount:
            return self._overpaid(book, company, partner, items, amount - total, reason)
        return {
            "state": "none",
            "partner_id": partner,
            "move_ids": [],
            "fee": 0.0,
            "reason": self.env._(
                "%(reason)s · the amount %(amount)s matches none of the customer's open items",
                reason=reason,
                amount=self._format(book, company, amount),
            ),
            "candidate_ids": [],
        }

    # ------------------------------------------------------------ proposals
    @api.model
    def _proposal(self, book, company, partner, kind, payload, fee, reason):
        """A 'suggested' proposal: ``kind`` and ``payload`` are an amount fit of the book, or
        ``kind`` None and ``payload`` the referenced move ids."""
        _ = self.env._
        if kind is None:
            moves = payload
            what = _("Amount equals the referenced items")
        else:
            moves, _total = book.fit_moves(partner, kind, payload)
            if kind == KIND_STATEMENT:
                what = _("Amount equals billing statement %(name)s", name=book.statements[payload][0])
            elif kind == KIND_OLDEST and payload > 1:
                what = _("Amount equals the %(count)s oldest items", count=payload)
            else:
                what = _("Amount equals invoice %(name)s", name=book.move_name[moves[0]])
        if fee:
            what = _("%(what)s (fee %(fee)s deducted)", what=what, fee=self._format(book, company, fee))
        return {
            "state": "suggested",
            "partner_id": partner,
            "move_ids": list(moves),
            "fee": fee / book.factor,
            "reason": " · ".join(part for part in (reason, what) if part),
            "candidate_ids": [],
        }

    @api.model
    def _overpaid(self, book, company, partner, moves, excess, reason):
        what = self.env._(
            "Pays all %(count)s items; %(amount)s left as the customer's credit",
            count=len(moves),
            amount=self._format(book, company, excess),
        )
        return {
            "state": "suggested",
            "partner_id": partner,
            "move_ids": list(moves),
            "fee": 0.0,
            "reason": " · ".join(part for part in (reason, what) if part),
            "candidate_ids": [],
        }

    @api.model
    def _ambiguous(self, book, partners, reason):
        ordered = sorted(partners, key=lambda partner: (book.partner_name.get(partner) or "", partner))
        listed = ordered[:MAX_CANDIDATES]
        names = ", ".join(book.partner_name.get(partner) or str(partner) for partner in listed)
        return {
            "state": "ambiguous",
            "partner_id": False,
            "move_ids": [],
            "fee": 0.0,
            "reason": self.env._(
                "%(rule)s: %(count)s customers match equally (%(names)s); choose one",
                rule=reason or self.env._("Payer name"),
                count=len(partners),
                names=names,
            ),
            "candidate_ids": listed,
        }

    @api.model
    def _format(self, book, company, units):
        return format_amount(self.env, units / book.factor, company.currency_id)
