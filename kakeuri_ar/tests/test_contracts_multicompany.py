# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Contracts and closing-day statements in two companies with different currencies."""

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common.contracts import KakeuriContractsCommon


@tagged("post_install", "-at_install")
class TestContractsMultiCompany(KakeuriContractsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR")
        cls.company_2_data = cls.setup_other_company(name="Kakeuri Europe", currency_id=cls.eur.id)
        cls.company_1 = cls.company_data["company"]
        cls.company_2 = cls.company_2_data["company"]
        cls.env.user.company_ids |= cls.company_2
        cls.customer.kakeuri_closing_day = 31
        cls.user_c1 = cls.env["res.users"].create(
            {
                "name": "Company One Clerk",
                "login": "kakeuri_mc_clerk",
                "company_id": cls.company_1.id,
                "company_ids": [Command.set(cls.company_1.ids)],
                "groups_id": [
                    Command.set(
                        [
                            cls.env.ref("account.group_account_invoice").id,
                            cls.env.ref("kakeuri_ar.group_ar_user").id,
                        ]
                    )
                ],
            }
        )

    def _invoice(self, company, date, amount):
        move = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": date,
                    "company_id": company.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Tab sale", "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    @freeze_time("2026-02-15")
    def test_contract_follows_its_company(self):
        env2 = self.env(
            context=dict(self.env.context, allowed_company_ids=[self.company_2.id, self.company_1.id])
        )
        contract = env2["kakeuri.contract"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company_2.id,
                "date_start": "2026-01-01",
                "line_ids": [Command.create({"name": "Maintenance", "quantity": 1, "price_unit": 100.0})],
            }
        )
        self.assertEqual(contract.currency_id, self.eur)
        self.assertEqual(contract.journal_id.company_id, self.company_2)
        contract.action_activate()
        self.assertEqual(self.run_cron("2026-02-15", contract), 2)
        invoices = contract.invoice_ids
        self.assertEqual(invoices.company_id, self.company_2)
        self.assertEqual(invoices.currency_id, self.eur)
        self.assertEqual(invoices.journal_id, contract.journal_id)
        # a draft contract moved to the other company takes that company's currency and journal
        draft = self.make_contract(activate=False)
        self.assertEqual(draft.currency_id, self.company_1.currency_id)
        draft.with_context(
            allowed_company_ids=[self.company_1.id, self.company_2.id]
        ).company_id = self.company_2
        self.assertEqual(draft.currency_id, self.eur)
        self.assertEqual(draft.journal_id.company_id, self.company_2)
        # a user of company 1 does not see the company 2 contract
        self.assertFalse(
            self.env["kakeuri.contract"].with_user(self.user_c1).search([("id", "=", contract.id)])
        )

    @freeze_time("2026-02-01")
    def test_statements_per_company(self):
        self._invoice(self.company_1, "2026-01-10", 1000.0)
        self._invoice(self.company_2, "2026-01-12", 70.0)
        statements = self.env["kakeuri.billing.statement"]._cron_close_period(
            date_ref=fields.Date.to_date("2026-01-31"),
            partners=self.customer,
            companies=self.company_1 | self.company_2,
        )
        self.assertEqual(len(statements), 2)
        st1 = statements.filtered(lambda s: s.company_id == self.company_1)
        st2 = statements.filtered(lambda s: s.company_id == self.company_2)
        self.assertEqual((st1.total_due, st1.currency_id), (1000.0, self.company_1.currency_id))
        self.assertEqual((st2.total_due, st2.currency_id), (70.0, self.eur))
        self.assertEqual(len(st1.move_ids), 1)
        self.assertEqual(st1.move_ids.company_id, self.company_1)
        # record rules: a company 1 user sees only the company 1 statement and its lines
        Statement = self.env["kakeuri.billing.statement"].with_user(self.user_c1)
        self.assertEqual(Statement.search([("id", "in", statements.ids)]), st1)
        with self.assertRaises(AccessError):
            Statement.browse(st2.id).read(["total_due"])
        self.assertEqual(
            self.env["kakeuri.billing.statement.line"]
            .with_user(self.user_c1)
            .search([("statement_id", "in", statements.ids)])
            .statement_id,
            st1,
        )
