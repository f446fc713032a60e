# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models


class KakeuriArSnapshot(models.Model):
    """What the dashboard's numbers open: the journal items behind an amount, the customers
    behind a count. The domains read the ledger as it stands now (``reconciled`` and
    ``amount_residual`` of today), which is the aging of today."""

    _inherit = "kakeuri.ar.snapshot"

    @api.model
    def _open_items_domain(self, company, today, overdue=False, partner_id=None):
        """Receivable items of ``company`` open now: posted, on a receivable account, dated up
        to ``today``, not reconciled; ``overdue``: due before ``today`` (the maturity date, or
        the accounting date without one), as ``kakeuri.aging.report`` bands them."""
        domain = [
            ("company_id", "=", company.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            ("amount_residual", "!=", 0),
            ("date", "<=", fields.Date.to_string(today)),
        ]
        if overdue:
            day = fields.Date.to_string(today)
            domain += [
                "|",
                ("date_maturity", "<", day),
                "&",
                ("date_maturity", "=", False),
                ("date", "<", day),
            ]
        if partner_id:
            domain.append(("partner_id", "child_of", partner_id))
        return domain

    @api.model
    def _open_items_action(self, company, today, name, overdue=False, partner_id=None):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "account.move.line",
            "views": [[self.env.ref("account.view_move_line_tree").id, "list"], [False, "form"]],
            "domain": self._open_items_domain(company, today, overdue, partner_id),
            "context": {"create": False, "search_default_group_by_partner": 0 if partner_id else 1},
        }

    @api.model
    def _collected_action(self, company, today):
        """The payments received this month (the CEI's collections)."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Collected This Month"),
            "res_model": "account.move.line",
            "views": [[self.env.ref("account.view_move_line_tree").id, "list"], [False, "form"]],
            "domain": [
                ("company_id", "=", company.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("move_id.move_type", "=", "entry"),
                ("balance", "<", 0),
                ("date", ">=", fields.Date.to_string(today.replace(day=1))),
                ("date", "<=", fields.Date.to_string(today)),
            ],
            "context": {"create": False},
        }

    @api.model
    def _customers_action(self, name, domain):
        """The customer credit list, filtered by ``domain`` instead of its default filters."""
        action = self.env["ir.actions.actions"]._for_xml_id("kakeuri_ar.action_kakeuri_credit_partners")
        action.update(name=name, domain=domain, context={"create": False})
        return action
