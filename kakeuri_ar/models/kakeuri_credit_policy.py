# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class KakeuriCreditPolicy(models.Model):
    """A credit policy (与信ポリシー): how a group of customers is given and held to credit.

    The limit itself stays on the customer (Odoo's company-dependent ``credit_limit``); the policy
    gives new customers a default limit and payment term, says whether a breach only warns or
    blocks, and whether overdue items block new business after a grace period."""

    _name = "kakeuri.credit.policy"
    _description = "Credit Policy"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, name, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    default_credit_limit = fields.Monetary(
        string="Default Credit Limit",
        currency_field="currency_id",
        tracking=True,
        help="Credit limit given to a customer when this policy is set on them and they have no "
        "limit yet in this company. Zero means no credit: every order must be covered.",
    )
    hold_mode = fields.Selection(
        selection=[("warn", "Warn"), ("block", "Block")],
        required=True,
        default="block",
        tracking=True,
        help="Warn: orders and invoices over the limit or overdue show a banner but can be "
        "confirmed. Block: they are refused unless a credit manager overrides the block.",
    )
    block_on_overdue = fields.Boolean(
        string="Block on Overdue",
        default=True,
        tracking=True,
        help="Treat a customer with receivables overdue for more than the grace period like a "
        "customer over the limit.",
    )
    overdue_grace_days = fields.Integer(
        string="Overdue Grace Days",
        default=0,
        tracking=True,
        help="Days an item may be past its due date before it counts against the customer.",
    )
    promise_grace_days = fields.Integer(
        string="Promise Grace Days",
        default=3,
        tracking=True,
        help="Days after a promised date during which dunning still leaves the promised amount "
        "out and payments still count towards the promise; after them an unpaid promise is broken.",
    )
    plan_grace_days = fields.Integer(
        string="Installment Grace Days",
        default=7,
        tracking=True,
        help="Days an installment of a payment plan may stay unpaid after its date before the "
        "plan is broken and the whole rest is due again.",
    )
    plan_credit_hold = fields.Boolean(
        string="Hold Credit During Plans",
        tracking=True,
        help="Put a customer on credit hold while it has an active payment plan; the hold is "
        "released when the plan is done.",
    )
    payment_term_id = fields.Many2one(
        comodel_name="account.payment.term",
        string="Payment Terms",
        check_company=True,
        tracking=True,
        help="Payment terms given to a customer when this policy is set on them and they have none yet.",
    )
    review_interval_months = fields.Integer(
        string="Review Every (Months)",
        default=12,
        tracking=True,
        help="How often the limits of customers under this policy are reviewed: a change of a "
        "customer's limit or policy, or marking its credit as reviewed, sets its next review to "
        "today plus this many months (Customer Credit, filter Review Due). 0: no review date.",
    )
    partner_count = fields.Integer(string="Customers", compute="_compute_partner_count")
    note = fields.Html(string="Notes", translate=True)

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "A credit policy with this name already exists in this company.",
        ),
    ]

    def _compute_partner_count(self):
        partners = self.env["res.partner"]
        for policy in self:
            policy.partner_count = partners.with_company(policy.company_id).search_count(
                [("kakeuri_credit_policy_id", "=", policy.id)]
            )

    @api.constrains(
        "default_credit_limit",
        "overdue_grace_days",
        "review_interval_months",
        "promise_grace_days",
        "plan_grace_days",
    )
    def _check_amounts(self):
        for policy in self:
            if policy.default_credit_limit < 0:
                raise ValidationError(
                    _(
                        "The default credit limit of policy %(policy)s cannot be negative (%(value)s).",
                        policy=policy.display_name,
                        value=policy.default_credit_limit,
                    )
                )
            if policy.overdue_grace_days < 0:
                raise ValidationError(
                    _(
                        "The overdue grace days of policy %(policy)s cannot be negative (%(value)s).",
                        policy=policy.display_name,
                        value=policy.overdue_grace_days,
                    )
                )
            for field in ("promise_grace_days", "plan_grace_days"):
                if policy[field] < 0:
                    raise ValidationError(
                        _(
                            "%(field)s of policy %(policy)s cannot be negative (%(value)s).",
                            field=policy._fields[field].get_description(self.env)["string"],
                            policy=policy.display_name,
                            value=policy[field],
                        )
                    )
            if policy.review_interval_months < 0:
                raise ValidationError(
                    _(
                        "The review interval of policy %(policy)s cannot be negative (%(value)s).",
                        policy=policy.display_name,
                        value=policy.review_interval_months,
                    )
                )

    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("kakeuri_ar.action_kakeuri_credit_partners")
        action["domain"] = [("kakeuri_credit_policy_id", "=", self.id)]
        action["display_name"] = _("Customers under %(policy)s", policy=self.display_name)
        return action
