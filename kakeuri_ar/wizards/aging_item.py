# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import _, api, fields, models

from .aging_line import BAND_FIELDS, EDGES_CONTEXT_KEY, edges_from_context


class KakeuriAgingItem(models.TransientModel):
    """One receivable journal item open at the as-of date, with its amount as of that date
    (the drill-down of an aging row: the items add up to the row)."""

    _name = "kakeuri.aging.item"
    _description = "Receivables Aging Open Item"
    _order = "aging_line_id, band, date_maturity, date, id"
    _rec_name = "move_id"

    aging_line_id = fields.Many2one(
        comodel_name="kakeuri.aging.line", string="Aging Row", required=True, ondelete="cascade", index=True
    )
    move_line_id = fields.Many2one(comodel_name="account.move.line", string="Journal Item", readonly=True)
    move_id = fields.Many2one(comodel_name="account.move", string="Journal Entry", readonly=True)
    name = fields.Char(string="Label", readonly=True)
    ref = fields.Char(string="Entry Reference", readonly=True)
    date = fields.Date(readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    band = fields.Selection(selection="_selection_band", string="Band", readonly=True)
    band_label = fields.Char(string="Band Label", readonly=True)
    days_overdue = fields.Integer(
        string="Days",
        aggregator="max",
        readonly=True,
        help="Days past the due date (or since the invoice date) at the as-of date.",
    )
    amount_open = fields.Monetary(
        string="Open as of Date", readonly=True, help="What was still open at the end of the as-of date."
    )
    amount_residual = fields.Monetary(string="Open Today", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", required=True, readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", required=True, readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Partner", readonly=True)

    @api.model
    def _selection_band(self):
        """Band keys "0".."7"; labels from the edges carried by the context."""
        labels = self.env["kakeuri.aging.report"].get_bucket_labels(edges_from_context(self.env.context))
        return [
            (str(index), labels[index] if index < len(labels) else _("Band %(number)s", number=index + 1))
            for index in range(len(BAND_FIELDS))
        ]

    # ---------------------------------------------------------------- actions
    def action_open_move(self):
        """The journal entry of the item."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    # ---------------------------------------------------------------- helpers
    @api.model
    def _create_for_line(self, aging_line):
        """(Re)create the open items behind ``aging_line`` (one row of an aging wizard)."""
        wizard = aging_line.wizard_id
        edges = wizard._get_bucket_edges()
        self.search([("aging_line_id", "=", aging_line.id)]).unlink()
        items = self.env["kakeuri.aging.report"].get_open_items(
            wizard.date_as_of,
            company=aging_line.company_id,
            partner_ids=aging_line._get_partner_ids(),
            bucket_edges=edges,
            basis=wizard.basis,
        )
        labels = self.env["kakeuri.aging.report"].get_bucket_labels(edges)
        move_lines = self.env["account.move.line"].browse([item["line_id"] for item in items])
        move_lines.fetch(
            ["move_id", "name", "ref", "date", "date_maturity", "invoice_date", "amount_residual"]
        )
        vals_list = [
            self._prepare_item_vals(aging_line, item, move_line, labels)
            for item, move_line in zip(items, move_lines, strict=True)
        ]
        return self.with_context(**{EDGES_CONTEXT_KEY: ",".join(map(str, edges))}).create(vals_list)

    @api.model
    def _prepare_item_vals(self, aging_line, item, move_line, labels):
        wizard = aging_line.wizard_id
        if wizard.basis == "invoice_date":
            ref_date = move_line.invoice_date or move_line.date
        else:
            ref_date = move_line.date_maturity or move_line.date
        return {
            "aging_line_id": aging_line.id,
            "move_line_id": move_line.id,
            "move_id": move_line.move_id.id,
            "name": move_line.name,
            "ref": move_line.ref,
            "date": move_line.date,
            "date_maturity": move_line.date_maturity,
            "band": str(item["band"]),
            "band_label": labels[item["band"]],
            "days_overdue": (wizard.date_as_of - ref_date).days,
            "amount_open": item["amount"],
            "amount_residual": move_line.amount_residual,
            "currency_id": aging_line.currency_id.id,
            "company_id": item["company_id"],
            "partner_id": move_line.partner_id.id,
        }
