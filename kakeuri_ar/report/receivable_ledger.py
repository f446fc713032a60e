# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The receivable item, defined once (売掛金の明細).

A receivable item is a journal item of a posted entry on a receivable account of the
company, owed by a customer: the customer is the commercial partner of the item's partner,
so what a contact owes counts for its company. Its due date is its maturity date, or its
accounting date when it has none. It is open when it is not reconciled; its open amount is
its residual in company currency, either today's (``amount_residual``) or as the ledger stood
at the end of a date (the partial reconciliations dated later added back, see
:meth:`_later_partials`). It is overdue on a date when its open amount is positive and it
fell due before that date. An invoice under a payment plan, a dispute or a promise stays a
receivable; what collections leaves aside is ``kakeuri.receivable.holds``'s.

Everything that reads receivables — credit exposure, aging, billing statements, dunning
candidates, the collections worklist — builds its query from the fragments below, so the
definition changes in one place. The fragments are ``odoo.tools.SQL`` objects with bound
parameters. They read the tables directly: callers select what a user may see (record
rules) before or after, and call :meth:`_flush` first.
"""

from odoo import api, models
from odoo.tools import SQL

# Customer documents that ask for payment: the ones a reminder is about.
INVOICE_MOVE_TYPES = ("out_invoice", "out_receipt")
# Customer documents that a billing statement lists as charges (credit notes negative).
CHARGE_MOVE_TYPES = ("out_invoice", "out_refund", "out_receipt")
# Up to this many partners, their journal items are read through the partner index first
# (_partner_lines); for more, their items are a large part of the ledger and the receivable
# account's index is the better way in.
PARTNER_LINES_MAX = 2000
# Up to this many reconciliations dated after a date, the items they touch are found from the
# reconciliations (through the index on max_date); past it, each item of the customer looks
# up its own reconciliations.
LATER_PARTIALS_FEW = 100


class KakeuriReceivableLedger(models.AbstractModel):
    _name = "kakeuri.receivable.ledger"
    _description = "Receivable Ledger"

    # ----------------------------------------------------------- definition
    @api.model
    def _flush(self):
        """Write pending ORM changes of everything the fragments read."""
        for model in (
            "account.move.line",
            "account.move",
            "account.partial.reconcile",
            "account.account",
            "res.partner",
        ):
            self.env[model].flush_model()

    @api.model
    def _receivable_account_ids(self):
        """Ids of the receivable accounts. Passed to the queries as literal ids (not a join),
        so that PostgreSQL estimates the share of receivable items from its statistics and
        plans the scan well."""
        return self.env["account.account"].sudo().search([("account_type", "=", "asset_receivable")]).ids

    @api.model
    def _item_condition(self, alias, company_ids, date_to=None, date_from=None, account_ids=None):
        """The journal items of ``alias`` that are receivable items of ``company_ids``: posted,
        on a receivable account, dated on or before ``date_to`` and on or after ``date_from``
        when given."""
        line = SQL.identifier(alias)
        condition = SQL(
            "%s.account_id = ANY(%s) AND %s.parent_state = 'posted' AND %s.company_id = ANY(%s)",
            line,
            list(account_ids if account_ids is not None else self._receivable_account_ids()),
            line,
            line,
            list(company_ids),
        )
        if date_to:
            condition = SQL("%s AND %s.date <= %s", condition, line, date_to)
        if date_from:
            condition = SQL("%s AND %s.date >= %s", condition, line, date_from)
        return condition

    @api.model
    def _open_condition(self, alias):
        """The item is open today (not reconciled)."""
        return SQL("%s.reconciled IS NOT TRUE", SQL.identifier(alias))

    @api.model
    def _due_date(self, alias):
        """The item's due date: its maturity date, or its accounting date."""
        line = SQL.identifier(alias)
        return SQL("COALESCE(%s.date_maturity, %s.date)", line, line)

    @api.model
    def _overdue_condition(self, alias, date):
        """The item is overdue on ``date`` (a date or an SQL expression such as
        ``SQL('CURRENT_DATE')``): open, a positive open amount, due before ``date``."""
        line = SQL.identifier(alias)
        return SQL(
            "%s AND %s.amount_residual > 0 AND %s < %s",
            self._open_condition(alias),
            line,
            self._due_date(alias),
            date,
        )

    @api.model
    def _payment_condition(self, alias, move_alias):
        """The item ``alias`` of the entry ``move_alias`` is a payment received: the credit
        side of a receivable item of a journal entry (payments, bank matches, debits), not a
        credit note. Promises count these."""
        return SQL(
            "%s.move_type = 'entry' AND %s.balance < 0",
            SQL.identifier(move_alias),
            SQL.identifier(alias),
        )

    @api.model
    def _later_partials(self, as_of):
        """(line_id, amount) of the reconciliations the end of ``as_of`` must not see yet: the
        signed amount to add back to each item's residual of today to get its residual as of
        that date. A partial counts from its ``max_date`` (the later date of the two matched
        items). Not filtered on the reconciliation's own company: with branches a payment of
        one company may be matched with an invoice of another; the item's company scopes it."""
        return SQL(
            """
                SELECT p.debit_move_id AS line_id, p.amount
                  FROM account_partial_reconcile p
                 WHERE p.max_date > %(as_of)s
             UNION ALL
                SELECT p.credit_move_id AS line_id, -p.amount
                  FROM account_partial_reconcile p
                 WHERE p.max_date > %(as_of)s
            """,
            as_of=as_of,
        )

    @api.model
    def _later_partials_of(self, alias, as_of):
        """The sum (``amount``, NULL when none) of ``_later_partials`` for the one item ``alias``:
        a LATERAL subquery for queries of a few customers, which reads the item's own
        reconciliations through their indexes instead of every reconciliation after ``as_of``."""
        return SQL(
            """
            SELECT SUM(lp.amount) AS amount
              FROM (
                    SELECT p.amount FROM account_partial_reconcile p
                     WHERE p.debit_move_id = %(line)s.id AND p.max_date > %(as_of)s
                 UNION ALL
                    SELECT -p.amount FROM account_partial_reconcile p
                     WHERE p.credit_move_id = %(line)s.id AND p.max_date > %(as_of)s
                   ) lp
            """,
            line=SQL.identifier(alias),
            as_of=as_of,
        )

    @api.model
    def _later_amounts(self, items, condition, as_of):
        """SQL selecting ``(amount, date_due)`` per item and later reconciliation: the
        ``_later_partials`` of the receivable items ``items`` (a relation with the ``id`` and
        ``date_due`` of the journal items that ``condition``, on ``l`` and its partner ``p``,
        selects). When few reconciliations are dated after ``as_of`` they are read first and
        their items looked up; otherwise each item reads its own."""
        later = SQL(
            "SELECT 1 FROM account_partial_reconcile WHERE max_date > %s LIMIT %s",
            as_of,
            LATER_PARTIALS_FEW + 1,
        )
        few = self.env.execute_query(SQL("SELECT count(*) FROM (%s) p", later))[0][0] <= LATER_PARTIALS_FEW
        if few:
            return SQL(
                """
                SELECT lp.amount, %(due)s AS date_due
                  FROM (%(later)s) lp
                  JOIN account_move_line l ON l.id = lp.line_id
                  JOIN res_partner p ON p.id = l.partner_id
                 WHERE %(condition)s
                """,
                due=self._due_date("l"),
                later=self._later_partials(as_of),
                condition=condition,
            )
        return SQL(
            "SELECT lp.amount, i.date_due FROM %s i JOIN LATERAL (%s) lp ON lp.amount IS NOT NULL",
            items,
            self._later_partials_of("i", as_of),
        )

    @api.model
    def _partner_lines(self, partner_ids):
        """``(table, WITH clause)`` for queries of a list of customers (at most
        ``PARTNER_LINES_MAX`` partners): the journal items of the partners ``partner_ids``
        read first, through the partner index, and only then filtered on account, date and
        state. Left to itself PostgreSQL combines the partner index with the receivable
        account's ``(account_id, date)`` index, and reading that index, which holds every
        receivable item of the ledger, costs more than the customers' own items.
        MATERIALIZED keeps the filters out of the partner scan. The columns are those the
        aging reads."""
        return SQL("customer_lines"), SQL(
            """
            WITH customer_lines AS MATERIALIZED (
                SELECT id, company_id, partner_id, account_id, parent_state, date, date_maturity,
                       invoice_date, amount_residual
                  FROM account_move_line
                 WHERE partner_id = ANY(%s)
            )
            """,
            list(partner_ids),
        )

    @api.model
    def _subset_condition(self, commercial_partner_ids=None, move_ids=None):
        """Items of the customers ``commercial_partner_ids`` (``p``: the item's partner) and of
        the entries ``move_ids`` only, when given."""
        condition = SQL("TRUE")
        if commercial_partner_ids is not None:
            partners = list(commercial_partner_ids)
            condition = SQL("%s AND p.commercial_partner_id = ANY(%s)", condition, partners)
        if move_ids is not None:
            condition = SQL("%s AND l.move_id = ANY(%s)", condition, list(move_ids))
        return condition

    # -------------------------------------------------------------- queries
    @api.model
    def _open_items_query(self, company_ids, commercial_partner_ids=None, move_ids=None):
        """One row per receivable item open today: ``line_id, move_id, company_id, partner_id``
        (the customer: commercial partner), ``date_due, residual`` (company currency, signed),
        ``move_type, disputed`` (an open dispute on the entry). Limited to the customers
        ``commercial_partner_ids`` and the entries ``move_ids`` when given."""
        condition = SQL(
            "%s AND %s AND %s",
            self._item_condition("l", company_ids),
            self._open_condition("l"),
            self._subset_condition(commercial_partner_ids, move_ids),
        )
        return SQL(
            """
            SELECT l.id AS line_id, l.move_id, l.company_id, p.commercial_partner_id AS partner_id,
                   %(due)s AS date_due, l.amount_residual AS residual, m.move_type,
                   COALESCE(m.kakeuri_dunning_blocked, FALSE) AS disputed
              FROM account_move_line l
              JOIN res_partner p ON p.id = l.partner_id
              JOIN account_move m ON m.id = l.move_id
             WHERE %(condition)s
            """,
            due=self._due_date("l"),
            condition=condition,
        )

    @api.model
    def _overdue_invoices_query(
        self, company_ids, date, commercial_partner_ids=None, move_ids=None, move_types=INVOICE_MOVE_TYPES
    ):
        """One row per customer invoice (or receipt) with an amount overdue on ``date``:
        ``company_id, partner_id`` (the customer), ``move_id, date_due`` (its earliest overdue
        due date: an invoice in instalments is only partly overdue) and ``residual`` (the overdue
        amount). ``date`` is a date or an SQL expression. Entries of any type when
        ``move_types`` is None. What collections leaves aside (plans, disputes, promises) is
        ``kakeuri.receivable.holds``'s, on top of these rows."""
        condition = SQL(
            "%s AND %s AND %s",
            self._item_condition("l", company_ids),
            self._overdue_condition("l", date),
            self._subset_condition(commercial_partner_ids, move_ids),
        )
        if move_types:
            condition = SQL("%s AND m.move_type IN %s", condition, tuple(move_types))
        return SQL(
            """
            SELECT l.company_id, p.commercial_partner_id AS partner_id, l.move_id,
                   MIN(%(due)s) AS date_due, SUM(l.amount_residual) AS residual
              FROM account_move_line l
              JOIN res_partner p ON p.id = l.partner_id
              JOIN account_move m ON m.id = l.move_id
             WHERE %(condition)s
             GROUP BY l.company_id, p.commercial_partner_id, l.move_id
            """,
            due=self._due_date("l"),
            condition=condition,
        )

    @api.model
    def _unapplied_credits_query(self, company_ids, date, commercial_partner_ids=None):
        """Per company and customer, the payments and credit notes dated on or before ``date``
        not matched with an invoice yet: ``company_id, partner_id, amount`` (negative)."""
        condition = SQL(
            "%s AND %s AND l.amount_residual < 0 AND %s",
            self._item_condition("l", company_ids, date_to=date),
            self._open_condition("l"),
            self._subset_condition(commercial_partner_ids),
        )
        return SQL(
            """
            SELECT l.company_id, p.commercial_partner_id AS partner_id, SUM(l.amount_residual) AS amount
              FROM account_move_line l
              JOIN res_partner p ON p.id = l.partner_id
             WHERE %s
             GROUP BY l.company_id, p.commercial_partner_id
            """,
            condition,
        )

    @api.model
    def _movements_query(self, company_ids, commercial_partner_ids, date_from=None, date_to=None):
        """Every receivable item of the customers dated in the range, open or not, grouped per
        entry: ``company_id, partner_id, move_id, move_type, balance`` (company currency). Its
        sum up to a date is the customers' balance at the end of that date."""
        condition = SQL(
            "%s AND %s",
            self._item_condition("l", company_ids, date_to=date_to, date_from=date_from),
            self._subset_condition(commercial_partner_ids),
        )
        return SQL(
            """
            SELECT l.company_id, p.commercial_partner_id AS partner_id, l.move_id, m.move_type,
                   SUM(l.balance) AS balance
              FROM account_move_line l
              JOIN res_partner p ON p.id = l.partner_id
              JOIN account_move m ON m.id = l.move_id
             WHERE %s
             GROUP BY l.company_id, p.commercial_partner_id, l.move_id, m.move_type
            """,
            condition,
        )

    # -------------------------------------------------------------- figures
    @api.model
    def get_balance(self, partner, company, date_to):
        """Receivable balance of the customer ``partner`` (with its contacts) in ``company`` at
        the end of ``date_to``, in company currency."""
        self._flush()
        query = self._movements_query(company.ids, partner.commercial_partner_id.ids, date_to=date_to)
        rows = self.env.execute_query(SQL("SELECT COALESCE(SUM(balance), 0) FROM (%s) mv", query))
        return rows[0][0]

    @api.model
    def get_movements(self, partner, company, date_from, date_to):
        """[(move_id, move_type, balance)] of the customer's receivable items dated from
        ``date_from`` to ``date_to``."""
        self._flush()
        query = self._movements_query(
            company.ids, partner.commercial_partner_id.ids, date_from=date_from, date_to=date_to
        )
        return self.env.execute_query(
            SQL("SELECT move_id, move_type, balance FROM (%s) mv ORDER BY move_id", query)
        )
