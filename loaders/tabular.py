"""Shared machinery of the tabular loaders: reading lines, rejecting rows, streaming N-Triples.

A tabular loader turns rows into N-Triples text and hands the store a
:class:`NTStream`, a file-like object whose ``read()`` pulls the next chunk
from a generator.  The store parses while the generator produces, one chunk at
a time, so memory stays flat whatever the size of the input.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, TextIO, cast

from loaders.base import Progress, Report, sha256
from service.errors import DataError, RdfSyntaxError
from service.store import LoadResult, Writer

if TYPE_CHECKING:
    from loaders.registry import LoadOptions

CHUNK_ROWS = 4096  # rows per N-Triples chunk: a few MiB, large enough to amortise calls into the parser

Lines = Iterator[tuple[int, str]]


@dataclass(slots=True)
class Source:
    """One tabular input: a file, a gzipped file or a member of a zip archive."""

    path: Path
    member: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @property
    def name(self) -> str:
        return Path(self.member).name if self.member else self.path.name

    def size(self) -> int:
        """Bytes to read (uncompressed size for zip members), for progress."""
        if self.member:
            with zipfile.ZipFile(self.path) as archive:
                return archive.getinfo(self.member).file_size
        return self.path.stat().st_size


@contextlib.contextmanager
def _binary(source: Source) -> Iterator[tuple[IO[bytes], Callable[[], int]]]:
    """The decompressed byte stream and a function giving the bytes consumed so far."""
    if source.member:
        with zipfile.ZipFile(source.path) as archive, archive.open(source.member) as member:
            yield member, member.tell
    elif source.path.name.endswith(".gz"):
        with open(source.path, "rb") as raw, gzip.open(raw, "rb") as unzipped:
            yield cast(IO[bytes], unzipped), raw.tell
    else:
        with open(source.path, "rb", buffering=1 << 20) as plain:
            yield plain, plain.tell


@contextlib.contextmanager
def open_lines(source: Source, encoding: str = "utf-8") -> Iterator[tuple[Lines, Callable[[], int]]]:
    """Numbered, decoded lines (without line ends) of ``source`` and a bytes-consumed function.

    Undecodable bytes and broken compression raise :class:`DataError` naming the line.
    """
    with _binary(source) as (stream, position):
        yield _decoded(source, stream, encoding), position


def _decoded(source: Source, stream: IO[bytes], encoding: str) -> Lines:
    lineno = 0
    try:
        for raw in stream:
            lineno += 1
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                bad = raw[max(0, exc.start - 8) : exc.end + 8]
                raise DataError(source.label, lineno, None, f"not valid {encoding}", repr(bad)) from None
            if lineno == 1 and text.startswith("\ufeff"):
                text = text[1:]  # a byte-order mark written by spreadsheet exports
            yield lineno, text.rstrip("\r\n")
    except (EOFError, gzip.BadGzipFile, zlib.error, zipfile.BadZipFile) as exc:
        raise DataError(source.label, lineno + 1, None, f"truncated or corrupt compressed data ({exc})") from None


def csv_rows(lines: Lines, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """CSV records with the number of the line each starts on (quoted fields may span lines)."""
    numbers: list[int] = [0]

    def texts() -> Iterator[str]:
        for lineno, text in lines:
            numbers[0] = lineno
            yield text

    reader = csv.reader(texts(), delimiter=delimiter, strict=True)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError("", numbers[0], None, f"malformed CSV ({exc})") from None
        yield numbers[0], record


# -- Rejecting rows -----------------------------------------------------------


@dataclass(slots=True)
class Rejects:
    """Counts bad rows; strict (``max_errors == 0``) re-raises the first, else writes a report.

    The report is a CSV of ``file,line,field,problem,value``; more than
    ``max_errors`` bad rows abort the load with the last one's error.
    """

    max_errors: int
    path: Path | None
    count: int = 0
    _out: TextIO | None = None
    _writer: Any = None

    def reject(self, error: DataError) -> None:
        self.count += 1
        if self.max_errors <= 0:
            raise error
        if self.count > self.max_errors:
            self.close()
            raise DataError(
                error.source,
                error.line,
                error.field,
                f"more than {self.max_errors} bad rows; {error.problem}",
                error.value,
            )
        if self.path is None:
            return
        if self._out is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Kept open across rows and closed by close(), which the loaders call in a finally.
            self._out = open(self.path, "w", newline="", encoding="utf-8")  # noqa: SIM115
            self._writer = csv.writer(self._out)
            self._writer.writerow(["file", "line", "field", "problem", "value"])
        self._writer.writerow([error.source, error.line, error.field or "", error.problem, error.value or ""])

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


# -- Numbers ------------------------------------------------------------------

_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


def decimal_text(text: str, scale: int = 0) -> str | None:
    """The xsd:decimal lexical form of a non-negative number times ``10**scale``; None if not a number.

    >>> decimal_text("1234.567", 3), decimal_text("0.5"), decimal_text("1e3"), decimal_text("x")
    ('1234567', '0.5', '1000', None)
    """
    if _PLAIN.fullmatch(text):
        whole, _, frac = text.partition(".")
        if scale:
            frac = frac.ljust(scale, "0")
            whole, frac = whole + frac[:scale], frac[scale:]
        whole = whole.lstrip("0") or "0"
        frac = frac.rstrip("0")
        return f"{whole}.{frac}" if frac else whole
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    # Huge exponents would expand to megabytes of digits; no real value needs them.
    if not number.is_finite() or number < 0 or not -30 <= number.adjusted() <= 30:
        return None
    out = format(number.scaleb(scale), "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out


# -- Streaming N-Triples into the store -------------------------------------------


class NTStream:
    """A read-only byte stream over a generator of N-Triples text chunks.

    An exception raised by the generator is kept in :attr:`error`, because the
    parser calling ``read()`` reports it only as a generic I/O failure.  The
    parser asks for 4 KiB at a time and must never be given more.
    """

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self._buffer = memoryview(b"")
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        while not self._buffer:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                return b""
            except BaseException as exc:
                self.error = exc
                raise
            self._buffer = memoryview(chunk.encode())
        if size is None or size < 0 or size >= len(self._buffer):
            out, self._buffer = bytes(self._buffer), memoryview(b"")
            return out
        out, self._buffer = bytes(self._buffer[:size]), self._buffer[size:]
        return out

    def readable(self) -> bool:
        return True


def load_chunks(writer: Writer, graph: str, chunks: Iterator[str], label: str) -> LoadResult:
    """Stream ``chunks`` of N-Triples into ``graph`` (replacing it); re-raise the generator's own errors."""
    stream = NTStream(chunks)
    try:
        result = writer.load(stream, "ntriples", graph, replace=True, name=label)  # type: ignore[arg-type]
    except (RdfSyntaxError, OSError, ValueError):
        if stream.error is not None:
            raise stream.error from None
        raise
    if stream.error is not None:
        raise stream.error
    return result


def rejects_path(options_rejects: Path | None, max_errors: int, first: Path) -> Path | None:
    """Where rejected rows go: the given path, else ``<first input>.rejects.csv`` in the working directory."""
    if options_rejects is not None or max_errors <= 0:
        return options_rejects
    return Path(first.name.split(".")[0] + ".rejects.csv")


def throttled(progress: Progress | None, total: int) -> Callable[[int], None]:
    """A progress reporter that calls ``progress(done, total)`` at most every 1 MiB."""
    last = [-(1 << 20)]

    def report(done: int) -> None:
        if progress is not None and (done - last[0] >= 1 << 20 or done >= total):
            last[0] = done
            progress(done, total)

    return report


class TabularLoader(Protocol):
    """What :func:`stream_into` needs of a tabular loader."""

    paths: Sequence[Path]
    options: LoadOptions
    format: str


def stream_into(
    writer: Writer,
    graph: str,
    loader: TabularLoader,
    chunks: Callable[[Report, Rejects], Iterator[str]],
    *,
    release: str | None = None,
    sources: Sequence[Path] | None = None,
    anchor: Path | None = None,
) -> Report:
    """Stream a loader's N-Triples ``chunks`` into ``graph``; the report of the load.

    This is the body every tabular loader's ``load`` shares: a fresh report of
    ``sources`` (default: the loader's paths), each checksummed; bad rows go
    to a rejects report next to ``anchor`` (default: the first path), up to
    the loader's ``max_errors``; the rejects file is closed whatever happens,
    so a failed load leaves no open file.
    """
    started = time.perf_counter()
    files = list(sources if sources is not None else loader.paths)
    anchor = anchor if anchor is not None else loader.paths[0]
    report = Report("", graph, files, loader.format, rows_read=0, rows_loaded=0, rows_rejected=0, release=release)
    report.checksums = {str(path): sha256(path) for path in report.sources}
    options = loader.options
    rejects = Rejects(options.max_errors, rejects_path(options.rejects, options.max_errors, anchor))
    try:
        result = load_chunks(writer, graph, chunks(report, rejects), str(anchor))
    finally:
        rejects.close()
    report.triples = result.triples
    report.rows_rejected = rejects.count
    report.rejects_file = rejects.path if rejects.count else None
    report.seconds = time.perf_counter() - started
    return report
