# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The chatter messages a reconciliation leaves on the bank line's entry are the ones Odoo's
own create() and unlink() of journal items log: the same bodies, tracking values, authors and
subtypes, in the same order, on the same entry; the tracking messages of the bank entries
and of the invoices they pay are the ones Odoo posts at commit."""

import re
from contextlib import closing
from unittest.mock import patch

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

    def tracking(self, moves, after_id):
        """The tracking messages on ``moves`` newer than ``after_id`` (journal item messages
        aside), by entry, as comparable rows."""
        self.env.flush_all()
        messages = self.env["mail.message"].search(
            [("model", "=", "account.move"), ("res_id", "in", moves.ids), ("id", ">", after_id)], order="id"
        )
        rows = []
        for message in messages.filtered(lambda m: "Journal Item" not in m.body):
            rows.append(
                {
                    "entry": moves.ids.index(message.res_id),
                    "body": str(message.body),
                    "author": message.author_id,
                    "email_from": message.email_from,
                    "reply_to": message.reply_to,
                    "record_name": message.record_name,
                    "parent": message.parent_id,
                    "subtype": message.subtype_id,
                    "message_type": message.message_type,
                    "internal": message.is_internal,
                    "signature": message.email_add_signature,
                    "alias_domain": message.record_alias_domain_id,
                    "company": message.record_company_id,
                    "message_id": bool(message.message_id),
                    "notified": message.sudo().notification_ids.res_partner_id,
                    "tracking": [
                        (value.field_id.name, value.old_value_char, value.new_value_char)
                        for value in message.sudo().tracking_value_ids.sorted("id")
                    ],
                }
            )
        return sorted(rows, key=lambda row: (row["entry"], row["subtype"].id))

    def test_tracking_messages_as_odoo_posts_them(self):
        """The bank entries' and the paid invoices' messages, made together after the
        reconciliation, are the ones Odoo posts at commit; a follower of *Paid* is still
        notified."""
        paid = self.env.ref("account.mt_invoice_paid")
        # the test classes disable tracking: both paths track here as in production
        tracked = {"tracking_disable": False, "mail_notrack": False}
        for data in self.companies:
            with self.subTest(company=data["company"].name):
                customer = self.customer(data, "Tracked Payer", kakeuri_name_kana="ﾄﾗｯｸ")
                first = self.kakeuri_invoice(data, customer, 6000, "2026-01-05")
                second = self.kakeuri_invoice(data, customer, 4000, "2026-01-15")
                follower = self.env["res.partner"].create({"name": "Paid Watcher", "email": "w@example.com"})
                second.message_subscribe(partner_ids=follower.ids, subtype_ids=paid.ids)
                line = self.match(self.bank_line(data, 10000, "ﾄﾗｯｸ"))
                self.assertEqual(line.kakeuri_match_state, "suggested")
                moves = line.move_id | first | second
                self.env.flush_all()
                after_id = max(self.env["mail.message"].search([]).ids)
                self.env.cr.precommit.clear()
                Move = type(self.env["account.move"])
                with (
                    closing(self.env.cr.savepoint()),
                    patch.object(Move, "message_post", autospec=True, side_effect=Move.message_post) as post,
                ):
                    line.with_context(**tracked).action_kakeuri_reconcile()
                    self.assertEqual((first | second).mapped("payment_state"), ["paid", "paid"])
                    # only the message that notifies someone is posted on its own
                    self.assertEqual([call.args[0] for call in post.call_args_list], [second])
                    batched = self.tracking(moves, after_id)
                    self.env.cr.precommit.clear()
                self.env.invalidate_all()
                # Odoo's own path: the messages posted at commit
                with (
                    closing(self.env.cr.savepoint()),
                    patch.object(Move, "_kakeuri_post_tracking", lambda moves: None),
                ):
                    line.with_context(**tracked).action_kakeuri_reconcile()
                    # the commit's flush, in an environment that tracks (the test's does not)
                    line.with_context(**tracked).env.flush_all()
                    self.env.cr.precommit.run()
                    odoo = self.tracking(moves, after_id)
                self.env.invalidate_all()
                # the bank entry's partner, each invoice paid; only the follower is notified
                self.assertEqual([(row["entry"], row["subtype"]) for row in odoo][1:], [(1, paid), (2, paid)])
                nobody = self.env["res.partner"]
                self.assertEqual([row["notified"] for row in odoo], [nobody, nobody, follower])
                self.assertEqual(batched, odoo)
