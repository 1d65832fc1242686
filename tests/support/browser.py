"""Headless Chromium for the browser tests and the README screenshots: Debian's ``chromium``, driven by Playwright.

Playwright's own browser download is never used: it launches the system binary
(``CHROMIUM``, default ``/usr/bin/chromium``).  Every request the pages make is
routed through :func:`loopback_only`, which lets only 127.0.0.1 through and
records anything else, so a page that reaches for a CDN fails its test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Route

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing() -> str | None:
    """Why the browser cannot run here (None when it can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which(CHROMIUM):
        return f"no chromium at {CHROMIUM} (make test installs the Debian package when run as root)"
    return None


@contextmanager
def chromium() -> Iterator[Browser]:
    """One headless Chromium for as long as the block runs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def loopback_only(context: BrowserContext) -> list[str]:
    """Route every request of ``context``: 127.0.0.1 passes, anything else is aborted and listed in the result."""
    foreign: list[str] = []

    def route(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            foreign.append(url)
            route.abort()

    context.route("**/*", route)
    return foreign
