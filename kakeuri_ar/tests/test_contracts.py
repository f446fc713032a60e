# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A contract as a user makes it: defaults, numbering, form, validation."""

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common.contracts import KakeuriContractsCommon


@tagged("post_install", "-at_install")
class TestContracts(KakeuriContractsCommon):
    def test_validation(self):
        with self.assertRaisesRegex(ValidationError, "end date .* is before the start date"):
            self.make_contract(date_start="2026-03-01", date_end="2026-02-01")
        with self.assertRaisesRegex(ValidationError, "at least 1"):
            self.make_contract(recurring_interval=0)
        with self.assertRaisesRegex(ValidationError, "has no lines"):
            self.make_contract(lines=[])
        with self.assertRaisesRegex(ValidationError, "negative quantity"):
            self.make_contract(lines=[Command.create({"product_id": self.coffee.id, "quantity": -1})])
        contract = self.make_contract()
        with self.assertRaisesRegex(UserError, "has invoices"):
            self.run_cron("2026-01-01", contract)
            contract.unlink()

    def test_defaults_and_sequence(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "End of next month",
                "line_ids": [
                    Command.create(
                        {
                            "value": "percent",
                            "value_amount": 100,
                            "delay_type": "days_after_end_of_next_month",
                            "nb_days": 0,
                        }
                    )
                ],
            }
        )
        policy = self.env["kakeuri.credit.policy"].create(
            {"name": "Tab customers", "payment_term_id": term.id}
        )
        self.customer.kakeuri_credit_policy_id = policy
        contract = self.make_contract(activate=False)
        self.assertEqual(contract.payment_term_id, term, "default from the customer's credit policy")
        self.assertTrue(contract.name.startswith("CTR/"))
        self.assertEqual(contract.state, "draft")
        self.assertEqual(contract.amount_untaxed, 11000.0)
        contract.action_activate()
        invoice = self.env["account.move"].browse()
        with freeze_time("2026-01-10"):
            self.run_cron("2026-01-10", contract)
            invoice = contract.invoice_ids
        self.assertEqual(invoice.invoice_payment_term_id, term)
        self.assertEqual(str(invoice.invoice_date_due), "2026-02-28")
        action = contract.action_view_invoices()
        self.assertEqual(self.env["account.move"].search(action["domain"]), invoice)

    def test_contract_form(self):
        """The form as a user fills it: product defaults, per-period amount, activation."""
        with Form(self.env["kakeuri.contract"]) as form:
            form.partner_id = self.customer
            form.date_start = fields.Date.to_date("2026-01-31")
            form.recurring_rule = "quarterly"
            with form.line_ids.new() as line:
                line.product_id = self.rental
                line.quantity = 2
        contract = form.record
        self.assertEqual(contract.line_ids.price_unit, 5000.0)
        self.assertEqual(contract.line_ids.tax_ids, self.tax_10)
        self.assertIn("Kakeuri Machine Rental", contract.line_ids.name)
        self.assertEqual(contract.amount_untaxed, 10000.0)
        self.assertEqual(contract.journal_id.type, "sale")
        contract.action_activate()
        self.assertEqual(str(contract.next_invoice_date), "2026-01-31")
        self.assertEqual(self.run_cron("2026-05-01", contract), 2)
        self.assertEqual(self.periods(contract), [("2026-01-31", "2026-04-29"), ("2026-04-30", "2026-07-30")])

    def test_last_line_of_running_contract_cannot_be_deleted(self):
        contract = self.make_contract()
        contract.line_ids[0].unlink()
        with self.assertRaisesRegex(ValidationError, "has no lines"):
            contract.line_ids.unlink()
        self.assertEqual(len(contract.line_ids), 1)
        # replacing the last line in one save (the form) is fine
        contract.write(
            {
                "line_ids": [
                    Command.delete(contract.line_ids.id),
                    Command.create({"product_id": self.coffee.id, "quantity": 3}),
                ]
            }
        )
        self.assertEqual(contract.line_ids.quantity, 3)
        # a draft contract may lose all its lines
        draft = self.make_contract(activate=False)
        draft.line_ids.unlink()
        self.assertFalse(draft.line_ids)

    def test_bill_now_names_contract_and_state(self):
        contract = self.make_contract(activate=False)
        with self.assertRaisesRegex(UserError, "Only active contracts") as caught:
            contract.action_generate_invoices()
        self.assertIn(contract.name, str(caught.exception))
        self.assertIn("Draft", str(caught.exception))

    @freeze_time("2026-03-15")
    def test_bill_now_asks_before_billing_several_periods(self):
        """Three catch-up periods in one click: the user is told how many and which first."""
        contract = self.make_contract(date_start="2026-01-01")
        action = contract.action_generate_invoices()
        self.assertEqual(action["res_model"], "kakeuri.contract.bill.wizard")
        self.assertFalse(contract.invoice_ids, "nothing billed before the user agrees")
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(wizard.invoice_count, 3)
        self.assertIn(contract.name, wizard.summary)
        self.assertIn("3 invoices", wizard.summary)
        self.assertIn("01/01/2026", wizard.summary)
        self.assertIn("03/01/2026", wizard.summary)
        wizard.action_confirm()
        self.assertEqual(len(contract.invoice_ids), 3)
        # one period due: billed at once, no question
        with freeze_time("2026-04-02"):
            action = contract.action_generate_invoices()
        self.assertNotEqual(action.get("res_model"), "kakeuri.contract.bill.wizard")
        self.assertEqual(len(contract.invoice_ids), 4)
