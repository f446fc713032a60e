# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class KakeuriDirectDebitRun(models.Model):
    """A direct debit run (口座振替): the debit customers' open items due by the collection
    date, one line per customer, sent to the bank as a Zengin 種別 91 file; the bank's
    result file turns the paid lines into payments and sends the failed ones back to
    dunning."""

    _name = "kakeuri.direct.debit.run"
    _description = "Direct Debit Run"
    _inherit = ["mail.thread", "mail.activity.mixin", "kakeuri.sequence.mixin"]
    _order = "collection_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: _("New"),
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Bank Journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'bank')]",
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="The bank account the debits are collected into; its account is the file's "
        "取引銀行 and the payments are booked in this journal.",
    )
    collection_date = fields.Date(
        string="Collection Date",
        required=True,
        tracking=True,
        help="振替日: the day the bank debits the customers' accounts.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Receives the follow-up activities of failed debits when the customer has no salesperson.",
    )
    line_ids = fields.One2many(
        comodel_name="kakeuri.direct.debit.line",
        inverse_name="run_id",
        string="Debits",
    )
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("exported", "Exported"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    attachment_id = fields.Many2one(
        comodel_name="ir.attachment", string="Debit File", readonly=True, copy=False
    )
    line_count = fields.Integer(string="Debit Count", compute="_compute_totals")
    amount_total = fields.Monetary(string="Total", compute="_compute_totals")
    amount_paid = fields.Monetary(string="Collected", compute="_compute_totals")
    failed_count = fields.Integer(string="Failed", compute="_compute_totals")

    # ------------------------------------------------------------------ computes
    @api.depends("company_id")
    def _compute_journal_id(self):
        """The company's debit journal, else its first bank journal."""
        Journal = self.env["account.journal"]
        for run in self:
            company = run.company_id
            if run.journal_id.company_id == company:
                continue
            run.journal_id = company.kakeuri_debit_journal_id or Journal.search(
                [*Journal._check_company_domain(company), ("type", "=", "bank")], limit=1
            )

    @api.depends("line_ids.amount", "line_ids.state")
    def _compute_totals(self):
        for run in self:
            run.line_count = len(run.line_ids)
            run.amount_total = sum(run.line_ids.mapped("amount"))
            run.amount_paid = sum(run.line_ids.filtered(lambda ln: ln.state == "paid").mapped("amount"))
            run.failed_count = len(run.line_ids.filtered(lambda ln: ln.state == "failed"))

    @api.depends("name", "collection_date")
    def _compute_display_name(self):
        for run in self:
            if run.collection_date:
                run.display_name = "%s (%s)" % (run.name, format_date(self.env, run.collection_date))
            else:
                run.display_name = run.name

    # --------------------------------------------------------------- constraints
    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_or_cancelled(self):
        for run in self:
            if run.state not in ("draft", "cancel"):
                raise UserError(
                    _(
                        "Direct debit run %(run)s was sent to the bank; cancel it before deleting it.",
                        run=run.display_name,
                    )
                )

    def write(self, vals):
        if {"journal_id", "collection_date", "company_id"} & set(vals):
            self._check_draft(_("change its bank journal or collection date"))
        return super().write(vals)

    # ------------------------------------------------------------------ actions
    def action_collect(self):
        """Propose the run's lines again: one per debit customer with open items due by the
        collection date (or confirmed billing statements due by then)."""
        self._check_draft(_("collect"))
        Collection = self.env["kakeuri.direct.debit.collection"]
        for run in self:
            run.line_ids.unlink()
            partners, closing, statements = run._debit_customers()
            items = Collection.get_items(run, partners.ids, statements.move_ids.ids)
            vals_list = run._prepare_line_vals_list(items, statements)
            self.env["kakeuri.direct.debit.line"].create(vals_list)
            run.message_post(
                body=_(
                    "Collected %(count)s debits for %(date)s.",
                    count=len(vals_list),
                    date=format_date(self.env, run.collection_date),
                )
            )
        return True

    def action_export(self):
        """Write the Zengin 預金口座振替 request file (種別 91) as the run's attachment."""
        self._check_draft(_("export"))
        for run in self:
            self.env["kakeuri.direct.debit.export"]._export_run(run)
        return True

    def action_import_result(self, data):
        """Read the bank's result file ``data`` (bytes): paid debits become payments
        reconciled with their items, failed ones keep their reason and go back to dunning.
        A result already recorded on a line is never applied twice."""
        self.ensure_one()
        return self.env["kakeuri.direct.debit.result"]._import_result(self, data)

    def action_open_result_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Import Debit Result"),
            "res_model": "kakeuri.direct.debit.result.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_run_id": self.id},
        }

    def action_cancel(self):
        for run in self:
            if run.line_ids.filtered(lambda ln: ln.state in ("paid", "failed")):
                raise UserError(
                    _(
                        "Direct debit run %(run)s already has the bank's results; it cannot be cancelled.",
                        run=run.display_name,
                    )
                )
        self.line_ids.write({"state": "draft"})
        self.write({"state": "cancel"})
        return True

    def action_draft(self):
        for run in self.filtered(lambda r: r.state == "cancel"):
            run.state = "draft"
        return True

    # ------------------------------------------------------------------ helpers
    def _check_draft(self, what):
        for run in self:
            if run.state != "draft":
                raise UserError(
                    _(
                        "Direct debit run %(run)s is %(state)s: you can only %(what)s a draft run.",
                        run=run.display_name,
                        state=dict(run._fields["state"]._description_selection(self.env))[run.state],
                        what=what,
                    )
                )

    def _debit_customers(self):
        """(customers collected by due date, customers with a closing day, their confirmed
        billing statements due by the collection date)."""
        self.ensure_one()
        Partner = self.env["res.partner"].with_company(self.company_id)
        customers = Partner.search(
            [
                ("kakeuri_direct_debit", "=", True),
                ("parent_id", "=", False),
                ("company_id", "in", (False, self.company_id.id)),
            ]
        )
        closing = customers.filtered(lambda p: p.kakeuri_closing_day)
        statements = self.env["kakeuri.billing.statement"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("partner_id", "in", closing.ids),
                ("state", "in", ("confirmed", "sent")),
                ("date_due", "<=", self.collection_date),
            ]
        )
        return customers - closing, closing, statements

    def _prepare_line_vals_list(self, items, statements):
        self.ensure_one()
        currency = self.currency_id
        vals_list = []
        partners = self.env["res.partner"].browse(list(items))
        for partner in partners.sorted(lambda p: (p.name or "", p.id)):
            rows = items[partner.id]
            amount = currency.round(sum(residual for _item, _move, residual in rows))
            if currency.compare_amounts(amount, 0) <= 0:
                continue  # credits cover what is due: nothing to debit
            move_ids = {move for _item, move, _residual in rows}
            vals_list.append(
                {
                    "run_id": self.id,
                    "partner_id": partner.id,
                    "partner_bank_id": partner.kakeuri_debit_bank_id.id,
                    "amount": amount,
                    "item_ids": [Command.set([item for item, _move, _residual in rows])],
                    "move_ids": [Command.set(sorted(move_ids))],
                    "statement_ids": [
                        Command.set(statements.filtered(lambda s, p=partner: s.partner_id == p).ids)
                    ],
                }
            )
        return vals_list
