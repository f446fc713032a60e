# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from .kakeuri_credit_policy_score import GRADES


class KakeuriCreditScore(models.Model):
    """A customer's payment behaviour in one company on one date (支払実績スコア), measured from
    the ledger over the policy's window as it stood at the end of that date. One record per
    customer, company and date: the history shows the trend."""

    _name = "kakeuri.credit.score"
    _description = "Payment Behaviour Score"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Score Date", required=True, index=True)
    date_from = fields.Date(string="Window Start", required=True)
    avg_days_to_pay = fields.Float(
        string="Avg. Days to Pay",
        digits=(16, 1),
        aggregator="avg",
        help="From the invoice date to the payment, weighted by the amount each payment settled.",
    )
    avg_days_late = fields.Float(
        string="Avg. Days Late",
        digits=(16, 1),
        aggregator="avg",
        help="Days after the due date, weighted by amount: payments made late, and amounts still "
        "overdue on the score date (late so far).",
    )
    on_time_rate = fields.Float(
        string="On Time (%)",
        digits=(16, 1),
        aggregator="avg",
        help="Share of the amounts paid in the window, and of those overdue on the score date, "
        "that were paid by their due date.",
    )
    promise_count = fields.Integer(
        string="Promises Judged",
        aggregator="sum",
        help="Promises to pay kept or broken in the window.",
    )
    promise_kept_rate = fields.Float(
        string="Promises Kept (%)",
        digits=(16, 1),
        aggregator="avg",
        help="Kept promises over the promises judged in the window; empty without promises.",
    )
    dso = fields.Float(
        string="DSO (Days)",
        digits=(16, 1),
        aggregator="avg",
        help="Days sales outstanding: the receivable on the score date over the credit sales of "
        "the window, times the window's days.",
    )
    paid_amount = fields.Monetary(string="Paid in Window", currency_field="currency_id")
    overdue_amount = fields.Monetary(string="Overdue on Score Date", currency_field="currency_id")
    sales_amount = fields.Monetary(string="Credit Sales in Window", currency_field="currency_id")
    balance = fields.Monetary(string="Receivable on Score Date", currency_field="currency_id")
    grade = fields.Selection(
        selection=GRADES,
        index=True,
        help="From the policy's thresholds on days late, on-time rate and promises kept. Empty: "
        "nothing was paid in the window and nothing is overdue on the score date.",
    )

    _sql_constraints = [
        (
            "partner_company_date_uniq",
            "unique(partner_id, company_id, date)",
            "A customer has one score per company and date.",
        ),
    ]
