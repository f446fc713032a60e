# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import io
import zipfile
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.kakeuri_ar.report import receivable_ledger

from .common.aging import AgingCommon

JAN = (date(2026, 1, 1), date(2026, 1, 31))
FEB = (date(2026, 2, 1), date(2026, 2, 28))
MAR = (date(2026, 3, 1), date(2026, 3, 31))


@tagged("post_install", "-at_install")
class TestAccountStatement(AgingCommon):
    """A customer with a contact, over three months (2026):

    - Jan 10 INV1 1000 due Feb 9; Jan 20 INV2 500 on the contact, due Jan 31;
      Jan 25 a payment of 300 on INV1 (partial);
    - Feb 10 a credit note of 200 matched with INV2; Feb 20 an advance payment of 400;
    - Mar 5 INV3 400 due Mar 31, matched with the February advance; Mar 15 a payment of 700
      settles INV1 (dated in January, so reconciled after the ends of January and February).
    Another customer's invoice must stay out of every figure."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Statement = cls.env["kakeuri.account.statement"]
        cls.cust = cls._customer("株式会社さくら商会 (Sakura Shokai)")
        cls.contact = cls.env["res.partner"].create(
            {"name": "経理部 山田", "parent_id": cls.cust.id, "type": "invoice"}
        )
        cls.inv1 = cls._invoice(cls.cust, 1000.0, "2026-01-10", due="2026-02-09")
        cls.inv2 = cls._invoice(cls.contact, 500.0, "2026-01-20", due="2026-01-31")
        cls.pay1 = cls._pay(cls.inv1, 300.0, "2026-01-25")
        cls.refund = cls._invoice(cls.cust, 200.0, "2026-02-10", move_type="out_refund")
        cls._reconcile(cls.refund, cls.inv2)
        cls.advance = cls._unapplied_payment(cls.cust, 400.0, "2026-02-20")
        cls.inv3 = cls._invoice(cls.cust, 400.0, "2026-03-05", due="2026-03-31")
        cls._reconcile(cls.advance.move_id, cls.inv3)
        cls.pay3 = cls._pay(cls.inv1, 700.0, "2026-03-15")
        cls.other = cls._invoice(cls.cust_b, 999.0, "2026-01-15", due="2026-01-20")

    def _ledger_of(self, partner, date_to):
        groups = self.env["account.move.line"]._read_group(
            [
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("date", "<=", date_to),
                ("company_id", "=", self.env.company.id),
                ("partner_id.commercial_partner_id", "=", partner.id),
            ],
            [],
            ["balance:sum"],
        )
        return groups[0][0] or 0.0

    def _aging_of(self, partner, date_to):
        contacts = self.env["res.partner"].search([("commercial_partner_id", "=", partner.id)])
        row = self._row(self.Aging.get_aging(date_to, partner_ids=contacts.ids), partner)
        return row or {"buckets": [0.0] * 6, "total": 0.0}

    def _check_totals(self, statement):
        """closing = opening + Σ(debit - credit) = ledger = aging total; running balances add up."""
        running = statement["opening_balance"]
        for line in statement["lines"]:
            running += line["debit"] - line["credit"]
            self.assertAlmostEqual(line["balance"], running, places=2)
        self.assertAlmostEqual(statement["closing_balance"], running, places=2)
        date_to = statement["date_to"]
        self.assertAlmostEqual(statement["closing_balance"], self._ledger_of(self.cust, date_to), places=2)
        aging = self._aging_of(self.cust, date_to)
        self.assertAlmostEqual(statement["closing_balance"], aging["total"], places=2)
        self.assertEqual(statement["buckets"], aging["buckets"])
        self.assertAlmostEqual(statement["overdue"], sum(aging["buckets"][1:]), places=2)

    def test_january(self):
        st = self.Statement.get_statement(self.contact, *JAN)
        self.assertEqual(st["partner_id"], self.cust.id, "a contact's statement is its company's")
        self.assertEqual(st["company_id"], self.env.company.id)
        self.assertEqual(st["currency_id"], self.env.company.currency_id.id)
        self.assertEqual(st["opening_balance"], 0.0)
        self.assertEqual(
            [(line["move_id"], line["kind"], line["debit"], line["credit"]) for line in st["lines"]],
            [
                (self.inv1.id, "invoice", 1000.0, 0.0),
                (self.inv2.id, "invoice", 500.0, 0.0),
                (self.pay1.move_id.id, "payment", 0.0, 300.0),
            ],
        )
        self.assertEqual([line["balance"] for line in st["lines"]], [1000.0, 1500.0, 1200.0])
        first = st["lines"][0]
        self.assertEqual(first["name"], self.inv1.name)
        self.assertEqual(first["move_type"], "out_invoice")
        self.assertEqual(first["date"], date(2026, 1, 10))
        self.assertEqual(first["date_due"], date(2026, 2, 9))
        self.assertFalse(st["lines"][2]["date_due"], "a payment has no due date")
        self.assertEqual(st["closing_balance"], 1200.0)
        # INV1 (700 left) falls due Feb 9, INV2 on Jan 31 itself: nothing overdue yet
        self.assertEqual(st["buckets"], [1200.0, 0.0, 0.0, 0.0, 0.0, 0.0])
        self.assertEqual(st["overdue"], 0.0)
        self.assertEqual(len(st["bucket_labels"]), 6)
        self.assertEqual((st["debit_total"], st["credit_total"]), (1500.0, 300.0))
        self._check_totals(st)

    def test_february(self):
        """The advance is a movement of February and unapplied credit at its end; INV1 stays
        open for its 700 although the March payment is reconciled with it today."""
        st = self.Statement.get_statement(self.cust, *FEB)
        self.assertEqual(st["opening_balance"], 1200.0)
        self.assertEqual(
            [(line["move_id"], line["kind"], line["credit"]) for line in st["lines"]],
            [(self.refund.id, "refund", 200.0), (self.advance.move_id.id, "payment", 400.0)],
        )
        self.assertEqual(st["closing_balance"], 600.0)
        # 1-30 days: INV1 700 (due Feb 9) + INV2 300 (due Jan 31) - the advance 400 (Feb 20)
        self.assertEqual(st["buckets"], [0.0, 600.0, 0.0, 0.0, 0.0, 0.0])
        self.assertEqual(st["overdue"], 600.0)
        self._check_totals(st)

    def test_march(self):
        st = self.Statement.get_statement(self.cust, *MAR)
        self.assertEqual(st["opening_balance"], 600.0)
        self.assertEqual(
            [(line["move_id"], line["debit"], line["credit"], line["balance"]) for line in st["lines"]],
            [(self.inv3.id, 400.0, 0.0, 1000.0), (self.pay3.move_id.id, 0.0, 700.0, 300.0)],
        )
        self.assertEqual(st["closing_balance"], 300.0)
        # only INV2's 300 is left, 59 days past due
        self.assertEqual(st["buckets"], [0.0, 0.0, 300.0, 0.0, 0.0, 0.0])
        self._check_totals(st)

    def test_whole_quarter_and_empty_period(self):
        quarter = self.Statement.get_statement(self.cust, JAN[0], MAR[1])
        self.assertEqual(len(quarter["lines"]), 7)
        self.assertEqual(quarter["closing_balance"], 300.0)
        self._check_totals(quarter)
        later = self.Statement.get_statement(self.cust, date(2026, 4, 1), "2026-04-30")
        self.assertEqual(later["lines"], [])
        self.assertEqual((later["opening_balance"], later["closing_balance"]), (300.0, 300.0))
        self.assertEqual(later["date_to"], date(2026, 4, 30))
        self._check_totals(later)
        nothing = self.Statement.get_statement(self.cust_c, *JAN)
        self.assertEqual((nothing["opening_balance"], nothing["closing_balance"]), (0.0, 0.0))
        self.assertEqual(nothing["buckets"], [0.0] * 6)

    def test_later_reconciliations_either_way(self):
        """The reconciliations dated after the end are found from the reconciliations when
        they are few, and item by item when they are many: the same statement either way."""
        for period in (JAN, FEB, MAR, (JAN[0], MAR[1])):
            few_way = self.Statement.get_statement(self.cust, *period)
            with patch.object(receivable_ledger, "LATER_PARTIALS_FEW", 0):
                item_way = self.Statement.get_statement(self.cust, *period)
            self.assertEqual(item_way, few_way)
            self._check_totals(item_way)
            if period == JAN:  # INV1 is open for 700: the March payment is added back to it
                self.assertEqual(item_way["buckets"], [1200.0, 0.0, 0.0, 0.0, 0.0, 0.0])

    def test_query_count_constant(self):
        few = self._customer("Few Lines KK")
        self._pay(self._invoice(few, 100.0, "2026-01-05"), 100.0, "2026-01-06")
        many = self._customer("Many Lines KK")
        for day in range(1, 11):
            self._pay(self._invoice(many, 100.0, f"2026-01-{day:02d}"), 50.0, f"2026-01-{day + 10:02d}")
        self.env.flush_all()
        counts = []
        for partner in (few, many, few, many):
            before = self.env.cr.sql_log_count
            statement = self.Statement.get_statement(partner, *JAN)
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(len(statement["lines"]), 20)
        self.assertEqual(counts[2], counts[3], "as many queries for 20 lines as for 2")

    def test_bad_input(self):
        with self.assertRaisesRegex(UserError, "2026-02-01.*2026-01-31"):
            self.Statement.get_statement(self.cust, "2026-02-01", "2026-01-31")
        with self.assertRaisesRegex(UserError, "not-a-date"):
            self.Statement.get_statement(self.cust, "not-a-date", "2026-01-31")
        with self.assertRaises(UserError):
            self.Statement.get_statement(self.cust | self.cust_b, *JAN)
        with self.assertRaises(UserError):
            self.Statement.get_statement(self.env["res.partner"], *JAN)

    def test_other_company_refused(self):
        other = self.setup_other_company()["company"]
        user = new_test_user(
            self.env,
            login="kakeuri_statement_user",
            groups="account.group_account_invoice,kakeuri_ar.group_ar_user",
            company_id=self.env.company.id,
            company_ids=[(6, 0, self.env.company.ids)],
        )
        Statement = self.Statement.with_user(user)
        self.assertEqual(Statement.get_statement(self.cust, *JAN)["closing_balance"], 1200.0)
        with self.assertRaisesRegex(AccessError, "company_2"):
            Statement.get_statement(self.cust, *JAN, company=other)
        # in the other company the customer owes nothing
        statement = self.Statement.with_company(other).get_statement(self.cust, *JAN, company=other)
        self.assertEqual((statement["closing_balance"], statement["lines"]), (0.0, []))


@tagged("post_install", "-at_install")
class TestAccountStatementReport(AgingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Statement = cls.env["kakeuri.account.statement"]
        cls.env["res.lang"]._activate_lang("ja_JP")
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env.company.kakeuri_invoice_registration_number = "T1234567890123"
        cls.cust_a.lang = "ja_JP"
        cls.cust_b.lang = "zh_CN"
        cls.cust_c.lang = "en_US"
        cls.inv = cls._invoice(cls.cust_a, 1000.0, "2026-01-10", due="2026-01-20")
        cls._pay(cls.inv, 400.0, "2026-01-25")
        cls._invoice(cls.cust_b, 500.0, "2026-01-12", due="2026-02-28")

    def _html(self, partner, lang=None):
        data = self.Statement._report_data(self.env.company, *JAN, lang=lang)
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "kakeuri_ar.action_report_account_statement", partner.ids, data=data
        )
        return html.decode()

    def test_pdf(self):
        pdf, name = self.Statement.with_context(force_report_rendering=True)._render_pdf(self.cust_a, *JAN)
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertTrue(name.endswith(".pdf"))
        self.assertIn("Aoba Shoji", name)
        self.assertIn("2026-01-01", name)

    def test_html_japanese(self):
        html = self._html(self.cust_a)
        self.assertIn("御中", html)
        self.assertNotIn("敬启", html)
        self.assertIn(self.inv.name, html)
        self.assertIn("T1234567890123", html)
        # the running balance after the payment, and the overdue amount (the invoice fell due Jan 20)
        self.assertIn("600.00", html)
        self.assertIn("kakeuri_account_statement", html)

    def test_html_chinese_and_english(self):
        self.assertIn("敬启", self._html(self.cust_b))
        english = self._html(self.cust_c)
        self.assertNotIn("御中", english)
        self.assertNotIn("敬启", english)
        self.assertIn("No movements in this period.", english)
        # the language asked for wins over the customer's own
        self.assertNotIn("御中", self._html(self.cust_a, lang="en_US"))

    def test_several_customers_in_one_document(self):
        html = self._html(self.cust_a | self.cust_b)
        self.assertEqual(html.count('class="page kakeuri_account_statement"'), 2)
        self.assertIn("御中", html)
        self.assertIn("敬启", html)

    def _sheets(self, content):
        """Sheet names and shared strings of an XLSX workbook (a zip of XML parts)."""
        self.assertTrue(content.startswith(b"PK"))
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            workbook = book.read("xl/workbook.xml").decode()
            strings = book.read("xl/sharedStrings.xml").decode()
            sheets = [name for name in book.namelist() if name.startswith("xl/worksheets/sheet")]
        return workbook, strings, sheets

    def test_xlsx(self):
        content, name = self.Statement._render_xlsx(self.cust_c, *JAN, lang="en_US")
        self.assertTrue(name.endswith(".xlsx"))
        self.assertIn("Minato Butsuryu", name)
        workbook, strings, sheets = self._sheets(content)
        self.assertEqual(len(sheets), 1)
        self.assertIn("Minato Butsuryu", workbook)
        self.assertIn("Opening Balance", strings)
        self.assertIn("Closing Balance", strings)
        content, _name = self.Statement._render_xlsx(self.cust_a, *JAN, lang="en_US")
        _workbook, strings, _sheets = self._sheets(content)
        self.assertIn(self.inv.name, strings)
        self.assertIn("Payment", strings)
        self.assertIn("T1234567890123", strings)

    def test_xlsx_many_customers(self):
        twin = self._customer("株式会社青葉商事 (Aoba Shoji)")
        customers = self.cust_a | self.cust_b | twin
        content = self.env["kakeuri.account.statement.xlsx"].generate(customers, self.env.company, *JAN)
        workbook, _strings, sheets = self._sheets(content)
        self.assertEqual(len(sheets), 3)
        self.assertIn("Hokuto Seisakusho", workbook)
        self.assertIn("(2)", workbook, "two customers of the same name get two sheets")


@tagged("post_install", "-at_install")
class TestAccountStatementWizard(AgingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Wizard = cls.env["kakeuri.account.statement.wizard"]
        cls.env.company.external_report_layout_id = cls.env.ref("web.external_layout_standard")
        cls.inv = cls._invoice(cls.cust_a, 1000.0, "2026-01-10", due="2026-01-20")
        cls._invoice(cls.cust_b, 500.0, "2026-01-12")

    def _wizard(self, partners, **vals):
        return self.Wizard.create(
            {"partner_ids": [(6, 0, partners.ids)], "date_from": JAN[0], "date_to": JAN[1], **vals}
        )

    @freeze_time("2026-03-15")
    def test_defaults_from_customers(self):
        wizard = self.Wizard.with_context(
            active_model="res.partner", active_ids=(self.cust_a | self.cust_b).ids
        ).create({})
        self.assertEqual(wizard.partner_ids, self.cust_a | self.cust_b)
        self.assertEqual((wizard.date_from, wizard.date_to), (date(2026, 2, 1), date(2026, 2, 28)))
        self.assertEqual(wizard.company_id, self.env.company)
        self.assertFalse(wizard.lang)
        self.assertFalse(
            self.Wizard.with_context(active_model="account.move", active_ids=[1]).create({}).partner_ids
        )

    def test_show_and_print(self):
        wizard = self._wizard(self.cust_a | self.cust_b, lang="en_US")
        shown = wizard.action_show()
        self.assertEqual(shown["type"], "ir.actions.report")
        self.assertEqual(shown["report_type"], "qweb-html")
        self.assertEqual(shown["report_name"], "kakeuri_ar.report_account_statement")
        self.assertEqual(
            shown["data"],
            {
                "date_from": "2026-01-01",
                "date_to": "2026-01-31",
                "company_id": self.env.company.id,
                "lang": "en_US",
            },
        )
        printed = wizard.action_print()
        self.assertEqual(printed["report_type"], "qweb-pdf")
        self.assertEqual(sorted(printed["context"]["active_ids"]), sorted((self.cust_a | self.cust_b).ids))
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            printed["report_name"], printed["context"]["active_ids"], data=printed["data"]
        )
        self.assertEqual(html.decode().count('class="page kakeuri_account_statement"'), 2)
        self.assertIn(self.inv.name, html.decode())

    def test_contact_prints_its_company(self):
        contact = self.env["res.partner"].create({"name": "Tanaka", "parent_id": self.cust_a.id})
        printed = self._wizard(contact).action_print()
        self.assertEqual(printed["context"]["active_ids"], self.cust_a.ids)

    def test_export_xlsx(self):
        one = self._wizard(self.cust_a).action_export_xlsx()
        self.assertEqual(one["type"], "ir.actions.act_url")
        attachment = self.env["ir.attachment"].browse(int(one["url"].split("/")[3].split("?")[0]))
        self.assertTrue(attachment.name.endswith(".xlsx"))
        self.assertIn("Aoba Shoji", attachment.name)
        self.assertTrue(attachment.raw.startswith(b"PK"))
        many = self._wizard(self.cust_a | self.cust_b | self.cust_c).action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(many["url"].split("/")[3].split("?")[0]))
        with zipfile.ZipFile(io.BytesIO(attachment.raw)) as book:
            sheets = [name for name in book.namelist() if name.startswith("xl/worksheets/sheet")]
        self.assertEqual(len(sheets), 3)

    def test_bad_input(self):
        with self.assertRaisesRegex(UserError, "2026-02-01.*2026-01-31"):
            self._wizard(self.cust_a, date_from="2026-02-01")
        wizard = self._wizard(self.cust_a)
        wizard.partner_ids = False
        with self.assertRaisesRegex(UserError, "at least one customer"):
            wizard.action_print()
        other = self.setup_other_company()["company"]
        user = new_test_user(
            self.env,
            login="kakeuri_statement_wizard_user",
            groups="account.group_account_invoice",
            company_id=self.env.company.id,
            company_ids=[(6, 0, self.env.company.ids)],
        )
        wizard = self._wizard(self.cust_a, company_id=other.id).with_user(user)
        with self.assertRaises(AccessError):
            wizard.action_print()

    def test_entry_points(self):
        action = self.env.ref("kakeuri_ar.action_kakeuri_account_statement_wizard")
        self.assertEqual(action.binding_model_id.model, "res.partner")
        self.assertIn(self.group_ar_user, action.groups_id)
        user = new_test_user(
            self.env, login="kakeuri_statement_ar_user", groups="base.group_user,kakeuri_ar.group_ar_user"
        )
        arch = (
            self.env["res.partner"]
            .with_user(user)
            .get_view(self.env.ref("base.view_partner_form").id)["arch"]
        )
        self.assertIn(f'name="{action.id}"', arch)
        self.assertTrue(self.Wizard.with_user(user).has_access("create"))
