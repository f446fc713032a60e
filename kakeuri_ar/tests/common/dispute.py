# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Ground for disputes and invoice corrections: the USD and the JPY company, a customer in
each, taxed invoices, and the people who work them (a receivables user without accounting
rights, a billing user, a credit manager, a salesperson)."""

import contextlib

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user

from .jp import KakeuriJpCommon


class KakeuriDisputeCommon(KakeuriJpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Dispute = cls.env["kakeuri.dispute"]
        companies = cls.usd_company + cls.jp_company
        common = {"company_id": cls.usd_company.id, "company_ids": companies.ids}
        cls.ar_user = new_test_user(
            cls.env, login="dispute_ar_user", groups="base.group_user,kakeuri_ar.group_ar_user", **common
        )
        cls.billing_user = new_test_user(
            cls.env, login="dispute_billing", groups="base.group_user,account.group_account_invoice", **common
        )
        cls.credit_manager = new_test_user(
            cls.env,
            login="dispute_manager",
            groups="base.group_user,kakeuri_ar.group_credit_manager",
            **common,
        )
        cls.salesman = new_test_user(
            cls.env,
            login="dispute_salesman",
            groups="base.group_user,sales_team.group_sale_salesman,account.group_account_readonly",
            **common,
        )
        cls.customer_usd = cls.kakeuri_customer(
            cls.usd_company_data, "Yamato Trading Co.", email="ap@yamato.example.com"
        )
        cls.customer_jp = cls.kakeuri_customer(
            cls.jp_company_data, "株式会社やまと商事", email="keiri@yamato.example.jp", lang="en_US"
        )
        cls.worlds = [
            (cls.usd_company_data, cls.customer_usd, 1000.0),
            (cls.jp_company_data, cls.customer_jp, 100000.0),
        ]

    @classmethod
    def taxed_invoice(cls, company_data, partner, price, date, post=True):
        """A customer invoice of one line at ``price`` with the company's sales tax."""
        tax = company_data["default_tax_sale"]
        move = (
            cls.env["account.move"]
            .with_company(company_data["company"])
            .create(
                {
                    "move_type": "out_invoice",
                    "company_id": company_data["company"].id,
                    "journal_id": company_data["default_journal_sale"].id,
                    "partner_id": partner.id,
                    "invoice_date": fields.Date.to_date(date),
                    "invoice_date_due": fields.Date.to_date(date),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Green tea, 10 cases",
                                "quantity": 10,
                                "price_unit": price / 10,
                                "account_id": company_data["default_account_revenue"].id,
                                "tax_ids": [Command.set(tax.ids)],
                            }
                        )
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def pay(cls, invoice, amount, date):
        """Register a payment of ``amount`` on ``invoice``; returns its receivable line."""
        payments = (
            cls.env["account.payment.register"]
            .with_company(invoice.company_id)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": fields.Date.to_date(date)})
            ._create_payments()
        )
        return payments.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def new_dispute(self, invoice, amount, reason="Two cases arrived damaged", user=None):
        env = self.env(user=user) if user else self.env
        return (
            env["kakeuri.dispute"]
            .with_company(invoice.company_id)
            .create({"move_id": invoice.id, "amount": amount, "reason": reason})
        )

    def messages(self, record):
        return "\n".join(record.message_ids.mapped("body"))

    @contextlib.contextmanager
    def assertRefused(self, regex, exception=UserError):
        """``assertRaisesRegex`` in Odoo's savepoint: the refused change is rolled back."""
        with self.assertRaises(exception) as cm:
            yield cm
        self.assertRegex(str(cm.exception), regex)
