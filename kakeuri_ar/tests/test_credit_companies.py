# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Credit per company (limits, policies, record rules) and in foreign currencies."""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common.credit import KakeuriCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditCompaniesCurrencies(KakeuriCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_data_2 = cls.setup_other_company(name="Kakeuri Osaka KK")
        cls.company_2 = cls.company_data_2["company"]
        cls.policy_2 = cls.Policy.with_company(cls.company_2).create(
            {"name": "Osaka standard", "company_id": cls.company_2.id, "hold_mode": "block"}
        )
        customer_2 = cls.customer.with_company(cls.company_2)
        customer_2.kakeuri_credit_policy_id = cls.policy_2
        customer_2.credit_limit = 100.0
        cls.eur = cls.setup_other_currency("EUR")  # 2 EUR = 1 USD from 2017
        cls.pricelist_eur = cls.env["product.pricelist"].create(
            {"name": "EUR (test)", "currency_id": cls.eur.id, "company_id": cls.company.id}
        )

    def test_limits_per_company(self):
        self.assertEqual(self.customer.with_company(self.company_2).credit_limit, 100.0)
        self.assertEqual(self.customer.credit_limit, 1000.0)
        self.make_invoice(500.0)  # company 1 exposure does not count in company 2
        order_2 = self.make_order(qty=1, company=self.company_2)
        order_2.action_confirm()
        self.assertEqual(order_2.state, "sale")
        self.assertEqual(self.exposure(company=self.company_2), 100.0)
        self.assertEqual(self.exposure(), 500.0)

    def test_document_company_counts_not_active_company(self):
        """The user works in company 1; the order belongs to company 2 and its limit of 100."""
        order_2 = self.make_order(qty=2, company=self.company_2)
        order_in_c1_env = order_2.with_context(allowed_company_ids=[self.company.id, self.company_2.id])
        self.assertEqual(order_in_c1_env.env.company, self.company)
        with self.assertRefused("Kakeuri Osaka KK"):
            order_in_c1_env.action_confirm()
        with self.assertRefused("limit of \\$\xa0100.00"):
            order_in_c1_env.action_confirm()
        # and a company-1 order of the same amount is fine under the 1000 limit
        order_1 = self.make_order(qty=2).with_context(
            allowed_company_ids=[self.company_2.id, self.company.id]
        )
        order_1.action_confirm()
        self.assertEqual(order_1.state, "sale")

    def test_policy_of_other_company_refused(self):
        partner = self.env["res.partner"].create({"name": "Kabushiki Kaisha Hoshi", "is_company": True})
        with self.assertRaises(ValidationError) as cm:
            partner.kakeuri_credit_policy_id = self.policy_2
        self.assertIn("Osaka standard", str(cm.exception))
        self.assertIn("Kabushiki Kaisha Hoshi", str(cm.exception))
        self.assertFalse(partner.kakeuri_credit_policy_id)

    def test_foreign_currency_order(self):
        """An order of 2,200 EUR is 1,100 USD: over the 1,000 USD limit."""
        self.assertEqual(
            self.eur._convert(2200.0, self.company.currency_id, self.company, "2026-03-15"), 1100.0
        )
        order = self.make_order(qty=22, price=100.0, pricelist=self.pricelist_eur)
        self.assertEqual(order.currency_id, self.eur)
        with self.assertRefused("this document \\$\xa01,100.00"):
            order.action_confirm()
        small = self.make_order(qty=10, price=100.0, pricelist=self.pricelist_eur)  # 500 USD
        small.action_confirm()
        self.assertEqual(self.exposure(), 500.0)
        # the uninvoiced EUR order counts, converted, against the next order
        with self.assertRefused("exposure \\$\xa0500.00"):
            self.make_order(qty=6, price=100.0).action_confirm()


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditOtherCompany(KakeuriCreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company(name="Kakeuri Sapporo KK")["company"]
        cls.policy_2 = cls.Policy.with_company(cls.company_2).create(
            {"name": "Sapporo standard", "company_id": cls.company_2.id, "hold_mode": "block"}
        )
        customer_2 = cls.customer.with_company(cls.company_2)
        customer_2.kakeuri_credit_policy_id = cls.policy_2
        customer_2.credit_limit = 100.0

    def test_policy_record_rule(self):
        """A credit manager of company 2 only neither sees nor reads company 1's policies."""
        user = new_test_user(
            self.env,
            login="kakeuri_sapporo_manager",
            groups="base.group_user,kakeuri_ar.group_credit_manager",
            company_id=self.company_2.id,
            company_ids=[Command.set(self.company_2.ids)],
        )
        policies = self.Policy.with_user(user).search([])
        self.assertIn(self.policy_2, policies)
        self.assertNotIn(self.policy_block, policies)
        with self.assertRaises(AccessError):
            self.policy_block.with_user(user).read(["name"])
        with self.assertRaises(AccessError):
            self.policy_block.with_user(user).write({"default_credit_limit": 1.0})
        self.assertEqual(self.policy_block.default_credit_limit, 500.0)

    def test_post_invoice_in_other_company_than_active(self):
        """Posting a company-2 invoice while working in company 1: company 2's limit (100)
        counts, not company 1's (1,000)."""
        invoice = self.make_invoice(150.0, post=False, company=self.company_2)
        in_c1 = invoice.with_context(allowed_company_ids=[self.company.id, self.company_2.id])
        self.assertEqual(in_c1.env.company, self.company)
        with self.assertRefused("(?s)cannot be posted.*Kakeuri Sapporo KK.*limit of \\$\xa0100.00"):
            in_c1.action_post()
        self.assertEqual(invoice.state, "draft")
        # a company-1 invoice of the same amount, posted from company 2, is within 1,000
        invoice_1 = self.make_invoice(150.0, post=False).with_context(
            allowed_company_ids=[self.company_2.id, self.company.id]
        )
        invoice_1.action_post()
        self.assertEqual(invoice_1.state, "posted")
        self.assertEqual(self.exposure(), 150.0)
        self.assertEqual(self.exposure(company=self.company_2), 150.0)
