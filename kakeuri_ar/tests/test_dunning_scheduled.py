# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Dunning in scheduled actions: the daily run and the runs sent in the background."""

from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common.dunning import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestDunningScheduled(DunningCommon):
    """The daily run and background sending."""

    def test_large_run_is_sent_in_the_background(self):
        """Above the background threshold, Send queues the run for the scheduled action, which
        sends it batch by batch in the name of the user who pressed Send."""
        self.env["ir.config_parameter"].sudo().set_param("kakeuri_ar.dunning_background_threshold", 1)
        clerk = new_test_user(
            self.env,
            login="kakeuri_dunning_clerk",
            groups="account.group_account_invoice,kakeuri_ar.group_ar_user",
            company_id=self.company.id,
        )
        a, b = self.customers[:2]
        inv_a = self._invoice(a, 100.0, 3)
        self._invoice(b, 200.0, 20)
        run = self._run().with_user(clerk)
        cron = self.env.ref("kakeuri_ar.ir_cron_kakeuri_dunning_send_queued")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        action = run.action_send()
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload")
        self.assertIn(run.name, action["params"]["message"])
        self.assertTrue(run.send_queued)
        self.assertEqual(run.send_user_id, clerk)
        self.assertEqual(run.state, "draft")
        self.assertEqual(set(run.line_ids.mapped("state")), {"draft"})
        self.assertFalse(self._mails(a))
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1)
        self.assertIn("queued by", run.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "being sent in the background"):
            run.action_compute()
        with self.assertRaisesRegex(UserError, "already being sent in the background"):
            run.action_send()

        self.env["kakeuri.dunning.run"]._cron_send_queued()
        self.assertEqual(run.state, "done")
        self.assertFalse(run.send_queued)
        self.assertEqual(set(run.line_ids.mapped("state")), {"sent"})
        self.assertEqual(inv_a.kakeuri_dunning_level_id, self.level_friendly)
        mail = self._mails(a)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.author_id, clerk.partner_id)
        # nothing left: a second pass sends nothing more
        self.env["kakeuri.dunning.run"]._cron_send_queued()
        self.assertEqual(len(self._mails(a)), 1)

    def test_background_sending_that_fails_is_reported(self):
        self.env["ir.config_parameter"].sudo().set_param("kakeuri_ar.dunning_background_threshold", 0)
        partner = self.customers[0]
        self._invoice(partner, 100.0, 3)
        run = self._run()
        run.action_send()
        self.assertTrue(run.send_queued)
        with patch.object(
            type(self.env["kakeuri.dunning.run"]), "_send_lines", side_effect=RuntimeError("SMTP down")
        ):
            self.env["kakeuri.dunning.run"]._cron_send_queued()
        self.assertFalse(run.send_queued, "Send is offered again")
        self.assertEqual(run.state, "draft")
        self.assertEqual(self._line(run, partner).state, "draft")
        self.assertIn("Sending in the background stopped: SMTP down", run.message_ids[0].body)
        run.action_send()  # queued again, and sent this time
        self.env["kakeuri.dunning.run"]._cron_send_queued()
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self._mails(partner)), 1)

    def test_scheduled_action_sends_one_batch_per_call(self):
        """In the scheduled action a call sends one batch and reports the progress: Odoo
        commits it and calls again while reminders remain, on this worker or another one."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("kakeuri_ar.dunning_background_threshold", 1)
        params.set_param("kakeuri_ar.dunning_batch_size", 2)
        for partner in self.customers[:3]:
            self._invoice(partner, 100.0, 3)
        run = self._run()
        run.action_send()
        self.assertTrue(run.send_queued)
        cron = self.env.ref("kakeuri_ar.ir_cron_kakeuri_dunning_send_queued")
        cron, progress = cron._add_progress()
        Run = self.env["kakeuri.dunning.run"].with_context(ir_cron_progress_id=progress.id)
        Run._cron_send_queued()
        self.assertEqual((progress.done, progress.remaining), (2, 1))
        self.assertEqual(sorted(run.line_ids.mapped("state")), ["draft", "sent", "sent"])
        self.assertTrue(run.send_queued)
        self.assertEqual(run.state, "draft")
        Run._cron_send_queued()
        self.assertEqual((progress.done, progress.remaining), (1, 0))
        self.assertEqual(run.state, "done")
        self.assertFalse(run.send_queued)
        for partner in self.customers[:3]:
            self.assertEqual(len(self._mails(partner)), 1, partner.name)

    def test_small_run_is_sent_at_once(self):
        partner = self.customers[0]
        self._invoice(partner, 100.0, 3)
        run = self._run()
        self.assertTrue(run.action_send())
        self.assertFalse(run.send_queued)
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self._mails(partner)), 1)

    @freeze_time("2026-03-31")
    def test_cron_only_auto_levels(self):
        self._levels_skippable()
        a, b, c = self.customers[:3]
        inv_a = self._invoice(a, 100.0, 3)
        self._invoice(b, 100.0, 60)
        self._invoice(c, 100.0, 60)
        c.kakeuri_dunning_excluded = True
        self.env["kakeuri.dunning.run"]._cron_run()
        run = self.env["kakeuri.dunning.run"].search(
            [("company_id", "=", self.company.id), ("auto", "=", True)]
        )
        self.assertEqual(len(run), 1)
        self.assertEqual(run.date, TODAY)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.level_ids, self.levels.filtered("auto"))
        self.assertEqual(self._line(run, a).level_id, self.level_friendly)
        self.assertEqual(self._line(run, b).level_id, self.level_final, "the manual call level waits")
        self.assertEqual(self._line(run, c).state, "skipped")
        self.assertFalse(self._line(run, b).activity_id)
        self.assertEqual(inv_a.kakeuri_dunning_level_id, self.level_friendly)
        self.assertEqual(len(self._mails(a)), 1)
        # the next day nothing new: no empty run is kept, no mail
        with freeze_time("2026-04-01"):
            self.env["kakeuri.dunning.run"]._cron_run()
        runs = self.env["kakeuri.dunning.run"].search(
            [("company_id", "=", self.company.id), ("auto", "=", True)]
        )
        self.assertEqual(len(runs), 2, "the skipped excluded customer is shown again")
        self.assertEqual(len(self._mails(a)), 1)
        self.assertEqual(len(self._mails(b)), 1)
        # a person's run proposes the manual call level
        self.assertEqual(self._line(self._run(), b).level_id, self.level_call)

    @freeze_time("2026-03-31")
    def test_cron_hands_a_large_run_to_the_queued_send_and_its_lanes(self):
        for partner in self.customers[:3]:
            self._invoice(partner, 100.0, 3)
        self.env["ir.config_parameter"].sudo().set_param("kakeuri_ar.dunning_background_threshold", "2")
        Run = self.env["kakeuri.dunning.run"]
        Run._cron_run()
        run = Run.search([("company_id", "=", self.company.id), ("auto", "=", True)])
        self.assertEqual((run.state, run.send_queued), ("draft", True))
        self.assertFalse(self._mails(self.customers[0]), "nothing sent by the daily job itself")
        self.assertIn("queued by", run.message_ids[0].body)
        # the daily job's next call leaves the queued run to the queued send
        Run._cron_run()
        self.assertEqual(run.draft_count, 3)
        Run._cron_send_queued()
        self.assertEqual((run.state, run.send_queued), ("done", False))
        for partner in self.customers[:3]:
            self.assertEqual(len(self._mails(partner)), 1, partner.name)


@tagged("post_install", "-at_install")
class TestDunningFailingLine(DunningCommon):
    @freeze_time("2026-03-31")
    def test_line_whose_template_raises_fails_alone(self):
        good_1, bad, good_2 = self.customers[:3]
        bad.ref = "BOOM"
        for partner in good_1 | bad | good_2:
            self._invoice(partner, 100.0, 3)
        template = self.level_friendly.mail_template_id.copy()
        template.body_html = (
            '<div><t t-if="object.partner_id.ref == \'BOOM\'" t-out="1 / 0"/>'
            '<p>Please pay <t t-out="object._get_mail_total()"/></p></div>'
        )
        self.level_friendly.mail_template_id = template
        company_2 = self.setup_other_company(name="Kakeuri Failing KK")["company"]
        self.env["kakeuri.dunning.level"]._create_default_levels(company_2)
        original = type(self.env["kakeuri.dunning.run"])._compute_lines

        def compute_lines(run):
            if run.company_id == company_2:
                raise RuntimeError("company 2 is broken")
            return original(run)

        with patch.object(type(self.env["kakeuri.dunning.run"]), "_compute_lines", compute_lines):
            self.env["kakeuri.dunning.run"]._cron_run()
        run = self.env["kakeuri.dunning.run"].search(
            [("company_id", "=", self.company.id), ("auto", "=", True)]
        )
        self.assertEqual(len(run), 1)
        self.assertEqual(run.state, "done")
        self.assertEqual(self._line(run, good_1).state, "sent")
        self.assertEqual(self._line(run, good_2).state, "sent")
        line = self._line(run, bad)
        self.assertEqual(line.state, "failed")
        self.assertIn("Sending failed", line.reason)
        self.assertIn("division by zero", line.reason)
        self.assertFalse(self._mails(bad))
        self.assertFalse(line.move_ids.kakeuri_dunning_level_id, "nothing of the failed line was kept")
        self.assertEqual(len(self._mails(good_1)), 1)
        self.assertFalse(self.env["kakeuri.dunning.run"].search([("company_id", "=", company_2.id)]))
        # the next night: no error, the failed line is not retried on its own
        with freeze_time("2026-04-01"):
            self.env["kakeuri.dunning.run"]._cron_run()
        self.assertEqual(line.state, "failed")
        self.assertFalse(self._mails(bad))
