"""Reads :class:`Facts` from a snapshot's frames: the triples its dependency index was built from.

The frames (:mod:`service.index.spec`) keep each predicate's triples with
their terms spelled as in N-Triples (``<iri>``, ``_:label``, ``"text"@en``,
``"1.5"^^<…#decimal>`` or a bare number).  Here they are decoded and joined
into dictionaries with polars, once per snapshot; no store query is made.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping

import polars as pl

from ontology import vocab as v
from service.analysis.facts import BomLine, Facts, Statistic, Supply

Frames = Mapping[str, pl.DataFrame]

# Every IRI is interned: the same entity is named in many frames, and one string object per IRI
# halves the facts' memory and their stored model's size (it is pickled by object identity).
_intern = sys.intern

_LITERAL = r'^"(.*)"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?$'
_LANGUAGE = r'^".*"@([A-Za-z0-9-]+)$'
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    """N-Triples string escapes decoded (the store's TSV and a loaded document may spell them differently)."""

    def one(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        return chr(int(code, 16)) if code else _SIMPLE.get(match.group(3), match.group(0))

    return _ESCAPE.sub(one, text) if "\\" in text else text


def _node(column: str) -> pl.Expr:
    """An IRI or blank-node term as a key: the IRI, or ``_:label`` made unique by the row's scope."""
    term = pl.col(column)
    iri = term.str.strip_prefix("<").str.strip_suffix(">")
    scoped = pl.when(pl.col("scope") == 0).then(term).otherwise(term + "~" + pl.col("scope").cast(pl.String))
    return pl.when(term.str.starts_with("<")).then(iri).when(term.str.starts_with("_:")).then(scoped).alias(column)


def _subjects(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(_node("s"))


def links(frames: Frames, name: str) -> dict[str, str]:
    """Subject -> node object; the least object when there are several, so row order never matters."""
    rows = _subjects(frames[name]).with_columns(_node("o")).drop_nulls(["s", "o"]).group_by("s").agg(pl.col("o").min())
    rows = rows.sort("s")  # dictionaries in IRI order: every build of the network numbers its nodes alike
    return dict(zip(map(_intern, rows["s"].to_list()), map(_intern, rows["o"].to_list()), strict=True))


def multi(frames: Frames, name: str, subjects: pl.Series | None = None) -> dict[str, list[str]]:
    """Subject -> its node objects, sorted and without repeats (only ``subjects``, if given)."""
    rows = _subjects(frames[name]).with_columns(_node("o")).drop_nulls(["s", "o"])
    if subjects is not None:
        rows = rows.filter(pl.col("s").is_in(subjects))
    grouped = rows.group_by("s").agg(pl.col("o").unique().sort()).sort("s")
    objects = ([_intern(o) for o in found] for found in grouped["o"].to_list())
    return dict(zip(map(_intern, grouped["s"].to_list()), objects, strict=True))


def numbers(frames: Frames, name: str) -> dict[str, float]:
    """Subject -> number, for objects whose lexical form is a number (the least of several)."""
    lexical = pl.col("o").str.extract(_LITERAL, 1).fill_null(pl.col("o"))
    rows = (
        _subjects(frames[name])
        .filter(~pl.col("o").str.starts_with("<") & ~pl.col("o").str.starts_with("_:"))
        .select("s", value=lexical.str.strip_chars().cast(pl.Float64, strict=False))
        .drop_nulls()
        .filter(pl.col("value").is_finite())
        .group_by("s")
        .agg(pl.col("value").min())
        .sort("s")
    )
    return dict(zip(map(_intern, rows["s"].to_list()), rows["value"].to_list(), strict=True))


def texts(frames: Frames, name: str) -> dict[str, str]:
    """Subject -> text of a literal object: English first, then untagged, then any language; the least text of those.

    The rule GraphQL's labels follow (``Props.label``): a country a trade dataset
    names again, untagged ("Other Asia, nes"), keeps the sample's English label ("Taiwan").
    """
    language = pl.col("o").str.extract(_LANGUAGE, 1).str.to_lowercase()
    rows = (
        _subjects(frames[name])
        .select(
            "s",
            text=pl.col("o").str.extract(_LITERAL, 1),
            rank=pl.when(language == "en").then(0).when(language.is_null()).then(1).otherwise(2),
        )
        .drop_nulls(["s", "text"])
        .sort("s", "rank", "text")
        .unique(subset="s", keep="first")
    )
    return {_intern(s): _unescape(text) for s, text in zip(rows["s"].to_list(), rows["text"].to_list(), strict=True)}


def read_facts(frames: Frames) -> Facts:
    """The supply network, statistics, taxonomy and labels held in ``frames``."""
    facts = Facts()
    shares = numbers(frames, "share")
    inputs = links(frames, "input")
    for product, lines in multi(frames, "has_input").items():
        facts.bom[product] = [BomLine(line, inputs[line], shares.get(line)) for line in lines if line in inputs]
    suppliers, buyers, items = links(frames, "supplier"), links(frames, "buyer"), links(frames, "item")
    for rel, supplier in sorted(suppliers.items()):
        if rel in buyers and rel in items:
            facts.supply.append(Supply(rel, supplier, buyers[rel], items[rel], shares.get(rel)))
    facts.produces = multi(frames, "produces")
    facts.located_in = links(frames, "rel_located_in")
    facts.operated_by = links(frames, "rel_operated_by")
    facts.headquartered_in = links(frames, "rel_headquartered_in")
    facts.capacity = numbers(frames, "capacity")
    facts.capacity_item = links(frames, "capacity_item")
    facts.capacity_unit = links(frames, "capacity_unit")
    facts.material_class = {k: set(x) for k, x in multi(frames, "rel_material_class").items()}
    facts.broader = {k: set(x) for k, x in multi(frames, "rel_broader").items()}
    facts.form_of = {k: set(x) for k, x in multi(frames, "rel_form_of").items()}
    stages = links(frames, "stage")
    stat_subjects = _read_stats(frames, facts, stages)
    facts.stage = {k: s for k, s in stages.items() if k not in stat_subjects}
    facts.member_of = {k: set(x) for k, x in multi(frames, "member_of").items()}
    aggregate = f"<{v.COUNTRY_AGGREGATE}>"
    facts.aggregates = set(_subjects(frames["type"].filter(pl.col("o") == aggregate)).drop_nulls("s")["s"].to_list())
    facts.labels = texts(frames, "pref_label") | texts(frames, "label")
    facts.loaded = texts(frames, "loaded_at")
    # sg:hsCode is also on every trade flow; keep only the items' codes and the HS hierarchy.
    known = pl.Series(sorted(facts.items()), dtype=pl.String)
    facts.hs_code = {k: set(x) for k, x in multi(frames, "hs_code", known).items()}
    return facts


def _graphs(frames: Frames, name: str) -> dict[str, str]:
    """Subject -> the graph its ``name`` triple is in (the least, if several)."""
    rows = _subjects(frames[name]).drop_nulls("s").group_by("s").agg(pl.col("graph").min())
    return dict(zip(rows["s"].to_list(), rows["graph"].to_list(), strict=True))


def _read_stats(frames: Frames, facts: Facts, stages: dict[str, str]) -> set[str]:
    graphs = _graphs(frames, "stat_material")
    materials = links(frames, "stat_material")
    countries = links(frames, "stat_country")
    wanted = materials.keys() & countries.keys()
    quantities = {s: q for s, q in numbers(frames, "quantity").items() if s in wanted}
    years = {s: int(q) for s, q in numbers(frames, "year").items() if s in wanted}
    units = links(frames, "unit")
    editions = texts(frames, "edition")
    for stat in sorted(wanted):
        if stat in quantities and stat in years:
            facts.stats.append(
                Statistic(
                    stat,
                    materials[stat],
                    countries[stat],
                    years[stat],
                    stages.get(stat),
                    quantities[stat],
                    units.get(stat),
                    editions.get(stat),
                    graphs.get(stat) or None,
                )
            )
    return set(wanted)
