# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shared ground for kakeuri_ar tests: Odoo's accounting test world (a company with a
chart of accounts, partners, products, taxes) plus the kakeuri groups.

Tests build their own partners, products and policies; they never use demo records."""

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class KakeuriCommon(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_ar_user = cls.env.ref("kakeuri_ar.group_ar_user")
        cls.group_credit_manager = cls.env.ref("kakeuri_ar.group_credit_manager")
