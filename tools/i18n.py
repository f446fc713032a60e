#!/usr/bin/env python3
"""Regenerate kakeuri_ar/i18n: export kakeuri_ar.pot from a database with the addon installed,
then merge it into ja.po and zh_CN.po the way gettext's msgmerge does. The .po files are the
only source of translations: they are edited by hand (or in a PO editor) and this tool never
invents a translation.

Merging keeps every translation whose msgid is still in the .pot, adds the new msgids, and
keeps the msgids that left the .pot as obsolete entries (``#~``) for a translator to reuse. A
new msgid close to one that left gets that translation as a *fuzzy* suggestion, which counts as
untranslated until a person checks it and removes the flag (tests/test_i18n.py fails on fuzzy
or empty entries, and so does ``--check``).

    python3 tools/i18n.py                     # fresh database, export, merge
    python3 tools/i18n.py --db kakeuri_demo   # export from an existing database, merge
    python3 tools/i18n.py --no-export         # merge only (uses the existing .pot)
    python3 tools/i18n.py --check             # exit 1 when a translation is missing or fuzzy
"""

import argparse
import difflib
import os
import subprocess
import sys

import dev
import polib

I18N = os.path.join(dev.ROOT, "kakeuri_ar", "i18n")
POT = os.path.join(I18N, "kakeuri_ar.pot")
LANGS = {"ja": "Japanese", "zh_CN": "Chinese (Simplified)"}
FUZZY_RATIO = 0.85


def export(db):
    """Write the .pot from ``db`` (a fresh database with demo data when ``db`` is None)."""
    dev.check_odoo()
    dev.ensure_postgres()
    fresh = db is None
    db = db or f"kakeuri_i18n_{os.getpid()}"
    conf = dev.write_conf(db)
    try:
        if fresh:
            dev.drop_db(db)
            dev.install(db, conf)
        subprocess.check_call(
            dev.odoo_cmd(conf, "-d", db, f"--i18n-export={POT}", "--modules=kakeuri_ar", "--log-level=warn")
        )
    finally:
        if fresh:
            dev.drop_db(db)


def _suggestion(msgid, obsolete):
    """The translation of the obsolete msgid closest to ``msgid``, if close enough."""
    best, best_ratio = None, FUZZY_RATIO
    for entry in obsolete:
        ratio = difflib.SequenceMatcher(None, msgid, entry.msgid).ratio()
        if ratio >= best_ratio:
            best, best_ratio = entry, ratio
    return best.msgstr if best else ""


def merge(lang):
    """Merge the .pot into ``lang``.po; return the msgids left untranslated or fuzzy."""
    pot = polib.pofile(POT)
    path = os.path.join(I18N, f"{lang}.po")
    old = polib.pofile(path) if os.path.exists(path) else polib.POFile()
    translated = {e.msgid: e for e in old if e.msgstr}
    pot.metadata.update(
        {
            "Language": lang,
            "Content-Type": "text/plain; charset=UTF-8",
            "Plural-Forms": "nplurals=1; plural=0;",
        }
    )
    current = {entry.msgid for entry in pot}
    gone = [e for e in old if e.msgstr and e.msgid not in current]
    missing = []
    for entry in pot:
        previous = translated.get(entry.msgid)
        if previous is not None:
            entry.msgstr = previous.msgstr
            if "fuzzy" in previous.flags:
                entry.flags.append("fuzzy")
        else:
            entry.msgstr = _suggestion(entry.msgid, gone)
            if entry.msgstr:
                entry.flags.append("fuzzy")
        if not entry.msgstr or "fuzzy" in entry.flags:
            missing.append(entry.msgid)
    for entry in gone:
        entry.obsolete = True
        pot.append(entry)
    pot.save(path)
    return missing


def check(lang):
    """The msgids of the .pot that ``lang``.po leaves empty or fuzzy."""
    po = {e.msgid: e for e in polib.pofile(os.path.join(I18N, f"{lang}.po")) if not e.obsolete}
    return [
        entry.msgid
        for entry in polib.pofile(POT)
        if entry.msgid not in po or not po[entry.msgid].msgstr or "fuzzy" in po[entry.msgid].flags
    ]


def main():
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--db", help="export from this database instead of a fresh one")
    parser.add_argument("--no-export", action="store_true", help="merge the existing .pot only")
    parser.add_argument("--check", action="store_true", help="only report missing or fuzzy translations")
    args = parser.parse_args()
    if args.check:
        missing = {lang: check(lang) for lang in LANGS}
    else:
        if not args.no_export:
            export(args.db)
        missing = {lang: merge(lang) for lang in LANGS}
    for lang, msgids in missing.items():
        print(f"{lang}.po: {len(msgids)} untranslated or fuzzy")
        for msgid in msgids:
            print(f"    {msgid!r}")
    sys.exit(1 if args.check and any(missing.values()) else 0)


if __name__ == "__main__":
    main()
