# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The in-memory indexes cash matching looks lines up in (no Odoo import).

``kakeuri.cash.matching`` loads one company's open receivable items, billing statements,
learned payer names and customers with a handful of queries and hands them to a
:class:`MatchingBook`; every statement line is then matched by dictionary and bisect look-ups
only. Amounts are integers in the currency's smallest unit (yen, cents), so sums compare
exactly.
"""

import bisect
import re
from collections import defaultdict

from ..tools.kana import normalize_payer_name, to_halfwidth

# A reference in remarks: a run of letters and digits, with the separators sequence numbers use.
REFERENCE = re.compile(r"[0-9A-Z](?:[0-9A-Z/\-_.]*[0-9A-Z])?")
# Shorter customer codes are too likely to be a piece of something else.
MIN_CODE_LENGTH = 3
# Kinds of amount fits, best first.
KIND_STATEMENT, KIND_OLDEST, KIND_ITEM = 0, 1, 2


def reference_tokens(text):
    """The candidate references in ``text`` (remarks): upper-case, half-width."""
    return REFERENCE.findall(to_halfwidth(text or "").upper())


class MatchingBook:
    """One company's open items and names, indexed for matching."""

    def __init__(self, factor):
        self.factor = factor  # 10 ** decimal places of the company currency
        self.items = defaultdict(list)  # partner → [(date_due, move_id, residual units)] positive
        self.credits = defaultdict(list)  # partner → [(move_id, residual units)] negative
        self.residual = {}  # move_id → residual units
        self.move_partner = {}  # move_id → partner
        self.move_by_name = {}  # INVOICE NUMBER → move_id (open ones)
        self.move_name = {}  # move_id → number
        self.statements = {}  # statement_id → (name, partner, [open move ids], total units)
        self.statement_by_name = {}  # STATEMENT NUMBER → statement_id
        self.statements_of = defaultdict(list)  # partner → [statement_id]
        self.learned = defaultdict(set)  # normalised payer name → partners
        self.names = defaultdict(set)  # normalised customer name or kana → partners
        self.by_code = defaultdict(set)  # CUSTOMER CODE → partners
        self.partner_name = {}
        self.tolerance = {}  # partner → fee tolerance units
        self.amounts = []  # sorted fit amounts (units)
        self.fits = []  # (partner, kind, payload) parallel to amounts
        self.max_tolerance = 0

    def units(self, amount):
        """``amount`` in the currency's smallest unit, as an integer."""
        return round((amount or 0.0) * self.factor)

    # --------------------------------------------------------------- loading
    def add_item(self, partner, move_id, name, date_due, residual):
        units = self.units(residual)
        if not units:
            return
        self.residual[move_id] = units
        self.move_partner[move_id] = partner
        self.move_name[move_id] = name
        if units > 0:
            self.items[partner].append((date_due, move_id, units))
            if name and name != "/":
                self.move_by_name[name.upper()] = move_id
        else:
            self.credits[partner].append((move_id, units))

    def add_statement(self, statement_id, name, partner, move_ids):
        open_ids = [move_id for move_id in move_ids if move_id in self.residual]
        if not open_ids:
            return
        total = sum(self.residual[move_id] for move_id in open_ids)
        self.statements[statement_id] = (name, partner, open_ids, total)
        self.statement_by_name[name.upper()] = statement_id
        self.statements_of[partner].append(statement_id)

    def add_customer(self, partner, name, kana, code, tolerance):
        self.partner_name[partner] = name
        self.tolerance[partner] = self.units(tolerance or 0.0)
        self.max_tolerance = max(self.max_tolerance, self.tolerance[partner])
        for text in (name, kana):
            key = normalize_payer_name(text or "")
            if key:
                self.names[key].add(partner)
        code = to_halfwidth(code or "").strip().upper()
        if len(code) >= MIN_CODE_LENGTH:
            self.by_code[code].add(partner)

    def add_learned(self, name, partner):
        self.learned[name].add(partner)

    def index(self):
        """Sort each customer's items by due date and index every amount a payment may
        equal: a billing statement's open items, the oldest items, one item."""
        fits = []
        for partner, items in self.items.items():
            items.sort()
            running = 0
            for count, (_due, move_id, units) in enumerate(items, start=1):
                running += units
                fits.append((running, partner, KIND_OLDEST, count))
                if count > 1:
                    fits.append((units, partner, KIND_ITEM, move_id))
        for statement_id, (_name, partner, _moves, total) in self.statements.items():
            if total > 0:
                fits.append((total, partner, KIND_STATEMENT, statement_id))
        fits.sort(key=lambda fit: fit[0])
        self.amounts = [fit[0] for fit in fits]
        self.fits = [fit[1:] for fit in fits]

    # -------------------------------------------------------------- look-ups
    def fit_moves(self, partner, kind, payload):
        """The move ids and total of an amount fit."""
        if kind == KIND_STATEMENT:
            _name, _partner, moves, total = self.statements[payload]
            return moves, total
        if kind == KIND_OLDEST:
            items = self.items[partner][:payload]
            return [item[1] for item in items], sum(item[2] for item in items)
        return [payload], self.residual[payload]

    def amount_fits(self, amount, partners=None, limit=50):
        """{partner: (fee, kind, payload)}: the best fit per customer of a payment of
        ``amount`` units, exact or short by at most the customer's tolerance (the fee),
        among ``partners`` when given. Stops after ``limit`` customers."""
        found = {}
        lo = bisect.bisect_left(self.amounts, amount)
        hi = bisect.bisect_right(self.amounts, amount + self.max_tolerance)
        for position in range(lo, hi):
            partner, kind, payload = self.fits[position]
            if partners is not None and partner not in partners:
                continue
            fee = self.amounts[position] - amount
            if fee > self.tolerance.get(partner, 0):
                continue
            best = found.get(partner)
            if best is None or (fee, kind) < (best[0], best[1]):
                found[partner] = (fee, kind, payload)
            if len(found) > limit:
                break
        return found

    def partner_fit(self, partner, amount):
        """The best fit of ``amount`` among one customer's items (looked up in its own items,
        not the global index, so a customer with many items costs only its own)."""
        tolerance = self.tolerance.get(partner, 0)
        best = None
        candidates = [
            (self.statements[sid][3], KIND_STATEMENT, sid) for sid in self.statements_of.get(partner, ())
        ]
        running = 0
        for count, (_due, move_id, units) in enumerate(self.items.get(partner, ()), start=1):
            running += units
            candidates.append((running, KIND_OLDEST, count))
            candidates.append((units, KIND_ITEM, move_id))
        for total, kind, payload in candidates:
            fee = total - amount
            if 0 <= fee <= tolerance and (best is None or (fee, kind) < (best[0], best[1])):
                best = (fee, kind, payload)
        return best
