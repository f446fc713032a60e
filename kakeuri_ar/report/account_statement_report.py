# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

from ..models.kakeuri_statement_log import last_complete_period


class ReportKakeuriAccountStatement(models.AbstractModel):
    """Values of the statement of account report (QWeb): one statement per customer of
    ``docids`` (their commercial partners), for the period and company of ``data``."""

    _name = "report.kakeuri_ar.report_account_statement"
    _description = "Statement of Account Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        Statement = self.env["kakeuri.account.statement"]
        date_from, date_to = self._period(data)
        company = self.env["res.company"].browse(data.get("company_id")) or self.env.company
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        langs, statements = {}, {}
        for partner in partners:
            lang = data.get("lang") or partner.lang or self.env.lang
            langs[partner.id] = lang
            statements[partner.id] = Statement.with_context(lang=lang).get_statement(
                partner, date_from, date_to, company=company
            )
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "company": company,
            "currency": company.currency_id,
            "date_from": date_from,
            "date_to": date_to,
            "langs": langs,
            "statements": statements,
        }

    @api.model
    def _period(self, data):
        """The period of ``data``, last month when it gives none."""
        last_from, last_to = last_complete_period("monthly", fields.Date.context_today(self))
        date_from = fields.Date.to_date(data.get("date_from")) or last_from
        date_to = fields.Date.to_date(data.get("date_to")) or last_to
        return date_from, date_to
