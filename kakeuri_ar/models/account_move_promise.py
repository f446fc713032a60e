# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, models
from odoo.exceptions import UserError

from ..report.receivable_ledger import INVOICE_MOVE_TYPES


class AccountMove(models.Model):
    """Recording a promise to pay one customer invoice."""

    _inherit = "account.move"

    def action_kakeuri_new_promise(self):
        self.ensure_one()
        if self.move_type not in INVOICE_MOVE_TYPES or self.state != "posted":
            raise UserError(
                _(
                    "%(invoice)s is not a posted customer invoice: no promise to pay it.",
                    invoice=self.display_name,
                )
            )
        return self.env["kakeuri.payment.promise"]._action_record(
            self.commercial_partner_id, self.company_id, moves=self
        )
