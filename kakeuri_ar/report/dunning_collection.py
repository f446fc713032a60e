# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools import SQL


class KakeuriDunningCollection(models.Model):
    """The collections worklist: one row per customer and company with overdue receivables
    today, their highest dunning level, the next level due, the responsible and the next
    activity. A SQL view over the ledger (nothing stored twice)."""

    _name = "kakeuri.dunning.collection"
    _description = "Collections Worklist"
    _auto = False
    _order = "amount_overdue desc, partner_id"
    _rec_name = "partner_id"
    _depends = {
        "account.move": ["move_type", "state"],
        "account.move.line": [
            "account_id",
            "amount_residual",
            "company_id",
            "date_maturity",
            "move_id",
            "parent_state",
            "partner_id",
            "reconciled",
        ],
        "kakeuri.dunning.level": ["active", "company_id", "days_overdue", "skippable"],
        "kakeuri.dunning.line": ["company_id", "date", "partner_id", "state"],
        "kakeuri.dunning.move.level": ["level_id", "move_id"],
        "kakeuri.dispute": ["amount", "move_id", "state"],
        "kakeuri.payment.plan": ["move_ids", "partner_id", "state"],
        "kakeuri.payment.plan.installment": ["amount", "amount_paid", "date"],
        "kakeuri.payment.promise": ["amount", "date", "date_deadline", "move_ids", "partner_id", "state"],
        "mail.activity": ["active", "date_deadline", "res_id", "res_model", "summary", "user_id"],
        "res.partner": [
            "commercial_partner_id",
            "kakeuri_dunning_excluded",
            "user_id",
        ],
    }

    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(comodel_name="res.users", string="Salesperson", readonly=True)
    amount_overdue = fields.Monetary(
        string="Overdue Amount",
        currency_field="currency_id",
        readonly=True,
        help="What is to be collected: the overdue amount less what payment plans, disputes and "
        "promises to pay hold.",
    )
    invoice_count = fields.Integer(string="Overdue Invoices", readonly=True)
    max_days_overdue = fields.Integer(string="Days Overdue", readonly=True, aggregator="max")
    oldest_due_date = fields.Date(string="Oldest Due Date", readonly=True)
    level_id = fields.Many2one(comodel_name="kakeuri.dunning.level", string="Level Reached", readonly=True)
    next_level_id = fields.Many2one(
        comodel_name="kakeuri.dunning.level",
        string="Next Action",
        readonly=True,
        help="The level of this customer's next reminder, once it is due: the level after the one "
        "its invoices reached, one at a time (a level that may be skipped is passed over).",
    )
    last_dunning_date = fields.Date(string="Last Reminder", readonly=True)
    promise_id = fields.Many2one(
        comodel_name="kakeuri.payment.promise", string="Promise to Pay", readonly=True
    )
    promise_date = fields.Date(string="Promised Payment Date", readonly=True)
    plan_id = fields.Many2one(comodel_name="kakeuri.payment.plan", string="Payment Plan", readonly=True)
    disputed_count = fields.Integer(string="Disputed Invoices", readonly=True)
    excluded = fields.Boolean(string="Excluded from Dunning", readonly=True)
    activity_date = fields.Date(string="Next Activity", readonly=True)
    activity_summary = fields.Char(string="Activity", readonly=True)
    activity_user_id = fields.Many2one(comodel_name="res.users", string="Activity For", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            WITH per_customer AS (%s)
            SELECT ROW_NUMBER() OVER (ORDER BY pc.company_id, pc.partner_id) AS id,
                   pc.partner_id,
                   pc.company_id,
                   p.user_id,
                   COALESCE(pc.amount, 0) AS amount_overdue,
                   pc.invoice_count,
                   pc.disputed_count,
                   (CURRENT_DATE - pc.oldest_due) AS max_days_overdue,
                   pc.oldest_due AS oldest_due_date,
                   cur.id AS level_id,
                   nxt.id AS next_level_id,
                   ls.last_date AS last_dunning_date,
                   pc.promise_id,
                   pp.date AS promise_date,
                   pc.plan_id,
                   COALESCE(p.kakeuri_dunning_excluded, FALSE) AS excluded,
                   act.date_deadline AS activity_date,
                   act.summary AS activity_summary,
                   act.user_id AS activity_user_id
              FROM per_customer pc
              JOIN res_partner p ON p.id = pc.partner_id
              LEFT JOIN kakeuri_payment_promise pp ON pp.id = pc.promise_id
              LEFT JOIN LATERAL (
                    SELECT l.id FROM kakeuri_dunning_level l
                     WHERE l.company_id = pc.company_id AND l.days_overdue = pc.level_days
                     ORDER BY l.id LIMIT 1
              ) cur ON TRUE
              LEFT JOIN LATERAL (%s) nxt ON TRUE
              LEFT JOIN LATERAL (
                    SELECT MAX(dl.date) AS last_date FROM kakeuri_dunning_line dl
                     WHERE dl.partner_id = pc.partner_id AND dl.company_id = pc.company_id
                       AND dl.state = 'sent'
              ) ls ON TRUE
              LEFT JOIN LATERAL (
                    SELECT a.date_deadline, a.summary, a.user_id FROM mail_activity a
                     WHERE a.res_model = 'res.partner' AND a.res_id = pc.partner_id AND a.active
                     ORDER BY a.date_deadline, a.id LIMIT 1
              ) act ON TRUE
            """,
            self.env["kakeuri.dunning.candidates"]._worklist_query(),
            self._next_level_query(),
        )

    @api.model
    def _next_level_query(self):
        """The level of the next reminder of a worklist row ``pc``, among the company's active
        levels: ``kakeuri.dunning.compute._next_level`` in SQL (one level at a time; a
        ``skippable`` level passed over when the one after it is reached; at the top, the top
        again for invoices that have not had it)."""
        return SQL(
            """
            SELECT n.id FROM (
                SELECT l.id, l.days_overdue FROM kakeuri_dunning_level l
                 WHERE l.company_id = pc.company_id AND l.active
                   AND l.days_overdue > COALESCE(pc.level_days, -1)
                   AND l.days_overdue <= (CURRENT_DATE - pc.oldest_due)
                   AND NOT EXISTS (
                        SELECT 1 FROM kakeuri_dunning_level s
                         WHERE s.company_id = l.company_id AND s.active AND s.skippable IS NOT TRUE
                           AND s.days_overdue > COALESCE(pc.level_days, -1)
                           AND s.days_overdue < l.days_overdue)
                UNION ALL
                SELECT t.id, t.days_overdue FROM (
                    SELECT l.id, l.days_overdue FROM kakeuri_dunning_level l
                     WHERE l.company_id = pc.company_id AND l.active
                     ORDER BY l.days_overdue DESC, l.id LIMIT 1
                ) t
                 WHERE t.days_overdue <= COALESCE(pc.level_days, -1)
                   AND pc.min_level_days < t.days_overdue
            ) n
            ORDER BY n.days_overdue DESC LIMIT 1
            """
        )

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_new_run(self):
        """Open a dunning run on today's date for the company of the selected rows."""
        company = self.company_id[:1] or self.env.company
        return {
            "type": "ir.actions.act_window",
            "res_model": "kakeuri.dunning.run",
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {"default_company_id": company.id},
        }
