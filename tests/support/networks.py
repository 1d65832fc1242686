"""Random small supply networks as N-Triples, for property tests of the index and its frames.

They have BOM cycles, supply cycles, items without producers, firms producing
directly, statistics with and without a stage, forms of elements and a
three-level class tree.
"""

from __future__ import annotations

import random

from ontology import vocab as v

ID = v.ID
CLASSES = ["critical", "rare", "light", "heavy", "battery"]
BROADER = {"rare": "critical", "light": "rare", "heavy": "rare", "battery": "critical"}


def random_network(seed: int) -> str:
    """A random network (N-Triples) drawn from ``seed``."""
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
