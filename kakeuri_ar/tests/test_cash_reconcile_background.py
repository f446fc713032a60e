# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""*Reconcile* on more lines than the threshold queues them; the scheduled action reconciles
them as the clerk who queued them, and a line that fails leaves the queue with its reason."""

from unittest.mock import patch

from odoo.tests import tagged

from .common.cash import KakeuriCashCommon


@tagged("post_install", "-at_install")
class TestCashReconcileBackground(KakeuriCashCommon):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("kakeuri_ar.reconcile_background_threshold", 1)
        self.StLine = self.env["account.bank.statement.line"]

    def queued_lines(self, data, count=3):
        lines, invoices = self.StLine, self.env["account.move"]
        for index in range(count):
            kana = f"ｷｭｰ{'ｱｲｳ'[index]}"
            customer = self.customer(data, f"Queued Payer {index}", kakeuri_name_kana=kana)
            invoices |= self.kakeuri_invoice(data, customer, 1000 + index, "2026-01-05")
            lines |= self.bank_line(data, 1000 + index, kana)
        lines = self.match(*lines)
        self.assertEqual(set(lines.mapped("kakeuri_match_state")), {"suggested"})
        return lines, invoices

    def test_queued_then_reconciled_by_the_scheduled_action(self):
        clerk = self.env.user
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                lines, invoices = self.queued_lines(data)
                action = lines.with_company(data["company"]).action_kakeuri_reconcile()
                self.assertIn("3", action["params"]["message"])
                self.assertEqual(lines.mapped("kakeuri_reconcile_queued"), [True] * 3)
                self.assertEqual(lines.kakeuri_reconcile_user_id, clerk)
                self.assertFalse(any(lines.mapped("is_reconciled")))
                # the cron workers are woken for it
                cron = self.env.ref("kakeuri_ar.ir_cron_kakeuri_reconcile_queued").sudo()
                self.assertTrue(cron.active)
                self.assertTrue(self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", cron.id)]))
                # queued again: nothing more is queued
                lines.action_kakeuri_reconcile()
                self.assertEqual(self.StLine._cron_kakeuri_reconcile_queued(batch_size=2), 3)
                self.env.invalidate_all()
                self.assertEqual(lines.mapped("kakeuri_reconcile_queued"), [False] * 3)
                self.assertEqual(set(lines.mapped("kakeuri_match_state")), {"matched"})
                self.assertTrue(all(lines.mapped("is_reconciled")))
                self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})
                self.assertEqual(self.StLine._cron_kakeuri_reconcile_queued(), 0)

    def test_failing_line_leaves_the_queue_with_its_reason(self):
        data = self.companies[0]
        lines, invoices = self.queued_lines(data)
        lines.with_company(data["company"]).action_kakeuri_reconcile()
        bad = lines[1]
        prepare = type(self.StLine)._kakeuri_prepare

        def failing_prepare(line):
            if line == bad:
                raise ValueError(f"{line.display_name}: refused by the bank")
            return prepare(line)

        with patch.object(type(self.StLine), "_kakeuri_prepare", failing_prepare):
            self.assertEqual(self.StLine._cron_kakeuri_reconcile_queued(), 3)
        self.env.invalidate_all()
        self.assertEqual(lines.mapped("kakeuri_reconcile_queued"), [False] * 3)
        self.assertEqual(lines.mapped("is_reconciled"), [True, False, True])
        self.assertEqual(bad.kakeuri_match_state, "suggested")
        self.assertIn("Reconciliation failed", bad.kakeuri_match_reason)
        self.assertIn("refused by the bank", bad.kakeuri_match_reason)
        self.assertEqual(invoices.mapped("payment_state"), ["paid", "not_paid", "paid"])

    def test_few_lines_reconciled_at_once(self):
        data = self.companies[1]
        self.env["ir.config_parameter"].sudo().set_param("kakeuri_ar.reconcile_background_threshold", 5)
        lines, _invoices = self.queued_lines(data, count=2)
        lines.with_company(data["company"]).action_kakeuri_reconcile()
        self.assertEqual(set(lines.mapped("kakeuri_match_state")), {"matched"})
        self.assertFalse(any(lines.mapped("kakeuri_reconcile_queued")))
