# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import tagged

from .common import KakeuriCommon


@tagged("post_install", "-at_install")
class TestInstall(KakeuriCommon):
    def test_groups_hierarchy(self):
        """Billing admins manage credit; credit managers are also AR users."""
        self.assertIn(self.group_ar_user, self.group_credit_manager.implied_ids)
        billing_admin = self.env.ref("account.group_account_manager")
        self.assertIn(self.group_credit_manager, billing_admin.implied_ids)
        self.assertTrue(self.env.user.has_group("kakeuri_ar.group_credit_manager"))
