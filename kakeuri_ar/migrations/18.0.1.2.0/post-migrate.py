# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The dunning level and last reminder date of invoices move from columns of ``account_move``
to the addon's table ``kakeuri_dunning_move_level``."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["kakeuri.dunning.move.level"]._migrate_invoice_columns()
