# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Credit administration: who sets limits, policies and holds, their defaults, reviews,
the credit status and the Customer Credit views."""

from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.base.models.res_users import name_selection_groups

from .common.credit import KakeuriCreditCommon


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


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditSettings(KakeuriCreditCommon):
    """Limits from policies and company defaults, holds of contacts, groups, reviews."""

    def test_policy_default_limit_with_company_default_limit(self):
        """With a company default credit limit (Settings), a customer without a limit of its
        own reads that default; a policy still gives it the policy's default limit."""
        self.env["ir.default"].set("res.partner", "credit_limit", 5000.0, company_id=self.company.id)
        partner = self.env["res.partner"].create({"name": "Kabushiki Kaisha Minato", "is_company": True})
        self.assertEqual(partner.credit_limit, 5000.0)
        self.assertFalse(partner._kakeuri_has_own_credit_limit())
        partner.kakeuri_credit_policy_id = self.policy_block
        self.assertEqual(partner.credit_limit, 500.0)
        created = self.env["res.partner"].create(
            {
                "name": "Kabushiki Kaisha Shinkai",
                "is_company": True,
                "kakeuri_credit_policy_id": self.policy_block.id,
            }
        )
        self.assertEqual(created.credit_limit, 500.0)
        # a limit of its own is kept, also an explicit 0 (no credit)
        own = self.env["res.partner"].create(
            {
                "name": "Kabushiki Kaisha Oka",
                "is_company": True,
                "credit_limit": 2500.0,
                "kakeuri_credit_policy_id": self.policy_block.id,
            }
        )
        self.assertEqual(own.credit_limit, 2500.0)
        zero = self.env["res.partner"].create({"name": "Kabushiki Kaisha Zero", "is_company": True})
        zero.credit_limit = 0.0
        self.assertTrue(zero._kakeuri_has_own_credit_limit())
        zero.kakeuri_credit_policy_id = self.policy_block
        self.assertEqual(zero.credit_limit, 0.0)

    def test_hold_and_policy_on_contact(self):
        """The hold is synced from the company to its contacts; a hold or policy written on a
        contact (import, RPC) is refused instead of being silently ignored."""
        self.customer.write({"kakeuri_credit_hold": True, "kakeuri_credit_hold_reason": "Cheque bounced"})
        self.assertTrue(self.contact.kakeuri_credit_hold)
        self.assertEqual(self.contact.kakeuri_credit_hold_reason, "Cheque bounced")
        new_contact = self.env["res.partner"].create({"name": "Kato Yui", "parent_id": self.customer.id})
        self.assertTrue(new_contact.kakeuri_credit_hold)
        self.customer.action_kakeuri_credit_release()
        self.assertFalse(any((self.contact | new_contact).mapped("kakeuri_credit_hold")))
        with self.assertRefused(
            "Sato Hanako is a contact of Kabushiki Kaisha Yamato Shoji.*set Credit Hold on Kabushiki "
            "Kaisha Yamato Shoji",
            ValidationError,
        ):
            self.contact.write({"kakeuri_credit_hold": True})
        with self.assertRefused("set Credit Policy on", ValidationError):
            self.contact.kakeuri_credit_policy_id = self.policy_warn
        with self.assertRefused("Ito Ken is a contact of", ValidationError):
            self.env["res.partner"].create(
                {"name": "Ito Ken", "parent_id": self.customer.id, "kakeuri_credit_hold": True}
            )
        self.assertFalse(self.contact.kakeuri_credit_hold)
        self.assertFalse(self.contact.kakeuri_credit_policy_id)
        # the company's own values written on a contact change nothing and pass
        self.contact.write({"kakeuri_credit_hold": False, "kakeuri_credit_policy_id": self.policy_block.id})
        # a contact that becomes a company of its own may get its own credit settings
        self.contact.write({"parent_id": False, "is_company": True, "kakeuri_credit_hold": True})
        self.assertTrue(self.contact.kakeuri_credit_hold)
        self.assertFalse(self.customer.kakeuri_credit_hold)

    def test_groups_have_their_own_selection(self):
        """The receivables groups are their own selection on the user form: a user can be
        Billing (Accounting) and Credit Manager (Receivables) at once."""
        billing = self.env.ref("account.group_account_invoice")
        ar_user = self.env.ref("kakeuri_ar.group_ar_user")
        manager = self.env.ref("kakeuri_ar.group_credit_manager")
        selections = {
            app.xml_id: groups
            for app, kind, groups, _category in self.env["res.groups"].get_groups_by_application()
            if kind == "selection"
        }
        receivables = selections["kakeuri_ar.module_category_kakeuri_receivables"]
        self.assertEqual(receivables, ar_user | manager)
        self.assertIn(billing, selections["base.module_category_accounting_accounting"])
        self.assertNotIn(manager, selections["base.module_category_accounting_accounting"])
        user = new_test_user(self.env, login="kakeuri_billing_credit", groups="base.group_user")
        user.write(
            {
                name_selection_groups(
                    selections["base.module_category_accounting_accounting"].ids
                ): billing.id,
                name_selection_groups(receivables.ids): manager.id,
            }
        )
        self.assertTrue(user.has_group("account.group_account_invoice"))
        self.assertTrue(user.has_group("kakeuri_ar.group_credit_manager"))
        self.assertFalse(user.has_group("account.group_account_manager"))
        # implications kept: billing users work receivables, billing administrators manage credit
        self.assertIn(ar_user, billing.implied_ids)
        self.assertIn(manager, self.env.ref("account.group_account_manager").implied_ids)

    def test_receivables_user_reads_but_cannot_change_credit(self):
        user = new_test_user(
            self.env,
            login="kakeuri_ar_clerk",
            groups="base.group_user,base.group_partner_manager,kakeuri_ar.group_ar_user",
            company_id=self.company.id,
        )
        self.assertFalse(user.has_group("kakeuri_ar.group_credit_manager"))
        customer = self.customer.with_user(user)
        self.assertEqual(customer.credit_limit, 1000.0)
        self.assertEqual(customer.kakeuri_credit_policy_id, self.policy_block)
        self.assertEqual(customer.kakeuri_credit_exposure, 0.0)
        self.assertEqual(
            self.policy_block.with_user(user).read(["default_credit_limit"])[0]["default_credit_limit"], 500.0
        )
        for vals in (
            {"credit_limit": 5000.0},
            {"kakeuri_credit_policy_id": self.policy_warn.id},
            {"kakeuri_credit_hold": True},
        ):
            with self.assertRaises(AccessError):
                customer.write(vals)
        with self.assertRaises(AccessError):
            customer.action_kakeuri_credit_hold()
        with self.assertRaises(AccessError):
            self.policy_block.with_user(user).write({"default_credit_limit": 9999.0})
        with self.assertRaises(AccessError):
            self.Policy.with_user(user).create({"name": "Clerk's own"})
        self.assertEqual(self.customer.credit_limit, 1000.0)
        self.assertFalse(self.customer.kakeuri_credit_hold)
        self.assertEqual(self.policy_block.default_credit_limit, 500.0)

    def test_credit_review_date(self):
        """A change of limit or policy schedules the next review (today + the policy's
        interval); marking the credit reviewed reschedules it; Review Due lists the late ones."""
        self.policy_block.review_interval_months = 6
        partner = self.env["res.partner"].create(
            {
                "name": "Kabushiki Kaisha Yuki",
                "is_company": True,
                "kakeuri_credit_policy_id": self.policy_block.id,
            }
        )
        self.assertEqual(partner.kakeuri_credit_review_date, fields.Date.to_date("2026-09-15"))
        self.policy_warn.review_interval_months = 3
        partner.kakeuri_credit_policy_id = self.policy_warn
        self.assertEqual(partner.kakeuri_credit_review_date, fields.Date.to_date("2026-06-15"))
        with freeze_time("2026-07-01"):
            partner.credit_limit = 800.0
            self.assertEqual(partner.kakeuri_credit_review_date, fields.Date.to_date("2026-10-01"))
        # contacts follow their company; a customer without policy has no review date
        contact = self.env["res.partner"].create({"name": "Mori Aoi", "parent_id": partner.id})
        self.assertFalse(contact.kakeuri_credit_review_date)
        plain = self.env["res.partner"].create({"name": "Kabushiki Kaisha Nashi", "credit_limit": 10.0})
        self.assertFalse(plain.kakeuri_credit_review_date)
        # Review Due filter of the Customer Credit list
        arch = self.env.ref("kakeuri_ar.view_res_partner_kakeuri_credit_search").arch
        domain_src = etree.fromstring(arch).xpath("//filter[@name='filter_review_due']")[0].get("domain")
        with freeze_time("2026-10-02"):
            domain = safe_eval(domain_src, {"context_today": lambda: fields.Date.context_today(partner)})
            candidates = [("id", "in", (partner | self.customer).ids)]
            self.customer.kakeuri_credit_review_date = "2026-12-31"
            self.assertEqual(self.env["res.partner"].search(candidates + domain), partner)
            # reviewed: the next review is in 3 months, no longer due
            partner.with_user(self.credit_manager).action_kakeuri_credit_reviewed()
            self.assertEqual(partner.kakeuri_credit_review_date, fields.Date.to_date("2027-01-02"))
            self.assertFalse(self.env["res.partner"].search(candidates + domain))
        with self.assertRaises(AccessError):
            partner.with_user(self.salesman).action_kakeuri_credit_reviewed()
