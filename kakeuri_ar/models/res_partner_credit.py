# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    """A customer's credit as it stands: exposure, overdue, status; the credit check."""

    _inherit = "res.partner"

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
    @api.depends_context("company")
    @api.depends("commercial_partner_id", "kakeuri_credit_hold", "credit_limit", "kakeuri_credit_policy_id")
    def _compute_kakeuri_credit(self):
        exposure = self.env["kakeuri.credit.exposure"]
        company = self.env.company
        commercial = self.filtered("id").commercial_partner_id
        figures = exposure._figures(company, commercial.ids) if commercial else {}
        for partner in self:
            cp = partner.commercial_partner_id.sudo().with_company(company)
            fig = figures.get(cp.id) or exposure._empty_figures()
            partner.kakeuri_credit_currency_id = company.currency_id
            partner.kakeuri_credit_exposure = fig["exposure"]
            partner.kakeuri_credit_receivable = fig["receivable"]
            partner.kakeuri_credit_to_invoice = fig["to_invoice"]
            partner.kakeuri_credit_draft_invoiced = fig["draft"]
            partner.kakeuri_credit_available = cp.credit_limit - fig["exposure"]
            partner.kakeuri_overdue_amount = fig["overdue"]
            partner.kakeuri_max_days_overdue = fig["max_days_overdue"]
            partner.kakeuri_open_item_count = fig["open_items"]
            partner.kakeuri_credit_status = exposure._status_code(cp, fig)

    def _search_kakeuri_credit_status(self, operator, value):
        """Search partners by credit status in the current company: one SQL query for all
        managed customers, then the same status logic as the form."""
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Operation not supported on the credit status: %(op)s", op=operator))
        values = {value} if isinstance(value, str) else set(value or ())
        exposure = self.env["kakeuri.credit.exposure"]
        company = self.env.company
        partners = self.sudo().with_company(company)
        managed = partners.search(
            ["|", ("kakeuri_credit_hold", "=", True), ("kakeuri_credit_policy_id", "!=", False)]
        ).commercial_partner_id
        figures = exposure._figures(company, managed.ids) if managed else {}
        empty = exposure._empty_figures()
        matching = [p.id for p in managed if exposure._status_code(p, figures.get(p.id) or empty) in values]
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

    # ------------------------------------------------------------------ credit check
    @api.model
    def _kakeuri_credit_figures(
        self, company, commercial_ids, date=None, exclude_order_ids=(), exclude_move_ids=()
    ):
        """``{commercial_partner_id: figures}``: see ``kakeuri.credit.exposure._figures``."""
        return self.env["kakeuri.credit.exposure"]._figures(
            company,
            commercial_ids,
            date=date,
            exclude_order_ids=exclude_order_ids,
            exclude_move_ids=exclude_move_ids,
        )

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
        that way: a hold refuses every customer invoice and receipt. Without a partner (a draft
        without customer) or a company there is nothing to check: no problem is returned."""
        return self.env["kakeuri.credit.exposure"]._status(
            self,
            amount,
            company,
            currency,
            document,
            date=date,
            increase=increase,
            extra_exposure=extra_exposure,
            lock=lock,
            hold_only=hold_only,
        )

    def _kakeuri_credit_override_allowed(self):
        """The override wizard sets the context flag after checking the group; check again."""
        return bool(self.env.context.get("kakeuri_credit_override")) and self.env.user.has_group(
            "kakeuri_ar.group_credit_manager"
        )
