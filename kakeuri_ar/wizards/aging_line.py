# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import _, api, fields, models

from ..report.aging_report import DEFAULT_BUCKET_EDGES

# A list view cannot grow columns at run time, so the result carries a fixed set of band
# fields and the wizard accepts at most MAX_EDGES edges (MAX_EDGES + 2 bands).
MAX_EDGES = 6
BAND_FIELDS = tuple(f"band_{i}" for i in range(MAX_EDGES + 2))
# The web client only forwards `lang` and `*_view_ref` context keys to get_views(); the
# edges travel in a key of that shape so the band columns get their labels (and so the
# client caches one view per set of edges).
EDGES_CONTEXT_KEY = "kakeuri_aging_edges_view_ref"


def edges_from_context(context):
    """Bucket edges carried by the context ("30,60,90,120"), or the default ones."""
    value = (context or {}).get(EDGES_CONTEXT_KEY)
    try:
        edges = tuple(int(e) for e in str(value).split(",")) if value else DEFAULT_BUCKET_EDGES
    except ValueError:
        return DEFAULT_BUCKET_EDGES
    if not edges or len(edges) > MAX_EDGES or any(e <= 0 for e in edges) or list(edges) != sorted(set(edges)):
        return DEFAULT_BUCKET_EDGES
    return edges


class KakeuriAgingLine(models.TransientModel):
    _name = "kakeuri.aging.line"
    _description = "Receivables Aging Line"
    _order = "wizard_id, company_id, total desc, partner_name, id"

    wizard_id = fields.Many2one(
        comodel_name="kakeuri.aging.wizard", string="Aging", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(comodel_name="res.company", required=True, readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", required=True, readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", readonly=True)
    partner_name = fields.Char(string="Customer Name", readonly=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Salesperson", readonly=True)
    date_as_of = fields.Date(related="wizard_id.date_as_of", string="As of")
    band_0 = fields.Monetary(string="Not Due", readonly=True)
    band_1 = fields.Monetary(string="1-30", readonly=True)
    band_2 = fields.Monetary(string="31-60", readonly=True)
    band_3 = fields.Monetary(string="61-90", readonly=True)
    band_4 = fields.Monetary(string="91-120", readonly=True)
    band_5 = fields.Monetary(string="Over 120", readonly=True)
    band_6 = fields.Monetary(string="Band 7", readonly=True)
    band_7 = fields.Monetary(string="Band 8", readonly=True)
    total = fields.Monetary(readonly=True)
    overdue = fields.Monetary(
        string="Overdue", readonly=True, help="Everything past its due date (all bands but the first)."
    )

    # ------------------------------------------------------------------ views
    @api.model
    def _band_labels_from_context(self):
        return self.env["kakeuri.aging.report"].get_bucket_labels(edges_from_context(self.env.context))

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        res = super().fields_get(allfields, attributes)
        labels = self._band_labels_from_context()
        for index, name in enumerate(BAND_FIELDS):
            if name in res and index < len(labels) and (attributes is None or "string" in attributes):
                res[name]["string"] = labels[index]
        return res

    @api.model
    def _get_view_cache_key(self, view_id=None, view_type="form", **options):
        key = super()._get_view_cache_key(view_id, view_type, **options)
        return key + (edges_from_context(self.env.context),)

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        labels = self._band_labels_from_context()
        for index, name in enumerate(BAND_FIELDS):
            for node in arch.xpath(f"//field[@name='{name}']"):
                if index < len(labels):
                    node.set("string", labels[index])
                elif view_type == "list":
                    node.set("column_invisible", "1")
                else:
                    node.getparent().remove(node)
        return arch, view

    # ---------------------------------------------------------------- actions
    def action_open_items(self):
        """The customer's receivable items still open at the end of the as-of date, each with
        its open amount as of that date (they add up to the row)."""
        self.ensure_one()
        wizard = self.wizard_id
        self.env["kakeuri.aging.item"]._create_for_line(self)
        edges = ",".join(str(e) for e in wizard._get_bucket_edges())
        return {
            "type": "ir.actions.act_window",
            "name": _(
                "Open items of %(customer)s as of %(date)s",
                customer=self.partner_name,
                date=fields.Date.to_string(wizard.date_as_of),
            ),
            "res_model": "kakeuri.aging.item",
            "view_mode": "list",
            "views": [(self.env.ref("kakeuri_ar.view_kakeuri_aging_item_list").id, "list")],
            "search_view_id": self.env.ref("kakeuri_ar.view_kakeuri_aging_item_search").id,
            "domain": [("aging_line_id", "=", self.id)],
            "context": {
                EDGES_CONTEXT_KEY: edges,
                "search_default_group_band": 1,
                "create": False,
                "edit": False,
                "delete": False,
            },
            "target": "current",
        }

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    # ---------------------------------------------------------------- helpers
    def _get_partner_ids(self):
        """Partner filter of this row for the engine: the customer with its contacts (rows
        are per commercial partner), ``[False]`` for the items without a customer."""
        self.ensure_one()
        if not self.partner_id:
            return [False]
        Partner = self.env["res.partner"].with_context(active_test=False)
        return Partner.search([("commercial_partner_id", "=", self.partner_id.id)]).ids

    def _get_bands(self):
        """Band amounts of this line, as many as the wizard's edges give."""
        self.ensure_one()
        count = len(self.wizard_id._get_bucket_edges()) + 2
        return [self[name] for name in BAND_FIELDS[:count]]
