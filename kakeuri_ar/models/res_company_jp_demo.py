# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models

from ..tools import zengin, zengin_debit

# customers of the Japanese demo company: (xml id, name, kana, code, extra values)
JP_DEMO_CUSTOMERS = (
    ("jp_demo_yamato", "ヤマト商事株式会社", "ﾔﾏﾄｼｮｳｼﾞ", "K1001", {}),
    ("jp_demo_aoba", "株式会社あおば食品", "ｱｵﾊﾞｼｮｸﾋﾝ", "K1002", {"kakeuri_fee_tolerance": 880}),
    ("jp_demo_midori", "株式会社みどり電機", "ﾐﾄﾞﾘﾃﾞﾝｷ", "K1003", {"kakeuri_closing_day": 31}),
    ("jp_demo_sakura_shoten", "株式会社さくら商店", "ｻｸﾗｼｮｳﾃﾝ", "K1004", {}),
    ("jp_demo_sakura_kogyo", "さくら工業株式会社", "ｻｸﾗｺｳｷﾞｮｳ", "K1005", {}),
    ("jp_demo_suzuki", "有限会社鈴木産業", "ｽｽﾞｷｻﾝｷﾞｮｳ", "K1006", {}),
    ("jp_demo_tozai", "東西物流株式会社", "ﾄｳｻﾞｲﾌﾞﾂﾘｭｳ", "K1007", {}),
    ("jp_demo_hayate", "株式会社はやて運輸", "ﾊﾔﾃｳﾝﾕ", "K1008", {}),
    ("jp_demo_hokuto", "北斗サービス株式会社", "ﾎｸﾄｻｰﾋﾞｽ", "K1009", {"kakeuri_direct_debit": True}),
    ("jp_demo_iroha", "株式会社いろは薬局", "ｲﾛﾊﾔｯｷｮｸ", "K1010", {"kakeuri_direct_debit": True}),
)


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _kakeuri_demo_japanese_receivables(self):
        """The Japanese demo company's credit sales: customers with kana names, open and
        overdue invoices, a closing-day customer with its confirmed 締め請求書, a contract, a
        dunning run, direct debit customers with an exported debit run and the bank's result
        file, and a Zengin bank file of the transfers received (attached to the bank journal)
        for the clerk to import and match. Called from demo data after the company exists."""
        company = self.env.ref("kakeuri_ar.jp_demo_company")
        if self.env.ref("kakeuri_ar.jp_demo_yamato", raise_if_not_found=False):
            return
        self = self.with_company(company).with_context(allowed_company_ids=company.ids, lang="ja_JP")
        today = fields.Date.context_today(self)
        company.write(
            {
                "kakeuri_debit_consignor_code": "1234567890",
                "kakeuri_debit_consignor_kana": "ｶ)ｻﾝﾌﾟﾙｼｮｳｼﾞ",
                "kakeuri_debit_journal_id": self.env.ref("kakeuri_ar.jp_demo_bank_journal").id,
            }
        )
        self._kakeuri_demo_jp_fee_account(company)
        partners = self._kakeuri_demo_jp_customers(company)
        products = self._kakeuri_demo_jp_products(company)
        invoices = self._kakeuri_demo_jp_invoices(products, partners, today)
        statement = self._kakeuri_demo_jp_closing(company, products, partners, today)
        self._kakeuri_demo_jp_contract(company, products, partners, today)
        self.env["kakeuri.payer.name"].create(
            {"company_id": company.id, "partner_id": partners["jp_demo_suzuki"].id, "name": "ｽｽﾞｷ ﾀﾛｳ"}
        )
        self._kakeuri_demo_jp_bank_file(company, invoices, statement, today)
        self._kakeuri_demo_jp_debits(company, partners, today)
        run = self.env["kakeuri.dunning.run"].create({"company_id": company.id, "date": today, "auto": True})
        run.action_compute()

    @api.model
    def _kakeuri_demo_jp_fee_account(self, company):
        """振込手数料 deducted by customers: booked to a fee expense account (支払手数料 in
        l10n_jp's chart), with the 10 % purchase tax when the chart has one."""
        Account = self.env["account.account"].with_company(company)
        account = Account.search([("name", "ilike", "手数料"), ("account_type", "like", "expense")], limit=1)
        account = account or Account.search([("account_type", "=", "expense")], limit=1)
        tax = (
            self.env["account.tax"]
            .search(
                [
                    ("company_id", "=", company.id),
                    ("type_tax_use", "=", "purchase"),
                    ("amount_type", "=", "percent"),
                    ("amount", "=", 10),
                ]
            )
            .filtered(lambda t: not t.price_include)[:1]
        )
        company.write({"kakeuri_fee_account_id": account.id, "kakeuri_fee_tax_id": tax.id})

    @api.model
    def _kakeuri_demo_jp_customers(self, company):
        policy = self.env["kakeuri.credit.policy"].create(
            {
                "name": "掛売り標準",
                "company_id": company.id,
                "hold_mode": "block",
                "default_credit_limit": 1_000_000,
                "block_on_overdue": True,
                "overdue_grace_days": 10,
            }
        )
        partners = {}
        for xmlid, name, kana, code, extra in JP_DEMO_CUSTOMERS:
            partner = self.env["res.partner"].create(
                {
                    "name": name,
                    "is_company": True,
                    "company_id": company.id,
                    "country_id": self.env.ref("base.jp").id,
                    "lang": "ja_JP",
                    "ref": code,
                    "email": f"keiri@{xmlid.removeprefix('jp_demo_').replace('_', '-')}.example.jp",
                    "kakeuri_name_kana": kana,
                    "kakeuri_credit_policy_id": policy.id,
                    "credit_limit": 2_000_000,
                    "property_payment_term_id": self.env.ref("account.account_payment_term_30days").id,
                    **extra,
                }
            )
            self._kakeuri_demo_xmlid(xmlid, partner)
            partners[xmlid] = partner
        return partners

    @api.model
    def _kakeuri_demo_jp_products(self, company):
        """Copy paper at 10 %, coffee at the reduced 8 % (the company's sale taxes at those rates
        when its chart has them)."""
        taxes = self.env["account.tax"].search(
            [("company_id", "=", company.id), ("type_tax_use", "=", "sale"), ("amount_type", "=", "percent")]
        )
        tax_10 = taxes.filtered(lambda t: t.amount == 10 and not t.price_include)[:1]
        tax_8 = taxes.filtered(lambda t: t.amount == 8 and not t.price_include)[:1]
        paper = self.env["product.product"].create(
            {"name": "コピー用紙 A4 (5,000枚)", "lst_price": 5000, "taxes_id": [Command.set(tax_10.ids)]}
        )
        coffee = self.env["product.product"].create(
            {"name": "業務用コーヒー豆 1kg", "lst_price": 4000, "taxes_id": [Command.set(tax_8.ids)]}
        )
        return paper, coffee

    @api.model
    def _kakeuri_demo_jp_invoice(self, partner, date, lines, date_due=None, post=True):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date,
                "invoice_date_due": date_due,
                "invoice_line_ids": [
                    Command.create({"product_id": product.id, "quantity": qty, "price_unit": price})
                    for product, qty, price in lines
                ],
            }
        )
        if date_due:
            move.invoice_payment_term_id = False
            move.invoice_date_due = date_due
        if post:
            move.action_post()
        return move

    @api.model
    def _kakeuri_demo_jp_invoices(self, products, partners, today):
        """{xml id of the customer: its first invoice}: amounts the bank file pays, with and
        without the transfer fee, and overdue ones for dunning."""
        paper, coffee = products
        base = today - timedelta(days=25)
        plan = {
            "jp_demo_yamato": [[(paper, 20, 5000)], [(coffee, 10, 4000)]],
            "jp_demo_aoba": [[(paper, 40, 5000)]],
            "jp_demo_sakura_shoten": [[(paper, 10, 5000)]],
            "jp_demo_sakura_kogyo": [[(paper, 10, 5000)]],
            "jp_demo_suzuki": [[(paper, 12, 5000)]],
            "jp_demo_tozai": [[(paper, 30, 5000), (coffee, 5, 4000)]],
            "jp_demo_hokuto": [[(paper, 6, 5000)]],
            "jp_demo_iroha": [[(coffee, 9, 4000)]],
        }
        firsts = {}
        for xmlid, invoices in plan.items():
            for lines in invoices:
                move = self._kakeuri_demo_jp_invoice(partners[xmlid], base, lines)
                firsts.setdefault(xmlid, move)
        # はやて運輸: two invoices long overdue, for the dunning run (posted together: posted
        # today one after the other, the first, already overdue, would hold the second)
        overdue = self.env["account.move"]
        for days in (75, 45):
            date = today - timedelta(days=days)
            overdue |= self._kakeuri_demo_jp_invoice(
                partners["jp_demo_hayate"],
                date,
                [(paper, 8, 5000)],
                date_due=date + timedelta(days=30),
                post=False,
            )
        overdue.action_post()
        return firsts

    @api.model
    def _kakeuri_demo_jp_closing(self, company, products, partners, today):
        """みどり電機 closes at month end: last month's deliveries on one confirmed 締め請求書."""
        paper, coffee = products
        last_month_end = today.replace(day=1) - timedelta(days=1)
        customer = partners["jp_demo_midori"]
        for day, lines in ((5, [(paper, 15, 5000)]), (18, [(coffee, 12, 4000), (paper, 4, 5000)])):
            self._kakeuri_demo_jp_invoice(customer, last_month_end.replace(day=day), lines)
        statements = self.env["kakeuri.billing.statement"]._cron_close_period(
            date_ref=last_month_end, partners=customer, companies=company
        )
        statements.action_confirm()
        return statements[:1]

    @api.model
    def _kakeuri_demo_jp_contract(self, company, products, partners, today):
        paper = products[0]
        contract = self.env["kakeuri.contract"].create(
            {
                "partner_id": partners["jp_demo_yamato"].id,
                "company_id": company.id,
                "recurring_rule": "monthly",
                "recurring_interval": 1,
                "date_start": today.replace(day=1) + relativedelta(months=1),
                "auto_post": True,
                "note": "毎月第一営業日に納品。翌月末までにお振込みください。",
                "line_ids": [Command.create({"product_id": paper.id, "quantity": 10, "price_unit": 4800})],
            }
        )
        contract.action_activate()

    @api.model
    def _kakeuri_demo_jp_bank_file(self, company, invoices, statement, today):
        """Yesterday's 入出金取引明細 (Zengin 03) of the company's account, attached to its bank
        journal: a transfer per case the matching handles (name and amount, the ¥440 fee
        deducted, a 締め請求書 paid at once, a learned payer name, an invoice number in the
        remarks, an ambiguous payer, an unknown one) and a withdrawal, which is not imported."""
        journal = self.env.ref("kakeuri_ar.jp_demo_bank_journal")
        account = journal.bank_account_id
        day = today - timedelta(days=1)

        transactions = self._kakeuri_demo_jp_transfers(invoices, statement, day)
        transactions.append(
            zengin.ZenginTransaction(
                date=day,
                amount=33_000,
                direction="2",
                reference=f"{day:%m%d}9001",
                transaction_type="12",
                payer_name="ﾃﾞﾝｷﾘﾖｳｷﾝ",
            )
        )
        header = zengin.ZenginHeader(
            kind=zengin.KIND_STATEMENT,
            created=today,
            date_from=day,
            date_to=day,
            bank_code=account.bank_id.kakeuri_bank_code,
            bank_name="ﾐｽﾞﾎ",
            branch_code=account.kakeuri_branch_code,
            branch_name="ﾎﾝﾃﾝ",
            account_type="1",
            account_number=account.acc_number,
            account_name=account.kakeuri_holder_kana,
        )
        self.env["ir.attachment"].create(
            {
                "name": f"zengin_03_{day:%Y%m%d}.txt",
                "raw": zengin.write_zengin(header, transactions),
                "res_model": "account.journal",
                "res_id": journal.id,
                "mimetype": "text/plain",
            }
        )

    @api.model
    def _kakeuri_demo_jp_debits(self, company, partners, today):
        """北斗サービス and いろは薬局 pay by direct debit (三井住友銀行): a run ten days
        ahead exported, and the bank's result file attached to it (いろは薬局: 資金不足)."""
        bank = self.env["res.bank"].create(
            {"name": "三井住友銀行", "kakeuri_bank_code": "0009", "country": self.env.ref("base.jp").id}
        )
        accounts = {
            "jp_demo_hokuto": ("2345678", "ﾎｸﾄｻｰﾋﾞｽ(ｶ"),
            "jp_demo_iroha": ("3456789", "ｶ)ｲﾛﾊﾔﾂｷﾖｸ"),
        }
        for number, (xmlid, (acc_number, holder)) in enumerate(accounts.items(), start=1):
            partner = partners[xmlid]
            bank_account = self.env["res.partner.bank"].create(
                {
                    "partner_id": partner.id,
                    "bank_id": bank.id,
                    "acc_number": acc_number,
                    "kakeuri_branch_name": "新宿支店",
                    "kakeuri_branch_code": "221",
                    "kakeuri_account_type": "ordinary",
                    "kakeuri_holder_kana": holder,
                }
            )
            partner.write(
                {
                    "kakeuri_debit_bank_id": bank_account.id,
                    "kakeuri_debit_customer_code": f"{number:020d}",
                    "kakeuri_debit_mandate_date": today - relativedelta(months=6),
                }
            )
        # after the invoices' due dates (30 days from 25 days ago)
        collection = today + timedelta(days=10)
        run = self.env["kakeuri.direct.debit.run"].create(
            {"company_id": company.id, "collection_date": collection}
        )
        self._kakeuri_demo_xmlid("jp_demo_debit_run", run)
        run.action_collect()
        run.action_export()
        request = zengin_debit.read_file(base64.b64decode(run.attachment_id.datas))
        for item in request.items:
            failed = item.customer_code == partners["jp_demo_iroha"].kakeuri_debit_customer_code
            item.result_code = "1" if failed else zengin_debit.RESULT_PAID  # 1: 資金不足
        self.env["ir.attachment"].create(
            {
                "name": f"zengin_91_result_{collection:%Y%m%d}.txt",
                "raw": zengin_debit.write_result(request.header, request.items),
                "res_model": run._name,
                "res_id": run.id,
                "mimetype": "text/plain",
            }
        )

    @api.model
    def _kakeuri_demo_jp_transfers(self, invoices, statement, day):
        def residual(xmlid):
            return int(invoices[xmlid].amount_residual)

        transfers = [
            ("ｶ)ﾔﾏﾄｼｮｳｼﾞ", residual("jp_demo_yamato"), ""),
            ("ｶ)ｱｵﾊﾞｼｮｸﾋﾝ", residual("jp_demo_aoba") - 440, ""),
            ("ｶ)ﾐﾄﾞﾘﾃﾞﾝｷ", int(statement.total_due), ""),
            ("ｽｽﾞｷ ﾀﾛｳ", residual("jp_demo_suzuki"), ""),
            ("ﾄｳｻﾞｲ ｹｲﾘﾌﾞ", residual("jp_demo_tozai"), invoices["jp_demo_tozai"].name),
            ("ｻｸﾗ", residual("jp_demo_sakura_shoten"), ""),
            ("ﾀﾅｶ ｲﾁﾛｳ", 12_345, ""),
        ]
        transactions = [
            zengin.ZenginTransaction(
                date=day,
                amount=amount,
                direction="1",
                reference=f"{day:%m%d}{i:04d}",
                transaction_type="11",
                payer_name=payer,
                remarks=remarks,
            )
            for i, (payer, amount, remarks) in enumerate(transfers, start=1)
        ]
        return transactions
