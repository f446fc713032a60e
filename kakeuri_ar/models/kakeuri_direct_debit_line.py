# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

# What a line debits: fixed once the file is sent to the bank
FROZEN_FIELDS = ("run_id", "partner_id", "partner_bank_id", "amount", "item_ids", "move_ids")


class KakeuriDirectDebitLine(models.Model):
    """One customer's debit in a direct debit run: the account debited, the amount and the
    receivable items it pays; after the bank's result, the payment or the reason it failed."""

    _name = "kakeuri.direct.debit.line"
    _description = "Direct Debit Line"
    _order = "run_id, sequence, id"
    _check_company_auto = True

    run_id = fields.Many2one(
        comodel_name="kakeuri.direct.debit.run",
        string="Run",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="run_id.currency_id", string="Currency")
    collection_date = fields.Date(related="run_id.collection_date")
    sequence = fields.Integer(
        string="Record",
        readonly=True,
        copy=False,
        help="Position of the debit among the data records of the exported file.",
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
    )
    partner_bank_id = fields.Many2one(
        comodel_name="res.partner.bank",
        string="Debit Account",
        domain="[('partner_id', '=', partner_id)]",
    )
    customer_code = fields.Char(
        string="Customer Number",
        readonly=True,
        copy=False,
        help="顧客番号 written in the exported file.",
    )
    amount = fields.Monetary(string="Amount", required=True)
    item_ids = fields.Many2many(
        comodel_name="account.move.line",
        relation="kakeuri_direct_debit_line_item_rel",
        column1="debit_line_id",
        column2="item_id",
        string="Receivable Items",
        readonly=True,
    )
    move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="kakeuri_direct_debit_line_move_rel",
        column1="debit_line_id",
        column2="move_id",
        string="Invoices",
        readonly=True,
    )
    statement_ids = fields.Many2many(
        comodel_name="kakeuri.billing.statement",
        relation="kakeuri_direct_debit_line_statement_rel",
        column1="debit_line_id",
        column2="statement_id",
        string="Billing Statements",
        readonly=True,
    )
    result_code = fields.Char(string="Result Code", size=1, readonly=True, copy=False)
    result_label = fields.Char(string="Result", readonly=True, copy=False)
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("exported", "Exported"),
            ("paid", "Paid"),
            ("failed", "Failed"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    payment_id = fields.Many2one(
        comodel_name="account.payment", string="Payment", readonly=True, copy=False, index="btree_not_null"
    )

    # --------------------------------------------------------------- constraints
    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        for line in self:
            if line.run_id.state != "draft":
                raise UserError(
                    _(
                        "The debit of %(partner)s belongs to run %(run)s, already sent to the bank.",
                        partner=line.partner_id.display_name,
                        run=line.run_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.run_id._check_draft(_("add debits to"))
        return lines

    def write(self, vals):
        if set(FROZEN_FIELDS) & set(vals):
            self.run_id._check_draft(_("change the debits of"))
        return super().write(vals)

    # ------------------------------------------------------------------ actions
    def action_open_items(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Debited Items"),
            "res_model": "account.move.line",
            "view_mode": "list",
            "domain": [("id", "in", self.item_ids.ids)],
        }
