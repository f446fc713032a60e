# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from markupsafe import Markup
from psycopg2 import errors

from odoo import _, api, fields, models
from odoo.tools import SQL

from .kakeuri_statement_log import MAX_ATTEMPTS, last_complete_period

_logger = logging.getLogger(__name__)

SCHEDULED_FREQUENCIES = ("weekly", "monthly")
# customers queued per batch, per customer mailed: queueing is one aging query and one INSERT
# for all of them, mailing renders and creates a mail each
QUEUE_FACTOR = 5


class KakeuriStatementLog(models.Model):
    """The scheduled run: queue the statements due (one row per customer, company and period,
    made by ``INSERT … ON CONFLICT DO NOTHING``), then mail the queued ones."""

    _inherit = "kakeuri.statement.log"

    @api.model
    def _queue_and_send(self, date_ref=None, companies=None, batch_size=None):
        """Queue and mail the statements due at ``date_ref`` (default: today) in ``companies``
        (default: all), in batches of ``batch_size`` customers (``kakeuri.batch.mixin``: one
        batch per call in a scheduled action, committed by Odoo, all of them otherwise).

        A customer with nothing to report (no balance at the end of the period and no movement
        in it) gets a 'skipped' row, so later runs do not look at it again. A customer without
        an email address gets a 'failed' row naming it, tried again by the next days' runs
        (so an address added meanwhile is used), like any mail that could not be made, at most
        ``MAX_ATTEMPTS`` times. Safe with several workers at once: a row exists once per
        customer, company and period (unique index), one worker at a time queues a company's
        period (advisory lock), the rows to mail are locked (SKIP LOCKED) and shared between
        workers, and a worker that finds its view overtaken
        by another's commit leaves the rest to that one."""
        date_ref = fields.Date.to_date(date_ref) or fields.Date.context_today(self)
        today = fields.Date.context_today(self)
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].sudo().get_param("kakeuri_ar.statement_batch_size", 200)
        )
        companies = companies or self.env["res.company"].sudo().search([])
        return self.env["kakeuri.batch.mixin"]._kakeuri_run_batches(
            lambda: self._queue_and_send_batch(companies, date_ref, today, batch_size)
        )

    @api.model
    def _queue_and_send_batch(self, companies, date_ref, today, batch_size):
        """One batch: queue up to ``QUEUE_FACTOR`` × ``batch_size`` customers (their balances
        are read in one aging query, whose cost hardly grows with the number of customers),
        then mail up to ``batch_size`` queued rows. Returns ``(done, remaining)``."""
        queue_limit = batch_size * QUEUE_FACTOR
        done, queued_total, more = 0, 0, False
        for company in companies:
            for frequency in SCHEDULED_FREQUENCIES:
                if queued_total >= queue_limit:
                    more = True
                    break
                date_from, date_to = last_complete_period(frequency, date_ref)
                limit = queue_limit - queued_total
                partner_ids = self._due_partner_ids(company, frequency, date_from, date_to, limit + 1)
                more = more or len(partner_ids) > limit
                queued = self.with_company(company)._queue_partners(
                    company, partner_ids[:limit], date_from, date_to
                )
                if queued is None:  # overtaken by another worker: it does the rest
                    return done, 0
                queued_total += queued
        done += queued_total
        logs = self._lock_sendable(companies, today, batch_size)
        if logs is None:
            return done, 0
        logs._send_statements(today)
        done += len(logs)
        remaining = self._count_sendable(companies, today) + (queue_limit if more else 0)
        return done, remaining

    # --------------------------------------------------------------- queueing
    @api.model
    def _due_partner_ids(self, company, frequency, date_from, date_to, limit):
        """Ids of the customers of ``company`` with a statement of ``frequency`` for the period
        and no row for it yet: commercial partners, active, without a closing day (they get
        their closing-day billing statement instead)."""
        self.env["res.partner"].flush_model(
            ["kakeuri_statement_frequency", "kakeuri_closing_day", "commercial_partner_id", "company_id"]
        )
        self.flush_model(["partner_id", "company_id", "date_from", "date_to"])
        # The customers already queued are read once and hashed (NOT IN a materialized CTE):
        # a correlated NOT EXISTS is planned from the statistics, which lag behind the rows a
        # run inserts, and became a scan of the log per customer.
        rows = self.env.execute_query(
            SQL(
                """WITH queued AS MATERIALIZED (
                        SELECT s.partner_id FROM kakeuri_statement_log s
                         WHERE s.company_id = %(company)s
                           AND s.date_from = %(date_from)s AND s.date_to = %(date_to)s
                   )
                   SELECT p.id FROM res_partner p
                    WHERE p.kakeuri_statement_frequency = %(frequency)s
                      AND COALESCE(p.kakeuri_closing_day, 0) = 0
                      AND p.active AND p.id = p.commercial_partner_id
                      AND (p.company_id IS NULL OR p.company_id = %(company)s)
                      AND p.id NOT IN (SELECT partner_id FROM queued)
                    ORDER BY p.id
                    LIMIT %(limit)s""",
                frequency=frequency,
                company=company.id,
                date_from=date_from,
                date_to=date_to,
                limit=limit,
            )
        )
        return [row[0] for row in rows]

    @api.model
    def _queue_partners(self, company, partner_ids, date_from, date_to):
        """Insert the rows of ``partner_ids`` for the period: 'queued' with their balance and
        overdue part at ``date_to``, or 'skipped' when there is nothing to report. Returns how
        many customers were taken: 0 when another worker is queueing this company's period
        (queueing is cheap, one worker at a time does it; mailing, the costly part, is shared
        through row locks), or None when another worker committed rows this transaction cannot
        see (its snapshot is older): PostgreSQL refuses the insert rather than skip a row it
        does not see.

        The claim is one advisory lock per company and period, not one per customer: a run
        outside a scheduled action queues every batch in one transaction, and a lock per
        customer would exhaust PostgreSQL's lock table (``max_locks_per_transaction``)."""
        claimed = self.env["kakeuri.batch.mixin"]._kakeuri_claim(
            [company.id], namespace=f"{self._name}/{date_from}/{date_to}"
        )
        if not claimed or not partner_ids:
            return 0
        figures = self._period_figures(company, partner_ids, date_from, date_to)
        currency = company.currency_id
        states, balances, overdues = [], [], []
        for partner_id in partner_ids:
            balance, overdue, moved = figures.get(partner_id, (0.0, 0.0, False))
            states.append("queued" if moved or not currency.is_zero(balance) else "skipped")
            balances.append(currency.round(balance))
            overdues.append(currency.round(overdue))
        query = SQL(
            """INSERT INTO kakeuri_statement_log
                   (partner_id, company_id, currency_id, date_from, date_to, state, balance,
                    overdue_amount, attempt_count, access_token,
                    create_uid, write_uid, create_date, write_date)
               SELECT v.partner_id, %(company)s, %(currency)s, %(date_from)s, %(date_to)s, v.state,
                      v.balance, v.overdue, 0, gen_random_uuid()::text,
                      %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                 FROM unnest(%(partners)s::int[], %(states)s::varchar[], %(balances)s::numeric[],
                             %(overdues)s::numeric[]) AS v(partner_id, state, balance, overdue)
               ON CONFLICT (partner_id, company_id, date_from, date_to) DO NOTHING
               RETURNING id""",
            company=company.id,
            currency=currency.id,
            date_from=date_from,
            date_to=date_to,
            uid=self.env.uid,
            partners=partner_ids,
            states=states,
            balances=balances,
            overdues=overdues,
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                inserted = len(self.env.cr.fetchall())
        except errors.SerializationFailure:
            _logger.info("kakeuri: statements of %s queued by a parallel run", company.name)
            return None
        _logger.debug("kakeuri: %d statement row(s) inserted for %s", inserted, company.name)
        return len(partner_ids)

    @api.model
    def _period_figures(self, company, partner_ids, date_from, date_to):
        """{customer id: (balance, overdue, moved)} at the end of ``date_to`` in ``company``:
        one aging query and one movement query for the whole batch."""
        contact_ids = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("commercial_partner_id", "in", partner_ids)])
            .ids
        )
        figures = {}
        for row in self.env["kakeuri.aging.report"].get_aging(
            date_to, company=company, partner_ids=contact_ids
        ):
            if row["partner_id"]:
                overdue = max(sum(row["buckets"][1:]), 0.0)
                figures[row["partner_id"]] = (row["total"], overdue, False)
        ledger = self.env["kakeuri.receivable.ledger"]
        ledger._flush()
        movements = ledger._movements_query(company.ids, partner_ids, date_from=date_from, date_to=date_to)
        for (partner_id,) in self.env.execute_query(
            SQL("SELECT DISTINCT partner_id FROM (%s) mv", movements)
        ):
            balance, overdue, _moved = figures.get(partner_id, (0.0, 0.0, False))
            figures[partner_id] = (balance, overdue, True)
        return figures

    # ---------------------------------------------------------------- sending
    @api.model
    def _sendable_condition(self, companies, today):
        """Rows to mail: queued without a mail, or failed with attempts left and not tried
        today (a failure is tried again by the next day's run, not by the next batch)."""
        return SQL(
            """company_id = ANY(%(companies)s)
               AND ((state = 'queued' AND mail_id IS NULL)
                    OR (state = 'failed' AND attempt_count < %(max)s
                        AND (attempt_date IS NULL OR attempt_date < %(today)s)))""",
            companies=companies.ids,
            max=MAX_ATTEMPTS,
            today=today,
        )

    @api.model
    def _lock_sendable(self, companies, today, limit):
        """The next rows to mail, locked; those another worker holds are left to it. None when
        a row was changed by a commit this transaction cannot see (its snapshot is older)."""
        self.flush_model()
        query = SQL(
            "SELECT id FROM kakeuri_statement_log WHERE %s ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
            self._sendable_condition(companies, today),
            limit,
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                ids = [row[0] for row in self.env.cr.fetchall()]
        except errors.SerializationFailure:
            _logger.info("kakeuri: statements being mailed by a parallel run")
            return None
        return self.browse(ids)

    @api.model
    def _count_sendable(self, companies, today):
        self.flush_model()
        query = SQL(
            "SELECT count(*) FROM kakeuri_statement_log WHERE %s", self._sendable_condition(companies, today)
        )
        return self.env.execute_query(query)[0][0]

    def _send_statements(self, today):
        """Queue the mail of each row (``mail.mail``, rendered in the customer's language),
        together per company; when that fails, row by row in savepoints: a row that fails
        again is marked failed with the error, the others go."""
        no_email = self.filtered(lambda log: not log.partner_id.email)
        for log in no_email:
            log._mark_failed(
                today, _("%(partner)s has no email address.", partner=log.partner_id.display_name)
            )
        for company, logs in (self - no_email).grouped("company_id").items():
            logs = logs.with_company(company)
            try:
                with self.env.cr.savepoint():
                    logs._create_mails(today)
                continue
            except Exception:  # noqa: BLE001 - one bad row must not stop the others
                _logger.info("kakeuri: statement mails of %s failed together; one by one", company.name)
            for log in logs:
                try:
                    with self.env.cr.savepoint():
                        log._create_mails(today)
                except Exception as error:  # noqa: BLE001
                    _logger.warning("kakeuri: statement %s could not be mailed", log.id, exc_info=True)
                    log._mark_failed(today, str(error) or type(error).__name__)

    def _create_mails(self, today):
        """Queue one ``mail.mail`` per row, rendered from the statement template as
        ``send_mail_batch`` renders it (the body compiled once per language, see
        ``kakeuri.mail.render``), with one ORM create for the batch; the rows become 'sent'."""
        template = self.env.ref("kakeuri_ar.mail_template_statement_log")
        template._send_check_access(self.ids)
        render = self.env["kakeuri.mail.render"]
        langs = render._render_template_langs(self, template)
        rendered = render._render_template_fields(self, template, langs)
        bodies = render._render_bodies(self, template, langs)
        author = self.env.user.partner_id
        vals_list = [
            {
                "subject": rendered[log.id].get("subject"),
                "body_html": bodies[log.id],
                # the message of the mail (seen under Technical > Messages) keeps the subject:
                # its HTML is sanitized three times by the ORM, the mail's own body never
                "body": Markup("<p>%s</p>") % (rendered[log.id].get("subject") or ""),
                "email_from": rendered[log.id].get("email_from") or author.email_formatted,
                "reply_to": rendered[log.id].get("reply_to") or False,
                "email_to": rendered[log.id].get("email_to") or False,
                "email_cc": rendered[log.id].get("email_cc") or False,
                "recipient_ids": [(4, pid) for pid in rendered[log.id].get("partner_ids") or []],
                "author_id": author.id,
                "model": self._name,
                "res_id": log.id,
                # the document's name, given: computed per message it formats two dates
                "record_name": rendered[log.id].get("subject"),
                "auto_delete": template.auto_delete,
                "mail_server_id": template.mail_server_id.id,
            }
            for log in self
        ]
        mails = self.env["mail.mail"].sudo().create(vals_list)
        self.env.execute_query(
            SQL(
                """UPDATE kakeuri_statement_log log
                      SET state = 'sent', mail_id = v.mail_id, error = NULL,
                          attempt_count = log.attempt_count + 1, attempt_date = %(today)s,
                          write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
                     FROM unnest(%(logs)s::int[], %(mails)s::int[]) AS v(log_id, mail_id)
                    WHERE log.id = v.log_id""",
                today=today,
                uid=self.env.uid,
                logs=self.ids,
                mails=mails.ids,
            )
        )
        self.invalidate_recordset(["state", "mail_id", "error", "attempt_count", "attempt_date"])

    def _mark_failed(self, today, error):
        self.ensure_one()
        self.write(
            {
                "state": "failed",
                "error": error,
                "attempt_count": self.attempt_count + 1,
                "attempt_date": today,
            }
        )
