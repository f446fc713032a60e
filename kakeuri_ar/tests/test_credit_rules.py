# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import html

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common.credit import KakeuriCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditWarnAndOverride(KakeuriCreditCommon):
    def test_warn_mode_banner_no_refusal(self):
        self.customer.kakeuri_credit_policy_id = self.policy_warn
        self.make_invoice(900.0)
        order = self.make_order(qty=2)
        self.assertIn("Credit limit exceeded", order.kakeuri_credit_warning)
        self.assertFalse(order.kakeuri_credit_blocking)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        # the confirmed order still shows the customer is over
        self.assertIn("over the limit", order.kakeuri_credit_warning)
        invoice = self.make_invoice(100.0, post=False)
        self.assertIn("Credit limit exceeded", invoice.kakeuri_credit_warning)
        self.assertFalse(invoice.kakeuri_credit_blocking)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(self.customer.kakeuri_credit_status, "over")
        # a hold blocks even under a 'warn' policy
        self.customer.kakeuri_credit_hold = True
        order2 = self.make_order(qty=1)
        self.assertTrue(order2.kakeuri_credit_blocking)
        with self.assertRefused("on credit hold"):
            order2.action_confirm()

    def test_banner_in_form(self):
        self.make_invoice(950.0)
        form = Form(self.env["sale.order"])
        form.partner_id = self.contact
        with form.order_line.new() as line:
            line.product_id = self.product
            line.product_uom_qty = 1
            line.tax_id.clear()
        self.assertIn("Credit limit exceeded", form.kakeuri_credit_warning)
        self.assertTrue(form.kakeuri_credit_blocking)
        order = form.save()
        self.assertTrue(order.kakeuri_credit_blocking)

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
class TestCreditAdministration(KakeuriCreditCommon):
    def test_salesperson_cannot_change_credit(self):
        partner = self.customer.with_user(self.salesman)
        for vals in (
            {"credit_limit": 5000.0},
            {"kakeuri_credit_hold": True},
            {"kakeuri_credit_policy_id": self.policy_warn.id},
        ):
            with self.assertRaises(AccessError):
                partner.write(vals)
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesman).create(
                {"name": "Kabushiki Kaisha Sora", "kakeuri_credit_policy_id": self.policy_block.id}
            )
        # other fields stay editable, and a plain new customer is fine
        partner.write({"phone": "+81 3-1234-5678"})
        self.env["res.partner"].with_user(self.salesman).create({"name": "Kabushiki Kaisha Umi"})
        with self.assertRaises(AccessError):
            self.policy_block.with_user(self.salesman).write({"default_credit_limit": 1.0})
        self.assertEqual(self.customer.credit_limit, 1000.0)
        self.assertFalse(self.customer.kakeuri_credit_hold)

    def test_salesperson_adds_contact_to_customer_with_limit(self):
        """Odoo copies the company's limit to a new contact: that is not a change of limit."""
        contact = (
            self.env["res.partner"]
            .with_user(self.salesman)
            .create({"name": "Ito Jiro", "parent_id": self.customer.id, "type": "contact"})
        )
        self.assertEqual(contact.sudo().credit_limit, 1000.0)
        contact.with_user(self.salesman).write({"email": "ito@example.jp"})
        # a credit manager's change of the company's limit reaches its contacts
        self.customer.with_user(self.credit_manager).credit_limit = 1500.0
        self.assertEqual(contact.sudo().credit_limit, 1500.0)
        with self.assertRaises(AccessError):
            contact.with_user(self.salesman).write({"credit_limit": 9999.0})

    def test_credit_manager_changes_are_tracked(self):
        # Records created in this transaction are not tracked until it ends: end it.
        self.env.cr.precommit.clear()
        partner = self.customer.with_user(self.credit_manager).with_context(
            tracking_disable=False, mail_notrack=False
        )
        partner.write({"credit_limit": 2000.0})
        partner.action_kakeuri_credit_hold()
        self.env.flush_all()
        self.env.cr.precommit.run()  # mail tracking is written at commit time
        self.env.invalidate_all()
        values = self.customer.message_ids.tracking_value_ids
        limit_track = values.filtered(lambda v: v.field_id.name == "credit_limit")
        self.assertEqual(limit_track.old_value_float, 1000.0)
        self.assertEqual(limit_track.new_value_float, 2000.0)
        hold_track = values.filtered(lambda v: v.field_id.name == "kakeuri_credit_hold")
        self.assertTrue(hold_track)
        self.assertEqual(hold_track.mail_message_id.author_id, self.credit_manager.partner_id)

    def test_bad_input(self):
        with self.assertRaises(ValidationError) as cm:
            self.customer.credit_limit = -5.0
        self.assertIn("-5.0", str(cm.exception))
        self.assertIn("Kabushiki Kaisha Yamato Shoji", str(cm.exception))
        with self.assertRaises(ValidationError) as cm:
            self.policy_block.overdue_grace_days = -3
        self.assertIn("-3", str(cm.exception))
        self.assertIn("Standard (test)", str(cm.exception))
        with self.assertRaises(ValidationError):
            self.Policy.create({"name": "Bad", "default_credit_limit": -1.0})
        self.assertEqual(self.customer.credit_limit, 1000.0)
        self.assertEqual(self.policy_block.overdue_grace_days, 10)

    def test_policy_gives_defaults(self):
        term = self.env.ref("account.account_payment_term_30days")
        self.policy_block.payment_term_id = term
        partner = self.env["res.partner"].create({"name": "Kabushiki Kaisha Hikari", "is_company": True})
        partner.kakeuri_credit_policy_id = self.policy_block
        self.assertEqual(partner.credit_limit, 500.0)
        self.assertEqual(partner.property_payment_term_id, term)
        # an existing limit is kept
        other = self.env["res.partner"].create(
            {
                "name": "Kabushiki Kaisha Kaze",
                "is_company": True,
                "credit_limit": 2500.0,
                "kakeuri_credit_policy_id": self.policy_block.id,
            }
        )
        self.assertEqual(other.credit_limit, 2500.0)
        self.assertEqual(self.policy_block.partner_count, 3)

    def test_status_search_and_list(self):
        near = self.env["res.partner"].create(
            {
                "name": "Kabushiki Kaisha Near",
                "is_company": True,
                "kakeuri_credit_policy_id": self.policy_block.id,
                "credit_limit": 100.0,
            }
        )
        self.make_invoice(85.0, partner=near)
        self.make_invoice(1200.0)
        held = self.env["res.partner"].create(
            {"name": "Kabushiki Kaisha Held", "is_company": True, "kakeuri_credit_hold": True}
        )
        mine = self.customer | self.contact | near | held
        Partner = self.env["res.partner"]

        def search(domain):
            return Partner.search([("id", "in", mine.ids), *domain])

        self.assertEqual(search([("kakeuri_credit_status", "=", "over")]), self.customer | self.contact)
        self.assertEqual(search([("kakeuri_credit_status", "=", "near")]), near)
        self.assertEqual(search([("kakeuri_credit_status", "=", "hold")]), held)
        self.assertEqual(
            search([("kakeuri_credit_status", "in", ["over", "hold"])]), self.customer | self.contact | held
        )
        self.assertEqual(search([("kakeuri_credit_status", "!=", "over")]), near | held)
        action = self.env["ir.actions.actions"]._for_xml_id("kakeuri_ar.action_kakeuri_credit_partners")
        self.assertEqual(search([("kakeuri_credit_status", "!=", "none")]), mine)
        # the Customer Credit list shows each customer once, not its contacts
        self.assertEqual(search(safe_eval(action["domain"])), self.customer | near | held)
        plain = Partner.create({"name": "Kabushiki Kaisha Plain"})
        self.assertIn(plain, Partner.search([("kakeuri_credit_status", "=", "none")]))
        self.assertNotIn(plain, Partner.search([("kakeuri_credit_status", "!=", "none")]))

    def test_open_items_action(self):
        self.make_invoice(100.0)
        self.make_invoice(30.0, partner=self.contact)
        action = self.customer.action_kakeuri_open_items()
        lines = self.env["account.move.line"].search(action["domain"])
        self.assertEqual(len(lines), 2)
        self.assertEqual(sum(lines.mapped("amount_residual")), 130.0)
        self.assertEqual(self.customer.kakeuri_open_item_count, 2)

    def test_views_load(self):
        """The credit tab, list and banners render for a credit manager and a salesperson."""
        for user in (self.credit_manager, self.salesman):
            env = self.env(user=user)
            arch = env["res.partner"].get_views([(False, "form")])["views"]["form"]["arch"]
            self.assertEqual('name="kakeuri_credit"' in arch, user == self.credit_manager)
            arch = env["sale.order"].get_views([(False, "form")])["views"]["form"]["arch"]
            self.assertIn("kakeuri_credit_warning", arch)
            self.assertEqual("action_kakeuri_override_credit" in arch, user == self.credit_manager)
        view = self.env.ref("kakeuri_ar.view_res_partner_kakeuri_credit_list")
        self.assertIn("kakeuri_credit_exposure", view.arch)
        # the forms open (their modifiers are evaluated) and save
        Form(self.customer).save()
        Form(self.contact).save()
        Form(self.policy_block).save()
        invoice = self.make_invoice(2000.0, post=False)
        with Form(invoice) as invoice_form:
            self.assertTrue(invoice_form.kakeuri_credit_blocking)
        order = self.make_order(qty=20)
        wizard_form = Form(self.env["kakeuri.credit.override.wizard"].with_context(default_order_id=order.id))
        wizard_form.reason = "Bank guarantee received"
        wizard = wizard_form.save()
        self.assertEqual(wizard.order_amount, 2000.0)
        wizard.action_confirm()
        self.assertEqual(order.state, "sale")
