# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

# The reduced consumption tax rate of Japan (軽減税率), marked ※ on invoices and statements.
REDUCED_RATE = 8.0


class AccountTax(models.Model):
    _inherit = "account.tax"

    def _kakeuri_is_reduced_rate(self):
        """True when one of these taxes is the reduced rate: a percentage of 8 %."""
        return any(tax.amount_type == "percent" and tax.amount == REDUCED_RATE for tax in self)
