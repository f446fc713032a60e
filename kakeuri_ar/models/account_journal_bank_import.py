# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, fields, models

CSV_DELIMITERS = [(",", "Comma (,)"), (";", "Semicolon (;)"), ("\t", "Tab"), ("|", "Vertical bar (|)")]
CSV_ENCODINGS = [("utf-8", "UTF-8"), ("cp932", "Shift_JIS (cp932)")]


class AccountJournal(models.Model):
    """The CSV column mapping of a bank journal, remembered from its last CSV import."""

    _inherit = "account.journal"

    kakeuri_csv_delimiter = fields.Selection(selection=CSV_DELIMITERS, string="CSV Delimiter", default=",")
    kakeuri_csv_encoding = fields.Selection(selection=CSV_ENCODINGS, string="CSV Encoding", default="utf-8")
    kakeuri_csv_header = fields.Boolean(string="CSV Has a Header Row", default=True)
    kakeuri_csv_date_format = fields.Char(string="CSV Date Format", default="%Y/%m/%d")
    kakeuri_csv_date_col = fields.Integer(string="CSV Date Column", default=1)
    kakeuri_csv_amount_col = fields.Integer(string="CSV Amount Column", default=2)
    kakeuri_csv_payer_col = fields.Integer(string="CSV Payer Column", default=3)
    kakeuri_csv_ref_col = fields.Integer(string="CSV Reference Column", default=0)
    kakeuri_csv_remarks_col = fields.Integer(string="CSV Remarks Column", default=0)

    def action_kakeuri_import_bank_file(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Import Bank File"),
            "res_model": "kakeuri.bank.import.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_journal_id": self.id},
        }
