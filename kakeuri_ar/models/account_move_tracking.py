# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The tracking messages of many journal entries, posted at once.

Odoo posts the tracking of an entry at commit (``mail.thread._track_finalize``), one message
per entry: a note with the tracking values (``_message_log``), or, when the change has a
subtype (an invoice becoming *Paid*), a full ``message_post`` that looks for the followers to
notify, the thread's first message, the reply-to, one entry after the other. A reconciliation
of a thousand bank lines changes a thousand bank entries and pays as many invoices, so the
commit posted two thousand messages one by one.

``_kakeuri_post_tracking`` posts the pending tracking of the given entries now, as the commit
would: the same changes (``_mail_track``), subtypes (``_track_subtype``), bodies, authors and
tracking values, with the values ``message_post`` and ``_message_log`` give their messages,
created together, then each entry's ``_message_track_post_template`` as the commit calls it.
An entry is left to Odoo when its message would notify someone (a follower of the subtype:
Odoo's own ``message_post`` posts it) or when a body or an author was set for its tracking (the
commit posts it with them).
"""

from collections import defaultdict

from markupsafe import escape

from odoo import models
from odoo.tools import SQL, clean_context


class AccountMove(models.Model):
    _inherit = "account.move"

    def _kakeuri_post_tracking(self):
        """Post now the tracking Odoo would post at commit for these entries (see the module).
        Returns the messages made together."""
        Message = self.env["mail.message"]
        self.env.flush_all()
        precommit = self.env.cr.precommit.data
        pending = precommit.get(f"mail.tracking.{self._name}") or {}
        # a body or an author set for an entry's tracking: Odoo posts it with them at commit
        special = set(precommit.get(f"mail.tracking.message.{self._name}") or {})
        special |= set(precommit.get(f"mail.tracking.author.{self._name}") or {})
        ids = [move_id for move_id in self.ids if pending.get(move_id) and move_id not in special]
        if not ids:
            return Message
        records = self.browse(ids).sudo().with_context(clean_context(self.env.context))
        fnames = records._track_get_fields()
        if not fnames:
            return Message
        tracked_fields = records.fields_get(
            fnames, attributes=("string", "type", "selection", "currency_field")
        )
        initial = {move_id: pending.pop(move_id) for move_id in ids}
        posts, logs, templates = [], [], []
        for record in records.exists():
            changes, tracking = record._mail_track(tracked_fields, initial[record.id])
            if not changes:
                continue
            templates.append((record, changes))
            subtype = record._track_subtype({fname: initial[record.id][fname] for fname in changes})
            body = record._track_get_default_log_message(changes)
            if subtype:
                if subtype.exists():
                    posts.append((record, subtype, body, tracking))
            elif tracking:
                logs.append((record, body, tracking))
        messages = self._kakeuri_post_tracked(posts)
        messages |= self.env["account.move.line"]._kakeuri_log_audit(logs)
        for record, changes in templates:
            record._message_track_post_template(changes)
        return messages

    def _kakeuri_post_tracked(self, posts):
        """The messages of the changes with a subtype [(entry, subtype, body, tracking
        values)], with the values ``message_post`` gives them. Those that notify a follower
        are posted by ``message_post`` itself, one by one."""
        Message = self.env["mail.message"]
        if not posts:
            return Message
        by_subtype = defaultdict(list)
        for post in posts:
            by_subtype[post[1]].append(post)
        quiet = []
        for subtype, group in by_subtype.items():
            records = self.browse([record.id for record, *_rest in group]).sudo()
            notified = self.env["mail.followers"]._get_recipient_data(records, "notification", subtype.id)
            for record, _subtype, body, tracking in group:
                if notified.get(record.id):
                    record.message_post(body=body, subtype_id=subtype.id, tracking_value_ids=tracking)
                else:
                    quiet.append((record, subtype, body, tracking))
        if not quiet:
            return Message
        records = self.browse([record.id for record, *_rest in quiet]).sudo()
        values_list = self._kakeuri_post_values(records, quiet)
        messages = records._message_create(values_list)
        self.env["account.move.line"]._kakeuri_create_tracking_values(
            messages, [tracking for _record, _subtype, _body, tracking in quiet]
        )
        for message, values, (record, *_rest) in zip(messages, values_list, quiet, strict=True):
            record._message_post_after_hook(message, values)
        return messages

    def _kakeuri_post_values(self, records, quiet):
        """The values ``message_post`` gives the message of each change of ``quiet`` [(entry,
        subtype, body, tracking values)] on ``records`` (those entries), computed for all."""
        author_id, email_from = records._message_compute_author(None, None, raise_on_email=True)
        company = self.env.company
        alias_domains = records._mail_get_alias_domains(default_company=company)
        companies = records._mail_get_companies(default=company)
        reply_to = records._notify_get_reply_to(default=email_from)
        parents = self._kakeuri_first_messages(records)
        values_list = []
        for record, subtype, body, _tracking in quiet:
            values = {
                "email_add_signature": True,
                "record_name": record.display_name,
                "author_id": author_id,
                "author_guest_id": False,
                "email_from": email_from,
                "model": self._name,
                "res_id": record.id,
                "body": escape(body),
                "message_type": "notification",
                "parent_id": parents.get(record.id, False),
                "subject": False,
                "subtype_id": subtype.id,
                "partner_ids": [],
                "record_alias_domain_id": alias_domains[record.id].id,
                "record_company_id": companies[record.id].id,
                "reply_to": reply_to[record.id],
            }
            values.update(record._process_attachments_for_post([], [], values))
            values_list.append(values)
        return values_list

    def _kakeuri_first_messages(self, records):
        """{entry id: id of its first message}: the parent ``message_post`` gives a new
        message of a flat thread (``_message_compute_parent_id``), read for all at once."""
        if not records._mail_flat_thread:
            return {}
        self.env["mail.message"].flush_model(["model", "res_id", "message_type"])
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT ON (res_id) res_id, id FROM mail_message
                    WHERE model = %s AND res_id = ANY(%s) AND message_type != 'user_notification'
                    ORDER BY res_id, id""",
                records._name,
                records.ids,
            )
        )
        return dict(rows)
