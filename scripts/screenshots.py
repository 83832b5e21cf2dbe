"""Log in as each demo role and save its workbench at 1366 px wide (docs/screenshots/workbench-<role>.png)
and at a phone's 390 px (phone-<role>.png), and in English at 1366 px (workbench-en-<role>.png); used
by scripts/screenshots.sh.

Usage: python scripts/screenshots.py BASE_URL OUT_DIR
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

#: (file suffix, demo login): one per workbench.
ROLES = [("regulator", "regulator"), ("district", "lixia"), ("bank", "bank"), ("guarantor", "guarantor"),
         ("insurer", "insurer"), ("investor", "investor"), ("advisor", "agency"), ("enterprise", "enterprise")]
#: (file prefix, viewport width, height)
VIEWPORTS = [("workbench", 1366, 768), ("phone", 390, 844)]
#: (Accept-Language, browser locale, viewports): Chinese at both widths, English (the second
#: language, workbench-en-<role>.png) at 1366 px.
LANGUAGES = [("zh-hans", "zh-CN", VIEWPORTS), ("en", "en-US", [("workbench-en", 1366, 768)])]
PASSWORD = "kechuang-demo"
CHROMIUM = os.environ.get("KECHUANG_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"]


def wait_up(base: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=5)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main(base: str, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    wait_up(base)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for (suffix, username), (language, locale, viewports) in itertools.product(ROLES, LANGUAGES):
            context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 768},
                                          extra_http_headers={"Accept-Language": language})
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("#login-form button")
            page.wait_for_selector("#workbench")
            for prefix, width, height in viewports:
                page.set_viewport_size({"width": width, "height": height})
                page.reload()
                page.wait_for_selector("#workbench")
                path = out / f"{prefix}-{suffix}.png"
                page.screenshot(path=str(path), full_page=True)
                sys.stdout.write(f"{path}\n")
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
