"""The SHACL shapes accept the sample graph and reject each crafted case in tests/shapes/.

Each case file states what it expects in header comments::

    # expect: conforms
    # expect: violation CORE-FAC-1
    # expect: warning REC-SUP-3

A rule id matches results whose message starts with it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loaders.sample import SAMPLE_FILES
from service.validate import ValidationReport, format_report, validate

CASES = sorted((Path(__file__).parents[1] / "shapes").glob("*.ttl"))
_EXPECT = re.compile(r"^# expect: (conforms|violation|warning)\s*(\S*)", re.MULTILINE)


def _expectations(path: Path) -> list[tuple[str, str]]:
    found = [(kind, rule) for kind, rule in _EXPECT.findall(path.read_text(encoding="utf-8"))]
    assert found, f"{path.name} has no '# expect:' line"
    return found


def _rules(report: ValidationReport, severity: str) -> set[str]:
    return {r.message.split(" ", 1)[0].rstrip(".") for r in report.results if r.severity == severity}


def test_sample_graph_conforms() -> None:
    report = validate(SAMPLE_FILES)
    assert report.conforms, report.render()
    assert report.triples > 3000


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case(case: Path) -> None:
    report = validate([case])
    for kind, rule in _expectations(case):
        if kind == "conforms":
            assert report.results == [], report.render()
        elif kind == "violation":
            assert rule in _rules(report, "Violation"), report.render()
        else:
            assert rule in _rules(report, "Warning"), report.render()
    if all(kind == "warning" for kind, _ in _expectations(case)):
        assert report.conforms, report.render()


def test_warnings_can_be_left_out() -> None:
    case = Path(__file__).parents[1] / "shapes" / "supply-without-shortcut.ttl"
    assert validate([case]).warnings
    assert validate([case], include_warnings=False).results == []


def test_render_names_rule_focus_and_shape() -> None:
    report = validate([Path(__file__).parents[1] / "shapes" / "facility-without-country.ttl"])
    text = format_report(report)
    assert "1 file(s)" in text.splitlines()[0]
    assert "Violation: CORE-FAC-1." in text
    assert "focus: sgid:test/mine" in text
    assert "path:  sg:locatedIn" in text
    assert report.render() == text


def test_syntax_error_names_the_file(tmp_path: Path) -> None:
    from service.errors import RdfSyntaxError

    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(RdfSyntaxError, match=r"bad\.ttl"):
        validate([bad])
