"""Takes the README's pictures of the explorer: ``python scripts/screenshots.py docs/img`` (run by ``make docs``).

It serves the sample graph with ``supplygraph serve`` and drives the same headless Chromium as the browser
tests (Debian's ``chromium``, every request kept on 127.0.0.1).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ontology import vocab as v  # noqa: E402
from tests.support import browser  # noqa: E402
from tests.support.served import serve_sample  # noqa: E402

# (file, viewport width, URL path, selector that shows the page is drawn)
SHOTS = [
    (
        "explorer-dependents.png",
        1400,
        "/#/dependents?"
        + "&".join(
            f"{k}={quote(val, safe='')}"
            for k, val in {
                "subject": v.ID + "class/rare-earths",
                "kind": "class",
                "what": "rare earths",
                "country": "China",
            }.items()
        ),
        "svg.paths",
    ),
    ("explorer-material.png", 1400, "/#/entity?id=" + quote(v.ID + "material/rare-earths", safe=""), ".timeline"),
    (
        "explorer-phone.png",
        390,
        "/#/entity?id=" + quote(v.ID + "product/wind-turbine", safe="") + "&exposure=CN",
        ".exposure-share",
    ),
    (
        "named-query-form.png",
        1000,
        "/queries/top_producers?form&material=rare-earths&year=2024",
        "#query-results table",
    ),
]


def main(out: Path) -> int:
    """Write every picture in ``SHOTS`` to ``out``; 1 (with the reason) when no browser is available."""
    reason = browser.missing()
    if reason is not None:
        print(f"screenshots skipped: {reason}", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work, serve_sample(Path(work)) as url, browser.chromium() as chromium:
        for name, width, path, ready in SHOTS:
            height = 844 if width < 800 else 900
            context = chromium.new_context(base_url=url, viewport={"width": width, "height": height})
            foreign = browser.loopback_only(context)
            page = context.new_page()
            page.goto(path)
            page.wait_for_selector(ready, timeout=30_000)
            # The phone picture is one screen high; the named-query form is the whole page.
            page.screenshot(path=str(out / name), full_page=name.startswith("named"))
            context.close()
            if foreign:
                raise SystemExit(f"{name}: the page asked for other hosts: {foreign}")
            print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img")))
