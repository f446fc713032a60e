# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class KakeuriPaymentPromise(models.Model):
    """A promise to pay (支払約束): the customer says it will pay an amount by a date.

    While it is open, dunning leaves the promised amount out until the promise's deadline (its
    date plus the grace of the customer's credit policy) and reminds the rest; what it sets aside
    is read by ``kakeuri.receivable.ledger._holds_query``."""

    _name = "kakeuri.payment.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        help="The customer (commercial partner) who promised to pay.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(string="Promised Amount", currency_field="currency_id", required=True, tracking=True)
    date = fields.Date(string="Promised Date", required=True, tracking=True)
    date_start = fields.Date(
        string="Recorded On",
        required=True,
        default=fields.Date.context_today,
        help="Payments dated from this day up to the deadline count towards the promise.",
    )
    date_deadline = fields.Date(
        string="Deadline",
        compute="_compute_date_deadline",
        store=True,
        help="The promised date plus the grace days of the customer's credit policy: dunning "
        "leaves the promised amount out until this day; after it an unpaid promise is broken.",
    )
    move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="kakeuri_payment_promise_move_rel",
        column1="promise_id",
        column2="move_id",
        string="Invoices",
        help="The invoices the promise covers; none means the customer's overdue invoices.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Taken By",
        default=lambda self: self.env.user,
        tracking=True,
    )
    dunning_line_id = fields.Many2one(
        comodel_name="kakeuri.dunning.line",
        string="From Reminder",
        ondelete="set null",
        index="btree_not_null",
    )
    note = fields.Text()
    state = fields.Selection(
        selection=[("open", "Open"), ("kept", "Kept"), ("broken", "Broken"), ("cancel", "Cancelled")],
        required=True,
        default="open",
        index=True,
        tracking=True,
    )

    @api.depends("date", "partner_id", "company_id")
    def _compute_date_deadline(self):
        for promise in self:
            if not promise.date:
                promise.date_deadline = False
                continue
            policy = promise.partner_id.with_company(promise.company_id).sudo().kakeuri_credit_policy_id
            promise.date_deadline = fields.Date.add(promise.date, days=policy.promise_grace_days or 0)
