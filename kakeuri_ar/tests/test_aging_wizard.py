# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import io
import zipfile

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_aging import AgingCommon


@tagged("post_install", "-at_install")
class TestAgingWizard(AgingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = cls.env["res.users"].create(
            {"name": "営業 太郎 (Eigyo Taro)", "login": "kakeuri_aging_sales", "email": "sales@example.com"}
        )
        cls.cust_a.user_id = cls.salesman
        cls.contact_a = cls.env["res.partner"].create(
            {"name": "経理部 (Accounting)", "parent_id": cls.cust_a.id}
        )
        cls.inv_a1 = cls._invoice(cls.cust_a, 1000.0, "2026-01-10", due="2026-01-31")
        cls.inv_a2 = cls._invoice(cls.cust_a, 250.0, "2026-03-01", due="2026-03-31")
        cls._pay(cls.inv_a1, 400.0, "2026-02-10")
        cls.inv_b = cls._invoice(cls.cust_b, 5000.0, "2026-02-20", due="2026-02-28")
        cls._pay(cls.inv_b, 5000.0, "2026-04-10")
        cls.inv_c = cls._invoice(cls.cust_c, 90.0, "2026-03-05", due="2026-03-05")
        cls._unapplied_payment(cls.cust_c, 90.0, "2026-02-10")  # paid in advance

    def _wizard(self, **vals):
        return self.env["kakeuri.aging.wizard"].create(
            {
                "date_as_of": "2026-03-20",
                "partner_ids": [(6, 0, (self.cust_a | self.cust_b | self.cust_c).ids)],
                **vals,
            }
        )

    def test_lines_match_engine_and_sorted_by_total(self):
        wizard = self._wizard()
        action = wizard.action_view()
        lines = self.env["kakeuri.aging.line"].search(action["domain"])
        self.assertEqual(lines.partner_id, self.cust_b | self.cust_a | self.cust_c)
        # the action is sorted by total, the largest first
        self.assertEqual(lines.partner_id.ids, [self.cust_b.id, self.cust_a.id, self.cust_c.id])
        self.assertEqual(lines.mapped("total"), [5000.0, 850.0, 0.0])
        line_a = lines.filtered(lambda line: line.partner_id == self.cust_a)
        # inv_a1: 600 open, due 01-31 -> 48 days (31-60); inv_a2 not due
        self.assertEqual(line_a._get_bands(), [250.0, 0.0, 600.0, 0.0, 0.0, 0.0])
        self.assertEqual(line_a.overdue, 600.0)
        self.assertEqual(line_a.user_id, self.salesman)
        line_c = lines.filtered(lambda line: line.partner_id == self.cust_c)
        # invoice 15 days overdue, advance payment 38 days old: nets to zero but is listed
        self.assertEqual(line_c._get_bands(), [0.0, 90.0, -90.0, 0.0, 0.0, 0.0])
        engine = self.Aging.get_aging("2026-03-20", partner_ids=(self.cust_a | self.cust_b | self.cust_c).ids)
        for row in engine:
            line = lines.filtered(lambda line, r=row: line.partner_id.id == r["partner_id"])
            self.assertEqual(line._get_bands(), row["buckets"])
        self.assertEqual(action["context"]["kakeuri_aging_edges_view_ref"], "30,60,90,120")
        self.assertIn("2026-03-20", action["name"])

    def _items(self, line):
        action = line.action_open_items()
        self.assertEqual(action["res_model"], "kakeuri.aging.item")
        return self.env["kakeuri.aging.item"].search(action["domain"])

    def test_drill_down_open_items_as_of_date(self):
        wizard = self._wizard()
        wizard.action_view()
        line_b = wizard.line_ids.filtered(lambda line: line.partner_id == self.cust_b)
        items = self._items(line_b)
        # paid on 04-10, so fully open as of 03-20, although nothing is open today
        self.assertEqual(items.move_id, self.inv_b)
        self.assertEqual(items.amount_open, 5000.0)
        self.assertEqual(items.amount_residual, 0.0)
        self.assertEqual((items.band, items.band_label, items.days_overdue), ("1", "1-30", 20))
        # the items of a row add up to the row, band by band
        line_a = wizard.line_ids.filtered(lambda line: line.partner_id == self.cust_a)
        items = self._items(line_a)
        self.assertEqual(items.move_id, self.inv_a1 | self.inv_a2)
        self.assertEqual(sum(items.mapped("amount_open")), line_a.total)
        self.assertEqual(items.filtered(lambda i: i.move_id == self.inv_a1).amount_open, 600.0)
        for index, amount in enumerate(line_a._get_bands()):
            band_items = items.filtered(lambda i, n=index: i.band == str(n))
            self.assertEqual(sum(band_items.mapped("amount_open")), amount)
        # an advance payment and an invoice that net to zero: both listed, summing to zero
        line_c = wizard.line_ids.filtered(lambda line: line.partner_id == self.cust_c)
        items = self._items(line_c)
        self.assertEqual(sorted(items.mapped("amount_open")), [-90.0, 90.0])
        # clicking again does not duplicate the items
        items = self._items(line_c)
        self.assertEqual(len(items), 2)
        # grouped by band, with the band labels of the wizard's edges
        action = line_a.action_open_items()
        self.assertEqual(action["context"]["search_default_group_band"], 1)
        Item = self.env["kakeuri.aging.item"].with_context(**action["context"])
        groups = Item.read_group(action["domain"], ["amount_open:sum"], ["band"])
        self.assertEqual([(g["band"], g["amount_open"]) for g in groups], [("0", 250.0), ("2", 600.0)])
        self.assertEqual(dict(Item.fields_get(["band"])["band"]["selection"])["2"], "31-60")
        # a click on an item opens its journal entry
        item = items[0]
        self.assertEqual(
            (item.action_open_move()["res_model"], item.action_open_move()["res_id"]),
            ("account.move", item.move_id.id),
        )
        # after the payment date the customer's invoice is no longer open
        wizard.date_as_of = "2026-04-10"
        wizard.action_view()
        self.assertFalse(wizard.line_ids.filtered(lambda line: line.partner_id == self.cust_b))

    def test_one_row_per_customer_with_its_contacts(self):
        """A payment booked on a contact of the customer counts in the customer's row."""
        self._unapplied_payment(self.contact_a, 100.0, "2026-03-01")
        rows = self.Aging.get_aging("2026-03-20", partner_ids=(self.cust_a | self.contact_a).ids)
        self.assertEqual([(r["partner_id"], r["total"]) for r in rows], [(self.cust_a.id, 750.0)])
        self.assertEqual(rows[0]["buckets"], [250.0, -100.0, 600.0, 0.0, 0.0, 0.0])
        # the contact alone: its payment, in its customer's row
        rows = self.Aging.get_aging("2026-03-20", partner_ids=self.contact_a.ids)
        self.assertEqual([(r["partner_id"], r["total"]) for r in rows], [(self.cust_a.id, -100.0)])
        wizard = self._wizard()
        wizard.action_view()
        self.assertEqual(wizard.line_ids.partner_id, self.cust_a | self.cust_b | self.cust_c)
        line_a = wizard.line_ids.filtered(lambda line: line.partner_id == self.cust_a)
        self.assertEqual(line_a.total, 750.0)
        items = self._items(line_a)
        self.assertEqual(sum(items.mapped("amount_open")), 750.0)
        self.assertEqual(items.filtered(lambda i: i.amount_open == -100.0).partner_id, self.contact_a)
        # and the ledger still adds up
        all_rows = self.Aging.get_aging("2026-03-20")
        ledger = sum(
            self.env["account.move.line"]
            .search(
                [
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("date", "<=", "2026-03-20"),
                    ("company_id", "=", self.env.company.id),
                ]
            )
            .mapped("balance")
        )
        self.assertAlmostEqual(sum(r["total"] for r in all_rows), ledger, places=2)

    def test_filters_salesperson_contacts_and_zero_balance(self):
        wizard = self._wizard(partner_ids=False, user_id=self.salesman.id)
        wizard.action_view()
        self.assertEqual(wizard.line_ids.partner_id, self.cust_a)
        # choosing a contact ages its company
        wizard = self._wizard(partner_ids=[(6, 0, self.contact_a.ids)])
        wizard.action_view()
        self.assertEqual(wizard.line_ids.partner_id, self.cust_a)
        # zero-balance customers only on request
        zero = self._customer("株式会社ゼロ (Zero KK)")
        wizard = self._wizard(partner_ids=[(6, 0, (self.cust_a | zero).ids)])
        wizard.action_view()
        self.assertEqual(wizard.line_ids.partner_id, self.cust_a)
        wizard.include_zero = True
        wizard.action_view()
        self.assertEqual(wizard.line_ids.partner_id, self.cust_a | zero)
        self.assertEqual(wizard.line_ids.filtered(lambda line: line.partner_id == zero).total, 0.0)

    def test_custom_edges_and_basis(self):
        wizard = self._wizard(bucket_edges="15, 45", basis="invoice_date")
        self.assertEqual(wizard.get_band_labels(), ["Not Due", "1-15", "16-45", "Over 45"])
        wizard.action_view()
        line_a = wizard.line_ids.filtered(lambda line: line.partner_id == self.cust_a)
        # by invoice date: inv_a1 (600) 69 days, inv_a2 (250) 19 days
        self.assertEqual(line_a._get_bands(), [0.0, 0.0, 250.0, 600.0])
        # the list view names the band columns after the edges and hides the unused ones
        Line = self.env["kakeuri.aging.line"].with_context(kakeuri_aging_edges_view_ref="15,45")
        arch = Line.get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('string="16-45"', arch)
        self.assertIn('string="Over 45"', arch)
        self.assertIn('name="band_4" sum="Total" widget="monetary" column_invisible="1"', arch)
        self.assertEqual(Line.fields_get(["band_2"])["band_2"]["string"], "16-45")
        views = Line.get_views([(False, "pivot"), (False, "graph")])["views"]
        self.assertIn('name="band_3" type="measure" string="Over 45"', views["pivot"]["arch"])
        self.assertNotIn("band_4", views["pivot"]["arch"])
        self.assertIn('name="total" type="measure"', views["graph"]["arch"])

    def test_bad_edges_refused(self):
        for bad in ("30,30", "60,30", "abc", "", "0,30", "10,20,30,40,50,60,70"):
            with self.assertRaises(ValidationError, msg=bad):
                self._wizard(bucket_edges=bad)
        wizard = self._wizard(bucket_edges="30，60、90")  # full-width separators are fine
        self.assertEqual(wizard._get_bucket_edges(), (30, 60, 90))

    def test_pdf_report_same_numbers(self):
        wizard = self._wizard()
        wizard.action_print_pdf()
        html, _fmt = self.env["ir.actions.report"]._render_qweb_html(
            "kakeuri_ar.report_kakeuri_aging", wizard.ids
        )
        html = html.decode()
        for text in (
            "Aged Receivables as of 2026-03-20",
            "31-60",
            "Over 120",
            "Aoba Shoji",
            "5,000.00",
            "600.00",
        ):
            self.assertIn(text, html)
        self.env.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        action = wizard.action_print_pdf()
        self.assertEqual(action["report_name"], "kakeuri_ar.report_kakeuri_aging")

    def test_xlsx_export_same_numbers(self):
        wizard = self._wizard()
        action = wizard.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        self.assertTrue(attachment.name.endswith(".xlsx"))
        with zipfile.ZipFile(io.BytesIO(attachment.raw)) as book:
            strings = book.read("xl/sharedStrings.xml").decode()
            sheet = book.read("xl/worksheets/sheet1.xml").decode()
        for text in ("Aged Receivables as of 2026-03-20", "Not Due", "31-60", "Over 120", "Aoba Shoji"):
            self.assertIn(text, strings)
        for number in ("<v>5000</v>", "<v>600</v>", "<v>250</v>", "<v>5850.0</v>"):
            self.assertIn(number, sheet)

    @freeze_time("2026-03-20")
    def test_default_date_is_today(self):
        wizard = self.env["kakeuri.aging.wizard"].create({})
        self.assertEqual(str(wizard.date_as_of), "2026-03-20")
        self.assertEqual(wizard.company_ids, self.env.companies)
        self.assertEqual(wizard.bucket_edges, "30,60,90,120")

    @freeze_time("2026-03-20")
    def test_partner_credit_tab_shows_todays_bands(self):
        self.env.invalidate_all()
        html = str(self.cust_a.kakeuri_aging_html)
        for text in ("Not Due", "31-60", "Over 120", "250.00", "600.00", "850.00"):
            self.assertIn(text, html)
        # a contact shows its company's bands
        self.assertIn("850.00", str(self.contact_a.kakeuri_aging_html))
        action = self.contact_a.action_kakeuri_open_aging()
        lines = self.env["kakeuri.aging.line"].search(action["domain"])
        self.assertEqual(lines.partner_id, self.cust_a)
        self.assertEqual(lines.total, 850.0)
        self.assertIn("Aoba Shoji", action["name"])
