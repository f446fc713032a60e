# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, _lt, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from ..tools import zengin_debit

# 振替結果コード of the Zengin 預金口座振替 result file
RESULT_LABELS = {
    "0": _lt("Debited"),
    "1": _lt("Insufficient funds"),
    "2": _lt("No such account"),
    "3": _lt("Stopped by the account holder"),
    "4": _lt("No debit mandate at the bank"),
    "8": _lt("Stopped by the company"),
    "9": _lt("Other reason"),
}


class KakeuriDirectDebitResult(models.AbstractModel):
    """Reading the bank's result file of a direct debit run: a debited line becomes an
    inbound payment reconciled with its items; a failed one keeps the bank's reason, and the
    customer's collector gets an activity (nothing keeps its items from dunning). A line
    that has its result already is left as it is, so importing a file twice changes
    nothing."""

    _name = "kakeuri.direct.debit.result"
    _description = "Direct Debit Result"

    @api.model
    def _import_result(self, run, data):
        if run.state not in ("exported", "done"):
            raise UserError(_("Direct debit run %(run)s was not sent to the bank yet.", run=run.display_name))
        try:
            parsed = zengin_debit.read_file(data)
        except zengin_debit.DebitFileError as error:
            raise UserError(
                _(
                    "Direct debit run %(run)s: the result file is not a valid debit file: %(error)s",
                    run=run.display_name,
                    error=str(error),
                )
            ) from error
        pairs = self._pair_records(run, parsed)
        counts = {"paid": 0, "failed": 0, "unchanged": 0}
        for line, item in pairs:
            if line.state != "exported":
                counts["unchanged"] += 1
            elif item.result_code == zengin_debit.RESULT_PAID:
                self._apply_paid(line)
                counts["paid"] += 1
            else:
                self._apply_failed(line, item.result_code)
                counts["failed"] += 1
        if counts["paid"] or counts["failed"]:
            run.message_post(
                body=_(
                    "Bank result imported: %(paid)s debited, %(failed)s failed.",
                    paid=counts["paid"],
                    failed=counts["failed"],
                )
            )
        if run.state == "exported" and all(ln.state in ("paid", "failed") for ln in run.line_ids):
            run.state = "done"
        return counts

    @api.model
    def _pair_records(self, run, parsed):
        """[(line, data record)]: the file's records in the order of the exported lines, each
        checked against its line (same customer number, account and amount)."""
        company = run.company_id
        header = parsed.header
        expected_code = (company.kakeuri_debit_consignor_code or "").zfill(10)
        mmdd = run.collection_date.strftime("%m%d")
        if header.consignor_code != expected_code or header.collection_mmdd != mmdd:
            raise UserError(
                _(
                    "Direct debit run %(run)s: the result file is for consignor %(code)s and "
                    "collection date %(mmdd)s, not %(expected_code)s and %(expected_mmdd)s.",
                    run=run.display_name,
                    code=header.consignor_code,
                    mmdd=header.collection_mmdd,
                    expected_code=expected_code,
                    expected_mmdd=mmdd,
                )
            )
        lines = run.line_ids.filtered(lambda ln: ln.state != "draft").sorted("sequence")
        if len(lines) != len(parsed.items):
            raise UserError(
                _(
                    "Direct debit run %(run)s sent %(sent)s debits; the result file has %(count)s.",
                    run=run.display_name,
                    sent=len(lines),
                    count=len(parsed.items),
                )
            )
        for number, (line, item) in enumerate(zip(lines, parsed.items, strict=True), 2):
            account = line.partner_bank_id.acc_number or ""
            same = (
                item.customer_code == (line.customer_code or "").zfill(20)
                and int(item.account_number) == int("".join(c for c in account if c.isdigit()) or 0)
                and item.amount == round(line.amount)
            )
            if not same:
                raise UserError(
                    _(
                        "Direct debit run %(run)s: record %(record)s of the result file (customer "
                        "number %(code)s, %(amount)s) is not the debit of %(partner)s sent in its place.",
                        run=run.display_name,
                        record=number,
                        code=item.customer_code,
                        amount=item.amount,
                        partner=line.partner_id.display_name,
                    )
                )
        return list(zip(lines, parsed.items, strict=True))

    @api.model
    def _result_label(self, code):
        return str(RESULT_LABELS.get(code) or _("Unknown result code %(code)s", code=code))

    @api.model
    def _prepare_payment_vals(self, line, destination):
        run = line.run_id
        return {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": line.partner_id.id,
            "amount": line.amount,
            "currency_id": run.currency_id.id,
            "journal_id": run.journal_id.id,
            "company_id": run.company_id.id,
            "date": run.collection_date,
            "memo": _("Direct debit %(run)s", run=run.name),
            "destination_account_id": destination.id,
        }

    @api.model
    def _apply_paid(self, line):
        items = line.item_ids.filtered(lambda item: not item.reconciled)
        destination = items.account_id[:1] if len(items.account_id) == 1 else False
        destination = (
            destination or line.partner_id.with_company(line.company_id).property_account_receivable_id
        )
        payment = (
            self.env["account.payment"]
            .with_company(line.company_id)
            .create(self._prepare_payment_vals(line, destination))
        )
        payment.action_post()
        to_reconcile = payment.move_id.line_ids | items
        to_reconcile.filtered(lambda ml: ml.account_id == destination and not ml.reconciled).reconcile()
        line.write(
            {
                "state": "paid",
                "result_code": zengin_debit.RESULT_PAID,
                "result_label": self._result_label(zengin_debit.RESULT_PAID),
                "payment_id": payment.id,
            }
        )
        return payment

    @api.model
    def _apply_failed(self, line, code):
        run = line.run_id
        label = self._result_label(code)
        line.write({"state": "failed", "result_code": code, "result_label": label})
        partner = line.partner_id
        user = partner.user_id or run.user_id or self.env.user
        amount = format_amount(self.env, line.amount, line.currency_id)
        date = format_date(self.env, run.collection_date)
        partner.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=fields.Date.context_today(self),
            summary=_("Direct debit failed: %(reason)s", reason=label),
            note=_(
                "The direct debit of %(amount)s on %(date)s (run %(run)s) failed: %(reason)s "
                "(code %(code)s). Ask the customer to pay by transfer or to fix the account.",
                amount=amount,
                date=date,
                run=run.name,
                reason=label,
                code=code,
            ),
            user_id=user.id,
        )
        partner.message_post(
            body=_(
                "Direct debit of %(amount)s on %(date)s failed: %(reason)s (code %(code)s). "
                "The invoices are back in dunning.",
                amount=amount,
                date=date,
                reason=label,
                code=code,
            )
        )
