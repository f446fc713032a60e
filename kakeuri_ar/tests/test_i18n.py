# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import os
import re

import polib

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

I18N = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "i18n")
# placeholders and QWeb/template expressions that a translation must keep as they are
KEEP = re.compile(r"%\([a-z_]+\)[sdf]|%[sd]|\{\{[^}]*\}\}|t-[a-z-]+=\"[^\"]*\"")


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_po_files_complete(self):
        """ja.po and zh_CN.po translate every term of the .pot (none left empty or fuzzy, the
        suggestions tools/i18n.py makes for changed terms) and keep every placeholder."""
        pot = polib.pofile(os.path.join(I18N, "kakeuri_ar.pot"))
        msgids = {entry.msgid for entry in pot}
        self.assertGreater(len(msgids), 500)
        for lang in ("ja", "zh_CN"):
            entries = [e for e in polib.pofile(os.path.join(I18N, f"{lang}.po")) if not e.obsolete]
            po = {entry.msgid: entry.msgstr for entry in entries if "fuzzy" not in entry.flags}
            untranslated = sorted(msgid for msgid in msgids if not po.get(msgid))
            self.assertFalse(untranslated, f"{lang}.po: untranslated terms")
            broken = sorted(
                msgid for msgid in msgids if sorted(KEEP.findall(msgid)) != sorted(KEEP.findall(po[msgid]))
            )
            self.assertFalse(broken, f"{lang}.po: placeholders changed")

    def test_japanese_and_chinese_in_use(self):
        """Loaded in a database, the translations reach menus, mail templates and error messages."""
        for lang in ("ja_JP", "zh_CN"):
            self.env["res.lang"]._activate_lang(lang)
        with mute_logger("odoo.addons.base.models.ir_module", "odoo.tools.translate"):
            self.env["ir.module.module"]._load_module_terms(
                ["kakeuri_ar"], ["ja_JP", "zh_CN"], overwrite=True
            )
        menu = self.env.ref("kakeuri_ar.menu_kakeuri_root")
        self.assertEqual(menu.with_context(lang="ja_JP").name, "売掛金")
        self.assertEqual(menu.with_context(lang="zh_CN").name, "应收账款")
        template = self.env.ref("kakeuri_ar.mail_template_dunning_friendly")
        self.assertIn("経理ご担当者様", template.with_context(lang="ja_JP").body_html)
        self.assertIn("财务负责人", template.with_context(lang="zh_CN").body_html)
        self.assertIn("Dear Accounts Payable", template.body_html)
        policy_model = self.env["kakeuri.credit.policy"].with_context(lang="ja_JP")
        with self.assertRaisesRegex(ValidationError, "与信限度額を負の値にはできません"):
            policy_model.create({"name": "負の限度額", "default_credit_limit": -1})
