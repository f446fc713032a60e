# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Dunning levels: the defaults of a company and their validation."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common.dunning import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningLevels(DunningCommon):
    def test_default_levels(self):
        """The shipped levels: 1/15/30 days automatic with email, 45 days call, manual."""
        self.assertEqual(self.levels.sorted("days_overdue").mapped("days_overdue"), [1, 15, 30, 45])
        self.assertEqual(
            self.level_friendly.mail_template_id, self.env.ref("kakeuri_ar.mail_template_dunning_friendly")
        )
        self.assertTrue(self.level_second.print_letter)
        self.assertTrue(self.level_final.set_credit_hold)
        self.assertTrue(self.level_call.create_activity)
        self.assertFalse(self.level_call.auto)
        # a second call does not duplicate them
        self.assertFalse(self.env["kakeuri.dunning.level"]._create_default_levels(self.company))

    def test_validation(self):
        with self.assertRaisesRegex(ValidationError, "15 days"):
            self.env["kakeuri.dunning.level"].create(
                {"name": "Twin", "days_overdue": 15, "company_id": self.company.id}
            )
        with self.assertRaisesRegex(ValidationError, r"-3"):
            self.env["kakeuri.dunning.level"].create(
                {"name": "Neg", "days_overdue": -3, "company_id": self.company.id}
            )
        with self.assertRaisesRegex(ValidationError, r"-5"):
            self.level_call.fee_amount = -5
        with self.assertRaisesRegex(ValidationError, "no email template"):
            self.level_call.write({"send_email": True})
        self.env.cr.execute(
            "SELECT fee_amount FROM kakeuri_dunning_level WHERE id = %s", [self.level_call.id]
        )
        self.assertFalse(self.env.cr.fetchone()[0], "nothing half-written")
