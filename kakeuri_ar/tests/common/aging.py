# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command

from . import KakeuriCommon


class AgingCommon(KakeuriCommon):
    """Customers with invoices, payments and credit notes at known dates (2026)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Aging = cls.env["kakeuri.aging.report"]
        cls.receivable = cls.company_data["default_account_receivable"]
        cls.revenue = cls.company_data["default_account_revenue"]
        cls.cust_a = cls._customer("株式会社青葉商事 (Aoba Shoji)")
        cls.cust_b = cls._customer("株式会社北斗製作所 (Hokuto Seisakusho)")
        cls.cust_c = cls._customer("有限会社みなと物流 (Minato Butsuryu)")

    @classmethod
    def _customer(cls, name, **vals):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "customer_rank": 1,
                "property_payment_term_id": False,
                "invoice_sending_method": "manual",
                "invoice_edi_format": False,
                **vals,
            }
        )

    @classmethod
    def _invoice(
        cls,
        partner,
        amount,
        inv_date,
        due=None,
        move_type="out_invoice",
        currency=None,
        term=None,
        company=None,
    ):
        company = company or cls.env.company
        vals = {
            "move_type": move_type,
            "partner_id": partner.id,
            "invoice_date": inv_date,
            "date": inv_date,
            "invoice_payment_term_id": term.id if term else False,
            "invoice_line_ids": [
                Command.create(
                    {"name": "Service", "quantity": 1, "price_unit": amount, "tax_ids": [Command.clear()]}
                )
            ],
        }
        if currency:
            vals["currency_id"] = currency.id
        if due and not term:
            vals["invoice_date_due"] = due
        move = cls.env["account.move"].with_company(company).create(vals)
        move.action_post()
        return move

    @classmethod
    def _pay(cls, moves, amount, pay_date, currency=None):
        """Register a payment of ``amount`` on ``moves`` (partial when smaller)."""
        vals = {"payment_date": pay_date, "amount": amount}
        if currency:
            vals["currency_id"] = currency.id
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create(vals)
        )
        if amount < wizard.amount:
            wizard.payment_difference_handling = "open"
        return wizard._create_payments()

    @classmethod
    def _unapplied_payment(cls, partner, amount, pay_date, company=None):
        payment = (
            cls.env["account.payment"]
            .with_company(company or cls.env.company)
            .create(
                {
                    "amount": amount,
                    "date": pay_date,
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": partner.id,
                }
            )
        )
        payment.action_post()
        return payment

    @staticmethod
    def _reconcile(*moves):
        lines = moves[0].line_ids.browse()
        for move in moves:
            lines |= move.line_ids.filtered(lambda ml: ml.account_id.account_type == "asset_receivable")
        lines.reconcile()

    def _row(self, rows, partner, company=None):
        found = [
            r
            for r in rows
            if r["partner_id"] == partner.id and (company is None or r["company_id"] == company.id)
        ]
        self.assertLessEqual(len(found), 1)
        return found[0] if found else None

    def _ledger_balance(self, as_of, companies):
        groups = (
            self.env["account.move.line"]
            .with_context(allowed_company_ids=companies.ids)
            ._read_group(
                [
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("date", "<=", as_of),
                    ("company_id", "in", companies.ids),
                ],
                ["company_id"],
                ["balance:sum"],
            )
        )
        return {company.id: balance for company, balance in groups}
