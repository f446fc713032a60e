# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The collections worklist and the dunning letters."""

from datetime import date

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval, time

from .common.dunning import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningCollection(DunningCommon):
    """The worklist of overdue customers; the letters of a run."""

    def test_collections_worklist(self):
        today = date.today()
        a, b = self.customers[:2]
        self._invoice(a, 100.0, 20, ref_date=today)
        self._invoice(a, 50.0, 3, ref_date=today)
        inv_b = self._invoice(b, 400.0, 40, ref_date=today)
        inv_b.kakeuri_dunning_level_id = self.level_second
        b.activity_schedule("mail.mail_activity_data_call", date_deadline=today, summary="Call about INV")
        rows = self.env["kakeuri.dunning.collection"].search([("partner_id", "in", (a | b).ids)])
        row_a = rows.filtered(lambda r: r.partner_id == a)
        row_b = rows.filtered(lambda r: r.partner_id == b)
        self.assertEqual(row_a.amount_overdue, 150.0)
        self.assertEqual(row_a.invoice_count, 2)
        self.assertEqual(row_a.max_days_overdue, 20)
        self.assertFalse(row_a.level_id)
        self.assertEqual(row_a.next_level_id, self.level_friendly, "never reminded: the first level")
        self.assertEqual(row_b.level_id, self.level_second)
        self.assertEqual(row_b.next_level_id, self.level_final)
        # a level that may be skipped is passed over when the next one is due too
        self.level_friendly.skippable = True
        self.env.flush_all()
        self.env.invalidate_all()  # the worklist is a view: its rows are read again
        row_a = self.env["kakeuri.dunning.collection"].search([("partner_id", "=", a.id)])
        self.assertEqual(row_a.next_level_id, self.level_second)
        # the worklist and the run agree
        self.assertEqual(self._line(self._run(today), a).level_id, row_a.next_level_id)
        self.assertEqual(rows[0], row_b, "ordered by overdue amount")
        today_rows = self.env["kakeuri.dunning.collection"].search(
            [("partner_id", "in", (a | b).ids), ("activity_date", "<=", today)]
        )
        self.assertEqual(today_rows, row_b)
        self.assertEqual(row_b.activity_summary, "Call about INV")

    def test_letter_of_draft_line_not_stored(self):
        partner = self.customers[0]
        self._invoice(partner, 100.0, 20)
        run = self._run()
        line = self._line(run, partner)
        report = self.env.ref("kakeuri_ar.action_report_dunning_letter")
        self.assertFalse(safe_eval(report.attachment, {"object": line, "time": time}))
        run.action_send()
        self.assertEqual(
            safe_eval(report.attachment, {"object": line, "time": time}),
            f"Reminder - {partner.name} - {run.name}.pdf",
        )
