# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

STATEMENT_FREQUENCIES = [
    ("none", "None"),
    ("weekly", "Weekly"),
    ("monthly", "Monthly"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    kakeuri_statement_frequency = fields.Selection(
        selection=STATEMENT_FREQUENCIES,
        string="Statement of Account",
        default="none",
        required=True,
        tracking=True,
        help="Send this customer a statement of account by email after each complete week "
        "(Monday to Sunday) or calendar month: the balance, the overdue part and a link to the "
        "statement in the customer portal. A customer with a closing day gets its closing-day "
        "billing statement instead and no statement of account, whatever is set here.",
    )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["kakeuri_statement_frequency"]

    # -------------------------------------------------------------------- crons
    @api.model
    def _cron_send_statements(self, date_ref=None, companies=None, batch_size=None):
        """Queue the statement of account of every customer with a weekly or monthly
        frequency and no closing day, for the last complete period before ``date_ref``
        (default: today), once per customer, company and period; see
        ``kakeuri.statement.log._queue_and_send``. Returns the number of statements queued or
        sent by this call."""
        return self.env["kakeuri.statement.log"]._queue_and_send(
            date_ref=date_ref, companies=companies, batch_size=batch_size
        )
