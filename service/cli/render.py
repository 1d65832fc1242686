"""Plain-text rendering of query results for the terminal."""

from __future__ import annotations

from ontology.vocab import short
from service.store import IRI, BNode, Lit, SelectResult, Term


def term_text(term: Term | None) -> str:
    """A compact text form: prefixed IRIs, bare literal values."""
    if term is None:
        return ""
    if isinstance(term, IRI):
        found = short(term.value)
        return found if found != term.value else f"<{term.value}>"
    if isinstance(term, BNode):
        return str(term)
    assert isinstance(term, Lit)
    return term.value


def render_table(result: SelectResult, max_width: int = 60) -> str:
    """An aligned text table of a SELECT result, with a row count footer."""
    header = result.variables
    cells = [[term_text(row.get(v))[:max_width] for v in header] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    footer = f"({len(cells)} row{'s' if len(cells) != 1 else ''}{', truncated' if result.truncated else ''})"
    return "\n".join([*lines, footer])
