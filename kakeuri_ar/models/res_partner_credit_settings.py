# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_compare

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


class ResPartner(models.Model):
    """A customer's credit settings: policy, limit, hold, next review; who may change them."""

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

    # ------------------------------------------------------------------ computes
    @api.depends_context("uid")
    def _compute_kakeuri_can_edit_credit(self):
        self.kakeuri_can_edit_credit = self.env.user.has_group("kakeuri_ar.group_credit_manager")

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
