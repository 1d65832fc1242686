"""Loads into an external engine: staged then moved, all or nothing; and replicas that notice new versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.base import run
from loaders.registry import LoadOptions, loader_for
from ontology import vocab as v
from service.backend import open_configured
from service.errors import DataError
from service.settings import Settings
from service.store import IRI, RemoteStore
from tests.remote.engines import Engine

ROOT = Path(__file__).parents[1]
BACI = sorted((ROOT.parent / "examples" / "baci").iterdir())
BAD = ROOT / "data" / "bad" / "baci-number"
GRAPH = v.GRAPH + "baci"


def _baci(store: RemoteStore, paths: list[Path]) -> int:
    return run(store, "baci", loader_for(paths, None, LoadOptions())).triples


def test_a_baci_load_lands_whole_in_its_graph_with_a_version_marker(remote: RemoteStore, engine: Engine) -> None:
    triples = _baci(remote, BACI)
    graphs = engine.graphs()
    assert graphs[GRAPH] == triples > 0
    assert not [g for g in graphs if g.startswith("urn:supplygraph:staging:")]
    markers, _ = remote.markers()
    assert markers[GRAPH].startswith("sha256:")
    assert set(markers) == {GRAPH, v.CATALOG_GRAPH}
    flows = remote.open_current().select(
        "SELECT (COUNT(?f) AS ?n) WHERE { GRAPH ?g { ?f a ?c } }", {"g": IRI(GRAPH), "c": IRI(v.TRADE_FLOW)}
    )
    assert int(flows.rows[0]["n"].value) > 0


def test_a_failed_load_leaves_the_old_graph_and_no_staging_graph(remote: RemoteStore, engine: Engine) -> None:
    _baci(remote, BACI)
    before, version = engine.graphs(), remote.current_id()
    with pytest.raises(DataError, match=r"12x4\.5"):
        _baci(remote, sorted(BAD.iterdir()))
    assert engine.graphs() == before
    assert remote.current_id() == version


def test_a_reload_replaces_the_graph_and_the_index_follows(remote: RemoteStore, engine: Engine) -> None:
    first = _baci(remote, BACI)
    version = remote.current_id()
    again = _baci(remote, BACI)
    assert again == first
    assert engine.graphs()[GRAPH] == first  # replaced, not added to
    assert remote.current_id() != version  # a new marker: a new version


def test_a_replica_rebuilds_after_a_remote_change_and_not_without_one(
    remote: RemoteStore, remote_settings: Settings, tmp_path: Path
) -> None:
    replica = open_configured(remote_settings.replace(store=str(tmp_path / "replica"), remote_poll=3600.0))
    assert isinstance(replica, RemoteStore)
    try:
        replica.current_id()
        assert replica.builds == 0  # an empty engine: nothing to build
        _baci(remote, BACI)
        assert replica.current_id() is None  # not checked again before the poll interval
        replica.poll = 0.0
        version = replica.current_id()
        assert version == remote.current_id() and replica.builds == 1
        index = replica.artifacts_dir(version or "")
        assert index is not None and (index / "index" / "meta.json").is_file()
        for _ in range(3):
            assert replica.current_id() == version
        assert replica.builds == 1  # unchanged markers: nothing rebuilt
        assert replica.rebuild() == version and replica.builds == 2  # forced
    finally:
        replica.close()


def test_only_changed_graphs_are_read_again(remote: RemoteStore) -> None:
    import json

    run(remote, "sample", loader_for([ROOT / "data" / "mini.ttl"], None, LoadOptions()))
    _baci(remote, BACI)
    meta = json.loads((remote.artifacts_dir(remote.current_id() or "") / "index" / "meta.json").read_text())  # type: ignore[operator]
    routes = meta["graphs"]
    assert routes[v.GRAPH + "sample"] == "reused"
    assert routes[GRAPH] == "read"  # from the loaded N-Triples, not the engine
    assert routes[v.CATALOG_GRAPH] == "scanned"
