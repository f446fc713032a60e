"""Scale-out benchmark: several Odoo servers with cron workers on one database.

One database is prepared once (bulk SQL, the generators of ``contracts.py`` and ``dunning.py``):
10,000 active monthly contracts to bill, 5,000 customers with a closing day (month end) to
close, and a computed dunning run for 20,000 overdue customers, queued for sending (as *Send*
queues a large run). Every other scheduled action of the database is archived (no mail is sent,
nothing else runs).

For each configuration (``--configs``, default ``1x1,2x1``: one server with one cron thread,
then two servers with one cron thread each) a copy of that database is made, the servers are
started (``127.0.0.1`` only; threaded, or prefork with ``--workers``) and the three jobs are
made due at once, as at night: contract billing ``_cron_generate_invoices``, the closing
``_cron_close_period`` and the queued dunning send ``_cron_send_queued``, each with its lanes
(scheduled actions with the same code). The clock runs from then until every invoice,
statement and reminder is made. Then the servers are stopped (always, also on an error) and the
database is checked: one invoice per contract and period, unique invoice numbers without gaps,
one statement per customer, company and closing date, one reminder line and one mail per
customer of the run, nothing left to do, no failure. Which server ran which job and lane (and
how many items its calls reported) is read from the servers' logs.

    python3 bench/scaleout.py                     # the sizes above
    python3 bench/scaleout.py --contracts 500 --closing 250 --dunning 1000 \
        --billing-batch 25 --dunning-batch 50       # small: as many batches as the full size
    BENCH_DB_SUFFIX=_me python3 bench/scaleout.py --reuse-data   # keep the prepared database

Results: a table, and ``bench/out/scaleout.json``; server logs in ``bench/out/scaleout-*.log``.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import contracts as contracts_bench  # noqa: E402
import dunning as dunning_bench  # noqa: E402
from _common import BENCH_DB_SUFFIX, ROOT, dev, odoo_env, prepare_db, report  # noqa: E402

TEMPLATE_DB = "kakeuri_bench_scaleout" + BENCH_DB_SUFFIX
RUN_DB = TEMPLATE_DB + "_run"
OUT = os.path.join(ROOT, "bench", "out")
# the cron workers are woken once a second for as long, until every one of them listens
WAKE_SECONDS = 10
JOBS = {
    "billing": "kakeuri_ar.ir_cron_kakeuri_contract_invoices",
    "closing": "kakeuri_ar.ir_cron_kakeuri_close_period",
    "dunning": "kakeuri_ar.ir_cron_kakeuri_dunning_send_queued",
}
FAR = "2100-01-01 00:00:00"


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contracts", type=int, default=10_000, help="contracts to bill (customers: 1/5)")
    parser.add_argument("--closing", type=int, default=5_000, help="customers to close (at most --dunning)")
    parser.add_argument("--dunning", type=int, default=20_000, help="overdue customers in the dunning run")
    parser.add_argument(
        "--configs",
        default="1x1,2x1",
        help="servers x cron threads per server, comma separated (first = base)",
    )
    parser.add_argument(
        "--billing-batch", type=int, default=500, help="contracts per billing batch (the cron's default: 500)"
    )
    parser.add_argument(
        "--dunning-batch", type=int, default=500, help="reminders per sending batch (the default: 500)"
    )
    parser.add_argument(
        "--base-port", type=int, default=8369, help="HTTP port of the first server (127.0.0.1)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="HTTP workers per server (0: threaded; more: prefork cron processes)",
    )
    parser.add_argument("--timeout", type=int, default=3600, help="seconds a configuration may take")
    parser.add_argument(
        "--reuse-data", action="store_true", help="keep the prepared database if it has these sizes"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database of the last configuration")
    args = parser.parse_args()
    if args.closing > args.dunning:
        parser.error("--closing takes its customers among the --dunning ones: at most --dunning")
    args.configs = [tuple(int(x) for x in c.split("x")) for c in args.configs.split(",")]
    return args


# ------------------------------------------------------------------ data
def prepare_template(args):
    """The prepared database (made once, or reused with --reuse-data) and what to expect of it."""
    marker = os.path.join(dev.STATE, f"{TEMPLATE_DB}.scaleout.json")
    sizes = {
        "contracts": args.contracts,
        "closing": args.closing,
        "dunning": args.dunning,
        "billing_batch": args.billing_batch,
        "dunning_batch": args.dunning_batch,
    }
    if args.reuse_data and dev.db_exists(TEMPLATE_DB) and os.path.exists(marker):
        with open(marker) as fh:
            kept = json.load(fh)
        if kept["sizes"] == sizes:
            prepare_db(TEMPLATE_DB)  # upgraded if the addon changed
            print(f"reusing {TEMPLATE_DB}")
            return kept["expect"]
    if os.path.exists(marker):
        os.remove(marker)
    conf = prepare_db(TEMPLATE_DB, fresh=True)
    t0 = time.perf_counter()
    with odoo_env(TEMPLATE_DB, conf) as env:
        expect = generate(env, args)
    import odoo  # noqa: PLC0415

    odoo.sql_db.close_db(TEMPLATE_DB)  # a template database must have no connection
    print(f"data generated in {time.perf_counter() - t0:.1f} s: {expect}")
    with open(marker, "w") as fh:
        json.dump({"sizes": sizes, "expect": expect}, fh)
    return expect


def generate(env, args):
    import odoo  # noqa: PLC0415

    today = contracts_bench.generate(env, contracts=args.contracts, customers=max(args.contracts // 5, 2))
    company, _moves = dunning_bench.generate(env, date.today(), customers=args.dunning)
    cr = env.cr
    # the closing customers: the first ones of the dunning run (they have invoices of the
    # months before, so a balance), closing at month end; the closing runs beside their dunning
    cr.execute(
        "UPDATE res_partner SET kakeuri_closing_day = 31 "
        "WHERE id IN (SELECT partner_id FROM bench_partner WHERE n <= %s)",
        [args.closing],
    )
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    env["ir.config_parameter"].sudo().set_param("kakeuri_ar.dunning_background_threshold", "0")
    env["ir.config_parameter"].sudo().set_param("kakeuri_ar.dunning_batch_size", str(args.dunning_batch))
    if args.billing_batch != 500:  # small runs: as many batches as the full size has
        job_crons(env, "billing").write(
            {"code": f"model._cron_generate_invoices(batch_size={args.billing_batch})"}
        )
    levels = env["kakeuri.dunning.level"].search([("company_id", "=", company.id), ("auto", "=", True)])
    # levels that may be skipped: a customer gets the level its invoices reached at once (most
    # get the final notice: email, letter and hold), the workload of the earlier figures; with
    # one level at a time every generated customer, never reminded, would get the first level
    levels.write({"skippable": True})
    run = env["kakeuri.dunning.run"].create(
        {"date": today, "company_id": company.id, "level_ids": [odoo.Command.set(levels.ids)], "auto": True}
    )
    run.action_compute()
    run.action_send()  # queued for the scheduled action (threshold 0)
    assert run.send_queued, "the dunning run was not queued"
    # only the three jobs (and their lanes) run, when the benchmark makes them due
    crons = job_crons(env)
    env["ir.cron"].search([("id", "not in", crons.ids)]).write({"active": False})
    crons.write({"nextcall": FAR})
    env["ir.cron.trigger"].search([]).unlink()
    env.flush_all()
    cr.execute(
        "SELECT count(*) FROM kakeuri_contract WHERE state = 'active' AND next_invoice_date <= %s", [today]
    )
    to_bill = cr.fetchone()[0]
    cr.execute("SELECT count(*) FROM kakeuri_dunning_line WHERE run_id = %s AND state = 'draft'", [run.id])
    to_send = cr.fetchone()[0]
    cr.commit()
    for table in ("res_partner", "account_move", "account_move_line", "kakeuri_dunning_line"):
        cr.execute(f"ANALYZE {table}")
    cr.commit()
    return {
        "today": str(today),
        "invoices": to_bill,
        "statements": args.closing,
        "reminders": to_send,
        "run_id": run.id,
        "crons": {name: job_crons(env, name).ids for name in JOBS},
    }


def job_crons(env, name=None):
    """The scheduled actions of the benchmark's jobs, or of job ``name``, lanes included."""
    Mixin = env["kakeuri.batch.mixin"]
    crons = env["ir.cron"]
    for job, xmlid in JOBS.items():
        if name in (None, job):
            crons |= Mixin._kakeuri_cron_lanes(env.ref(xmlid))
    return crons


def copy_database():
    """A fresh copy of the prepared database (its config file is written by ``main``)."""
    dev.drop_db(RUN_DB)
    res = dev._psql(f'CREATE DATABASE "{RUN_DB}" TEMPLATE "{TEMPLATE_DB}"')
    if res.returncode:
        dev.die(f"could not copy {TEMPLATE_DB}: {res.stderr.strip()}")
    filestore = os.path.join(dev.STATE, "data", "filestore")
    if os.path.isdir(os.path.join(filestore, TEMPLATE_DB)):
        shutil.copytree(os.path.join(filestore, TEMPLATE_DB), os.path.join(filestore, RUN_DB))


def connect(dbname):
    import psycopg2  # noqa: PLC0415

    cnx = psycopg2.connect(dbname=dbname)  # PG* variables set by dev.ensure_postgres()
    cnx.autocommit = True
    return cnx


# --------------------------------------------------------------- servers
def start_servers(conf, servers, threads, args, label, procs):
    """Start the servers, each in a process group of its own, into ``procs`` (filled as they
    start, so that the caller stops every one that started, whatever happens)."""
    for i in range(servers):
        log = os.path.join(OUT, f"scaleout-{label}-server{i + 1}.log")
        if os.path.exists(log):
            os.remove(log)
        cmd = dev.odoo_cmd(
            conf,
            "-d",
            RUN_DB,
            f"--db-filter=^{RUN_DB}$",
            "--http-interface=127.0.0.1",
            f"--http-port={args.base_port + i}",
            f"--gevent-port={args.base_port + 100 + i}",
            f"--workers={args.workers}",
            f"--max-cron-threads={threads}",
            # no time limit on a round of jobs (the clock is the benchmark's): prefork reads
            # limit-time-real-cron (0: none), threaded cron threads fall back to limit-time-real
            "--limit-time-real-cron=0",
            "--limit-time-real=86400",
            "--limit-time-cpu=86400",
            f"--logfile={log}",
            "--log-level=info",
        )
        env = dict(os.environ, ODOO_PGAPPNAME=f"kakeuri-bench-server{i + 1}-{{pid}}")
        # what does not reach the log file: a process of the server that fails before its
        # logging is set up (the websocket process, started again at once, over and over)
        output = log.replace(".log", ".out")
        with open(output, "w") as out:
            proc = subprocess.Popen(
                cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        procs.append({"name": f"server{i + 1}", "proc": proc, "log": log, "output": output})
    deadline = time.monotonic() + 300
    for server in procs:
        while not _log_has(server["log"], "Registry loaded in"):
            if server["proc"].poll() is not None:
                raise RuntimeError(
                    f"{server['name']} stopped (exit {server['proc'].returncode}); see {server['log']}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{server['name']} did not load the registry in 300 s; see {server['log']}"
                )
            time.sleep(0.5)


def _log_has(path, text):
    if not os.path.exists(path):
        return False
    with open(path, errors="replace") as fh:
        return text in fh.read()


def stop_servers(procs):
    """Stop the servers this benchmark started (their own process groups), for sure."""
    for server in procs:
        if server["proc"].poll() is None:
            os.killpg(server["proc"].pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for server in procs:
        try:
            server["proc"].wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(server["proc"].pid, signal.SIGKILL)
            server["proc"].wait()


# ------------------------------------------------------------------- run
def progress(cr, expect):
    cr.execute(
        """SELECT (SELECT count(*) FROM account_move WHERE kakeuri_contract_id IS NOT NULL),
                  (SELECT count(*) FROM kakeuri_billing_statement),
                  (SELECT count(*) FROM kakeuri_dunning_line WHERE run_id = %(run)s AND state != 'draft'),
                  (SELECT state FROM kakeuri_dunning_run WHERE id = %(run)s),
                  (SELECT count(*) FROM ir_cron c WHERE id = ANY(%(crons)s)
                      AND (nextcall <= now() AT TIME ZONE 'UTC'
                           OR EXISTS (SELECT 1 FROM ir_cron_trigger t WHERE t.cron_id = c.id
                                         AND t.call_at <= now() AT TIME ZONE 'UTC')))""",
        {"run": expect["run_id"], "crons": [i for ids in expect["crons"].values() for i in ids]},
    )
    invoices, statements, sent, run_state, due = cr.fetchone()
    return {
        "billing": invoices >= expect["invoices"],
        "closing": statements >= expect["statements"],
        "dunning": sent >= expect["reminders"] and run_state == "done",
        "counts": (invoices, statements, sent),
        "idle": not due,
    }


def run_config(args, conf, expect, servers, threads):
    label = f"{servers}x{threads}" + (f"-w{args.workers}" if args.workers else "")
    copy_database()
    procs = []
    try:
        start_servers(conf, servers, threads, args, label, procs)
        db, pg = connect(RUN_DB), connect("postgres")
        cr = db.cursor()
        load0 = os.getloadavg()[0]
        crons = [i for ids in expect["crons"].values() for i in ids]
        # due now, as at night; then wake the cron workers of every server
        cr.execute(
            "UPDATE ir_cron SET nextcall = (now() AT TIME ZONE 'UTC') - interval '1 second' "
            "WHERE id = ANY(%s)",
            [crons],
        )
        cpu0 = cpu_snapshot()
        t0 = time.perf_counter()
        finished, loads, woken = {}, [load0], -1
        while True:
            now = time.perf_counter() - t0
            if now < WAKE_SECONDS and int(now) > woken:
                # a cron worker logs "alive" before it listens: a wake-up sent in between is
                # lost and it sleeps a minute; the notifications it finds when it next sleeps
                # only make it look for due jobs again
                pg.cursor().execute("SELECT pg_notify('cron_trigger', %s)", [RUN_DB])
                woken = int(now)
            state = progress(cr, expect)
            now = time.perf_counter() - t0
            for job in JOBS:
                if state[job] and job not in finished:
                    finished[job] = round(now, 1)
            if len(finished) == len(JOBS) and state["idle"]:
                break
            if now > args.timeout:
                raise RuntimeError(f"{label}: not done after {args.timeout} s: {state}")
            dead = [s["name"] for s in procs if s["proc"].poll() is not None]
            if dead:
                raise RuntimeError(f"{label}: {', '.join(dead)} stopped; see its log")
            loads.append(os.getloadavg()[0])
            time.sleep(0.5)
        seconds = max(finished.values())
        cpu = cpu_share(cpu0, cpu_snapshot())
        db.close()
        pg.close()
    finally:
        stop_servers(procs)
    checks = check_database(expect)
    items = expect["invoices"] + expect["statements"] + expect["reminders"]
    return {
        "config": f"{servers} server(s) x {threads} cron {'worker' if args.workers else 'thread'}(s)",
        "seconds": seconds,
        "items_per_s": round(items / seconds, 1),
        "billing_done_s": finished["billing"],
        "closing_done_s": finished["closing"],
        "dunning_done_s": finished["dunning"],
        "load_avg": f"{min(loads):.1f}-{max(loads):.1f}",
        "cpu_cores": cpu,
        "duplicates": checks["duplicates"],
        "left_or_failed": checks["left"],
        "who_did_what": attribution(procs, expect),
    }


# ------------------------------------------------------------------- cpu
def cpu_snapshot():
    """(time, the machine's CPU seconds by kind from /proc/stat, CPU seconds of every process
    this benchmark can see): the load average counts the tasks of the whole kernel, and on a
    shared machine some of them are not ours."""
    hz = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as fh:
        fields = [int(v) / hz for v in fh.readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    seen = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue  # ended meanwhile
        values = stat[stat.rindex(")") + 2 :].split()
        # its own time and that of its children that ended (utime, stime, cutime, cstime)
        seen[pid] = sum(int(v) for v in values[11:15]) / hz
    busy = user + nice + system + irq + softirq
    return time.monotonic(), {"busy": busy, "steal": steal, "idle": idle + iowait}, seen


def cpu_share(before, after):
    """Cores used while the jobs ran: by the processes visible here (the servers, PostgreSQL,
    this script), by anything else on the machine (other containers), and stolen by the
    hypervisor."""
    (t0, machine0, procs0), (t1, machine1, procs1) = before, after
    seconds = max(t1 - t0, 1e-6)
    ours = sum(cpu - procs0.get(pid, 0.0) for pid, cpu in procs1.items())
    busy = machine1["busy"] - machine0["busy"]
    return {
        "ours": round(ours / seconds, 2),
        "others": round(max(busy - ours, 0.0) / seconds, 2),
        "stolen": round((machine1["steal"] - machine0["steal"]) / seconds, 2),
        "idle": round((machine1["idle"] - machine0["idle"]) / seconds, 2),
    }


# ---------------------------------------------------------------- checks
DUPLICATE_CHECKS = {
    "invoice per contract and period": """
        SELECT kakeuri_contract_id, kakeuri_period_start FROM account_move
         WHERE kakeuri_contract_id IS NOT NULL AND state != 'cancel'
         GROUP BY 1, 2 HAVING count(*) > 1""",
    "invoice number per journal": """
        SELECT journal_id, name FROM account_move
         WHERE state = 'posted' GROUP BY 1, 2 HAVING count(*) > 1""",
    "statement per customer, company and closing date": """
        SELECT partner_id, company_id, period_end FROM kakeuri_billing_statement
         WHERE state != 'cancel' GROUP BY 1, 2, 3 HAVING count(*) > 1""",
    "dunning line per customer and run": """
        SELECT run_id, partner_id FROM kakeuri_dunning_line GROUP BY 1, 2 HAVING count(*) > 1""",
    "reminder mail per customer (one run)": """
        SELECT msg.res_id FROM mail_mail mm
          JOIN mail_message msg ON msg.id = mm.mail_message_id
         WHERE msg.model = 'res.partner' GROUP BY 1 HAVING count(*) > 1""",
    "mail per reminder message": """
        SELECT mail_message_id FROM mail_mail GROUP BY 1 HAVING count(*) > 1""",
    "invoice numbers without gaps (missing numbers)": """
        SELECT journal_id, sequence_prefix FROM account_move
         WHERE state = 'posted' AND kakeuri_contract_id IS NOT NULL
         GROUP BY 1, 2 HAVING max(sequence_number) - min(sequence_number) + 1 != count(*)""",
}

LEFT_CHECKS = {
    "contracts still due": """
        SELECT count(*) FROM kakeuri_contract WHERE state = 'active' AND next_invoice_date <= %(today)s""",
    "draft contract invoices": """
        SELECT count(*) FROM account_move WHERE kakeuri_contract_id IS NOT NULL AND state != 'posted'""",
    "closing customers without statement": """
        SELECT count(*) FROM res_partner p WHERE kakeuri_closing_day > 0
           AND NOT EXISTS (SELECT 1 FROM kakeuri_billing_statement s WHERE s.partner_id = p.id)""",
    "reminder lines not sent": """
        SELECT count(*) FROM kakeuri_dunning_line
         WHERE run_id = %(run)s AND state NOT IN ('sent', 'skipped')""",
    "dunning run notes of a stopped sending": """
        SELECT count(*) FROM mail_message
         WHERE model = 'kakeuri.dunning.run' AND res_id = %(run)s AND body::text LIKE '%%stopped%%'""",
    "scheduled actions with a failure": """
        SELECT count(*) FROM ir_cron WHERE id = ANY(%(crons)s) AND failure_count > 0""",
    "reminder messages without their mail": """
        SELECT count(*) FROM kakeuri_dunning_line line
         WHERE run_id = %(run)s AND mail_message_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM mail_mail mm WHERE mm.mail_message_id = line.mail_message_id)""",
}


def check_database(expect):
    cnx = connect(RUN_DB)
    cr = cnx.cursor()
    duplicates, left = {}, {}
    for name, sql in DUPLICATE_CHECKS.items():
        cr.execute(f"SELECT count(*) FROM ({sql}) d")
        duplicates[name] = cr.fetchone()[0]
    for name, sql in LEFT_CHECKS.items():
        crons = [i for ids in expect["crons"].values() for i in ids]
        cr.execute(sql, {"today": expect["today"], "run": expect["run_id"], "crons": crons})
        left[name] = cr.fetchone()[0]
    cnx.close()
    return {"duplicates": duplicates, "left": left}


JOB_LINE = re.compile(
    r"^\S+ \S+ (\d+) INFO \S+ odoo\.addons\.base\.models\.ir_cron: Job '([^']+)' \((\d+)\) done in ([\d.]+)s"
)
COUNT_LINE = re.compile(
    r"^\S+ \S+ (\d+) INFO \S+ odoo\.addons\.kakeuri_ar\.\S+: kakeuri: (.*?created (\d+) .*)$"
)


def attribution(procs, expect):
    """Per server: seconds spent in each job and lane, and the invoices and statements its
    calls reported, from the server's log."""
    job_of = {
        cron_id: job if k == 0 else f"{job} lane {k + 1}"
        for job, ids in expect["crons"].items()
        for k, cron_id in enumerate(ids)
    }
    result = {}
    for server in procs:
        seconds, made, errors = {}, {}, 0
        with open(server["log"], errors="replace") as fh:
            for line in fh:
                errors += " ERROR " in line or " CRITICAL " in line
                m = JOB_LINE.match(line)
                if m and int(m.group(3)) in job_of:
                    job = job_of[int(m.group(3))]
                    seconds[job] = round(seconds.get(job, 0) + float(m.group(4)), 1)
                m = COUNT_LINE.match(line)
                if m:
                    job = "invoices" if "contract billing" in m.group(2) else "statements"
                    made[job] = made.get(job, 0) + int(m.group(3))
        with open(server["output"], errors="replace") as fh:
            errors += sum(line.startswith("Traceback") for line in fh)
        result[server["name"]] = {"seconds_in_job": seconds, "items_reported": made, "log_errors": errors}
    return result


def main():
    # stopped by a signal (``timeout``, a CI), the servers are stopped too: finally blocks run
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    args = parse_args()
    os.makedirs(OUT, exist_ok=True)
    dev.check_odoo()
    dev.ensure_postgres()
    # before Odoo's configuration is loaded in this process (it is parsed only once)
    conf = dev.write_conf(RUN_DB)
    expect = prepare_template(args)
    rows = []
    try:
        for servers, threads in args.configs:
            print(f"running {servers} server(s) x {threads} cron thread(s) ...", flush=True)
            rows.append(run_config(args, conf, expect, servers, threads))
            print(json.dumps(rows[-1], indent=1), flush=True)
    finally:
        if not args.keep:
            dev.drop_db(RUN_DB)
    base = rows[0]["seconds"]
    table = [
        {
            **{
                k: v
                for k, v in row.items()
                if k not in ("duplicates", "left_or_failed", "who_did_what", "cpu_cores")
            },
            "cores_ours_others": f"{row['cpu_cores']['ours']}/{row['cpu_cores']['others']}",
            "speed_up": round(base / row["seconds"], 2),
            "duplicates": sum(row["duplicates"].values()),
            "left_or_failed": sum(row["left_or_failed"].values()),
            "log_errors": sum(s["log_errors"] for s in row["who_did_what"].values()),
        }
        for row in rows
    ]
    print(
        f"work: {expect['invoices']} invoices, {expect['statements']} statements, "
        f"{expect['reminders']} reminders"
    )
    report("scaleout", table)
    with open(os.path.join(OUT, "scaleout-details.json"), "w") as fh:
        json.dump({"expect": expect, "runs": rows}, fh, indent=2)
    if any(t["duplicates"] or t["left_or_failed"] or t["log_errors"] for t in table):
        sys.exit("something was made twice, left undone or failed: see bench/out/scaleout-details.json")


if __name__ == "__main__":
    main()
