# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Dunning as installed: the scheduled action and demo-like data."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common.dunning import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestDunningInstallAndDemo(DunningCommon):
    def test_cron_first_runs_the_next_night(self):
        """Installing (or starting a server right after) sends nothing: the first scheduled
        run is the night after the installation."""
        cron = self.env.ref("kakeuri_ar.ir_cron_kakeuri_dunning")
        self.assertTrue(cron.active)
        self.assertGreater(cron.nextcall.date(), cron.create_date.date())
        data = self.env["ir.model.data"].search(
            [("module", "=", "kakeuri_ar"), ("name", "=", "ir_cron_kakeuri_dunning")]
        )
        self.assertTrue(data.noupdate, "an upgrade keeps the scheduled time")

    @freeze_time("2026-03-31")
    def test_done_when_on_demo_like_data(self):
        """The issue's 'Done when': a run on today's date proposes sensible reminders, sending
        queues mails with the right invoices and amounts, the final level sets the hold, and
        running it again sends nothing new."""
        friendly, second, final, call, disputed, promised = self.customers
        inv_friendly = self._invoice(friendly, 128000.0, 3)
        inv_second = self._invoice(second, 89100.0, 20)
        inv_final_1 = self._invoice(final, 356400.0, 35)
        inv_final_2 = self._invoice(final, 210000.0, 3)
        self._invoice(call, 184800.0, 50)
        self._dispute(self._invoice(disputed, 1250000.0, 50))
        self._invoice(promised, 76500.0, 25)
        self.env["kakeuri.payment.promise"].create(
            {"partner_id": promised.id, "date": TODAY + timedelta(days=5), "amount": 76500.0}
        )
        # the reminders they had before: one level at a time, each customer gets the next one
        inv_second.kakeuri_dunning_level_id = self.level_friendly
        inv_final_1.kakeuri_dunning_level_id = self.level_second
        self._line_moves(call).kakeuri_dunning_level_id = self.level_final
        self._line_moves(disputed).kakeuri_dunning_level_id = self.level_final
        self._line_moves(promised).kakeuri_dunning_level_id = self.level_friendly
        run = self.env["kakeuri.dunning.run"].create({"company_id": self.company.id})
        self.assertEqual(run.date, TODAY)
        run.action_compute()
        expected = {
            friendly: (self.level_friendly, "draft", 128000.0),
            second: (self.level_second, "draft", 89100.0),
            final: (self.level_final, "draft", 566400.0),
            call: (self.level_call, "draft", 184800.0),
            disputed: (self.level_call, "skipped", 1250000.0),
            promised: (self.level_second, "skipped", 76500.0),
        }
        for partner, (level, state, amount) in expected.items():
            line = self._line(run, partner)
            self.assertEqual(
                (line.level_id, line.state, line.amount_overdue), (level, state, amount), partner.name
            )
        run.action_send()
        self.assertEqual(run.state, "done")
        mail = self._mails(final)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        for inv in inv_final_1 | inv_final_2:
            self.assertIn(inv.name, mail.body_html)
        self.assertIn("566,400.00", mail.body_html)
        self.assertIn("356,400.00", mail.body_html)
        self.assertIn(inv_friendly.name, self._mails(friendly).body_html)
        self.assertIn(inv_second.name, self._mails(second).body_html)
        self.assertFalse(self._mails(call), "the call level is an activity")
        self.assertTrue(self._line(run, call).activity_id)
        self.assertFalse(self._mails(disputed) | self._mails(promised))
        self.assertTrue(final.kakeuri_credit_hold)
        self.assertFalse((friendly | second | call).filtered("kakeuri_credit_hold"))
        mail_count = self.env["mail.mail"].search_count([])
        # running it again sends nothing new
        run2 = self.env["kakeuri.dunning.run"].create({"company_id": self.company.id})
        run2.action_compute()
        self.assertFalse(run2.line_ids.filtered(lambda ln: ln.state == "draft"))
        self.assertEqual(self.env["mail.mail"].search_count([]), mail_count)

    def _line_moves(self, partner):
        return self.env["account.move"].search([("partner_id", "=", partner.id), ("state", "=", "posted")])

    def test_credit_demo_customers_left_out_of_dunning(self):
        """The demo marks the credit demo's customers as excluded (when demo data is loaded)."""
        partner = self.env.ref("kakeuri_ar.demo_credit_partner_hokuriku", raise_if_not_found=False)
        if not partner:
            self.skipTest("no demo data")
        names = ["yamato", "sakura", "fujimoto", "hokuriku", "minato", "aoba", "kansai", "tsubasa"]
        for name in names:
            self.assertTrue(
                self.env.ref(f"kakeuri_ar.demo_credit_partner_{name}").kakeuri_dunning_excluded, name
            )
        customers = self.env["res.partner"].browse(
            [self.env.ref(f"kakeuri_ar.demo_credit_partner_{name}").id for name in names]
        )
        self.assertFalse(self.env["kakeuri.dunning.line"].search([("partner_id", "in", customers.ids)]))
        self.assertEqual(
            customers.filtered("kakeuri_credit_hold"), self.env.ref("kakeuri_ar.demo_credit_partner_aoba")
        )
