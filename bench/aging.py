#!/usr/bin/env python3
"""Benchmark of the aging engine ``kakeuri.aging.report.get_aging``.

Generates (bulk SQL, once per database) 20,000 customers and 1,000,000 posted receivable
journal items: customer invoices over the last two years, payments of which a third of all
receivable items are part (half paying the invoice in full, half partially, on dates
spread after the invoice), and a few unapplied payments. Then times ``get_aging`` as of
today and as of six months back, checks its total against the ledger, and, when OCA's
``account_financial_report`` (18.0) is on ``$OCA_ADDONS``, times its aged partner balance
on the same database and dates and compares the totals.

    make bench BENCH=bench/aging.py                       # full size
    BENCH_SCALE=0.01 make bench BENCH=bench/aging.py      # 1 % for a quick try
    OCA_ADDONS=/opt/oca18 make bench BENCH=bench/aging.py # with the OCA comparison
    BENCH_FRESH=1 ...                                     # drop and regenerate the data
"""

import os
import statistics
import sys
from datetime import date

from _common import BENCH_DB_SUFFIX, Measure, dev, odoo_env, report
from dateutil.relativedelta import relativedelta

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
N_CUSTOMERS = max(20, int(20_000 * SCALE))
N_LINES = max(600, int(1_000_000 * SCALE))
N_PAID = N_LINES // 6  # payments reconciled with one invoice each: 2 × N_PAID items = a third
N_UNAPPLIED = N_LINES // 100
N_INVOICES = N_LINES - N_PAID - N_UNAPPLIED
DB = (
    "kakeuri_bench_aging" if SCALE == 1 else f"kakeuri_bench_aging_{str(SCALE).replace('.', '_')}"
) + BENCH_DB_SUFFIX
OCA_ADDONS = os.environ.get("OCA_ADDONS", "")
OCA_MODULE = "account_financial_report"
RUNS = 3


def oca_path():
    if OCA_ADDONS and os.path.isdir(os.path.join(OCA_ADDONS, OCA_MODULE)):
        return OCA_ADDONS
    return None


def prepare():
    """Config and database with kakeuri_ar (and OCA's report when available) installed."""
    dev.check_odoo()
    dev.ensure_postgres()
    if os.environ.get("BENCH_FRESH"):
        dev.drop_db(DB)
    conf = dev.write_conf(DB)
    oca = oca_path()
    if oca:
        with open(conf) as fh:
            text = fh.read()
        text = text.replace("addons_path = ", f"addons_path = {oca},", 1)
        with open(conf, "w") as fh:
            fh.write(text)
    if not dev.db_exists(DB):
        dev.install(DB, conf, modules="kakeuri_ar" + (f",{OCA_MODULE}" if oca else ""), demo=False)
    else:
        if oca and module_state(OCA_MODULE) != "installed":
            dev.install(DB, conf, modules=OCA_MODULE, demo=False)
        # the database outlives code changes: bring kakeuri_ar's tables up to date
        dev.ensure_current(DB, conf)
    return conf


def module_state(name):
    return dev._psql(f"SELECT state FROM ir_module_module WHERE name = '{name}'", db=DB).stdout.strip()


def ensure_chart(env):
    company = env.company
    if not env["account.account"].search_count(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.ids)]
    ):
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    return company


def generate(env):
    """Bulk-insert customers, invoices, payments and reconciliations (coherent residuals)."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM res_partner WHERE ref LIKE 'BENCH-AGING-%'")
    if cr.fetchone()[0]:
        return False
    company = ensure_chart(env)
    currency = company.currency_id
    Account = env["account.account"]
    receivable = Account.search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.ids)], limit=1
    )
    revenue = Account.search([("account_type", "=", "income"), ("company_ids", "in", company.ids)], limit=1)
    sale = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    bank = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
    bank_account = bank.default_account_id
    today = date.today()
    params = {
        "nc": N_CUSTOMERS,
        "ni": N_INVOICES,
        "np": N_PAID,
        "nu": N_UNAPPLIED,
        "company": company.id,
        "currency": currency.id,
        "receivable": receivable.id,
        "revenue": revenue.id,
        "bank_account": bank_account.id,
        "sale": sale.id,
        "bank": bank.id,
        "today": today,
        "step": max(1, N_INVOICES // N_PAID),
    }

    def reserve(seq, count):
        cr.execute("SELECT nextval(%s)", [seq])
        base = cr.fetchone()[0]
        cr.execute("SELECT setval(%s, %s)", [seq, base + count])
        return base

    params["pbase"] = reserve("res_partner_id_seq", N_CUSTOMERS)
    n_moves = N_INVOICES + N_PAID + N_UNAPPLIED
    params["mbase"] = reserve("account_move_id_seq", n_moves)
    params["lbase"] = reserve("account_move_line_id_seq", 2 * n_moves)
    params["rbase"] = reserve("account_partial_reconcile_id_seq", N_PAID)
    params["fbase"] = reserve("account_full_reconcile_id_seq", N_PAID)

    print(f"generating {N_CUSTOMERS} customers, {N_LINES} receivable items ...", flush=True)
    cr.execute(
        """
        INSERT INTO res_partner (id, name, complete_name, ref, active, is_company, customer_rank,
                                 type, autopost_bills, commercial_partner_id, lang,
                                 kakeuri_statement_frequency,
                                 create_date, write_date, create_uid, write_uid)
        SELECT %(pbase)s + g - 1, 'Bench Customer ' || g, 'Bench Customer ' || g, 'BENCH-AGING-' || g,
               true, true, 1, 'contact', 'ask', %(pbase)s + g - 1, 'en_US', 'none',
               now(), now(), 1, 1
          FROM generate_series(1, %(nc)s) g
        """,
        params,
    )
    # Documents: invoices 1..ni, paying payments ni+1..ni+np, unapplied ni+np+1..ni+np+nu.
    # Move k has id mbase+k-1, its receivable item lbase+2(k-1), its other item lbase+2(k-1)+1.
    cr.execute(
        """
        CREATE TEMP TABLE bench_doc ON COMMIT DROP AS
        SELECT k,
               %(mbase)s + k - 1 AS move_id,
               %(lbase)s + 2 * (k - 1) AS rec_line,
               %(lbase)s + 2 * (k - 1) + 1 AS other_line,
               %(pbase)s + ((k::bigint * 7919) %% %(nc)s) AS partner_id,
               (%(today)s::date - ((k::bigint * 37) %% 730)::int) AS date,
               (((k::bigint * 7907) %% 99000) + 1000) / 100.0 AS amount,
               (ARRAY[0, 30, 60])[1 + k %% 3] AS term
          FROM generate_series(1, %(ni)s) k
        """,
        params,
    )
    # payment j pays invoice i = j * step (each invoice at most once), 0-149 days later
    # (never after today); even j in full, odd j 40 %%.
    cr.execute(
        """
        INSERT INTO bench_doc (k, move_id, rec_line, other_line, partner_id, date, amount, term)
        SELECT %(ni)s + j, %(mbase)s + %(ni)s + j - 1,
               %(lbase)s + 2 * (%(ni)s + j - 1), %(lbase)s + 2 * (%(ni)s + j - 1) + 1,
               i.partner_id,
               LEAST(%(today)s::date, i.date + ((j::bigint * 13) %% 150)::int),
               CASE WHEN j %% 2 = 0 THEN i.amount ELSE round(i.amount * 0.4, 2) END,
               -j
          FROM generate_series(1, %(np)s) j
          JOIN bench_doc i ON i.k = j * %(step)s
        """,
        params,
    )
    cr.execute(
        """
        INSERT INTO bench_doc (k, move_id, rec_line, other_line, partner_id, date, amount, term)
        SELECT %(ni)s + %(np)s + u, %(mbase)s + %(ni)s + %(np)s + u - 1,
               %(lbase)s + 2 * (%(ni)s + %(np)s + u - 1), %(lbase)s + 2 * (%(ni)s + %(np)s + u - 1) + 1,
               %(pbase)s + ((u::bigint * 104729) %% %(nc)s),
               (%(today)s::date - ((u::bigint * 11) %% 400)::int),
               (((u::bigint * 613) %% 50000) + 500) / 100.0,
               NULL
          FROM generate_series(1, %(nu)s) u
        """,
        params,
    )
    cr.execute("CREATE INDEX ON bench_doc (k)")
    cr.execute(
        """
        CREATE TEMP TABLE bench_partial ON COMMIT DROP AS
        SELECT %(rbase)s + j - 1 AS id, j, i.rec_line AS debit_line, p.rec_line AS credit_line,
               p.amount, p.date AS max_date,
               CASE WHEN j %% 2 = 0 THEN %(fbase)s + j - 1 END AS full_id,
               i.k AS inv_k, p.k AS pay_k
          FROM generate_series(1, %(np)s) j
          JOIN bench_doc i ON i.k = j * %(step)s
          JOIN bench_doc p ON p.k = %(ni)s + j
        """,
        params,
    )
    cr.execute(
        """
        INSERT INTO account_move (id, name, journal_id, company_id, currency_id, partner_id,
                                  commercial_partner_id, state, move_type, auto_post, date,
                                  invoice_date, invoice_date_due, amount_untaxed, amount_tax,
                                  amount_total, amount_residual, amount_untaxed_signed,
                                  amount_total_signed, amount_total_in_currency_signed,
                                  amount_residual_signed, payment_state, posted_before,
                                  invoice_currency_rate, sequence_prefix, sequence_number,
                                  create_date, write_date, create_uid, write_uid)
        SELECT d.move_id,
               CASE WHEN d.k <= %(ni)s THEN 'BINV/' ELSE 'BPAY/' END || d.k,
               CASE WHEN d.k <= %(ni)s THEN %(sale)s ELSE %(bank)s END,
               %(company)s, %(currency)s, d.partner_id, d.partner_id, 'posted',
               CASE WHEN d.k <= %(ni)s THEN 'out_invoice' ELSE 'entry' END, 'no', d.date,
               CASE WHEN d.k <= %(ni)s THEN d.date END,
               CASE WHEN d.k <= %(ni)s THEN d.date + d.term END,
               d.amount, 0, d.amount, d.amount, d.amount, d.amount, d.amount, d.amount,
               CASE WHEN d.k <= %(ni)s THEN 'not_paid' END, true, 1.0,
               CASE WHEN d.k <= %(ni)s THEN 'BINV/' ELSE 'BPAY/' END, d.k,
               now(), now(), 1, 1
          FROM bench_doc d
        """,
        params,
    )
    # receivable item: debit for invoices, credit for payments; the other item balances it
    cr.execute(
        """
        INSERT INTO account_move_line (id, move_id, journal_id, company_id, company_currency_id,
                                       account_id, currency_id, partner_id, name, move_name,
                                       parent_state, display_type, date, invoice_date, date_maturity,
                                       debit, credit, balance, amount_currency, amount_residual,
                                       amount_residual_currency, reconciled, quantity, sequence,
                                       create_date, write_date, create_uid, write_uid)
        SELECT d.rec_line, d.move_id,
               CASE WHEN inv THEN %(sale)s ELSE %(bank)s END,
               %(company)s, %(currency)s, %(receivable)s, %(currency)s, d.partner_id,
               CASE WHEN inv THEN 'BINV/' ELSE 'BPAY/' END || d.k,
               CASE WHEN inv THEN 'BINV/' ELSE 'BPAY/' END || d.k,
               'posted', 'payment_term', d.date, CASE WHEN inv THEN d.date END,
               CASE WHEN inv THEN d.date + d.term ELSE d.date END,
               CASE WHEN inv THEN d.amount ELSE 0 END,
               CASE WHEN inv THEN 0 ELSE d.amount END,
               s.sign * d.amount, s.sign * d.amount, s.sign * d.amount, s.sign * d.amount,
               false, 1, 10, now(), now(), 1, 1
          FROM bench_doc d,
               LATERAL (SELECT d.k <= %(ni)s AS inv) t,
               LATERAL (SELECT CASE WHEN t.inv THEN 1 ELSE -1 END AS sign) s
        """,
        params,
    )
    cr.execute(
        """
        INSERT INTO account_move_line (id, move_id, journal_id, company_id, company_currency_id,
                                       account_id, currency_id, partner_id, name, move_name,
                                       parent_state, display_type, date, invoice_date,
                                       debit, credit, balance, amount_currency, amount_residual,
                                       amount_residual_currency, reconciled, quantity, price_unit,
                                       price_subtotal, price_total, sequence,
                                       create_date, write_date, create_uid, write_uid)
        SELECT d.other_line, d.move_id,
               CASE WHEN inv THEN %(sale)s ELSE %(bank)s END,
               %(company)s, %(currency)s,
               CASE WHEN inv THEN %(revenue)s ELSE %(bank_account)s END,
               %(currency)s, d.partner_id,
               CASE WHEN inv THEN 'Bench service' ELSE 'Customer payment' END,
               CASE WHEN inv THEN 'BINV/' ELSE 'BPAY/' END || d.k,
               'posted', CASE WHEN inv THEN 'product' ELSE 'product' END,
               d.date, CASE WHEN inv THEN d.date END,
               CASE WHEN inv THEN 0 ELSE d.amount END,
               CASE WHEN inv THEN d.amount ELSE 0 END,
               -s.sign * d.amount, -s.sign * d.amount, 0, 0,
               false, 1, d.amount, d.amount, d.amount, 20, now(), now(), 1, 1
          FROM bench_doc d,
               LATERAL (SELECT d.k <= %(ni)s AS inv) t,
               LATERAL (SELECT CASE WHEN t.inv THEN 1 ELSE -1 END AS sign) s
        """,
        params,
    )
    cr.execute(
        """
        INSERT INTO account_full_reconcile (id, create_date, write_date, create_uid, write_uid)
        SELECT full_id, now(), now(), 1, 1 FROM bench_partial WHERE full_id IS NOT NULL
        """
    )
    cr.execute(
        """
        INSERT INTO account_partial_reconcile (id, debit_move_id, credit_move_id, full_reconcile_id,
                                               debit_currency_id, credit_currency_id, company_id,
                                               max_date, amount, debit_amount_currency,
                                               credit_amount_currency, create_date, write_date,
                                               create_uid, write_uid)
        SELECT id, debit_line, credit_line, full_id, %(currency)s, %(currency)s, %(company)s,
               max_date, amount, amount, amount, now(), now(), 1, 1
          FROM bench_partial
        """,
        params,
    )
    # residuals, reconciled flags and matching numbers as Odoo keeps them
    cr.execute(
        """
        UPDATE account_move_line l
           SET amount_residual = l.balance - p.amount,
               amount_residual_currency = l.balance - p.amount,
               reconciled = (l.balance - p.amount = 0),
               full_reconcile_id = p.full_id,
               matching_number = COALESCE(p.full_id::text, 'P' || p.id)
          FROM bench_partial p
         WHERE l.id = p.debit_line
        """
    )
    cr.execute(
        """
        UPDATE account_move_line l
           SET amount_residual = 0, amount_residual_currency = 0, reconciled = true,
               full_reconcile_id = p.full_id,
               matching_number = COALESCE(p.full_id::text, 'P' || p.id)
          FROM bench_partial p
         WHERE l.id = p.credit_line
        """
    )
    cr.execute(
        """
        UPDATE account_move m
           SET amount_residual = l.amount_residual, amount_residual_signed = l.amount_residual,
               payment_state = CASE WHEN l.amount_residual = 0 THEN 'paid' ELSE 'partial' END
          FROM bench_partial p
          JOIN account_move_line l ON l.id = p.debit_line
         WHERE m.id = l.move_id
        """
    )
    for table in ("res_partner", "account_move", "account_move_line", "account_partial_reconcile"):
        cr.execute(f"ANALYZE {table}")  # noqa: S608 - fixed table names
    env.registry.clear_cache()
    return True


def ledger_balance(cr, company_id, as_of):
    cr.execute(
        """
        SELECT COALESCE(SUM(l.balance), 0) FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id
         WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
           AND l.date <= %s AND l.company_id = %s
        """,
        [as_of, company_id],
    )
    return float(cr.fetchone()[0])


def time_kakeuri(env, as_of):
    Aging = env["kakeuri.aging.report"]
    times, first = [], None
    for _i in range(RUNS):
        env.invalidate_all()
        with Measure(env.cr) as m:
            rows = Aging.get_aging(as_of, company=env.company)
        times.append(m.seconds)
        first = first or m
    return rows, times, first


def time_oca(env, as_of):
    if "report.account_financial_report.aged_partner_balance" not in env:
        return None
    accounts = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", env.company.ids)]
    )
    wizard = env["aged.partner.balance.report.wizard"].create(
        {
            "company_id": env.company.id,
            "date_at": as_of,
            "target_move": "posted",
            "receivable_accounts_only": True,
            "account_ids": [(6, 0, accounts.ids)],
        }
    )
    data = wizard._prepare_report_data()
    data["date_at"] = str(as_of)
    env.invalidate_all()
    with Measure(env.cr) as m:
        values = env["report.account_financial_report.aged_partner_balance"]._get_report_values(
            wizard.ids, data
        )
    keys = ("current", "30_days", "60_days", "90_days", "120_days", "older")
    accounts_data = values["aged_partner_balance"]
    buckets = [sum(acc[k] for acc in accounts_data) for k in keys]
    total = sum(acc["residual"] for acc in accounts_data)
    return {
        "seconds": m.seconds,
        "queries": m.queries,
        "rss_mb": m.peak_rss_growth_mb,
        "total": total,
        "buckets": buckets,
    }


def main():
    conf = prepare()
    oca_available = bool(oca_path())
    with odoo_env(DB, conf) as env:
        if generate(env):
            env.cr.commit()
        company = env.company
        env = env(context=dict(env.context, allowed_company_ids=company.ids))
        env.cr.execute(
            """SELECT count(*) FROM account_move_line l JOIN account_account a ON a.id = l.account_id
                WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'"""
        )
        n_items = env.cr.fetchone()[0]
        env.cr.execute("SELECT count(*) FROM account_partial_reconcile")
        n_partials = env.cr.fetchone()[0]
        env.cr.execute("SELECT count(*) FROM res_partner WHERE ref LIKE 'BENCH-AGING-%%'")
        n_customers = env.cr.fetchone()[0]
        today = date.today()
        rows_out = []
        for label, as_of in (("today", today), ("6 months back", today - relativedelta(months=6))):
            rows, times, first = time_kakeuri(env, as_of)
            total = round(sum(r["total"] for r in rows), 2)
            buckets = [round(sum(r["buckets"][i] for r in rows), 2) for i in range(6)]
            ledger = round(ledger_balance(env.cr, company.id, as_of), 2)
            assert abs(total - ledger) < 0.01, f"aging total {total} != ledger {ledger} as of {as_of}"
            row = {
                "as_of": f"{as_of} ({label})",
                "customers": n_customers,
                "receivable_items": n_items,
                "partials": n_partials,
                "rows": len(rows),
                "kakeuri_s_first": round(first.seconds, 3),
                "kakeuri_s_median": round(statistics.median(times), 3),
                "kakeuri_queries": first.queries,
                "total": total,
                "ledger": ledger,
                "load_avg_1m": round(os.getloadavg()[0], 1),
            }
            if oca_available:
                oca = time_oca(env, as_of)
                if oca is None:
                    print("OCA: not available (account_financial_report not installed in the database)")
                else:
                    same = abs(oca["total"] - total) < 0.01 and all(
                        abs(a - b) < 0.01 for a, b in zip(oca["buckets"], buckets, strict=True)
                    )
                    row.update(
                        {
                            "oca_s": round(oca["seconds"], 3),
                            "oca_queries": oca["queries"],
                            "oca_total": round(oca["total"], 2),
                            "same_totals": "yes" if same else f"NO {oca['buckets']} vs {buckets}",
                            "speedup": f"{oca['seconds'] / statistics.median(times):.1f}x",
                        }
                    )
            rows_out.append(row)
        if not oca_available:
            print("OCA: not available (set OCA_ADDONS to a folder holding account_financial_report 18.0)")
        env.cr.rollback()
    report("aging", rows_out)
    slow = [r["as_of"] for r in rows_out if r["kakeuri_s_median"] > 2 and SCALE >= 1]
    if slow:
        # reported, not failed: on a shared 2-core machine the time follows its load
        print(f"goal (< 2 s at 1,000,000 items) missed for {', '.join(slow)}; load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
