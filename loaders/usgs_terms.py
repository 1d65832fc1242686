"""USGS MCS conventions: commodity names and codes, units, stages and cell values.

Material IRIs are a fixed contract: ``id/material/<slug>`` with the slugs
below (``rare-earths`` is rare-earth-oxide equivalent); other commodities take
the slug of their name.
"""

from __future__ import annotations

from decimal import Decimal

from loaders.iris import slug
from loaders.tabular import decimal_text
from ontology import vocab as V
from service.errors import DataError

# Per-commodity file codes of the 2022-2024 releases (mcs2024-<code>_world.csv).
CODES = {
    "raree": "rare-earths", "galli": "gallium", "germa": "germanium", "graph": "natural-graphite",
    "tungs": "tungsten", "antim": "antimony", "cobal": "cobalt", "lithi": "lithium", "coppe": "copper",
    "nicke": "nickel", "manga": "manganese", "vanad": "vanadium", "zinc": "zinc", "tin": "tin",
    "alumi": "aluminum", "simet": "silicon", "indiu": "indium", "bismu": "bismuth", "molyb": "molybdenum",
    "niobi": "niobium", "tanta": "tantalum", "chrom": "chromium", "titan": "titanium", "zirco": "zirconium",
    "plati": "platinum-group-metals", "magne": "magnesium", "fluor": "fluorspar", "beryl": "beryllium",
    "bauxi": "bauxite", "lead": "lead", "gold": "gold", "silve": "silver", "iron": "iron-ore",
    "tellu": "tellurium", "selen": "selenium", "hafni": "hafnium", "rheni": "rhenium", "scand": "scandium",
}  # fmt: skip

# 2025 COMMODITY names whose slug is not simply slug(name).
NAMES = {
    "rare earths": "rare-earths", "graphite (natural)": "natural-graphite", "graphite": "natural-graphite",
    "natural graphite": "natural-graphite", "silicon metal": "silicon", "aluminium": "aluminum",
    "platinum-group metals": "platinum-group-metals", "iron ore": "iron-ore",
}  # fmt: skip

# USGS reports these in kilograms; tonnes are converted to kilograms for them.
KILOGRAM_MATERIALS = frozenset({"gallium", "germanium"})

TONNE = V.UNIT + "TONNE"
KILOGRAM = V.UNIT + "KiloGM"
CARAT = V.UNIT + "CARAT"
CUBIC_METRE = V.UNIT + "M3"

# Units in 2022-2024 column names (Prod_t_2022, Prod_kt_est_2023, Prod_kg_2022, Prod_mct_2022).
_COLUMN_UNITS = {
    "t": (TONNE, Decimal(1)), "mt": (TONNE, Decimal(1)), "kt": (TONNE, Decimal(1000)),
    "kg": (KILOGRAM, Decimal(1)), "mct": (CARAT, Decimal(1_000_000)), "kct": (CARAT, Decimal(1000)),
    "mcm": (CUBIC_METRE, Decimal(1_000_000)),
}  # fmt: skip

# UNIT_MEAS values of the 2025 layout.
_MEASURES = {
    "metric tons": (TONNE, Decimal(1)), "thousand metric tons": (TONNE, Decimal(1000)),
    "million metric tons": (TONNE, Decimal(1_000_000)), "kilograms": (KILOGRAM, Decimal(1)),
    "thousand carats": (CARAT, Decimal(1000)), "million carats": (CARAT, Decimal(1_000_000)),
    "million cubic meters": (CUBIC_METRE, Decimal(1_000_000)), "thousand metric dry tons": (TONNE, Decimal(1000)),
    "metric dry tons": (TONNE, Decimal(1)),
}  # fmt: skip

# Cell values meaning "no number": not available, not applicable, withheld, zero-ish words.
MISSING = {
    "na": "not available (NA)", "xx": "not applicable (XX)", "w": "withheld to avoid disclosing company data (W)",
    "—": "none or not available (—)", "–": "none or not available (–)", "-": "none or not available (-)",
    "--": "none or not available (--)", "large": "large, not quantified", "very small": "very small, not quantified",
}  # fmt: skip


def commodity_slug(name: str, code: bool = False) -> str:
    """The material slug of a 2025 COMMODITY name or (``code=True``) a 2022-2024 file code."""
    key = " ".join(name.lower().split())
    if code:
        return CODES.get(key, key)
    return NAMES.get(key) or slug(key)


def unit_of_column(unit: str) -> tuple[str, Decimal] | None:
    """(QUDT unit IRI, factor) of the unit in a 2022-2024 production column name."""
    return _COLUMN_UNITS.get(unit.lower())


def unit_of_measure(text: str) -> tuple[str, Decimal] | None:
    """(QUDT unit IRI, factor) of a 2025 UNIT_MEAS value."""
    return _MEASURES.get(" ".join(text.lower().split()))


def stage_of(stat_type: str) -> str:
    """sg:Mining for mine production; sg:Refining for every other production TYPE.

    Refinery, smelter, plant and "primary" production (gallium) all process
    mined material; the TYPE text itself is kept in sg:statType.
    """
    return V.MINING if "mine" in stat_type.lower() else V.REFINING


# Editions' citable sources (DOIs of the data releases where USGS publishes one).
EDITION_SOURCES = {
    "MCS2023": "https://www.sciencebase.gov/catalog/item/63b5f411d34e92aad3caa57f",
    "MCS2024": "doi:10.5066/P144BA54",
    "MCS2025": "doi:10.5066/P13XCP3R",
    "MCS2026": "doi:10.5066/P1WKQ63T",
}
DEFAULT_SOURCE = "https://www.usgs.gov/centers/national-minerals-information-center/mineral-commodity-summaries"


def parse_quantity(text: str, field: str) -> tuple[str | None, bool]:
    """(number, estimated) of a cell: ``"e1,200"`` -> ``("1200", True)``; ``"W"`` or empty -> ``(None, False)``.

    ``e`` marks an estimate; ``<`` and ``>`` bounds keep the bound, flagged
    estimated.  Withheld and not-available tokens are missing.  Raises
    :class:`DataError` for anything else that is not a number.
    """
    cell = text.strip()
    if not cell or cell.lower() in MISSING:
        return None, False
    estimated = False
    while cell[:1] in ("e", "<", ">", "~"):
        estimated = True
        cell = cell[1:].strip()
    number = decimal_text(cell.replace(",", ""))
    if number is None:
        raise DataError("", 0, field, "not a number", text)
    return number, estimated


def parse_reserves(text: str, field: str) -> tuple[str | None, str | None]:
    """(number, bound) of a reserves cell: ``">90,000,000"`` -> ``("90000000", "lower")``.

    ``<`` gives an upper bound.  Words the source uses for unquantified
    reserves (``Large``, ``Moderate``...), withheld and not-available tokens
    give no number; anything else that is not a number is a :class:`DataError`.
    """
    cell = text.strip()
    if not cell or cell.lower() in MISSING or cell.replace(" ", "").isalpha():
        return None, None
    bound = {">": "lower", "<": "upper"}.get(cell[:1])
    number, _estimated = parse_quantity(cell, field)
    return number, bound
