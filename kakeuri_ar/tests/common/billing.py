# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Ground for the closing-day billing tests (締め請求): customers closing at month end (paying
at the end of the next month) and on the 20th, and helpers to book and close."""

from odoo import Command, fields

from .contracts import KakeuriContractsCommon


class KakeuriBillingCommon(KakeuriContractsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Statement = cls.env["kakeuri.billing.statement"]
        cls.end_of_next_month = cls.env["account.payment.term"].create(
            {
                "name": "月末締め翌月末払い",
                "line_ids": [
                    Command.create(
                        {
                            "value": "percent",
                            "value_amount": 100,
                            "delay_type": "days_after_end_of_next_month",
                            "nb_days": 0,
                        }
                    )
                ],
            }
        )
        cls.customer.write({"kakeuri_closing_day": 31, "property_payment_term_id": cls.end_of_next_month.id})
        cls.customer_b.kakeuri_closing_day = 20

    # ------------------------------------------------------------------ helpers
    def invoice(self, date, amount, partner=None, tax=None, move_type="out_invoice"):
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or self.customer).id,
                "invoice_date": date,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Tab sale",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.set((tax or self.tax_10).ids)],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def pay(self, date, amount, partner=None):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": (partner or self.customer).id,
                "amount": amount,
                "date": date,
            }
        )
        payment.action_post()
        return payment

    def close(self, date_ref, partners=None):
        return self.Statement._cron_close_period(
            date_ref=fields.Date.to_date(date_ref),
            partners=partners or (self.customer | self.customer_b),
            companies=self.env.company,
        )

    def ledger_balance(self, partner, date):
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("company_id", "=", self.env.company.id),
                ("date", "<=", date),
            ]
        )
        return sum(lines.mapped("balance"))

    def assertReconciles(self, statement):
        currency = statement.currency_id
        self.assertAlmostEqual(statement.previous_amount - statement.paid_amount, statement.carryover_amount)
        self.assertAlmostEqual(
            statement.carryover_amount + statement.adjustment_amount + statement.invoiced_amount,
            statement.total_due,
        )
        self.assertAlmostEqual(statement.invoiced_untaxed + statement.invoiced_tax, statement.invoiced_amount)
        self.assertTrue(
            currency.is_zero(
                statement.total_due - self.ledger_balance(statement.partner_id, statement.period_end)
            ),
            "total due %s is the receivable balance at the closing date" % statement.total_due,
        )
