# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# The shipped default levels (also loaded for the main company by data/dunning_level_data.xml).
# Companies created later get them from "Create default levels" or on their first run.
DEFAULT_LEVELS = [
    {
        "xmlid": "kakeuri_ar.dunning_level_friendly",
        "sequence": 10,
        "name": "Friendly reminder",
        "days_overdue": 1,
        "send_email": True,
        "template": "kakeuri_ar.mail_template_dunning_friendly",
        "auto": True,
    },
    {
        "xmlid": "kakeuri_ar.dunning_level_second",
        "sequence": 20,
        "name": "Second notice",
        "days_overdue": 15,
        "send_email": True,
        "template": "kakeuri_ar.mail_template_dunning_second",
        "print_letter": True,
        "auto": True,
    },
    {
        "xmlid": "kakeuri_ar.dunning_level_final",
        "sequence": 30,
        "name": "Final notice",
        "days_overdue": 30,
        "send_email": True,
        "template": "kakeuri_ar.mail_template_dunning_final",
        "print_letter": True,
        "set_credit_hold": True,
        "auto": True,
    },
    {
        "xmlid": "kakeuri_ar.dunning_level_call",
        "sequence": 40,
        "name": "Call the customer",
        "days_overdue": 45,
        "create_activity": True,
        "activity_type": "mail.mail_activity_data_call",
        "auto": False,
    },
]


class KakeuriDunningLevel(models.Model):
    _name = "kakeuri.dunning.level"
    _description = "Dunning Level"
    _order = "company_id, days_overdue, sequence, id"

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    days_overdue = fields.Integer(
        string="Days Overdue",
        required=True,
        help="An invoice reaches this level when it is at least this many days past its due date.",
    )
    send_email = fields.Boolean(string="Send Email")
    mail_template_id = fields.Many2one(
        comodel_name="mail.template",
        string="Email Template",
        domain="[('model', '=', 'kakeuri.dunning.line')]",
        help="Rendered on the dunning line: the customer, the overdue invoices and the total.",
    )
    print_letter = fields.Boolean(
        string="Print Letter",
        help="A letter (PDF) is prepared for this level; it is also the fallback when the "
        "customer has no email address.",
    )
    letter_text = fields.Text(
        string="Letter Text",
        translate=True,
        help="Opening paragraph of the printed letter, above the list of overdue invoices.",
    )
    create_activity = fields.Boolean(
        string="Create Activity",
        help="Schedule an activity (e.g. a phone call) for the customer's salesperson, "
        "or for the user who runs the dunning when the customer has none.",
    )
    activity_type_id = fields.Many2one(comodel_name="mail.activity.type", string="Activity Type")
    fee_amount = fields.Monetary(
        string="Fee",
        currency_field="currency_id",
        help="Amount invoiced to the customer on a separate invoice when this level is sent.",
    )
    fee_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Fee Product",
        default=lambda self: self.env.ref("kakeuri_ar.product_dunning_fee", raise_if_not_found=False),
    )
    fee_post = fields.Boolean(
        string="Post Fee Invoice",
        default=True,
        help="Post the fee invoice at once; otherwise it stays in draft for review.",
    )
    set_credit_hold = fields.Boolean(
        string="Set Credit Hold",
        help="Put the customer on credit hold: new sales orders are refused until the hold is lifted.",
    )
    skippable = fields.Boolean(
        string="May Be Skipped",
        help="A customer overdue long enough for the next level goes past this one without "
        "receiving it. Off (the default): reminders escalate one level at a time, and every "
        "customer gets this level before any later one.",
    )
    auto = fields.Boolean(
        string="Automatic",
        help="Sent by the daily scheduled action without review. Other levels wait for a person's run.",
    )

    @api.constrains("days_overdue", "fee_amount", "company_id", "active")
    def _check_days_and_fee(self):
        for level in self:
            if level.days_overdue < 0:
                raise ValidationError(
                    _(
                        "Dunning level %(level)s: days overdue cannot be negative (%(days)s).",
                        level=level.name,
                        days=level.days_overdue,
                    )
                )
            if level.fee_amount < 0:
                raise ValidationError(
                    _(
                        "Dunning level %(level)s: the fee cannot be negative (%(fee)s).",
                        level=level.name,
                        fee=level.fee_amount,
                    )
                )
            if level.fee_amount and not level.fee_product_id:
                raise ValidationError(
                    _("Dunning level %(level)s: a fee needs a fee product.", level=level.name)
                )
            same = self.search(
                [
                    ("id", "!=", level.id),
                    ("company_id", "=", level.company_id.id),
                    ("days_overdue", "=", level.days_overdue),
                ]
            )
            if same:
                raise ValidationError(
                    _(
                        "Dunning levels %(level)s and %(other)s of %(company)s both start at "
                        "%(days)s days overdue; each level needs its own number of days.",
                        level=level.name,
                        other=same[0].name,
                        company=level.company_id.name,
                        days=level.days_overdue,
                    )
                )

    @api.constrains("send_email", "mail_template_id")
    def _check_template(self):
        for level in self:
            if level.send_email and not level.mail_template_id:
                raise ValidationError(
                    _("Dunning level %(level)s sends an email but has no email template.", level=level.name)
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        """A level that reminders or invoices refer to is the trace of what was sent: archive it."""
        if not self:
            return
        Line = self.env["kakeuri.dunning.line"].sudo()
        MoveLevel = self.env["kakeuri.dunning.move.level"].sudo()
        for level in self:
            used = Line.search_count(
                ["|", ("level_id", "=", level.id), ("proposed_level_id", "=", level.id)], limit=1
            ) or MoveLevel.search_count([("level_id", "=", level.id)], limit=1)
            if used:
                raise UserError(
                    _(
                        "Dunning level %(level)s of %(company)s has been used by reminders; archive it "
                        "instead of deleting it.",
                        level=level.name,
                        company=level.company_id.name,
                    )
                )

    def action_create_default_levels(self):
        """Create the default levels for the current company when it has none."""
        created = self._create_default_levels(self.env.company)
        if not created:
            raise ValidationError(
                _(
                    "%(company)s already has dunning levels; default levels are only created "
                    "for a company without any.",
                    company=self.env.company.name,
                )
            )
        return {"type": "ir.actions.client", "tag": "reload"}

    @api.model
    def _prepare_default_level_vals(self, company, spec):
        vals = {
            "sequence": spec["sequence"],
            "name": spec["name"],
            "company_id": company.id,
            "days_overdue": spec["days_overdue"],
            "send_email": spec.get("send_email", False),
            "print_letter": spec.get("print_letter", False),
            "create_activity": spec.get("create_activity", False),
            "set_credit_hold": spec.get("set_credit_hold", False),
            "auto": spec.get("auto", False),
        }
        if spec.get("template"):
            vals["mail_template_id"] = self.env.ref(spec["template"]).id
        if spec.get("activity_type"):
            vals["activity_type_id"] = self.env.ref(spec["activity_type"]).id
        return vals

    @api.model
    def _create_default_levels(self, company):
        """Create the shipped levels for ``company`` if it has no level at all (active or not).
        Names and letter texts carry the translations of the main company's shipped levels."""
        Level = self.sudo().with_context(active_test=False)
        if Level.search_count([("company_id", "=", company.id)]):
            return self.browse()
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        levels = self.browse()
        for spec in DEFAULT_LEVELS:
            source = Level.env.ref(spec["xmlid"], raise_if_not_found=False)
            vals = self._prepare_default_level_vals(company, spec)
            if source:
                vals["letter_text"] = source.with_context(lang="en_US").letter_text
            level = Level.create(vals)
            if source:
                for lang in langs:
                    if lang == "en_US":
                        continue
                    src = source.with_context(lang=lang)
                    level.with_context(lang=lang).write({"name": src.name, "letter_text": src.letter_text})
            levels |= level
        return levels
