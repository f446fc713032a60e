# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A credit manager overrides a credit block, with a reason, recorded in the chatter."""

import html

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common.credit import KakeuriCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditOverride(KakeuriCreditCommon):
    def test_override_by_credit_manager(self):
        self.make_invoice(900.0)
        order = self.make_order(qty=3).with_user(self.credit_manager)
        action = order.action_kakeuri_override_credit()
        self.assertEqual(action["res_model"], "kakeuri.credit.override.wizard")
        wizard = (
            self.env["kakeuri.credit.override.wizard"]
            .with_user(self.credit_manager)
            .with_context(action["context"])
            .create({"reason": "Paid by transfer this morning, statement not imported yet"})
        )
        self.assertEqual(wizard.exposure, 900.0)
        self.assertEqual(wizard.order_amount, 300.0)
        self.assertEqual(wizard.credit_limit, 1000.0)
        self.assertIn("Credit limit exceeded", wizard.problems)
        wizard.action_confirm()
        self.assertEqual(order.state, "sale")
        for record in (order, self.customer):
            message = record.message_ids.filtered(lambda m: "Credit block overridden" in (m.body or ""))
            self.assertEqual(len(message), 1, record)
            body = html.unescape(str(message.body))
            self.assertIn("Paid by transfer this morning", body)
            self.assertIn("Tanaka Kenji (credit)", body)
            self.assertIn("$\xa0900.00", body)
            self.assertIn("$\xa0300.00", body)
            self.assertIn("$\xa01,000.00", body)
            self.assertEqual(message.author_id, self.credit_manager.partner_id)

    def test_override_refused_to_salesperson(self):
        self.make_invoice(900.0)
        order = self.make_order(qty=3, env=self.env(user=self.salesman)).with_user(self.salesman)
        with self.assertRaises(AccessError):
            order.action_kakeuri_override_credit()
        # the context flag alone does not bypass the check for a non-manager
        with self.assertRefused("Credit limit exceeded"):
            order.with_context(kakeuri_credit_override=True).action_confirm()
        # nor can the wizard be used directly
        wizard = self.env["kakeuri.credit.override.wizard"].create({"order_id": order.id, "reason": "please"})
        with self.assertRaises(AccessError):
            wizard.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_override_needs_reason(self):
        order = self.make_order(qty=11)
        wizard = self.env["kakeuri.credit.override.wizard"].create({"order_id": order.id, "reason": "  "})
        with self.assertRefused("Give a reason"):
            wizard.action_confirm()
        self.assertEqual(order.state, "draft")
