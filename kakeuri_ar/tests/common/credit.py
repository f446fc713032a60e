# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""World for the credit tests: policies, a customer with a contact, products without tax
(amounts stay readable), a salesperson without accounting rights."""

import contextlib

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user

from . import KakeuriCommon


class KakeuriCreditCommon(KakeuriCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.Policy = cls.env["kakeuri.credit.policy"]
        cls.policy_block = cls.Policy.create(
            {
                "name": "Standard (test)",
                "hold_mode": "block",
                "default_credit_limit": 500.0,
                "block_on_overdue": True,
                "overdue_grace_days": 10,
            }
        )
        cls.policy_warn = cls.Policy.create(
            {
                "name": "Preferred (test)",
                "hold_mode": "warn",
                "default_credit_limit": 500.0,
                "block_on_overdue": True,
                "overdue_grace_days": 10,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Kabushiki Kaisha Yamato Shoji",
                "is_company": True,
                "kakeuri_credit_policy_id": cls.policy_block.id,
                "credit_limit": 1000.0,
            }
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Sato Hanako", "parent_id": cls.customer.id, "type": "contact"}
        )
        cls.product = cls._create_product(
            name="Tea leaves (test)",
            lst_price=100.0,
            taxes_id=[Command.clear()],
            invoice_policy="order",
        )
        cls.salesman = new_test_user(
            cls.env,
            login="kakeuri_salesman",
            name="Suzuki Ichiro (sales)",
            groups="base.group_user,base.group_partner_manager,sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        cls.credit_manager = new_test_user(
            cls.env,
            login="kakeuri_credit_manager",
            name="Tanaka Kenji (credit)",
            groups="base.group_user,sales_team.group_sale_salesman_all_leads,kakeuri_ar.group_credit_manager",
            company_id=cls.company.id,
        )

    # ------------------------------------------------------------------ helpers
    @classmethod
    def make_order(cls, partner=None, qty=1.0, price=100.0, company=None, pricelist=None, env=None):
        env = env or cls.env
        company = company or cls.company
        vals = {
            "partner_id": (partner or cls.customer).id,
            "company_id": company.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.product.id,
                        "product_uom_qty": qty,
                        "price_unit": price,
                        "tax_id": False,
                    }
                )
            ],
        }
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        return env["sale.order"].with_company(company).create(vals)

    @classmethod
    def make_invoice(
        cls, amount, partner=None, post=True, date=None, due=None, company=None, move_type="out_invoice"
    ):
        """A customer invoice of ``amount`` (no tax) dated ``date``, due ``due`` (default: the date)."""
        date = date or fields.Date.context_today(cls.env.user)
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": (partner or cls.customer).id,
                    "invoice_date": date,
                    "date": date,
                    "invoice_date_due": due or date,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": False}
                        )
                    ],
                }
            )
        )
        if post:
            move.with_context(kakeuri_credit_override=True).action_post()
        return move

    def exposure(self, partner=None, company=None):
        partner = (partner or self.customer).with_company(company or self.company)
        partner.invalidate_recordset(["kakeuri_credit_exposure"])
        return partner.kakeuri_credit_exposure

    @staticmethod
    def form_save(record):
        return Form(record).save()

    @contextlib.contextmanager
    def assertRefused(self, regex, exception=UserError):
        """``assertRaisesRegex`` with Odoo's savepoint (the refused change is rolled back)."""
        with self.assertRaises(exception) as cm:
            yield cm
        self.assertRegex(str(cm.exception), regex)
