"""``make test-odoo``: Odoo's own tests of what kakeuri_ar extends, run with the addon installed.

The suites run twice, each on a fresh database installed the same way (Odoo's demo data, as
Odoo's own test builds and ``make test`` have it): once with ``kakeuri_ar`` and once with only
``account`` and ``sale``. A test that fails with the addon but passes without it is a defect of
the addon; one that fails in both is listed, not counted (Odoo's own problem, or this machine's).

Odoo's runner runs them, not pytest: it starts the HTTP server the ``HttpCase`` tests need and
honours the tags. Its tag run (``--test-tags``) runs only ``post_install`` tests on a database
that is already installed; an ``at_install`` test (a few in ``sale``) only runs while its module
is being installed, i.e. before kakeuri_ar is loaded. Those files are run with ``--test-file``,
which runs a file's tests on the fully loaded registry whatever their tags.
"""

import importlib
import logging
import os
import re
import socket
import subprocess

# The Odoo test files that exercise what kakeuri_ar extends, and why each is here.
# All of ``sale``: the addon checks credit on order confirmation, adds fields and banners to
# orders and invoices from orders, and counts orders to invoice in the exposure.
SALE_SUITE = "sale"
ACCOUNT_FILES = (
    # customer invoices: the credit check in _post(), the credit banner of draft invoices, and
    # the auto-post cron over several invoices (test_post_valid_invoices_when_auto_post)
    "test_account_move_out_invoice.py",
    # credit notes: they lower the exposure, and post through the same _post()
    "test_account_move_out_refund.py",
    # vendor bills post through the same _post(), which must leave them alone
    "test_account_move_in_invoice.py",
    # journal entries and the auto-post cron (posting at a date, recurring entries)
    "test_account_move_entry.py",
    # payments: open receivables, the residual the aging and dunning read
    "test_account_payment.py",
    # the payment register wizard (partial payments, write-offs)
    "test_account_payment_register.py",
    # reconciliation: partial and full reconciles, the ledger of open items
    "test_account_move_reconcile.py",
    # taxes: exposure is tax included, on orders and on draft invoices
    "test_account_tax.py",
    "test_tax.py",
    "test_invoice_taxes.py",
    "test_taxes_computation.py",
    # sending invoices (account.move.send): dunning and statements send mail the same way
    "test_account_move_send.py",
)

ADDON = "kakeuri_ar"
BASE_MODULES = "account,sale"
_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) \S+ ([\w.]+): (.*)$")
_SUBTEST = re.compile(r"^Subtest (\S+)")
_CLASS_ERROR = re.compile(r"^(\w+) \(([\w.]+)\)$")
# The exception line of a traceback ("AssertionError: 1 != 2"), not the diff lines after it
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(: .*)?$")


def test_files():
    """(module, file) of every selected test file, found where Odoo has them."""
    from odoo.modules import get_module_path  # noqa: PLC0415

    sale_tests = os.path.join(get_module_path(SALE_SUITE), "tests")
    sale = sorted(f for f in os.listdir(sale_tests) if f.startswith("test_") and f.endswith(".py"))
    account_tests = os.path.join(get_module_path("account"), "tests")
    missing = [f for f in ACCOUNT_FILES if not os.path.exists(os.path.join(account_tests, f))]
    if missing:
        raise SystemExit(f"kakeuri_ar: ERROR: Odoo's account tests have no {', '.join(missing)}")
    return [(SALE_SUITE, f) for f in sale] + [("account", f) for f in ACCOUNT_FILES]


def tag_spec(files):
    """--test-tags selecting the files (all of sale by its module tag)."""
    account = [f"/account/tests/{name}" for module, name in files if module == "account"]
    return ",".join([f"/{SALE_SUITE}"] + account)


def at_install_files(files):
    """The files holding tests tagged at_install, which a tag run on an installed database
    skips. Odoo's own loader decides (tags are inherited from base classes)."""
    from odoo.modules.module import initialize_sys_path  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    logging.getLogger("odoo").setLevel(logging.WARNING)
    config["test_enable"] = True  # importing tests outside test mode is logged as an error
    initialize_sys_path()
    from odoo.tests import loader  # noqa: PLC0415
    from odoo.tests.tag_selector import TagsSelector  # noqa: PLC0415

    at_install = TagsSelector("at_install")
    found = []
    for module, name in files:
        mod = importlib.import_module(f"odoo.addons.{module}.tests.{name[:-3]}")
        if any(at_install.check(t) for t in loader.get_module_test_cases(mod)):
            found.append((module, name))
    return found


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Results:
    """Per-test outcome parsed from Odoo's test log (one id per test method, or
    ``module.Class.setUpClass`` when a whole class could not start)."""

    def __init__(self):
        self.started = set()
        self.skipped = set()
        self.failed = {}  # test id -> last line of its traceback
        self.failed_runs = []  # Odoo runs that failed outside any test

    @property
    def passed(self):
        return self.started - self.skipped - set(self.failed)

    def _test_id(self, logger, description):
        sub = _SUBTEST.match(description)
        if sub:
            description = sub.group(1)
        cls_error = _CLASS_ERROR.match(description)
        if cls_error:
            return f"{cls_error.group(2)}.{cls_error.group(1)}"
        return f"{logger}.{description}"

    def feed(self, lines):
        """Read one run's log; return the number of tests it ran."""
        current, ran = None, 0
        for line in lines:
            line = line.rstrip()  # Odoo's log lines end with a space
            match = _LOG_LINE.match(line)
            if not match:
                if current and _EXCEPTION.match(line) and not line.startswith(("Traceback", "During")):
                    self.failed[current] = line[:300]
                continue
            level, logger, message = match.groups()
            current = None
            if message.startswith("Starting ") and message.endswith(" ..."):
                self.started.add(self._test_id(logger, message[9:-4]))
                ran += 1
            elif message.startswith("skipped "):
                self.skipped.add(self._test_id(logger, message[8:].split(" : ")[0]))
            elif level == "ERROR" and message.startswith(("FAIL: ", "ERROR: ")):
                current = self._test_id(logger, message.split(": ", 1)[1])
                self.failed.setdefault(current, message)
        return ran


def plan():
    """The Odoo runs that together run every selected test once: one tag run, and one
    --test-file run per file with at_install tests."""
    from odoo.modules import get_module_path  # noqa: PLC0415

    files = test_files()
    separate = at_install_files(files)
    spec = tag_spec(files) + "".join(f",-/{module}/tests/{name}" for module, name in separate)
    return [["--test-tags", spec]] + [
        ["--test-file", os.path.join(get_module_path(module), "tests", name)] for module, name in separate
    ]


def run_suites(odoo_cmd, conf, db_name, runs, log_path):
    """Run the planned Odoo runs on an installed database; return their Results."""
    results = Results()
    with open(log_path, "w") as log:
        for extra in runs:
            args = ["-d", db_name, "--stop-after-init", "--log-level=info", "--max-cron-threads=0"]
            args += ["--http-interface=127.0.0.1", f"--http-port={free_port()}", *extra]
            log.write(f"### {' '.join(args)}\n")
            log.flush()
            proc = subprocess.Popen(
                odoo_cmd(conf, *args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            lines = []
            for line in proc.stdout:
                log.write(line)
                lines.append(line.rstrip("\n"))
            failed_before = len(results.failed)
            ran = results.feed(lines)
            if proc.wait() and len(results.failed) == failed_before:
                results.failed_runs.append(f"odoo {' '.join(extra)} failed outside the tests")
            if not ran:
                results.failed_runs.append(f"odoo {' '.join(extra)} ran no test")
    return results


def _print_failures(title, test_ids, failed):
    print(f"\n{title}:" + ("" if test_ids else " none"))
    for test_id in test_ids:
        print(f"  {test_id}: {failed[test_id]}")


def report(with_addon, without_addon):
    """Print the comparison, the pytest-like count last; return the ids kakeuri_ar breaks."""
    broken = sorted(set(with_addon.failed) - set(without_addon.failed))
    also = sorted(set(with_addon.failed) & set(without_addon.failed))
    _print_failures(f"Odoo tests that also fail without {ADDON} (not counted)", also, with_addon.failed)
    _print_failures(f"Odoo tests that fail because of {ADDON}", broken, with_addon.failed)
    for run in with_addon.failed_runs:
        print(f"  run error with {ADDON}: {run}")
    for run in without_addon.failed_runs:
        print(f"  run error without {ADDON}: {run}")
    passed = len(with_addon.passed)
    print(
        f"\nOdoo tests with {ADDON}: {passed} passed, {len(with_addon.failed)} failed "
        f"({len(also)} also fail without {ADDON}, listed), {len(with_addon.skipped)} skipped"
    )
    print(f"{passed} passed, {len(broken)} failed", flush=True)
    return broken
