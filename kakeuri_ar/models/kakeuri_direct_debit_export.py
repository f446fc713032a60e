# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..tools import zengin_debit
from ..tools.kana import KanaError, encode_bank

# the amount field of a data record holds 10 digits
MAX_AMOUNT = 10**10 - 1


class KakeuriDirectDebitExport(models.AbstractModel):
    """Writing a direct debit run to the bank: every value checked first, so that a refusal
    names the customer (or the company) and the field; then the Zengin 種別 91 file is
    attached to the run and the run is locked."""

    _name = "kakeuri.direct.debit.export"
    _description = "Direct Debit Export"

    @api.model
    def _export_run(self, run):
        lines = run.line_ids.sorted(lambda ln: (ln.partner_id.name or "", ln.id))
        if not lines:
            raise UserError(_("Direct debit run %(run)s has no debits to export.", run=run.display_name))
        self._check_not_pending(run)
        header = self._prepare_header(run)
        items = [self._prepare_item(line) for line in lines]
        try:
            data = zengin_debit.write_request(header, items)
        except zengin_debit.DebitFileError as error:
            record = run.company_id if error.index is None else lines[error.index].partner_id
            raise UserError(
                _("%(record)s: %(error)s", record=record.display_name, error=str(error))
            ) from error
        attachment = self.env["ir.attachment"].create(
            {
                "name": "%s.txt" % run.name.replace("/", "-"),
                "raw": data,
                "mimetype": "text/plain",
                "res_model": run._name,
                "res_id": run.id,
            }
        )
        for number, (line, item) in enumerate(zip(lines, items, strict=True), 1):
            line.write({"sequence": number, "customer_code": item.customer_code, "state": "exported"})
        run.write({"state": "exported", "attachment_id": attachment.id})
        run.message_post(
            body=_(
                "Debit file exported: %(count)s debits, %(amount)s in total.",
                count=len(lines),
                amount=format_amount(self.env, sum(item.amount for item in items), run.currency_id),
            ),
            attachment_ids=attachment.ids,
        )
        return attachment

    # ------------------------------------------------------------------ checks
    @api.model
    def _check_not_pending(self, run):
        """No item may be in two debits sent to the bank at once."""
        other = self.env["kakeuri.direct.debit.line"].search(
            [
                ("item_ids", "in", run.line_ids.item_ids.ids),
                ("state", "=", "exported"),
                ("run_id", "!=", run.id),
            ],
            limit=1,
        )
        if other:
            raise UserError(
                _(
                    "%(partner)s: some of the items are already in direct debit run %(run)s, "
                    "sent to the bank and waiting for its result. Collect this run again.",
                    partner=other.partner_id.display_name,
                    run=other.run_id.display_name,
                )
            )

    @api.model
    def _label(self, record, fname):
        return record._fields[fname]._description_string(self.env)

    @api.model
    def _required(self, record, owner, fname, value=None):
        value = record[fname] if value is None else value
        if not value:
            raise UserError(
                _(
                    "%(record)s: %(field)s is not set.",
                    record=owner.display_name,
                    field=self._label(record, fname),
                )
            )
        return value

    @api.model
    def _digits(self, record, owner, fname, width, exact=True, value=None):
        """The value of ``record.fname``, digits only (spaces and hyphens dropped), exactly
        ``width`` digits (or at most, when not ``exact``)."""
        value = self._required(record, owner, fname, value)
        text = re.sub(r"[\s-]", "", str(value))
        if not (text.isascii() and text.isdigit()) or len(text) > width or (exact and len(text) != width):
            raise UserError(
                _(
                    "%(record)s: %(field)s %(value)s must be %(width)s digits.",
                    record=owner.display_name,
                    field=self._label(record, fname),
                    value=value,
                    width=width,
                )
            )
        return text.zfill(width)

    @api.model
    def _kana(self, record, owner, fname, width, required=True):
        value = self._required(record, owner, fname) if required else (record[fname] or "")
        try:
            encode_bank(value, width)
        except KanaError as error:
            raise UserError(
                _(
                    "%(record)s: %(field)s %(value)s contains %(char)s, which a Zengin bank file "
                    "cannot carry.",
                    record=owner.display_name,
                    field=self._label(record, fname),
                    value=value,
                    char=error.char,
                )
            ) from error
        return value

    @api.model
    def _account(self, bank, owner):
        """(bank code, branch code, account type code, account number) of ``bank``."""
        kind = self._required(bank, owner, "kakeuri_account_type")
        return (
            self._digits(bank.bank_id, owner, "kakeuri_bank_code", 4, value=bank.bank_id.kakeuri_bank_code),
            self._digits(bank, owner, "kakeuri_branch_code", 3),
            zengin_debit.ACCOUNT_TYPE_CODES[kind],
            self._digits(bank, owner, "acc_number", 7, exact=False),
        )

    # ------------------------------------------------------------------ values
    @api.model
    def _prepare_header(self, run):
        company = run.company_id
        consignor_code = self._digits(company, company, "kakeuri_debit_consignor_code", 10)
        consignor_name = self._kana(company, company, "kakeuri_debit_consignor_kana", 40)
        journal = run.journal_id
        bank = journal.bank_account_id
        self._required(journal, journal, "bank_account_id")
        bank_code, branch_code, account_type, number = self._account(bank, journal)
        return zengin_debit.DebitHeader(
            consignor_code=consignor_code,
            consignor_name=consignor_name,
            collection_mmdd=run.collection_date.strftime("%m%d"),
            bank_code=bank_code,
            branch_code=branch_code,
            account_type=account_type,
            account_number=number,
        )

    @api.model
    def _prepare_item(self, line):
        partner = line.partner_id
        bank = line.partner_bank_id
        if not bank:
            self._required(partner, partner, "kakeuri_debit_bank_id", value=False)
        bank_code, branch_code, account_type, number = self._account(bank, partner)
        holder = self._kana(bank, partner, "kakeuri_holder_kana", 30)
        return zengin_debit.DebitItem(
            bank_code=bank_code,
            branch_code=branch_code,
            account_type=account_type,
            account_number=number,
            holder_name=holder,
            amount=self._amount(line),
            customer_code=(partner.kakeuri_debit_customer_code or "").zfill(20),
        )

    @api.model
    def _amount(self, line):
        currency = line.currency_id
        amount = currency.round(line.amount)
        partner = line.partner_id.display_name
        if currency.compare_amounts(amount, round(amount)) != 0 or amount <= 0:
            raise UserError(
                _(
                    "%(record)s: the debit amount %(amount)s must be a positive whole number; "
                    "a Zengin debit file carries whole yen.",
                    record=partner,
                    amount=amount,
                )
            )
        if amount > MAX_AMOUNT:
            raise UserError(
                _(
                    "%(record)s: the debit amount %(amount)s has more than 10 digits.",
                    record=partner,
                    amount=amount,
                )
            )
        return int(round(amount))
