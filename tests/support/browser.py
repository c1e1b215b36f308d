"""Headless Chromium, for the tests that load pages as a browser does (CSP, Swagger UI)."""

from contextlib import contextmanager
from pathlib import Path

from .tools import unavailable

CHROMIUM = "/usr/bin/chromium"
# Quiet and offline: no GPU, no first-run screens, no background fetches or updates.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def headless_chromium():
    """``with headless_chromium() as browser:`` a Playwright browser, closed on the way out."""
    if not Path(CHROMIUM).exists():
        unavailable("chromium is not installed (apt-get install chromium)")
    from playwright import sync_api  # a pinned dev dependency of the template

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
