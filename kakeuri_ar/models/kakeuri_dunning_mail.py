# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import api, models
from odoo.tools import clean_context
from odoo.tools.mail import generate_tracking_message_id

from .kakeuri_dunning_format import DunningBatch


class KakeuriDunningMail(models.AbstractModel):
    """The reminder emails of a batch of dunning lines: rendered per language and template
    (the body compiled once), queued as ``mail.mail`` (never sent synchronously) on the
    customers' chatter."""

    _name = "kakeuri.dunning.mail"
    _description = "Dunning Reminder Emails"

    @api.model
    def _queue_emails(self, lines, template, summaries=None, batch=None):
        """Render ``template`` on ``lines`` in one batch and queue one mail.mail each, posted
        on the customer's chatter. The chatter shows ``summaries`` ({line id: html}: level,
        run, invoices, what was done) when given, the email keeps the full rendered body.
        Returns the mails in the order of ``lines``."""
        batch = batch or DunningBatch()
        render = self.env["kakeuri.mail.render"]
        langs = render._render_template_langs(lines, template)  # once for the fields and the body
        rendered = render._render_template_fields(lines, template, langs)
        for line_id, body in self._render_email_bodies(lines, template, langs, batch).items():
            rendered[line_id]["body_html"] = body
        vals_list = [
            self._prepare_mail_vals(line, template, rendered[line.id], (summaries or {}).get(line.id))
            for line in lines
        ]
        return self._create_mails(vals_list)

    @api.model
    def _prepare_mail_vals(self, line, template, res, summary=None):
        """Values of the ``mail.mail`` of ``line`` (with those of its ``mail.message``, a
        comment on the customer), from the rendered template values ``res``."""
        author = self.env.user.partner_id
        body = res.get("body_html") or ""
        partner_ids = res.get("partner_ids") or [line.contact_partner_id.id]
        return {
            "subject": res.get("subject"),
            "body_html": body,
            "body": summary or body,
            "email_from": res.get("email_from") or author.email_formatted,
            "reply_to": res.get("reply_to") or False,
            "email_to": res.get("email_to") or False,
            "email_cc": res.get("email_cc") or False,
            "recipient_ids": [(4, pid) for pid in partner_ids],
            "author_id": author.id,
            "model": "res.partner",
            "res_id": line.partner_id.id,
            "record_name": line.partner_id.display_name,
            "message_type": "comment",
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment"),
            "message_id": generate_tracking_message_id(f"{line.partner_id.id}-res.partner"),
            "auto_delete": template.auto_delete,
            "mail_server_id": template.mail_server_id.id,
            "state": "outgoing",
        }

    @api.model
    def _create_mails(self, vals_list):
        """Queue the mails ``vals_list`` (values of the ``mail.mail`` and of its
        ``mail.message``) with two ORM creates for the batch: the messages, then the mails
        linked to them. Created through ``_inherits`` instead, each message body would be
        sanitized once more (for the mail's cache) and the mail's defaults computed for every
        message field too. ``is_notification`` stays False, as for a mail created with its
        message (``mail.template.send_mail``). Returns the mails in that order."""
        Mail = self.env["mail.mail"].sudo().with_context(clean_context(self.env.context))
        messages = Mail.env["mail.message"].create(
            [{key: value for key, value in vals.items() if Mail._fields[key].inherited} for vals in vals_list]
        )
        mails = Mail.create(
            [
                dict(
                    {key: value for key, value in vals.items() if not Mail._fields[key].inherited},
                    mail_message_id=message.id,
                    is_notification=False,
                )
                for vals, message in zip(vals_list, messages, strict=True)
            ]
        )
        documents = defaultdict(list)
        for vals in vals_list:
            documents[vals["model"]].append(vals["res_id"])
        for model, res_ids in documents.items():
            self.env[model].browse(res_ids).invalidate_recordset(["message_ids"])
        return mails

    @api.model
    def _render_email_bodies(self, lines, template, langs, batch):
        """{line id: html}: the template's body on each line, in the recipient's language
        (``kakeuri.mail.render``: compiled once per language for the whole batch)."""
        lines.move_ids.mapped("access_url")  # portal URLs: computed for the whole batch at once
        return self.env["kakeuri.mail.render"]._render_bodies(
            lines, template, langs, {"kakeuri_dunning_batch": batch}
        )
