"""Property: the index's dependents equal a SPARQL property-path answer on random small graphs.

The generated graphs have BOM cycles, supply cycles, items without
producers, firms producing directly, statistics with and without a stage,
forms of elements and a three-level class tree.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ontology import vocab as v
from service.backend import artifact_builders
from service.index import index_for
from service.index.search import Question, dependents
from service.store import MemoryStore
from tests.support.networks import CLASSES, ID, random_network

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
        writer.load(random_network(seed).encode(), "turtle", "https://w3id.org/supplygraph/graph/g")
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
