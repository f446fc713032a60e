# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

PAPERFORMAT_JP = "kakeuri_ar.paperformat_jp_a4"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """Print on the paper of the documents' company, not of the company the user happens
        to be working in: a Japanese company's statement is A4 even when printed from another
        company (Odoo takes ``self.env.company``'s paper format)."""
        company = self._kakeuri_report_company(report_ref, res_ids)
        if company:
            self = self.with_context(kakeuri_report_company_id=company.id)
        return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)

    def get_paperformat(self):
        if self.paperformat_id:
            return self.paperformat_id
        company_id = self.env.context.get("kakeuri_report_company_id")
        company = self.env["res.company"].browse(company_id) if company_id else self.env.company
        paperformat = company.paperformat_id
        if company._kakeuri_is_japanese() and paperformat.format != "A4":
            return self.env.ref(PAPERFORMAT_JP, raise_if_not_found=False) or paperformat
        return paperformat or super().get_paperformat()

    def _kakeuri_report_company(self, report_ref, res_ids):
        """The one company of the printed records, or None (several, or no company field)."""
        report = self._get_report(report_ref)
        model = self.env.get(report.model)
        if not res_ids or model is None or "company_id" not in model._fields:
            return None
        companies = model.browse(res_ids).exists().company_id
        return companies if len(companies) == 1 else None
