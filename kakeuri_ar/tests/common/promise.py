# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Ground for the promise-to-pay tests: the dunning world (TODAY, customers, invoices) and
helpers to record a promise and pay."""

from datetime import timedelta

from .dunning import TODAY, DunningCommon


class PromiseCommon(DunningCommon):
    def _promise(self, partner, amount=None, days=5, **vals):
        """An open promise of ``partner`` recorded on TODAY, for TODAY + ``days``."""
        values = {
            "partner_id": partner.id,
            "company_id": self.company.id,
            "date": TODAY + timedelta(days=days),
            "date_start": TODAY,
            **vals,
        }
        if amount is not None:
            values["amount"] = amount
        return self.env["kakeuri.payment.promise"].create(values)

    def _pay(self, invoice, amount, payment_date):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"payment_date": payment_date, "amount": amount})
            ._create_payments()
        )

    def _notes(self, record, text):
        return record.message_ids.filtered(lambda m: text in (m.body or ""))
