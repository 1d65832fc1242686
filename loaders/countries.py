"""Country IRIs and descriptions shared by the tabular loaders.

Trade sources use UN Comtrade numeric codes (842 USA, 490 "Other Asia, nes");
BACI maps them through its own country file, Comtrade rows carry ISO codes,
and USGS uses English names with its own spellings (``Burma``,
``Congo (Kinshasa)``).  Everything ends up at ``id/country/<ISO3>``.
"""

from __future__ import annotations

import re

from loaders.iris import country, nt_iri, nt_str
from ontology import vocab as V

TAIWAN_TRADE_CODE = "490"  # "Other Asia, nes": Taiwan in BACI and Comtrade (iso3 S19)
PSEUDO_ISO3 = {"S19": "TWN"}

WORLD = "WLD"
OTHER = "OTHER"
WORLD_EXCL_USA = "WLD-EXCL-USA"
AGGREGATE_LABELS = {WORLD: "World", OTHER: "Other countries", WORLD_EXCL_USA: "World, excluding United States"}

_ISO3 = re.compile(r"[A-Z][A-Z0-9]{2}")


def valid_iso3(code: str) -> bool:
    """Whether ``code`` looks like an ISO alpha-3 (or BACI pseudo) code."""
    return bool(_ISO3.fullmatch(code))


def country_nt(iso3: str, label: str | None, source: str, trade_code: str | None = None) -> str:
    """N-Triples describing a country (sg:Country, sg:iso3, sg:tradeCode, rdfs:label, dcterms:source URL)."""
    if iso3 in AGGREGATE_LABELS:
        return aggregate_nt(iso3, source)
    s = nt_iri(country(iso3))
    out = f"{s} <{V.RDF_TYPE}> <{V.COUNTRY}> .\n{s} <{V.ISO3}> {nt_str(iso3)} .\n"
    out += f"{s} <{V.RDFS_LABEL}> {nt_str(label or ISO3_NAMES.get(iso3, iso3))} .\n"
    out += f"{s} <{V.DCTERMS_SOURCE}> {nt_str(source)} .\n"
    if trade_code:
        out += f"{s} <{V.TRADE_CODE}> {nt_str(trade_code)} .\n"
    return out


def aggregate_nt(key: str, source: str) -> str:
    """N-Triples describing an aggregate such as the world total (sg:CountryAggregate)."""
    s = nt_iri(country(key))
    return (
        f"{s} <{V.RDF_TYPE}> <{V.COUNTRY_AGGREGATE}> .\n{s} <{V.RDFS_LABEL}> {nt_str(AGGREGATE_LABELS[key])} .\n"
        f"{s} <{V.DCTERMS_SOURCE}> {nt_str(source)} .\n"
    )


def pseudo_iso3(trade_code: str) -> str:
    """A stable three-character code for a BACI/Comtrade area without alpha-3 (58 Belgium-Luxembourg -> BLX)."""
    number = int(trade_code)
    if number in _KNOWN_PSEUDO:
        return _KNOWN_PSEUDO[number]
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "X" + digits[number // 36 % 36] + digits[number % 36]


_KNOWN_PSEUDO = {58: "BLX"}


# -- USGS names -------------------------------------------------------------------

_FOOTNOTE = re.compile(r"(?<=[^\d\s])\d+$")

USGS_AGGREGATES = {
    "world total (rounded)": WORLD,
    "world total": WORLD,
    "world total (may be rounded)": WORLD,
    "world total (rounded), excluding u.s. production": WORLD_EXCL_USA,
    "world total, excluding u.s. production": WORLD_EXCL_USA,
    "other countries": OTHER,
    "other": OTHER,
}

# USGS spellings (lower case) -> ISO alpha-3.  Covers the countries that
# appear in the MCS world tables 2022-2025.
USGS_NAMES = {
    "afghanistan": "AFG", "albania": "ALB", "algeria": "DZA", "angola": "AGO", "argentina": "ARG",
    "armenia": "ARM", "australia": "AUS", "austria": "AUT", "azerbaijan": "AZE", "bahrain": "BHR",
    "bangladesh": "BGD", "belarus": "BLR", "belgium": "BEL", "bhutan": "BTN", "bolivia": "BOL",
    "bosnia and herzegovina": "BIH", "botswana": "BWA", "brazil": "BRA", "bulgaria": "BGR",
    "burkina faso": "BFA", "burma": "MMR", "myanmar": "MMR", "burundi": "BDI", "cameroon": "CMR",
    "canada": "CAN", "chile": "CHL", "china": "CHN", "colombia": "COL", "congo (kinshasa)": "COD",
    "congo (brazzaville)": "COG", "cote d'ivoire": "CIV", "côte d'ivoire": "CIV", "croatia": "HRV",
    "cuba": "CUB", "cyprus": "CYP", "czechia": "CZE", "czech republic": "CZE", "denmark": "DNK",
    "dominican republic": "DOM", "ecuador": "ECU", "egypt": "EGY", "eritrea": "ERI", "estonia": "EST",
    "ethiopia": "ETH", "fiji": "FJI", "finland": "FIN", "france": "FRA", "gabon": "GAB", "georgia": "GEO",
    "germany": "DEU", "ghana": "GHA", "greece": "GRC", "greenland": "GRL", "guatemala": "GTM",
    "guinea": "GIN", "guyana": "GUY", "honduras": "HND", "hungary": "HUN", "iceland": "ISL",
    "india": "IND", "indonesia": "IDN", "iran": "IRN", "iraq": "IRQ", "ireland": "IRL", "israel": "ISR",
    "italy": "ITA", "jamaica": "JAM", "japan": "JPN", "jordan": "JOR", "kazakhstan": "KAZ",
    "kenya": "KEN", "korea, north": "PRK", "korea, republic of": "KOR", "korea, south": "KOR",
    "kosovo": "XKX", "kuwait": "KWT", "kyrgyzstan": "KGZ", "laos": "LAO", "latvia": "LVA",
    "lebanon": "LBN", "liberia": "LBR", "libya": "LBY", "lithuania": "LTU", "luxembourg": "LUX",
    "madagascar": "MDG", "malawi": "MWI", "malaysia": "MYS", "mali": "MLI", "mauritania": "MRT",
    "mexico": "MEX", "moldova": "MDA", "mongolia": "MNG", "montenegro": "MNE", "morocco": "MAR",
    "morocco and western sahara": "MAR", "mozambique": "MOZ", "namibia": "NAM", "nepal": "NPL",
    "netherlands": "NLD", "new caledonia": "NCL", "new zealand": "NZL", "nicaragua": "NIC",
    "niger": "NER", "nigeria": "NGA", "north macedonia": "MKD", "norway": "NOR", "oman": "OMN",
    "pakistan": "PAK", "panama": "PAN", "papua new guinea": "PNG", "paraguay": "PRY", "peru": "PER",
    "philippines": "PHL", "poland": "POL", "portugal": "PRT", "qatar": "QAT", "romania": "ROU",
    "russia": "RUS", "rwanda": "RWA", "saudi arabia": "SAU", "senegal": "SEN", "serbia": "SRB",
    "sierra leone": "SLE", "singapore": "SGP", "slovakia": "SVK", "slovenia": "SVN",
    "solomon islands": "SLB", "south africa": "ZAF", "spain": "ESP", "sri lanka": "LKA",
    "sudan": "SDN", "suriname": "SUR", "sweden": "SWE", "switzerland": "CHE", "syria": "SYR",
    "taiwan": "TWN", "tajikistan": "TJK", "tanzania": "TZA", "thailand": "THA", "togo": "TGO",
    "trinidad and tobago": "TTO", "tunisia": "TUN", "turkey": "TUR", "türkiye": "TUR", "turkiye": "TUR",
    "turkmenistan": "TKM", "uganda": "UGA", "ukraine": "UKR", "united arab emirates": "ARE",
    "united kingdom": "GBR", "united states": "USA", "uruguay": "URY", "uzbekistan": "UZB",
    "venezuela": "VEN", "vietnam": "VNM", "yemen": "YEM", "zambia": "ZMB", "zimbabwe": "ZWE",
    "bahamas, the": "BHS", "gambia, the": "GMB", "central african republic": "CAF", "chad": "TCD",
    "equatorial guinea": "GNQ", "dem. rep. of the congo": "COD", "congo": "COG", "brunei": "BRN",
    "cambodia": "KHM", "timor-leste": "TLS", "el salvador": "SLV", "costa rica": "CRI",
}  # fmt: skip


def clean_usgs_name(name: str) -> str:
    """A USGS country name without its footnote digits and padding: ``"United States1"`` -> ``"United States"``."""
    return _FOOTNOTE.sub("", name.strip()).strip()


def usgs_country(name: str) -> str | None:
    """ISO alpha-3 (or an aggregate key: WLD, OTHER, WLD-EXCL-USA) for a USGS country name; None if unknown."""
    key = " ".join(clean_usgs_name(name).lower().split())
    return USGS_AGGREGATES.get(key) or USGS_NAMES.get(key)


def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for name, iso3 in USGS_NAMES.items():
        names.setdefault(iso3, name.title().replace("'S", "'s"))
    return names


ISO3_NAMES = _names()  # a readable label for networks that only give ISO codes
