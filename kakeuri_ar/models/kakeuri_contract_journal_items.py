# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import api, fields, models

# System parameter: "0" or "False" makes every contract invoice take Odoo's path (invoice
# lines only, Odoo adds the tax and receivable lines); the default is the complete invoices.
COMPLETE_INVOICES_PARAM = "kakeuri_ar.contract_complete_invoices"


class KakeuriContract(models.Model):
    """Contract invoices created complete: every journal item of a period's invoice computed
    here with Odoo's own tax and payment term helpers, so that Odoo's line synchronisation,
    which compares every line before and after each write, has nothing to add and is skipped.

    Odoo's path is the fallback: ``_prepare_journal_items`` returns None whenever the invoice
    uses something not reproduced here, or when the system parameter
    ``kakeuri_ar.contract_complete_invoices`` is off; the tests of
    ``test_contract_journal_items.py`` prove that both paths give the same journal items."""

    _inherit = "kakeuri.contract"

    @api.model
    def _use_complete_invoices(self):
        """Whether contract invoices may be created complete (the system parameter)."""
        value = self.env["ir.config_parameter"].sudo().get_param(COMPLETE_INVOICES_PARAM, "1")
        return str(value).strip().lower() not in ("0", "false", "")

    @api.model
    def _complete_invoice_context(self):
        """Context of creating and posting invoices made with all their journal items: Odoo's
        synchronisation of tax, receivable and line amounts is skipped (the balance check is
        not)."""
        return {"skip_invoice_sync": True, "skip_invoice_line_sync": True}

    def _prepare_journal_items(self, line_vals_list, fiscal_position, invoice_date):
        """Every journal item of a period's invoice, as Odoo's line synchronisation would make
        them: the product lines with their account, amounts and tax tags, one tax line per tax
        repartition (``account.move._sync_tax_lines``) and one receivable line per due date of
        the payment terms (``needed_terms``). Return None when the invoice uses something this
        does not reproduce (a foreign currency, an early payment discount, a discount allocation
        account, cash basis taxes, analytic distribution models, a line without product or
        income account) or when the system parameter is off: Odoo then adds the tax and
        receivable lines itself, from the invoice lines."""
        self.ensure_one()
        lines = self._journal_item_sources(line_vals_list, fiscal_position)
        if lines is None:
            return None
        items, untaxed, tax_amount = self._prepare_product_and_tax_items(lines)
        return items + self._prepare_receivable_items(untaxed, tax_amount, invoice_date)

    def _journal_item_sources(self, line_vals_list, fiscal_position):
        """[(invoice line values, product, taxes, income account)] of the invoice lines, or
        None when the invoice must take Odoo's path."""
        company = self.company_id
        if (
            not line_vals_list
            or not self._use_complete_invoices()
            or self.currency_id != company.currency_id
            or self.payment_term_id.early_discount
            or self._has_analytic_distribution_models()
            or (
                company.account_discount_expense_allocation_id
                and any(vals["discount"] for vals in line_vals_list)
            )
        ):
            return None
        Tax = self.env["account.tax"]
        lines = []
        for vals in line_vals_list:
            product = self.env["product.product"].browse(vals.get("product_id"))
            taxes = Tax.browse(vals["tax_ids"][0][2])
            if not product or any(
                tax.tax_exigibility == "on_payment" for tax in taxes.flatten_taxes_hierarchy()
            ):
                return None
            account = product.with_company(company).product_tmpl_id.get_product_accounts(
                fiscal_pos=fiscal_position
            )["income"]
            if not account:
                return None
            lines.append((vals, product, taxes, account))
        return lines

    def _prepare_product_and_tax_items(self, lines):
        """(product and tax journal items, untaxed amount, tax amount) of ``lines`` (see
        ``_journal_item_sources``), computed by Odoo's tax helpers as
        ``account.move._sync_tax_lines`` does."""
        company = self.company_id
        Tax = self.env["account.tax"]
        partner = self.partner_id.commercial_partner_id
        base_lines = [
            Tax._prepare_base_line_for_taxes_computation(
                None,
                product_id=product,
                tax_ids=taxes,
                price_unit=vals["price_unit"],
                quantity=vals["quantity"],
                discount=vals["discount"],
                currency_id=self.currency_id,
                partner_id=partner,
                account_id=account,
                rate=1.0,
                sign=-1,
                is_refund=False,
                tax_tag_invert=bool(taxes),
            )
            for vals, product, taxes, account in lines
        ]
        Tax._add_tax_details_in_base_lines(base_lines, company)
        Tax._round_base_lines_tax_details(base_lines, company)
        Tax._add_accounting_data_in_base_lines_tax_details(base_lines, company)
        tax_results = Tax._prepare_tax_lines(base_lines, company)
        items = []
        untaxed = 0.0
        # the fields Odoo would compute line by line are given too: no analytic distribution
        # (no distribution model applies), the line totals of account.move.line._compute_totals
        for (vals, _product, _taxes, account), (base_line, amounts) in zip(
            lines, tax_results["base_lines_to_update"], strict=True
        ):
            details = base_line["tax_details"]
            items.append(
                {
                    **vals,
                    **amounts,
                    "display_type": "product",
                    "account_id": account.id,
                    "analytic_distribution": False,
                    "price_subtotal": details["raw_total_excluded_currency"],
                    "price_total": details["raw_total_included_currency"],
                }
            )
            untaxed -= amounts["balance"]
        tax_amount = 0.0
        for tax_vals in tax_results["tax_lines_to_add"]:
            items.append({**tax_vals, "display_type": "tax", "price_subtotal": 0.0, "price_total": 0.0})
            tax_amount -= tax_vals["balance"]
        return items, untaxed, tax_amount

    def _prepare_receivable_items(self, untaxed, tax_amount, invoice_date):
        """The receivable journal items: one per due date of the payment terms, as
        ``account.move._compute_needed_terms`` makes them."""
        currency = self.currency_id
        term = self.payment_term_id
        due = defaultdict(float)
        if term:
            terms = term._compute_terms(
                # a closing-day customer's terms count from the closing date, as Odoo's path does
                date_ref=self.partner_id._kakeuri_payment_term_date(invoice_date),
                currency=currency,
                company=self.company_id,
                tax_amount=tax_amount,
                tax_amount_currency=tax_amount,
                sign=1,
                untaxed_amount=untaxed,
                untaxed_amount_currency=untaxed,
            )
            for term_line in terms["line_ids"]:
                due[fields.Date.to_date(term_line["date"])] += term_line["company_amount"]
        else:
            # no payment terms: Odoo makes the invoice due on the day it is created
            due[fields.Date.context_today(self)] = untaxed + tax_amount
        items = []
        for date_maturity, amount in due.items():
            amount = currency.round(amount)
            items.append(
                {
                    "display_type": "payment_term",
                    "date_maturity": date_maturity,
                    "balance": amount,
                    "amount_currency": amount,
                    "discount_date": False,
                    "discount_balance": 0.0,
                    "discount_amount_currency": 0.0,
                    "analytic_distribution": False,
                    "price_subtotal": 0.0,
                    "price_total": 0.0,
                }
            )
        return items

    def _has_analytic_distribution_models(self):
        """Whether analytic distribution models may give the invoice lines (and so some tax
        lines) an analytic distribution. A billing run looks them up once per batch
        (context key ``kakeuri_analytic_model_company_ids``)."""
        self.ensure_one()
        company_ids = self.env.context.get("kakeuri_analytic_model_company_ids")
        if company_ids is None:
            company_ids = self._get_analytic_model_company_ids()
        return self.company_id.id in company_ids

    def _get_analytic_model_company_ids(self):
        """Ids of the companies of these contracts that analytic distribution models apply to."""
        groups = (
            self.env["account.analytic.distribution.model"]
            .sudo()
            ._read_group([("company_id", "in", [False, *self.company_id.ids])], ["company_id"])
        )
        if any(not company for (company,) in groups):  # a model shared by all companies
            return self.company_id.ids
        return [company.id for (company,) in groups]
