# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Ground for the payment behaviour tests: the aging world (customers, invoices, payments at
known dates) scored as of SCORE_DATE, over the default 12-month window."""

from datetime import date

from .aging import AgingCommon

SCORE_DATE = date(2026, 6, 30)
# (2025-06-30, 2026-06-30]
WINDOW_DAYS = 365


class ScoreCommon(AgingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Score = cls.env["kakeuri.credit.score"]
        cls.Policy = cls.env["kakeuri.credit.policy"]
        cls.defaults = cls.Policy.browse()._kakeuri_score_settings()

    def _score(self, partner, score_date=SCORE_DATE, company=None):
        """The score of ``partner`` computed as of ``score_date`` (only that customer)."""
        company = company or self.env.company
        scores = self.Score._compute_scores(company, score_date, partners=partner)
        self.assertEqual(len(scores), 1)
        self.assertEqual(scores.partner_id, partner)
        return scores

    def _promise(self, partner, promised, state, company=None):
        """A promise judged ``state`` (kept/broken) on its promised date."""
        company = company or self.env.company
        promise = self.env["kakeuri.payment.promise"].create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "amount": 100.0,
                "date": promised,
                "date_start": promised,
            }
        )
        promise.write({"state": state, "date_checked": promised})
        return promise

    def assertFigures(self, score, **expected):
        for name, value in expected.items():
            self.assertAlmostEqual(score[name], value, places=1, msg=name)
