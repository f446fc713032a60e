# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class KakeuriClosingRunWizard(models.TransientModel):
    _name = "kakeuri.closing.run.wizard"
    _description = "Run Closing-Day Billing"

    date = fields.Date(
        string="Closing up to",
        required=True,
        default=fields.Date.context_today,
        help="Statements are made for every closing date on or before this date that has none yet.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Company",
        required=True,
        default=lambda self: self.env.company,
    )
    partner_ids = fields.Many2many(
        comodel_name="res.partner",
        string="Customers",
        domain="[('kakeuri_closing_day', '>', 0), ('parent_id', '=', False)]",
        help="Leave empty for every customer with a closing day.",
    )
    recompute_drafts = fields.Boolean(
        string="Recompute Draft Statements",
        default=True,
        help="Read the figures of existing draft statements up to this date from the ledger again. "
        "Confirmed statements are never changed.",
    )
    confirm = fields.Boolean(string="Confirm Statements")
    send = fields.Boolean(
        string="Send by Email", help="Confirm the statements and queue them by email with their PDF."
    )

    @api.onchange("send")
    def _onchange_send(self):
        if self.send:
            self.confirm = True

    def action_run(self):
        self.ensure_one()
        Statement = self.env["kakeuri.billing.statement"]
        partners = self.partner_ids or self.env["res.partner"].search([("kakeuri_closing_day", ">", 0)])
        partners = partners.commercial_partner_id.filtered("kakeuri_closing_day")
        if not partners:
            raise UserError(_("No customer has a closing day: set one on the customer's Invoicing tab."))
        created = Statement._cron_close_period(
            date_ref=self.date, partners=partners, companies=self.company_id
        )
        domain = [
            ("partner_id", "in", partners.ids),
            ("company_id", "=", self.company_id.id),
            ("period_end", "<=", self.date),
            ("state", "!=", "cancel"),
        ]
        if self.recompute_drafts:
            (Statement.search(domain + [("state", "=", "draft")]) - created)._refresh_from_ledger()
        statements = created
        if self.confirm or self.send:
            drafts = Statement.search(domain + [("state", "=", "draft")])
            drafts.action_confirm()
            statements |= drafts
        if self.send:
            statements._send_queued()
        action = self.env["ir.actions.actions"]._for_xml_id("kakeuri_ar.action_kakeuri_billing_statement")
        action["domain"] = [("id", "in", (statements | created).ids)]
        action["context"] = {"search_default_group_period_end": 1}
        action["name"] = _("Closing up to %(date)s", date=format_date(self.env, self.date))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if created else "info",
                "sticky": True,
                "title": _("Closing up to %(date)s", date=format_date(self.env, self.date)),
                "message": self._get_run_summary(partners, created),
                "next": action,
            },
        }

    def _get_run_summary(self, partners, created):
        """What the run did, customer by customer: statements made, and why the others got
        none (already made, nothing to bill, failed)."""
        rest = partners - created.partner_id
        # one read of the statements the other customers already have
        existing = set(
            self.env["kakeuri.billing.statement"]._read_group(
                [
                    ("partner_id", "in", rest.ids),
                    ("company_id", "=", self.company_id.id),
                    ("period_end", "<=", self.date),
                    ("state", "!=", "cancel"),
                ],
                ["partner_id", "period_end:day"],
            )
        )
        already = rest.filtered(lambda p: (p, p._kakeuri_last_closing_date(self.date)) in existing)
        failed = (rest - already).filtered(
            lambda p: p.kakeuri_closing_failed_date == fields.Date.context_today(self)
        )
        idle = rest - already - failed
        parts = [_("Statements made: %(count)s.", count=len(created))]
        if already:
            parts.append(_("Customers whose statement was made before: %(count)s.", count=len(already)))
        if idle:
            parts.append(
                _("Customers with nothing to bill (no balance, no movement): %(count)s.", count=len(idle))
            )
        if failed:
            parts.append(
                _(
                    "Failed, the reason in the customer's chatter: %(count)s (%(names)s).",
                    count=len(failed),
                    names=", ".join(failed.mapped("display_name")),
                )
            )
        return " ".join(parts)
