# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def _kakeuri_log_notes_bulk(self, model, bodies):
        """Internal notes on many documents of ``model`` ({res_id: html}), created in one batch
        by ``mail.thread._message_log_batch`` (author: the current user, subtype note, no
        notification, one message id for the batch)."""
        if bodies:
            self.env[model].browse(list(bodies))._message_log_batch(bodies)
