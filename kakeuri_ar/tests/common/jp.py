# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Ground for cash application and direct debit: a Japanese company in JPY beside the usual
USD test company, each with a bank journal.

The Japanese company gets ``l10n_jp``'s chart of accounts when that module is installed (the
second pass of ``make test``) and Odoo's generic chart otherwise: kakeuri_ar never depends on
``l10n_jp``, and its tests prove both."""

from odoo import Command, fields

from . import KakeuriCommon


class KakeuriJpCommon(KakeuriCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.l10n_jp_installed = cls.env["ir.module.module"]._get("l10n_jp").state == "installed"
        cls.jpy = cls.env.ref("base.JPY")
        cls.jpy.active = True
        cls.usd_company_data = cls.company_data
        cls.usd_company = cls.usd_company_data["company"]
        if cls.usd_company.currency_id != cls.env.ref("base.USD"):
            cls.usd_company.currency_id = cls.env.ref("base.USD")
        cls.jp_company = cls.env["res.company"].create(
            {
                "name": "株式会社テスト商事",
                "country_id": cls.env.ref("base.jp").id,
                "currency_id": cls.jpy.id,
            }
        )
        cls.env.user.company_ids |= cls.jp_company
        chart = "jp" if cls.l10n_jp_installed else "generic_coa"
        cls.env["account.chart.template"].try_loading(chart, company=cls.jp_company, install_demo=False)
        cls.jp_company.currency_id = cls.jpy
        cls.jp_company_data = cls.collect_company_accounting_data(cls.jp_company)
        cls.jp_bank_journal = cls.jp_company_data["default_journal_bank"]
        cls.usd_bank_journal = cls.usd_company_data["default_journal_bank"]

    @classmethod
    def kakeuri_customer(cls, company_data, name, **vals):
        """A company customer, visible in ``company_data``'s company only."""
        return cls.env["res.partner"].create(
            {"name": name, "is_company": True, "company_id": company_data["company"].id} | vals
        )

    @classmethod
    def kakeuri_invoice(cls, company_data, partner, amount, date, date_due=None, post=True):
        """A customer invoice of one untaxed line, due on ``date_due`` (default: its date)."""
        date = fields.Date.to_date(date)
        move = (
            cls.env["account.move"]
            .with_company(company_data["company"])
            .create(
                {
                    "move_type": "out_invoice",
                    "company_id": company_data["company"].id,
                    "journal_id": company_data["default_journal_sale"].id,
                    "partner_id": partner.id,
                    "invoice_date": date,
                    "invoice_date_due": fields.Date.to_date(date_due) or date,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Tab sale",
                                "quantity": 1,
                                "price_unit": amount,
                                "account_id": company_data["default_account_revenue"].id,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move
