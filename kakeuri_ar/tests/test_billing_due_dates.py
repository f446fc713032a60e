# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Closing-day customers: an invoice falls due when its billing statement does, everywhere."""

from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common.billing import KakeuriBillingCommon


@tagged("post_install", "-at_install")
class TestClosingDayDueDates(KakeuriBillingCommon):
    """The issue's case: a customer closing on the 20th with 翌月末払い got a statement due
    2026-12-31 listing an invoice due 2026-11-30 in the ledger, so aging, collections and
    dunning called overdue what the statement said was not due yet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_b.property_payment_term_id = cls.end_of_next_month
        cls.env.company.kakeuri_dunning_min_interval_days = 0
        cls.env["kakeuri.dunning.level"]._create_default_levels(cls.env.company)

    def test_invoice_due_date_is_its_statements(self):
        b = self.customer_b
        inv_oct = self.invoice("2026-10-25", 1000.0, partner=b)  # period 10-21 .. 11-20
        inv_closing_day = self.invoice("2026-11-20", 500.0, partner=b)  # the closing day itself
        inv_next = self.invoice("2026-11-21", 300.0, partner=b)  # the next period
        self.assertEqual(inv_oct.invoice_date_due, date(2026, 12, 31), "not 2026-11-30")
        self.assertEqual(inv_closing_day.invoice_date_due, date(2026, 12, 31))
        self.assertEqual(inv_next.invoice_date_due, date(2027, 1, 31))
        receivable = inv_oct.line_ids.filtered(lambda ml: ml.account_id.account_type == "asset_receivable")
        self.assertEqual(receivable.date_maturity, date(2026, 12, 31), "the ledger says the same")
        statement = self.close("2026-11-20", b)
        self.assertEqual(statement.date_due, inv_oct.invoice_date_due)
        # aging and dunning on 2026-12-06: nothing is overdue yet
        rows = self.env["kakeuri.aging.report"].get_aging("2026-12-06", partner_ids=b.ids)
        self.assertEqual(rows[0]["buckets"][1:], [0.0] * (len(rows[0]["buckets"]) - 1))
        self.assertEqual(
            rows[0]["buckets"][0], sum((inv_oct | inv_closing_day | inv_next).mapped("amount_total"))
        )
        run = self.env["kakeuri.dunning.run"].create(
            {"date": "2026-12-06", "company_id": self.env.company.id}
        )
        run.action_compute()
        self.assertFalse(run.line_ids.filtered(lambda ln: ln.partner_id == b))
        # on 2027-01-05 the statement's invoices are overdue, the next period's are not
        rows = self.env["kakeuri.aging.report"].get_aging("2027-01-05", partner_ids=b.ids)
        overdue = sum(rows[0]["buckets"][1:])
        self.assertAlmostEqual(overdue, inv_oct.amount_total + inv_closing_day.amount_total)

    def test_customers_without_closing_day_keep_their_terms(self):
        other = self.env["res.partner"].create(
            {"name": "締めなし商事", "property_payment_term_id": self.end_of_next_month.id}
        )
        inv = self.invoice("2026-10-25", 100.0, partner=other)
        self.assertEqual(inv.invoice_date_due, date(2026, 11, 30))
        # a customer with a closing day but no payment terms: due as Odoo makes it without terms
        other.property_payment_term_id = False
        b = self.customer_b
        b.property_payment_term_id = False
        inv_b = self.invoice("2026-10-25", 100.0, partner=b)
        self.assertEqual(
            inv_b.invoice_date_due, self.invoice("2026-10-25", 100.0, partner=other).invoice_date_due
        )

    def test_existing_posted_invoices_keep_their_dates(self):
        b = self.customer_b
        b.kakeuri_closing_day = 0
        inv = self.invoice("2026-10-25", 100.0, partner=b)
        self.assertEqual(inv.invoice_date_due, date(2026, 11, 30))
        b.kakeuri_closing_day = 20
        self.env.flush_all()
        inv.invalidate_recordset()
        self.assertEqual(inv.invoice_date_due, date(2026, 11, 30))
        # a draft changes with its customer, and is posted with the closing-day due date
        draft = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": b.id,
                "invoice_date": "2026-10-25",
                "invoice_line_ids": [Command.create({"name": "Tab sale", "quantity": 1, "price_unit": 10.0})],
            }
        )
        self.assertEqual(draft.invoice_date_due, date(2026, 12, 31))
        draft.action_post()
        self.assertEqual(draft.invoice_date_due, date(2026, 12, 31))

    def test_draft_made_before_the_closing_day_falls_due_by_it_when_posted(self):
        b = self.customer_b
        b.kakeuri_closing_day = 0
        draft = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": b.id,
                "invoice_date": "2026-10-25",
                "invoice_line_ids": [Command.create({"name": "Tab sale", "quantity": 1, "price_unit": 10.0})],
            }
        )
        self.assertEqual(draft.invoice_date_due, date(2026, 11, 30))
        b.kakeuri_closing_day = 20
        draft.action_post()
        self.assertEqual(draft.invoice_date_due, date(2026, 12, 31))
        receivable = draft.line_ids.filtered(lambda ml: ml.display_type == "payment_term")
        self.assertEqual(receivable.date_maturity, date(2026, 12, 31))
