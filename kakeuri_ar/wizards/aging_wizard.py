# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from .aging_line import BAND_FIELDS, EDGES_CONTEXT_KEY, MAX_EDGES


class KakeuriAgingWizard(models.TransientModel):
    _name = "kakeuri.aging.wizard"
    _description = "Receivables Aging"

    date_as_of = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="The receivables as the ledger stood at the end of this day: entries dated later "
        "and reconciliations with a later entry are ignored.",
    )
    company_ids = fields.Many2many(
        comodel_name="res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.companies,
        help="One row per customer and company, each in the company's currency.",
    )
    partner_ids = fields.Many2many(
        comodel_name="res.partner",
        string="Customers",
        help="Leave empty for every customer. A company includes its contacts.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Salesperson",
        help="Only the customers of this salesperson (the Salesperson of the customer).",
    )
    bucket_edges = fields.Char(
        string="Bands (days)",
        required=True,
        default="30,60,90,120",
        help="Upper day of each band, strictly increasing, separated by commas: 30,60,90,120 "
        "gives Not Due, 1-30, 31-60, 61-90, 91-120 and Over 120.",
    )
    basis = fields.Selection(
        selection=[("due_date", "Due Date"), ("invoice_date", "Invoice Date")],
        string="Age By",
        required=True,
        default="due_date",
        help="Due Date: days past each item's due date (instalments age separately). "
        "Invoice Date: days since the invoice date (the accounting date for payments and other entries).",
    )
    include_zero = fields.Boolean(
        string="Include Zero-Balance Customers",
        help="Also list the selected customers (or all customers) that owe nothing.",
    )
    line_ids = fields.One2many(comodel_name="kakeuri.aging.line", inverse_name="wizard_id", string="Lines")

    # ------------------------------------------------------------ constraints
    @api.constrains("bucket_edges")
    def _check_bucket_edges(self):
        for wizard in self:
            wizard._get_bucket_edges()

    # ---------------------------------------------------------------- actions
    def action_view(self):
        """Compute and show the aging on screen (list, pivot and graph)."""
        self.ensure_one()
        self._compute_lines()
        edges = ",".join(str(e) for e in self._get_bucket_edges())
        context = {EDGES_CONTEXT_KEY: edges, "create": False, "edit": False, "delete": False}
        if len(self.company_ids) > 1:
            context["group_by"] = ["company_id"]
        return {
            "type": "ir.actions.act_window",
            "name": self._get_title(),
            "res_model": "kakeuri.aging.line",
            "view_mode": "list,pivot,graph",
            "views": [
                (self.env.ref("kakeuri_ar.view_kakeuri_aging_line_list").id, "list"),
                (self.env.ref("kakeuri_ar.view_kakeuri_aging_line_pivot").id, "pivot"),
                (self.env.ref("kakeuri_ar.view_kakeuri_aging_line_graph").id, "graph"),
            ],
            "search_view_id": self.env.ref("kakeuri_ar.view_kakeuri_aging_line_search").id,
            "domain": [("wizard_id", "=", self.id)],
            "context": context,
            "target": "current",
        }

    def action_print_pdf(self):
        self.ensure_one()
        self._compute_lines()
        return self.env.ref("kakeuri_ar.action_report_kakeuri_aging").report_action(self)

    def action_export_xlsx(self):
        self.ensure_one()
        self._compute_lines()
        content = self.env["kakeuri.aging.xlsx"].generate(self)
        attachment = self.env["ir.attachment"].create(
            {
                "name": self._get_file_name() + ".xlsx",
                "raw": content,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    # ---------------------------------------------------------------- helpers
    def _get_bucket_edges(self):
        """The edges typed by the user as a tuple of ints; ValidationError if malformed."""
        self.ensure_one()
        text = (self.bucket_edges or "").replace("、", ",").replace("，", ",").replace(" ", "")
        try:
            edges = tuple(int(part) for part in text.split(",") if part)
        except ValueError:
            edges = ()
        if not edges or len(edges) > MAX_EDGES:
            raise ValidationError(
                _(
                    "Bands %(edges)s: enter between 1 and %(max)s whole numbers of days separated "
                    "by commas, e.g. 30,60,90,120.",
                    edges=self.bucket_edges or "",
                    max=MAX_EDGES,
                )
            )
        return self.env["kakeuri.aging.report"]._check_bucket_edges(edges)

    def get_band_labels(self):
        self.ensure_one()
        return self.env["kakeuri.aging.report"].get_bucket_labels(self._get_bucket_edges())

    def _get_title(self):
        return _("Aged Receivables as of %(date)s", date=format_date(self.env, self.date_as_of))

    def _get_file_name(self):
        return _("Aged Receivables %(date)s", date=fields.Date.to_string(self.date_as_of))

    def _get_partner_filter(self):
        """Ids of the partners to age (customers with their contacts, narrowed to the
        salesperson's customers), or None for everyone."""
        if not self.partner_ids and not self.user_id:
            return None
        Partner = self.env["res.partner"].with_context(active_test=False)
        domain = []
        if self.partner_ids:
            domain.append(("commercial_partner_id", "in", self.partner_ids.commercial_partner_id.ids))
        if self.user_id:
            salesperson_customers = Partner.search([("user_id", "=", self.user_id.id)]).commercial_partner_id
            domain.append(("commercial_partner_id", "in", salesperson_customers.ids))
        return Partner.search(domain).ids

    def _compute_lines(self):
        """(Re)fill the result lines from the aging engine."""
        self.ensure_one()
        edges = self._get_bucket_edges()
        partner_ids = self._get_partner_filter()
        rows = self.env["kakeuri.aging.report"].get_aging(
            self.date_as_of,
            bucket_edges=edges,
            company=self.company_ids,
            partner_ids=partner_ids,
            basis=self.basis,
        )
        if self.include_zero:
            rows += self._zero_rows(rows, partner_ids, len(edges) + 2)
        self.line_ids.unlink()
        partners = self.env["res.partner"].browse([r["partner_id"] for r in rows if r["partner_id"]])
        partners.fetch(["display_name", "user_id"])
        self.env["kakeuri.aging.line"].create([self._prepare_line_vals(row) for row in rows])

    def _zero_rows(self, rows, partner_ids, band_count):
        """Rows of zero for the customers in scope without anything open."""
        seen = {(r["company_id"], r["partner_id"]) for r in rows}
        domain = [("parent_id", "=", False)]
        if partner_ids is not None:
            domain.append(("id", "in", partner_ids))
        else:
            domain.append(("customer_rank", ">", 0))
        partners = self.env["res.partner"].search(domain)
        zero = []
        for company in self.company_ids & self.env.companies:
            for partner in partners:
                if (company.id, partner.id) in seen or (partner.company_id and partner.company_id != company):
                    continue
                zero.append(
                    {
                        "company_id": company.id,
                        "currency_id": company.currency_id.id,
                        "partner_id": partner.id,
                        "buckets": [0.0] * band_count,
                        "total": 0.0,
                    }
                )
        return zero

    def _prepare_line_vals(self, row):
        partner = self.env["res.partner"].browse(row["partner_id"])
        vals = {
            "wizard_id": self.id,
            "company_id": row["company_id"],
            "currency_id": row["currency_id"],
            "partner_id": partner.id,
            "partner_name": partner.display_name if partner else _("(No customer)"),
            "user_id": partner.user_id.id,
            "total": row["total"],
            "overdue": sum(row["buckets"][1:]),
        }
        vals.update(zip(BAND_FIELDS, row["buckets"], strict=False))
        return vals
