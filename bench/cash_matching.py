"""Cash matching (入金消込) and direct debit (口座振替) benchmark, on a company in JPY:
20,000 customers with kana names, 100,000 open posted invoices (5 per customer), 10,000 bank
statement lines shaped like real receipts, and 10,000 direct debit customers. Data is bulk SQL
cloned from one invoice and one statement line made by the ORM (amounts scaled per row).

Measures the addon's real code path:
- ``account.bank.statement.line.action_kakeuri_match()`` on all the statement lines (goal: under
  10 s), with the proposals per state;
- ``action_kakeuri_reconcile()`` on the suggested lines (``BENCH_RECONCILE`` of them, default
  1,000; ``all`` for every one), lines per second (goal: 50 or more);
- a ``kakeuri.direct.debit.run`` of the 10,000 debit customers: ``action_collect()`` and
  ``action_export()`` (the Zengin 種別 91 file; goal: under 5 s), timed separately.

The statement lines are receipts as a Japanese bank reports them: the payer name in half-width
kana, written the way banks do (ｶ) prefix, ｶﾌﾞｼｷｶﾞｲｼﾔ, small kana, long vowel marks), for the
amount of one invoice or of the customer's oldest items, some less a transfer fee of 440, 660
or 880 yen (customers with a fee tolerance), some with the invoice number in the remarks, some
under a name two customers share (ambiguous) or matching nothing.

``BENCH_PROFILE=match,reconcile,collect,export`` keeps a cProfile of those steps in
``bench/out/cash_matching_<step>.prof``.

``BENCH_SCALE=0.01 make bench BENCH=bench/cash_matching.py`` for a quick try (200 customers).
The database is made afresh on each run, with its data (``BENCH_FRESH=0`` keeps the installed
database but still generates the data, so it fails on a database that already has it).
"""

import contextlib
import cProfile
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import BENCH_DB_SUFFIX, Measure, odoo_env, prepare_db, report  # noqa: E402
from dunning import _clone_sql, _columns  # noqa: E402

DB = "kakeuri_bench_cash" + BENCH_DB_SUFFIX
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
CUSTOMERS = max(int(20000 * SCALE), 20)
INVOICES_PER_CUSTOMER = 5
# the receipts are paid by the first half of the customers, the debits by the second half
LINES = CUSTOMERS // 2
DEBIT_CUSTOMERS = CUSTOMERS - LINES
RECONCILE = os.environ.get("BENCH_RECONCILE", "1000")
# cron workers reconciling as many other lines from the queue (0: skip that step)
WORKERS = int(os.environ.get("BENCH_RECONCILE_WORKERS", "2"))
TEMPLATE_AMOUNT = 1000
FEES = (440, 660, 880)
TOLERANCE = 880
DIGITS_FULL = "サシスセソタチツテト"
DIGITS_HALF = "ｻｼｽｾｿﾀﾁﾂﾃﾄ"


def invoice_amount(n, k):
    """Amount (yen) of invoice ``k`` (1..5) of customer ``n``: 10,000..99,900, whole hundreds."""
    return 10000 + ((n * 37 + k * 101) % 900) * 100


def days_overdue(n, k):
    """Days between the due date of invoice ``k`` of customer ``n`` and today (1..60, distinct
    for the five invoices of a customer)."""
    return (n * 7 + k * 13) % 60 + 1


def oldest(n):
    """The invoice numbers ``k`` of customer ``n``, oldest due date first."""
    return sorted(range(1, INVOICES_PER_CUSTOMER + 1), key=lambda k: -days_overdue(n, k))


def tolerant(n):
    """Customers with a fee tolerance: every fourth, and those whose receipt deducts a fee."""
    return n % 4 == 0 or (n - 1) % 20 in (13, 14, 15)


def payer_name(n, variant):
    """The customer's name as a bank writes it: half-width, with a legal form, small kana or a
    long vowel mark (normalised, each equals the customer's kana name サンプル + digits)."""
    digits = str(n).zfill(5).translate(str.maketrans("0123456789", DIGITS_HALF))
    if variant == 0:
        return "ｶ)ｻﾝﾌﾟﾙ" + digits
    if variant == 1:
        return "ｻﾝﾌﾟﾙ" + digits.replace("ﾂ", "ｯ") + "(ｶ"
    if variant == 2:
        return "ｶﾌﾞｼｷｶﾞｲｼｬ ｻﾝﾌﾟﾙ " + digits
    return "ｻﾝﾌﾟﾙｰ" + digits


def receipts(lines):
    """(amount, payer name, remarks, kind) of each statement line; line ``i`` is paid by
    customer ``i + 1``."""
    out = []
    for i in range(lines):
        n = i + 1
        kind = i % 20
        name = payer_name(n, i % 4)
        order = oldest(n)
        if kind < 8:  # one invoice
            amount = invoice_amount(n, i % 5 + 1)
            out.append((amount, name, name, "one invoice"))
        elif kind < 13:  # the oldest 2..4 items
            amount = sum(invoice_amount(n, k) for k in order[: 2 + i % 3])
            out.append((amount, name, name, "oldest items"))
        elif kind < 16:  # one or two oldest items less a fee (a tolerant customer)
            amount = sum(invoice_amount(n, k) for k in order[: 1 + i % 2]) - FEES[i % 3]
            out.append((amount, name, name, "fee deducted"))
        elif kind < 18:  # the invoice number in the remarks, a payer name nobody has
            k = i % 5 + 1
            out.append((invoice_amount(n, k), "ﾌﾘｺﾐﾆﾝ", f"ｾｲｷﾕｳ BENCH/{n}/{k}", "invoice number"))
        elif kind == 18:  # a name two customers share, an amount neither owes
            out.append((5001, name, name, "ambiguous"))
        else:  # nothing matches
            out.append((900000000 + i, "ﾌﾒｲ", "ﾌﾒｲ", "unmatched"))
    return out


def _scaled(cr, table, factor, overrides, money):
    """Overrides scaling the money columns ``money`` of ``table`` by the SQL ``factor``."""
    from odoo.tools import SQL  # noqa: PLC0415

    cols = set(_columns(cr, table))
    scaled = {c: SQL("t.%s * %s", SQL.identifier(c), factor) for c in money if c in cols}
    return {**scaled, **overrides}


MOVE_MONEY = [
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "amount_untaxed_signed",
    "amount_untaxed_in_currency_signed",
    "amount_tax_signed",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    "amount_residual_signed",
]
LINE_MONEY = [
    "balance",
    "debit",
    "credit",
    "amount_currency",
    "amount_residual",
    "amount_residual_currency",
    "price_unit",
    "price_subtotal",
    "price_total",
]


def setup_company(env):
    """The main company in JPY with a transfer fee account, a bank journal on a Japanese bank
    account and a direct debit consignor code."""
    company = env.ref("base.main_company")
    jpy = env.ref("base.JPY")
    jpy.active = True
    if company.currency_id != jpy:
        company.currency_id = jpy
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    Account = env["account.account"]
    fee_account = Account.search(
        [*Account._check_company_domain(company), ("account_type", "=", "expense")], limit=1
    )
    bank = env["res.bank"].create({"name": "Bench Bank", "kakeuri_bank_code": "0001"})
    company_bank = env["res.partner.bank"].create(
        {
            "acc_number": "1234567",
            "partner_id": company.partner_id.id,
            "bank_id": bank.id,
            "kakeuri_branch_code": "100",
            "kakeuri_account_type": "ordinary",
            "kakeuri_holder_kana": "ｶ)ﾍﾞﾝﾁｼﾖｳｼﾞ",
        }
    )
    journal = env["account.journal"].create(
        {"name": "Bench Bank", "code": "BBNK", "type": "bank", "bank_account_id": company_bank.id}
    )
    company.write(
        {
            "kakeuri_fee_account_id": fee_account.id,
            "kakeuri_debit_consignor_code": "1234567890",
            "kakeuri_debit_consignor_kana": "ｶ)ﾍﾞﾝﾁｼﾖｳｼﾞ",
            "kakeuri_debit_journal_id": journal.id,
        }
    )
    return env, company, journal, bank


def _customers(env, company, today):
    """CUSTOMERS customers (bench_partner: partner_id, n) with kana names サンプル + digits."""
    from odoo.tools import SQL  # noqa: PLC0415

    cr = env.cr
    template = env["res.partner"].create(
        {"name": "Bench template customer", "is_company": True, "customer_rank": 1}
    )
    cr.execute("CREATE TEMP TABLE bench_partner (partner_id int, n int)")
    kana = SQL("'サンプル' || translate(lpad(g::text, 5, '0'), '0123456789', %s)", DIGITS_FULL)
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
                    "kakeuri_name_kana": kana,
                    "kakeuri_fee_tolerance": SQL(
                        "CASE WHEN mod(g, 4) = 0 OR mod(g - 1, 20) IN (13, 14, 15) "
                        "THEN jsonb_build_object(%s, %s) END",
                        str(company.id),
                        TOLERANCE,
                    ),
                },
                SQL("res_partner t, generate_series(1, %s) g", CUSTOMERS),
                SQL("t.id = %s", template.id),
            ),
        )
    )
    cr.execute(
        "UPDATE res_partner p SET commercial_partner_id = b.partner_id "
        "FROM bench_partner b WHERE p.id = b.partner_id"
    )
    # the receipts of kind 'ambiguous' come under a name customer n + LINES has too
    cr.execute(
        """UPDATE res_partner p SET kakeuri_name_kana = a.kakeuri_name_kana
             FROM bench_partner b, bench_partner ba, res_partner a
            WHERE p.id = b.partner_id AND ba.n = b.n - %s AND a.id = ba.partner_id
              AND (ba.n - 1) %% 20 = 18""",
        [LINES],
    )


def _invoices(env, today):
    """INVOICES_PER_CUSTOMER posted open invoices per customer (bench_move), amounts and due
    dates from ``invoice_amount`` and ``days_overdue``."""
    from odoo import Command  # noqa: PLC0415
    from odoo.tools import SQL  # noqa: PLC0415

    cr = env.cr
    partner = env["res.partner"].create({"name": "Bench invoice template", "is_company": True})
    template = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": today - timedelta(days=90),
            "invoice_date_due": today - timedelta(days=60),
            "invoice_line_ids": [
                Command.create(
                    {"name": "Delivery", "quantity": 1.0, "price_unit": TEMPLATE_AMOUNT, "tax_ids": []}
                )
            ],
        }
    )
    template.action_post()
    env.flush_all()
    cr.execute(
        """CREATE TEMP TABLE bench_move AS
           SELECT b.partner_id, b.n, k,
                  'BENCH/' || b.n || '/' || k AS name,
                  (%s::date - (((b.n * 7 + k * 13) %% 60) + 1)) AS due,
                  (10000 + ((b.n * 37 + k * 101) %% 900) * 100)::numeric / %s AS factor
             FROM bench_partner b, generate_series(1, %s) k""",
        [today, TEMPLATE_AMOUNT, INVOICES_PER_CUSTOMER],
    )
    factor = SQL("bm.factor")
    overrides = {
        "name": SQL("bm.name"),
        "partner_id": SQL("bm.partner_id"),
        "commercial_partner_id": SQL("bm.partner_id"),
        "invoice_date": SQL("bm.due - 30"),
        "date": SQL("bm.due - 30"),
        "invoice_date_due": SQL("bm.due"),
        "sequence_number": SQL("t.sequence_number + bm.n * 10 + bm.k"),
        "access_token": SQL("NULL"),
        "inalterable_hash": SQL("NULL"),
    }
    cr.execute(
        _clone_sql(
            cr,
            "account_move",
            _scaled(cr, "account_move", factor, overrides, MOVE_MONEY),
            SQL("account_move t, bench_move bm"),
            SQL("t.id = %s", template.id),
        )
    )
    cr.execute("ALTER TABLE bench_move ADD COLUMN move_id int")
    cr.execute("UPDATE bench_move bm SET move_id = m.id FROM account_move m WHERE m.name = bm.name")
    overrides = {
        "move_id": SQL("bm.move_id"),
        "move_name": SQL("bm.name"),
        "partner_id": SQL("bm.partner_id"),
        "date": SQL("bm.due - 30"),
        "invoice_date": SQL("bm.due - 30"),
        "date_maturity": SQL("CASE WHEN t.date_maturity IS NULL THEN NULL ELSE bm.due END"),
    }
    cr.execute(
        _clone_sql(
            cr,
            "account_move_line",
            _scaled(cr, "account_move_line", factor, overrides, LINE_MONEY),
            SQL("account_move_line t, bench_move bm"),
            SQL("t.move_id = %s", template.id),
        )
    )


def _statement_lines(env, journal, today):
    """LINES bank statement lines (bench_stl), each with its journal entry (bank and suspense
    lines), cloned from one the ORM made (which stays, outside the measured lines); returns
    the count per kind."""
    from odoo.tools import SQL  # noqa: PLC0415

    cr = env.cr
    template = env["account.bank.statement.line"].create(
        {
            "journal_id": journal.id,
            "date": today,
            "amount": TEMPLATE_AMOUNT,
            "payment_ref": "template",
            "partner_name": "template",
        }
    )
    env.flush_all()
    rows = receipts(LINES)
    cr.execute(
        """CREATE TEMP TABLE bench_stl AS
           SELECT i, amount, partner_name, payment_ref, kind,
                  amount / %s AS factor, NULL::int AS move_id, NULL::int AS line_id
             FROM unnest(%s::int[], %s::numeric[], %s::varchar[], %s::varchar[], %s::varchar[])
                  AS r(i, amount, partner_name, payment_ref, kind)""",
        [
            TEMPLATE_AMOUNT,
            list(range(1, LINES + 1)),
            [r[0] for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
            [r[3] for r in rows],
        ],
    )
    move = template.move_id
    cr.execute(
        _clone_sql(
            cr,
            "account_move",
            _scaled(
                cr,
                "account_move",
                SQL("s.factor"),
                {
                    "name": SQL("t.sequence_prefix || lpad((t.sequence_number + s.i)::text, 6, '0')"),
                    "sequence_number": SQL("t.sequence_number + s.i"),
                    "ref": SQL("'bench-stl-' || s.i"),
                    "statement_line_id": SQL("NULL"),
                },
                MOVE_MONEY,
            ),
            SQL("account_move t, bench_stl s"),
            SQL("t.id = %s", move.id),
        )
    )
    cr.execute(
        "UPDATE bench_stl s SET move_id = m.id FROM account_move m "
        "WHERE m.journal_id = %s AND m.ref = 'bench-stl-' || s.i",
        [journal.id],
    )
    cr.execute(
        SQL(
            "WITH ins AS (%s RETURNING id, move_id) "
            "UPDATE bench_stl s SET line_id = ins.id FROM ins WHERE ins.move_id = s.move_id",
            _clone_sql(
                cr,
                "account_bank_statement_line",
                _scaled(
                    cr,
                    "account_bank_statement_line",
                    SQL("s.factor"),
                    {
                        "move_id": SQL("s.move_id"),
                        "partner_name": SQL("s.partner_name"),
                        "payment_ref": SQL("s.payment_ref"),
                        "amount": SQL("s.amount"),
                    },
                    ["amount_residual", "amount_currency"],
                ),
                SQL("account_bank_statement_line t, bench_stl s"),
                SQL("t.id = %s", template.id),
            ),
        )
    )
    cr.execute(
        """UPDATE account_bank_statement_line l
              SET internal_index = to_char(%s::date, 'YYYYMMDD')
                                   || lpad((2147483647 - l.sequence)::text, 10, '0')
                                   || lpad(l.id::text, 10, '0')
             FROM bench_stl s WHERE l.id = s.line_id""",
        [today],
    )
    cr.execute(
        "UPDATE account_move m SET statement_line_id = s.line_id FROM bench_stl s WHERE m.id = s.move_id"
    )
    cr.execute(
        _clone_sql(
            cr,
            "account_move_line",
            _scaled(cr, "account_move_line", SQL("s.factor"), {"move_id": SQL("s.move_id")}, LINE_MONEY),
            SQL("account_move_line t, bench_stl s"),
            SQL("t.move_id = %s", move.id),
        )
    )
    cr.execute("SELECT kind, count(*) FROM bench_stl GROUP BY kind ORDER BY kind")
    return dict(cr.fetchall())


def _debit_customers(env, bank):
    """The second half of the customers pay by direct debit: a complete Japanese bank account
    each (bank code, branch code, ordinary account, 7-digit number, holder in kana)."""
    from odoo.tools import SQL  # noqa: PLC0415

    cr = env.cr
    template = env["res.partner.bank"].create(
        {
            "acc_number": "7654321",
            "partner_id": env.ref("base.main_partner").id,
            "bank_id": bank.id,
            "kakeuri_branch_code": "200",
            "kakeuri_account_type": "ordinary",
            "kakeuri_holder_kana": "ｻﾝﾌﾟﾙ",
        }
    )
    env.flush_all()
    number = SQL("lpad(b.n::text, 7, '0')")
    holder = SQL("'ｶ)ｻﾝﾌﾟﾙ' || translate(lpad(b.n::text, 5, '0'), '0123456789', %s)", DIGITS_HALF)
    cr.execute(
        SQL(
            "WITH ins AS (%s RETURNING id, partner_id) "
            "UPDATE res_partner p SET kakeuri_direct_debit = TRUE, kakeuri_debit_bank_id = ins.id, "
            "kakeuri_debit_customer_code = lpad(p.id::text, 10, '0'), "
            "kakeuri_debit_mandate_date = CURRENT_DATE - 365 "
            "FROM ins WHERE p.id = ins.partner_id",
            _clone_sql(
                cr,
                "res_partner_bank",
                {
                    "partner_id": SQL("b.partner_id"),
                    "acc_number": number,
                    "sanitized_acc_number": number,
                    "kakeuri_holder_kana": holder,
                },
                SQL("res_partner_bank t, bench_partner b"),
                SQL("t.id = %s AND b.n > %s", template.id, LINES),
            ),
        )
    )
    return cr.rowcount


def generate(env, today):
    """The company, customers, invoices, statement lines and debit customers; committed."""
    cr = env.cr
    env, company, journal, bank = setup_company(env)
    _customers(env, company, today)
    _invoices(env, today)
    kinds = _statement_lines(env, journal, today)
    debit = _debit_customers(env, bank)
    for table in ("res_partner", "res_partner_bank", "account_move", "account_move_line"):
        cr.execute(f"ANALYZE {table}")
    cr.execute("ANALYZE account_bank_statement_line")
    env.invalidate_all()
    cr.commit()
    return env, company, journal, kinds, debit


@contextlib.contextmanager
def _profiled(name):
    """cProfile the block when BENCH_PROFILE names it (stats in bench/out/<name>.prof)."""
    if name not in os.environ.get("BENCH_PROFILE", "").split(","):
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
        os.makedirs(out, exist_ok=True)
        profile.dump_stats(os.path.join(out, f"cash_matching_{name}.prof"))


def _row(step, records, m, **extra):
    return {
        "step": step,
        "records": records,
        "seconds": round(m.seconds, 2),
        "cpu_s": round(m.cpu_seconds, 2),
        "pg_cpu_s": "" if m.pg_cpu_seconds is None else round(m.pg_cpu_seconds, 2),
        "queries": m.queries,
        "rss_mb": round(m.peak_rss_growth_mb),
        "load": "%.1f" % os.getloadavg()[0],
        "goal": "",
        **extra,
    }


def _state_counts(cr, line_ids):
    cr.execute(
        "SELECT kakeuri_match_state, count(*) FROM account_bank_statement_line WHERE id = ANY(%s) GROUP BY 1",
        [line_ids],
    )
    return dict(cr.fetchall())


def _reconcile(env, suggested):
    """The reconciliation of ``suggested`` (statement lines), as a result row."""
    cr = env.cr
    env.invalidate_all()
    with Measure(cr) as m:
        # the commit is profiled too: Odoo's tracking (the invoices' "Paid") runs in it
        with _profiled("reconcile"):
            # in this process, as a clerk's request below the background threshold
            suggested.with_context(kakeuri_reconcile_now=True).action_kakeuri_reconcile()
            cr.commit()
    cr.execute(
        "SELECT count(*) FROM account_bank_statement_line WHERE id = ANY(%s) AND is_reconciled",
        [suggested.ids],
    )
    reconciled = cr.fetchone()[0]
    return _row(
        "reconcile (action_kakeuri_reconcile)",
        f"{len(suggested)} suggested lines → {reconciled} reconciled",
        m,
        goal=f"{len(suggested) / m.seconds:.1f} lines/s (≥ 50)",
    )


def _reconcile_background(env, lines, conf):
    """*Reconcile* on ``lines`` (queued: more than the background threshold), then the queue
    emptied by ``WORKERS`` processes, each calling the scheduled action as a cron worker does
    (one batch per call, a commit after each), as a result row."""
    cr = env.cr
    lines.with_context(kakeuri_reconcile_now=False).action_kakeuri_reconcile()
    cr.commit()
    cr.execute("SELECT count(*) FROM account_bank_statement_line WHERE kakeuri_reconcile_queued")
    queued = cr.fetchone()[0]
    workers = [
        subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--reconcile-worker", conf],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _i in range(WORKERS)
    ]
    # each worker reports when it began and ended its calls (the registry loaded: a cron
    # worker has it already), the lines it took and the calls it had to repeat
    reports = [json.loads(worker.communicate()[0].strip().splitlines()[-1]) for worker in workers]
    failed = [worker.returncode for worker in workers]
    seconds = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    cr.rollback()  # a new snapshot: the workers' commits
    cr.execute(
        "SELECT count(*) FILTER (WHERE is_reconciled), count(*) FILTER (WHERE kakeuri_reconcile_queued)"
        " FROM account_bank_statement_line WHERE id = ANY(%s)",
        [lines.ids],
    )
    reconciled, left = cr.fetchone()
    return {
        "step": f"reconcile in background ({WORKERS} workers)",
        "records": f"{queued} queued lines → {reconciled} reconciled, {left} left; lines per worker "
        f"{[r['lines'] for r in reports]}, repeated calls {[r['repeated'] for r in reports]}, exits {failed}",
        "seconds": round(seconds, 2),
        "cpu_s": "",
        "pg_cpu_s": "",
        "queries": "",
        "rss_mb": "",
        "load": "%.1f" % os.getloadavg()[0],
        "goal": f"{queued / seconds:.1f} lines/s (≥ 50)",
    }


def reconcile_worker(conf):
    """One cron worker's loop over the queue of bank lines (see ``_reconcile_background``)."""
    from psycopg2 import errors as pg_errors  # noqa: PLC0415

    with odoo_env(DB, conf) as env:
        cron = env.ref("kakeuri_ar.ir_cron_kakeuri_reconcile_queued")
        progress = env["ir.cron.progress"].create({"cron_id": cron.id, "remaining": 0, "done": 0})
        env.cr.commit()
        StLine = env["account.bank.statement.line"].with_context(ir_cron_progress_id=progress.id)
        start, lines, repeated = time.time(), 0, 0
        while True:
            try:
                done = StLine._cron_kakeuri_reconcile_queued()
                env.cr.commit()
            except pg_errors.SerializationFailure:
                env.cr.rollback()
                done, repeated = 0, repeated + 1
            env.invalidate_all()
            lines += done
            if not done:
                if not StLine.search_count([("kakeuri_reconcile_queued", "=", True)]):
                    break
                time.sleep(0.05)  # the rest is held by the other workers
        end = time.time()
    print(json.dumps({"start": start, "end": end, "lines": lines, "repeated": repeated}), flush=True)


def main():
    conf = prepare_db(DB, fresh=os.environ.get("BENCH_FRESH", "1") != "0")
    today = date.today()
    rows = []
    with odoo_env(DB, conf) as env:
        cr = env.cr
        with Measure(cr) as m:
            env, company, journal, kinds, debit = generate(env, today)
        rows.append(
            _row(
                "generate data (SQL)",
                f"{CUSTOMERS} customers, {CUSTOMERS * INVOICES_PER_CUSTOMER} invoices, "
                f"{LINES} bank lines ({', '.join(f'{v} {k}' for k, v in kinds.items())}), "
                f"{debit} debit customers",
                m,
            )
        )
        cr.execute("SELECT line_id FROM bench_stl ORDER BY i")
        line_ids = [row[0] for row in cr.fetchall()]
        StLine = env["account.bank.statement.line"]

        env.invalidate_all()
        with Measure(cr) as m:
            with _profiled("match"):
                StLine.browse(line_ids).action_kakeuri_match()
            cr.commit()
        states = _state_counts(cr, line_ids)
        rows.append(
            _row(
                "match (action_kakeuri_match)",
                f"{LINES} lines → "
                + ", ".join(f"{states.get(s, 0)} {s}" for s in ("suggested", "ambiguous", "none")),
                m,
                goal="< 10 s",
            )
        )
        cr.execute(
            """SELECT s.kind, l.kakeuri_match_state, count(*) FROM bench_stl s
                 JOIN account_bank_statement_line l ON l.id = s.line_id GROUP BY 1, 2 ORDER BY 1, 2"""
        )
        by_kind = cr.fetchall()

        suggested = StLine.search(
            [("id", "in", line_ids), ("kakeuri_match_state", "=", "suggested")], order="id"
        )
        if RECONCILE != "all":
            suggested = suggested[: int(RECONCILE)]
        # called on no line the action reconciles every suggested line: skip the step instead
        if suggested:
            rows.append(_reconcile(env, suggested))
        background = StLine.search(
            [("id", "in", line_ids), ("kakeuri_match_state", "=", "suggested")], order="id"
        )[: len(suggested)]
        if WORKERS and background:
            rows.append(_reconcile_background(env, background, conf))
        run = env["kakeuri.direct.debit.run"].create(
            {
                "company_id": company.id,
                "journal_id": journal.id,
                "collection_date": today + timedelta(days=30),
            }
        )
        cr.commit()
        env.invalidate_all()
        with Measure(cr) as m:
            with _profiled("collect"):
                run.action_collect()
            cr.commit()
        rows.append(
            _row(
                "direct debit: collect (action_collect)",
                f"{debit} debit customers → {len(run.line_ids)} lines, ¥{int(run.amount_total):,}",
                m,
            )
        )
        env.invalidate_all()
        with Measure(cr) as m:
            with _profiled("export"):
                run.action_export()
            cr.commit()
        size = len(run.attachment_id.raw or b"")
        rows.append(
            _row(
                "direct debit: export (action_export)",
                f"{len(run.line_ids)} debits → {size:,} bytes ({size // 122} records)",
                m,
                goal="< 5 s",
            )
        )
    report("cash_matching", rows)
    print()
    print("proposals per kind of receipt:")
    for kind, state, count in by_kind:
        print(f"  {kind:15} {state:10} {count}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--reconcile-worker"]:
        reconcile_worker(sys.argv[2])
    else:
        main()
