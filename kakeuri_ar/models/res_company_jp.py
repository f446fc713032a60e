# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, api, fields, models

# Prefectures by their JIS code (Odoo's res.country.state code for Japan), as printed in a
# Japanese address: Odoo keeps only the romanised names.
JP_PREFECTURES = dict(
    enumerate(
        "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 "
        "神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 "
        "大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 "
        "福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県".split(),
        start=1,
    )
)
JP_DEMO_XMLID = "kakeuri_ar.jp_demo_company"


class ResCompany(models.Model):
    _inherit = "res.company"

    kakeuri_print_seal_box = fields.Boolean(
        string="Seal Space on Documents",
        help="Print an empty box for the company seal (角印) beside the issuer on billing "
        "statements and invoices.",
    )

    # ------------------------------------------------------------------ documents
    def _kakeuri_is_japanese(self):
        self.ensure_one()
        return self.country_id.code == "JP"

    def _kakeuri_address_lines(self, lang=None):
        """The company's address, one printed line each: in Japanese order (〒 postcode,
        then prefecture, city and street on one line, then the building) for a company in
        Japan, else in the country's own format without the company name."""
        self.ensure_one()
        if not self._kakeuri_is_japanese():
            address = self.partner_id._display_address(without_company=True)
            return [line for line in address.split("\n") if line.strip()]
        state = self.state_id
        prefecture = state.name or ""
        japanese = (lang or self.env.lang or "").startswith("ja")
        if japanese and state.code and state.code.isdigit():
            prefecture = JP_PREFECTURES.get(int(state.code), prefecture)
        # written together in Japanese (東京都千代田区丸の内), apart in a latin script
        parts = (prefecture, self.city, self.street)
        locality = ("" if japanese else " ").join(part for part in parts if part)
        lines = ["〒" + self.zip if self.zip else "", locality, self.street2 or ""]
        return [line for line in lines if line]

    # ------------------------------------------------------------------ demo
    @api.model
    def _kakeuri_demo_japanese_company(self):
        """株式会社サンプル商事: a Japanese company in JPY with l10n_jp's chart when that module is
        installed (Odoo's generic chart otherwise), a Japanese bank account on its bank journal
        and two Japanese-speaking users. Called from demo data; creates each record once."""
        company = self.env.ref(JP_DEMO_XMLID, raise_if_not_found=False)
        if not company:
            jpy = self.env.ref("base.JPY")
            jpy.active = True
            company = self.create(self._kakeuri_demo_japanese_company_vals(jpy))
            self._kakeuri_demo_xmlid("jp_demo_company", company)
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        (self.env.user | (admin or self.env.user)).write({"company_ids": [Command.link(company.id)]})
        l10n_jp = self.env["ir.module.module"]._get("l10n_jp").state == "installed"
        chart = "jp" if l10n_jp else "generic_coa"
        if not company.chart_template:
            self.env["account.chart.template"].try_loading(chart, company, install_demo=False)
            # Odoo's generic chart brings its own currency (USD)
            company.currency_id = self.env.ref("base.JPY")
        self._kakeuri_demo_japanese_bank(company)
        self._kakeuri_demo_japanese_users(company)
        return company

    @api.model
    def _kakeuri_demo_japanese_company_vals(self, currency):
        tokyo = self.env.ref("base.state_jp_jp-13", raise_if_not_found=False)
        return {
            "name": "株式会社サンプル商事",
            "currency_id": currency.id,
            "country_id": self.env.ref("base.jp").id,
            "state_id": tokyo.id if tokyo else False,
            "zip": "100-0005",
            "city": "千代田区",
            "street": "丸の内1-1-1",
            "street2": "サンプルビル5階",
            "phone": "03-1234-5678",
            "email": "keiri@sample-shoji.example.jp",
            "kakeuri_invoice_registration_number": "T1234567890123",
            "kakeuri_print_seal_box": True,
        }

    @api.model
    def _kakeuri_demo_japanese_bank(self, company):
        bank = self.env.ref("kakeuri_ar.jp_demo_bank_mizuho", raise_if_not_found=False)
        if not bank:
            bank = self.env["res.bank"].create(
                {"name": "みずほ銀行", "kakeuri_bank_code": "0001", "country": self.env.ref("base.jp").id}
            )
            self._kakeuri_demo_xmlid("jp_demo_bank_mizuho", bank)
        account = self.env.ref("kakeuri_ar.jp_demo_bank_account", raise_if_not_found=False)
        if not account:
            account = self.env["res.partner.bank"].create(
                {
                    "partner_id": company.partner_id.id,
                    "bank_id": bank.id,
                    "acc_number": "1234567",
                    "kakeuri_branch_name": "本店",
                    "kakeuri_branch_code": "100",
                    "kakeuri_account_type": "ordinary",
                    "kakeuri_holder_kana": "ｶ)ｻﾝﾌﾟﾙｼｮｳｼﾞ",
                    "allow_out_payment": True,
                }
            )
            self._kakeuri_demo_xmlid("jp_demo_bank_account", account)
        journal = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], order="id", limit=1
        )
        if journal and journal.bank_account_id != account:
            journal.write({"bank_account_id": account.id, "name": "みずほ銀行 本店"})
            self._kakeuri_demo_xmlid("jp_demo_bank_journal", journal)
        return account

    @api.model
    def _kakeuri_demo_japanese_users(self, company):
        self.env["res.lang"]._activate_lang("ja_JP")
        # the accountant imports bank files and reconciles them: bank statements are Odoo's
        # full accounting (Community's Invoicing users may only read them)
        users = [
            (
                "jp_demo_user_keiri",
                "経理 花子",
                "keiri",
                ("account.group_account_manager", "account.group_account_user"),
            ),
            ("jp_demo_user_kaishu", "回収 太郎", "kaishu", ("account.group_account_invoice",)),
        ]
        for xmlid, name, login, groups in users:
            if self.env.ref("kakeuri_ar." + xmlid, raise_if_not_found=False):
                continue
            user = (
                self.env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    {
                        "name": name,
                        "login": login,
                        "password": login,
                        "lang": "ja_JP",
                        "tz": "Asia/Tokyo",
                        "email": f"{login}@sample-shoji.example.jp",
                        "company_id": company.id,
                        "company_ids": [Command.set(company.ids)],
                        "groups_id": [
                            Command.link(self.env.ref("base.group_user").id),
                            *(Command.link(self.env.ref(group).id) for group in groups),
                            Command.link(self.env.ref("sales_team.group_sale_salesman_all_leads").id),
                        ],
                    }
                )
            )
            self._kakeuri_demo_xmlid(xmlid, user)

    @api.model
    def _kakeuri_demo_xmlid(self, name, record):
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": f"kakeuri_ar.{name}", "record": record, "noupdate": True}]
        )
