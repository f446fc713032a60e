# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The chatter messages a reconciliation leaves on the bank line's entry are the ones Odoo's
own create() and unlink() of journal items log: the same bodies, tracking values, authors and
subtypes, in the same order, on the same entry."""

import re
from contextlib import closing

from odoo.tests import tagged

from .common.cash import KakeuriCashCommon


@tagged("post_install", "-at_install")
class TestCashReconcileAudit(KakeuriCashCommon):
    def audit(self, move, after_id, line_ids):
        """The journal item messages on ``move`` newer than ``after_id``, in order, the items
        they name given as their place in ``line_ids``."""
        self.env.flush_all()
        messages = self.env["mail.message"].search(
            [("model", "=", "account.move"), ("res_id", "=", move.id), ("id", ">", after_id)], order="id"
        )
        rows = []
        for message in messages.filtered(lambda m: "Journal Item" in m.body):
            ids = {int(found) for found in re.findall(r"#(\d+)", message.body)}
            self.assertEqual(len(ids), 1, message.body)
            rows.append(
                {
                    "item": line_ids.index(ids.pop()),
                    "body": re.sub(r"\d+", "N", str(message.body)),
                    "author": message.author_id,
                    "email_from": message.email_from,
                    "reply_to": message.reply_to,
                    "subtype": message.subtype_id,
                    "message_type": message.message_type,
                    "internal": message.is_internal,
                    "message_id": bool(message.message_id),
                    "tracking": [
                        (
                            value.field_id.name,
                            value.old_value_char,
                            value.new_value_char,
                            value.old_value_float,
                            value.new_value_float,
                            value.old_value_integer,
                            value.new_value_integer,
                            value.old_value_datetime,
                            value.new_value_datetime,
                            value.currency_id,
                        )
                        for value in message.sudo().tracking_value_ids.sorted("id")
                    ],
                }
            )
        return rows

    def test_audit_messages_as_odoo_logs_them(self):
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                company = data["company"]
                company.kakeuri_fee_tax_id = data["default_tax_purchase"]
                customer = self.customer(data, "Audit Payer", tolerance=880, kakeuri_name_kana="ｵｰﾃﾞｨｯﾄ")
                self.kakeuri_invoice(data, customer, 6000, "2026-01-05")
                self.kakeuri_invoice(data, customer, 4000, "2026-01-15")
                line = self.match(self.bank_line(data, 9560, "ｵｰﾃﾞｨｯﾄ"))
                self.assertEqual(line.kakeuri_match_state, "suggested")
                move = line.move_id
                self.assertTrue(move.posted_before)
                suspense = line._seek_for_lines()[1]
                self.env.flush_all()
                after_id = max(self.env["mail.message"].search([]).ids)
                # the test classes disable tracking: both paths log here as in production
                Line = self.env["account.move.line"].with_context(tracking_disable=False)
                with closing(self.env.cr.savepoint()):
                    line.with_context(tracking_disable=False).action_kakeuri_reconcile()
                    created = move.line_ids.sorted("id") - line._seek_for_lines()[0]
                    batched = self.audit(move, after_id, suspense.ids + created.ids)
                self.env.invalidate_all()
                self.assertEqual(line.kakeuri_match_state, "suggested")
                # Odoo's own path: the same entry rewritten item by item, logging as it goes
                prep = line._kakeuri_prepare()
                # (balanced again once the new items are created)
                suspense = Line.browse(prep["suspense"].ids)
                suspense.with_context(force_delete=True, check_move_validity=False).unlink()
                created = Line.create(prep["vals_list"])
                odoo = self.audit(move, after_id, suspense.ids + created.ids)
                # and nothing is logged when the caller disables tracking, as in Odoo
                self.assertEqual(len(created._kakeuri_audit_messages("created")), 4)
                self.assertFalse(
                    created.with_context(tracking_disable=True)._kakeuri_audit_messages("created")
                )
                # the suspense line deleted, two counterparts, the fee and its tax created
                self.assertEqual([row["item"] for row in odoo], [0, 1, 2, 3, 4])
                self.assertEqual(batched, odoo)
                self.assertTrue(all(row["tracking"] for row in odoo))
                company.kakeuri_fee_tax_id = False
