# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from psycopg2 import IntegrityError, errors

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# candidates read per batch, per customer proposed: some of them may be claimed by another
# worker, the rest still fills the batch
CANDIDATE_FACTOR = 3


class KakeuriCreditReview(models.Model):
    """The scheduled run: customers whose review date has come get a proposal, in batches."""

    _inherit = "kakeuri.credit.review"

    @api.model
    def _cron_propose_reviews(self, date_ref=None, companies=None, batch_size=None):
        """Propose a review to every customer whose next credit review
        (``kakeuri_credit_review_date`` in that company) is on or before ``date_ref`` (default:
        today) and who has no proposed review there yet: its score is computed as of
        ``date_ref``, then the proposal is made from it. In batches of ``batch_size`` customers
        (``kakeuri.batch.mixin``: one batch per call in a scheduled action, committed by Odoo).

        Safe with several workers at once: each claims its customers (advisory locks), one
        proposal per customer and company is kept by a unique index, and a worker overtaken by
        another's commit leaves the rest to that one. The review date moves on only when a
        credit manager decides, so a customer waits in the worklist meanwhile, not in the run.
        Returns how many customers were proposed."""
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        companies = companies or self.env["res.company"].sudo().search([])
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].sudo().get_param("kakeuri_ar.review_batch_size", 200)
        )
        # customers taken by this run: one whose score would not come back is not taken again
        seen = set()
        return self.env["kakeuri.batch.mixin"]._kakeuri_run_batches(
            lambda: self._propose_batch(companies, date_ref, batch_size, seen)
        )

    @api.model
    def _propose_batch(self, companies, date_ref, batch_size, seen):
        """One batch of at most ``batch_size`` customers over ``companies``, none of ``seen``
        (completed with the customers taken). Returns ``(done, remaining)``."""
        mixin = self.env["kakeuri.batch.mixin"]
        done = 0
        for company in companies:
            room = batch_size - done
            if room <= 0:
                break
            candidates = self._unseen_due_ids(company, date_ref, room * CANDIDATE_FACTOR, seen)
            claimed, pos = [], 0
            while len(claimed) < room and pos < len(candidates):
                chunk = candidates[pos : pos + room - len(claimed)]
                pos += len(chunk)
                claimed += mixin._kakeuri_claim(chunk, namespace=f"{self._name}/{company.id}")
            if not claimed:
                continue
            # the run works for every company, whoever started it
            partners = self.env["res.partner"].sudo().browse(claimed)
            try:
                with self.env.cr.savepoint():
                    scores = (
                        self.env["kakeuri.credit.score"]
                        .sudo()
                        .with_company(company)
                        ._compute_scores(company, date_ref, partners=partners)
                    )
                    self.sudo().with_company(company)._propose_for_scores(scores)
            except (IntegrityError, errors.SerializationFailure):
                _logger.info("kakeuri: limit reviews of %s proposed by a parallel run", company.name)
                return done, 0
            seen.update((company.id, pid) for pid in claimed)
            done += len(claimed)
        remaining = sum(len(self._unseen_due_ids(c, date_ref, batch_size, seen)) for c in companies)
        return done, remaining

    @api.model
    def _due_review_condition(self, company, date_ref):
        """Customers (commercial partners, active, of ``company`` or shared) whose review date
        in ``company`` has come, without a proposed review there."""
        return SQL(
            """p.active AND p.id = p.commercial_partner_id
               AND (p.company_id IS NULL OR p.company_id = %(company)s)
               AND (p.kakeuri_credit_review_date ->> %(company_key)s)::date <= %(date)s
               AND NOT EXISTS (SELECT 1 FROM kakeuri_credit_review r
                                WHERE r.partner_id = p.id AND r.company_id = %(company)s
                                  AND r.state = 'proposed')""",
            company=company.id,
            company_key=str(company.id),
            date=date_ref,
        )

    @api.model
    def _due_review_partner_ids(self, company, date_ref, limit):
        self.env["res.partner"].flush_model(["kakeuri_credit_review_date", "commercial_partner_id", "active"])
        self.flush_model(["partner_id", "company_id", "state"])
        rows = self.env.execute_query(
            SQL(
                "SELECT p.id FROM res_partner p WHERE %s ORDER BY p.id LIMIT %s",
                self._due_review_condition(company, date_ref),
                limit,
            )
        )
        return [row[0] for row in rows]

    @api.model
    def _unseen_due_ids(self, company, date_ref, limit, seen):
        """Up to ``limit`` ids of the customers due in ``company`` that this run has not taken."""
        ids = self._due_review_partner_ids(company, date_ref, limit + len(seen))
        return [pid for pid in ids if (company.id, pid) not in seen][:limit]
