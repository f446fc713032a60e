# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import _, models


class KakeuriBillingStatement(models.Model):
    """Sending and printing statements, and the invoices they list."""

    _inherit = "kakeuri.billing.statement"

    def action_send(self):
        """Open the mail composer with the statement template and its PDF."""
        self.ensure_one()
        if self.state == "draft":
            self.action_confirm()
        return self.env["kakeuri.mail.render"]._composer_action(
            self, "kakeuri_ar.mail_template_billing_statement", kakeuri_mark_statement_sent=True
        )

    def action_send_queued(self):
        """Confirm and Send (list button): queue the statements by mail."""
        sent = self._send_queued()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if sent == self else "warning",
                "message": _(
                    "%(sent)s of %(total)s statement(s) queued for sending; see the chatter of the others.",
                    sent=len(sent),
                    total=len(self),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _send_queued(self):
        """Confirm and queue the statements by mail (used by the closing run); customers
        without an email address are noted in the chatter and left confirmed. Returns the
        statements queued."""
        template = self.env.ref("kakeuri_ar.mail_template_billing_statement")
        self.filtered(lambda s: s.state == "draft").action_confirm()
        to_send = self.filtered(lambda s: s.state in ("confirmed", "sent"))
        no_email = to_send.filtered(lambda s: not s.partner_id.email)
        for statement in no_email:
            statement.message_post(
                body=_(
                    "Not sent: %(partner)s has no email address.", partner=statement.partner_id.display_name
                )
            )
        for statement in to_send - no_email:
            statement.with_context(mail_notify_force_send=False).message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        (to_send - no_email).with_context(kakeuri_statement_transition=True).write({"state": "sent"})
        return to_send - no_email

    def message_post(self, **kwargs):
        if self.env.context.get("kakeuri_mark_statement_sent"):
            self.filtered(lambda s: s.state == "confirmed").with_context(
                kakeuri_mark_statement_sent=False, kakeuri_statement_transition=True
            ).write({"state": "sent"})
        return super().message_post(**kwargs)

    def action_view_moves(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.move_ids.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------ report
    def _get_report_base_filename(self):
        self.ensure_one()
        return "%s - %s" % (_("Statement"), self.name.replace("/", "-"))

    def _get_tax_summary_groups(self):
        """Tax summary rows for the PDF, biggest rate first."""
        self.ensure_one()
        groups = defaultdict(lambda: {"base_amount": 0.0, "tax_amount": 0.0})
        for row in self.tax_line_ids:
            group = groups[row.name]
            group["base_amount"] += row.base_amount
            group["tax_amount"] += row.tax_amount
            group["rate"] = row.rate
        return sorted(
            ({"name": name, **vals} for name, vals in groups.items()),
            key=lambda g: -g.get("rate", 0.0),
        )
