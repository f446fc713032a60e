# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The receivables portal as two customers: each sees only its own figures, invoices and
billing statements; foreign statements, bad tokens and other companies are refused; the
statement of account downloads; the home card shows the balance."""

import json
from unittest.mock import patch

from lxml import html

from odoo import tools
from odoo.tests import tagged

from odoo.addons.kakeuri_ar.controllers import portal as portal_controller

from .common.portal import KakeuriPortalCommon


@tagged("post_install", "-at_install")
class TestPortalReceivables(KakeuriPortalCommon):
    def _page(self, url, status=200):
        response = self.url_open(url)
        self.assertEqual(response.status_code, status, url)
        return response

    def _by_class(self, tree, css_class, path=""):
        return tree.xpath(f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {css_class} ')]{path}")

    def _text(self, tree, css_class):
        """The text of the elements of class ``css_class``, whitespace normalised."""
        return " ".join(" ".join(el.text_content().split()) for el in self._by_class(tree, css_class))

    def test_each_customer_sees_its_own_receivables(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        tree = html.fromstring(self._page("/my/receivables").content)
        # balance 330 + 1100 + 550, of which the old invoice (330) is overdue
        self.assertIn(self.kakeuri_amount_text(1980.0), self._text(tree, "o_kakeuri_balance"))
        self.assertIn(self.kakeuri_amount_text(330.0), self._text(tree, "o_kakeuri_overdue"))
        self.assertIn(self.kakeuri_amount_text(330.0), self._text(tree, "o_kakeuri_aging"))
        invoices = self._text(tree, "o_kakeuri_open_invoices")
        for move in self.inv_a_old | self.inv_a1 | self.inv_a2:
            self.assertIn(move.name, invoices)
        self.assertNotIn(self.inv_b1.name, invoices)
        statements = self._text(tree, "o_kakeuri_billing_statements")
        self.assertIn(self.statement_a.name, statements)
        self.assertNotIn(self.statement_b.name, statements)
        self.assertTrue(self._by_class(tree, "o_kakeuri_pay_overdue", "[@href='/my/invoices/overdue']"))
        pay_links = [a.get("href") for a in self._by_class(tree, "o_kakeuri_open_invoices", "//a[@href]")]
        self.assertTrue(any(f"/my/invoices/{self.inv_a1.id}?access_token=" in href for href in pay_links))

        self.authenticate(self.user_b.login, self.user_b.login)
        page_b = self._page("/my/receivables").text
        tree_b = html.fromstring(page_b)
        self.assertIn(self.kakeuri_amount_text(2200.0), self._text(tree_b, "o_kakeuri_balance"))
        self.assertIn(self.inv_b1.name, page_b)
        self.assertIn(self.statement_b.name, page_b)
        for name in (self.inv_a_old | self.inv_a1 | self.inv_a2).mapped("name") + [self.statement_a.name]:
            self.assertNotIn(name, page_b)

    def test_open_invoices_listed_most_urgent_first(self):
        """A customer with many open invoices sees the most urgent ones and a link to all."""
        self.authenticate(self.user_a.login, self.user_a.login)
        with patch.object(portal_controller, "INVOICE_ROWS", 2):
            tree = html.fromstring(self._page("/my/receivables").content)
        rows = self._by_class(tree, "o_kakeuri_open_invoices", "//tr[@data-move-id]")
        self.assertEqual([int(row.get("data-move-id")) for row in rows], (self.inv_a_old | self.inv_a1).ids)
        more = self._by_class(tree, "o_kakeuri_more_invoices")
        self.assertEqual(len(more), 1)
        self.assertIn("1", more[0].text_content())
        self.assertTrue(more[0].xpath(".//a[@href='/my/invoices']"))

    def test_foreign_statement_and_bad_token_refused(self):
        url_b = f"/my/billing_statements/{self.statement_b.id}"
        self.authenticate(self.user_a.login, self.user_a.login)
        own = self._page(f"/my/billing_statements/{self.statement_a.id}").text
        self.assertIn(self.statement_a.name, own)
        self.assertIn(self.inv_a1.name, own)
        for url in (url_b, f"{url_b}?access_token=wrong", f"{url_b}?report_type=pdf&download=1"):
            response = self._page(url, status=404)
            self.assertNotIn(self.statement_b.name, response.text)
        # the transaction route refuses another customer's statement too
        response = self.url_open(
            f"{url_b}/transaction",
            data=json.dumps({"params": {"access_token": "wrong", "amount": 1.0}}),
            headers={"Content-Type": "application/json"},
        )
        self.assertIn("The access token is invalid.", response.text)
        # a visitor with the right token sees the statement, with a wrong one nothing
        self.logout()
        token = self.statement_b._portal_ensure_token()
        self.assertIn(self.statement_b.name, self._page(f"{url_b}?access_token={token}").text)
        self.assertNotIn(self.statement_b.name, self._page(f"{url_b}?access_token=x{token}", status=404).text)

    def test_draft_and_other_company_statements_hidden(self):
        company_2 = self.setup_other_company(name="Kakeuri Portal Other Co.")["company"]
        other = self.Statement.create(
            {
                "partner_id": self.customer.id,
                "company_id": company_2.id,
                "period_start": self.last_month_end.replace(day=1),
                "period_end": self.last_month_end,
                "total_due": 777.0,
                "state": "confirmed",
            }
        )
        draft = self.Statement.create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "period_start": self.today.replace(day=1),
                "period_end": self.today,
                "total_due": 888.0,
            }
        )
        as_a = self.Statement.with_user(self.user_a)
        self.assertEqual(as_a.search([]), self.statement_a, "record rules: own confirmed statements only")
        self.authenticate(self.user_a.login, self.user_a.login)
        for statement in other | draft:
            token = statement._portal_ensure_token()
            self._page(f"/my/billing_statements/{statement.id}?access_token={token}", status=404)
        page = self._page("/my/receivables").text
        self.assertNotIn(other.name, page)
        self.assertNotIn(draft.name, page)

    def test_statement_download(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        date_from, date_to = self.last_month_end.replace(day=1), self.today
        response = self._page(
            f"/my/receivables/statement?date_from={date_from}&date_to={date_to}&file_format=pdf"
        )
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertIn("attachment", response.headers["Content-Disposition"])
        if tools.config["test_enable"] or tools.config["test_file"]:
            # Odoo renders reports as HTML under tests (no wkhtmltopdf workers)
            self.assertIn(self.inv_a1.name, response.content.decode())
        else:
            self.assertTrue(response.content.startswith(b"%PDF"))
        xlsx = self._page(
            f"/my/receivables/statement?date_from={date_from}&date_to={date_to}&file_format=xlsx"
        )
        self.assertIn("spreadsheetml", xlsx.headers["Content-Type"])
        self.assertTrue(xlsx.content.startswith(b"PK"), "an XLSX file is a zip archive")
        # bad input: the page again, with the reason, never a traceback
        for query, message in (
            ("date_from=2026-13-45&date_to=2026-01-31", "two valid dates"),
            (f"date_from={date_to}&date_to={date_from}", "after its end"),
            (f"date_from={date_from}&date_to={date_to}&file_format=doc", "Unknown statement format"),
            (f"date_from={date_from}&date_to={date_to}&company_id=999999", "no account with the company"),
        ):
            response = self._page(f"/my/receivables/statement?{query}", status=400)
            tree = html.fromstring(response.content)
            self.assertIn(message, self._text(tree, "o_kakeuri_statement_error"))

    def test_billing_statement_pdf(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        response = self._page(f"/my/billing_statements/{self.statement_a.id}?report_type=pdf&download=1")
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        disposition = response.headers["Content-Disposition"]
        self.assertIn("attachment", disposition)
        self.assertIn(self.statement_a.name.split("/")[-1], disposition)

    def test_home_card_shows_balance(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        home = self._page("/my/home").text
        self.assertIn('data-placeholder_count="kakeuri_receivable_count"', home)
        self.assertIn("/my/receivables", home)
        response = self.url_open(
            "/my/counters",
            data=json.dumps({"params": {"counters": ["kakeuri_receivable_count"]}}),
            headers={"Content-Type": "application/json"},
        )
        balance = response.json()["result"]["kakeuri_receivable_count"]
        self.assertIn(self.kakeuri_amount_text(1980.0), balance)
