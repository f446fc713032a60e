# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, format_date

# The line values _prepare_line_vals returns, inserted in bulk by
# _create_lines.
BULK_LINE_COLUMNS = (
    "partner_id",
    "contact_partner_id",
    "level_id",
    "proposed_level_id",
    "move_level_data",
    "amount_overdue",
    "amount_unapplied",
    "max_days_overdue",
    "last_dunning_date",
    "user_id",
    "state",
    "include",
    "reason",
)
BULK_LINE_KEYS = (*BULK_LINE_COLUMNS, "run_id", "move_ids")
# from this many lines inserted at once, their tables' statistics are refreshed at once
ANALYZE_MIN_LINES = 1000


class KakeuriDunningCompute(models.AbstractModel):
    """Computing a dunning run: the candidates read from the ledger
    (``kakeuri.dunning.candidates``), the promises to pay judged, one line proposed per
    customer (``_prepare_line_vals``) and the lines stored."""

    _name = "kakeuri.dunning.compute"
    _description = "Dunning Compute"

    @api.model
    def _compute_run(self, run):
        """Propose the lines of ``run`` again (the sent and failed ones are kept)."""
        run.ensure_one()
        self.env["kakeuri.dunning.level"]._create_default_levels(run.company_id)
        if not run.level_ids:
            run.level_ids = run._default_level_ids().filtered(lambda lv: lv.company_id == run.company_id)
        levels = run.level_ids.filtered("active").sorted("days_overdue")
        if not levels:
            raise UserError(_("Dunning run %(run)s has no active level to propose.", run=run.name))
        run.line_ids.filtered(lambda ln: ln.state in ("draft", "skipped")).unlink()
        kept_partners = set(run.line_ids.partner_id.ids)
        steps = [(lv.days_overdue, lv) for lv in levels]
        candidates = run._get_candidates()
        self._settle_promises(run, candidates)
        vals_list = []
        for partner_id, rows in candidates.items():
            if partner_id in kept_partners:
                continue
            vals = self._prepare_line_vals(run, partner_id, rows, levels, steps=steps)
            if vals:
                vals_list.append(vals)
        lines = self._create_lines(run, vals_list)
        run.message_post(
            body=_(
                "Computed on %(date)s: %(count)s customers to remind, %(skipped)s skipped.",
                date=format_date(self.env, run.date),
                count=sum(1 for vals in vals_list if vals.get("state") == "draft"),
                skipped=sum(1 for vals in vals_list if vals.get("state") == "skipped"),
            )
        )
        return lines

    @api.model
    def _settle_promises(self, run, candidates):
        """Judge the open promises to pay of the run's company as of the run date
        (``kakeuri.payment.promise._settle``: kept once paid, broken past the deadline), so the
        run sees them as they stand on its date; when one changed, the candidates are read again
        (what dunning leaves out for a promise changed with it). The customers whose promise was
        broken since their last reminder get ``row["promise_broken"] = (amount, date)``, which
        the line's notes mention. Updates ``candidates``."""
        promises = (
            self.env["kakeuri.payment.promise"]
            .sudo()
            .search(
                [
                    ("company_id", "=", run.company_id.id),
                    ("state", "=", "open"),
                    ("date_start", "<=", run.date),
                ]
            )
        )
        kept, broken = promises._settle(run.date)
        if kept or broken:
            fresh = run._get_candidates()
            candidates.clear()
            candidates.update(fresh)
        self._mark_broken_promises(run, candidates)

    @api.model
    def _mark_broken_promises(self, run, candidates):
        """Mark the candidate rows of the customers whose latest broken promise broke (its
        deadline passed) after their last reminder: the next reminder says so."""
        if not candidates:
            return
        broken = (
            self.env["kakeuri.payment.promise"]
            .sudo()
            .search(
                [
                    ("company_id", "=", run.company_id.id),
                    ("state", "=", "broken"),
                    ("partner_id", "in", list(candidates)),
                    ("date_deadline", "<", run.date),
                ],
                order="date_deadline desc, id desc",
            )
        )
        latest = {}
        for promise in broken:
            latest.setdefault(promise.partner_id.id, promise)
        for partner_id, promise in latest.items():
            rows = candidates[partner_id]
            last_date = rows[0]["last_date"]
            if last_date and promise.date_deadline < last_date:
                continue  # the reminder sent since then is the one that followed it
            for row in rows:
                row["promise_broken"] = (promise.amount, promise.date)

    @api.model
    def _create_lines(self, run, vals_list):
        """Create the proposed lines. The plain values of ``_prepare_line_vals`` are inserted
        with one INSERT (and one for the invoice links): a run over many customers would
        spend most of its time in one ORM create per line. Values with other keys (an extension's
        fields) go through the ORM."""
        Line = self.env["kakeuri.dunning.line"]
        if not vals_list:
            return Line
        if set().union(*vals_list) - set(BULK_LINE_KEYS):
            return Line.create(vals_list)
        Line.flush_model()
        columns = {key: [vals.get(key) for vals in vals_list] for key in BULK_LINE_COLUMNS}
        self.env.cr.execute(
            SQL(
                """INSERT INTO kakeuri_dunning_line
                          (run_id, company_id, date, partner_id, contact_partner_id, level_id,
                           proposed_level_id, move_level_data, amount_overdue, amount_unapplied,
                           max_days_overdue, last_dunning_date, user_id, state, include, reason,
                           letter_to_print, hold_set, create_uid, create_date, write_uid, write_date)
                   SELECT %(run)s, %(company)s, %(date)s, v.partner_id, v.contact_partner_id, v.level_id,
                          v.proposed_level_id, v.move_level_data::jsonb, v.amount_overdue,
                          v.amount_unapplied, v.max_days_overdue, v.last_dunning_date, v.user_id,
                          v.state, v.include, v.reason, FALSE, FALSE,
                          %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                     FROM unnest(%(partner_id)s::int[], %(contact_partner_id)s::int[],
                                 %(level_id)s::int[], %(proposed_level_id)s::int[],
                                 %(move_level_data)s::text[], %(amount_overdue)s::numeric[],
                                 %(amount_unapplied)s::numeric[], %(max_days_overdue)s::int[],
                                 %(last_dunning_date)s::date[],
                                 %(user_id)s::int[], %(state)s::varchar[], %(include)s::bool[],
                                 %(reason)s::varchar[])
                          AS v(partner_id, contact_partner_id, level_id, proposed_level_id,
                               move_level_data, amount_overdue, amount_unapplied, max_days_overdue,
                               last_dunning_date, user_id, state, include, reason)
                RETURNING id, partner_id""",
                run=run.id,
                company=run.company_id.id,
                date=run.date,
                uid=self.env.uid,
                partner_id=columns["partner_id"],
                contact_partner_id=columns["contact_partner_id"],
                level_id=columns["level_id"],
                proposed_level_id=columns["proposed_level_id"],
                move_level_data=[json.dumps(value) for value in columns["move_level_data"]],
                amount_overdue=columns["amount_overdue"],
                amount_unapplied=columns["amount_unapplied"],
                max_days_overdue=columns["max_days_overdue"],
                last_dunning_date=columns["last_dunning_date"],
                user_id=columns["user_id"],
                state=columns["state"],
                include=columns["include"],
                reason=[str(value) if value else None for value in columns["reason"]],
            )
        )
        line_by_partner = {partner_id: line_id for line_id, partner_id in self.env.cr.fetchall()}
        self._insert_line_moves(line_by_partner, vals_list)
        run.invalidate_recordset(["line_ids"])
        return Line.browse(sorted(line_by_partner.values()))

    @api.model
    def _insert_line_moves(self, line_by_partner, vals_list):
        """The invoice links of the lines just inserted ({partner_id: line_id}); the
        statistics of both tables refreshed after a large insert."""
        rel_lines, rel_moves = [], []
        for vals in vals_list:
            line_id = line_by_partner[vals["partner_id"]]
            for command in vals["move_ids"]:
                for move_id in command[2]:
                    rel_lines.append(line_id)
                    rel_moves.append(move_id)
        self.env.cr.execute(
            SQL(
                """INSERT INTO kakeuri_dunning_line_move_rel (line_id, move_id)
                   SELECT * FROM unnest(%s::int[], %s::int[])""",
                rel_lines,
                rel_moves,
            )
        )
        if len(vals_list) >= ANALYZE_MIN_LINES:
            # autovacuum refreshes the planner's statistics a minute or more later: until then
            # the queries of this run and its sending (the last reminder per customer) would be
            # planned as for the table before the insert, scanning it once per customer
            self.env.cr.execute("ANALYZE kakeuri_dunning_line, kakeuri_dunning_line_move_rel")

    @api.model
    def _next_level(self, steps, current_days, max_days, pending):
        """The level a customer gets next, or False: the one decision of escalation, one level
        at a time. ``steps``: [(days_overdue, level)] of the levels in play, ascending;
        ``current_days``: days of the highest level its overdue invoices reached (-1: never
        reminded); ``max_days``: days overdue of its most overdue invoice; ``pending``: some
        overdue invoice has not reached the highest of ``steps`` yet.

        The next level is the first one above the level reached, once its days overdue are
        reached; a level that may be skipped (``skippable``) is passed over when the one after
        it is reached too. At the top, the top level is sent again for invoices that have not
        had it (the same words are true of them); otherwise nothing is new."""
        above = [(days, level) for days, level in steps if days > current_days]
        if not above:
            return steps[-1][1] if steps and pending else False
        target = False
        for days, level in above:
            if days > max_days:
                break
            target = level
            if not level.skippable:
                break
        return target

    @api.model
    def _prepare_line_vals(self, run, partner_id, rows, levels, steps=None):
        """Values of the dunning line of one customer in ``run``, or None when nothing new
        is due."""
        run_date = run.date
        steps = steps or [(lv.days_overdue, lv) for lv in levels]
        open_rows = [r for r in rows if not r["blocked"]]
        # everything held: the level is still judged on them, so the skip says which one
        considered = open_rows or rows
        top_days = steps[-1][0] if steps else -1
        level = self._next_level(
            steps,
            current_days=max(r["current_days"] for r in considered),
            max_days=max((run_date - r["date_maturity"]).days for r in considered),
            pending=any(r["current_days"] < top_days for r in considered),
        )
        if not level:
            return None
        # the invoices not at this level yet reach it with this reminder
        targets = {r["move_id"]: level for r in considered if r["current_days"] < level.days_overdue}
        head = rows[0]
        holds = self.env["kakeuri.receivable.holds"]._describe(run.company_id, rows)
        reason = self._get_skip_reason(
            run,
            sum(r["residual"] for r in open_rows) if open_rows else None,
            holds=holds,
            unapplied=head["unapplied"] or 0.0,
            excluded=head["excluded"],
            last_date=head["last_date"],
        )
        amount_key = "residual" if open_rows else "amount_total"
        state = "skipped" if reason else "draft"
        return {
            "run_id": run.id,
            "partner_id": partner_id,
            "contact_partner_id": head["contact_id"] or partner_id,
            "level_id": level.id,
            "proposed_level_id": level.id,
            "move_ids": [Command.set([r["move_id"] for r in considered])],
            # per invoice: the level it reaches (None: already reached), its overdue amount and
            # earliest overdue due date (an instalment invoice is only partly overdue)
            "move_level_data": {
                str(r["move_id"]): {
                    "level": targets[r["move_id"]].id if r["move_id"] in targets else None,
                    "amount": float(r[amount_key]),
                    "date_due": fields.Date.to_string(r["date_maturity"]),
                }
                for r in considered
            },
            "amount_overdue": sum(r[amount_key] for r in considered),
            "amount_unapplied": -(head["unapplied"] or 0.0),
            "max_days_overdue": max((run_date - r["date_maturity"]).days for r in considered),
            "last_dunning_date": head["last_date"],
            "user_id": head["user_id"],
            "state": state,
            "include": state == "draft",
            "reason": reason or self._get_line_notes(run, head, holds),
        }

    @api.model
    def _get_skip_reason(self, run, open_amount, holds, unapplied, excluded, last_date):
        """Why a customer gets no reminder from ``run``, or False: the one decision, taken
        when the run is computed and again when it is sent. ``open_amount``: the overdue
        amount of its invoices to chase (None: none is left to chase); ``holds``: what payment
        plans, disputes and promises hold (``kakeuri.receivable.holds._describe``);
        ``unapplied``: its payments and credit notes to match (negative); ``excluded``:
        excluded from dunning; ``last_date``: its last reminder."""
        currency = run.company_id.currency_id
        min_interval = run.company_id.kakeuri_dunning_min_interval_days
        if open_amount is None:
            if holds:
                return " ".join(holds)
            return _(
                "No invoice of this reminder is still open and overdue: paid since the run was computed."
            )
        if currency.compare_amounts(open_amount + (unapplied or 0.0), 0) <= 0:
            return _("Unapplied payments/credit notes cover the overdue amount.")
        if excluded:
            return _("The customer is excluded from dunning.")
        if last_date and min_interval and (run.date - last_date).days < min_interval:
            return _(
                "Reminded on %(date)s; the minimum interval is %(days)s days.",
                date=format_date(self.env, last_date),
                days=min_interval,
            )
        return False

    @api.model
    def _get_line_notes(self, run, head, holds):
        """Remarks on a line to send: a broken promise, what plans, disputes and promises hold
        (``holds``), payments to match (``head``: the customer's first candidate row)."""
        currency = run.company_id.currency_id
        unapplied = head["unapplied"] or 0.0
        notes = []
        if head.get("promise_broken"):
            broken_amount, broken_date = head["promise_broken"]
            notes.append(
                _(
                    "Promise to pay %(amount)s by %(date)s was broken.",
                    amount=format_amount(self.env, broken_amount, currency),
                    date=format_date(self.env, broken_date),
                )
            )
        notes.extend(holds)
        if currency.compare_amounts(unapplied, 0) < 0:
            notes.append(
                _(
                    "Unapplied payments/credit notes of %(amount)s to match.",
                    amount=format_amount(self.env, -unapplied, currency),
                )
            )
        return " ".join(notes) or False
