#!/usr/bin/env python3
"""Screenshots of the key screens of a running `make demo` for the README
(needs the `playwright` Python package and Debian's chromium; not used by the tests).

    python3 tools/screenshots.py [--base http://localhost:8069] [--lang en_US] name=/odoo/path ...

A shot ``name=/odoo/path@Tab`` opens the form's notebook tab ``Tab`` before the picture.
"""

import argparse
import os

from playwright.sync_api import sync_playwright

OUT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "kakeuri_ar", "static", "description"
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://localhost:8069")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--wait", type=int, default=2500, help="ms to wait after load")
    parser.add_argument("shots", nargs="+", help="name=/odoo/... (saved as static/description/name.png)")
    args = parser.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"],
        )
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.goto(f"{args.base}/web/login")
        page.fill("input[name=login]", args.login)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        for shot in args.shots:
            name, path = shot.split("=", 1)
            path, _sep, tab = path.partition("@")
            page.goto(f"{args.base}{path}")
            page.wait_for_load_state("load")
            page.wait_for_timeout(args.wait)
            if tab:
                page.locator(".o_notebook_headers a", has_text=tab).first.click()
                page.wait_for_timeout(800)
            dest = os.path.join(OUT, f"{name}.png")
            page.screenshot(path=dest)
            print(dest)
        browser.close()


if __name__ == "__main__":
    main()
