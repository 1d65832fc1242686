"""The house plan, checked: layers, no import cycles, small modules, complete package exports.

``docs/architecture.md`` explains the layers; this module keeps the code to them.
"""

from __future__ import annotations

import ast
import importlib
from types import ModuleType

import pytest

from tests.support.imports import ROOT, cycles, graph, modules

LAYERS: list[set[str]] = [
    {"ontology", "queries", "service", "service.errors", "service.settings"},
    {"service.store"},
    {"service.index", "service.query_catalogue", "loaders"},
    {"service.analysis", "service.backend", "service.identifiers", "service.validate"},
    {"service.gql"},
    {"service.web"},
    {"service.cli"},
]
"""Groups of modules, lowest first.  A group imports only from lower layers (and itself)."""

PACKAGES = ["service.store", "service.index", "service.analysis", "service.gql", "service.web", "service.cli"]
MAX_LINES = 400


def _group(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "service" and len(parts) > 1 else parts[0]


def _layer(group: str) -> int:
    found = [n for n, layer in enumerate(LAYERS) if group in layer]
    assert found, f"{group} is in no layer of LAYERS: add it"
    return found[0]


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_imports_point_down() -> None:
    upward = []
    for module, targets in graph().items():
        here = _group(module)
        for target in targets:
            there = _group(target)
            if there != here and _layer(there) >= _layer(here):
                upward.append(f"{module} imports {target}")
    assert upward == []


def test_modules_stay_small() -> None:
    large = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert large == {}


@pytest.mark.parametrize("name", PACKAGES)
def test_package_says_its_job(name: str) -> None:
    package = importlib.import_module(name)
    assert package.__doc__ and len(package.__doc__.strip()) > 40


@pytest.mark.parametrize("name", PACKAGES)
def test_package_exports_exactly_its_public_names(name: str) -> None:
    package = importlib.import_module(name)
    exported = set(getattr(package, "__all__", ()))
    public = {n for n, value in vars(package).items() if not n.startswith("_") and not isinstance(value, ModuleType)}
    assert exported == public
    assert sorted(package.__all__, key=lambda n: (not n.isupper(), n[0].islower(), n)) == package.__all__


@pytest.mark.parametrize("name", PACKAGES)
def test_what_other_layers_use_is_exported(name: str) -> None:
    """Every name another package imports from inside this one is in its ``__all__``."""
    package = importlib.import_module(name)
    missing = set()
    for module, path in modules().items():
        if _group(module) == name:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(name + "."):
                for alias in node.names:
                    if alias.name not in package.__all__ and f"{node.module}.{alias.name}" not in modules():
                        missing.add(f"{node.module}.{alias.name} (used by {module})")
    assert sorted(missing) == []


def test_tests_mirror_the_packages() -> None:
    folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert {"store", "index", "web", "gql", "analysis", "loaders", "cli", "support"} <= folders
    assert not [p.name for p in (ROOT / "tests").glob("*.py") if p.name not in {"__init__.py", "conftest.py"}] or all(
        p.name.startswith("test_")
        for p in (ROOT / "tests").glob("*.py")
        if p.name not in {"__init__.py", "conftest.py"}
    )
