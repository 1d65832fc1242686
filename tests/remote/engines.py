"""External SPARQL engines the remote tests run against: Oxigraph server (always), Virtuoso (``make test-engines``).

Each is started on 127.0.0.1 on free ports with a temporary database, and
described by an :class:`Engine`: its three endpoint URLs, how to empty it,
and how its own bulk loader takes N-Quads shards.
"""

from __future__ import annotations

import contextlib
import gzip
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.live import free_port

# Graphs the tests write; an engine's own system graphs (Virtuoso has several) are left alone.
OURS = ("https://w3id.org/supplygraph/", "urn:supplygraph:", "http://e/")


@dataclass(frozen=True)
class Engine:
    """A running engine: endpoints, and its bulk loader for shard files."""

    name: str
    query: str
    update: str
    gsp: str
    bulk_load: Callable[[list[Path]], None]
    graphs_setting: str = ""  # SUPPLYGRAPH_REMOTE_GRAPHS, for an engine with graphs of its own

    def env(self) -> dict[str, str]:
        """The environment that points supplygraph at this engine."""
        return {
            "SUPPLYGRAPH_SPARQL_ENDPOINT": self.query,
            "SUPPLYGRAPH_UPDATE_ENDPOINT": self.update,
            "SUPPLYGRAPH_GSP_ENDPOINT": self.gsp,
            "SUPPLYGRAPH_REMOTE_GRAPHS": self.graphs_setting,
        }

    def graphs(self) -> dict[str, int]:
        """Size of each of the tests' named graphs."""
        response = httpx.post(
            self.query,
            data={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
            headers={"accept": "application/sparql-results+json"},
            timeout=60,
        )
        response.raise_for_status()
        rows = response.json()["results"]["bindings"]
        return {r["g"]["value"]: int(r["n"]["value"]) for r in rows if r["g"]["value"].startswith(OURS)}

    def run_update(self, text: str) -> None:
        httpx.post(self.update, data={"update": text}, timeout=60).raise_for_status()

    def empty(self) -> None:
        """Drop every graph the tests may have written."""
        for graph in self.graphs():
            self.run_update(f"DROP SILENT GRAPH <{graph}>")


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.post(url, data={"query": "ASK { }"}, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the engine at {url} did not come up")


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` server binary installed with the test dependencies, if any."""
    found = Path(sys.executable).parent / "oxigraph"
    return str(found) if found.is_file() else shutil.which("oxigraph")


@contextlib.contextmanager
def oxigraph(binary: str, directory: Path) -> Iterator[Engine]:
    """``oxigraph serve`` on a free port with a database in ``directory``."""
    url = f"http://127.0.0.1:{free_port()}"

    def bulk_load(shards: list[Path]) -> None:
        # Oxigraph's server takes a whole dataset in a POST to its store.
        for shard in shards:
            body = gzip.decompress(shard.read_bytes())
            response = httpx.post(url + "/store", content=body, headers={"content-type": "application/n-quads"})
            response.raise_for_status()

    command = [binary, "serve", "--location", str(directory), "--bind", url.removeprefix("http://")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(url + "/query", process)
        yield Engine("oxigraph", url + "/query", url + "/update", url + "/store", bulk_load)
    finally:
        process.terminate()
        process.wait(30)


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
NumberOfBuffers = 20000
MaxDirtyBuffers = 12000
DirsAllowed = ., {d}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


@contextlib.contextmanager
def virtuoso(binary: str, directory: Path) -> Iterator[Engine]:
    """Virtuoso (``virtuoso-t``) on free ports with a database in ``directory``; anonymous SPARQL may update."""
    sql, http = free_port(), free_port()
    (directory / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=directory, sql=sql, http=http))
    command = [binary, "+foreground", "+configfile", str(directory / "virtuoso.ini")]
    process = subprocess.Popen(command, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http}"

    def isql(*statements: str) -> None:
        script = "".join(s + ";\n" for s in statements)
        subprocess.run(
            ["isql-vt", f"127.0.0.1:{sql}", "dba", "dba"], input=script.encode(), check=True, capture_output=True
        )

    def bulk_load(shards: list[Path]) -> None:
        # Virtuoso's own bulk loader, as its documentation runs it.
        folder = directory / "shards"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        for shard in shards:
            shutil.copy(shard, folder / shard.name)
        isql(f"ld_dir('{folder}', '*.nq.gz', 'urn:supplygraph:unused')", "rdf_loader_run()", "checkpoint")

    try:
        _wait(url + "/sparql", process, 120)
        isql('GRANT SPARQL_UPDATE TO "SPARQL"')
        endpoints = (url + "/sparql", url + "/sparql", url + "/sparql-graph-crud")
        yield Engine("virtuoso", *endpoints, bulk_load, graphs_setting=",".join(OURS))
    finally:
        process.terminate()
        process.wait(60)
