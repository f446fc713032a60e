# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class KakeuriArSnapshot(models.Model):
    """The receivables of one company at the end of one date (a month end, or today), read by
    the exact as-of aging engine: what the dashboard's KPIs and trends show."""

    _name = "kakeuri.ar.snapshot"
    _description = "Receivables Snapshot"
    _order = "company_id, date desc"
    _rec_name = "date"

    company_id = fields.Many2one(comodel_name="res.company", required=True, index=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, index=True)
    kind = fields.Selection(
        selection=[("month", "Month End"), ("today", "Today")],
        required=True,
        default="month",
    )
    receivable = fields.Monetary(string="Receivable", currency_field="currency_id")
    overdue = fields.Monetary(string="Overdue", currency_field="currency_id")
    bucket_not_due = fields.Monetary(string="Not Due", currency_field="currency_id")
    bucket_1_30 = fields.Monetary(string="1-30", currency_field="currency_id")
    bucket_31_60 = fields.Monetary(string="31-60", currency_field="currency_id")
    bucket_61_90 = fields.Monetary(string="61-90", currency_field="currency_id")
    bucket_91_120 = fields.Monetary(string="91-120", currency_field="currency_id")
    bucket_over_120 = fields.Monetary(string="Over 120", currency_field="currency_id")
    sales = fields.Monetary(string="Credit Sales", currency_field="currency_id")
    collected = fields.Monetary(string="Collected", currency_field="currency_id")
    dso = fields.Float(string="DSO (Days)", digits=(16, 1), aggregator="avg")
    cei = fields.Float(string="CEI (%)", digits=(16, 1), aggregator="avg")
    avg_days_delinquent = fields.Float(string="Avg. Days Delinquent", digits=(16, 1), aggregator="avg")
    customer_count = fields.Integer(string="Customers with a Balance", aggregator="max")

    _sql_constraints = [
        ("company_date_uniq", "unique(company_id, date)", "A company has one snapshot per date."),
    ]
