"""A seeded synthetic supply network, streamed as N-Triples, of about the requested size.

Run: ``python -m bench.generate --triples 1000000 out.nt``.

Shape: 200 countries with codes (China first), a class tree (critical
minerals > rare earths > light/heavy rare earths, battery minerals...),
about 300 materials including the 17 rare earths and an oxide form of each,
firms headquartered in countries, facilities located in countries and
operated by firms, three tiers of products with bills of materials
(components use materials, sub-assemblies use components, end products
use both), supply relationships between producing facilities (with some
cycles), and yearly production statistics.  Rare-earth refining sits
mostly in China, as it does in reality.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from pathlib import Path

from ontology import vocab as v

ID = v.ID
RARE_EARTHS = (
    ("lanthanum", "light"),
    ("cerium", "light"),
    ("praseodymium", "light"),
    ("neodymium", "light"),
    ("promethium", "light"),
    ("samarium", "light"),
    ("europium", "light"),
    ("gadolinium", "heavy"),
    ("terbium", "heavy"),
    ("dysprosium", "heavy"),
    ("holmium", "heavy"),
    ("erbium", "heavy"),
    ("thulium", "heavy"),
    ("ytterbium", "heavy"),
    ("lutetium", "heavy"),
    ("scandium", "heavy"),
    ("yttrium", "heavy"),
)
CLASSES = {
    "critical-minerals": None,
    "rare-earths": "critical-minerals",
    "light-rare-earths": "rare-earths",
    "heavy-rare-earths": "rare-earths",
    "battery-minerals": "critical-minerals",
    "base-metals": None,
    "precious-metals": None,
    "industrial-minerals": None,
}
REAL_COUNTRIES = (("CHN", "CN", "156"), ("USA", "US", "840"), ("JPN", "JP", "392"), ("DEU", "DE", "276"))
TRIPLES_PER_PRODUCT = 26  # product + its share of facilities, firms and supply relations
FIXED_TRIPLES = 8_000  # countries, classes, materials and their producers


def _iri(kind: str, local: str) -> str:
    return f"<{ID}{kind}/{local}>"


def _t(s: str, p: str, o: str) -> str:
    return f"{s} <{p}> {o} .\n"


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _num(value: float, datatype: str = "decimal") -> str:
    return f'"{value}"^^<{v.XSD}{datatype}>'


def sizes(triples: int) -> tuple[int, int]:
    """The statistics rows and the products of a network of about ``triples`` triples (products are
    ``product/p0`` … ``product/p{n-1}``)."""
    stat_rows = max(4 * len(RARE_EARTHS), int(triples * 0.04 / 7))
    return stat_rows, max(20, (triples - FIXED_TRIPLES - 7 * stat_rows) // TRIPLES_PER_PRODUCT)


def generate(triples: int, seed: int = 42) -> Iterator[str]:
    """Yield N-Triples lines for a network of about ``triples`` triples."""
    rng = random.Random(seed)
    stat_rows, products = sizes(triples)
    type_ = v.RDF_TYPE
    label = v.RDFS_LABEL

    countries = [c for c, _, _ in REAL_COUNTRIES] + [f"X{i:02d}" for i in range(196)]
    for n, code in enumerate(countries):
        iri = _iri("country", code)
        iso2, numeric = (REAL_COUNTRIES[n][1], REAL_COUNTRIES[n][2]) if n < len(REAL_COUNTRIES) else (code, f"{n:03d}")
        yield _t(iri, type_, f"<{v.COUNTRY}>") + _t(iri, label, _lit(f"Country {code}"))
        yield _t(iri, v.ISO2, _lit(iso2)) + _t(iri, v.ISO3, _lit(code)) + _t(iri, v.ISO_NUMERIC, _lit(numeric))
    for name, broader in CLASSES.items():
        iri = _iri("class", name)
        yield _t(iri, type_, f"<{v.MATERIAL_CLASS}>") + _t(iri, label, _lit(name.replace("-", " ").capitalize()))
        if broader:
            yield _t(iri, v.SKOS_BROADER, _iri("class", broader))

    materials: list[tuple[str, bool]] = []  # (iri, is rare earth)
    for name, group in RARE_EARTHS:
        element, oxide = _iri("material", name), _iri("material", name + "-oxide")
        yield _t(element, type_, f"<{v.MATERIAL}>") + _t(element, label, _lit(name.capitalize()))
        yield _t(element, v.MATERIAL_CLASS_P, _iri("class", f"{group}-rare-earths"))
        yield _t(element, v.STAGE_P, f"<{v.REFINING}>")
        yield _t(oxide, type_, f"<{v.MATERIAL}>") + _t(oxide, v.FORM_OF, element)
        yield _t(oxide, v.STAGE_P, f"<{v.MINING}>") + _t(oxide, label, _lit(name.capitalize() + " oxide"))
        materials += [(element, True), (oxide, True)]
    others = [c for c in CLASSES if "rare" not in c and c != "critical-minerals"]
    for i in range(300 - len(materials)):
        iri = _iri("material", f"m{i}")
        yield _t(iri, type_, f"<{v.MATERIAL}>") + _t(iri, label, _lit(f"Material {i}"))
        yield _t(iri, v.MATERIAL_CLASS_P, _iri("class", rng.choice(others)))
        yield _t(iri, v.STAGE_P, f"<{rng.choice((v.MINING, v.REFINING, v.METAL))}>")
        materials.append((iri, False))

    firms = [_iri("firm", f"f{i}") for i in range(max(5, products // 5))]
    for i, firm in enumerate(firms):
        yield _t(firm, type_, f"<{v.FIRM}>") + _t(firm, label, _lit(f"Firm {i}"))
        yield _t(firm, v.HEADQUARTERED_IN, _iri("country", rng.choice(countries[:40])))
        if i > 10 and rng.random() < 0.1:
            yield _t(firm, v.SUBSIDIARY_OF, rng.choice(firms[:i]))

    # Products in three tiers; each lists inputs from the tiers below.
    tiers = (int(products * 0.5), int(products * 0.3), products - int(products * 0.5) - int(products * 0.3))
    product_iris = [_iri("product", f"p{i}") for i in range(products)]
    inputs_of: list[list[str]] = []
    start = 0
    for tier, size in enumerate(tiers):
        stage = (v.COMPONENT, v.COMPONENT, v.ASSEMBLY)[tier]
        for i in range(start, start + size):
            iri = product_iris[i]
            yield _t(iri, type_, f"<{v.PRODUCT}>") + _t(iri, label, _lit(f"Product {i}"))
            yield _t(iri, v.STAGE_P, f"<{stage}>")
            if tier == 0:
                pool = [m for m, _ in materials]
                chosen = rng.sample(pool, 3)
                if rng.random() < 0.08:  # magnets, phosphors, catalysts
                    chosen[0] = rng.choice([m for m, rare in materials if rare])
            else:
                chosen = [product_iris[rng.randrange(start)] for _ in range(3)] + [rng.choice(materials)[0]]
            inputs_of.append(chosen)
            for k, item in enumerate(chosen):
                line = f"_:b{i}x{k}"
                yield _t(iri, v.HAS_INPUT, line) + _t(line, type_, f"<{v.BOM_LINE}>")
                yield _t(line, v.INPUT, item) + _t(line, v.SHARE, _num(round(rng.uniform(0.01, 0.5), 3)))
        start += size

    # Facilities: one per two products, plus material producers.
    producers: dict[str, list[str]] = {}
    facilities: list[tuple[str, str]] = []  # (iri, product it makes or "")
    for n, (material, rare) in enumerate(materials):
        for k in range(rng.randint(1, 4)):
            iri = _iri("facility", f"m{n}-{k}")
            country = "CHN" if rare and rng.random() < 0.7 else rng.choice(countries)
            yield from _facility(rng, iri, country, firms, [material])
            producers.setdefault(material, []).append(iri)
            facilities.append((iri, material))
    for i in range(0, products, 2):
        iri = _iri("facility", f"p{i}")
        made = [product_iris[i]] + ([product_iris[i + 1]] if i + 1 < products else [])
        yield from _facility(rng, iri, rng.choice(countries[:60]), firms, made)
        for item in made:
            producers.setdefault(item, []).append(iri)
        facilities.append((iri, product_iris[i]))

    # Supply relations from a producer of an input to a producer of the product.
    for r in range(products):
        i = rng.randrange(products)
        buyer = producers[product_iris[i]][0]
        item = rng.choice(inputs_of[i])
        candidates = producers.get(item)
        supplier = rng.choice(candidates) if candidates else rng.choice(facilities)[0]
        rel = f"_:s{r}"
        yield _t(rel, type_, f"<{v.SUPPLY_RELATIONSHIP}>") + _t(rel, v.SUPPLIER, supplier) + _t(rel, v.BUYER, buyer)
        yield _t(rel, v.SUPPLIED_ITEM, item) + _t(rel, v.SHARE, _num(round(rng.uniform(0.05, 1.0), 3)))
        if rng.random() < 0.02:  # a few reverse links close supply cycles
            yield _t(buyer, v.SUPPLIES_TO, supplier)

    # Production statistics: the top producers of each material, rare earths first, recent years first.
    years = range(2023, 2023 - max(1, min(5, triples // 400_000)), -1)
    rows = 0
    for n, (material, rare) in enumerate(materials):
        top = ["CHN", *rng.sample(countries[1:40], 3)] if rare else rng.sample(countries[:40], 4)
        for year in years:
            for country in top:
                if rows >= stat_rows:
                    return
                rows += 1
                stat = _iri("stat", f"{n}-{country}-{year}")
                yield _t(stat, type_, f"<{v.PRODUCTION_STATISTIC}>") + _t(stat, v.STAT_MATERIAL, material)
                yield _t(stat, v.STAT_COUNTRY, _iri("country", country)) + _t(stat, v.YEAR, _num(year, "integer"))
                yield _t(stat, v.QUANTITY, _num(rng.randrange(100, 100_000)))


def _facility(rng: random.Random, iri: str, country: str, firms: list[str], made: list[str]) -> Iterator[str]:
    yield _t(iri, v.RDF_TYPE, f"<{v.FACILITY}>") + _t(iri, v.RDFS_LABEL, _lit("Facility " + iri.rsplit("/", 1)[1][:-1]))
    yield _t(iri, v.LOCATED_IN, _iri("country", country)) + _t(iri, v.OPERATED_BY, rng.choice(firms))
    yield _t(iri, v.CAPACITY, _num(rng.randrange(100, 100_000)))
    for item in made:
        yield _t(iri, v.PRODUCES, item)


def write(path: Path, triples: int, seed: int = 42) -> int:
    """Write the network to ``path``; return the number of triples written."""
    count = 0
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as out:
        for chunk in generate(triples, seed):
            out.write(chunk)
            count += chunk.count("\n")
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    print(f"wrote {write(args.out, args.triples, args.seed):,} triples to {args.out}")


if __name__ == "__main__":
    main()
