# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import io
import zipfile

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common.aging import AgingCommon


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
        self.assertIn("03/20/2026", action["name"], "the user's date format")

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
        # a group shows its oldest item's days, not a sum of days
        days = Item._read_group(action["domain"], [], ["days_overdue:max"])[0][0]
        self.assertEqual(Item.read_group(action["domain"], ["days_overdue"], [])[0]["days_overdue"], days)
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
            "Aged Receivables as of 03/20/2026",
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
        for text in ("Aged Receivables as of 03/20/2026", "Not Due", "31-60", "Over 120", "Aoba Shoji"):
            self.assertIn(text, strings)
        for number in ("<v>5000</v>", "<v>600</v>", "<v>250</v>", "<v>5850.0</v>"):
            self.assertIn(number, sheet)
        # the column headers (row 8) stay in sight while the customers scroll; dates as the user reads them
        self.assertIn('ySplit="8"', sheet)
        with zipfile.ZipFile(io.BytesIO(attachment.raw)) as book:
            self.assertIn('formatCode="mm/dd/yyyy"', book.read("xl/styles.xml").decode())

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

    def _xlsx(self, wizard):
        action = wizard.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        with zipfile.ZipFile(io.BytesIO(attachment.raw)) as book:
            return book.read("xl/sharedStrings.xml").decode(), book.read("xl/worksheets/sheet1.xml").decode()

    def _pdf_html(self, wizard):
        wizard.action_print_pdf()
        html, _fmt = (
            self.env["ir.actions.report"]
            .with_context(wizard.env.context)
            ._render_qweb_html("kakeuri_ar.report_kakeuri_aging", wizard.ids)
        )
        return html.decode()

    def test_pdf_and_xlsx_in_japanese(self):
        self.env["res.lang"]._activate_lang("ja_JP")
        with mute_logger("odoo.addons.base.models.ir_module", "odoo.tools.translate"):
            self.env["ir.module.module"]._load_module_terms(["kakeuri_ar"], ["ja_JP"], overwrite=True)
        wizard = self._wizard().with_context(lang="ja_JP")
        title = "売掛金年齢表（2026年03月20日 時点）"
        expected = (title, "期日未到来", "31～60日", "120日超", "得意先", "合計")
        html = self._pdf_html(wizard)
        for text in expected:
            self.assertIn(text, html)
        self.assertIn("5,000.00", html)
        self.assertNotIn("Not Due", html)
        strings, sheet = self._xlsx(wizard)
        for text in expected:
            self.assertIn(text, strings)
        self.assertNotIn("Not Due", strings)
        self.assertIn("<v>5000</v>", sheet)

    def test_two_companies_one_block_each(self):
        company_2 = self.setup_other_company(name="株式会社九州販売 (Kyushu Hanbai)")["company"]
        self._invoice(self.cust_a, 777.0, "2026-03-01", due="2026-03-01", company=company_2)
        both = self.env.company | company_2
        self.env.user.company_ids |= company_2
        wizard = (
            self.env["kakeuri.aging.wizard"]
            .with_context(allowed_company_ids=both.ids)
            .create(
                {
                    "date_as_of": "2026-03-20",
                    "company_ids": [Command.set(both.ids)],
                    "partner_ids": [Command.set((self.cust_a | self.cust_b).ids)],
                }
            )
        )
        action = wizard.action_view()
        self.assertEqual(action["context"]["group_by"], ["company_id"])
        self.assertEqual(
            sorted((line.company_id.id, line.partner_id.id, line.total) for line in wizard.line_ids),
            sorted(
                [
                    (self.env.company.id, self.cust_b.id, 5000.0),
                    (self.env.company.id, self.cust_a.id, 850.0),
                    (company_2.id, self.cust_a.id, 777.0),
                ]
            ),
        )
        line_2 = wizard.line_ids.filtered(lambda line: line.company_id == company_2)
        items = self._items(line_2)
        self.assertEqual((items.company_id, items.amount_open), (company_2, 777.0))
        html = self._pdf_html(wizard)
        self.assertEqual(html.count('<h5 class="mt-3">'), 2)
        self.assertIn("Kyushu Hanbai", html)
        self.assertIn("777.00", html)
        self.assertIn("5,850.00", html)  # the first company's total, not mixed with the second
        strings, sheet = self._xlsx(wizard)
        self.assertIn(f"{company_2.name} ({company_2.currency_id.name})", strings)
        self.assertIn(f"{self.env.company.name} ({self.env.company.currency_id.name})", strings)
        self.assertIn("<v>777</v>", sheet)

    def test_no_customer_row_drill_down(self):
        receivable = self.company_data["default_account_receivable"]
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2026-03-01",
                "line_ids": [
                    Command.create(
                        {"account_id": receivable.id, "debit": 70.0, "date_maturity": "2026-03-01"}
                    ),
                    Command.create(
                        {"account_id": self.company_data["default_account_revenue"].id, "credit": 70.0}
                    ),
                ],
            }
        )
        move.action_post()
        wizard = self._wizard(partner_ids=False)
        wizard.action_view()
        line = wizard.line_ids.filtered(lambda line: not line.partner_id)
        self.assertEqual((line.partner_name, line.total), ("(No customer)", 70.0))
        items = self._items(line)
        self.assertEqual(items.move_id, move)
        self.assertEqual((items.amount_open, items.band_label, items.partner_id.id), (70.0, "1-30", False))
