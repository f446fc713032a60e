# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.kakeuri_ar.models.kakeuri_mail_render import TEMPLATE_FIELDS

from .common.dunning import TODAY, DunningCommon


@tagged("post_install", "-at_install")
class TestDunningMailRendering(DunningCommon):
    """A batch of reminders is rendered with shortcuts (subject, sender and recipients without
    one safe_eval per line, the body compiled once per language): what is queued is exactly
    what Odoo's own rendering of the template gives, in English and Japanese, per company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ja_JP")
        with mute_logger("odoo.addons.base.models.ir_module", "odoo.tools.translate"):
            cls.env["ir.module.module"]._load_module_terms(["kakeuri_ar"], ["ja_JP"], overwrite=True)
        cls.company.email = "ar@kakeuri.example.jp"
        cls.customer_en, cls.customer_ja, cls.customer_nolang = cls.customers[:3]
        cls.customer_en.lang = "en_US"
        cls.customer_ja.lang = "ja_JP"
        cls.customer_nolang.lang = False

    def _odoo_rendering(self, lines, fields):
        """{line: values} as mail.template._generate_template renders them, per template."""
        expected = {}
        for template, tlines in lines.grouped(lambda ln: ln.level_id.mail_template_id).items():
            rendered = template._generate_template(tlines.ids, fields)
            for line in tlines:
                expected[line] = rendered[line.id]
        return expected

    def test_queued_mails_are_odoo_rendering_en_ja(self):
        self._levels_skippable()
        inv_en = self._invoice(self.customer_en, 1200.0, 3)
        inv_ja = self._invoice(self.customer_ja, 345678.0, 20)
        inv_ja_2 = self._invoice(self.customer_ja, 1000.0, 35)
        self._invoice(self.customer_nolang, 500.0, 16)
        run = self._run()
        lines = run.line_ids
        self.assertEqual(len(lines), 3)
        # an invoice shared before keeps its portal link; the others get signed links
        inv_ja_2._portal_ensure_token()
        expected = self._odoo_rendering(lines, [*TEMPLATE_FIELDS, "body_html"])
        run.action_send()
        self.assertEqual(set(lines.mapped("state")), {"sent"})
        for line in lines:
            mail = self._mails(line.partner_id)
            self.assertEqual(len(mail), 1)
            values = expected[line]
            self.assertEqual(mail.subject, values["subject"])
            self.assertEqual(mail.email_from, values["email_from"])
            self.assertEqual(mail.recipient_ids.ids, values["partner_ids"])
            self.assertEqual(mail.body_html, values["body_html"])
            self.assertFalse(mail.email_to or mail.email_cc or mail.reply_to)
        sender = self.company.email_formatted
        self.assertIn("ar@kakeuri.example.jp", sender)
        company = self.company.name
        # English
        mail_en = self._mails(self.customer_en)
        self.assertEqual(mail_en.subject, f"Payment reminder from {company}")
        self.assertEqual(mail_en.email_from, sender)
        self.assertEqual(mail_en.recipient_ids, self.customer_en)
        self.assertIn("Dear Accounts Payable", mail_en.body_html)
        self.assertFalse(inv_en.access_token, "sending a reminder writes nothing on the invoice")
        link_en = self.env["kakeuri.dunning.format"]._get_reminder_link(inv_en)
        self.assertIn(f"/my/invoices/{inv_en.id}/reminder?link=", link_en)
        self.assertIn(link_en, mail_en.body_html)
        self.assertIn("1,200.00", mail_en.body_html)
        # Japanese: translated subject and body, same sender, amounts and links
        mail_ja = self._mails(self.customer_ja)
        self.assertEqual(mail_ja.subject, f"【最終のお願い】未入金のご請求について（{company}）")
        self.assertEqual(mail_ja.email_from, sender)
        self.assertEqual(mail_ja.recipient_ids, self.customer_ja)
        self.assertIn("経理ご担当者様", mail_ja.body_html)
        for inv in inv_ja | inv_ja_2:
            self.assertIn(inv.name, mail_ja.body_html)
        self.assertIn(self.env["kakeuri.dunning.format"]._get_reminder_link(inv_ja), mail_ja.body_html)
        self.assertIn(f"/my/invoices/{inv_ja_2.id}?access_token={inv_ja_2.access_token}", mail_ja.body_html)
        self.assertIn("345,678.00", mail_ja.body_html)
        self.assertIn("346,678.00", mail_ja.body_html)  # the total
        # no language: the template's own (English) text
        mail_nolang = self._mails(self.customer_nolang)
        self.assertTrue(mail_nolang.subject.startswith("Second notice"))
        self.assertIn("Dear Accounts Payable", mail_nolang.body_html)

    def test_fields_rendered_as_odoo_for_any_expression(self):
        """Field paths, company-only expressions (evaluated once per company) and any other
        expression give what Odoo renders, with lines of two companies in one call."""
        company_2 = self.setup_other_company(name="Kakeuri Second KK")["company"]
        company_2.email = "ar2@kakeuri.example.jp"
        for partner, days in ((self.customer_en, 3), (self.customer_ja, 4), (self.customer_nolang, 5)):
            self._invoice(partner, 100.0 * days, days)
            self._invoice(partner, 70.0 * days, days, company=company_2)
        run_2 = (
            self.env["kakeuri.dunning.run"]
            .with_company(company_2)
            .create({"date": TODAY, "company_id": company_2.id})
        )
        run_2.action_compute()
        env = self.env(context=dict(self.env.context, allowed_company_ids=[self.company.id, company_2.id]))
        Line = env["kakeuri.dunning.line"]
        Render = env["kakeuri.mail.render"]
        lines = Line.browse((self._run().line_ids | run_2.line_ids).ids)
        self.assertEqual(len(lines), 6)
        self.assertEqual(len(lines.company_id), 2)
        template = env.ref("kakeuri_ar.mail_template_dunning_friendly")
        variants = [
            {},  # the template as installed
            {
                "subject": "{{ object.partner_id.name }} / {{ object.company_id.name }}: "
                "{{ object.amount_overdue }} {{ object.company_id.currency_id.name }}",
                "email_from": "{{ object.company_id.partner_id.email_formatted or user.email_formatted }}",
                "reply_to": "{{ object.user_id.email or object.company_id.email }}",
                "email_cc": "{{ object.contact_partner_id.email }}",
                "partner_to": "{{ object.contact_partner_id.id }},{{ object.partner_id.id }}",
            },
            {
                "subject": "{{ ctx.get('lang') }} {{ object.company_id.name if object.company_id else 'x' }}",
                "email_from": "{{ (object.company_id.email or '').upper() }}",
                "reply_to": False,
                "email_cc": False,
                "partner_to": "{{ [object.partner_id.id] }}",
            },
        ]
        self.assertEqual(
            set(template._render_lang(lines.ids).values()), {"en_US", "ja_JP", ""}
        )  # the three kinds of recipients
        for vals in variants:
            template.write(vals)
            expected = template._generate_template(lines.ids, TEMPLATE_FIELDS)
            self.assertEqual(
                Render._render_template_langs(Line.browse(lines.ids), template),
                template._render_lang(lines.ids),
            )
            self.assertEqual(Render._render_template_fields(Line.browse(lines.ids), template), expected, vals)
        # the plans behind it
        self.assertEqual(
            Render._get_inline_plan("object.contact_partner_id.id", Line),
            ("path", ("contact_partner_id", "id")),
        )
        self.assertEqual(
            Render._get_inline_plan("(object.company_id.email_formatted or user.email_formatted)", Line),
            ("company", None),
        )
        self.assertEqual(Render._get_inline_plan("object.company_id.name.upper()", Line), ("eval", None))
        self.assertEqual(
            Render._get_inline_plan("object.user_id.email or object.company_id.email", Line), ("eval", None)
        )
