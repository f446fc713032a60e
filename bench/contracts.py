"""Benchmark: one contract billing run over 10,000 active monthly contracts (3 lines each),
then a second run that finds nothing to do.

Data (customers, contracts, lines) is inserted with bulk SQL; the measured code path is the
addon's cron ``kakeuri.contract._cron_generate_invoices`` (batches, one commit per batch,
invoices created and posted). ``BENCH_SCALE=0.02`` shrinks the data for a quick try.

    make bench BENCH=bench/contracts.py
"""

import os
import resource
import time

from _common import BENCH_DB_SUFFIX, Measure, odoo_env, prepare_db, report

DB = "kakeuri_bench_contracts" + BENCH_DB_SUFFIX
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
CONTRACTS = max(int(10_000 * SCALE), 10)
CUSTOMERS = max(CONTRACTS // 5, 2)
TABLES = (
    "res_partner",
    "kakeuri_contract",
    "kakeuri_contract_line",
    "account_move",
    "account_move_line",
    "account_partial_reconcile",
    "mail_message",
    "mail_followers",
)


def rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def generate(env, contracts=CONTRACTS, customers=CUSTOMERS):
    """Bulk-insert ``customers`` customers, ``contracts`` contracts and their lines; return
    the billing date."""
    import odoo  # noqa: PLC0415
    from odoo import fields  # noqa: PLC0415

    cr = env.cr
    company = env.ref("base.main_company")
    env = env(context={"allowed_company_ids": company.ids})
    tax = env["account.tax"].search(
        [("company_id", "=", company.id), ("type_tax_use", "=", "sale"), ("amount_type", "=", "percent")],
        limit=1,
    )
    products = env["product.product"].create(
        [
            {"name": "Bench Coffee Beans", "list_price": 3200.0, "taxes_id": [odoo.Command.set(tax.ids)]},
            {"name": "Bench Paper Cups", "list_price": 800.0, "taxes_id": [odoo.Command.set(tax.ids)]},
            {
                "name": "Bench Machine Rental",
                "list_price": 5500.0,
                "type": "service",
                "taxes_id": [odoo.Command.set(tax.ids)],
            },
        ]
    )
    journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
    today = fields.Date.context_today(env["res.partner"])
    start = today.replace(day=1)

    cr.execute("DELETE FROM account_move WHERE kakeuri_contract_id IS NOT NULL")
    cr.execute("DELETE FROM kakeuri_contract")
    cr.execute("DELETE FROM res_partner WHERE ref LIKE 'BENCH-%%'")
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, ref, is_company, active, type, autopost_bills, lang,
                                 email, kakeuri_statement_frequency,
                                 create_date, write_date, create_uid, write_uid)
        SELECT 'ベンチ株式会社 ' || n, 'ベンチ株式会社 ' || n, 'BENCH-' || n, true, true, 'contact', 'ask',
               'en_US', 'bench' || n || '@example.jp', 'none', now(), now(), 1, 1
          FROM generate_series(1, %s) n
        """,
        [customers],
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE ref LIKE 'BENCH-%%'")
    cr.execute(
        """
        INSERT INTO kakeuri_contract (name, partner_id, company_id, currency_id, user_id, journal_id, state,
                                      date_start, recurring_rule, recurring_interval, next_invoice_date,
                                      auto_post, auto_send, create_date, write_date, create_uid, write_uid)
        SELECT 'BENCH/' || lpad(n::text, 6, '0'), p.id, %(company)s, %(currency)s, 2, %(journal)s, 'active',
               %(start)s, 'monthly', 1, %(start)s, true, false, now(), now(), 1, 1
          FROM generate_series(1, %(n)s) n
          JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn
                  FROM res_partner WHERE ref LIKE 'BENCH-%%') p
            ON p.rn = (n - 1) %% %(customers)s
        """,
        {
            "company": company.id,
            "currency": company.currency_id.id,
            "journal": journal.id,
            "start": start,
            "n": contracts,
            "customers": customers,
        },
    )
    cr.execute(
        """
        INSERT INTO kakeuri_contract_line
               (contract_id, company_id, sequence, product_id, name, quantity, price_unit,
                discount, create_date, write_date, create_uid, write_uid)
        SELECT c.id, c.company_id, p.seq, p.product_id, p.name, p.qty, p.price, 0, now(), now(), 1, 1
          FROM kakeuri_contract c
         CROSS JOIN (VALUES (1, %s, 'Office blend coffee beans 1 kg', 4.0, 3200.0),
                            (2, %s, 'Paper cups (box of 100)', 3.0, 800.0),
                            (3, %s, 'Coffee machine rental', 1.0, 5500.0))
               AS p(seq, product_id, name, qty, price)
        """,
        products.ids,
    )
    cr.execute(
        """
        INSERT INTO account_tax_kakeuri_contract_line_rel (kakeuri_contract_line_id, account_tax_id)
        SELECT id, %s FROM kakeuri_contract_line
        """,
        [tax.id],
    )
    cr.commit()
    # Earlier runs of this benchmark leave deleted invoices behind: vacuum so that they do not
    # slow down Odoo's own sequence and payment-state queries.
    with odoo.sql_db.db_connect(cr.dbname).cursor() as vcr:
        vcr._cnx.autocommit = True
        for table in TABLES:
            vcr.execute(f"VACUUM ANALYZE {table}")
    env.invalidate_all()
    return today


def main():
    conf = prepare_db(DB)
    rows = []
    with odoo_env(DB, conf) as env:
        t0 = time.perf_counter()
        date_ref = generate(env)
        gen_s = time.perf_counter() - t0
        print(f"generated {CONTRACTS} contracts x 3 lines for {CUSTOMERS} customers in {gen_s:.1f} s")
        Contract = env["kakeuri.contract"]
        rss_before = rss_mb()
        with Measure(env.cr) as m1:
            created = Contract._cron_generate_invoices(date_ref=date_ref)
        rss_after = rss_mb()
        env.cr.execute(
            "SELECT count(*), count(*) FILTER (WHERE state = 'posted') FROM account_move "
            "WHERE kakeuri_contract_id IS NOT NULL"
        )
        total, posted = env.cr.fetchone()
        rows.append(
            {
                "run": "first run (bills all)",
                "contracts": CONTRACTS,
                "invoices": created,
                "posted": posted,
                "seconds": round(m1.seconds, 1),
                "invoices_per_s": round(created / m1.seconds, 1) if m1.seconds else 0,
                "cpu_s": round(m1.cpu_seconds, 1),
                "pg_cpu_s": round(m1.pg_cpu_seconds, 1) if m1.pg_cpu_seconds is not None else "",
                "invoices_per_cpu_s": round(created / (m1.cpu_seconds + (m1.pg_cpu_seconds or 0)), 1)
                if m1.cpu_seconds
                else 0,
                "queries": m1.queries,
                "rss_start_mb": round(rss_before),
                "rss_end_mb": round(rss_after),
                "peak_rss_growth_mb": round(m1.peak_rss_growth_mb),
            }
        )
        assert total == CONTRACTS, (total, CONTRACTS)
        with Measure(env.cr) as m2:
            again = Contract._cron_generate_invoices(date_ref=date_ref)
        rows.append(
            {
                "run": "second run (nothing due)",
                "contracts": CONTRACTS,
                "invoices": again,
                "posted": 0,
                "seconds": round(m2.seconds, 2),
                "invoices_per_s": 0,
                "cpu_s": round(m2.cpu_seconds, 2),
                "pg_cpu_s": round(m2.pg_cpu_seconds, 2) if m2.pg_cpu_seconds is not None else "",
                "invoices_per_cpu_s": 0,
                "queries": m2.queries,
                "rss_start_mb": round(rss_after),
                "rss_end_mb": round(rss_mb()),
                "peak_rss_growth_mb": round(m2.peak_rss_growth_mb),
            }
        )
        assert again == 0
        env.cr.commit()
    print(f"peak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    report("contracts", rows)


if __name__ == "__main__":
    main()
