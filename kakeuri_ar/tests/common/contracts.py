# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Ground for the contract and closing-day billing tests: own customers, products and taxes."""

from odoo import Command, fields

from . import KakeuriCommon


class KakeuriContractsCommon(KakeuriCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notrack=False))
        company = cls.company_data["company"]
        cls.tax_10 = cls.env["account.tax"].create(
            {
                "name": "10%",
                "amount": 10.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": company.id,
            }
        )
        cls.tax_8 = cls.env["account.tax"].create(
            {
                "name": "8% (reduced)",
                "amount": 8.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": company.id,
            }
        )
        cls.coffee = cls.env["product.product"].create(
            {
                "name": "Kakeuri Coffee Beans",
                "type": "consu",
                "list_price": 3000.0,
                "taxes_id": [Command.set(cls.tax_8.ids)],
            }
        )
        cls.rental = cls.env["product.product"].create(
            {
                "name": "Kakeuri Machine Rental",
                "type": "service",
                "list_price": 5000.0,
                "taxes_id": [Command.set(cls.tax_10.ids)],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "株式会社テスト商事 (Test Shoji)",
                "is_company": True,
                "email": "keiri@test-shoji.example.jp",
            }
        )
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "有限会社サンプル (Sample Ltd.)", "is_company": True, "email": "info@sample.example.jp"}
        )
        cls.responsible = cls.env["res.users"].create(
            {
                "name": "Keiko Tanaka",
                "login": "kakeuri_contract_responsible",
                "email": "tanaka@example.com",
                "groups_id": [Command.set([cls.env.ref("account.group_account_invoice").id])],
            }
        )

    @classmethod
    def make_contract(cls, partner=None, date_start="2026-01-01", activate=True, lines=None, **vals):
        contract = cls.env["kakeuri.contract"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "date_start": date_start,
                "user_id": cls.responsible.id,
                "line_ids": lines
                if lines is not None
                else [
                    Command.create({"product_id": cls.coffee.id, "quantity": 2, "price_unit": 3000.0}),
                    Command.create({"product_id": cls.rental.id, "quantity": 1, "price_unit": 5000.0}),
                ],
                **vals,
            }
        )
        if activate:
            contract.action_activate()
        return contract

    def run_cron(self, date_ref, contracts=None):
        contracts = contracts if contracts is not None else self.env["kakeuri.contract"].search([])
        return self.env["kakeuri.contract"]._cron_generate_invoices(
            date_ref=fields.Date.to_date(date_ref), contract_ids=contracts.ids
        )

    def periods(self, contract):
        return [
            (str(m.kakeuri_period_start), str(m.kakeuri_period_end))
            for m in contract.invoice_ids.filtered(lambda m: m.state != "cancel").sorted(
                "kakeuri_period_start"
            )
        ]
