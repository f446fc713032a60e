#!/usr/bin/env python3
"""Benchmark: the credit check of one order confirmation, in a database with 10,000 customers
and 1,000,000 posted open receivable lines (100,000 invoices of 10 instalments each).

The data is generated once with bulk SQL (INSERT ... SELECT generate_series) into
account_move / account_move_line / sale_order / sale_order_line with coherent columns; the
measured code is the addon's: ``sale.order._kakeuri_check_credit_on_confirm()`` (what
``action_confirm()`` runs before confirming) and, for context, the whole ``action_confirm()``.

Customers measured: one with 10 receivable lines, an average one (~100 lines), and one with
1,000 lines and 1,000 confirmed uninvoiced orders: the query count must be the same.

    make bench BENCH=bench/credit_check.py          # full size (data generated once, in about 5 minutes)
    BENCH_SCALE=0.01 python3 bench/credit_check.py  # quick try
"""

import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import BENCH_DB_SUFFIX, Measure, odoo_env, prepare_db, report  # noqa: E402

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
N_CUSTOMERS = max(int(10_000 * SCALE), 20)
N_LINES = max(int(1_000_000 * SCALE), 2_000)
LINES_PER_MOVE = 10
N_MOVES = N_LINES // LINES_PER_MOVE
BIG_MOVES = 100  # 1,000 lines for the "big" customer
BIG_ORDERS = 1_000
REPEAT = 7
DB = (
    "kakeuri_bench_credit" if SCALE == 1 else "kakeuri_bench_credit_" + str(SCALE).replace(".", "_")
) + BENCH_DB_SUFFIX


def reserve_ids(cr, table, count):
    """Reserve ``count`` ids of ``table``'s sequence; return the first one."""
    cr.execute(f"SELECT nextval('{table}_id_seq')")  # table names are constants
    first = cr.fetchone()[0]
    cr.execute(f"SELECT setval('{table}_id_seq', %s)", [first + count])
    return first


def generate(env):
    cr = env.cr
    company = env.ref("base.main_company")
    currency = company.currency_id
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1
    )
    income = journal.default_account_id
    product = env["product.product"].create({"name": "Bench tea", "list_price": 10.0, "taxes_id": False})
    print(f"generating {N_CUSTOMERS} customers, {N_MOVES} invoices, {N_LINES} receivable lines", flush=True)

    first_partner = reserve_ids(cr, "res_partner", N_CUSTOMERS)
    cr.execute(
        """
        INSERT INTO res_partner (id, name, complete_name, active, is_company,
                                 type, customer_rank, supplier_rank, commercial_partner_id, autopost_bills,
                                 kakeuri_statement_frequency, create_uid, write_uid, create_date, write_date)
        SELECT %(first)s + g, 'Bench Customer ' || g, 'Bench Customer ' || g, true, true,
               'contact', 1, 0, %(first)s + g, 'ask', 'none', 1, 1, now(), now()
          FROM generate_series(0, %(n)s - 1) g
        """,
        {"first": first_partner, "n": N_CUSTOMERS},
    )
    small, big = first_partner, first_partner + 1
    others_first, others_n = first_partner + 2, N_CUSTOMERS - 2

    # invoices: move 0 -> small customer (10 lines), moves 1..100 -> big (1,000 lines), the rest
    # spread over the other customers; dated over the last 240 days, instalments every 30 days.
    first_move = reserve_ids(cr, "account_move", N_MOVES)
    cr.execute(
        """
        CREATE TEMP TABLE bench_move AS
        SELECT %(first_move)s + g AS id, g AS idx,
               CASE WHEN g = 0 THEN %(small)s
                    WHEN g <= %(big_moves)s THEN %(big)s
                    ELSE %(others_first)s + (g %% %(others_n)s) END AS partner_id,
               (current_date - (g %% 240))::date AS date,
               (100 + (g %% 7) * 10)::numeric AS instalment
          FROM generate_series(0, %(n)s - 1) g
        """,
        {
            "first_move": first_move,
            "small": small,
            "big": big,
            "big_moves": BIG_MOVES,
            "others_first": others_first,
            "others_n": others_n,
            "n": N_MOVES,
        },
    )
    params = {
        "journal": journal.id,
        "company": company.id,
        "currency": currency.id,
        "receivable": receivable.id,
        "income": income.id,
        "k": LINES_PER_MOVE,
    }
    cr.execute(
        """
        INSERT INTO account_move (id, name, date, state, move_type, auto_post, journal_id, company_id,
                                  currency_id, partner_id, commercial_partner_id, invoice_date,
                                  invoice_date_due, payment_state, sequence_prefix, sequence_number,
                                  amount_untaxed, amount_tax, amount_total, amount_residual,
                                  amount_untaxed_signed, amount_untaxed_in_currency_signed, amount_tax_signed,
                                  amount_total_signed, amount_total_in_currency_signed,
                                  amount_residual_signed, create_uid, write_uid, create_date, write_date)
        SELECT m.id, 'BENCH/' || m.idx, m.date, 'posted', 'out_invoice', 'no', %(journal)s, %(company)s,
               %(currency)s, m.partner_id, m.partner_id, m.date, m.date + 30 * %(k)s, 'not_paid',
               'BENCH/', m.idx,
               m.instalment * %(k)s, 0, m.instalment * %(k)s, m.instalment * %(k)s,
               m.instalment * %(k)s, m.instalment * %(k)s, 0,
               m.instalment * %(k)s, m.instalment * %(k)s,
               m.instalment * %(k)s, 1, 1, now(), now()
          FROM bench_move m
        """,
        params,
    )
    print("  moves inserted", flush=True)
    cr.execute(
        """
        INSERT INTO account_move_line (move_id, move_name, journal_id, company_id, company_currency_id,
                                       currency_id, account_id, partner_id, name, date, parent_state,
                                       display_type, balance, debit, credit, amount_currency,
                                       amount_residual, amount_residual_currency, reconciled,
                                       date_maturity, quantity, price_unit, price_subtotal, price_total,
                                       discount, sequence, create_uid, write_uid, create_date, write_date)
        SELECT m.id, 'BENCH/' || m.idx, %(journal)s, %(company)s, %(currency)s,
               %(currency)s, %(receivable)s, m.partner_id, 'instalment ' || k, m.date, 'posted',
               'payment_term', m.instalment, m.instalment, 0, m.instalment,
               m.instalment, m.instalment, false,
               m.date + 30 * k, 0, 0, 0, 0, 0, 10 + k, 1, 1, now(), now()
          FROM bench_move m CROSS JOIN generate_series(1, %(k)s) k
        UNION ALL
        SELECT m.id, 'BENCH/' || m.idx, %(journal)s, %(company)s, %(currency)s,
               %(currency)s, %(income)s, m.partner_id, 'Bench tea', m.date, 'posted',
               'product', -m.instalment * %(k)s, 0, m.instalment * %(k)s, -m.instalment * %(k)s,
               0, 0, false,
               NULL, 1, m.instalment * %(k)s, m.instalment * %(k)s, m.instalment * %(k)s, 0, 1,
               1, 1, now(), now()
          FROM bench_move m
        """,
        params,
    )
    print("  move lines inserted", flush=True)

    # 1,000 confirmed, uninvoiced orders of the big customer
    first_order = reserve_ids(cr, "sale_order", BIG_ORDERS)
    cr.execute(
        """
        INSERT INTO sale_order (id, name, state, company_id, partner_id, partner_invoice_id,
                                partner_shipping_id, currency_id, date_order, amount_untaxed, amount_tax,
                                amount_total, invoice_status, create_uid, write_uid, create_date,
                                write_date, user_id)
        SELECT %(first)s + g, 'BENCH-SO' || g, 'sale', %(company)s, %(big)s, %(big)s, %(big)s,
               %(currency)s, now(), 20, 0, 20, 'to invoice', 1, 1, now(), now(), 1
          FROM generate_series(0, %(n)s - 1) g
        """,
        {"first": first_order, "n": BIG_ORDERS, "company": company.id, "big": big, "currency": currency.id},
    )
    cr.execute(
        """
        INSERT INTO sale_order_line (order_id, name, sequence, state, company_id, currency_id,
                                     order_partner_id, product_id, product_uom, product_uom_qty,
                                     price_unit, discount, price_subtotal, price_tax, price_total,
                                     price_reduce_taxexcl, price_reduce_taxinc, qty_delivered,
                                     qty_invoiced, qty_to_invoice, untaxed_amount_invoiced,
                                     untaxed_amount_to_invoice, invoice_status, customer_lead,
                                     is_downpayment, create_uid, write_uid, create_date, write_date)
        SELECT %(first)s + g, 'Bench tea', 10, 'sale', %(company)s, %(currency)s,
               %(big)s, %(product)s, %(uom)s, 2, 10, 0, 20, 0, 20, 10, 10, 0, 0, 2, 0, 20,
               'to invoice', 0, false, 1, 1, now(), now()
          FROM generate_series(0, %(n)s - 1) g
        """,
        {
            "first": first_order,
            "n": BIG_ORDERS,
            "company": company.id,
            "currency": currency.id,
            "big": big,
            "product": product.id,
            "uom": product.uom_id.id,
        },
    )
    cr.execute("ANALYZE res_partner; ANALYZE account_move; ANALYZE account_move_line; ANALYZE sale_order")
    cr.execute("ANALYZE sale_order_line")
    env["ir.config_parameter"].set_param("kakeuri_bench.credit_partners", f"{small},{big}")
    env.invalidate_all()
    env.cr.commit()


def measure(env, partner, product, label):
    company = env.ref("base.main_company")
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "company_id": company.id,
            "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1, "price_unit": 10.0})],
        }
    )
    order._kakeuri_check_credit_on_confirm()  # warm Odoo's caches (rates, groups, views)
    times, cpu, pg_cpu, queries = [], [], [], []
    for _i in range(REPEAT):
        env.flush_all()
        env.invalidate_all()
        with Measure(env.cr) as m:
            order._kakeuri_check_credit_on_confirm()
        times.append(m.seconds * 1000)
        cpu.append(m.cpu_seconds * 1000)
        pg_cpu.append((m.pg_cpu_seconds or 0.0) * 1000)
        queries.append(m.queries)
    env.flush_all()
    env.invalidate_all()
    with Measure(env.cr) as full:
        order.action_confirm()
    env.cr.execute(
        """SELECT count(*) FROM account_move_line l JOIN account_account a ON a.id = l.account_id
            WHERE l.partner_id = %s AND a.account_type = 'asset_receivable' AND l.parent_state = 'posted'""",
        [partner.id],
    )
    lines = env.cr.fetchone()[0]
    env.cr.execute("SELECT count(*) FROM sale_order WHERE partner_id = %s AND state = 'sale'", [partner.id])
    orders = env.cr.fetchone()[0]
    partner.invalidate_recordset()
    return {
        "customer": label,
        "receivable_lines": lines,
        "confirmed_orders": orders,
        "exposure": round(partner.kakeuri_credit_exposure, 2),
        "check_ms_median": round(statistics.median(times), 2),
        "check_ms_max": round(max(times), 2),
        # CPU time of Odoo and of its PostgreSQL backend: comparable on a busy machine
        "check_cpu_ms_median": round(statistics.median(cpu), 2),
        # PostgreSQL's CPU is read in clock ticks (10 ms): the mean over the runs is finer
        "check_pg_cpu_ms_mean": round(statistics.mean(pg_cpu), 2),
        "check_queries": queries[-1],
        "queries_all_runs_equal": len(set(queries)) == 1,
        "action_confirm_ms": round(full.seconds * 1000, 1),
        "action_confirm_queries": full.queries,
        "action_confirm_cpu_ms": round(full.cpu_seconds * 1000, 1),
    }


def main():
    conf = prepare_db(DB)
    with odoo_env(DB, conf) as env:
        env.cr.execute("SELECT count(*) FROM res_partner WHERE name LIKE 'Bench Customer %%'")
        if not env.cr.fetchone()[0]:
            with Measure(env.cr) as gen:
                generate(env)
            print(f"data generated in {gen.seconds:.0f} s", flush=True)
        env.cr.execute("SELECT count(*) FROM account_move_line WHERE display_type = 'payment_term'")
        total_lines = env.cr.fetchone()[0]
        env.cr.execute("SELECT count(*) FROM res_partner WHERE name LIKE 'Bench Customer %%'")
        total_customers = env.cr.fetchone()[0]
        small_id, big_id = map(
            int, env["ir.config_parameter"].get_param("kakeuri_bench.credit_partners").split(",")
        )
        Partner = env["res.partner"]
        average = Partner.browse(big_id + 1)
        policy = env["kakeuri.credit.policy"].create(
            {"name": "Bench", "hold_mode": "block", "block_on_overdue": True, "overdue_grace_days": 3650}
        )
        customers = Partner.browse([small_id, average.id, big_id])
        customers.write({"kakeuri_credit_policy_id": policy.id, "credit_limit": 1e12})
        product = env["product.product"].search([("name", "=", "Bench tea")], limit=1)
        rows = [
            measure(env, Partner.browse(small_id), product, "10 lines"),
            measure(env, average, product, "average"),
            measure(env, Partner.browse(big_id), product, "1,000 lines + 1,000 orders"),
        ]
        env.cr.rollback()  # leave the benchmark database as generated
    print(f"database {DB}: {total_customers} customers, {total_lines} posted receivable lines")
    report("credit_check" if SCALE == 1 else f"credit_check_{SCALE}", rows)
    same = len({r["check_queries"] for r in rows}) == 1
    print(f"constant query count across customers: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
