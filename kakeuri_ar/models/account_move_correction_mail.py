# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, models

# Odoo's invoice report, printed for the wrong and the corrected invoice alike
INVOICE_REPORT = "account.account_invoices"


class AccountMove(models.Model):
    """The apology (請求書訂正のお詫び) sent when a corrected invoice is posted: one mail, queued,
    in the customer's language, with the wrong and the corrected invoice attached."""

    _inherit = "account.move"

    def _kakeuri_send_correction_apology(self):
        """Queue the apology mail of this corrected invoice; without an email address for the
        customer, the chatter says it was not sent."""
        self.ensure_one()
        if not self.partner_id.email:
            self.message_post(
                body=_(
                    "Apology for the correction of %(move)s not sent: %(partner)s has no email address.",
                    move=self.kakeuri_corrected_move_id.name,
                    partner=self.partner_id.display_name,
                )
            )
            return self.env["mail.message"]
        template = self.env.ref("kakeuri_ar.mail_template_invoice_correction")
        attachments = self._kakeuri_correction_attachments()
        return self.with_context(mail_notify_force_send=False).message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachment_ids=attachments.ids,
            email_layout_xmlid="mail.mail_notification_layout_with_responsible_signature",
        )

    def _kakeuri_correction_attachments(self):
        """The PDFs of the wrong and of the corrected invoice, in the customer's language,
        attached to the corrected invoice."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        report = self.env["ir.actions.report"].with_context(lang=lang)
        vals_list = []
        for invoice in self.kakeuri_corrected_move_id + self:
            content, _report_type = report._render_qweb_pdf(INVOICE_REPORT, res_ids=invoice.ids)
            vals_list.append(
                {
                    "name": invoice._get_invoice_report_filename(),
                    "raw": content,
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        return self.env["ir.attachment"].create(vals_list)
