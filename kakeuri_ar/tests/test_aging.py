# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common.aging import AgingCommon


@tagged("post_install", "-at_install")
class TestAgingEngine(AgingCommon):
    def test_partial_payments_before_and_after_as_of(self):
        """A partial payment dated before the as-of date is netted; one dated after is not."""
        inv = self._invoice(self.cust_a, 1000.0, "2026-01-10", due="2026-01-31")
        self._pay(inv, 400.0, "2026-02-05")
        self._pay(inv, 250.0, "2026-03-10")
        self.assertEqual(inv.amount_residual, 350.0)
        rows = self.Aging.get_aging("2026-03-01", partner_ids=self.cust_a.ids)
        # due 2026-01-31, as of 2026-03-01: 29 days overdue -> 1-30
        self.assertEqual(rows, [self._expected(self.cust_a, [0, 600.0, 0, 0, 0, 0])])
        rows = self.Aging.get_aging("2026-03-10", partner_ids=self.cust_a.ids)
        self.assertEqual(self._row(rows, self.cust_a)["buckets"], [0, 0, 350.0, 0, 0, 0])
        # the day before the invoice nothing exists
        self.assertEqual(self.Aging.get_aging("2026-01-09", partner_ids=self.cust_a.ids), [])

    def _expected(self, partner, buckets, company=None):
        company = company or self.env.company
        return {
            "company_id": company.id,
            "currency_id": company.currency_id.id,
            "partner_id": partner.id,
            "buckets": [float(b) for b in buckets],
            "total": float(sum(buckets)),
        }

    def test_payment_reconciled_after_date_against_older_invoice(self):
        """Paid in full after the as-of date: the invoice is fully open as of the date, and
        the payment does not exist yet."""
        inv = self._invoice(self.cust_b, 800.0, "2026-01-05", due="2026-02-04")
        self._pay(inv, 800.0, "2026-04-20")
        self.assertEqual(inv.amount_residual, 0.0)
        rows = self.Aging.get_aging("2026-04-19", partner_ids=self.cust_b.ids)
        # 2026-02-04 -> 2026-04-19 = 74 days -> 61-90
        self.assertEqual(self._row(rows, self.cust_b)["buckets"], [0, 0, 0, 800.0, 0, 0])
        self.assertEqual(self.Aging.get_aging("2026-04-20", partner_ids=self.cust_b.ids), [])
        self.assertEqual(self.Aging.get_open_line_ids("2026-04-20", partner_ids=self.cust_b.ids), [])
        open_ids = self.Aging.get_open_line_ids("2026-04-19", partner_ids=self.cust_b.ids)
        self.assertEqual(open_ids, inv.line_ids.filtered(lambda ml: ml.account_id == self.receivable).ids)

    def test_payment_dated_before_reconciled_later(self):
        """An unapplied payment reconciled later with an older invoice: the reconciliation's
        max_date is the payment date, so from that date on the two are netted."""
        inv = self._invoice(self.cust_a, 500.0, "2026-01-10", due="2026-01-31")
        payment = self._unapplied_payment(self.cust_a, 500.0, "2026-03-05")
        row = self._row(self.Aging.get_aging("2026-03-10", partner_ids=self.cust_a.ids), self.cust_a)
        # invoice 38 days overdue (31-60), payment 5 days old (1-30)
        self.assertEqual(row["buckets"], [0, -500.0, 500.0, 0, 0, 0])
        self.assertEqual(row["total"], 0.0)
        self._reconcile(inv, payment.move_id)
        self.assertEqual(inv.amount_residual, 0.0)
        self.assertEqual(self.Aging.get_aging("2026-03-10", partner_ids=self.cust_a.ids), [])
        row = self._row(self.Aging.get_aging("2026-03-04", partner_ids=self.cust_a.ids), self.cust_a)
        self.assertEqual(row["buckets"], [0, 0, 500.0, 0, 0, 0])

    def test_unapplied_payment_is_negative_in_its_band(self):
        inv = self._invoice(self.cust_c, 300.0, "2026-01-15", due="2026-01-15")
        self._unapplied_payment(self.cust_c, 120.0, "2026-02-20")
        rows = self.Aging.get_aging("2026-03-31", partner_ids=self.cust_c.ids)
        row = self._row(rows, self.cust_c)
        # invoice 75 days overdue (61-90), payment 39 days old (31-60)
        self.assertEqual(row["buckets"], [0, 0, -120.0, 300.0, 0, 0])
        self.assertEqual(row["total"], 180.0)
        self.assertTrue(inv)

    def test_credit_note_applied_later(self):
        """A credit note dated after the as-of date does not exist yet; once dated, it is
        netted against the invoice it is applied to (max_date = its date)."""
        inv = self._invoice(self.cust_b, 1000.0, "2026-01-10", due="2026-01-10")
        refund = self._invoice(self.cust_b, 200.0, "2026-02-15", due="2026-02-15", move_type="out_refund")
        self._reconcile(inv, refund)
        self.assertEqual(inv.amount_residual, 800.0)
        before = self._row(self.Aging.get_aging("2026-02-14", partner_ids=self.cust_b.ids), self.cust_b)
        self.assertEqual(before["buckets"], [0, 0, 1000.0, 0, 0, 0])  # 35 days
        after = self._row(self.Aging.get_aging("2026-02-15", partner_ids=self.cust_b.ids), self.cust_b)
        self.assertEqual(after["buckets"], [0, 0, 800.0, 0, 0, 0])
        # an unapplied credit note sits, negative, in the band of its own date
        self._invoice(self.cust_b, 50.0, "2026-03-01", due="2026-03-01", move_type="out_refund")
        row = self._row(self.Aging.get_aging("2026-03-02", partner_ids=self.cust_b.ids), self.cust_b)
        self.assertEqual(row["buckets"], [0, -50.0, 800.0, 0, 0, 0])  # 1 day / 51 days
        self.assertEqual(row["total"], 750.0)

    def test_foreign_currency_invoice_in_company_currency(self):
        eur = self.setup_other_currency(
            "EUR", rates=[("1900-01-01", 1.0), ("2026-01-01", 2.0), ("2026-03-01", 4.0)]
        )
        inv = self._invoice(self.cust_c, 1000.0, "2026-01-20", due="2026-02-19", currency=eur)
        line = inv.line_ids.filtered(lambda ml: ml.account_id == self.receivable)
        self.assertEqual((line.amount_currency, line.balance), (1000.0, 500.0))
        # half paid in EUR on 2026-03-05 at rate 4: 500 EUR = 125 company currency, plus the
        # exchange difference entry Odoo books on the invoice
        self._pay(inv, 500.0, "2026-03-05", currency=eur)
        self.assertEqual(inv.amount_residual, 500.0)  # in EUR
        as_of_before = self._row(self.Aging.get_aging("2026-03-04", partner_ids=self.cust_c.ids), self.cust_c)
        self.assertEqual(as_of_before["buckets"], [0, 500.0, 0, 0, 0, 0])  # 13 days, company currency
        today = self._row(self.Aging.get_aging(fields.Date.today(), partner_ids=self.cust_c.ids), self.cust_c)
        self.assertAlmostEqual(today["total"], line.amount_residual)
        self.assertAlmostEqual(today["total"], 250.0)
        self._assert_ledger("2026-03-04")
        self._assert_ledger("2026-03-05")

    def test_future_due_date_and_band_edges(self):
        as_of = date(2026, 5, 31)
        self._invoice(self.cust_a, 10.0, "2026-05-20", due=as_of + timedelta(days=10))
        self._invoice(self.cust_a, 20.0, "2026-05-20", due=as_of)  # due today: not due
        self._invoice(self.cust_a, 40.0, "2026-04-01", due=as_of - timedelta(days=1))
        self._invoice(self.cust_a, 80.0, "2026-04-01", due=as_of - timedelta(days=30))
        self._invoice(self.cust_a, 160.0, "2026-04-01", due=as_of - timedelta(days=31))
        self._invoice(self.cust_a, 320.0, "2026-01-01", due=as_of - timedelta(days=120))
        self._invoice(self.cust_a, 640.0, "2026-01-01", due=as_of - timedelta(days=121))
        row = self._row(self.Aging.get_aging(as_of, partner_ids=self.cust_a.ids), self.cust_a)
        self.assertEqual(row["buckets"], [30.0, 120.0, 160.0, 0, 320.0, 640.0])
        self.assertEqual(row["total"], 1270.0)
        # other edges, and by invoice date
        row = self._row(self.Aging.get_aging(as_of, (15, 45), partner_ids=self.cust_a.ids), self.cust_a)
        self.assertEqual(row["buckets"], [30.0, 40.0, 240.0, 960.0])  # 1-15, 16-45, over 45
        row = self._row(
            self.Aging.get_aging(as_of, partner_ids=self.cust_a.ids, basis="invoice_date"), self.cust_a
        )
        # 2026-05-20: 11 days; 2026-04-01: 60 days; 2026-01-01: 150 days
        self.assertEqual(row["buckets"], [0, 30.0, 280.0, 0, 0, 960.0])

    def test_invoice_date_basis_uses_the_invoice_date(self):
        """An invoice dated 01-10 but booked on 02-01 ages from 01-10 by invoice date; a
        payment (no invoice date) from its accounting date."""
        inv = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.cust_a.id,
                "invoice_date": "2026-01-10",
                "date": "2026-02-01",
                "invoice_date_due": "2026-03-31",
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Service", "quantity": 1, "price_unit": 700.0, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        inv.action_post()
        self.assertEqual((str(inv.invoice_date), str(inv.date)), ("2026-01-10", "2026-02-01"))
        self._unapplied_payment(self.cust_a, 100.0, "2026-02-05")
        row = self._row(
            self.Aging.get_aging("2026-03-01", partner_ids=self.cust_a.ids, basis="invoice_date"), self.cust_a
        )
        # invoice: 50 days since 01-10 (31-60), not 28 days since 02-01; payment: 24 days (1-30)
        self.assertEqual(row["buckets"], [0, -100.0, 700.0, 0, 0, 0])
        lines = self.Aging.get_open_line_ids(
            "2026-03-01", partner_ids=self.cust_a.ids, basis="invoice_date", band=2
        )
        self.assertEqual(self.env["account.move.line"].browse(lines).move_id, inv)

    def test_two_instalments_age_by_their_own_due_date(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "50% now, 50% in 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 60}),
                ],
            }
        )
        inv = self._invoice(self.cust_b, 600.0, "2026-03-01", term=term)
        self.assertEqual(
            sorted(
                inv.line_ids.filtered(lambda ml: ml.account_id == self.receivable).mapped("date_maturity")
            ),  # noqa: E501
            [date(2026, 3, 1), date(2026, 4, 30)],
        )
        row = self._row(self.Aging.get_aging("2026-04-15", partner_ids=self.cust_b.ids), self.cust_b)
        self.assertEqual(row["buckets"], [300.0, 0, 300.0, 0, 0, 0])  # 45 days / not due
        # by invoice date both are 45 days old
        row = self._row(
            self.Aging.get_aging("2026-04-15", partner_ids=self.cust_b.ids, basis="invoice_date"), self.cust_b
        )
        self.assertEqual(row["buckets"], [0, 0, 600.0, 0, 0, 0])

    def test_item_without_partner(self):
        """Receivable items without a partner give a row with partner_id False, so that
        the rows add up to the ledger."""
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2026-02-01",
                "line_ids": [
                    Command.create(
                        {"account_id": self.receivable.id, "debit": 70.0, "date_maturity": "2026-02-01"}
                    ),
                    Command.create({"account_id": self.revenue.id, "credit": 70.0}),
                ],
            }
        )
        move.action_post()
        rows = self.Aging.get_aging("2026-02-10")
        orphan = [r for r in rows if r["partner_id"] is False]
        self.assertEqual(len(orphan), 1)
        self.assertEqual(orphan[0]["buckets"], [0, 70.0, 0, 0, 0, 0])
        # a partner filter leaves it out
        self.assertEqual(self.Aging.get_aging("2026-02-10", partner_ids=self.cust_a.ids), [])

    def test_two_companies_rows_per_company(self):
        company_2 = self.setup_other_company(name="株式会社九州支店 (Kyushu Branch)")["company"]
        self._invoice(self.cust_a, 100.0, "2026-02-01", due="2026-02-01")
        self._invoice(self.cust_a, 700.0, "2026-02-01", due="2026-02-01", company=company_2)
        both = self.env.company | company_2
        Aging = self.Aging.with_context(allowed_company_ids=both.ids)
        rows = Aging.get_aging("2026-02-11", partner_ids=self.cust_a.ids)
        self.assertEqual(self._row(rows, self.cust_a, self.env.company)["buckets"], [0, 100.0, 0, 0, 0, 0])
        self.assertEqual(self._row(rows, self.cust_a, company_2)["buckets"], [0, 700.0, 0, 0, 0, 0])
        self.assertEqual(self._row(rows, self.cust_a, company_2)["currency_id"], company_2.currency_id.id)
        # one company requested
        rows = Aging.get_aging("2026-02-11", company=company_2, partner_ids=self.cust_a.ids)
        self.assertEqual([r["company_id"] for r in rows], [company_2.id])
        # a company the user has not enabled gives nothing
        only_main = self.Aging.with_context(allowed_company_ids=self.env.company.ids)
        self.assertEqual(
            only_main.get_aging("2026-02-11", company=company_2, partner_ids=self.cust_a.ids), []
        )
        rows = only_main.get_aging("2026-02-11", company=both.ids, partner_ids=self.cust_a.ids)
        self.assertEqual([r["company_id"] for r in rows], [self.env.company.id])
        self._assert_ledger("2026-02-11", both)

    def test_branch_reconciliation_added_back(self):
        """A payment booked in a branch, reconciled later with an invoice of the parent
        company: the reconciliation belongs to the parent, but the branch's aging as of an
        earlier date must still add it back to the branch's payment."""
        root = self.env.company
        root.write({"child_ids": [Command.create({"name": "株式会社青葉 大阪支店 (Osaka Branch)"})]})
        self.env.cr.precommit.run()  # the branch shares the parent's chart of accounts
        branch = root.child_ids
        self.env.user.company_ids |= branch
        payment = self._unapplied_payment(self.cust_a, 400.0, "2026-01-15", company=branch)
        inv = self._invoice(self.cust_a, 400.0, "2026-03-01", due="2026-03-31")
        both = {"allowed_company_ids": (root | branch).ids}
        self._reconcile(inv.with_context(**both), payment.move_id.with_context(**both))
        partial = inv.with_context(**both).line_ids.matched_credit_ids
        self.assertEqual((partial.company_id, partial.max_date), (root, date(2026, 3, 1)))
        Aging = self.Aging.with_context(allowed_company_ids=(root | branch).ids)
        # as of 02-01 the payment is open, in the branch
        rows = Aging.get_aging("2026-02-01", company=branch, partner_ids=self.cust_a.ids)
        self.assertEqual([(r["company_id"], r["total"]) for r in rows], [(branch.id, -400.0)])
        self._assert_ledger("2026-02-01", branch)
        self._assert_ledger("2026-02-01", root | branch)
        # once matched, the two companies together still add up to their ledgers (each alone
        # not: the branch's payment pays the parent's invoice)
        rows = Aging.get_aging("2026-03-01")
        ledger = self._ledger_balance("2026-03-01", root | branch)
        self.assertAlmostEqual(sum(r["total"] for r in rows), sum(ledger.values()), places=2)
        self.assertEqual(Aging.get_aging("2026-03-01", company=branch, partner_ids=self.cust_a.ids), [])

    def test_rows_add_up_to_ledger_balance(self):
        """The total of all rows equals the receivable balance from journal item sums, at
        every date, with partials, refunds, unapplied payments and foreign currency."""
        eur = self.setup_other_currency(
            "EUR", rates=[("1900-01-01", 1.0), ("2026-01-01", 2.0), ("2026-02-15", 1.6)]
        )
        inv1 = self._invoice(self.cust_a, 1000.0, "2026-01-10", due="2026-02-09")
        inv2 = self._invoice(self.cust_b, 2400.0, "2026-01-20", due="2026-03-20", currency=eur)
        inv3 = self._invoice(self.cust_c, 640.0, "2026-02-01")
        self._pay(inv1, 300.0, "2026-02-01")
        self._pay(inv2, 1000.0, "2026-02-20", currency=eur)
        refund = self._invoice(self.cust_c, 40.0, "2026-03-03", due="2026-03-03", move_type="out_refund")
        self._reconcile(inv3, refund)
        self._unapplied_payment(self.cust_a, 90.0, "2026-01-25")
        self._pay(inv3, 600.0, "2026-04-01")
        for as_of in (
            "2026-01-09",
            "2026-01-20",
            "2026-02-01",
            "2026-02-19",
            "2026-02-20",
            "2026-03-03",
            "2026-12-31",
        ):
            self._assert_ledger(as_of)

    def _assert_ledger(self, as_of, companies=None):
        companies = companies or self.env.company
        Aging = self.Aging.with_context(allowed_company_ids=companies.ids)
        rows = Aging.get_aging(as_of)
        ledger = self._ledger_balance(as_of, companies)
        for company in companies:
            total = sum(r["total"] for r in rows if r["company_id"] == company.id)
            buckets = sum(sum(r["buckets"]) for r in rows if r["company_id"] == company.id)
            self.assertAlmostEqual(total, ledger.get(company.id, 0.0), places=2, msg=f"as of {as_of}")
            self.assertAlmostEqual(buckets, ledger.get(company.id, 0.0), places=2, msg=f"as of {as_of}")
        # and the open items are exactly the lines that make up the rows
        lines = self.env["account.move.line"].browse(Aging.get_open_line_ids(as_of))
        self.assertTrue(all(line.date <= fields.Date.to_date(as_of) for line in lines))

    def test_bad_input_refused_naming_the_value(self):
        for bad_date in ("2026-02-30", "yesterday", 20260101):
            with self.assertRaisesRegex(ValidationError, str(bad_date)):
                self.Aging.get_aging(bad_date)
        with self.assertRaisesRegex(ValidationError, "as-of date"):
            self.Aging.get_aging(False)
        # a string is not a list of ids ("12" used to mean companies 1 and 2)
        for bad_company in ("12", ["1", "2"], [1.5], [True]):
            with self.assertRaisesRegex(ValidationError, "company ids"):
                self.Aging.get_aging("2026-01-01", company=bad_company)
        for bad_partners in ("12", [self.cust_a.id, "x"], [-1]):
            with self.assertRaisesRegex(ValidationError, "customer ids"):
                self.Aging.get_aging("2026-01-01", partner_ids=bad_partners)
            with self.assertRaisesRegex(ValidationError, "customer ids"):
                self.Aging.get_open_line_ids("2026-01-01", partner_ids=bad_partners)
        for bad_band in ("1", 6, -1, 1.0):
            with self.assertRaisesRegex(ValidationError, "band %s does not exist" % bad_band):
                self.Aging.get_open_line_ids("2026-01-01", band=bad_band)
        # valid forms still work: records, an id, a list of ids, False for no partner
        self._invoice(self.cust_a, 10.0, "2026-01-01", due="2026-01-01")
        for company in (self.env.company, self.env.company.id, [self.env.company.id]):
            rows = self.Aging.get_aging("2026-01-02", company=company, partner_ids=[self.cust_a.id, False])
            self.assertEqual(self._row(rows, self.cust_a)["total"], 10.0)
        self.assertEqual(len(self.Aging.get_open_line_ids("2026-01-02", partner_ids=self.cust_a, band=1)), 1)

    def test_statement_runs_without_jit_and_restores_it(self):
        """JIT compilation costs more than it saves on the aging statement: it runs with JIT
        off, and the setting is put back afterwards."""
        self._invoice(self.cust_a, 10.0, "2026-01-01", due="2026-01-01")
        cr = self.env.cr
        cr.execute("SET LOCAL jit = on")
        execute = type(cr).execute
        seen = []

        def spy(cursor, query, params=None, log_exceptions=True):
            if "account_partial_reconcile" in str(query):
                execute(cursor, "SHOW jit")
                seen.append(cursor.fetchone()[0])
            return execute(cursor, query, params, log_exceptions)

        with patch.object(type(cr), "execute", spy):
            self.Aging.get_aging("2026-01-02", partner_ids=self.cust_a.ids)
            self.Aging.get_open_line_ids("2026-01-02", partner_ids=self.cust_a.ids)
        self.assertEqual(seen, ["off", "off"])
        cr.execute("SHOW jit")
        self.assertEqual(cr.fetchone()[0], "on")

    def test_bucket_edges_validated(self):
        for bad in ((30, 30), (60, 30), (0, 30), (-5,), (), ("30",), (30.5,), None):
            with self.assertRaises(ValidationError, msg=str(bad)):
                self.Aging.get_aging("2026-01-01", bucket_edges=bad)
        with self.assertRaisesRegex(ValidationError, "strictly increasing"):
            self.Aging.get_aging("2026-01-01", bucket_edges=(30, 60, 45))
        with self.assertRaisesRegex(ValidationError, "basis"):
            self.Aging.get_aging("2026-01-01", basis="due")
        self.assertEqual(
            self.Aging.get_bucket_labels((30, 60, 90, 120)),
            ["Not Due", "1-30", "31-60", "61-90", "91-120", "Over 120"],
        )


@tagged("post_install", "-at_install")
class TestAgingAccess(AgingCommon):
    """The aging reads journal items with SQL but still applies their record rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.salesman = new_test_user(
            cls.env,
            login="kakeuri_aging_own_docs",
            groups="base.group_user,sales_team.group_sale_salesman,kakeuri_ar.group_ar_user",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.cust_a.user_id = cls.salesman
        cls.inv_own = cls._invoice(cls.cust_a, 1000.0, "2026-02-01", due="2026-02-01")
        cls.inv_own.invoice_user_id = cls.salesman
        cls.inv_other = cls._invoice(cls.cust_b, 500.0, "2026-02-01", due="2026-02-01")
        cls.inv_other.invoice_user_id = cls.env.ref("base.user_admin")
        cls._unapplied_payment(cls.cust_a, 100.0, "2026-02-05")

    def test_salesman_sees_only_his_documents(self):
        partners = (self.cust_a | self.cust_b).ids
        rows = self.Aging.get_aging("2026-02-10", partner_ids=partners)
        self.assertEqual(self._row(rows, self.cust_a)["total"], 900.0)
        self.assertEqual(self._row(rows, self.cust_b)["total"], 500.0)
        # "own documents only": his own invoice, not the other salesperson's, and not the
        # payment entry (journal entries are not his documents)
        Aging = self.Aging.with_user(self.salesman)
        rows = Aging.get_aging("2026-02-10", partner_ids=partners)
        self.assertEqual([(r["partner_id"], r["total"]) for r in rows], [(self.cust_a.id, 1000.0)])
        self.assertEqual(
            Aging.get_open_line_ids("2026-02-10", partner_ids=partners),
            self.inv_own.line_ids.filtered(lambda ml: ml.account_id == self.receivable).ids,
        )
        # the wizard and its drill-down, run by him
        wizard = (
            self.env["kakeuri.aging.wizard"]
            .with_user(self.salesman)
            .create({"date_as_of": "2026-02-10", "partner_ids": [Command.set(partners)]})
        )
        wizard.action_view()
        self.assertEqual(wizard.line_ids.partner_id, self.cust_a)
        items = (
            self.env["kakeuri.aging.item"]
            .with_user(self.salesman)
            .search(wizard.line_ids.action_open_items()["domain"])
        )
        self.assertEqual(items.move_id, self.inv_own)

    @freeze_time("2026-02-10")
    def test_partner_form_without_journal_item_access(self):
        employee = new_test_user(self.env, login="kakeuri_aging_employee", groups="base.group_user")
        self.assertFalse(self.env["account.move.line"].with_user(employee).has_access("read"))
        self.assertFalse(self.cust_a.with_user(employee).kakeuri_aging_html)
        html = str(self.cust_a.with_user(self.salesman).kakeuri_aging_html)
        self.assertIn("1,000.00", html)
        self.assertNotIn("900.00", html)
