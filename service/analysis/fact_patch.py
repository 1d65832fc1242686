"""The facts of a snapshot derived from its parent's facts and the frame rows a write changed.

Every field of :class:`Facts` is keyed by the subject of the frame rows it is
read from: a product's bill of materials by the product, a supply
relationship by its IRI, a statistic by its IRI.  So the facts about the
subjects a write touched are read again, by the one reader
(:func:`read_facts`), from the new snapshot's rows about those subjects
alone, and replace the parent's entries for them.  A BOM line belongs to its
product: a changed line re-reads the products naming it, with all their
lines.  The HS codes kept are those of items, so the items a change names
are looked at again too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from service.analysis.fact_overlay import KEYED_LISTS, UNSORTED
from service.analysis.facts import FIELDS, Facts
from service.analysis.facts_from_frames import Frames, _node, multi, read_facts


@dataclass
class Patch:
    """The new facts, and the keys whose entries changed (by field), with what those entries named."""

    facts: Facts
    changed: dict[str, set[str]] = field(default_factory=dict)

    @cached_property
    def items(self) -> set[str]:
        """Every item of the new facts (:meth:`Facts.items`), found once."""
        return self.facts.items()


Read = Callable[[pl.Expr], Frames]
"""Reads the new snapshot's frame rows a filter selects (on ``name``, ``s``, ``o``, ``scope``), by frame name."""


def _term(key: str) -> str:
    """A key as the frames spell the term: ``<iri>``, or a blank node's label without its scope."""
    return key.rsplit("~", 1)[0] if key.startswith("_:") else f"<{key}>"


def _rows_about(read: Read, terms: Iterable[str]) -> Frames:
    wanted = pl.Series(sorted(set(terms)), dtype=pl.String)
    return read(pl.col("s").is_in(wanted.implode()))


def subjects(changes: pl.DataFrame, read: Read) -> tuple[set[str], Frames]:
    """The subjects whose facts a change may alter (as keys), and every frame row about them."""
    keys = set(changes.select(_node("s")).drop_nulls()["s"].to_list())
    # A changed line (its input or share) re-reads every product naming it, with all of that product's lines.
    naming = read((pl.col("name") == "has_input") & pl.col("o").is_in(changes["s"].unique().implode()))["has_input"]
    keys |= set(naming.filter(_node("o").is_in(list(keys))).select(_node("s"))["s"].to_list())
    first = _rows_about(read, map(_term, keys))
    lines = first["has_input"].filter(_node("s").is_in(list(keys))).select(_node("o")).drop_nulls()["o"].to_list()
    more = set(lines) - keys
    keys |= more
    second = _rows_about(read, map(_term, more)) if more else {}
    frames = {n: pl.concat([f, second[n]]) if n in second else f for n, f in first.items()}
    exact = list(keys)
    return keys, {n: f.filter(_node("s").is_in(exact)) for n, f in frames.items()}  # a blank node's scope counts


def patch_facts(old: Facts, changes: pl.DataFrame, read: Read | None) -> Patch:
    """``old`` with the entries of every subject ``changes`` touched read again by ``read`` (the new frames).

    ``read`` may be None when nothing changed.
    """
    if read is None or changes.height == 0:
        return Patch(Facts(**{name: getattr(old, name) for name in FIELDS}), {name: set() for name in FIELDS})
    keys, about = subjects(changes, read)
    partial = read_facts(about)
    new = Facts(**{name: getattr(old, name) for name in FIELDS})
    patch = Patch(new)
    for name in FIELDS:
        if name in KEYED_LISTS:
            _patch_list(patch, old, partial, name, keys)
        elif name == "aggregates":
            new.aggregates = (old.aggregates - keys) | partial.aggregates
            patch.changed[name] = old.aggregates ^ new.aggregates
        elif name != "hs_code":
            _patch_dict(patch, getattr(old, name), getattr(partial, name), name, keys)
    _patch_hs_codes(patch, old, read, keys)
    return patch


def _patch_dict(patch: Patch, old: dict[str, object], partial: dict[str, object], name: str, keys: set[str]) -> None:
    changed = {k for k in keys if old.get(k) != partial.get(k)}
    patch.changed[name] = changed
    if not changed:
        return
    value = dict(old)
    added = False
    for key in changed:
        if key in partial:
            added |= key not in value
            value[key] = partial[key]
        else:
            value.pop(key, None)
    if added and name not in UNSORTED:
        value = dict(sorted(value.items()))
    setattr(patch.facts, name, value)


def _patch_list(patch: Patch, old: Facts, partial: Facts, name: str, keys: set[str]) -> None:
    attr = KEYED_LISTS[name]
    before = {getattr(e, attr): e for e in getattr(old, name) if getattr(e, attr) in keys}
    after = {getattr(e, attr): e for e in getattr(partial, name)}
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    patch.changed[name] = changed
    if changed:
        kept = [e for e in getattr(old, name) if getattr(e, attr) not in changed]
        merged = kept + [after[k] for k in changed if k in after]
        merged.sort(key=lambda e: getattr(e, attr))  # as read_facts lists them: by IRI
        setattr(patch.facts, name, merged)


def named_items(old: Facts, new: Facts, changed: dict[str, set[str]]) -> set[str]:
    """Items named by the changed entries of the fields :meth:`Facts.items` reads, before and after."""
    found: set[str] = set()
    for facts in (old, new):
        for product in changed["bom"]:
            found.add(product)
            found.update(line.item for line in facts.bom.get(product, ()))
        for facility in changed["produces"]:
            found.update(facts.produces.get(facility, ()))
        found.update(r.item for r in facts.supply if r.rel in changed["supply"])
        found.update(s.material for s in facts.stats if s.stat in changed["stats"])
    return found


def _patch_hs_codes(patch: Patch, old: Facts, read: Read, keys: set[str]) -> None:
    new = patch.facts
    candidates = keys | named_items(old, new, patch.changed)
    terms = pl.Series(sorted({_term(c) for c in candidates}), dtype=pl.String)
    rows = read((pl.col("name") == "hs_code") & pl.col("s").is_in(terms.implode()))["hs_code"]
    codes = multi({"hs_code": rows}, "hs_code", pl.Series(sorted(candidates), dtype=pl.String))
    items = patch.items
    partial = {k: set(x) for k, x in codes.items() if k in items}
    _patch_dict(patch, old.hs_code, partial, "hs_code", candidates)  # type: ignore[arg-type]


def changed_keys(patch: Patch) -> Iterable[str]:
    """Every key whose entry changed, in any field."""
    for found in patch.changed.values():
        yield from found
