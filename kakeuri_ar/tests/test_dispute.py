# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Disputes (異議): recorded on a posted customer invoice for all or part of what it owes,
resolved by a credit note reconciled with the invoice or rejected; the former "disputed" flag
follows the open disputes; bad amounts are refused naming the value; in the USD and the JPY
company."""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common.dispute import KakeuriDisputeCommon


@tagged("post_install", "-at_install")
class TestDispute(KakeuriDisputeCommon):
    def test_partial_dispute_credited(self):
        """A fifth of a taxed invoice disputed, then credited: the credit note is that fifth,
        tax in proportion, posted and reconciled with the invoice; the rest stays owed."""
        for company_data, customer, price in self.worlds:
            with self.subTest(company=company_data["company"].name):
                invoice = self.taxed_invoice(company_data, customer, price, "2026-02-01")
                total = invoice.amount_total
                disputed = invoice.currency_id.round(total / 5)
                with freeze_time("2026-03-02"):
                    dispute = self.new_dispute(invoice, disputed)
                self.assertEqual(dispute.date, date(2026, 3, 2))
                self.assertEqual(dispute.state, "open")
                self.assertEqual(dispute.partner_id, customer)
                self.assertEqual(dispute.company_id, company_data["company"])
                self.assertTrue(invoice.kakeuri_dunning_blocked)
                self.assertEqual(invoice.kakeuri_disputed_amount, disputed)
                self.assertEqual(invoice.kakeuri_dispute_count, 1)

                with freeze_time("2026-03-10"):
                    dispute.action_credit()
                refund = dispute.credit_note_id
                self.assertEqual(dispute.state, "credited")
                self.assertEqual(dispute.date_resolved, date(2026, 3, 10))
                self.assertEqual(refund.move_type, "out_refund")
                self.assertEqual(refund.state, "posted")
                self.assertEqual(refund.invoice_date, date(2026, 3, 10))
                self.assertEqual(refund.reversed_entry_id, invoice)
                self.assertEqual(refund.amount_total, disputed)
                self.assertAlmostEqual(
                    refund.amount_tax, invoice.amount_tax / 5, delta=invoice.currency_id.rounding
                )
                self.assertEqual(refund.invoice_line_ids.tax_ids, invoice.invoice_line_ids.tax_ids)
                self.assertEqual(
                    refund.payment_state, "paid", "the credit note is reconciled with the invoice"
                )
                self.assertEqual(invoice.amount_residual, total - disputed)
                self.assertEqual(invoice.payment_state, "partial")
                self.assertFalse(invoice.kakeuri_dunning_blocked)
                self.assertEqual(invoice.kakeuri_disputed_amount, 0.0)
                self.assertIn(refund.name, self.messages(invoice))
                self.assertIn(refund.name, self.messages(dispute))

    def test_default_amount_is_the_open_rest(self):
        company_data, customer, price = self.worlds[0]
        invoice = self.taxed_invoice(company_data, customer, price, "2026-02-01")
        defaults = self.Dispute.with_context(default_move_id=invoice.id).default_get(["move_id", "amount"])
        self.assertEqual(defaults["amount"], invoice.amount_residual)
        self.new_dispute(invoice, 100.0)
        self.pay(invoice, 150.0, "2026-02-20")
        defaults = self.Dispute.with_context(default_move_id=invoice.id).default_get(["move_id", "amount"])
        self.assertEqual(defaults["amount"], invoice.amount_total - 150.0 - 100.0)
        action = invoice.action_kakeuri_dispute()
        self.assertEqual(action["res_model"], "kakeuri.dispute")
        self.assertEqual(action["context"], {"default_move_id": invoice.id})

    def test_reject(self):
        """Rejected: the amount is dunned again, the invoice's and the customer's chatter say
        so with the reason; a rejected dispute cannot be credited."""
        company_data, customer, price = self.worlds[1]
        invoice = self.taxed_invoice(company_data, customer, price, "2026-02-01")
        dispute = self.new_dispute(invoice, 5000.0, reason="Price list not applied")
        wizard = (
            self.env["kakeuri.dispute.reject.wizard"]
            .with_context(**dispute.action_open_reject_wizard()["context"])
            .create({"note": "The contract price list applies from April only"})
        )
        with freeze_time("2026-03-12"):
            wizard.action_reject()
        self.assertEqual(dispute.state, "rejected")
        self.assertEqual(dispute.date_resolved, date(2026, 3, 12))
        self.assertEqual(dispute.resolution_note, "The contract price list applies from April only")
        self.assertFalse(invoice.kakeuri_dunning_blocked)
        self.assertFalse(dispute.credit_note_id)
        self.assertEqual(invoice.amount_residual, invoice.amount_total)
        for record in (invoice, customer, dispute):
            self.assertIn("The contract price list applies from April only", self.messages(record))
            self.assertIn("Price list not applied", self.messages(record))
        with self.assertRefused("already Rejected"):
            dispute.action_credit()

    def test_reject_wizard_needs_a_note(self):
        company_data, customer, price = self.worlds[0]
        dispute = self.new_dispute(self.taxed_invoice(company_data, customer, price, "2026-02-01"), 10.0)
        wizard = self.env["kakeuri.dispute.reject.wizard"].create({"dispute_ids": dispute.ids, "note": "  "})
        with self.assertRefused("Say why"):
            wizard.action_reject()
        self.assertEqual(dispute.state, "open")

    def test_bad_amounts_refused(self):
        """Over the invoice's residual (with the other open disputes), zero or negative:
        refused, naming the value."""
        company_data, customer, price = self.worlds[0]
        invoice = self.taxed_invoice(company_data, customer, price, "2026-02-01")
        total = invoice.amount_total  # 1,150.00
        with self.assertRefused(
            r"a dispute of \$\s?1,150\.01 is more than is left to dispute", ValidationError
        ):
            self.new_dispute(invoice, total + 0.01)
        with self.assertRefused(r"more than zero, got \$\s?0\.00", ValidationError):
            self.new_dispute(invoice, 0.0)
        with self.assertRefused(r"more than zero, got .*5\.00", ValidationError):
            self.new_dispute(invoice, -5.0)
        self.new_dispute(invoice, 1000.0)
        with self.assertRefused(
            r"of which \$\s?1,000\.00 is already disputed: a dispute of \$\s?200\.00", ValidationError
        ):
            self.new_dispute(invoice, 200.0)
        second = self.new_dispute(invoice, 150.0)
        with self.assertRefused("is more than is left to dispute", ValidationError):
            second.amount = 151.0
        self.assertEqual(invoice.kakeuri_disputed_amount, total)

    def test_only_posted_customer_invoices(self):
        company_data, customer, price = self.worlds[0]
        bill = self.init_invoice("in_invoice", partner=customer, amounts=[500.0], post=True)
        with self.assertRefused("posted customer invoice; %s" % bill.name.replace("/", "."), ValidationError):
            self.new_dispute(bill, 100.0)
        draft = self.taxed_invoice(company_data, customer, price, "2026-02-01", post=False)
        with self.assertRefused("posted customer invoice", ValidationError):
            self.new_dispute(draft, 100.0)
        self.assertFalse(self.Dispute.search([("move_id", "in", (bill + draft).ids)]))

    def test_credit_refused_when_payment_left_less(self):
        """A payment received after the dispute leaves less to credit than disputed: the
        credit is refused naming both amounts, nothing is written."""
        company_data, customer, price = self.worlds[0]
        invoice = self.taxed_invoice(company_data, customer, price, "2026-02-01")
        dispute = self.new_dispute(invoice, invoice.amount_total)
        self.pay(invoice, 1000.0, "2026-02-20")
        with self.assertRefused(r"\$\s?1,150\.00 disputed, but .* only owes \$\s?150\.00"):
            dispute.action_credit()
        self.assertEqual(dispute.state, "open")
        self.assertFalse(dispute.credit_note_id)
        self.assertFalse(invoice.reversal_move_ids)

    def test_partner_stat_button(self):
        company_data, customer, price = self.worlds[0]
        invoices = [self.taxed_invoice(company_data, customer, price, "2026-02-01") for _i in range(2)]
        self.new_dispute(invoices[0], 10.0)
        rejected = self.new_dispute(invoices[1], 20.0)
        rejected.action_reject(note="Delivered as ordered")
        customer.invalidate_recordset(["kakeuri_open_dispute_count"])
        self.assertEqual(customer.kakeuri_open_dispute_count, 1)
        action = customer.action_kakeuri_view_disputes()
        self.assertEqual(self.Dispute.search(action["domain"]).mapped("amount"), [20.0, 10.0])
        action = invoices[0].action_kakeuri_view_disputes()
        self.assertEqual(action["res_id"], invoices[0].kakeuri_dispute_ids.id)
