"""One real ``supplygraph serve`` on the sample graph and one headless Chromium per module; a fresh page per test.

Each page may talk to 127.0.0.1 only, and may not log a script error or a
Content-Security-Policy violation: either fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.support import browser as support
from tests.support.served import serve_sample

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[str]:
    # Asks for the browser first, so a machine without one skips before loading and serving the sample.
    with serve_sample(tmp_path_factory.mktemp("browser")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if (reason := support.missing()) is not None:
        # Shown in the summary (-ra): the tests are skipped with the reason, never silently passed.
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import expect

    # A shared two-core machine can be slow: give pages and assertions the same generous wait.
    expect.set_options(timeout=20_000)
    with support.chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=server, viewport={"width": 1400, "height": 900})
    foreign = support.loopback_only(context)
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    tab = context.new_page()
    tab.on("console", console)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.set_default_timeout(20_000)
    try:
        yield tab
    finally:
        context.close()
    assert not foreign, f"the page asked for other hosts: {foreign}"
    assert not problems, f"the page logged errors: {problems}"
