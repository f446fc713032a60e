# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64

from odoo import _, fields, models
from odoo.exceptions import UserError


class KakeuriDirectDebitResultWizard(models.TransientModel):
    """Upload the bank's result file (振替結果) of a direct debit run."""

    _name = "kakeuri.direct.debit.result.wizard"
    _description = "Import Direct Debit Result"

    run_id = fields.Many2one(
        comodel_name="kakeuri.direct.debit.run",
        string="Direct Debit Run",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    result_file = fields.Binary(string="Result File", required=True, attachment=False)
    filename = fields.Char(string="File Name")

    def action_import(self):
        self.ensure_one()
        if not self.result_file:
            raise UserError(_("Choose the bank's result file of %(run)s.", run=self.run_id.display_name))
        counts = self.run_id.action_import_result(base64.b64decode(self.result_file))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if not counts["failed"] else "warning",
                "message": _(
                    "%(paid)s debits paid, %(failed)s failed, %(unchanged)s already recorded.",
                    paid=counts["paid"],
                    failed=counts["failed"],
                    unchanged=counts["unchanged"],
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
