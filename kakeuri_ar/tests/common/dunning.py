# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, timedelta

from odoo import Command

from . import KakeuriCommon

TODAY = date(2026, 3, 31)


class DunningCommon(KakeuriCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.kakeuri_dunning_min_interval_days = 0
        cls.env["kakeuri.dunning.level"]._create_default_levels(cls.company)
        Level = cls.env["kakeuri.dunning.level"]
        cls.levels = Level.search([("company_id", "=", cls.company.id)])
        cls.level_friendly, cls.level_second, cls.level_final, cls.level_call = cls.levels.sorted(
            "days_overdue"
        )
        cls.customers = cls.env["res.partner"].create(
            [
                {"name": f"Customer {i} KK", "is_company": True, "email": f"ap{i}@customer{i}.example.jp"}
                for i in range(1, 7)
            ]
        )

    @classmethod
    def _dispute(cls, invoice, amount=None, reason="Goods returned"):
        """An open dispute over ``amount`` of ``invoice`` (all of its open amount by default)."""
        return cls.env["kakeuri.dispute"].create(
            {
                "move_id": invoice.id,
                "amount": invoice.amount_residual if amount is None else amount,
                "reason": reason,
            }
        )

    @classmethod
    def _invoice(cls, partner, amount, days_overdue, ref_date=TODAY, company=None, post=True):
        """A posted customer invoice without tax, due ``days_overdue`` days before ``ref_date``."""
        company = company or cls.company
        due = ref_date - timedelta(days=days_overdue)
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "invoice_date": due - timedelta(days=30),
                    "invoice_date_due": due,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Goods", "quantity": 1.0, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move

    def _run(self, run_date=TODAY, levels=None, company=None):
        company = company or self.company
        run = (
            self.env["kakeuri.dunning.run"]
            .with_company(company)
            .create(
                {
                    "date": run_date,
                    "company_id": company.id,
                    "level_ids": [Command.set((levels or self.levels).ids)],
                }
            )
        )
        run.action_compute()
        return run

    @classmethod
    def _levels_skippable(cls):
        """Levels that may be skipped: a customer gets the level its invoices reached at once,
        without the levels before it. For the tests of what a level does (fees, holds, letters,
        activities, promises, companies), not of escalation."""
        cls.levels.write({"skippable": True})

    def _line(self, run, partner):
        return run.line_ids.filtered(lambda ln: ln.partner_id == partner)

    def _mails(self, partner):
        return self.env["mail.mail"].search([("model", "=", "res.partner"), ("res_id", "=", partner.id)])
