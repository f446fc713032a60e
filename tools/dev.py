#!/usr/bin/env python3
"""Developer commands behind ``make demo``, ``make test`` and ``make bench``.

Odoo 18.0 is a prerequisite: it must be importable as the ``odoo`` package of the
Python that runs this script (``$PYTHON``, default ``python3``). Nothing here installs
Odoo. PostgreSQL comes from the usual ``PG*`` variables; without them the local Debian
cluster is started if it is down and a login role ``odoo`` is created for Odoo.
"""

import argparse
import concurrent.futures
import hashlib
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time

import odoo_tests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATE = os.path.join(ROOT, ".odoo")
ODOO_DOCS = "https://www.odoo.com/documentation/18.0/administration/on_premise/source.html"
DEMO_DB = "kakeuri_demo"
ROLE = "odoo"


def die(msg):
    sys.stderr.write(f"\nkakeuri_ar: ERROR: {msg}\n\n")
    sys.exit(2)


def info(msg):
    print(f"kakeuri_ar: {msg}", flush=True)


# --------------------------------------------------------------------- Odoo
def check_odoo():
    try:
        import odoo.release as release  # noqa: PLC0415
    except ImportError:
        die(
            f"Odoo is not installed for {sys.executable}: `import odoo` failed.\n"
            "Install Odoo 18.0 (Community) so that this Python imports it, e.g. from "
            "source with `pip install -r requirements.txt` and the source tree on the "
            f"Python path or `pip install -e .`. See {ODOO_DOCS}\n"
            "Another interpreter can be chosen with PYTHON=/path/to/python."
        )
    if tuple(release.version_info[:2]) != (18, 0):
        die(
            f"Odoo {release.version} found at {os.path.dirname(release.__file__)}, "
            f"but kakeuri_ar needs Odoo 18.0. See {ODOO_DOCS}"
        )
    return release.version


def addons_path():
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config([])
    return ",".join([ROOT] + config["addons_path"].split(","))


# --------------------------------------------------------------- PostgreSQL
def _psql(sql, user_env=None, db="postgres"):
    """Run ``sql`` with psql on ``db``; the result rows in ``stdout``, one per line."""
    env = dict(os.environ, **(user_env or {}))
    return subprocess.run(
        ["psql", "-X", "-q", "-t", "-A", "-d", db, "-c", sql],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _as_postgres(cmd):
    """Run a command as the postgres OS user (local cluster administration)."""
    if os.geteuid() == 0:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--"] + cmd, capture_output=True, text=True, check=False
        )
    return subprocess.run(["sudo", "-n", "-u", "postgres"] + cmd, capture_output=True, text=True, check=False)


def ensure_postgres():
    if not shutil.which("psql"):
        die("PostgreSQL client `psql` not found. Install PostgreSQL 15 (e.g. apt-get install postgresql).")
    if any(k in os.environ for k in ("PGHOST", "PGUSER", "PGPORT")):
        res = _psql("SELECT 1")
        if res.returncode:
            die(
                "PostgreSQL is not reachable with the PG* variables set "
                f"(PGHOST={os.environ.get('PGHOST')}, PGUSER={os.environ.get('PGUSER')}):\n"
                + res.stderr.strip()
            )
        return
    # Local cluster
    if not shutil.which("pg_lsclusters"):
        die(
            "No PG* variables are set and no local Debian PostgreSQL cluster was found "
            "(pg_lsclusters missing). Install PostgreSQL 15 or set PGHOST/PGUSER/PGPASSWORD."
        )
    clusters = subprocess.run(
        ["pg_lsclusters", "-h"], capture_output=True, text=True, check=False
    ).stdout.split("\n")
    clusters = [c.split() for c in clusters if c.strip()]
    if not clusters:
        die("No local PostgreSQL cluster exists. Create one with `pg_createcluster 15 main`.")
    ver, name, port, status = clusters[0][:4]
    if status != "online":
        info(f"starting local PostgreSQL cluster {ver}/{name}")
        res = subprocess.run(
            ["pg_ctlcluster", ver, name, "start"], capture_output=True, text=True, check=False
        )
        if res.returncode:
            die(f"could not start PostgreSQL {ver}/{name}: {res.stderr.strip()}")
    env = {"PGHOST": "127.0.0.1", "PGPORT": port, "PGUSER": ROLE, "PGPASSWORD": ROLE}
    for _i in range(30):
        if _psql("SELECT 1", env).returncode == 0:
            break
        res = _as_postgres(["psql", "-p", port, "-tAc", f"SELECT 1 FROM pg_roles WHERE rolname='{ROLE}'"])
        if res.returncode == 0 and not res.stdout.strip():
            info(f"creating PostgreSQL login role '{ROLE}'")
            _as_postgres(["psql", "-p", port, "-c", f"CREATE ROLE {ROLE} LOGIN SUPERUSER PASSWORD '{ROLE}'"])
        time.sleep(1)
    else:
        die(f"PostgreSQL on port {port} does not accept the login role '{ROLE}'.")
    os.environ.update(env)


def db_exists(name):
    res = _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    return res.stdout.strip() == "1"


def drop_db(name):
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(os.path.join(STATE, "data", "filestore", name), ignore_errors=True)


# --------------------------------------------------------------------- Odoo run
def write_conf(db_name, extra=None):
    os.makedirs(STATE, exist_ok=True)
    path = os.path.join(STATE, f"{db_name}.conf")
    lines = [
        "[options]",
        f"addons_path = {addons_path()}",
        f"data_dir = {os.path.join(STATE, 'data')}",
        f"db_name = {db_name}",
        "admin_passwd = admin",
        "list_db = False",
        "max_cron_threads = 1",
    ]
    for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD"):
        opt = {"PGHOST": "db_host", "PGPORT": "db_port", "PGUSER": "db_user", "PGPASSWORD": "db_password"}[
            key
        ]
        if os.environ.get(key):
            lines.append(f"{opt} = {os.environ[key]}")
    lines += [f"{k} = {v}" for k, v in (extra or {}).items()]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def odoo_launcher():
    """The command that starts Odoo: its ``odoo-bin`` (a source tree) or its ``odoo`` script
    (a pip install), run by this Python. Not ``python -m odoo``: with ``--workers``, Odoo's
    server starts its websocket (gevent) process as ``python sys.argv[0] gevent``, and the
    ``sys.argv[0]`` of ``-m odoo`` is the package's ``__main__.py``, which cannot run as a
    script; that process then dies at once and is started again, over and over, and takes a
    whole core from the server's workers."""
    spec = importlib.util.find_spec("odoo")
    candidates = []
    if spec and spec.submodule_search_locations:
        candidates.append(os.path.join(os.path.dirname(list(spec.submodule_search_locations)[0]), "odoo-bin"))
    candidates.append(os.path.join(os.path.dirname(sys.executable), "odoo"))
    for path in candidates:
        if os.path.isfile(path):
            return [sys.executable, path]
    return [sys.executable, "-m", "odoo"]  # threaded servers, scripts and tests need no more


def odoo_cmd(conf, *args):
    return [*odoo_launcher(), "-c", conf, *args]


def odoo_shell_cmd(conf, db_name):
    """``odoo shell`` on ``db_name``: Odoo takes its subcommand first, before any option."""
    return [*odoo_launcher(), "shell", "-c", conf, "-d", db_name, "--no-http", "--log-level=warn"]


def install(db_name, conf, modules="kakeuri_ar", demo=True, languages=None):
    """Install the addon; fail on any ERROR/CRITICAL log line (Odoo 18 only warns
    when demo data fails to load, which would hide broken demo records). ``languages``
    (``"ja_JP,zh_CN"``) are loaded first, so demo records can be in them."""
    args = ["-d", db_name, "-i", modules, "--stop-after-init", "--no-http", "--log-level=info"]
    if languages:
        args.append(f"--load-language={languages}")
    if not demo:
        args.append("--without-demo=all")
    info(f"installing {modules} in database {db_name} (with{'out' if not demo else ''} demo data)")
    proc = subprocess.Popen(
        odoo_cmd(conf, *args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    bad = []
    log_path = os.path.join(STATE, f"{db_name}-install.log")
    with open(log_path, "w") as log:
        for line in proc.stdout:
            log.write(line)
            if " ERROR " in line or " CRITICAL " in line or "Traceback" in line or "demo data failed" in line:
                bad.append(line.rstrip())
                sys.stdout.write(line)
            elif " WARNING " in line and "kakeuri" in line:
                sys.stdout.write(line)
    rc = proc.wait()
    if rc or bad:
        die(f"installing {modules} failed (exit {rc}); full log: {log_path}")
    _write_addon_hash(db_name)


def _addon_hash():
    """Hash of the addon's files, to know whether a kept database has the current code."""
    digest = hashlib.sha256()
    addon = os.path.join(ROOT, "kakeuri_ar")
    for folder, dirs, files in os.walk(addon):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".xml", ".csv", ".po", ".pot")):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, addon).encode())
                with open(path, "rb") as fh:
                    digest.update(fh.read())
    return digest.hexdigest()


def _write_addon_hash(db_name):
    with open(os.path.join(STATE, f"{db_name}.addon-hash"), "w") as fh:
        fh.write(_addon_hash())


def ensure_current(db_name, conf):
    """Upgrade kakeuri_ar in a kept database when the addon changed since it was installed."""
    path = os.path.join(STATE, f"{db_name}.addon-hash")
    old = ""
    if os.path.exists(path):
        with open(path) as fh:
            old = fh.read().strip()
    if old == _addon_hash():
        return
    info(f"the addon changed: upgrading kakeuri_ar in {db_name}")
    args = ["-d", db_name, "-u", "kakeuri_ar", "--stop-after-init", "--no-http", "--log-level=warn"]
    rc = subprocess.call(odoo_cmd(conf, *args))
    if rc:
        die(f"upgrading kakeuri_ar in {db_name} failed (exit {rc})")
    _write_addon_hash(db_name)


def browser_note():
    """Say which tests cannot run when no Chromium is found: Odoo's tours then skip."""
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    if not any(shutil.which(name) for name in names):
        info(
            "WARNING: no Chromium found (apt-get install chromium): the portal tours "
            "(test_portal_tour.py) will be skipped by Odoo"
        )
    try:
        import websocket  # noqa: F401  (Odoo drives Chromium through it)
    except ImportError:
        info("WARNING: websocket-client is missing (pip install websocket-client): tours will be skipped")


# The suite runs twice: kakeuri_ar never depends on l10n_jp, and must work with and without it
# (the Japanese test company takes l10n_jp's chart when it is there, the generic one otherwise).
TEST_PASSES = {"plain": "", "jp": ",l10n_jp"}


def _test_pass(name, args):
    db_name = (args.db or f"kakeuri_test_{os.getpid()}") + ("" if name == "plain" else f"_{name}")
    conf = write_conf(db_name)
    drop_db(db_name)
    try:
        install(db_name, conf, modules=TEST_MODULES + TEST_PASSES[name])
        browser_note()
        pytest_args = [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            f"--odoo-config={conf}",
            f"--odoo-database={db_name}",
            # without it pytest-odoo skips every HttpCase (portal tests, tours) silently
            "--odoo-http",
            *args.pytest_args,
        ]
        # the whole tests folder unless the arguments name test files or folders
        if not any(os.path.exists(os.path.join(ROOT, arg.split("::")[0])) for arg in args.pytest_args):
            pytest_args.append(os.path.join(ROOT, "kakeuri_ar", "tests"))
        info(f"running tests ({name} pass: {TEST_MODULES + TEST_PASSES[name]}): " + " ".join(pytest_args[2:]))
        return subprocess.call(pytest_args, cwd=ROOT)
    finally:
        if not args.keep:
            drop_db(db_name)


def cmd_test(args):
    check_odoo()
    ensure_postgres()
    passes = list(TEST_PASSES) if args.test_pass == "both" else [args.test_pass]
    failed = []
    for name in passes:
        rc = _test_pass(name, args)
        if rc == 5:
            die(f"pytest collected no tests ({name} pass)")
        if rc:
            failed.append(f"{name} pass (pytest exit {rc})")
    if failed:
        die("tests failed: " + ", ".join(failed))
    info("all tests passed (" + " and ".join(f"{name} pass" for name in passes) + ")")


def _odoo_suite_db(db_name, modules, runs, keep):
    """Fresh database with the modules (and Odoo's demo data), Odoo's selected tests run on
    it; returns their Results."""
    conf = write_conf(db_name)
    drop_db(db_name)
    try:
        start = time.time()
        install(db_name, conf, modules=modules)
        installed = time.time()
        log_path = os.path.join(STATE, f"{db_name}-tests.log")
        info(f"running Odoo's tests on {db_name} (log: {os.path.relpath(log_path, ROOT)})")
        results = odoo_tests.run_suites(odoo_cmd, conf, db_name, runs, log_path)
    finally:
        if not keep:
            drop_db(db_name)
    info(
        f"{db_name}: install {(installed - start) / 60:.1f} min, tests {(time.time() - installed) / 60:.1f} "
        f"min: {len(results.started)} tests, {len(results.failed)} failed"
    )
    return results


def cmd_test_odoo(args):
    """Both databases at once (each run is one Odoo process: two cores, half the time)."""
    check_odoo()
    ensure_postgres()
    addons_path()  # reads Odoo's configuration, so its modules and tests can be found
    runs = odoo_tests.plan()
    stem = f"kakeuri_odoo_{os.getpid()}"
    jobs = {
        "with": (f"{stem}_with", odoo_tests.ADDON),
        "without": (f"{stem}_without", odoo_tests.BASE_MODULES),
    }
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {key: pool.submit(_odoo_suite_db, *job, runs, args.keep) for key, job in jobs.items()}
        results = {key: future.result() for key, future in futures.items()}
    broken = odoo_tests.report(results["with"], results["without"])
    if broken or results["with"].failed_runs:
        sys.exit(1)  # the report's last line says how many, for CI readers


# The Sales app (the README's menus exist), Odoo's demo payment provider (pay online
# without a real provider account) and Japan's chart of accounts and taxes for the Japanese
# demo company (kakeuri_ar itself does not depend on l10n_jp).
DEMO_MODULES = "kakeuri_ar,sale_management,payment_demo,l10n_jp"
# The demo's users and portal customers read Japanese and Chinese.
DEMO_LANGUAGES = "ja_JP,zh_CN"
# The tests pay in the portal with Odoo's demo payment provider.
TEST_MODULES = "kakeuri_ar,payment_demo"


def _port_free(port):
    """Whether nothing listens on ``port`` (checked before a three-minute install)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", int(port)))
        except OSError:
            return False
    return True


def check_pdf_tools():
    """Warn (not fail) when PDFs would come out wrong: Odoo prints headers and footers only
    with a wkhtmltopdf built on patched Qt, and Japanese or Chinese text disappears without a
    CJK font. Returns the warnings."""
    warnings = []
    try:
        version = subprocess.run(
            ["wkhtmltopdf", "--version"], capture_output=True, text=True, timeout=20
        ).stdout
    except (OSError, subprocess.SubprocessError):
        version = None
    if version is None:
        warnings.append(
            "wkhtmltopdf is missing: no PDF (請求書, letters) can be printed. Install it: "
            "apt-get install wkhtmltopdf (better: the patched-Qt build from "
            "https://github.com/wkhtmltopdf/packaging/releases)."
        )
    elif "patched qt" not in version.lower():
        warnings.append(
            "wkhtmltopdf is not the patched-Qt build: PDFs print without the company header and "
            "footer. Install the build for your system from "
            "https://github.com/wkhtmltopdf/packaging/releases."
        )
    try:
        fonts = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        fonts = ""
    if not fonts.strip():
        warnings.append(
            "No Japanese/Chinese font: CJK text disappears from PDFs. Install one: "
            "apt-get install fonts-noto-cjk"
        )
    for warning in warnings:
        info(f"warning: {warning}")
    return warnings


def _ensure_installed(db_name, conf, modules):
    """Install in a kept database the ``modules`` it lacks (a demo made by an older version)."""
    names = modules.split(",")
    res = _psql(
        "SELECT name FROM ir_module_module WHERE state = 'installed' AND name IN (%s)"
        % ",".join(f"'{name}'" for name in names),
        db=db_name,
    )
    missing = [name for name in names if name not in res.stdout.split()]
    if missing and not res.returncode:
        install(db_name, conf, modules=",".join(missing))


def _keep_english(db_name, conf):
    """Odoo's --load-language on a new database leaves English inactive and the admin in the
    last loaded language: English stays the admin's (and the website visitor's) language."""
    code = (
        'env["res.lang"]._activate_lang("en_US")\n'
        'for xmlid in ("base.user_admin", "base.public_user"):\n'
        '    env.ref(xmlid).lang = "en_US"\n'
        "env.cr.commit()\n"
    )
    proc = subprocess.run(odoo_shell_cmd(conf, db_name), input=code, text=True, capture_output=True)
    if proc.returncode:
        die(f"setting English back for the admin in {db_name} failed:\n{proc.stderr[-2000:]}")


DEMO_FILES = os.path.join(STATE, "demo_files")


def _export_demo_files(db_name, conf):
    """The Japanese demo's bank files, as a clerk gets them from the bank: yesterday's
    入出金取引明細 (attached to the bank journal) and the direct debit result (attached to the
    debit run), written to .odoo/demo_files/ to upload in the browser."""
    code = (
        "import os\n"
        f"folder = {DEMO_FILES!r}\n"
        "os.makedirs(folder, exist_ok=True)\n"
        "domain = ['|', ('name', '=like', 'zengin_03_%'), ('name', '=like', 'zengin_91_result_%')]\n"
        "for att in env['ir.attachment'].search(domain):\n"
        "    with open(os.path.join(folder, att.name), 'wb') as fh:\n"
        "        fh.write(att.raw)\n"
        "    print('DEMOFILE', os.path.join(folder, att.name))\n"
    )
    proc = subprocess.run(odoo_shell_cmd(conf, db_name), input=code, text=True, capture_output=True)
    return [line.split(" ", 1)[1] for line in proc.stdout.splitlines() if line.startswith("DEMOFILE ")]


def cmd_demo(args):
    check_odoo()
    ensure_postgres()
    if not args.no_serve and not _port_free(args.port):
        die(
            f"port {args.port} is in use (another Odoo, or a demo still running). Stop it, or "
            f"serve the demo on another port: make demo PORT=8070"
        )
    check_pdf_tools()
    conf = write_conf(DEMO_DB, {"http_port": args.port, "http_interface": "127.0.0.1"})
    if not db_exists(DEMO_DB):
        try:
            install(DEMO_DB, conf, modules=DEMO_MODULES, languages=DEMO_LANGUAGES)
            _keep_english(DEMO_DB, conf)
        except SystemExit:
            drop_db(DEMO_DB)
            raise
    else:
        info(f"reusing database {DEMO_DB} (drop it with `make demo-reset`)")
        ensure_current(DEMO_DB, conf)
        _ensure_installed(DEMO_DB, conf, DEMO_MODULES)
    demo_files = _export_demo_files(DEMO_DB, conf)
    if args.no_serve:
        return
    info(f"Odoo is starting on http://localhost:{args.port}")
    info("  log in as admin / admin (apps: Sales, Invoicing → Receivables)")
    info(
        "  customer portal: portal.customer@example.com / portal (株式会社丸一商事, in Japanese): "
        f"http://localhost:{args.port}/my/receivables"
    )
    info(
        "  Japanese company (JPY): as admin, pick 株式会社サンプル商事 in the company switcher "
        "(top right); or log in as its users, in Japanese: keiri / keiri (経理 花子, accounting and "
        "credit manager), kaishu / kaishu (回収 太郎, collections)"
    )
    for path in demo_files:
        kind = "direct debit result (Receivables → Direct Debits → Import Result)"
        if "zengin_03_" in os.path.basename(path):
            kind = "bank statement (Receivables → Import Bank File, then Bank Matching)"
        info(f"  Japanese company's {kind}: {os.path.relpath(path, ROOT)}")
    os.execv(sys.executable, odoo_cmd(conf, "-d", DEMO_DB, f"--db-filter=^{DEMO_DB}$", *args.odoo_args))


def cmd_demo_reset(_args):
    check_odoo()
    ensure_postgres()
    drop_db(DEMO_DB)
    info(f"dropped {DEMO_DB}")


def cmd_bench(args):
    check_odoo()
    ensure_postgres()
    scripts = args.scripts or sorted(
        os.path.join(ROOT, "bench", f)
        for f in os.listdir(os.path.join(ROOT, "bench"))
        if f.endswith(".py") and not f.startswith("_")
    )
    rc = 0
    for script in scripts:
        info(f"benchmark {os.path.relpath(script, ROOT)}")
        rc |= subprocess.call([sys.executable, script], cwd=ROOT)
    sys.exit(rc)


def cmd_env(_args):
    """Print shell exports for the database connection (used by bench scripts)."""
    check_odoo()
    ensure_postgres()
    for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD"):
        if os.environ.get(key):
            print(f"export {key}={os.environ[key]}")


def cmd_check(_args):
    """Prerequisites only: Odoo 18.0 importable, PostgreSQL reachable (run before anything
    is installed, so a missing Odoo is reported clearly)."""
    version = check_odoo()
    ensure_postgres()
    info(f"Odoo {version} and PostgreSQL found")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("test", help="fresh database, install with demo data, run pytest-odoo")
    p.add_argument("--db")
    p.add_argument("--keep", action="store_true", help="keep the test database")
    p.add_argument(
        "--pass",
        dest="test_pass",
        choices=["both", *TEST_PASSES],
        default=os.environ.get("PASS") or "both",
        help="plain: without l10n_jp, jp: with it, both (default)",
    )
    p.add_argument("pytest_args", nargs="*")
    p.set_defaults(func=cmd_test)
    p = sub.add_parser("test-odoo", help="Odoo's sale and account tests with and without kakeuri_ar")
    p.add_argument("--keep", action="store_true", help="keep the two databases")
    p.add_argument("--jobs", type=int, default=2, help="1: one database after the other")
    p.set_defaults(func=cmd_test_odoo)
    p = sub.add_parser("demo", help="create kakeuri_demo once and serve Odoo")
    p.add_argument("--port", default=os.environ.get("PORT", "8069"))
    p.add_argument("--no-serve", action="store_true")
    p.add_argument("odoo_args", nargs="*")
    p.set_defaults(func=cmd_demo)
    sub.add_parser("demo-reset").set_defaults(func=cmd_demo_reset)
    p = sub.add_parser("bench")
    p.add_argument("scripts", nargs="*")
    p.set_defaults(func=cmd_bench)
    sub.add_parser("env").set_defaults(func=cmd_env)
    sub.add_parser("check", help="check that Odoo 18.0 and PostgreSQL are there").set_defaults(func=cmd_check)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
