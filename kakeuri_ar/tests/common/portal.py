# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Ground for the portal tests: two customers of the test company, each with a portal login,
invoices of last month closed into a confirmed billing statement, and an overdue invoice for
the first one. Dates are relative to today: the portal runs in a browser, where time cannot be
frozen."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase

from .billing import KakeuriBillingCommon


class KakeuriPortalCommon(KakeuriBillingCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.today = fields.Date.context_today(cls.env.user)
        cls.last_month_end = cls.today.replace(day=1) - timedelta(days=1)
        cls.user_a = cls._kakeuri_portal_user("kakeuri_portal_a", cls.customer)
        cls.user_b = cls._kakeuri_portal_user("kakeuri_portal_b", cls.customer_b)
        # customer A closes at month end: last month's two invoices are on its statement;
        # an older one is overdue
        cls.inv_a_old = cls._kakeuri_invoice(cls.today - timedelta(days=75), 300.0, cls.customer)
        cls.inv_a1 = cls._kakeuri_invoice(cls.last_month_end - timedelta(days=10), 1000.0, cls.customer)
        cls.inv_a2 = cls._kakeuri_invoice(cls.last_month_end - timedelta(days=5), 500.0, cls.customer)
        # customer B closes on the 20th
        cls.inv_b1 = cls._kakeuri_invoice(
            cls.last_month_end.replace(day=20) - timedelta(days=3), 2000.0, cls.customer_b
        )
        statements = cls.Statement._cron_close_period(
            date_ref=cls.last_month_end, partners=cls.customer | cls.customer_b, companies=cls.company
        )
        statements.action_confirm()
        cls.statement_a = statements.filtered(
            lambda s: s.partner_id == cls.customer and s.period_end == cls.last_month_end
        )
        cls.statement_b = statements.filtered(lambda s: s.partner_id == cls.customer_b).sorted("period_end")[
            -1:
        ]

    @classmethod
    def _kakeuri_portal_user(cls, login, partner):
        return (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "login": login,
                    "password": login,
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "company_ids": [Command.set(cls.company.ids)],
                    "groups_id": [Command.set(cls.env.ref("base.group_portal").ids)],
                }
            )
        )

    @classmethod
    def _kakeuri_invoice(cls, date, amount, partner):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Tab sale",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.set(cls.tax_10.ids)],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def kakeuri_amount_text(self, amount):
        """An amount as the portal's monetary widget prints it, digits only ("1,980.00")."""
        return "{:,.{prec}f}".format(amount, prec=self.currency.decimal_places)
