# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The chatter messages of journal items created or deleted on an entry posted before, made
for many items at once.

Odoo's ``create()`` and ``unlink()`` of journal items log one message per item on its entry
("Journal Item #12 created/deleted", with the tracked fields as tracking values), one
``mail.message`` create each. A batch that rewrites many entries passes ``tracking_disable`` to
those calls and logs the same messages here: computed as Odoo computes them (the same tracked
fields, the same ``_mail_track``, the same bodies in the same language, only for entries posted
before), in the same order, with the values ``_message_log`` gives each message, in one create.
"""

from markupsafe import escape

from odoo import api, models
from odoo.tools.mail import generate_tracking_message_id
from odoo.tools.translate import get_translation

# the bodies are Odoo's own strings, translated as the account module translates them
AUDIT_BODIES = {
    "created": "Journal Item %s created",
    "deleted": "Journal Item %s deleted",
}


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _kakeuri_audit_messages(self, action):
        """[(entry, body, tracking values)] of the messages Odoo logs when these journal items
        are ``action`` ('created': read after their creation, 'deleted': before their
        deletion), as ``create()`` and ``unlink()`` compute them (none when the caller
        disabled tracking, as there)."""
        if self.env.context.get("tracking_disable"):
            return []
        tracked = [
            fname
            for fname, field in self._fields.items()
            if getattr(field, "tracking", None) and not getattr(field, "related", None)
        ]
        ref_fields = self.fields_get(tracked)
        empty_values = dict.fromkeys(tracked)
        empty_line = self.browse([False])
        lang = self.env.lang or self.env["res.users"].context_get().get("lang") or "en_US"
        messages = []
        for move, lines in self.grouped("move_id").items():
            if not move.posted_before:
                continue
            for line in lines:
                if action == "created":
                    tracking = line._mail_track(ref_fields, empty_values)[1]
                else:
                    tracking = empty_line._mail_track(ref_fields, line)[1]
                if tracking:
                    link = line._get_html_link(title=f"#{line.id}")
                    body = get_translation("account", lang, AUDIT_BODIES[action], (link,))
                    messages.append((move, body, tracking))
        return messages

    @api.model
    def _kakeuri_log_audit(self, messages):
        """Create the messages [(entry, body, tracking values)] in one ``mail.message``
        create, each with the values ``_message_log`` gives it (a note of the current user,
        internal, its own message id), and their tracking values in one create."""
        if not messages:
            return self.env["mail.message"]
        moves = self.env["account.move"].browse([move.id for move, _body, _tracking in messages])
        author_id, email_from = moves._message_compute_author(None, None, raise_on_email=False)
        base = {
            "author_id": author_id,
            "email_from": email_from,
            "model": "account.move",
            "record_alias_domain_id": False,
            "record_company_id": False,
            "record_name": False,
            "attachment_ids": False,
            "message_type": "notification",
            "is_internal": True,
            "subject": False,
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            "email_add_signature": False,
            "partner_ids": False,
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False],
        }
        values_list = [
            dict(
                base,
                res_id=move.id,
                body=escape(body),
                message_id=generate_tracking_message_id("message-notify"),
            )
            for move, body, _tracking in messages
        ]
        created = moves.sudo()._message_create(values_list)
        self._kakeuri_create_tracking_values(created, [tracking for _move, _body, tracking in messages])
        return created

    @api.model
    def _kakeuri_create_tracking_values(self, messages, trackings):
        """The tracking values of ``messages``, one list of create commands per message as
        ``_mail_track`` returns them, in one create: mail.message's create makes those of each
        message after it (as sudo), one create per message."""
        return (
            self.env["mail.tracking.value"]
            .sudo()
            .create(
                [
                    dict(command[2], mail_message_id=message.id)
                    for message, tracking in zip(messages, trackings, strict=True)
                    for command in tracking
                ]
            )
        )
