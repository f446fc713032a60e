# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import escape

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def _kakeuri_log_notes_bulk(self, model, bodies):
        """Internal notes on many documents of ``model`` ({res_id: html}) in one INSERT: the
        messages ``mail.thread._message_log_batch`` creates (author: the current user, subtype
        note, no notification, one message id for the batch, the same reply-to) without one ORM
        create per document. A dunning run or a contract billing run logs on thousands of
        invoices."""
        if not bodies:
            return
        author, email_from = self.env["mail.thread"]._message_compute_author(raise_on_email=False)
        reply_to = self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False]
        res_ids = list(bodies)
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """INSERT INTO mail_message (model, res_id, body, message_type, subtype_id, is_internal,
                                             author_id, email_from, reply_to, message_id,
                                             email_add_signature, date,
                                             create_uid, create_date, write_uid, write_date)
                   SELECT %(model)s, r.res_id, r.body, 'notification', %(subtype)s, TRUE,
                          %(author)s, %(email)s, %(reply_to)s, %(message_id)s,
                          FALSE, now() AT TIME ZONE 'UTC',
                          %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                     FROM unnest(%(res_ids)s::int[], %(bodies)s::text[]) AS r(res_id, body)""",
                model=model,
                subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                author=author or None,
                email=email_from or None,
                reply_to=reply_to or None,
                message_id=generate_tracking_message_id("message-notify"),
                uid=self.env.uid,
                res_ids=res_ids,
                bodies=[str(escape(bodies[res_id])) for res_id in res_ids],
            )
        )
        self.env[model].browse(res_ids).invalidate_recordset(["message_ids"])
