# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.tools import format_date


class KakeuriContractBillWizard(models.TransientModel):
    """Asked before *Bill Due Periods Now* bills more than one period of a contract at once
    (catch-up invoices dated months back and due at once deserve a look first)."""

    _name = "kakeuri.contract.bill.wizard"
    _description = "Bill Several Periods of a Contract"

    contract_ids = fields.Many2many(comodel_name="kakeuri.contract", string="Contracts", readonly=True)
    date = fields.Date(string="Bill Up To", required=True, readonly=True, default=fields.Date.context_today)
    summary = fields.Text(compute="_compute_summary", string="Periods to Bill")
    invoice_count = fields.Integer(compute="_compute_summary", string="Invoices to Make")

    @api.depends("contract_ids", "date")
    def _compute_summary(self):
        for wizard in self:
            plan = wizard.contract_ids._get_periods_to_bill(wizard.date)
            lines = []
            for contract, periods in plan.items():
                lines.append(
                    _(
                        "%(contract)s (%(partner)s): %(count)s invoices",
                        contract=contract.display_name,
                        partner=contract.partner_id.display_name,
                        count=len(periods),
                    )
                )
                lines += [
                    f"  • {format_date(self.env, start)} – {format_date(self.env, end)}"
                    for start, end, _factor in periods
                ]
            wizard.summary = "\n".join(lines)
            wizard.invoice_count = sum(len(periods) for periods in plan.values())

    def action_confirm(self):
        self.ensure_one()
        return self.contract_ids.with_context(kakeuri_bill_periods_confirmed=True).action_generate_invoices()
