# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import Markup

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount, format_date


class KakeuriCreditReview(models.Model):
    """The decision: a credit manager applies a proposal (the limit, a hold) or rejects it; the
    customer's chatter keeps what was decided and why, and the next review is scheduled."""

    _inherit = "kakeuri.credit.review"

    # ------------------------------------------------------------------ actions
    def action_apply(self):
        """Apply the proposals: the (possibly edited) proposed limit becomes the customer's
        limit in the review's company, a 'hold' proposal sets the credit hold, and the next
        review is scheduled (also when the limit is kept)."""
        self._check_can_decide()
        for review in self:
            review._apply_one()
        return True

    def action_reject(self):
        """Reject the proposals, with the decision note saying why; the limit stays and the next
        review is scheduled."""
        self._check_can_decide()
        missing = self.filtered(lambda r: not (r.decision_note or "").strip())
        if missing:
            raise UserError(
                _(
                    "Write a decision note on the limit review of %(partner)s before rejecting it: "
                    "the customer's chatter keeps why the proposal was turned down.",
                    partner=missing[0].partner_id.display_name,
                )
            )
        for review in self:
            review._decide("rejected")
            review._post_decision(review.current_limit, review.current_limit)
        return True

    # ------------------------------------------------------------------ helpers
    def _check_can_decide(self):
        """Only credit managers decide, and only on proposals still open."""
        if not (self.env.su or self.env.user.has_group("kakeuri_ar.group_credit_manager")):
            raise AccessError(
                _(
                    "Only a credit manager can apply or reject the limit review of %(partners)s.",
                    partners=", ".join(self.sudo().mapped("partner_id.display_name")),
                )
            )
        decided = self.filtered(lambda r: r.state != "proposed")
        if decided:
            review = decided[0]
            raise UserError(
                _(
                    "The limit review of %(partner)s of %(date)s is already %(state)s: only "
                    "proposed reviews can be applied or rejected.",
                    partner=review.partner_id.display_name,
                    date=format_date(self.env, review.date),
                    state=dict(review._fields["state"]._description_selection(self.env))[review.state],
                )
            )

    def _apply_one(self):
        self.ensure_one()
        # the group was checked above: write as superuser (a credit manager need not be a
        # contact manager), the tracking and the note keep the user as author
        partner = self.partner_id.sudo().with_company(self.company_id)
        old_limit = partner.credit_limit
        vals = {}
        if self.company_id.currency_id.compare_amounts(self.suggested_limit, old_limit):
            vals["credit_limit"] = self.suggested_limit
        if self.action == "hold":
            vals["kakeuri_credit_hold"] = True
            vals["kakeuri_credit_hold_reason"] = _(
                "Limit review of %(date)s: grade %(grade)s",
                date=format_date(self.env, self.date),
                grade=self.grade or "-",
            )
        if vals:
            partner.write(vals)
        self._decide("applied")
        self._post_decision(old_limit, partner.credit_limit)

    def _decide(self, state):
        """Stamp the decision and schedule the customer's next review in the review's company."""
        self.ensure_one()
        self.write({"state": state, "user_id": self.env.uid, "date_decided": fields.Date.context_today(self)})
        self.partner_id.sudo().with_company(self.company_id)._kakeuri_schedule_credit_review()

    def _post_decision(self, old_limit, new_limit):
        """The note on the customer's chatter: decision, limits, grade, reason and note."""
        self.ensure_one()
        company = self.company_id
        currency = company.currency_id
        if self.state == "applied":
            headline = _("Credit limit review applied in %(company)s", company=company.display_name)
        else:
            headline = _("Credit limit review rejected in %(company)s", company=company.display_name)
        action = dict(self._fields["action"]._description_selection(self.env))[self.action]
        lines = [
            _(
                "Limit: %(old)s → %(new)s",
                old=format_amount(self.env, old_limit, currency),
                new=format_amount(self.env, new_limit, currency),
            ),
            _("Proposal: %(action)s, grade %(grade)s", action=action, grade=self.grade or "-"),
            _("Reason: %(reason)s", reason=self.reason or ""),
        ]
        if self.action == "hold" and self.state == "applied":
            lines.append(_("The customer is on credit hold."))
        if self.decision_note:
            lines.append(_("Decision note: %(note)s", note=self.decision_note))
        body = Markup("<p><strong>%s</strong></p><ul>%s</ul>") % (
            headline,
            Markup().join(Markup("<li>%s</li>") % line for line in lines),
        )
        self.partner_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
