# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Periods of a contract: counted from the start date, cut by the end date, skipped while
paused or closed, billed again when their invoice goes."""

from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.tests import tagged

from ..models.kakeuri_recurrence_mixin import month_day, period_start
from .common.contracts import KakeuriContractsCommon


@tagged("post_install", "-at_install")
class TestContractPeriods(KakeuriContractsCommon):
    @freeze_time("2026-04-01")
    def test_monthly_from_31st_february(self):
        """Periods are counted from the start date, not chained: Jan 31, Feb 28, Mar 31."""
        contract = self.make_contract(date_start="2026-01-31")
        self.assertEqual(contract.state, "active")
        self.assertEqual(str(contract.next_invoice_date), "2026-01-31")
        self.assertEqual(self.run_cron("2026-04-01", contract), 3)
        self.assertEqual(
            self.periods(contract),
            [
                ("2026-01-31", "2026-02-27"),
                ("2026-02-28", "2026-03-30"),
                ("2026-03-31", "2026-04-29"),
            ],
        )
        self.assertEqual(str(contract.next_invoice_date), "2026-04-30")
        invoices = contract.invoice_ids.sorted("kakeuri_period_start")
        self.assertEqual(
            [str(d) for d in invoices.mapped("invoice_date")], ["2026-01-31", "2026-02-28", "2026-03-31"]
        )
        # leap year: a contract from 2028-01-31 bills 2028-02-29
        leap = self.make_contract(date_start="2028-01-31")
        self.assertEqual(str(leap._get_period_start(1)), "2028-02-29")
        self.assertEqual(str(leap._get_period_start(2)), "2028-03-31")

    def test_weekly_quarterly_yearly_intervals(self):
        weekly = self.make_contract(date_start="2026-01-05", recurring_rule="weekly", recurring_interval=2)
        self.assertEqual(self.run_cron("2026-02-01", weekly), 2)
        self.assertEqual(self.periods(weekly), [("2026-01-05", "2026-01-18"), ("2026-01-19", "2026-02-01")])
        quarterly = self.make_contract(date_start="2026-01-01", recurring_rule="quarterly")
        self.assertEqual(self.run_cron("2026-07-01", quarterly), 3)
        self.assertEqual(self.periods(quarterly)[1], ("2026-04-01", "2026-06-30"))
        yearly = self.make_contract(date_start="2024-02-29", recurring_rule="yearly")
        self.assertEqual(self.run_cron("2026-03-01", yearly), 3)
        self.assertEqual(
            self.periods(yearly),
            [("2024-02-29", "2025-02-27"), ("2025-02-28", "2026-02-27"), ("2026-02-28", "2027-02-27")],
        )

    def test_pause_and_resume(self):
        contract = self.make_contract(date_start="2026-01-01")
        with freeze_time("2026-01-15"):
            self.assertEqual(self.run_cron("2026-01-15", contract), 1)
            contract.action_pause()
        self.assertEqual(contract.state, "paused")
        with freeze_time("2026-03-10"):
            self.assertEqual(self.run_cron("2026-03-10", contract), 0, "a paused contract is not billed")
            contract.action_resume()
        self.assertEqual(contract.state, "active")
        # February and March started while paused: not billed; billing restarts in April
        self.assertEqual(str(contract.next_invoice_date), "2026-04-01")
        self.assertTrue(
            contract.message_ids.filtered(
                lambda m: "while paused" in (m.body or "") and "02/01/2026" in m.body
            )
        )
        with freeze_time("2026-04-02"):
            self.assertEqual(self.run_cron("2026-04-02", contract), 1)
        self.assertEqual(self.periods(contract), [("2026-01-01", "2026-01-31"), ("2026-04-01", "2026-04-30")])

    @freeze_time("2026-03-01")
    def test_end_date_mid_period(self):
        contract = self.make_contract(date_start="2026-01-01", date_end="2026-02-14")
        self.assertEqual(self.run_cron("2026-03-01", contract), 2)
        self.assertEqual(self.periods(contract), [("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-14")])
        # without pro rata, the shortened last period is billed in full
        self.assertEqual(contract.invoice_ids.mapped("amount_untaxed"), [11000.0, 11000.0])
        self.assertEqual(contract.state, "closed")
        self.assertFalse(contract.next_invoice_date)
        self.assertTrue(contract.message_ids.filtered(lambda m: "the contract is closed" in (m.body or "")))

        prorated = self.make_contract(
            date_start="2026-01-01", date_end="2026-02-14", prorate_last_period=True
        )
        self.run_cron("2026-03-01", prorated)
        last = prorated.invoice_ids.filtered(lambda m: str(m.kakeuri_period_start) == "2026-02-01")
        # 14 of 28 days: half the quantities
        self.assertEqual(last.invoice_line_ids.mapped("quantity"), [1.0, 0.5])
        self.assertEqual(last.amount_untaxed, 5500.0)

    def test_rebill_keeps_periods_skipped_on_purpose(self):
        """Billing a cancelled period again bills that period only, not the periods skipped by
        a resume or by a next invoice date set by hand."""
        contract = self.make_contract(date_start="2026-01-01")
        with freeze_time("2026-01-15"):
            self.run_cron("2026-01-15", contract)
            contract.action_pause()
        with freeze_time("2026-03-10"):
            contract.action_resume()  # February and March are not billed
        self.assertEqual(str(contract.next_invoice_date), "2026-04-01")
        with freeze_time("2026-04-02"):
            self.assertEqual(self.run_cron("2026-04-02", contract), 1)
            january = contract.invoice_ids.filtered(lambda m: str(m.kakeuri_period_start) == "2026-01-01")
            january.button_draft()
            january.button_cancel()
            self.assertEqual(str(contract.next_invoice_date), "2026-05-01")
            self.assertEqual(self.run_cron("2026-04-02", contract), 1, "January only")
        self.assertEqual(self.periods(contract), [("2026-01-01", "2026-01-31"), ("2026-04-01", "2026-04-30")])
        self.assertFalse(contract.rebill_period_starts)

        # a next invoice date set by hand skips May and June; a deleted April invoice is billed
        # again without them
        hand = self.make_contract(partner=self.customer_b, date_start="2026-01-01", auto_post=False)
        with freeze_time("2026-04-15"):
            self.run_cron("2026-04-15", hand)
            hand.next_invoice_date = "2026-07-01"
            hand.invoice_ids.filtered(lambda m: str(m.kakeuri_period_start) == "2026-04-01").unlink()
        self.assertEqual(str(hand.next_invoice_date), "2026-07-01")
        with freeze_time("2026-07-02"):
            self.assertEqual(self.run_cron("2026-07-02", hand), 2)
        self.assertEqual(
            [start for start, _end in self.periods(hand)],
            ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-07-01"],
        )
        self.assertEqual(str(hand.next_invoice_date), "2026-08-01")

    def test_resume_keeps_reopened_period_and_lists_only_unbilled(self):
        contract = self.make_contract(date_start="2026-01-01", auto_post=False)
        with freeze_time("2026-02-15"):
            self.run_cron("2026-02-15", contract)  # January and February
            contract.action_pause()
            contract.invoice_ids.filtered(lambda m: str(m.kakeuri_period_start) == "2026-01-01").unlink()
            # the next date moved back by hand, before January
            contract.next_invoice_date = "2026-01-01"
        with freeze_time("2026-04-10"):
            contract.action_resume()
        self.assertEqual(str(contract.next_invoice_date), "2026-05-01")
        note = contract.message_ids.filtered(lambda m: "while paused" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("03/01/2026", note.body)
        self.assertIn("04/01/2026", note.body)
        self.assertNotIn("01/01/2026", note.body, "January is billed again, not skipped")
        self.assertNotIn("02/01/2026", note.body, "February has an invoice")
        self.assertEqual(contract.rebill_period_starts, ["2026-01-01"])
        with freeze_time("2026-04-10"):
            self.assertEqual(self.run_cron("2026-04-10", contract), 1, "the reopened January")
        with freeze_time("2026-05-02"):
            self.assertEqual(self.run_cron("2026-05-02", contract), 1)
        self.assertEqual(
            [start for start, _end in self.periods(contract)], ["2026-01-01", "2026-02-01", "2026-05-01"]
        )

    def test_reopen_closed_contract_skips_closed_time(self):
        contract = self.make_contract(date_start="2026-01-01")
        with freeze_time("2026-02-15"):
            self.run_cron("2026-02-15", contract)
            contract.action_close()
        with freeze_time("2026-05-10"):
            contract.action_activate()
            self.assertEqual(contract.state, "active")
            self.assertEqual(str(contract.next_invoice_date), "2026-06-01")
            self.assertEqual(self.run_cron("2026-05-10", contract), 0, "the closed months are not billed")
        note = contract.message_ids.filtered(lambda m: "while the contract was closed" in (m.body or ""))
        self.assertEqual(len(note), 1)
        for day in ("03/01/2026", "04/01/2026", "05/01/2026"):
            self.assertIn(day, note.body)
        self.assertNotIn("02/01/2026", note.body)
        with freeze_time("2026-06-02"):
            self.assertEqual(self.run_cron("2026-06-02", contract), 1)
        self.assertEqual(
            [start for start, _end in self.periods(contract)], ["2026-01-01", "2026-02-01", "2026-06-01"]
        )

    def test_mid_period_next_date_does_not_bill_the_running_period(self):
        contract = self.make_contract(date_start="2026-01-01")
        with freeze_time("2026-01-15"):
            self.run_cron("2026-01-15", contract)
        contract.next_invoice_date = "2026-02-15"
        with freeze_time("2026-03-15"):
            self.assertEqual(self.run_cron("2026-03-15", contract), 1)
        self.assertEqual(self.periods(contract), [("2026-01-01", "2026-01-31"), ("2026-03-01", "2026-03-31")])
        self.assertEqual(str(contract.next_invoice_date), "2026-04-01")

    def test_one_rule_for_day_n_of_a_month(self):
        """Contract periods and closing dates share one helper: day N of a month, or the month's
        last day when it is shorter; periods stay counted from the start date."""
        self.assertEqual(month_day(2026, 2, 31), date(2026, 2, 28))
        self.assertEqual(month_day(2028, 2, 30), date(2028, 2, 29))
        self.assertEqual(month_day(2026, 4, 15), date(2026, 4, 15))
        contract = self.make_contract(date_start="2026-01-30", activate=False)
        self.customer.kakeuri_closing_day = 30
        for index in range(14):
            start = contract._get_period_start(index)
            self.assertEqual(start, self.customer._kakeuri_closing_date(start.year, start.month))
        steps = {
            "weekly": relativedelta(weeks=1),
            "monthly": relativedelta(months=1),
            "quarterly": relativedelta(months=3),
            "yearly": relativedelta(years=1),
        }
        for day in (date(2024, 2, 29), date(2026, 1, 31), date(2026, 5, 30), date(2026, 7, 1)):
            for rule, step in steps.items():
                for interval in (1, 2, 5):
                    for index in (0, 1, 2, 7, 13):
                        self.assertEqual(
                            period_start(day, rule, interval, index), day + step * (interval * index)
                        )
