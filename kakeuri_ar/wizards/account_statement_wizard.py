# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..models.kakeuri_statement_log import last_complete_period

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class KakeuriAccountStatementWizard(models.TransientModel):
    _name = "kakeuri.account.statement.wizard"
    _description = "Statement of Account"

    partner_ids = fields.Many2many(
        comodel_name="res.partner",
        string="Customers",
        required=True,
        default=lambda self: self._default_partners(),
        help="One statement per customer; a contact's statement is its company's, with all its contacts.",
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: self._last_month()[0],
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: self._last_month()[1],
        help="The closing balance and the aging are those at the end of this day.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Company",
        required=True,
        default=lambda self: self.env.company,
        help="The receivables of this company, in its currency.",
    )
    lang = fields.Selection(
        selection="_get_languages",
        string="Language",
        help="Leave empty to print each statement in its customer's language.",
    )

    # ------------------------------------------------------------ defaults
    @api.model
    def _default_partners(self):
        if self.env.context.get("active_model") == "res.partner":
            return self.env["res.partner"].browse(self.env.context.get("active_ids") or [])
        return self.env["res.partner"]

    @api.model
    def _last_month(self):
        return last_complete_period("monthly", fields.Date.context_today(self))

    @api.model
    def _get_languages(self):
        return self.env["res.lang"].get_installed()

    # ------------------------------------------------------------ constraints
    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from and wizard.date_to and wizard.date_from > wizard.date_to:
                raise ValidationError(
                    _(
                        "The statement period cannot start on %(date_from)s, after its end %(date_to)s.",
                        date_from=wizard.date_from,
                        date_to=wizard.date_to,
                    )
                )

    # ---------------------------------------------------------------- actions
    def action_show(self):
        """The statements on screen (the report as HTML)."""
        # on screen: no need to set up the document layout first (config=False)
        action = self._report_action(config=False)
        action["report_type"] = "qweb-html"
        return action

    def action_print(self):
        """The statements as one PDF, a statement per customer."""
        return self._report_action()

    def action_export_xlsx(self):
        """A workbook to download: one sheet per customer."""
        self.ensure_one()
        partners = self._get_customers()
        if len(partners) == 1:
            content, name = self.env["kakeuri.account.statement"]._render_xlsx(
                partners, self.date_from, self.date_to, company=self.company_id, lang=self.lang or None
            )
        else:
            content = self.env["kakeuri.account.statement.xlsx"].generate(
                partners, self.company_id, self.date_from, self.date_to, lang=self.lang or None
            )
            name = _(
                "Statements %(date_from)s-%(date_to)s.xlsx",
                date_from=fields.Date.to_string(self.date_from),
                date_to=fields.Date.to_string(self.date_to),
            )
        attachment = self.env["ir.attachment"].create(
            {
                "name": name,
                "raw": content,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": XLSX_MIMETYPE,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    # ---------------------------------------------------------------- helpers
    def _get_customers(self):
        """The customers (commercial partners) of the wizard, the inputs checked by the engine."""
        self.ensure_one()
        partners = self.partner_ids.commercial_partner_id
        if not partners:
            raise UserError(_("Choose at least one customer for the statement of account."))
        Statement = self.env["kakeuri.account.statement"]
        for partner in partners:
            Statement._check_input(partner, self.date_from, self.date_to, self.company_id)
        return partners

    def _report_action(self, config=True):
        self.ensure_one()
        partners = self._get_customers()
        data = self.env["kakeuri.account.statement"]._report_data(
            self.company_id, self.date_from, self.date_to, lang=self.lang
        )
        report = self.env.ref("kakeuri_ar.action_report_account_statement")
        return report.report_action(partners, data=data, config=config)
