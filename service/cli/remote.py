"""Commands for running over an external SPARQL engine: ``index rebuild``, ``catalog record`` and shard output."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import click

from ontology import vocab as v
from service.cli.common import edge, store_option
from service.settings import Settings
from service.store import IRI, AnyStore, RemoteStore, SnapshotStore, check_iri
from service.store.shards import read_manifest, write_shards


def _remote(store: str) -> RemoteStore:
    from service.backend import open_configured

    with edge():
        target = open_configured(Settings.from_env({"store": store}))
    if not isinstance(target, RemoteStore):
        raise click.ClickException(
            "this command works on an external engine: set SUPPLYGRAPH_SPARQL_ENDPOINT "
            "(the embedded store builds its index with every snapshot)"
        )
    return target


@click.group()
def index() -> None:
    """The dependency index and analytics state kept beside an external engine."""


@index.command("rebuild")
@store_option
def index_rebuild(store: str) -> None:
    """Read every graph from the engine again and rebuild the index (STORE is the state directory)."""
    target = _remote(store)
    started = time.perf_counter()
    with edge():
        version = target.rebuild()
    click.echo(f"index of {version or 'an empty engine'} rebuilt in {time.perf_counter() - started:.1f} s", err=True)


@click.group()
def catalog() -> None:
    """The catalog graph: provenance and version markers of the datasets."""


@catalog.command("record")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@store_option
def catalog_record(directory: Path, store: str) -> None:
    """Record the datasets of a `load --output` DIRECTORY, once the engine's bulk loader has loaded its shards.

    Each dataset graph must hold the manifest's number of triples; its
    provenance replaces the old one and its version marker tells every
    replica to read the graph again.
    """
    target = _remote(store)
    with edge():
        manifest = read_manifest(directory)
        described = (directory / "catalog.nt").read_bytes()
        with target.write("catalog record") as writer:
            for name, entry in sorted(manifest["datasets"].items()):
                graph = check_iri(str(entry["graph"]), f"dataset {name}: graph")
                count = writer.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": IRI(graph)}).rows
                held = int(count[0]["n"].value) if count else 0
                if held != entry["triples"]:
                    raise click.ClickException(
                        f"dataset {name}: the engine holds {held} triples in <{graph}>, the manifest "
                        f"{entry['triples']}; load the shards first"
                    )
                writer.update_remove_subject(v.CATALOG_GRAPH, graph)
                writer.mark(graph, str(entry["checksum"]))
            if described:
                writer.load(described, "ntriples", v.CATALOG_GRAPH, replace=False, name="catalog.nt")
    click.echo(f"recorded {len(manifest['datasets'])} datasets; version {target.current_id()}", err=True)


def shards_from(scratch: AnyStore, datasets: dict[str, str], output: Path) -> None:
    """Write ``datasets`` of the ``load --output`` scratch store as shards under ``output``, then remove the store."""
    assert isinstance(scratch, SnapshotStore)
    try:
        manifest = write_shards(scratch.open_current(), datasets, v.CATALOG_GRAPH, output)
    finally:
        shutil.rmtree(scratch.root, ignore_errors=True)
    files = sum(len(d["shards"]) for d in manifest["datasets"].values())
    click.echo(f"wrote {files} shards and {output / 'manifest.json'}", err=True)


COMMANDS = (index, catalog)
