"""The vendored browser libraries: pinned, matching the lock file, shipped with their licences, served offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

from starlette.testclient import TestClient

ROOT = Path(__file__).parents[2]
VENDOR = ROOT / "service" / "static" / "vendor"


def test_every_library_is_pinned_and_its_licence_travels_with_it() -> None:
    wanted = json.loads((ROOT / "web" / "package.json").read_text())["dependencies"]
    locked = json.loads((ROOT / "web" / "package-lock.json").read_text())["packages"]
    notices = (VENDOR / "LICENSES.txt").read_text()
    for name, version in wanted.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned to an exact version, not {version}"
        assert locked[f"node_modules/{name}"]["version"] == version
        # Written by scripts/vendor-assets from what it installed: a stale vendor/ directory shows here.
        assert f"\n{name} {version} (" in notices, f"run make vendor: {name} {version} is not what vendor/ holds"


def test_vendored_files_are_served_from_the_service(client: TestClient) -> None:
    for path in sorted(VENDOR.glob("*.js")) + sorted(VENDOR.glob("*.css")):
        response = client.get(f"/static/vendor/{path.name}")
        assert response.status_code == 200 and len(response.content) == path.stat().st_size
    assert client.get("/static/vendor/../../web/app.py").status_code == 404
