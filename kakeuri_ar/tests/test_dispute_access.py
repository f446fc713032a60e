# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who may do what with disputes, in which company, and the upgrade from the bare
"disputed" flag to disputes."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common.dispute import KakeuriDisputeCommon


@tagged("post_install", "-at_install")
class TestDisputeAccess(KakeuriDisputeCommon):
    def test_salesperson_reads_but_does_not_record_or_resolve(self):
        company_data, customer, price = self.worlds[0]
        invoice = self.taxed_invoice(company_data, customer, price, "2026-02-01")
        dispute = self.new_dispute(invoice, 100.0)
        as_sales = dispute.with_user(self.salesman)
        self.assertEqual(as_sales.amount, 100.0)
        self.assertEqual(invoice.with_user(self.salesman).kakeuri_dispute_count, 1)
        with self.assertRaises(AccessError):
            as_sales.action_credit()
        with self.assertRaises(AccessError):
            as_sales.action_reject(note="No")
        with self.assertRaises(AccessError):
            self.new_dispute(invoice, 50.0, user=self.salesman)
        self.assertEqual(dispute.state, "open")
        self.assertFalse(invoice.reversal_move_ids)

    def test_receivables_user_records_and_credits(self):
        """A receivables user without accounting rights records a dispute and credits it: the
        credit note is made for them, and the chatter names them."""
        company_data, customer, price = self.worlds[1]
        invoice = self.taxed_invoice(company_data, customer, price, "2026-02-01")
        dispute = self.new_dispute(invoice, 11000.0, user=self.ar_user)
        self.assertEqual(dispute.user_id, self.ar_user)
        dispute.with_user(self.ar_user).with_company(self.jp_company).action_credit()
        self.assertEqual(dispute.state, "credited")
        self.assertEqual(dispute.credit_note_id.amount_total, 11000.0)
        self.assertEqual(dispute.credit_note_id.company_id, self.jp_company)
        note = invoice.message_ids.filtered(lambda m: dispute.credit_note_id.name in (m.body or ""))
        self.assertEqual(note.author_id, self.ar_user.partner_id)

    def test_credit_manager_rejects(self):
        company_data, customer, price = self.worlds[0]
        dispute = self.new_dispute(self.taxed_invoice(company_data, customer, price, "2026-02-01"), 100.0)
        dispute.with_user(self.credit_manager).action_reject(note="Delivered as ordered")
        self.assertEqual(dispute.state, "rejected")

    def test_companies_apart(self):
        """A user of the USD company alone sees neither the JPY company's disputes nor can
        resolve them; each dispute takes the company of its invoice."""
        disputes = self.Dispute
        for company_data, customer, price in self.worlds:
            invoice = self.taxed_invoice(company_data, customer, price, "2026-02-01")
            disputes |= self.new_dispute(invoice, price / 10)
        usd, jpy = disputes
        self.assertEqual(usd.company_id, self.usd_company)
        self.assertEqual(jpy.company_id, self.jp_company)
        self.assertEqual(usd.currency_id, self.env.ref("base.USD"))
        self.assertEqual(jpy.currency_id, self.jpy)
        self.ar_user.company_ids = self.usd_company
        visible = self.Dispute.with_user(self.ar_user).search([("id", "in", disputes.ids)])
        self.assertEqual(visible, usd)
        with self.assertRaises(AccessError):
            jpy.with_user(self.ar_user).action_reject(note="Not mine")
        self.assertEqual(jpy.state, "open")

    def test_migrate_blocked_invoices(self):
        """Upgrade: a flagged open invoice gets an open dispute for what it owes; a flagged
        paid one and one already disputed get none, and the flag follows the disputes."""
        company_data, customer, price = self.worlds[0]
        flagged = self.taxed_invoice(company_data, customer, price, "2026-02-01")
        partly_paid = self.taxed_invoice(company_data, customer, price, "2026-02-01")
        paid = self.taxed_invoice(company_data, customer, price, "2026-02-01")
        disputed = self.taxed_invoice(company_data, customer, price, "2026-02-01")
        jp_flagged = self.taxed_invoice(self.jp_company_data, self.customer_jp, 100000.0, "2026-02-01")
        self.pay(partly_paid, 150.0, "2026-02-10")
        self.pay(paid, paid.amount_total, "2026-02-10")
        existing = self.new_dispute(disputed, 10.0)
        # before the upgrade, the flag was set by hand
        (flagged + partly_paid + paid + disputed + jp_flagged).sudo().write({"kakeuri_dunning_blocked": True})
        made = self.Dispute._migrate_blocked_invoices()
        self.assertEqual(made.move_id, flagged + partly_paid + jp_flagged)
        for move, amount in ((flagged, 1150.0), (partly_paid, 1000.0), (jp_flagged, jp_flagged.amount_total)):
            dispute = move.kakeuri_dispute_ids
            self.assertEqual(len(dispute), 1)
            self.assertEqual(dispute.state, "open")
            self.assertEqual(dispute.amount, amount)
            self.assertEqual(dispute.company_id, move.company_id)
            self.assertEqual(dispute.reason, "Blocked before disputes were recorded")
            self.assertTrue(move.kakeuri_dunning_blocked)
        self.assertEqual(disputed.kakeuri_dispute_ids, existing)
        self.assertTrue(disputed.kakeuri_dunning_blocked)
        self.assertFalse(paid.kakeuri_dispute_ids)
        self.assertFalse(paid.kakeuri_dunning_blocked, "a paid invoice has nothing left in dispute")
        self.assertFalse(self.Dispute._migrate_blocked_invoices(), "run twice, it makes nothing more")
