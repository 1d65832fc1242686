"""Property: the index's dependents equal a SPARQL property-path answer on random small graphs.

The generated graphs have BOM cycles, supply cycles, items without
producers, firms producing directly, statistics with and without a stage,
forms of elements and a three-level class tree.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ontology import vocab as v
from service.backend import artifact_builders
from service.index import index_for
from service.paths import Question, dependents
from service.store import MemoryStore

ID = "https://w3id.org/supplygraph/id/"
CLASSES = ["critical", "rare", "light", "heavy", "battery"]
BROADER = {"rare": "critical", "light": "rare", "heavy": "rare", "battery": "critical"}


def _graph(seed: int) -> str:
    rng = random.Random(seed)
    t: list[str] = []

    def add(s: str, p: str, o: str) -> None:
        t.append(f"{s} <{p}> {o} .")

    countries = [f"<{ID}country/C{i}>" for i in range(3)]
    for c in countries:
        add(c, v.RDF_TYPE, f"<{v.COUNTRY}>")
    for name, up in BROADER.items():
        add(f"<{ID}class/{name}>", v.SKOS_BROADER, f"<{ID}class/{up}>")
    items = [f"<{ID}item/i{i}>" for i in range(rng.randint(3, 14))]
    for n, item in enumerate(items):
        add(item, v.RDF_TYPE, f"<{v.PRODUCT if rng.random() < 0.6 else v.MATERIAL}>")
        if rng.random() < 0.7:
            add(item, v.STAGE_P, f"<{rng.choice(v.STAGES)}>")
        if rng.random() < 0.4:
            add(item, v.MATERIAL_CLASS_P, f"<{ID}class/{rng.choice(CLASSES)}>")
        if rng.random() < 0.15:
            add(item, v.FORM_OF, rng.choice(items))
        for k in range(rng.randint(0, 3)):  # BOM lines, sometimes cyclic
            line = f"_:l{n}x{k}"
            add(item, v.HAS_INPUT, line)
            add(line, v.INPUT, rng.choice(items))
            add(line, v.SHARE, f'"{rng.random():.2f}"^^<{v.XSD}decimal>')
    firms = [f"<{ID}firm/f{i}>" for i in range(rng.randint(1, 4))]
    for firm in firms:
        add(firm, v.RDF_TYPE, f"<{v.FIRM}>")
        if rng.random() < 0.8:
            add(firm, v.HEADQUARTERED_IN, rng.choice(countries))
    sites = [f"<{ID}facility/s{i}>" for i in range(rng.randint(1, 8))]
    for site in sites:
        add(site, v.RDF_TYPE, f"<{v.FACILITY}>")
        if rng.random() < 0.85:
            add(site, v.LOCATED_IN, rng.choice(countries))
        if rng.random() < 0.6:
            add(site, v.OPERATED_BY, rng.choice(firms))
    actors = sites + firms
    for actor in actors:
        for item in rng.sample(items, k=min(len(items), rng.randint(0, 2))):  # many items have no producer
            add(actor, v.PRODUCES, item)
    for n in range(rng.randint(0, 8)):  # supply relations, cycles included
        relation = f"_:r{n}"
        add(relation, v.SUPPLIER, rng.choice(actors))
        add(relation, v.BUYER, rng.choice(actors))
        if rng.random() < 0.8:
            add(relation, v.SUPPLIED_ITEM, rng.choice(items))
    for _ in range(rng.randint(0, 3)):
        add(rng.choice(actors), v.SUPPLIES_TO, rng.choice(actors))
    for n in range(rng.randint(0, 3)):
        stat = f"<{ID}stat/st{n}>"
        add(stat, v.STAT_MATERIAL, rng.choice(items))
        add(stat, v.STAT_COUNTRY, rng.choice(countries))
        if rng.random() < 0.5:
            add(stat, v.STAGE_P, f"<{rng.choice(v.STAGES)}>")
    return "\n".join(t)


SEED = "?m <{sg}formOf>*/<{sg}materialClass>/<{skos}broader>* ?K"
STAGED = "OPTIONAL { ?m <{sg}stage> ?ms } FILTER(!BOUND(?want) || ?ms = ?want)"


def _sparql(via_operator: bool) -> str:
    within = "?f <{sg}locatedIn>|<{sg}headquarteredIn> ?C"
    if via_operator:
        within = (
            "{ ?f <{sg}locatedIn>|<{sg}headquarteredIn> ?C }"
            " UNION { ?f a <{sg}Facility> ; <{sg}operatedBy>/<{sg}headquarteredIn> ?C }"
        )
    query = f"""
    SELECT DISTINCT ?x WHERE {{
      ?x a <{{sg}}Product> ;
         (<{{sg}}hasInput>/<{{sg}}input> | ^<{{sg}}produces>
          | ^<{{sg}}buyer>/<{{sg}}supplier> | ^<{{sg}}suppliesTo>)+ ?h .
      {{
        {SEED.replace("?m", "?h")} . {STAGED.replace("?m ", "?h ")}
        ?f <{{sg}}produces> ?h . {within}
      }} UNION {{
        {SEED.replace("?m", "?h")} .
        ?stat <{{sg}}material> ?h ; <{{sg}}country> ?C .
        OPTIONAL {{ ?stat <{{sg}}stage> ?ss }} OPTIONAL {{ ?h <{{sg}}stage> ?ms }}
        FILTER(!BOUND(?want) || COALESCE(?ss, ?ms) = ?want)
      }} UNION {{
        ?r <{{sg}}buyer> ?h ; <{{sg}}supplier> ?f ; <{{sg}}item> ?m . {SEED} . {STAGED}
        {within}
      }}
    }}"""
    return query.replace("{sg}", v.NS).replace("{skos}", v.SKOS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**9),
    cls=st.sampled_from(CLASSES),
    country=st.integers(0, 2),
    stage=st.one_of(st.none(), st.integers(0, len(v.STAGES) - 1)),
    via_operator=st.booleans(),
)
def test_index_dependents_equal_sparql_property_paths(
    seed: int, cls: str, country: int, stage: int | None, via_operator: bool
) -> None:
    memory = MemoryStore(artifact_builders())
    with memory.write() as writer:
        writer.load(_graph(seed).encode(), "turtle", "https://w3id.org/supplygraph/graph/g")
    # Constants of this test, not user input, so they are written into the query text.
    query = _sparql(via_operator).replace("?K", f"<{ID}class/{cls}>").replace("?C", f"<{ID}country/C{country}>")
    want = f"<{v.STAGES[stage]}>" if stage is not None else "?want"
    query = query.replace("?want", want).replace(f"!BOUND({want})", "false" if stage is not None else "true")
    expected = sorted({row["x"].value for row in memory.graph().select(query).rows})

    index = index_for(memory)
    class_node, country_node = index.lookup(ID + f"class/{cls}"), index.lookup(ID + f"country/C{country}")
    if class_node is None or country_node is None:
        assert expected == []
        return
    question = Question(country_node, (), (class_node,), () if stage is None else (stage,), via_operator)
    page = dependents(index, question, max_depth=100, first=1000)
    assert sorted(index.iri(r.node) for r in page.results) == expected
    assert page.total == len(expected)
    for result in page.results:  # every path starts at its item and has one step per level
        assert result.path[0].node == result.node and len(result.path) >= result.depth + 1
