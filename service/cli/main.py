"""The ``supplygraph`` command: serve, load, info, query, validate."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from service.cli.analytics import COMMANDS as ANALYTICS_COMMANDS
from service.cli.common import edge, store_option
from service.cli.remote import COMMANDS as REMOTE_COMMANDS
from service.settings import SETTINGS, Settings

if TYPE_CHECKING:
    from service.store import AnyStore


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings.from_env(overrides)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="supplygraph")
def cli() -> None:
    """Knowledge-graph query service for supply networks."""


@cli.command()
@store_option
@click.option("--host", envvar="SUPPLYGRAPH_HOST", default="127.0.0.1", help="Interface to listen on")
@click.option("--port", envvar="SUPPLYGRAPH_PORT", default=8000, type=int, help="Port to listen on")
@click.option("--workers", envvar="SUPPLYGRAPH_WORKERS", default=1, type=int, help="uvicorn worker processes")
@click.option("--cors-origins", envvar="SUPPLYGRAPH_CORS_ORIGINS", default=None, help="Comma-separated CORS origins")
@click.option(
    "--write-token-file",
    envvar="SUPPLYGRAPH_WRITE_TOKEN_FILE",
    default=None,
    help="File holding the bearer token that enables writes (or set SUPPLYGRAPH_WRITE_TOKEN)",
)
@click.option("--get", "get_path", default=None, help="Run one GET request in-process, print the body and exit")
def serve(
    store: str,
    host: str,
    port: int,
    workers: int,
    cors_origins: str | None,
    write_token_file: str | None,
    get_path: str | None,
) -> None:
    """Serve GraphQL, SPARQL and the named queries over HTTP.

    Every other setting is read from its SUPPLYGRAPH_* variable (see the README).
    """
    overrides = {"store": store, "host": host, "port": port, "workers": workers}
    overrides |= {"cors_origins": cors_origins, "write_token_file": write_token_file}
    settings = _settings(**overrides)
    if get_path is not None:
        _get_once(settings, get_path)
        return
    import os

    import uvicorn

    # Worker processes rebuild the settings from the environment.
    for setting in SETTINGS:
        os.environ[setting.env] = str(getattr(settings, setting.name))
    uvicorn.run(
        "service.web.app:app_from_env",
        factory=True,
        http="service.web.http_limits:BoundedHttpToolsProtocol",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )


def _get_once(settings: Settings, path: str) -> None:
    from starlette.testclient import TestClient

    from service.web.app import create_app

    with TestClient(create_app(settings.replace(log_level="warning"))) as client:
        response = client.get(path)
    click.echo(response.text)
    if response.status_code >= 400:
        sys.exit(1)


def _csv_set(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _scratch(output: Path) -> Any:
    """A snapshot store under ``output`` to load into before the shards are written (removed after)."""
    from service.store import SnapshotStore

    return SnapshotStore(output / ".scratch")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@store_option
@click.option("--format", "fmt", default=None, help="Loader (baci, comtrade, usgs, network, rdf) or RDF syntax")
@click.option("--dataset", default=None, help="Dataset name (its named graph); default: the first file's stem")
@click.option("--sample", is_flag=True, help="Load the bundled ontology and sample graph")
@click.option("--if-empty", is_flag=True, help="Do nothing if the store already has a snapshot")
@click.option("--years", default=None, help="Only these years, e.g. 2022,2023")
@click.option("--hs", default=None, help="Only HS codes with these prefixes, e.g. 2805,2846,8505")
@click.option("--countries", default=None, help="Only flows/statistics touching these ISO3 codes")
@click.option("--max-errors", default=0, type=int, help="Load good rows and report up to N bad ones (0 = strict)")
@click.option("--rejects", default=None, type=click.Path(path_type=Path), help="Where to write rejected rows (CSV)")
@click.option("--record-paths", is_flag=True, help="Also record the files' absolute paths in the public catalog")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write sorted N-Quads shards and a manifest here, for an engine's bulk loader, instead of loading",
)
def load(
    paths: tuple[Path, ...],
    store: str,
    fmt: str | None,
    dataset: str | None,
    sample: bool,
    if_empty: bool,
    years: str | None,
    hs: str | None,
    countries: str | None,
    max_errors: int,
    rejects: Path | None,
    record_paths: bool,
    output: Path | None,
) -> None:
    """Load files into a new snapshot, atomically: all of it or nothing.

    Reloading a dataset replaces its graph.  On any error the current snapshot
    is left exactly as it was and the command exits with status 1.
    """
    from loaders.base import load_dataset
    from loaders.registry import LoadOptions, loader_for
    from service.backend import open_configured
    from service.cli.progress import progress_bar

    settings = _settings(store=store)
    if not sys.stderr.isatty():
        # Off a terminal, progress goes to the structured log (see service.cli.progress).
        from service.web.logs import configure

        configure(settings.log_level, settings.log_format)
    target = open_configured(settings) if output is None else _scratch(output)
    if if_empty and target.current_id() is not None:
        click.echo(f"store {store} already has snapshot {target.current_id()}; nothing to do", err=True)
        return
    jobs: list[tuple[str, list[Path], str | None]] = []
    if sample:
        from loaders.sample import ONTOLOGY_FILES, SAMPLE_FILES

        jobs += [("ontology", list(ONTOLOGY_FILES), None), ("sample", list(SAMPLE_FILES), None)]
    if paths:
        jobs.append((dataset or paths[0].name.split(".")[0], list(paths), fmt))
    if not jobs:
        raise click.UsageError("give files to load, or --sample")
    options = LoadOptions(
        years=frozenset(int(y) for y in _csv_set(years)) or None,
        hs_prefixes=tuple(_csv_set(hs)),
        countries=frozenset(c.upper() for c in _csv_set(countries)) or None,
        max_errors=max_errors,
        rejects=rejects,
    )
    with edge():
        loaders = [(name, files, loader_for(files, job_fmt, options)) for name, files, job_fmt in jobs]
        reports = []
        # One snapshot (and one index build) for everything given on the command line.
        with target.write("load " + ", ".join(name for name, _, _ in loaders)) as writer:
            for name, files, loader in loaders:
                sizes = [f.stat().st_size for p in files for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()]
                total = sum(sizes)
                with progress_bar(f"loading {name}", total) as progress:
                    reports.append(load_dataset(writer, name, loader, progress, record_paths))
    if output is not None:
        from service.cli.remote import shards_from

        shards_from(target, {r.dataset: r.graph for r in reports}, output)
    for report in reports:
        extra = ""
        if report.rows_read is not None:
            extra = f", {report.rows_loaded} of {report.rows_read} rows ({report.rows_rejected} rejected)"
        click.echo(
            f"loaded {report.dataset}: {report.triples} triples into <{report.graph}>{extra}, "
            f"snapshot {target.current_id()}",
            err=True,
        )
    if output is None:
        _prepare_model(target)  # after saying what was loaded: the data is published already


def _prepare_model(target: AnyStore) -> None:
    """Build the new snapshot's analytics model here, so servers read it instead of building it."""
    import time

    from service.analysis import prepare_model

    started = time.perf_counter()
    with edge():
        if prepare_model(target):
            click.echo(f"analytics model ready in {time.perf_counter() - started:.1f} s", err=True)


@cli.command()
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON")
def info(store: str, as_json: bool) -> None:
    """List snapshots, datasets and totals."""
    from service.backend import open_configured
    from service.store.datasets import describe

    with edge():
        summary = describe(open_configured(_settings(store=store)))
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(f"store: {store}\ncurrent snapshot: {summary['current'] or '(empty)'}  triples: {summary['triples']}")
    click.echo("\nsnapshots:")
    for snap in summary["snapshots"]:
        mark = "*" if snap["id"] == summary["current"] else " "
        click.echo(f" {mark} {snap['id']}  {snap['created']}  {snap['triples']:>10} triples  {snap['note']}")
    click.echo("\ndatasets:")
    for ds in summary["datasets"]:
        click.echo(f"   {ds['dataset']:<24} {ds['triples']:>10} triples  loaded {ds['loaded'] or '?'}  {ds['source']}")


@cli.command()
@click.argument("query")
@store_option
@click.option("--param", "params", multiple=True, help="name=value, bound to ?name (repeatable)")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv"]), default="table")
@click.option("--max-rows", default=1000, type=int, help="Most rows to print")
def query(query: str, store: str, params: tuple[str, ...], fmt: str, max_rows: int) -> None:
    """Run a SPARQL query: a .rq file, or the name of a query in queries/.

    Parameters are validated against the query's declared types and bound with
    substitutions, never pasted into the text.
    """
    from service import query_catalogue as catalogue
    from service.backend import open_configured
    from service.cli.render import render_table
    from service.identifiers import param_resolver
    from service.index import index_for

    raw: dict[str, str] = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not name=value", param_hint="--param")
        raw[name.lstrip("?")] = value
    with edge():
        path = Path(query)
        if path.suffix == ".rq" and path.is_file():
            # An ad-hoc file needs no catalogue header; parameters it declares are typed.
            named = catalogue.parse(path.read_text(), path.stem, path, require_title=False)
        else:
            named = catalogue.get(catalogue.load_catalog(), query)
        opened = open_configured(_settings(store=store))
        graph = opened.open_current()
        bindings = named.bindings(raw, param_resolver(index_for(opened, graph), graph))
        if fmt == "table":
            result = graph.select(named.text, bindings, max_rows=max_rows)
            click.echo(render_table(result))
            return
        out = graph.serialize(named.text, result_format=fmt, bindings=bindings, max_rows=max_rows)
        sys.stdout.buffer.write(out.body)
        if out.truncated:
            click.echo(f"(truncated at {max_rows} rows)", err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--no-warnings", is_flag=True, help="Report violations only")
@click.option(
    "--store",
    "store",
    default=None,
    help="Also resolve the entities the files refer to in this store's current snapshot",
)
def validate(paths: tuple[Path, ...], no_warnings: bool, store: str | None) -> None:
    """Check RDF files against the SHACL shapes and the ontology; exit 1 on violations.

    Only the files' own entities are reported on.  An entity they refer to but
    do not describe is looked up in --store; without one, a missing description
    is a warning.  A syntax error names file:line:column.
    """
    from service.backend import open_configured
    from service.validate import validate as run_validation

    with edge():
        loaded = open_configured(_settings(store=store)).open_current() if store is not None else None
        report = run_validation(list(paths), include_warnings=not no_warnings, store=loaded)
    click.echo(report.render())
    if not report.conforms:
        sys.exit(1)


@cli.group()
def store() -> None:
    """Check a snapshot store and choose its current snapshot."""


@store.command("verify")
@store_option
@click.option("--count", is_flag=True, help="Also count each snapshot's triples against its meta.json (slower)")
def store_verify(store: str, count: bool) -> None:
    """List every snapshot and what is wrong with it; exit 1 if the current one is missing or damaged."""
    from service.store import SnapshotStore, StoreDamaged

    target = SnapshotStore(store)
    found = target.verify(count=count)
    try:
        current: str | None = target.current_id()
        pointer = f"CURRENT: {current}"
    except StoreDamaged as exc:
        current, pointer = None, f"CURRENT: damaged: {exc.message}"
    for snapshot_id, problems in found.items():
        mark = "*" if snapshot_id == current else " "
        click.echo(f"{mark} {snapshot_id}  " + ("intact" if not problems else "DAMAGED: " + "; ".join(problems)))
    click.echo(pointer)
    if (current is None and found) or (current is not None and found.get(current)):
        sys.exit(1)


@store.command("use")
@click.argument("snapshot")
@store_option
def store_use(snapshot: str, store: str) -> None:
    """Make SNAPSHOT (an intact one) the current snapshot."""
    from service.store import SnapshotStore

    with edge():
        SnapshotStore(store).use(snapshot)
    click.echo(f"current snapshot: {snapshot}")


@cli.command("export-schema")
def export_schema() -> None:
    """Print the GraphQL schema (SDL), as committed in tests/schema.graphql."""
    from service.gql.schema import make_schema

    click.echo(make_schema(Settings()).as_str())


for _command in (*ANALYTICS_COMMANDS, *REMOTE_COMMANDS):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli()
