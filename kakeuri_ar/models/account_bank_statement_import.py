# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class AccountBankStatement(models.Model):
    _inherit = "account.bank.statement"

    kakeuri_import_filename = fields.Char(string="Imported File", copy=False, readonly=True)
    kakeuri_import_hash = fields.Char(
        string="Imported File Hash",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="SHA-256 of the bank file this statement was imported from: the same file is "
        "not imported twice into a journal.",
    )

    _sql_constraints = [
        (
            "kakeuri_import_hash_unique",
            "UNIQUE(journal_id, kakeuri_import_hash)",
            "This bank file was already imported into this journal.",
        ),
    ]
