"""Dunning benchmark: 20,000 overdue customers with 5 posted invoices each (100,000 invoices,
200,000 journal items), generated with bulk SQL from one invoice posted by the ORM.

Measures the addon's real code path:
- compute: ``kakeuri.dunning.run.action_compute()`` with the automatic levels (as the cron);
- one batch of 100 lines and one of 400 lines sent with ``_send()``, to show that the number
  of queries per batch does not grow with the invoices (500 vs 2,000 invoices);
- send: ``action_send()`` of the rest, which queues the run (more lines than the background
  threshold), then the scheduled action ``_cron_send_queued()`` that sends it (mails queued as
  mail.mail with batched ORM creates; called outside a cron worker, all batches run in the
  caller's transaction, committed at the end).

``BENCH_SCALE=0.01 make bench BENCH=bench/dunning.py`` for a quick try (200 customers).
"""

import os
import sys
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import BENCH_DB_SUFFIX, Measure, odoo_env, prepare_db, report  # noqa: E402

DB = "kakeuri_bench_dunning" + BENCH_DB_SUFFIX
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
CUSTOMERS = max(int(20000 * SCALE), 10)
INVOICES_PER_CUSTOMER = 5


def _cpu(m):
    """CPU seconds of Python and of the PostgreSQL backend: comparable on a busy machine."""
    return {
        "cpu_s": round(m.cpu_seconds, 2),
        "pg_cpu_s": "" if m.pg_cpu_seconds is None else round(m.pg_cpu_seconds, 2),
    }


def _columns(cr, table):
    cr.execute(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = %s AND column_name != 'id' AND is_generated = 'NEVER'
            ORDER BY ordinal_position""",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def _clone_sql(cr, table, overrides, source_from, where):
    """INSERT INTO table (all columns) SELECT (column or override expression) FROM source."""
    from odoo.tools import SQL  # noqa: PLC0415

    cols = _columns(cr, table)
    select = SQL(", ").join(overrides[c] if c in overrides else SQL("t.%s", SQL.identifier(c)) for c in cols)
    return SQL(
        "INSERT INTO %s (%s) SELECT %s FROM %s WHERE %s",
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(c) for c in cols),
        select,
        source_from,
        where,
    )


def generate(env, today, customers=CUSTOMERS):
    """``customers`` customers and their posted invoices, days overdue spread over 1..60."""
    from odoo import Command  # noqa: PLC0415
    from odoo.tools import SQL  # noqa: PLC0415

    cr = env.cr
    company = env.ref("base.main_company")
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    template_partner = env["res.partner"].create(
        {"name": "Bench template customer", "is_company": True, "email": "template@bench.example.com"}
    )
    template_move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": template_partner.id,
            "invoice_date": today - timedelta(days=90),
            "invoice_date_due": today - timedelta(days=60),
            "invoice_line_ids": [
                Command.create(
                    {"name": "Monthly delivery", "quantity": 1.0, "price_unit": 1000.0, "tax_ids": []}
                )
            ],
        }
    )
    template_move.action_post()
    env.flush_all()

    # customers
    cr.execute("CREATE TEMP TABLE bench_partner (partner_id int, n int)")
    cr.execute(
        SQL(
            "WITH ins AS (%s RETURNING id) "
            "INSERT INTO bench_partner SELECT id, row_number() OVER (ORDER BY id) FROM ins",
            _clone_sql(
                cr,
                "res_partner",
                {
                    "name": SQL("'Bench Customer ' || g"),
                    "complete_name": SQL("'Bench Customer ' || g"),
                    "email": SQL("'ap' || g || '@bench.example.com'"),
                    "email_normalized": SQL("'ap' || g || '@bench.example.com'"),
                },
                SQL("res_partner t, generate_series(1, %s) g", customers),
                SQL("t.id = %s", template_partner.id),
            ),
        )
    )
    cr.execute(
        "UPDATE res_partner p SET commercial_partner_id = b.partner_id "
        "FROM bench_partner b WHERE p.id = b.partner_id"
    )

    # invoices: k = 1..5 per customer, due (n * 7 + k * 13) % 60 + 1 days ago
    cr.execute(
        """CREATE TEMP TABLE bench_move AS
           SELECT b.partner_id, b.n, k,
                  'BENCH/' || b.n || '/' || k AS name,
                  (%s::date - (((b.n * 7 + k * 13) %% 60) + 1)) AS due
             FROM bench_partner b, generate_series(1, %s) k""",
        [today, INVOICES_PER_CUSTOMER],
    )
    cr.execute(
        SQL(
            "%s",
            _clone_sql(
                cr,
                "account_move",
                {
                    "name": SQL("bm.name"),
                    "partner_id": SQL("bm.partner_id"),
                    "commercial_partner_id": SQL("bm.partner_id"),
                    "invoice_date": SQL("bm.due - 30"),
                    "date": SQL("bm.due - 30"),
                    "invoice_date_due": SQL("bm.due"),
                    "sequence_number": SQL("t.sequence_number + bm.n * 10 + bm.k"),
                    "access_token": SQL("NULL"),
                    "inalterable_hash": SQL("NULL"),
                },
                SQL("account_move t, bench_move bm"),
                SQL("t.id = %s", template_move.id),
            ),
        )
    )
    cr.execute("ALTER TABLE bench_move ADD COLUMN move_id int")
    cr.execute("UPDATE bench_move bm SET move_id = m.id FROM account_move m WHERE m.name = bm.name")
    cr.execute(
        SQL(
            "%s",
            _clone_sql(
                cr,
                "account_move_line",
                {
                    "move_id": SQL("bm.move_id"),
                    "move_name": SQL("bm.name"),
                    "partner_id": SQL("bm.partner_id"),
                    "date": SQL("bm.due - 30"),
                    "invoice_date": SQL("bm.due - 30"),
                    "date_maturity": SQL("CASE WHEN t.date_maturity IS NULL THEN NULL ELSE bm.due END"),
                },
                SQL("account_move_line t, bench_move bm"),
                SQL("t.move_id = %s", template_move.id),
            ),
        )
    )
    cr.execute("ANALYZE res_partner")
    cr.execute("ANALYZE account_move")
    cr.execute("ANALYZE account_move_line")
    env.invalidate_all()
    cr.commit()
    cr.execute("SELECT count(*) FROM bench_move")
    return company, cr.fetchone()[0]


def main():
    fresh = os.environ.get("BENCH_FRESH", "1") != "0"
    conf = prepare_db(DB, fresh=fresh)
    today = date.today()
    rows = []
    with odoo_env(DB, conf) as env:
        import odoo  # noqa: PLC0415

        cr = env.cr
        with Measure(cr) as m:
            company, n_moves = generate(env, today)
        rows.append(
            {
                "step": "generate data (SQL)",
                "records": f"{CUSTOMERS} customers, {n_moves} invoices",
                "seconds": round(m.seconds, 1),
                **_cpu(m),
                "queries": m.queries,
                "rss_mb": round(m.peak_rss_growth_mb),
            }
        )
        env = env(context=dict(env.context, allowed_company_ids=[company.id]))
        env["ir.config_parameter"].sudo().set_param("kakeuri_ar.dunning_batch_size", "500")
        levels = env["kakeuri.dunning.level"].search([("company_id", "=", company.id), ("auto", "=", True)])
        # levels that may be skipped: a customer gets the level its invoices reached at once (most
        # get the final notice: email, letter and hold), the workload of the earlier figures; with
        # one level at a time every generated customer, never reminded, would get the first level
        levels.write({"skippable": True})
        run = env["kakeuri.dunning.run"].create(
            {
                "date": today,
                "company_id": company.id,
                "level_ids": [odoo.Command.set(levels.ids)],
                "auto": True,
            }
        )
        cr.commit()
        with Measure(cr) as m:
            run.action_compute()
            cr.commit()
        n_lines = len(run.line_ids)
        rows.append(
            {
                "step": "compute (action_compute)",
                "records": f"{n_lines} lines",
                "seconds": round(m.seconds, 2),
                **_cpu(m),
                "queries": m.queries,
                "rss_mb": round(m.peak_rss_growth_mb),
            }
        )
        lines = run.line_ids.filtered(lambda ln: ln.state == "draft").sorted("id")
        small, big = lines[:100], lines[100:500]
        for batch, label in ((small, "one batch, 100 lines"), (big, "one batch, 400 lines")):
            n_inv = len(batch.move_ids)
            env.invalidate_all()
            with Measure(cr) as m:
                with cr.savepoint():
                    batch._send()
                cr.commit()
            rows.append(
                {
                    "step": f"send {label}",
                    "records": f"{n_inv} invoices",
                    "seconds": round(m.seconds, 2),
                    **_cpu(m),
                    "queries": m.queries,
                    "rss_mb": round(m.peak_rss_growth_mb),
                }
            )
        env.invalidate_all()
        rest = len(run.line_ids.filtered(lambda ln: ln.state == "draft"))
        with Measure(cr) as m:
            # more lines than the background threshold: Send queues the run and the scheduled
            # action sends it, as it would after a person pressed Send
            run.action_send()
            if run.send_queued:  # not at a small BENCH_SCALE: sent at once
                env["kakeuri.dunning.run"]._cron_send_queued()
            cr.commit()
        assert run.state == "done" and not run.send_queued, run.state
        rows.append(
            {
                "step": "send the rest (Send queues it, the scheduled action sends, 500/batch)",
                "records": f"{rest} lines",
                "seconds": round(m.seconds, 1),
                **_cpu(m),
                "queries": m.queries,
                "rss_mb": round(m.peak_rss_growth_mb),
            }
        )
        cr.execute(
            "SELECT count(*) FROM mail_mail mm JOIN mail_message msg ON msg.id = mm.mail_message_id "
            "WHERE msg.model = 'res.partner' AND mm.state = 'outgoing'"
        )
        queued = cr.fetchone()[0]
        rows.append(
            {
                "step": "mails queued (mail.mail outgoing)",
                "records": queued,
                "seconds": "",
                "cpu_s": "",
                "pg_cpu_s": "",
                "queries": "",
                "rss_mb": "",
            }
        )
        env.invalidate_all()
        with Measure(cr) as m:
            run2 = env["kakeuri.dunning.run"].create(
                {"date": today, "company_id": company.id, "level_ids": [odoo.Command.set(levels.ids)]}
            )
            run2.action_compute()
        rows.append(
            {
                "step": "re-compute the same day (nothing new)",
                "records": f"{len(run2.line_ids.filtered(lambda ln: ln.state == 'draft'))} lines to send",
                "seconds": round(m.seconds, 2),
                **_cpu(m),
                "queries": m.queries,
                "rss_mb": round(m.peak_rss_growth_mb),
            }
        )
        cr.rollback()
    report("dunning", rows)


if __name__ == "__main__":
    main()
