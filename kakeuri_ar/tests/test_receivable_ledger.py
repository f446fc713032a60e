# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from odoo.tests import tagged
from odoo.tools import SQL

from .common.aging import AgingCommon


@tagged("post_install", "-at_install")
class TestReceivableLedger(AgingCommon):
    """The one definition of a receivable item that exposure, aging, statements and dunning
    build on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ledger = cls.env["kakeuri.receivable.ledger"]
        cls.contact = cls.env["res.partner"].create({"name": "経理部 山田", "parent_id": cls.cust_a.id})

    def _rows(self, query):
        self.Ledger._flush()
        self.env.cr.execute(query)
        return self.env.cr.dictfetchall()

    def test_open_items_roll_up_to_the_customer(self):
        """An invoice of a contact is an open item of its company; a paid one is not."""
        inv_contact = self._invoice(self.contact, 1000, date(2026, 1, 10), due=date(2026, 2, 10))
        paid = self._invoice(self.cust_a, 500, date(2026, 1, 5), due=date(2026, 1, 31))
        self._pay(paid, 500, date(2026, 1, 20))
        rows = self._rows(self.Ledger._open_items_query(self.env.company.ids, self.cust_a.ids))
        self.assertEqual([(r["move_id"], r["partner_id"]) for r in rows], [(inv_contact.id, self.cust_a.id)])
        self.assertEqual(rows[0]["residual"], 1000.0)
        self.assertEqual(rows[0]["date_due"], date(2026, 2, 10))
        self.assertFalse(rows[0]["disputed"])

    def test_overdue_invoices_per_instalment_and_dispute(self):
        """Overdue per invoice: only its instalments due before the date; disputed ones flagged
        and left out on request."""
        term = self.env["account.payment.term"].create(
            {
                "name": "Half now, half in 30 days",
                "line_ids": [
                    (0, 0, {"value": "percent", "value_amount": 50, "nb_days": 0}),
                    (0, 0, {"value": "percent", "value_amount": 50, "nb_days": 30}),
                ],
            }
        )
        split = self._invoice(self.cust_b, 2000, date(2026, 3, 1), term=term)
        disputed = self._invoice(self.cust_b, 300, date(2026, 2, 1), due=date(2026, 2, 15))
        self.env["kakeuri.dispute"].create(
            {"move_id": disputed.id, "amount": 100, "reason": "Short delivery"}
        )
        self._invoice(self.cust_b, 700, date(2026, 3, 10), due=date(2026, 4, 30))  # not due yet
        query = self.Ledger._overdue_invoices_query(self.env.company.ids, date(2026, 3, 20), self.cust_b.ids)
        rows = {r["move_id"]: r for r in self._rows(query)}
        self.assertEqual(set(rows), {split.id, disputed.id})
        self.assertEqual(rows[split.id]["residual"], 1000.0)
        self.assertEqual(rows[split.id]["date_due"], date(2026, 3, 1))
        self.assertEqual(rows[disputed.id]["residual"], 300.0)
        # what collections chases: the disputed part left out, the rest of the invoice kept
        self.env["kakeuri.receivable.holds"]._flush()
        held = self.env["kakeuri.receivable.holds"]._holds_query(
            query, self.env.company.ids, SQL("%s::date", date(2026, 3, 20))
        )
        rows = {r["move_id"]: r for r in self._rows(held)}
        self.assertEqual(rows[disputed.id]["residual"], 200.0)
        self.assertEqual(rows[disputed.id]["disputed"], 100.0)
        self.assertEqual(rows[split.id]["held"], 0.0)

    def test_unapplied_credits_until_the_date(self):
        self._unapplied_payment(self.cust_c, 400, date(2026, 2, 1))
        self._unapplied_payment(self.cust_c, 100, date(2026, 4, 1))
        rows = self._rows(self.Ledger._unapplied_credits_query(self.env.company.ids, date(2026, 3, 1)))
        amounts = {r["partner_id"]: r["amount"] for r in rows}
        self.assertEqual(amounts.get(self.cust_c.id), -400.0)

    def test_balance_and_movements_agree_with_aging(self):
        """The balance at a date is the sum of the movements up to it and the aging total."""
        inv = self._invoice(self.cust_a, 1200, date(2026, 1, 10), due=date(2026, 2, 10))
        self._invoice(self.contact, 800, date(2026, 2, 5), due=date(2026, 3, 5))
        self._pay(inv, 1000, date(2026, 2, 20))
        company = self.env.company
        balance = self.Ledger.get_balance(self.cust_a, company, date(2026, 2, 28))
        self.assertEqual(balance, 1000.0)
        movements = self.Ledger.get_movements(self.cust_a, company, date(2026, 2, 1), date(2026, 2, 28))
        self.assertEqual(sorted(m[2] for m in movements), [-1000.0, 800.0])
        aging = self._row(self.Aging.get_aging(date(2026, 2, 28), company=company), self.cust_a)
        self.assertEqual(aging["total"], balance)
