# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, format_amount, formatLang

# Credit fields of the commercial partner: a contact shares its company's (synced, never set
# on the contact itself).
COMMERCIAL_CREDIT_FIELDS = ("kakeuri_credit_policy_id", "kakeuri_credit_hold", "kakeuri_credit_hold_reason")
# Fields only a credit manager may change (server-side, whatever the view shows).
CREDIT_MANAGER_FIELDS = (
    "credit_limit",
    "use_partner_credit_limit",
    "kakeuri_credit_policy_id",
    "kakeuri_credit_hold",
    "kakeuri_credit_hold_reason",
    "kakeuri_credit_review_date",
)
NEAR_LIMIT_RATIO = 0.8


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Odoo's own company-dependent limit is the limit; kakeuri tracks its changes and lets
    # receivables users read it (only credit managers change it, see write()).
    credit_limit = fields.Float(
        tracking=True,
        groups="account.group_account_invoice,account.group_account_readonly,kakeuri_ar.group_ar_user",
    )
    kakeuri_credit_policy_id = fields.Many2one(
        comodel_name="kakeuri.credit.policy",
        string="Credit Policy",
        company_dependent=True,
        tracking=True,
        ondelete="restrict",
        domain="[('company_id', 'in', (False, current_company_id))]",
        help="How this customer's credit is managed in the current company. Without a policy the "
        "limit is not enforced; only a credit hold stops new orders.",
    )
    kakeuri_credit_hold = fields.Boolean(
        string="Credit Hold",
        copy=False,
        tracking=True,
        help="Stops new orders and new invoices for this customer in every company, whatever the "
        "policy, until a credit manager releases the hold.",
    )
    kakeuri_credit_hold_reason = fields.Char(
        string="Hold Reason",
        copy=False,
        tracking=True,
    )
    kakeuri_credit_review_date = fields.Date(
        string="Next Credit Review",
        company_dependent=True,
        copy=False,
        tracking=True,
        help="When this customer's limit should be reviewed in the current company: set to today "
        "plus the policy's review interval whenever the limit or the policy changes, or when a "
        "credit manager marks the credit as reviewed.",
    )
    kakeuri_can_edit_credit = fields.Boolean(
        string="Can Edit Credit",
        compute="_compute_kakeuri_can_edit_credit",
    )
    kakeuri_credit_currency_id = fields.Many2one(
        comodel_name="res.currency",
        string="Credit Currency",
        compute="_compute_kakeuri_credit",
    )
    kakeuri_credit_exposure = fields.Monetary(
        string="Credit Exposure",
        currency_field="kakeuri_credit_currency_id",
        compute="_compute_kakeuri_credit",
        help="Open receivables + confirmed orders not yet invoiced + draft invoices of this "
        "customer and all its contacts, in the currency of the current company.",
    )
    kakeuri_credit_receivable = fields.Monetary(
        string="Open Receivables",
        currency_field="kakeuri_credit_currency_id",
        compute="_compute_kakeuri_credit",
    )
    kakeuri_credit_to_invoice = fields.Monetary(
        string="Orders to Invoice",
        currency_field="kakeuri_credit_currency_id",
        compute="_compute_kakeuri_credit",
    )
    kakeuri_credit_draft_invoiced = fields.Monetary(
        string="Draft Invoices",
        currency_field="kakeuri_credit_currency_id",
        compute="_compute_kakeuri_credit",
    )
    kakeuri_credit_available = fields.Monetary(
        string="Available Credit",
        currency_field="kakeuri_credit_currency_id",
        compute="_compute_kakeuri_credit",
        help="Credit limit minus exposure.",
    )
    kakeuri_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        currency_field="kakeuri_credit_currency_id",
        compute="_compute_kakeuri_credit",
        help="Open receivable items past their due date.",
    )
    kakeuri_max_days_overdue = fields.Integer(
        string="Oldest Overdue (Days)",
        compute="_compute_kakeuri_credit",
        help="Days past due of the oldest open receivable item.",
    )
    kakeuri_open_item_count = fields.Integer(
        string="Open Items",
        compute="_compute_kakeuri_credit",
    )
    kakeuri_credit_status = fields.Selection(
        selection=[
            ("none", "Not Managed"),
            ("ok", "Within Limit"),
            ("near", "Near Limit"),
            ("over", "Over Limit"),
            ("overdue", "Overdue"),
            ("hold", "On Hold"),
        ],
        string="Credit Status",
        compute="_compute_kakeuri_credit",
        search="_search_kakeuri_credit_status",
    )

    # ------------------------------------------------------------------ computes
    @api.depends_context("uid")
    def _compute_kakeuri_can_edit_credit(self):
        self.kakeuri_can_edit_credit = self.env.user.has_group("kakeuri_ar.group_credit_manager")

    @api.depends_context("company")
    @api.depends("commercial_partner_id", "kakeuri_credit_hold", "credit_limit", "kakeuri_credit_policy_id")
    def _compute_kakeuri_credit(self):
        company = self.env.company
        real = self.filtered("id")
        commercial = real.commercial_partner_id
        figures = self._kakeuri_credit_figures(company, commercial.ids) if commercial else {}
        for partner in self:
            cp = partner.commercial_partner_id.sudo().with_company(company)
            fig = figures.get(cp.id) or self._kakeuri_empty_figures()
            partner.kakeuri_credit_currency_id = company.currency_id
            partner.kakeuri_credit_exposure = fig["exposure"]
            partner.kakeuri_credit_receivable = fig["receivable"]
            partner.kakeuri_credit_to_invoice = fig["to_invoice"]
            partner.kakeuri_credit_draft_invoiced = fig["draft"]
            partner.kakeuri_credit_available = cp.credit_limit - fig["exposure"]
            partner.kakeuri_overdue_amount = fig["overdue"]
            partner.kakeuri_max_days_overdue = fig["max_days_overdue"]
            partner.kakeuri_open_item_count = fig["open_items"]
            partner.kakeuri_credit_status = cp._kakeuri_status_from_figures(fig)

    def _kakeuri_status_from_figures(self, fig, amount=0.0):
        """Credit status of commercial partner ``self`` (already in the right company)."""
        self.ensure_one()
        policy = self.kakeuri_credit_policy_id
        if self.kakeuri_credit_hold:
            return "hold"
        if not policy:
            return "none"
        limit = self.credit_limit
        exposure = fig["exposure"] + amount
        if policy.block_on_overdue and fig["max_days_overdue"] > policy.overdue_grace_days:
            return "overdue"
        if self.env.company.currency_id.compare_amounts(exposure, limit) > 0:
            return "over"
        if limit and exposure >= limit * NEAR_LIMIT_RATIO:
            return "near"
        return "ok"

    def _search_kakeuri_credit_status(self, operator, value):
        """Search partners by credit status in the current company: one SQL query for all
        managed customers, then the same status logic as the form."""
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Operation not supported on the credit status: %(op)s", op=operator))
        values = {value} if isinstance(value, str) else set(value or ())
        company = self.env.company
        partners = self.sudo().with_company(company)
        managed = partners.search(
            ["|", ("kakeuri_credit_hold", "=", True), ("kakeuri_credit_policy_id", "!=", False)]
        ).commercial_partner_id
        figures = self._kakeuri_credit_figures(company, managed.ids) if managed else {}
        matching = [
            p.id
            for p in managed
            if p._kakeuri_status_from_figures(figures.get(p.id) or self._kakeuri_empty_figures()) in values
        ]
        positive = operator in ("=", "in")
        if "none" in values:
            # "Not managed" is everyone outside the managed set.
            unmanaged = [("commercial_partner_id", "not in", managed.ids)]
            if positive:
                return ["|", ("commercial_partner_id", "in", matching), *unmanaged]
            return [
                ("commercial_partner_id", "in", managed.ids),
                ("commercial_partner_id", "not in", matching),
            ]
        return [("commercial_partner_id", "in" if positive else "not in", matching)]

    # --------------------------------------------------------------- constraints
    @api.constrains("credit_limit")
    def _check_kakeuri_credit_limit(self):
        for partner in self:
            if partner.sudo().credit_limit < 0:
                raise ValidationError(
                    _(
                        "The credit limit of %(partner)s cannot be negative (%(value)s).",
                        partner=partner.display_name,
                        value=partner.sudo().credit_limit,
                    )
                )

    @api.constrains("kakeuri_credit_policy_id", "company_id")
    def _check_kakeuri_credit_policy_company(self):
        for partner in self:
            policy = partner.sudo().kakeuri_credit_policy_id
            if not policy:
                continue
            company = partner.company_id or self.env.company
            if policy.company_id != company:
                raise ValidationError(
                    _(
                        "The credit policy %(policy)s belongs to %(policy_company)s and cannot be "
                        "used for %(partner)s in %(company)s.",
                        policy=policy.display_name,
                        policy_company=policy.company_id.display_name,
                        partner=partner.display_name,
                        company=company.display_name,
                    )
                )

    # -------------------------------------------------------------- CRUD
    @api.model
    def _commercial_fields(self):
        # the hold is the company's: its contacts show it (the policy is company-dependent and
        # read from the commercial partner; setting either on a contact is refused)
        return super()._commercial_fields() + ["kakeuri_credit_hold", "kakeuri_credit_hold_reason"]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._kakeuri_check_credit_write_access(vals, creating=True)
            self._kakeuri_check_contact_credit_vals(vals, creating=True)
        partners = super().create(vals_list)
        for partner, vals in zip(partners, vals_list, strict=True):
            if vals.get("kakeuri_credit_policy_id"):
                partner._kakeuri_apply_policy_defaults()
                if not vals.get("kakeuri_credit_review_date"):
                    partner._kakeuri_schedule_credit_review()
        return partners

    def write(self, vals):
        self._kakeuri_check_credit_write_access(vals)
        self._kakeuri_check_contact_credit_vals(vals)
        res = super().write(vals)
        if vals.get("kakeuri_credit_policy_id"):
            self._kakeuri_apply_policy_defaults()
        if {
            "credit_limit",
            "kakeuri_credit_policy_id",
        } & vals.keys() and "kakeuri_credit_review_date" not in vals:
            self._kakeuri_schedule_credit_review()
        return res

    def _kakeuri_schedule_credit_review(self):
        """Next review of the limit, in the current company: today + the policy's review
        interval (none without a policy or interval). Contacts share their company's."""
        today = fields.Date.context_today(self)
        for partner in self.sudo():
            if partner.commercial_partner_id != partner:
                continue
            months = partner.kakeuri_credit_policy_id.review_interval_months
            review = today + relativedelta(months=months) if months else False
            if partner.kakeuri_credit_review_date != review:
                partner.write({"kakeuri_credit_review_date": review})

    def _kakeuri_check_credit_write_access(self, vals, creating=False):
        """Only credit managers set limits, holds and policies. Odoo copying the company's
        limit to its contacts (commercial fields sync) is not a change of limit: a value equal
        to the commercial partner's is let through."""
        if self.env.su or self.env.user.has_group("kakeuri_ar.group_credit_manager"):
            return
        touched = [f for f in CREDIT_MANAGER_FIELDS if f in vals]
        if creating:
            parent = self.browse(vals.get("parent_id")).sudo()
            touched = [
                f
                for f in touched
                if vals[f]
                and not (parent and f == "credit_limit" and parent.commercial_partner_id[f] == vals[f])
            ]
        else:
            touched = [
                f
                for f in touched
                if not (
                    f == "credit_limit"
                    and all(
                        p.commercial_partner_id != p and p.commercial_partner_id[f] == vals[f]
                        for p in self.sudo()
                    )
                )
            ]
        if touched:
            labels = ", ".join(self._fields[f].get_description(self.env)["string"] for f in touched)
            raise AccessError(
                _(
                    "Only a credit manager can change %(fields)s on %(partners)s.",
                    fields=labels,
                    partners=", ".join(self.mapped("display_name")) or _("a new contact"),
                )
            )

    def _kakeuri_check_contact_credit_vals(self, vals, creating=False):
        """A credit hold or policy is the commercial partner's (the company): written on one of
        its contacts (an import, an RPC call) it would be silently ignored, so it is refused.
        Values equal to the company's (Odoo's commercial-field sync) pass; so do the empty
        defaults of a new contact."""
        touched = [f for f in COMMERCIAL_CREDIT_FIELDS if f in vals]
        if not touched:
            return
        partners = [self.browse()] if creating else self.sudo()
        for partner in partners:
            parent = self.browse(vals["parent_id"]) if "parent_id" in vals else partner.parent_id
            is_company = vals.get("is_company", partner.is_company)
            if is_company or not parent:
                continue
            commercial = parent.sudo().commercial_partner_id
            wrong = []
            for fname in touched:
                value = vals[fname]
                if creating and not value:
                    continue
                current = commercial[fname]
                current = current.id if fname == "kakeuri_credit_policy_id" else current
                if (value or False) != (current or False):
                    wrong.append(self._fields[fname].get_description(self.env)["string"])
            if wrong:
                raise ValidationError(
                    _(
                        "%(contact)s is a contact of %(company)s, whose credit policy and credit "
                        "hold it shares: set %(fields)s on %(company)s, not on the contact.",
                        contact=vals.get("name") or partner.display_name,
                        company=commercial.display_name,
                        fields=", ".join(wrong),
                    )
                )

    def _kakeuri_apply_policy_defaults(self):
        """A policy gives a customer without a limit (or payment terms) in its company the
        policy's defaults."""
        for partner in self.sudo():
            policy = partner.kakeuri_credit_policy_id
            if not policy:
                continue
            partner = partner.with_company(policy.company_id)
            vals = partner._prepare_kakeuri_policy_defaults_vals(policy)
            if vals:
                partner.write(vals)

    def _prepare_kakeuri_policy_defaults_vals(self, policy):
        self.ensure_one()
        vals = {}
        if policy.default_credit_limit and not self._kakeuri_has_own_credit_limit():
            vals["credit_limit"] = policy.default_credit_limit
        if policy.payment_term_id and not self.property_payment_term_id:
            vals["property_payment_term_id"] = policy.payment_term_id.id
        return vals

    def _kakeuri_has_own_credit_limit(self):
        """Whether the partner has a limit of its own in the current company. ``credit_limit``
        is company-dependent: without a stored value it reads the company's default limit
        (Settings → Invoicing → Default Credit Limit, an ``ir.default``), and Odoo stores no
        value equal to that default; so "own limit" is "differs from the company default"."""
        self.ensure_one()
        fallback = self._fields["credit_limit"].get_company_dependent_fallback(self) or 0.0
        return float_compare(self.credit_limit, fallback, precision_digits=6) != 0

    # ------------------------------------------------------------------ actions
    def action_kakeuri_open_items(self):
        """Open receivable items of the customer and all its contacts, in the current company."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        return {
            "type": "ir.actions.act_window",
            "name": _("Open Items of %(partner)s", partner=commercial.display_name),
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_move_line_tree").id, "list"), (False, "form")],
            "domain": [
                ("partner_id", "child_of", commercial.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("company_id", "=", self.env.company.id),
            ],
            "context": {"search_default_group_by_move": 0, "create": False},
        }

    def action_kakeuri_credit_hold(self):
        self.commercial_partner_id.write({"kakeuri_credit_hold": True})
        return True

    def action_kakeuri_credit_reviewed(self):
        """The credit manager reviewed the limit and keeps it: the next review is scheduled."""
        if not self.env.user.has_group("kakeuri_ar.group_credit_manager"):
            raise AccessError(
                _(
                    "Only a credit manager can mark the credit of %(partners)s as reviewed.",
                    partners=", ".join(self.mapped("display_name")),
                )
            )
        self.commercial_partner_id._kakeuri_schedule_credit_review()
        return True

    def action_kakeuri_credit_release(self):
        self.commercial_partner_id.write({"kakeuri_credit_hold": False, "kakeuri_credit_hold_reason": False})
        return True

    # ------------------------------------------------------------------ helpers
    @api.model
    def _kakeuri_empty_figures(self):
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
    def _kakeuri_credit_figures(
        self, company, commercial_ids, date=None, exclude_order_ids=(), exclude_move_ids=()
    ):
        """Credit figures of commercial partners ``commercial_ids`` in ``company``, in its
        currency, with ONE SQL query whatever the number of lines, orders or partners:

        - receivable: residual of posted, unreconciled items on receivable accounts of the
          partner and all its contacts;
        - to_invoice: confirmed orders (invoice address under the partner) not yet invoiced,
          tax included, each line counted for ``max(ordered, delivered) - invoiced`` where
          invoiced includes draft invoices (those are counted below, never twice), converted
          from the order currency at the rate of ``date``;
        - draft: draft customer invoices and receipts minus draft credit notes (company
          currency);
        - overdue / max_days_overdue: items with a positive residual past their due date.

        Orders in ``exclude_order_ids`` and moves in ``exclude_move_ids`` are left out (the
        document being checked adds its own amount). Runs as SQL, so it needs no access rights.
        Returns ``{commercial_partner_id: figures}``."""
        date = date or fields.Date.context_today(self)
        today = fields.Date.context_today(self)
        for model in ("res.partner", "account.move", "account.move.line", "sale.order", "sale.order.line"):
            self.env[model].flush_model()
        self.env["res.currency.rate"].flush_model()
        query = SQL(
            """
            WITH cp AS (
                SELECT p.id, p.commercial_partner_id AS cp_id
                  FROM res_partner p
                 WHERE p.commercial_partner_id = ANY(%(cp_ids)s)
            ),
            recv AS (
                SELECT cp.cp_id,
                       SUM(l.amount_residual) AS receivable,
                       SUM(l.amount_residual) FILTER (
                           WHERE l.amount_residual > 0 AND COALESCE(l.date_maturity, l.date) < %(today)s
                       ) AS overdue,
                       MIN(COALESCE(l.date_maturity, l.date)) FILTER (
                           WHERE l.amount_residual > 0 AND COALESCE(l.date_maturity, l.date) < %(today)s
                       ) AS oldest_due,
                       COUNT(*) AS open_items
                  FROM account_move_line l
                  JOIN cp ON cp.id = l.partner_id
                  JOIN account_account a ON a.id = l.account_id
                 WHERE a.account_type = 'asset_receivable'
                   AND l.parent_state = 'posted'
                   AND (l.reconciled IS NULL OR l.reconciled = false OR l.reconciled IS NOT true)
                   AND l.company_id = %(company_id)s
                 GROUP BY cp.cp_id
            ),
            so AS (
                SELECT cp.cp_id, o.currency_id,
                       SUM(CASE
                             WHEN sol.is_downpayment THEN -sol.qty_invoiced * sol.price_unit
                             WHEN sol.product_uom_qty > 0 THEN
                                  sol.price_total / sol.product_uom_qty
                                  * GREATEST(GREATEST(sol.product_uom_qty, COALESCE(sol.qty_delivered, 0))
                                             - COALESCE(sol.qty_invoiced, 0), 0)
                             ELSE 0 END) AS amount
                  FROM sale_order o
                  JOIN cp ON cp.id = o.partner_invoice_id
                  JOIN sale_order_line sol ON sol.order_id = o.id AND sol.display_type IS NULL
                 WHERE o.state = 'sale'
                   AND o.company_id = %(company_id)s
                   AND o.id != ALL(%(exclude_orders)s)
                 GROUP BY cp.cp_id, o.currency_id
            ),
            rate AS (
                -- the rate of a currency on %(date)s as Odoo's res.currency._get_rates() reads it
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
            ),
            so_company AS (
                SELECT so.cp_id,
                       SUM(CASE WHEN so.currency_id = %(company_currency)s THEN so.amount
                                ELSE so.amount * company_rate.rate / so_rate.rate END) AS amount
                  FROM so
                  JOIN rate so_rate ON so_rate.currency_id = so.currency_id
                  JOIN rate company_rate ON company_rate.currency_id = %(company_currency)s
                 GROUP BY so.cp_id
            ),
            drafts AS (
                SELECT cp.cp_id, SUM(m.amount_total_signed) AS amount
                  FROM account_move m
                  JOIN cp ON cp.id = m.partner_id
                 WHERE m.state = 'draft'
                   AND m.move_type IN ('out_invoice', 'out_receipt', 'out_refund')
                   AND m.company_id = %(company_id)s
                   AND m.id != ALL(%(exclude_moves)s)
                 GROUP BY cp.cp_id
            )
            SELECT c.id, COALESCE(recv.receivable, 0), COALESCE(recv.overdue, 0), recv.oldest_due,
                   COALESCE(recv.open_items, 0), COALESCE(so_company.amount, 0), COALESCE(drafts.amount, 0)
              FROM unnest(%(cp_ids)s::int[]) AS c(id)
              LEFT JOIN recv ON recv.cp_id = c.id
              LEFT JOIN so_company ON so_company.cp_id = c.id
              LEFT JOIN drafts ON drafts.cp_id = c.id
            """,
            cp_ids=list(commercial_ids),
            today=today,
            date=date,
            company_id=company.id,
            root_company=company.root_id.id,
            company_currency=company.currency_id.id,
            exclude_orders=list(exclude_order_ids) or [0],
            exclude_moves=list(exclude_move_ids) or [0],
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

    def _kakeuri_check_credit(
        self, amount, company, currency, document, date=None, increase=None, extra_exposure=0.0, change=None
    ):
        """Check that ``document`` (a sale order or an invoice of ``company``) may add ``amount``
        (in ``currency``, converted at ``date``) to the exposure of this customer.

        The exposure is taken without ``document`` itself; ``increase`` (default ``amount``) is
        how much the document adds to what is already counted: a document that adds nothing is
        never refused. ``extra_exposure`` (company currency) is added to the exposure, e.g. the
        orders confirmed earlier in the same batch. Raises ``UserError`` when the customer is on
        hold, over the limit or overdue under a 'block' policy (unless a credit manager
        overrides through the wizard);
        returns the status dict otherwise (``status['problems']`` is non-empty in 'warn' mode).
        ``change`` (``{'lines': sale order lines, 'increase': amount in the order currency}``)
        says the document is a confirmed order being changed: the refusal is worded for it.
        """
        status = self._kakeuri_credit_status(
            amount, company, currency, document, date=date, increase=increase, extra_exposure=extra_exposure
        )
        if status["problems"] and status["blocking"] and not self._kakeuri_credit_override_allowed():
            raise UserError(self._kakeuri_credit_message(status, document, change=change))
        return status

    def _kakeuri_credit_status(
        self,
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
        """Compute (without raising) what :meth:`_kakeuri_check_credit` decides.

        ``hold_only``: check only the credit hold (not the limit nor overdue items). A customer
        invoice or receipt that adds nothing new (e.g. made from a confirmed order) is checked
        that way: a hold refuses every customer invoice and receipt."""
        self.ensure_one()
        partner = self.commercial_partner_id.sudo().with_company(company)
        policy = partner.kakeuri_credit_policy_id
        date = date or fields.Date.context_today(self)
        currency = currency or company.currency_id
        amount_company = currency._convert(amount, company.currency_id, company, date)
        increase = (
            amount_company
            if increase is None
            else currency._convert(increase, company.currency_id, company, date)
        )
        status = {
            "partner": partner,
            "policy": policy,
            "company": company,
            "limit": partner.credit_limit,
            "amount": amount_company,
            "exposure": 0.0,
            "figures": self._kakeuri_empty_figures(),
            "problems": [],
            "blocking": False,
        }
        hold = partner.kakeuri_credit_hold
        if company.currency_id.compare_amounts(increase, 0) <= 0:
            if not (hold and self._kakeuri_is_customer_invoice(document)):
                return status
            hold_only = True
        if not hold and (hold_only or not policy):
            return status
        if lock:
            self._kakeuri_lock_partner(partner)
        exclude_orders = document.ids if document and document._name == "sale.order" else ()
        exclude_moves = document.ids if document and document._name == "account.move" else ()
        figures = self._kakeuri_credit_figures(
            company, partner.ids, date=date, exclude_order_ids=exclude_orders, exclude_move_ids=exclude_moves
        ).get(partner.id, self._kakeuri_empty_figures())
        status["figures"] = figures
        status["exposure"] = figures["exposure"] + extra_exposure
        fmt = self._kakeuri_format_amount
        if partner.kakeuri_credit_hold:
            status["blocking"] = True
            status["problems"].append(
                _("%(partner)s is on credit hold.", partner=partner.display_name)
                + (f" ({partner.kakeuri_credit_hold_reason})" if partner.kakeuri_credit_hold_reason else "")
            )
        if policy and not hold_only:
            after = status["exposure"] + amount_company
            if company.currency_id.compare_amounts(after, status["limit"]) > 0:
                status["problems"].append(
                    _(
                        "Credit limit exceeded: exposure %(exposure)s + this document %(amount)s = "
                        "%(after)s, over the limit of %(limit)s by %(excess)s.",
                        exposure=fmt(status["exposure"], company),
                        amount=fmt(amount_company, company),
                        after=fmt(after, company),
                        limit=fmt(status["limit"], company),
                        excess=fmt(after - status["limit"], company),
                    )
                )
            if policy.block_on_overdue and figures["max_days_overdue"] > policy.overdue_grace_days:
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
        return status

    @api.model
    def _kakeuri_is_customer_invoice(self, document):
        """A customer invoice or receipt (not a credit note): refused whenever a hold is set."""
        return bool(
            document
            and document._name == "account.move"
            and document.move_type in self.env["account.move"]._kakeuri_customer_move_types()
        )

    @api.model
    def _kakeuri_format_amount(self, amount, company):
        return format_amount(self.env, amount, company.currency_id)

    @api.model
    def _kakeuri_lock_partner(self, partner):
        """Serialize credit checks of one customer: the second of two concurrent confirmations
        waits for the first, then fails with a serialization error and is retried by Odoo, so
        it sees the first order. A no-op UPDATE (not just FOR UPDATE) is what makes
        PostgreSQL's repeatable-read snapshot detect the conflict."""
        self.env.cr.execute(
            SQL("UPDATE res_partner SET id = id WHERE id = %s", partner.id),
            log_exceptions=False,  # a serialization failure is expected and retried, not a bug
        )

    def _kakeuri_credit_override_allowed(self):
        """The override wizard sets the context flag after checking the group; check again."""
        return bool(self.env.context.get("kakeuri_credit_override")) and self.env.user.has_group(
            "kakeuri_ar.group_credit_manager"
        )

    @api.model
    def _kakeuri_credit_message(self, status, document, change=None):
        company = status["company"]
        fmt = self._kakeuri_format_amount
        what_to_do = _(
            "What to do: collect the overdue payments, ask for a prepayment, or ask a credit "
            "manager to raise the limit, release the hold or override this block."
        )
        if change is not None:
            # A confirmed order being changed: the override is for quotations, not suggested.
            title = _(
                "The change to confirmed order %(order)s cannot be saved: it raises what is still "
                "to be invoiced by %(increase)s (%(lines)s), and the credit of %(partner)s in "
                "%(company)s does not allow it.",
                order=document.display_name,
                increase=format_amount(self.env, change["increase"], document.currency_id),
                lines="; ".join(self._kakeuri_describe_order_line(line) for line in change["lines"])
                or _("new lines"),
                partner=status["partner"].display_name,
                company=company.display_name,
            )
            what_to_do = _(
                "What to do: keep the order as it was confirmed, collect the overdue payments, ask "
                "for a prepayment, or ask a credit manager to raise the limit or release the hold."
            )
        elif document and document._name == "account.move":
            title = _(
                "%(document)s cannot be posted: the credit of %(partner)s in %(company)s does not allow it.",
                document=document.display_name,
                partner=status["partner"].display_name,
                company=company.display_name,
            )
        else:
            title = _(
                "%(document)s cannot be confirmed: the credit of %(partner)s in %(company)s does not "
                "allow it.",
                document=document.display_name if document else _("This document"),
                partner=status["partner"].display_name,
                company=company.display_name,
            )
        lines = [
            title,
            "",
            *status["problems"],
            "",
            _(
                "Exposure: %(exposure)s (open receivables %(receivable)s, orders to invoice "
                "%(to_invoice)s, draft invoices %(draft)s). This document: %(amount)s. Credit "
                "limit: %(limit)s.",
                exposure=fmt(status["exposure"], company),
                receivable=fmt(status["figures"]["receivable"], company),
                to_invoice=fmt(status["figures"]["to_invoice"], company),
                draft=fmt(status["figures"]["draft"], company),
                amount=fmt(status["amount"], company),
                limit=fmt(status["limit"], company),
            ),
            what_to_do,
        ]
        return "\n".join(lines)

    @api.model
    def _kakeuri_describe_order_line(self, line):
        return _(
            "%(product)s: %(qty)s %(uom)s at %(price)s",
            product=(line.name or line.product_id.display_name or "").splitlines()[0],
            qty=formatLang(
                self.env,
                line.product_uom_qty,
                digits=self.env["decimal.precision"].precision_get("Product Unit of Measure"),
            ),
            uom=line.product_uom.name or "",
            price=format_amount(self.env, line.price_unit, line.currency_id),
        )
