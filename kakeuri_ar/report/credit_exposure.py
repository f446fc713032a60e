# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Credit exposure, computed in one place (与信残高).

The exposure of a customer (a commercial partner, with all its contacts) in a company is, in
the company currency:

- its open receivable items (``kakeuri.receivable.ledger``: posted, receivable account, not
  reconciled; their residual);
- plus what its confirmed orders (invoice address under the customer) still have to invoice,
  tax included: per order line ``max(ordered, delivered) - invoiced`` at the line's price, an
  invoiced down payment deducted; invoiced includes draft invoices, which count below;
- plus its draft customer invoices and receipts, minus its draft credit notes.

Overdue amount and days come from the same open items (the ledger's overdue predicate, as of
today), following the installments of active payment plans and leaving out open disputes
(``kakeuri.receivable.holds``). The rule "what an order line still has to invoice" exists
in SQL (for many customers at once) and in Python (for one order or invoice on screen, with
unsaved changes); both are written here, side by side, and a test proves them equal.

``res.partner`` (fields, status, ``_kakeuri_check_credit``), ``sale.order`` and
``account.move`` all read their figures and decisions from this model.
"""

from odoo import _, api, fields, models
from odoo.tools import SQL, format_amount

# Exposure over this share of the limit shows the customer as "near" its limit.
NEAR_LIMIT_RATIO = 0.8


class KakeuriCreditExposure(models.AbstractModel):
    _name = "kakeuri.credit.exposure"
    _description = "Credit Exposure"

    # ------------------------------------------------- what an order line owes
    @api.model
    def _order_line_to_invoice(self, line, qty_invoiced):
        """What order line ``line`` still adds to the exposure, tax included, in the order
        currency, when ``qty_invoiced`` of it is invoiced (drafts included). The Python twin of
        :meth:`_order_line_to_invoice_sql`."""
        if line.display_type:
            return 0.0
        if line.is_downpayment:
            return -qty_invoiced * line.price_unit
        if line.product_uom_qty <= 0:
            return 0.0
        qty = max(max(line.product_uom_qty, line.qty_delivered or 0.0) - (qty_invoiced or 0.0), 0.0)
        return line.price_total / line.product_uom_qty * qty

    @api.model
    def _order_line_to_invoice_sql(self, alias):
        """The SQL twin of :meth:`_order_line_to_invoice` for the ``sale_order_line`` row
        ``alias`` (its ``qty_invoiced``)."""
        sol = SQL.identifier(alias)
        return SQL(
            """CASE
                 WHEN %(sol)s.display_type IS NOT NULL THEN 0
                 WHEN %(sol)s.is_downpayment THEN -COALESCE(%(sol)s.qty_invoiced, 0) * %(sol)s.price_unit
                 WHEN %(sol)s.product_uom_qty > 0 THEN
                      %(sol)s.price_total / %(sol)s.product_uom_qty
                      * GREATEST(GREATEST(%(sol)s.product_uom_qty, COALESCE(%(sol)s.qty_delivered, 0))
                                 - COALESCE(%(sol)s.qty_invoiced, 0), 0)
                 ELSE 0 END""",
            sol=sol,
        )

    # ---------------------------------------------------------------- figures
    @api.model
    def _empty_figures(self):
        return {
            "receivable": 0.0,
            "overdue": 0.0,
            "max_days_overdue": 0,
            "open_items": 0,
            "to_invoice": 0.0,
            "draft": 0.0,
            "exposure": 0.0,
        }

    @api.model
    def _figures(self, company, commercial_ids, date=None, exclude_order_ids=(), exclude_move_ids=()):
        """Credit figures of the commercial partners ``commercial_ids`` in ``company``, in its
        currency, with ONE SQL query whatever the number of items, orders or partners:
        ``receivable``, ``to_invoice`` (order currencies converted at the rate of ``date``),
        ``draft``, ``exposure`` (their sum), ``overdue``, ``max_days_overdue`` and
        ``open_items``. Orders in ``exclude_order_ids`` and moves in ``exclude_move_ids`` are
        left out (the document being checked adds its own amount). Runs as SQL, so it needs no
        access rights. Returns ``{commercial_partner_id: figures}``."""
        today = fields.Date.context_today(self)
        self.env["kakeuri.receivable.ledger"]._flush()
        for model in ("sale.order", "sale.order.line", "res.currency.rate"):
            self.env[model].flush_model()
        query = SQL(
            """
            WITH cp AS (
                SELECT p.id, p.commercial_partner_id AS cp_id
                  FROM res_partner p
                 WHERE p.commercial_partner_id = ANY(%(cp_ids)s)
            ),
            recv AS (%(recv)s),
            so AS (%(orders)s),
            so_company AS (%(orders_company)s),
            drafts AS (%(drafts)s)
            SELECT c.id, COALESCE(recv.receivable, 0), COALESCE(recv.overdue, 0), recv.oldest_due,
                   COALESCE(recv.open_items, 0), COALESCE(so_company.amount, 0), COALESCE(drafts.amount, 0)
              FROM unnest(%(cp_ids)s::int[]) AS c(id)
              LEFT JOIN recv ON recv.cp_id = c.id
              LEFT JOIN so_company ON so_company.cp_id = c.id
              LEFT JOIN drafts ON drafts.cp_id = c.id
            """,
            cp_ids=list(commercial_ids),
            recv=self._receivable_query(company, today, commercial_ids),
            orders=self._orders_query(company, exclude_order_ids),
            orders_company=self._orders_in_company_currency_query(company, date or today),
            drafts=self._drafts_query(company, exclude_move_ids),
        )
        currency = company.currency_id
        result = {}
        for cp_id, receivable, overdue, oldest_due, open_items, to_invoice, draft in self.env.execute_query(
            query
        ):
            receivable, to_invoice, draft = (currency.round(x) for x in (receivable, to_invoice, draft))
            result[cp_id] = {
                "receivable": receivable,
                "overdue": currency.round(overdue),
                "max_days_overdue": (today - oldest_due).days if oldest_due else 0,
                "open_items": open_items,
                "to_invoice": to_invoice,
                "draft": draft,
                "exposure": currency.round(receivable + to_invoice + draft),
            }
        return result

    @api.model
    def _receivable_query(self, company, today, commercial_ids):
        """Per customer (``cp``): open receivable items, and what of them is overdue as of
        ``today`` once payment plans and disputes are taken into account
        (``kakeuri.receivable.holds``; a promise does not make an item less late)."""
        ledger = self.env["kakeuri.receivable.ledger"]
        holds = self.env["kakeuri.receivable.holds"]
        holds._flush()
        overdue = ledger._overdue_invoices_query(
            company.ids, today, commercial_partner_ids=commercial_ids, move_types=None
        )
        return SQL(
            """
            SELECT r.cp_id, r.receivable, od.overdue, od.oldest_due, r.open_items
              FROM (
                    SELECT cp.cp_id, SUM(l.amount_residual) AS receivable, COUNT(*) AS open_items
                      FROM account_move_line l
                      JOIN cp ON cp.id = l.partner_id
                     WHERE %(item)s AND %(open)s
                     GROUP BY cp.cp_id
                   ) r
              LEFT JOIN (
                    SELECT h.partner_id, SUM(h.residual) AS overdue,
                           MIN(h.date_due) FILTER (WHERE h.residual > 0) AS oldest_due
                      FROM (%(holds)s) h
                     GROUP BY h.partner_id
                   ) od ON od.partner_id = r.cp_id
            """,
            item=ledger._item_condition("l", company.ids),
            open=ledger._open_condition("l"),
            holds=holds._holds_query(overdue, company.ids, today, promises=False),
        )

    @api.model
    def _orders_query(self, company, exclude_order_ids):
        """Per customer and order currency: what confirmed orders still have to invoice."""
        return SQL(
            """
            SELECT cp.cp_id, o.currency_id, SUM(%(to_invoice)s) AS amount
              FROM sale_order o
              JOIN cp ON cp.id = o.partner_invoice_id
              JOIN sale_order_line sol ON sol.order_id = o.id AND sol.display_type IS NULL
             WHERE o.state = 'sale'
               AND o.company_id = %(company_id)s
               AND o.id != ALL(%(exclude)s)
             GROUP BY cp.cp_id, o.currency_id
            """,
            to_invoice=self._order_line_to_invoice_sql("sol"),
            company_id=company.id,
            exclude=list(exclude_order_ids) or [0],
        )

    @api.model
    def _orders_in_company_currency_query(self, company, date):
        """Per customer: the ``so`` amounts converted to the company currency at the rate of
        ``date``, read as Odoo's ``res.currency._get_rates()`` reads it."""
        return SQL(
            """
            WITH rate AS (
                SELECT c.id AS currency_id,
                       COALESCE(
                           (SELECT r.rate FROM res_currency_rate r
                             WHERE r.currency_id = c.id AND r.name <= %(date)s
                               AND (r.company_id IS NULL OR r.company_id = %(root_company)s)
                             ORDER BY r.company_id, r.name DESC LIMIT 1),
                           (SELECT r.rate FROM res_currency_rate r
                             WHERE r.currency_id = c.id
                               AND (r.company_id IS NULL OR r.company_id = %(root_company)s)
                             ORDER BY r.company_id, r.name ASC LIMIT 1),
                           1.0) AS rate
                  FROM res_currency c
                 WHERE c.id IN (SELECT DISTINCT so.currency_id FROM so) OR c.id = %(company_currency)s
            )
            SELECT so.cp_id,
                   SUM(CASE WHEN so.currency_id = %(company_currency)s THEN so.amount
                            ELSE so.amount * company_rate.rate / so_rate.rate END) AS amount
              FROM so
              JOIN rate so_rate ON so_rate.currency_id = so.currency_id
              JOIN rate company_rate ON company_rate.currency_id = %(company_currency)s
             GROUP BY so.cp_id
            """,
            date=date,
            root_company=company.root_id.id,
            company_currency=company.currency_id.id,
        )

    @api.model
    def _drafts_query(self, company, exclude_move_ids):
        """Per customer: draft customer invoices and receipts minus draft credit notes."""
        return SQL(
            """
            SELECT cp.cp_id, SUM(m.amount_total_signed) AS amount
              FROM account_move m
              JOIN cp ON cp.id = m.partner_id
             WHERE m.state = 'draft'
               AND m.move_type IN ('out_invoice', 'out_receipt', 'out_refund')
               AND m.company_id = %(company_id)s
               AND m.id != ALL(%(exclude)s)
             GROUP BY cp.cp_id
            """,
            company_id=company.id,
            exclude=list(exclude_move_ids) or [0],
        )

    # -------------------------------------------------------------- decisions
    @api.model
    def _over_limit(self, company, exposure, limit):
        return company.currency_id.compare_amounts(exposure, limit) > 0

    @api.model
    def _overdue_past_grace(self, policy, figures):
        return bool(policy.block_on_overdue and figures["max_days_overdue"] > policy.overdue_grace_days)

    @api.model
    def _status_code(self, partner, figures):
        """Credit status (``res.partner.kakeuri_credit_status``) of the commercial partner
        ``partner``, read in the company of its environment."""
        if partner.kakeuri_credit_hold:
            return "hold"
        policy = partner.kakeuri_credit_policy_id
        if not policy:
            return "none"
        limit, exposure = partner.credit_limit, figures["exposure"]
        if self._overdue_past_grace(policy, figures):
            return "overdue"
        if self._over_limit(self.env.company, exposure, limit):
            return "over"
        if limit and exposure >= limit * NEAR_LIMIT_RATIO:
            return "near"
        return "ok"

    @api.model
    def _status(
        self,
        partner,
        amount,
        company,
        currency,
        document,
        date=None,
        increase=None,
        extra_exposure=0.0,
        lock=True,
        hold_only=False,
    ):
        """What the credit of ``partner`` (its commercial partner) in ``company`` says about
        ``document`` adding ``amount`` (see ``res.partner._kakeuri_check_credit``). A document
        without a customer or a company has no credit to check: nothing is found."""
        if len(partner) > 1:
            partner.ensure_one()  # one customer at a time
        date = date or fields.Date.context_today(self)
        if not partner or not company:
            return self._status_vals(partner.sudo(), company, amount)
        partner = partner.commercial_partner_id.sudo().with_company(company)
        currency = currency or company.currency_id
        amount_company = currency._convert(amount, company.currency_id, company, date)
        status = self._status_vals(partner, company, amount_company)
        if increase is not None:
            increase = currency._convert(increase, company.currency_id, company, date)
        hold, policy = partner.kakeuri_credit_hold, partner.kakeuri_credit_policy_id
        if company.currency_id.compare_amounts(amount_company if increase is None else increase, 0) <= 0:
            if not (hold and self._is_customer_invoice(document)):
                return status
            hold_only = True
        if not hold and (hold_only or not policy):
            return status
        if lock:
            self._lock_customer(partner)
        figures = self._figures(
            company,
            partner.ids,
            date=date,
            exclude_order_ids=document.ids if document and document._name == "sale.order" else (),
            exclude_move_ids=document.ids if document and document._name == "account.move" else (),
        ).get(partner.id, self._empty_figures())
        status.update(figures=figures, exposure=figures["exposure"] + extra_exposure)
        self._add_problems(status, hold_only)
        return status

    @api.model
    def _status_vals(self, partner, company, amount):
        return {
            "partner": partner,
            "policy": partner.kakeuri_credit_policy_id,
            "company": company,
            "limit": partner.credit_limit if partner and company else 0.0,
            "amount": amount,
            "exposure": 0.0,
            "figures": self._empty_figures(),
            "problems": [],
            "reasons": set(),
            "blocking": False,
        }

    @api.model
    def _add_problems(self, status, hold_only):
        """Fill ``problems`` (the sentences), ``reasons`` (``hold``, ``limit``, ``overdue``)
        and ``blocking`` of ``status`` from its figures."""
        partner, policy, company = status["partner"], status["policy"], status["company"]
        figures, fmt = status["figures"], self._format_amount
        if partner.kakeuri_credit_hold:
            status["blocking"] = True
            status["reasons"].add("hold")
            status["problems"].append(
                _("%(partner)s is on credit hold.", partner=partner.display_name)
                + (f" ({partner.kakeuri_credit_hold_reason})" if partner.kakeuri_credit_hold_reason else "")
            )
        if not policy or hold_only:
            return
        after = status["exposure"] + status["amount"]
        if self._over_limit(company, after, status["limit"]):
            status["reasons"].add("limit")
            status["problems"].append(
                _(
                    "Credit limit exceeded: exposure %(exposure)s + this document %(amount)s = "
                    "%(after)s, over the limit of %(limit)s by %(excess)s.",
                    exposure=fmt(status["exposure"], company),
                    amount=fmt(status["amount"], company),
                    after=fmt(after, company),
                    limit=fmt(status["limit"], company),
                    excess=fmt(after - status["limit"], company),
                )
            )
        if self._overdue_past_grace(policy, figures):
            status["reasons"].add("overdue")
            status["problems"].append(
                _(
                    "Overdue receivables: %(overdue)s, the oldest %(days)s days past due "
                    "(grace period: %(grace)s days).",
                    overdue=fmt(figures["overdue"], company),
                    days=figures["max_days_overdue"],
                    grace=policy.overdue_grace_days,
                )
            )
        if policy.hold_mode == "block" and status["problems"]:
            status["blocking"] = True

    # ---------------------------------------------------------------- helpers
    @api.model
    def _is_customer_invoice(self, document):
        """A customer invoice or receipt (not a credit note): refused whenever a hold is set."""
        return bool(
            document
            and document._name == "account.move"
            and document.move_type in self.env["account.move"]._kakeuri_customer_move_types()
        )

    @api.model
    def _lock_customer(self, partner):
        """Serialize credit checks of one customer: the second of two concurrent confirmations
        waits for the first, then fails with a serialization error and is retried by Odoo, so
        it sees the first order. A no-op UPDATE (not just FOR UPDATE) is what makes
        PostgreSQL's repeatable-read snapshot detect the conflict."""
        self.env.cr.execute(
            SQL("UPDATE res_partner SET id = id WHERE id = %s", partner.id),
            log_exceptions=False,  # a serialization failure is expected and retried, not a bug
        )

    @api.model
    def _format_amount(self, amount, company):
        return format_amount(self.env, amount, company.currency_id)
