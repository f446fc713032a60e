#!/usr/bin/env python3
"""Regenerate kakeuri_ar/i18n: export the .pot from a database that has the addon
installed, then update ja.po and zh_CN.po from it, keeping existing translations and
filling empty ones from the glossary files in kakeuri_ar/i18n/parts/*.json
({"English source": {"ja": "...", "zh_CN": "..."}}).

    python3 tools/i18n.py --db kakeuri_demo     # export + merge
    python3 tools/i18n.py --no-export           # merge only (uses the existing .pot)
"""

import argparse
import glob
import json
import os
import subprocess
import sys

import dev
import polib

I18N = os.path.join(dev.ROOT, "kakeuri_ar", "i18n")
POT = os.path.join(I18N, "kakeuri_ar.pot")
LANGS = {"ja": "Japanese", "zh_CN": "Chinese (Simplified)"}


def export(db):
    dev.check_odoo()
    dev.ensure_postgres()
    conf = dev.write_conf(db)
    subprocess.check_call(
        dev.odoo_cmd(conf, "-d", db, f"--i18n-export={POT}", "--modules=kakeuri_ar", "--log-level=warn")
    )


def glossary():
    terms = {}
    for path in sorted(glob.glob(os.path.join(I18N, "parts", "*.json"))):
        with open(path, encoding="utf-8") as fh:
            for src, tr in json.load(fh).items():
                for lang, text in tr.items():
                    if text:
                        terms.setdefault(lang, {}).setdefault(src, text)
    return terms


def merge(lang, terms):
    pot = polib.pofile(POT)
    path = os.path.join(I18N, f"{lang}.po")
    old = {}
    if os.path.exists(path):
        old = {e.msgid: e.msgstr for e in polib.pofile(path) if e.msgstr and not e.obsolete}
    pot.metadata["Language"] = lang
    pot.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    pot.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    missing = []
    for entry in pot:
        entry.msgstr = old.get(entry.msgid) or terms.get(lang, {}).get(entry.msgid, "")
        if not entry.msgstr:
            missing.append(entry.msgid)
    pot.save(path)
    return missing


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=dev.DEMO_DB)
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--missing", help="write untranslated msgids as JSON to this file")
    args = parser.parse_args()
    if not args.no_export:
        export(args.db)
    terms = glossary()
    report = {}
    for lang in LANGS:
        missing = merge(lang, terms)
        report[lang] = missing
        print(f"{lang}.po: {len(missing)} untranslated")
    if args.missing:
        with open(args.missing, "w", encoding="utf-8") as fh:
            json.dump(sorted(set(report["ja"]) | set(report["zh_CN"])), fh, ensure_ascii=False, indent=1)
    sys.exit(0)


if __name__ == "__main__":
    main()
