"""Shared tabular machinery: exact decimals, the N-Triples stream, rejects."""

from __future__ import annotations

import pytest

from loaders.tabular import NTStream, decimal_text


@pytest.mark.parametrize(
    ("text", "scale", "expected"),
    [
        ("1234.567", 3, "1234567"),
        ("0.0005", 3, "0.5"),
        ("12", 3, "12000"),
        ("007.10", 0, "7.1"),
        ("0", 3, "0"),
        (".5", 0, "0.5"),
        ("1.5E3", 0, "1500"),
        ("1_000", 0, "1000"),
        ("-1", 0, None),
        ("NaN", 0, None),
        ("Infinity", 0, None),
        ("1e999999", 0, None),
        ("12x4", 0, None),
        ("", 0, None),
    ],
)
def test_decimal_text(text: str, scale: int, expected: str | None) -> None:
    assert decimal_text(text, scale) == expected


def test_stream_never_returns_more_than_asked() -> None:
    # The store's parser asks for 4 KiB at a time and must never get more.
    stream = NTStream(iter(["a" * 10_000, "", "b" * 3]))
    parts = []
    while chunk := stream.read(4096):
        assert len(chunk) <= 4096
        parts.append(chunk)
    assert b"".join(parts) == b"a" * 10_000 + b"bbb"


def test_stream_keeps_the_generators_error() -> None:
    def chunks() -> object:
        yield "x"
        raise ValueError("bad row")

    stream = NTStream(chunks())  # type: ignore[arg-type]
    assert stream.read(10) == b"x"
    with pytest.raises(ValueError, match="bad row"):
        stream.read(10)
    assert isinstance(stream.error, ValueError)
