# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class AccountPartialReconcile(models.Model):
    """Reconciliations as the receivables read them as of a date."""

    _inherit = "account.partial.reconcile"

    # A receivable item's open amount as of a date adds back the reconciliations dated later
    # (kakeuri.receivable.ledger._later_partials); as of a recent date they are few, and this
    # index finds them without reading every reconciliation or every item of a customer.
    max_date = fields.Date(index=True)
