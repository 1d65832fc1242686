"""The README documents every setting and command, and its generated parts are current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from service.cli import cli
from service.settings import SETTINGS

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_readme_generated_sections_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "README.md"],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, "README is out of date; run `make docs`\n" + result.stdout + result.stderr


def test_every_setting_is_documented() -> None:
    for setting in SETTINGS:
        assert f"`{setting.env}`" in README, setting.env


def test_every_command_is_documented() -> None:
    for name in cli.commands:  # type: ignore[attr-defined]
        assert f"supplygraph {name}" in README, name
