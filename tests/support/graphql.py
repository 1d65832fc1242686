"""GraphQL documents the tests share."""

from __future__ import annotations


def nested_alliances(levels: int, leaf: str = "label") -> str:
    """``country(code: "US")`` with ``alliances { members { … } }`` nested ``levels`` deep: short, costly to run."""
    inner = leaf
    for _ in range(levels):
        inner = f"alliances {{ members {{ {inner} }} }}"
    return f'{{ country(code: "US") {{ {inner} }} }}'
