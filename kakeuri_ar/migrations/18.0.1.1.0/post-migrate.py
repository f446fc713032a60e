# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's promise fields (date, amount, recorded on) become promise records, and invoices
flagged as disputed become open disputes for their residual."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["kakeuri.payment.promise"]._migrate_partner_promises()
    env["kakeuri.dispute"]._migrate_blocked_invoices()
