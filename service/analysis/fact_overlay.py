"""A stored facts field as its base (a parent's file, linked) and an overlay of the entries changed since.

A derived model (:mod:`service.analysis.model_delta`) changes a few entries
of a few facts fields; pickling a whole field of a 10M-triple snapshot again
takes seconds.  So its file is the base's, hard-linked, and beside it an
overlay holds every entry changed since that base, by key: the new entry, or
None where it was removed (no facts entry is None).  Overlays accumulate
down a chain of writes until one grows past :func:`too_large`; that model
stores the field whole again, and becomes the next base.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from service.analysis.facts import Facts

KEYED_LISTS = {"supply": "rel", "stats": "stat"}
"""List fields and the attribute each entry is keyed by (their order: by that key)."""
UNSORTED = frozenset({"labels", "aggregates", *KEYED_LISTS})
"""Fields other than dictionaries kept in key order, as :func:`read_facts` fills them."""

Overlay = dict[str, Any]


def entries(facts: Facts, name: str, keys: Iterable[str]) -> Overlay:
    """The entries of ``facts``'s field ``name`` under ``keys`` (None where it has none)."""
    value = getattr(facts, name)
    wanted = set(keys)
    if name in KEYED_LISTS:
        attr = KEYED_LISTS[name]
        found = {getattr(e, attr): e for e in value if getattr(e, attr) in wanted}
        return {k: found.get(k) for k in wanted}
    if name == "aggregates":
        return {k: True if k in value else None for k in wanted}
    return {k: value.get(k) for k in wanted}


def too_large(overlay: Overlay, value: Any) -> bool:
    """Whether an overlay has grown enough that the field is better stored whole."""
    return len(overlay) > max(10_000, len(value) // 20)


def apply(name: str, base: Any, overlay: Overlay) -> Any:
    """The field ``name`` whose base value is ``base``, with ``overlay``'s entries in place."""
    if name in KEYED_LISTS:
        attr = KEYED_LISTS[name]
        kept = [e for e in base if getattr(e, attr) not in overlay]
        merged = kept + [e for e in overlay.values() if e is not None]
        merged.sort(key=lambda e: getattr(e, attr))
        return merged
    if name == "aggregates":
        return (base - overlay.keys()) | {k for k, present in overlay.items() if present}
    value = dict(base)
    added = False
    for key, entry in overlay.items():
        if entry is None:
            value.pop(key, None)
        else:
            added |= key not in value
            value[key] = entry
    return dict(sorted(value.items())) if added and name not in UNSORTED else value
