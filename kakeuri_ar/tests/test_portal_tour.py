# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's tour in headless Chromium: receivables, statement download, paying the
billing statement with the demo provider; then the invoices are paid and the exposure falls."""

from odoo.tests import tagged

from .common.portal import KakeuriPortalCommon


@tagged("post_install", "-at_install")
class TestPortalTour(KakeuriPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the demo provider (payment_demo) in the test company, alone, as Odoo's payment tests do
        demo = cls.env.ref("payment.payment_provider_demo")
        providers = cls.env["payment.provider"].sudo().search([("company_id", "=", cls.company.id)])
        providers.write({"state": "disabled"})
        cls.provider = providers.filtered(lambda p: p.code == "demo")[:1] or demo.sudo().copy(
            {"company_id": cls.company.id}
        )
        cls.provider.write(
            {
                "state": "test",
                "is_published": True,
                "journal_id": cls.company_data["default_journal_bank"].id,
            }
        )

    def test_pay_billing_statement_with_demo_provider(self):
        self.assertEqual(self.provider.code, "demo", "payment_demo is installed by make test")
        moves = self.statement_a.move_ids
        self.assertEqual(moves, self.inv_a1 | self.inv_a2)
        exposure_before = self.customer.with_company(self.company).kakeuri_credit_exposure
        self.assertAlmostEqual(exposure_before, 1980.0)

        self.start_tour("/my/receivables", "kakeuri_portal_receivables", login=self.user_a.login)

        tx = self.env["payment.transaction"].search([("invoice_ids", "in", moves.ids)])
        self.assertEqual(len(tx), 1, "one transaction for the statement's invoices")
        self.assertEqual(tx.invoice_ids, moves)
        self.assertEqual(tx.state, "done")
        self.assertAlmostEqual(tx.amount, 1650.0)
        self.assertTrue(tx.payment_id)
        moves.invalidate_recordset()
        self.assertEqual(set(moves.mapped("payment_state")) - {"paid", "in_payment"}, set())
        self.customer.invalidate_recordset()
        exposure_after = self.customer.with_company(self.company).kakeuri_credit_exposure
        self.assertAlmostEqual(exposure_after, 330.0, msg="only the overdue invoice is left")
        self.assertEqual(self.inv_a_old.payment_state, "not_paid")
