# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models


class ResPartner(models.Model):
    """The customer's promises to pay: its history (made, kept, broken, per company) and the
    open one, shown on its form."""

    _inherit = "res.partner"

    kakeuri_promise_ids = fields.One2many(
        comodel_name="kakeuri.payment.promise",
        inverse_name="partner_id",
        string="Promises to Pay",
    )
    kakeuri_promise_count = fields.Integer(
        string="Promises Made",
        compute="_compute_kakeuri_promise_stats",
        help="Promises to pay the customer made to the current company, cancelled ones left out.",
    )
    kakeuri_promise_kept_count = fields.Integer(
        string="Promises Kept",
        compute="_compute_kakeuri_promise_stats",
    )
    kakeuri_promise_broken_count = fields.Integer(
        string="Promises Broken",
        compute="_compute_kakeuri_promise_stats",
    )
    kakeuri_promise_kept_rate = fields.Float(
        string="Promises Kept Rate",
        compute="_compute_kakeuri_promise_stats",
        help="Kept promises out of those judged (kept or broken), for the current company; "
        "0 when none was judged yet.",
    )
    kakeuri_promise_open_id = fields.Many2one(
        comodel_name="kakeuri.payment.promise",
        string="Open Promise",
        compute="_compute_kakeuri_promise_stats",
        help="The customer's latest open promise to pay to the current company.",
    )

    @api.depends("kakeuri_promise_ids.state")
    @api.depends_context("company")
    def _compute_kakeuri_promise_stats(self):
        Promise = self.env["kakeuri.payment.promise"]
        partners = self.commercial_partner_id
        counts = {
            (partner.id, state): count
            for partner, state, count in Promise._read_group(
                [("partner_id", "in", partners.ids), ("company_id", "=", self.env.company.id)],
                ["partner_id", "state"],
                ["__count"],
            )
        }
        open_promises = Promise.search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", self.env.company.id),
                ("state", "=", "open"),
            ],
            order="date desc, id desc",
        )
        latest_open = {}
        for promise in open_promises:
            latest_open.setdefault(promise.partner_id.id, promise)
        for partner in self:
            pid = partner.commercial_partner_id.id
            kept = counts.get((pid, "kept"), 0)
            broken = counts.get((pid, "broken"), 0)
            partner.kakeuri_promise_kept_count = kept
            partner.kakeuri_promise_broken_count = broken
            partner.kakeuri_promise_count = kept + broken + counts.get((pid, "open"), 0)
            partner.kakeuri_promise_kept_rate = kept / (kept + broken) if kept + broken else 0.0
            partner.kakeuri_promise_open_id = latest_open.get(pid, Promise)

    def action_kakeuri_promises(self):
        """The customer's promises to pay, new ones recorded for it."""
        self.ensure_one()
        customer = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id("kakeuri_ar.action_kakeuri_payment_promise")
        action["domain"] = [("partner_id", "=", customer.id)]
        action["context"] = {"default_partner_id": customer.id, "search_default_group_state": 0}
        return action

    def action_kakeuri_new_promise(self):
        """Record a promise to pay of this customer, in a dialog."""
        self.ensure_one()
        return self.env["kakeuri.payment.promise"]._action_record(
            self.commercial_partner_id, self.env.company
        )

    def action_kakeuri_open_promise(self):
        self.ensure_one()
        promise = self.kakeuri_promise_open_id
        return {
            "type": "ir.actions.act_window",
            "name": _("Promise to Pay"),
            "res_model": "kakeuri.payment.promise",
            "res_id": promise.id,
            "view_mode": "form",
        }
