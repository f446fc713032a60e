# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Contract invoices are created with all their journal items (tax and receivable lines
computed by the contract, Odoo's line synchronisation skipped): they must be the very invoices
Odoo makes from the same invoice lines, before and after posting."""

from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.models.account_move import AccountMove
from odoo.addons.account.models.sequence_mixin import SequenceMixin

from ..models.kakeuri_contract_journal_items import COMPLETE_INVOICES_PARAM, KakeuriContract
from .common.contracts import KakeuriContractsCommon

LINE_FIELDS = (
    "display_type",
    "account_id",
    "partner_id",
    "currency_id",
    "name",
    "product_id",
    "quantity",
    "price_unit",
    "discount",
    "balance",
    "amount_currency",
    "debit",
    "credit",
    "price_subtotal",
    "price_total",
    "tax_ids",
    "tax_tag_ids",
    "tax_repartition_line_id",
    "tax_line_id",
    "group_tax_id",
    "tax_base_amount",
    "tax_tag_invert",
    "date_maturity",
    "discount_date",
    "amount_residual",
    "reconciled",
    "analytic_distribution",
    "sequence",
)
MOVE_FIELDS = (
    "state",
    "name",
    "invoice_date",
    "invoice_date_due",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "amount_untaxed_signed",
    "amount_total_signed",
    "payment_state",
    "payment_reference",
    "tax_totals",
)


@tagged("post_install", "-at_install")
class TestContractJournalItems(KakeuriContractsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_data["company"]
        cls.tax_10_included = cls.env["account.tax"].create(
            {
                "name": "10% (included)",
                "amount": 10.0,
                "amount_type": "percent",
                "price_include_override": "tax_included",
                "type_tax_use": "sale",
                "company_id": company.id,
            }
        )
        cls.term_split = cls.env["account.payment.term"].create(
            {
                "name": "30% now, the rest at the end of next month",
                "company_id": company.id,
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 30.0, "nb_days": 0}),
                    Command.create(
                        {
                            "value": "percent",
                            "value_amount": 70.0,
                            "delay_type": "days_after_end_of_next_month",
                            "nb_days": 0,
                        }
                    ),
                ],
            }
        )
        cls.term_fixed = cls.env["account.payment.term"].create(
            {
                "name": "1,000 now, the rest in 30 days",
                "company_id": company.id,
                "line_ids": [
                    Command.create({"value": "fixed", "value_amount": 1000.0, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 30}),
                ],
            }
        )

    def _lines(self):
        return [
            Command.create(
                {"product_id": self.coffee.id, "quantity": 3, "price_unit": 333.33, "discount": 7.5}
            ),
            Command.create({"product_id": self.coffee.id, "quantity": 7, "price_unit": 111.11}),
            Command.create(
                {
                    "product_id": self.rental.id,
                    "quantity": 1,
                    "price_unit": 5555.55,
                    "tax_ids": [Command.set((self.tax_10 | self.tax_8).ids)],
                }
            ),
            Command.create(
                {
                    "product_id": self.rental.id,
                    "name": "Maintenance (tax included)",
                    "quantity": 2,
                    "price_unit": 1234.56,
                    "tax_ids": [Command.set(self.tax_10_included.ids)],
                }
            ),
            Command.create({"product_id": self.rental.id, "quantity": 1, "price_unit": 99.99, "tax_ids": []}),
        ]

    def _watch_complete(self):
        """Patch that records whether invoices were created complete (the real method runs)."""
        return patch.object(
            KakeuriContract,
            "_complete_invoice_context",
            autospec=True,
            side_effect=KakeuriContract._complete_invoice_context,
        )

    def _bill_both_ways(self, **contract_vals):
        """Bill two identical contracts: one the contract's way (all journal items given), one
        with the contract's journal items turned off (Odoo adds the tax and receivable lines)."""
        ours = self.make_contract(date_start="2026-03-01", lines=self._lines(), **contract_vals)
        odoos = self.make_contract(date_start="2026-03-01", lines=self._lines(), **contract_vals)
        with self._watch_complete() as complete_context:
            self.run_cron("2026-03-10", ours)
        self.assertTrue(complete_context.called, "the contract's invoice was not created complete")
        with patch.object(KakeuriContract, "_prepare_journal_items", return_value=None):
            self.run_cron("2026-03-10", odoos)
        return ours.invoice_ids, odoos.invoice_ids

    def assertSameInvoice(self, ours, odoos):
        self.assertEqual(len(ours), 1)
        self.assertEqual(len(odoos), 1)

        def value(line, name):
            field = line._fields[name]
            if field.type in ("many2many", "one2many"):
                return line[name].ids
            if field.type == "many2one":
                return line[name].id
            if name == "name" and line.move_id.name:
                # the receivable lines are named after their invoice, each has its own number
                return (line.name or "").replace(line.move_id.name, "<number>")
            return line[name]

        def line_key(line):
            return tuple(value(line, name) for name in LINE_FIELDS)

        ours_lines = sorted(map(line_key, ours.line_ids), key=repr)
        odoos_lines = sorted(map(line_key, odoos.line_ids), key=repr)
        self.assertEqual(len(ours_lines), len(odoos_lines))
        for our_line, odoo_line in zip(ours_lines, odoos_lines, strict=True):
            self.assertEqual(
                dict(zip(LINE_FIELDS, our_line, strict=True)), dict(zip(LINE_FIELDS, odoo_line, strict=True))
            )
        for name in MOVE_FIELDS:
            if name == "name":
                continue  # each invoice has its own number
            our_value, odoo_value = ours[name], odoos[name]
            if name == "payment_reference":
                our_value, odoo_value = our_value == ours.name, odoo_value == odoos.name
            self.assertEqual(our_value, odoo_value, name)

    def _check(self, **contract_vals):
        ours, odoos = self._bill_both_ways(**contract_vals)
        self.assertIn("tax", ours.line_ids.mapped("display_type"))
        self.assertSameInvoice(ours, odoos)
        return ours

    @freeze_time("2026-03-10")
    def test_split_payment_terms_posted(self):
        ours = self._check(payment_term_id=self.term_split.id)
        self.assertEqual(ours.state, "posted")
        self.assertEqual(len(ours.line_ids.filtered(lambda line: line.display_type == "payment_term")), 2)
        self.assertEqual(str(ours.invoice_date_due), "2026-04-30")

    @freeze_time("2026-03-10")
    def test_fixed_payment_terms_draft(self):
        ours = self._check(payment_term_id=self.term_fixed.id, auto_post=False)
        self.assertEqual(ours.state, "draft")
        ours.action_post()
        self.assertEqual(ours.amount_residual, ours.amount_total)

    @freeze_time("2026-03-10")
    def test_no_payment_terms(self):
        ours = self._check()
        ours_term = ours.line_ids.filtered(lambda line: line.display_type == "payment_term")
        self.assertEqual(len(ours_term), 1)
        self.assertEqual(ours_term.debit, ours.amount_total)

    @freeze_time("2026-03-10")
    def test_round_globally(self):
        self.company_data["company"].tax_calculation_rounding_method = "round_globally"
        self._check(payment_term_id=self.term_split.id)

    @freeze_time("2026-03-10")
    def test_fiscal_position_maps_taxes_and_accounts(self):
        income = self.company_data["default_account_revenue"].copy({"code": "400999"})
        position = self.env["account.fiscal.position"].create(
            {
                "name": "Reduced rate customers",
                "company_id": self.company_data["company"].id,
                "tax_ids": [Command.create({"tax_src_id": self.tax_10.id, "tax_dest_id": self.tax_8.id})],
                "account_ids": [
                    Command.create(
                        {
                            "account_src_id": self.rental.property_account_income_id.id
                            or self.company_data["default_account_revenue"].id,
                            "account_dest_id": income.id,
                        }
                    )
                ],
            }
        )
        self.customer.property_account_position_id = position
        ours = self._check(payment_term_id=self.term_split.id)
        self.assertIn(income, ours.line_ids.account_id)
        self.assertNotIn(self.tax_10, ours.line_ids.tax_ids)

    @freeze_time("2026-03-10")
    def test_tax_affecting_base_credit_and_free_lines(self):
        """A levy included in the base of the consumption tax, a negative (credit) line and a free
        line: still the invoice Odoo makes."""
        levy = self.env["account.tax"].create(
            {
                "name": "Levy 2% (in the base of later taxes)",
                "amount": 2.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "include_base_amount": True,
                "sequence": 1,
                "company_id": self.company_data["company"].id,
            }
        )
        self.tax_10.sequence = 10
        lines = [
            Command.create(
                {
                    "product_id": self.rental.id,
                    "quantity": 3,
                    "price_unit": 1111.11,
                    "tax_ids": [Command.set((levy | self.tax_10).ids)],
                }
            ),
            Command.create({"product_id": self.coffee.id, "quantity": 2, "price_unit": -250.0}),
            Command.create({"product_id": self.coffee.id, "quantity": 1, "price_unit": 0.0}),
        ]
        ours = self.make_contract(date_start="2026-03-01", lines=lines, payment_term_id=self.term_split.id)
        odoos = self.make_contract(date_start="2026-03-01", lines=lines, payment_term_id=self.term_split.id)
        with self._watch_complete() as complete_context:
            self.run_cron("2026-03-10", ours)
        self.assertTrue(complete_context.called)
        with patch.object(KakeuriContract, "_prepare_journal_items", return_value=None):
            self.run_cron("2026-03-10", odoos)
        self.assertSameInvoice(ours.invoice_ids, odoos.invoice_ids)
        levy_line = ours.invoice_ids.line_ids.filtered(lambda line: line.tax_line_id == levy)
        self.assertEqual(levy_line.tax_ids, self.tax_10, "the levy line is in the base of the 10 %")

    @freeze_time("2026-03-10")
    def test_foreign_currency_left_to_odoo(self):
        """What the contract does not reproduce is left to Odoo's synchronisation."""
        contract = self.make_contract(date_start="2026-03-01", lines=self._lines())
        contract.currency_id = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        with self._watch_complete() as complete_context:
            self.run_cron("2026-03-10", contract)
        self.assertFalse(complete_context.called)
        self.assertEqual(contract.invoice_ids.state, "posted")
        # in one run with a contract in the company's currency: each invoice its own way
        other = self.make_contract(date_start="2026-03-01", lines=self._lines())
        contract.date_end = "2026-04-30"
        with self._watch_complete() as complete_context:
            self.assertEqual(self.run_cron("2026-04-10", contract | other), 3)
        self.assertTrue(complete_context.called)
        self.assertEqual(set((contract | other).invoice_ids.mapped("state")), {"posted"})
        self.assertEqual(len(set((contract | other).invoice_ids.mapped("name"))), 4)
        self.assertEqual(contract.invoice_ids.currency_id.name, "EUR")
        self.assertTrue(contract.invoice_ids.line_ids.filtered(lambda line: line.display_type == "tax"))

    @freeze_time("2026-03-10")
    def test_analytic_distribution_models_left_to_odoo(self):
        plan = self.env["account.analytic.plan"].create({"name": "Routes"})
        route = self.env["account.analytic.account"].create({"name": "Route Kanda", "plan_id": plan.id})
        self.assertEqual(self.make_contract(activate=False)._get_analytic_model_company_ids(), [])
        model = self.env["account.analytic.distribution.model"].create(
            {"partner_id": self.customer.id, "analytic_distribution": {str(route.id): 100}}
        )
        contract = self.make_contract(date_start="2026-03-01", lines=self._lines())
        # shared by all companies, or of the contract's company: both count
        self.assertEqual(contract._get_analytic_model_company_ids(), contract.company_id.ids)
        model.company_id = contract.company_id
        self.assertEqual(contract._get_analytic_model_company_ids(), contract.company_id.ids)
        with self._watch_complete() as complete_context:
            self.run_cron("2026-03-10", contract)
        self.assertFalse(complete_context.called)
        product_lines = contract.invoice_ids.invoice_line_ids
        self.assertEqual(product_lines.mapped("analytic_distribution"), [{str(route.id): 100}] * 5)
        self.assertEqual(contract.invoice_ids.state, "posted")

    @freeze_time("2026-03-10")
    def test_system_parameter_switches_to_odoos_path(self):
        """With the system parameter off, every invoice takes Odoo's path (no line given by the
        contract, no synchronisation skipped) and is the same invoice."""
        self.assertTrue(self.env["kakeuri.contract"]._use_complete_invoices(), "on by default")
        vals = {"lines": self._lines(), "payment_term_id": self.term_split.id}
        ours = self.make_contract(date_start="2026-03-01", **vals)
        with self._watch_complete() as complete_context:
            self.run_cron("2026-03-10", ours)
        self.assertTrue(complete_context.called)
        odoo_write = AccountMove.write
        skipped = []

        def write(moves, write_vals):
            skipped.append(bool(moves.env.context.get("skip_invoice_sync")))
            return odoo_write(moves, write_vals)

        for value in ("0", "False"):
            self.env["ir.config_parameter"].set_param(COMPLETE_INVOICES_PARAM, value)
            self.assertFalse(self.env["kakeuri.contract"]._use_complete_invoices())
            odoos = self.make_contract(date_start="2026-03-01", **vals)
            skipped.clear()
            with (
                self._watch_complete() as complete_context,
                patch.object(AccountMove, "write", autospec=True, side_effect=write),
            ):
                self.run_cron("2026-03-10", odoos)
            self.assertFalse(complete_context.called, "no invoice created complete")
            self.assertTrue(skipped)
            self.assertFalse(any(skipped), "Odoo's synchronisation runs on every write")
            self.assertEqual(odoos.invoice_ids.state, "posted")
            self.assertSameInvoice(ours.invoice_ids, odoos.invoice_ids)
        self.env["ir.config_parameter"].set_param(COMPLETE_INVOICES_PARAM, "1")
        self.assertTrue(self.env["kakeuri.contract"]._use_complete_invoices())


@tagged("post_install", "-at_install")
class TestContractInvoiceNumbers(KakeuriContractsCommon):
    """A billing run numbers its invoices in bulk, as Odoo numbers them one by one."""

    def _manual_invoice(self, date):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer_b.id,
                "invoice_date": date,
                "invoice_line_ids": [Command.create({"product_id": self.rental.id, "price_unit": 100.0})],
            }
        )
        move.action_post()
        return move

    def assertNumbered(self, moves, first_name):
        """``moves`` carry the numbers following ``first_name``, in Odoo's order."""
        moves = moves.sorted(lambda m: (m.date, m.ref or "", m.id))
        prefix, number = first_name.rsplit("/", 1)
        expected = ["%s/%0*d" % (prefix, len(number), int(number) + i) for i in range(len(moves))]
        self.assertEqual(moves.mapped("name"), expected)
        self.assertEqual(moves.mapped("sequence_prefix"), [prefix + "/"] * len(moves))
        self.assertEqual(moves.mapped("sequence_number"), [int(number) + i for i in range(len(moves))])
        self.assertEqual(moves.mapped("payment_reference"), expected)
        self.assertFalse(any(moves.mapped("made_sequence_gap")))
        self.assertEqual(set(moves.mapped("state")), {"posted"})

    @freeze_time("2026-04-10")
    def test_catch_up_of_several_contracts_numbered_in_order(self):
        last = self._manual_invoice("2026-01-15")
        first_number = "%s/%05d" % (last.sequence_prefix.rstrip("/"), last.sequence_number + 1)
        first = self.make_contract(date_start="2026-02-01")
        second = self.make_contract(partner=self.customer_b, date_start="2026-02-01")
        with patch.object(
            SequenceMixin,
            "_get_next_sequence_format",
            autospec=True,
            side_effect=SequenceMixin._get_next_sequence_format,
        ) as lookups:
            self.assertEqual(self.run_cron("2026-04-10", first | second), 6)
        # the journal's last number is looked up once per invoice date, not per invoice
        self.assertEqual(lookups.call_count, 3)
        moves = (first | second).invoice_ids
        self.assertNumbered(moves, first_number)
        # the receivable lines carry the number, as Odoo names them when posting
        self.assertEqual(
            moves.line_ids.filtered(lambda line: line.display_type == "payment_term").mapped("name"),
            moves.line_ids.filtered(lambda line: line.display_type == "payment_term").move_id.mapped("name"),
        )
        # and the next invoice typed by hand takes the number after them
        after = self._manual_invoice("2026-04-10")
        self.assertEqual(after.sequence_number, max(moves.mapped("sequence_number")) + 1)

    @freeze_time("2027-02-10")
    def test_new_year_starts_a_new_sequence(self):
        contract = self.make_contract(date_start="2026-11-01")
        self.assertEqual(self.run_cron("2027-02-10", contract), 4)
        by_year = contract.invoice_ids.grouped(lambda m: m.date.year)
        self.assertTrue(all(m.name.startswith("INV/2026/") for m in by_year[2026]))
        self.assertEqual(by_year[2027].sorted("date").mapped("name"), ["INV/2027/00001", "INV/2027/00002"])

    @freeze_time("2026-03-10")
    def test_refused_invoice_leaves_no_gap(self):
        """One invoice of the batch fails once numbered: the batch is posted again one by one,
        and the numbers taken by the rolled back attempt are used, not skipped."""
        last = self._manual_invoice("2026-03-01")
        refused = self.env["res.partner"].create({"name": "保留商店 (Refused)", "is_company": True})
        contracts = (
            self.make_contract(date_start="2026-03-01")
            | self.make_contract(partner=refused, date_start="2026-03-01")
            | self.make_contract(partner=self.customer_b, date_start="2026-03-01")
        )
        odoo_post = AccountMove._post

        def post_then_refuse(moves, soft=True):
            posted = odoo_post(moves, soft=soft)
            if refused in moves.partner_id:
                raise RuntimeError("refused after numbering")
            return posted

        with patch.object(AccountMove, "_post", autospec=True, side_effect=post_then_refuse):
            self.assertEqual(self.run_cron("2026-03-10", contracts), 3)
        posted = contracts.invoice_ids.filtered(lambda m: m.state == "posted")
        self.assertEqual(len(posted), 2)
        self.assertNumbered(posted, "%s%05d" % (last.sequence_prefix, last.sequence_number + 1))
        self.assertEqual(contracts.invoice_ids.filtered(lambda m: m.state == "draft").partner_id, refused)
