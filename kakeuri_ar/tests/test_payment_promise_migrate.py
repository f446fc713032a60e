# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The upgrade from the customer's promise fields to promise records."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL, sql

from .common.dunning import TODAY
from .common.promise import PromiseCommon


@tagged("post_install", "-at_install")
class TestPaymentPromiseMigration(PromiseCommon):
    def _old_columns(self, values):
        """The columns of the old fields, as an earlier version left them, filled per partner."""
        cr = self.env.cr
        for column, kind in (
            ("kakeuri_promise_date", "date"),
            ("kakeuri_promise_amount", "numeric"),
            ("kakeuri_promise_start_date", "date"),
        ):
            if not sql.column_exists(cr, "res_partner", column):
                cr.execute(SQL("ALTER TABLE res_partner ADD COLUMN %s %s", SQL.identifier(column), SQL(kind)))
        self.env["res.partner"].flush_model()
        for partner, (date, amount, start) in values.items():
            cr.execute(
                SQL(
                    """UPDATE res_partner SET kakeuri_promise_date = %s, kakeuri_promise_amount = %s,
                              kakeuri_promise_start_date = %s WHERE id = %s""",
                    date,
                    amount,
                    start,
                    partner.id,
                )
            )

    @freeze_time(TODAY)
    def test_old_fields_become_open_promises(self):
        company_2 = self.setup_other_company(name="Kakeuri Migration Second KK")["company"]
        with_amount, without_amount, other_company, nothing = self.customers[:4]
        inv = self._invoice(with_amount, 500.0, 20)
        self._invoice(with_amount, 100.0, -5)  # not overdue: not covered
        inv_no_amount = self._invoice(without_amount, 250.0, 10)
        inv_2 = self._invoice(other_company, 800.0, 10, company=company_2)
        self._old_columns(
            {
                with_amount: (TODAY + timedelta(days=5), 300.0, TODAY - timedelta(days=2)),
                without_amount: (TODAY + timedelta(days=3), None, None),
                other_company: (TODAY - timedelta(days=1), 800.0, None),
                nothing: (TODAY + timedelta(days=3), None, None),
            }
        )
        promises = self.env["kakeuri.payment.promise"]._migrate_partner_promises()
        self.assertEqual(len(promises), 3, "a customer with nothing promised nor overdue gets none")
        by_partner = {p.partner_id: p for p in promises}
        first = by_partner[with_amount]
        self.assertEqual(
            (first.state, first.company_id, first.amount, first.date, first.date_start, first.move_ids),
            ("open", self.company, 300.0, TODAY + timedelta(days=5), TODAY - timedelta(days=2), inv),
        )
        second = by_partner[without_amount]
        self.assertEqual((second.amount, second.date_start, second.move_ids), (250.0, TODAY, inv_no_amount))
        # its newest open receivable is in the second company; an old date starts that day
        third = by_partner[other_company]
        self.assertEqual((third.company_id, third.move_ids, third.amount), (company_2, inv_2, 800.0))
        self.assertEqual(third.date_start, TODAY - timedelta(days=1))
        for column in ("kakeuri_promise_date", "kakeuri_promise_amount", "kakeuri_promise_start_date"):
            self.assertFalse(sql.column_exists(self.env.cr, "res_partner", column))
        # once the columns are gone, nothing happens again
        self.assertFalse(self.env["kakeuri.payment.promise"]._migrate_partner_promises())
