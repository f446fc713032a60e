# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""While a payment plan is active, dunning and the overdue figures of credit control follow
its installments instead of the invoices' own due dates; broken, the whole rest is overdue
again (``kakeuri.receivable.ledger._holds_query``)."""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common.dunning import DunningCommon


@tagged("post_install", "-at_install")
class TestPaymentPlanDunning(DunningCommon):
    def test_dunning_follows_the_installments(self):
        self._levels_skippable()
        partner = self.customers[0]
        with freeze_time("2026-04-01"):
            invoice = self._invoice(partner, 900.0, 50, ref_date=date(2026, 4, 1))
            plan = self.env["kakeuri.payment.plan"].create(
                {
                    "partner_id": partner.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "installment_count": 3,
                    "date_first": date(2026, 4, 30),
                }
            )
            plan.action_compute_schedule()
            plan.action_activate()
        with freeze_time("2026-04-15"):
            # no installment due yet: nothing overdue, nothing to remind
            partner.invalidate_recordset()
            self.assertEqual(partner.kakeuri_overdue_amount, 0.0)
            line = self._line(self._run(date(2026, 4, 15)), partner)
            self.assertTrue(not line or line.state == "skipped")
        with freeze_time("2026-05-10"):
            # the first installment is 10 days late: only it is overdue, since its date
            partner.invalidate_recordset()
            self.assertEqual(partner.kakeuri_overdue_amount, 300.0)
            self.assertEqual(partner.kakeuri_max_days_overdue, 10)
            line = self._line(self._run(date(2026, 5, 10)), partner)
            self.assertEqual(line.amount_overdue, 300.0)
            # without a policy there is no grace: the plan breaks, the whole rest is due again
            self.assertEqual(self.env["kakeuri.payment.plan"]._cron_check_plans(), plan)
            self.assertEqual(plan.state, "broken")
            partner.invalidate_recordset()
            self.assertEqual(partner.kakeuri_overdue_amount, 900.0)
            self.assertEqual(partner.kakeuri_max_days_overdue, 89)
