# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Findings of the credit-control audit: each test fails without its fix."""

from freezegun import freeze_time
from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.base.models.res_users import name_selection_groups

from .common.credit import KakeuriCreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditAuditDocuments(KakeuriCreditCommon):
    def test_customer_receipt_counted_and_checked(self):
        """A customer receipt (out_receipt) is a debt like an invoice: a draft one counts in the
        exposure and posting one over the limit is refused."""
        self.make_invoice(900.0)
        receipt = self.make_invoice(200.0, post=False, move_type="out_receipt")
        self.assertEqual(receipt.move_type, "out_receipt")
        self.assertEqual(self.exposure(), 1100.0)
        self.assertEqual(self.customer.kakeuri_credit_draft_invoiced, 200.0)
        self.assertTrue(receipt.kakeuri_credit_blocking)
        self.assertIn("Credit limit exceeded", receipt.kakeuri_credit_warning)
        with self.assertRefused("(?s)cannot be posted.*this document \\$\xa0200.00"):
            receipt.action_post()
        self.assertEqual(receipt.state, "draft")
        receipt.button_cancel()
        self.assertEqual(self.exposure(), 900.0)
        small = self.make_invoice(100.0, post=False, move_type="out_receipt")
        small.action_post()  # 900 + 100 = the limit
        self.assertEqual(small.state, "posted")
        self.assertEqual(self.exposure(), 1000.0)

    def test_hold_refuses_invoice_of_confirmed_order(self):
        """A hold refuses every customer invoice, also one made from an order confirmed
        before the hold; credit notes stay allowed."""
        order = self.make_order(qty=3)
        order.action_confirm()
        invoice = order._create_invoices()
        self.assertFalse(invoice.kakeuri_credit_warning)
        self.customer.write({"kakeuri_credit_hold": True, "kakeuri_credit_hold_reason": "Bounced bill"})
        invoice.invalidate_recordset(["kakeuri_credit_warning", "kakeuri_credit_blocking"])
        self.assertTrue(invoice.kakeuri_credit_blocking)
        self.assertIn("on credit hold", invoice.kakeuri_credit_warning)
        with self.assertRefused(
            "(?s)cannot be posted.*Yamato Shoji is on credit hold. \\(Bounced bill\\)"
        ) as cm:
            invoice.action_post()
        self.assertNotIn("Credit limit exceeded", str(cm.exception))
        self.assertEqual(invoice.state, "draft")
        # a receipt too
        receipt = self.make_invoice(10.0, post=False, move_type="out_receipt")
        with self.assertRefused("on credit hold"):
            receipt.action_post()
        # a credit note is never refused
        refund = self.make_invoice(50.0, post=False, move_type="out_refund")
        refund.action_post()
        self.assertEqual(refund.state, "posted")
        self.customer.action_kakeuri_credit_release()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    def test_order_invoice_raised_on_draft_is_rechecked(self):
        """An invoice line made from an order line counts for what it exceeds of what that line
        still had to invoice: a quantity or a price raised on the draft invoice is checked."""
        order = self.make_order(qty=6)  # 600 of the 1,000 limit
        order.action_confirm()
        invoice = order._create_invoices()
        line = invoice.invoice_line_ids
        self.assertEqual(invoice._kakeuri_credit_increase(), 0.0)
        line.quantity = 600  # 60,000
        self.assertEqual(invoice._kakeuri_credit_increase(), 59400.0)
        self.assertTrue(invoice.kakeuri_credit_blocking)
        with self.assertRefused("(?s)cannot be posted.*this document \\$\xa060,000.00"):
            invoice.action_post()
        line.quantity = 6
        line.price_unit = 200.0  # 1,200: 600 more than ordered
        self.assertEqual(invoice._kakeuri_credit_increase(), 600.0)
        with self.assertRefused("over the limit of \\$\xa01,000.00 by \\$\xa0200.00"):
            invoice.action_post()
        line.price_unit = 150.0  # 900: within the limit, posted
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(self.exposure(), 900.0)

    def test_partial_invoices_of_order(self):
        """Invoicing an order in parts adds nothing; a part that goes beyond what is left of
        the order counts for the difference."""
        order = self.make_order(qty=6)
        order.action_confirm()
        first = order._create_invoices()
        first.invoice_line_ids.quantity = 4
        self.assertEqual(first._kakeuri_credit_increase(), 0.0)
        first.action_post()
        self.make_invoice(300.0)  # exposure 600 + 300 = 900
        second = order._create_invoices()
        self.assertEqual(second.invoice_line_ids.quantity, 2)
        self.assertEqual(second._kakeuri_credit_increase(), 0.0)
        second.invoice_line_ids.quantity = 3  # one more than left: +100 -> 1,000, still fine
        self.assertEqual(second._kakeuri_credit_increase(), 100.0)
        second.invoice_line_ids.quantity = 4  # +200 -> 1,100
        with self.assertRefused("Credit limit exceeded"):
            second.action_post()
        second.invoice_line_ids.quantity = 3
        second.action_post()
        self.assertEqual(self.exposure(), 1000.0)

    def test_hold_not_sidestepped_by_invoice_address(self):
        """An order of a held customer billed to another company's address is refused (the
        ordering customer's hold counts); its exposure counts for the invoiced company."""
        billing = self.env["res.partner"].create({"name": "Kabushiki Kaisha Kita Keiri", "is_company": True})
        self.customer.write({"kakeuri_credit_hold": True, "kakeuri_credit_hold_reason": "Bankruptcy filing"})
        order = self.make_order(partner=self.contact, qty=6)
        order.partner_invoice_id = billing
        self.assertTrue(order.kakeuri_credit_blocking)
        self.assertIn("Yamato Shoji is on credit hold", order.kakeuri_credit_warning)
        with self.assertRefused(
            "(?s)cannot be confirmed.*Yamato Shoji is on credit hold. \\(Bankruptcy filing\\)"
        ):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        # the override wizard shows the hold
        wizard = self.env["kakeuri.credit.override.wizard"].create({"order_id": order.id, "reason": "x"})
        self.assertIn("on credit hold", wizard.problems)
        # released: confirmed, and the exposure is the invoiced company's
        self.customer.action_kakeuri_credit_release()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(self.exposure(partner=billing), 600.0)
        self.assertEqual(self.exposure(), 0.0)
        # a hold set afterwards refuses a raise of the order and its invoice
        self.customer.kakeuri_credit_hold = True
        with self.assertRefused("Yamato Shoji is on credit hold"):
            order.order_line.product_uom_qty = 7
        invoice = order._create_invoices()
        self.assertEqual(invoice.partner_id, billing)
        self.assertTrue(invoice.kakeuri_credit_blocking)
        with self.assertRefused("(?s)cannot be posted.*Yamato Shoji is on credit hold"):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")

    def test_refused_change_of_confirmed_order_message(self):
        """A refused raise of a confirmed order says it is a change of that order (which line,
        by how much) and does not point to the override, which is for quotations."""
        order = self.make_order(qty=6)
        order.action_confirm()
        with self.assertRefused("Credit limit exceeded") as cm:
            order.order_line.product_uom_qty = 12
        msg = str(cm.exception)
        self.assertIn(f"The change to confirmed order {order.name} cannot be saved", msg)
        self.assertIn("raises what is still to be invoiced by $\xa0600.00", msg)
        self.assertIn("Tea leaves (test): 12.00 Units at $\xa0100.00", msg)
        self.assertIn("keep the order as it was confirmed", msg)
        self.assertNotIn("override", msg)
        self.assertNotIn("cannot be confirmed", msg)
        self.assertEqual(order.order_line.product_uom_qty, 6)
        # an added line is named too
        with self.assertRefused("Green tea, 1 kg: 5.00 Units at \\$\xa0100.00") as cm:
            order.write(
                {
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "name": "Green tea, 1 kg",
                                "product_uom_qty": 5,
                                "price_unit": 100.0,
                                "tax_id": False,
                            }
                        )
                    ]
                }
            )
        self.assertNotIn("override", str(cm.exception))
        # a quotation still points to the override
        quotation = self.make_order(qty=5)
        with self.assertRefused("(?s)cannot be confirmed.*override this block"):
            quotation.action_confirm()


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditAuditAdministration(KakeuriCreditCommon):
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


@tagged("post_install", "-at_install")
@freeze_time("2026-03-15")
class TestCreditAuditCompaniesAndRights(KakeuriCreditCommon):
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
