# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Receivables snapshots and the dashboard's data on a small ledger known by heart.

The ledger (company currency, no tax):

- D: 250 invoiced 2025-10-01, due 2025-10-31, never paid;
- A: 1,000 invoiced 2025-12-15, due 2026-01-14, paid 2026-02-10; 600 invoiced 2026-01-20,
  due 2026-02-19;
- B: 2,000 invoiced 2026-02-05, due 2026-03-07; a 300 credit note 2026-02-25 matched with it;
  500 paid 2026-03-10;
- C: 400 invoiced 2026-03-05, due 2026-04-04.
"""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common.aging import AgingCommon

FEB_END = date(2026, 2, 28)
TODAY = date(2026, 3, 20)


@tagged("post_install", "-at_install")
class TestArSnapshot(AgingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Snapshot = cls.env["kakeuri.ar.snapshot"]
        cls.company = cls.env.company
        cls.cust_d = cls._customer("株式会社大和商会 (Daiwa Shokai)")
        cls.inv_d = cls._invoice(cls.cust_d, 250.0, "2025-10-01", due="2025-10-31")
        cls.inv_a1 = cls._invoice(cls.cust_a, 1000.0, "2025-12-15", due="2026-01-14")
        cls.inv_a2 = cls._invoice(cls.cust_a, 600.0, "2026-01-20", due="2026-02-19")
        cls._pay(cls.inv_a1, 1000.0, "2026-02-10")
        cls.inv_b1 = cls._invoice(cls.cust_b, 2000.0, "2026-02-05", due="2026-03-07")
        cls.ref_b = cls._invoice(cls.cust_b, 300.0, "2026-02-25", move_type="out_refund")
        cls._reconcile(cls.ref_b, cls.inv_b1)
        cls._pay(cls.inv_b1, 500.0, "2026-03-10")
        cls.inv_c1 = cls._invoice(cls.cust_c, 400.0, "2026-03-05", due="2026-04-04")
        cls.ar_user = new_test_user(
            cls.env,
            "snapshot_ar_user",
            groups="base.group_user,account.group_account_invoice,kakeuri_ar.group_ar_user",
            company_id=cls.company.id,
        )
        cls.credit_manager = new_test_user(
            cls.env,
            "snapshot_credit_manager",
            groups="base.group_user,account.group_account_invoice,kakeuri_ar.group_credit_manager",
            company_id=cls.company.id,
        )

    def _snapshots(self, company=None):
        return self.Snapshot.search([("company_id", "=", (company or self.company).id)])

    def _assert_figures(self, snapshot, **expected):
        self.assertEqual({name: snapshot[name] for name in expected}, expected)

    # ----------------------------------------------------------- formulas
    @freeze_time("2026-03-20")
    def test_kpis_at_a_month_end_by_hand(self):
        snapshot = self.Snapshot._compute_snapshot(self.company, FEB_END, "month")
        self._assert_figures(
            snapshot,
            kind="month",
            receivable=2550.0,  # A 600 + B 2,000 - 300 + D 250
            overdue=850.0,
            bucket_not_due=1700.0,
            bucket_1_30=600.0,
            bucket_31_60=0.0,
            bucket_61_90=0.0,
            bucket_91_120=250.0,  # D: 120 days, still in the band
            bucket_over_120=0.0,
            customer_count=3,
            sales=1700.0,  # February: 2,000 - 300
            collected=1000.0,  # A's payment of 2026-02-10
            # sales of 2025-12-01..2026-02-28 = 1,000 + 600 + 1,700 = 3,300
            dso=69.5,  # 2,550 / 3,300 × 90 = 69.55
            avg_days_delinquent=23.2,  # 69.55 - 1,700 / 3,300 × 90 (46.36) = 23.18
            cei=54.1,  # (1,850 + 1,700 - 2,550) / (1,850 + 1,700 - 1,700) = 54.05 %
        )

    @freeze_time("2026-03-20")
    def test_kpis_today_by_hand(self):
        snapshot = self.Snapshot._compute_snapshot(self.company, TODAY, "today")
        self._assert_figures(
            snapshot,
            kind="today",
            receivable=2450.0,  # A 600 + B 1,200 + C 400 + D 250
            overdue=2050.0,
            bucket_not_due=400.0,
            bucket_1_30=1800.0,
            bucket_over_120=250.0,
            customer_count=4,
            sales=400.0,
            collected=500.0,
            # sales of 2025-12-21..2026-03-20 = 600 + 1,700 + 400 = 2,700
            dso=81.7,  # 2,450 / 2,700 × 90 = 81.67
            avg_days_delinquent=68.3,  # 81.67 - 400 / 2,700 × 90 (13.33)
            cei=19.6,  # (2,550 + 400 - 2,450) / (2,550 + 400 - 400) = 19.61 %
        )

    def test_ratios_without_sales_are_zero(self):
        Kpi = self.env["kakeuri.ar.kpi"]
        # 100 owed since last month, no sale in 90 days, nothing collected
        self.assertEqual(
            Kpi.get_ratios(100.0, 0.0, 0.0, 100.0, 0.0), {"dso": 0.0, "cei": 0.0, "avg_days_delinquent": 0.0}
        )
        # nothing at all: nothing to divide by
        self.assertEqual(
            Kpi.get_ratios(0.0, 0.0, 0.0, 0.0, 0.0), {"dso": 0.0, "cei": 0.0, "avg_days_delinquent": 0.0}
        )
        # half of what was to collect is collected
        self.assertEqual(Kpi.get_ratios(50.0, 0.0, 100.0, 100.0, 0.0)["cei"], 50.0)

    def test_bad_input_refused(self):
        with self.assertRaisesRegex(ValidationError, "not a date"):
            self.Snapshot._compute_snapshot(self.company, "not a date", "month")
        with self.assertRaisesRegex(ValidationError, "week"):
            self.Snapshot._compute_snapshot(self.company, FEB_END, "week")
        with self.assertRaisesRegex(ValidationError, "got 0"):
            self.Snapshot._backfill(self.company, 0)
        self.assertFalse(self._snapshots())

    # ------------------------------------------------------------ backfill
    @freeze_time("2026-03-20")
    def test_backfill_equals_the_aging_at_each_month_end(self):
        snapshots = self.Snapshot._backfill(self.company, 7)
        self.assertEqual(
            snapshots.mapped("date"),
            [
                date(2025, 8, 31),
                date(2025, 9, 30),
                date(2025, 10, 31),
                date(2025, 11, 30),
                date(2025, 12, 31),
                date(2026, 1, 31),
                FEB_END,
            ],
        )
        self.assertEqual(set(snapshots.mapped("kind")), {"month"})
        for snapshot in snapshots:
            rows = self.Aging.get_aging(snapshot.date, company=self.company)
            buckets = [sum(row["buckets"][i] for row in rows) for i in range(6)]
            self.assertEqual(snapshot.receivable, sum(row["total"] for row in rows), snapshot.date)
            self.assertEqual([snapshot[name] for name in self.Snapshot.BUCKET_FIELDS], buckets, snapshot.date)
        # the chained start of month gives the same CEI as a snapshot computed alone
        february = snapshots.filtered(lambda s: s.date == FEB_END)
        self._assert_figures(february, receivable=2550.0, cei=54.1, dso=69.5, avg_days_delinquent=23.2)
        self.assertEqual(snapshots.filtered(lambda s: s.date == date(2025, 10, 31)).bucket_not_due, 250.0)
        # again: replaced, not doubled
        self.Snapshot._backfill(self.company, 7)
        self.assertEqual(len(self._snapshots()), 7)

    # ---------------------------------------------------------------- cron
    def test_cron_twice_one_row_per_date_and_today_replaced(self):
        with freeze_time("2026-03-20"):
            self.Snapshot._cron_snapshot()
            self.Snapshot._cron_snapshot()
            snapshots = self._snapshots()
            self.assertEqual([(s.date, s.kind) for s in snapshots], [(TODAY, "today"), (FEB_END, "month")])
            self.assertEqual(snapshots[0].receivable, 2450.0)
            # asked again after a new invoice: the same row, new figures
            self._invoice(self.cust_c, 50.0, "2026-03-20", due="2026-04-19")
            again = self.Snapshot._compute_snapshot(self.company, TODAY, "today")
            self.assertEqual((again, again.receivable), (snapshots[0], 2500.0))
        with freeze_time("2026-03-21"):
            self.Snapshot._cron_snapshot()
            self.assertEqual(
                [(s.date, s.kind) for s in self._snapshots()],
                [(date(2026, 3, 21), "today"), (FEB_END, "month")],
                "yesterday's today's snapshot is dropped",
            )
        with freeze_time("2026-04-01"):
            self.Snapshot._cron_snapshot()
            self.assertEqual(
                [(s.date, s.kind) for s in self._snapshots()],
                [(date(2026, 4, 1), "today"), (date(2026, 3, 31), "month"), (FEB_END, "month")],
            )

    def test_month_end_taken_once_the_day_is_over(self):
        march_end = date(2026, 3, 31)
        with freeze_time("2026-03-31"):
            self.Snapshot._cron_snapshot()
            march = self._snapshots().filtered(lambda s: s.date == march_end)
            self.assertEqual((march.kind, march.receivable), ("today", 2450.0))
            self._invoice(self.cust_c, 50.0, "2026-03-31", due="2026-04-30")  # later that day
        with freeze_time("2026-04-01"):
            self.Snapshot._cron_snapshot()
            self.assertEqual((march.kind, march.receivable), ("month", 2500.0))
            self.assertEqual(
                [(s.date, s.kind) for s in self._snapshots()],
                [(date(2026, 4, 1), "today"), (march_end, "month"), (FEB_END, "month")],
            )

    # ------------------------------------------------------ companies, rights
    @freeze_time("2026-03-20")
    def test_two_companies(self):
        company_2 = self.setup_other_company(name="株式会社九州支店 (Kyushu Branch)")["company"]
        self._invoice(self.cust_a, 700.0, "2026-03-01", due="2026-03-01", company=company_2)
        self.Snapshot._compute_snapshot(self.company, TODAY, "today")
        snapshot_2 = self.Snapshot._compute_snapshot(company_2, TODAY, "today")
        self._assert_figures(snapshot_2, receivable=700.0, overdue=700.0, bucket_1_30=700.0, sales=700.0)
        user_b = new_test_user(
            self.env,
            "snapshot_user_b",
            groups="base.group_user,account.group_account_invoice,kakeuri_ar.group_ar_user",
            company_id=company_2.id,
            company_ids=[(6, 0, company_2.ids)],
        )
        Snapshot_b = self.Snapshot.with_user(user_b).with_context(allowed_company_ids=company_2.ids)
        self.assertEqual(Snapshot_b.search([]), snapshot_2)
        with self.assertRaises(AccessError):
            Snapshot_b.get_dashboard_data(company_id=self.company.id)
        data = Snapshot_b.get_dashboard_data()
        self.assertEqual(data["company"]["id"], company_2.id)
        self.assertEqual(data["kpis"][0]["value"], 700.0)
        self.assertEqual([row["partner_id"] for row in data["top_debtors"]], self.cust_a.ids)

    @freeze_time("2026-03-20")
    def test_access(self):
        self.Snapshot._compute_snapshot(self.company, TODAY, "today")
        Snapshot_user = self.Snapshot.with_user(self.ar_user)
        self.assertEqual(Snapshot_user.search([("company_id", "=", self.company.id)]).receivable, 2450.0)
        with self.assertRaises(AccessError):
            Snapshot_user.action_backfill()
        with self.assertRaises(AccessError):
            Snapshot_user.create({"company_id": self.company.id, "date": FEB_END})
        # an AR user opens the dashboard: today's snapshot is computed for him
        self.Snapshot.search([]).unlink()
        data = Snapshot_user.get_dashboard_data()
        self.assertEqual(data["kpis"][0]["value"], 2450.0)
        self.assertFalse(data["can_backfill"])
        action = self.Snapshot.with_user(self.credit_manager).action_backfill(months=3)
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(
            self._snapshots().filtered(lambda s: s.kind == "month").mapped("date"),
            [FEB_END, date(2026, 1, 31), date(2025, 12, 31)],
        )

    # ------------------------------------------------------------ dashboard
    def _records(self, action):
        return self.env[action["res_model"]].search(action["domain"])

    @freeze_time("2026-03-20")
    def test_dashboard_data(self):
        Partner = self.env["res.partner"].with_company(self.company)
        Partner.browse(self.cust_a.id).kakeuri_payment_grade = "A"
        (Partner.browse(self.cust_b.id) | Partner.browse(self.cust_c.id)).kakeuri_payment_grade = "C"
        Promise = self.env["kakeuri.payment.promise"]
        promise_values = {"company_id": self.company.id, "date_start": date(2025, 11, 1), "amount": 100.0}
        kept = Promise.create(
            dict(promise_values, partner_id=self.cust_a.id, date=date(2025, 12, 1), state="kept")
        )
        broken = Promise.create(
            dict(promise_values, partner_id=self.cust_b.id, date=date(2026, 1, 5), state="broken")
        )
        open_ = Promise.create(
            dict(promise_values, partner_id=self.cust_b.id, date=date(2026, 3, 25), state="open")
        )
        Promise.create(
            dict(
                promise_values,
                partner_id=self.cust_b.id,
                date=date(2025, 3, 1),
                date_start=date(2025, 2, 1),
                state="kept",
            )
        )  # more than 12 months ago
        self.Snapshot._backfill(self.company, 3)

        data = self.Snapshot.get_dashboard_data()
        self.assertEqual(
            set(data),
            {
                "company",
                "companies",
                "date",
                "previous_date",
                "kpis",
                "trend",
                "aging",
                "top_debtors",
                "top_overdue",
                "grades",
                "promises",
                "can_backfill",
            },
        )
        self.assertEqual((data["date"], data["previous_date"]), ("2026-03-20", "2026-02-28"))
        kpis = {kpi["key"]: kpi for kpi in data["kpis"]}
        self.assertEqual(
            {key: (kpi["value"], kpi["previous"]) for key, kpi in kpis.items()},
            {
                "receivable": (2450.0, 2550.0),
                "overdue": (2050.0, 850.0),
                "overdue_percent": (83.7, 33.3),
                "dso": (81.7, 69.5),
                "cei": (19.6, 54.1),
                "avg_days_delinquent": (68.3, 23.2),
            },
        )
        self.assertEqual(data["trend"]["dates"], ["2025-12-31", "2026-01-31", "2026-02-28"])
        self.assertEqual(data["trend"]["receivable"][-1], 2550.0)
        self.assertEqual(data["aging"]["series"][0][-1], 1700.0)  # not due at the end of February
        self.assertEqual(len(data["aging"]["labels"]), 6)
        # top lists, largest first
        self.assertEqual(
            [(row["partner_id"], row["amount"]) for row in data["top_debtors"]],
            [
                (self.cust_b.id, 1200.0),
                (self.cust_a.id, 600.0),
                (self.cust_c.id, 400.0),
                (self.cust_d.id, 250.0),
            ],
        )
        self.assertEqual(
            [(row["partner_id"], row["amount"]) for row in data["top_overdue"]],
            [(self.cust_b.id, 1200.0), (self.cust_a.id, 600.0), (self.cust_d.id, 250.0)],
        )
        grades = {g["grade"]: g for g in data["grades"]}
        self.assertEqual({g: v["count"] for g, v in grades.items()}, {"A": 1, "B": 0, "C": 2, "D": 0, "E": 0})
        self.assertEqual(Partner.search(grades["C"]["action"]["domain"]), self.cust_b | self.cust_c)
        promises = {p["state"]: p for p in data["promises"]}
        self.assertEqual({s: p["count"] for s, p in promises.items()}, {"kept": 1, "broken": 1, "open": 1})
        self.assertEqual(
            [self._records(promises[s]["action"]) for s in ("kept", "broken", "open")], [kept, broken, open_]
        )
        # the numbers open what is behind them
        open_ids = self.Aging.get_open_line_ids(TODAY, company=self.company)
        self.assertEqual(sorted(self._records(kpis["receivable"]["action"]).ids), open_ids)
        overdue_ids = sorted(
            item["line_id"] for item in self.Aging.get_open_items(TODAY, company=self.company) if item["band"]
        )
        self.assertEqual(sorted(self._records(kpis["overdue"]["action"]).ids), overdue_ids)
        self.assertEqual(sum(self._records(kpis["overdue"]["action"]).mapped("amount_residual")), 2050.0)
        self.assertEqual(
            self._records(data["top_debtors"][0]["action"]).move_id, self.inv_b1, "B's open items"
        )
        self.assertEqual(
            self._records(data["top_overdue"][2]["action"]).move_id, self.inv_d, "D's overdue items"
        )
        collected = self._records(kpis["cei"]["action"])
        self.assertEqual(sum(collected.mapped("balance")), -500.0, "the payments of March")
