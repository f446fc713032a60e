"""Shared helpers for the benchmarks (not tests): a database with kakeuri_ar installed
without demo data, an Odoo environment on it, a query counter and a result table.

Data is generated with bulk SQL by each benchmark; the measured code path is the addon's."""

import contextlib
import json
import os
import resource
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import dev  # noqa: E402

# Appended to every benchmark database name: two checkouts (worktrees) benchmarking at once
# must not share, and upgrade, one database.
BENCH_DB_SUFFIX = os.environ.get("BENCH_DB_SUFFIX", "")


def prepare_db(name, modules="kakeuri_ar", fresh=False):
    """Return the Odoo config path of database ``name`` with ``modules`` installed
    (without demo data); create it if missing or when ``fresh``."""
    dev.check_odoo()
    dev.ensure_postgres()
    conf = dev.write_conf(name)
    if fresh:
        dev.drop_db(name)
    if not dev.db_exists(name):
        dev.install(name, conf, modules=modules, demo=False)
    else:
        dev.ensure_current(name, conf)
    return conf


@contextlib.contextmanager
def odoo_env(db_name, conf, uid=None, context=None):
    """Yield an ``odoo.api.Environment`` on ``db_name``; the caller commits."""
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", conf, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(db_name)
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, uid or odoo.SUPERUSER_ID, dict(context or {}))


def _backend_cpu(pid):
    """CPU seconds (user + system) used so far by the PostgreSQL backend ``pid`` (local
    cluster only: read from /proc), or None when it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Measure:
    """Wall time, CPU time of this process and of its PostgreSQL backend, SQL queries and peak
    RSS growth of a block: ``with Measure(cr) as m:``. CPU times are what to compare on a
    busy machine (wall time includes waiting for the other processes)."""

    def __init__(self, cr):
        self.cr = cr
        self.cr.execute("SELECT pg_backend_pid()")
        self.backend_pid = self.cr.fetchone()[0]

    def __enter__(self):
        self.queries0 = self.cr.sql_log_count
        self.rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.pg0 = _backend_cpu(self.backend_pid)
        self.cpu0 = time.process_time()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.cpu_seconds = time.process_time() - self.cpu0
        pg1 = _backend_cpu(self.backend_pid)
        self.pg_cpu_seconds = pg1 - self.pg0 if pg1 is not None and self.pg0 is not None else None
        self.queries = self.cr.sql_log_count - self.queries0
        self.peak_rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - self.rss0) / 1024
        return False


def report(name, rows):
    """Print a result table and keep it as bench/out/<name>.json."""
    out = os.path.join(ROOT, "bench", "out")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, f"{name}.json"), "w") as fh:
        json.dump(rows, fh, indent=2, default=str)
    keys = list(rows[0]) if rows else []
    widths = {k: max(len(k), *(len(str(r.get(k, ""))) for r in rows)) for k in keys}
    print(" | ".join(k.ljust(widths[k]) for k in keys))
    print("-+-".join("-" * widths[k] for k in keys))
    for r in rows:
        print(" | ".join(str(r.get(k, "")).ljust(widths[k]) for k in keys))
