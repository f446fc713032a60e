# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Dunning per company and access rights."""

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common.dunning import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestDunningMultiCompany(DunningCommon):
    def test_multi_company(self):
        self._levels_skippable()
        company_2 = self.setup_other_company(name="Kakeuri Second KK")["company"]
        partner = self.customers[0]
        inv_1 = self._invoice(partner, 100.0, 20)
        inv_2 = self._invoice(partner, 900.0, 40, company=company_2)
        run_1 = self._run()
        self.assertEqual(self._line(run_1, partner).move_ids, inv_1)
        self.assertEqual(self._line(run_1, partner).amount_overdue, 100.0)
        # the second company has no level yet: its first run creates the defaults
        levels_2 = self.env["kakeuri.dunning.level"].search([("company_id", "=", company_2.id)])
        self.assertFalse(levels_2)
        run_2 = (
            self.env["kakeuri.dunning.run"]
            .with_company(company_2)
            .create({"date": TODAY, "company_id": company_2.id})
        )
        run_2.action_compute()
        levels_2 = self.env["kakeuri.dunning.level"].search([("company_id", "=", company_2.id)])
        self.assertEqual(levels_2.mapped("days_overdue"), [1, 15, 30, 45])
        line_2 = self._line(run_2, partner)
        self.assertEqual(line_2.move_ids, inv_2)
        self.assertEqual(line_2.level_id.company_id, company_2)
        self.assertEqual(line_2.level_id.days_overdue, 1, "its levels escalate one at a time")
        # levels of another company are refused on a run
        with self.assertRaisesRegex(ValidationError, "belongs to"):
            run_1.level_ids = [Command.link(levels_2[0].id)]
        # a user of the first company only sees its runs
        user = new_test_user(
            self.env,
            login="dunning_mc_user",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        runs = self.env["kakeuri.dunning.run"].with_user(user).search([])
        self.assertIn(run_1, runs)
        self.assertNotIn(run_2, runs)
        self.assertFalse(
            self.env["kakeuri.dunning.level"].with_user(user).search([("company_id", "=", company_2.id)])
        )


@tagged("post_install", "-at_install")
class TestDunningPerCompany(DunningCommon):
    def test_partner_level_and_date_per_company(self):
        self._levels_skippable()
        company_2 = self.setup_other_company(name="Kakeuri Osaka KK")["company"]
        partner = self.customers[0]
        today = fields.Date.context_today(self.env["res.partner"])
        self._invoice(partner, 100.0, 35, ref_date=today)
        self._invoice(partner, 900.0, 3, ref_date=today, company=company_2)
        run = self._run(today, levels=self.levels.filtered("auto"))
        run.action_send()
        self.assertEqual(partner.with_company(self.company).kakeuri_dunning_level_id, self.level_final)
        self.assertEqual(partner.with_company(self.company).kakeuri_last_dunning_date, today)
        self.assertFalse(partner.with_company(company_2).kakeuri_dunning_level_id)
        self.assertFalse(partner.with_company(company_2).kakeuri_last_dunning_date)
        rows = (
            self.env["kakeuri.dunning.collection"]
            .with_context(allowed_company_ids=[self.company.id, company_2.id])
            .search([("partner_id", "=", partner.id)])
        )
        row_1 = rows.filtered(lambda r: r.company_id == self.company)
        row_2 = rows.filtered(lambda r: r.company_id == company_2)
        self.assertEqual(row_1.last_dunning_date, today)
        self.assertEqual(row_1.level_id, self.level_final)
        self.assertFalse(row_2.last_dunning_date, "not reminded by the second company")
        self.assertFalse(row_2.level_id)
        self.assertEqual(row_2.amount_overdue, 900.0)


@tagged("post_install", "-at_install")
class TestDunningAccess(DunningCommon):
    def test_access_rights(self):
        ar_user = new_test_user(
            self.env,
            login="dunning_ar_user",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        self.assertTrue(ar_user.has_group("kakeuri_ar.group_ar_user"))
        self.assertFalse(ar_user.has_group("kakeuri_ar.group_credit_manager"))
        partner = self.customers[0]
        self._invoice(partner, 100.0, 3)
        # a receivables user runs dunning end to end
        run = self.env["kakeuri.dunning.run"].with_user(ar_user).create({"date": TODAY})
        run.action_compute()
        run.action_send()
        self.assertEqual(self._line(run, partner).state, "sent")
        self.assertEqual(len(self._mails(partner)), 1)
        # ... but does not change the levels
        with self.assertRaises(AccessError):
            self.level_friendly.with_user(ar_user).days_overdue = 2
        # an internal user without accounting rights sees no runs
        plain = new_test_user(self.env, login="dunning_plain", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["kakeuri.dunning.run"].with_user(plain).search([])
        with self.assertRaises(AccessError):
            self.env["kakeuri.dunning.collection"].with_user(plain).search([])
