# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    kakeuri_bank_ref = fields.Char(
        string="Bank Reference",
        copy=False,
        readonly=True,
        help="The bank's reference of the transaction (照会番号 of a Zengin file, qualified by its "
        "booking date, or the reference column of a CSV file); a journal never holds it twice.",
    )

    # The import wizard checks first to name the record; the index keeps two imports that
    # run at once from both writing the same transaction.
    _sql_constraints = [
        (
            "kakeuri_bank_ref_unique",
            "UNIQUE(journal_id, kakeuri_bank_ref)",
            "This bank transaction was already imported into this journal.",
        ),
    ]
