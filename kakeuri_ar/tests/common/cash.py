# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Ground for cash matching tests: the JPY and the USD company, each with a transfer fee
account, and helpers for bank lines, confirmed billing statements and proposals."""

from odoo import fields

from .jp import KakeuriJpCommon


class KakeuriCashCommon(KakeuriJpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.companies = (cls.jp_company_data, cls.usd_company_data)
        for data in cls.companies:
            data["company"].kakeuri_fee_account_id = data["default_account_expense"]

    @classmethod
    def customer(cls, data, name, tolerance=0.0, bearer=None, **vals):
        partner = cls.kakeuri_customer(data, name, customer_rank=1, **vals)
        partner = partner.with_company(data["company"])
        partner.kakeuri_fee_tolerance = tolerance
        if bearer:
            partner.kakeuri_fee_bearer = bearer
        return partner

    @classmethod
    def bank_line(cls, data, amount, payer="", remarks="", date="2026-02-25"):
        journal = data["default_journal_bank"]
        return (
            cls.env["account.bank.statement.line"]
            .with_company(data["company"])
            .create(
                {
                    "journal_id": journal.id,
                    "date": date,
                    "amount": amount,
                    "partner_name": payer,
                    "payment_ref": remarks or payer or "/",
                }
            )
        )

    @classmethod
    def confirmed_statement(cls, data, partner, date_ref="2026-02-01"):
        """The confirmed closing-day billing statement of ``partner`` (closing on the 31st)."""
        partner.kakeuri_closing_day = 31
        Statement = cls.env["kakeuri.billing.statement"].with_company(data["company"])
        Statement._cron_close_period(
            date_ref=fields.Date.to_date(date_ref), partners=partner, companies=data["company"]
        )
        statement = Statement.search(
            [("partner_id", "=", partner.id), ("company_id", "=", data["company"].id)]
        )
        statement.action_confirm()
        return statement

    def match(self, *lines):
        lines = self.env["account.bank.statement.line"].union(*lines)
        lines.action_kakeuri_match()
        return lines

    def assertProposal(self, line, state, partner=None, moves=None, fee=0.0, reason=()):
        self.assertEqual(line.kakeuri_match_state, state, line.kakeuri_match_reason)
        self.assertEqual(line.kakeuri_match_partner_id, partner or self.env["res.partner"])
        if moves is not None:
            self.assertEqual(line.kakeuri_match_move_ids, moves)
        self.assertAlmostEqual(line.kakeuri_match_fee, fee)
        for part in reason:
            self.assertIn(part, line.kakeuri_match_reason)
