"""``supplygraph load``/``info``/``query`` end to end, in real processes where it matters."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from bench.common import write_ntriples
from service.cli import cli
from service.store import SnapshotStore

ROOT = Path(__file__).parents[2]


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def _ttl(path: Path, body: str) -> Path:
    path.write_text("@prefix e: <http://example.org/> .\n" + body)
    return path


def test_load_info_and_reload_replaces(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    data = _ttl(tmp_path / "firms.ttl", "e:a e:p 1 .\ne:b e:p 2 .\n")
    code, out = _invoke("load", str(data), "--store", store, "--dataset", "firms")
    assert code == 0, out
    assert "loaded firms: 2 triples" in out
    _ttl(data, "e:a e:p 1 .\n")
    code, out = _invoke("load", str(data), "--store", store, "--dataset", "firms")
    assert code == 0 and "loaded firms: 1 triples" in out
    code, out = _invoke("info", "--store", store, "--json")
    summary = json.loads(out)
    assert [d["dataset"] for d in summary["datasets"]] == ["firms"]
    assert summary["datasets"][0]["triples"] == 1
    assert len(summary["snapshots"]) == 2 and summary["current"] == summary["snapshots"][-1]["id"]


def test_every_rdf_syntax_and_gzip(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    files = {
        "a.nt": "<http://e/a> <http://e/p> <http://e/o> .\n",
        "b.nq": "<http://e/b> <http://e/p> <http://e/o> <http://e/g> .\n",
        "c.trig": "<http://e/g2> { <http://e/c> <http://e/p> <http://e/o> }\n",
        "d.rdf": '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
        '<rdf:Description rdf:about="http://e/d"><e:p rdf:resource="http://e/o"/></rdf:Description></rdf:RDF>',
        "e.jsonld": '{"@id": "http://e/e", "http://e/p": {"@id": "http://e/o"}}',
    }
    for name, body in files.items():
        (tmp_path / name).write_text(body)
    with gzip.open(tmp_path / "f.ttl.gz", "wt") as handle:
        handle.write("<http://e/f> <http://e/p> <http://e/o> .\n")
    for name in [*files, "f.ttl.gz"]:
        code, out = _invoke("load", str(tmp_path / name), "--store", store)
        assert code == 0, (name, out)
        assert "loaded" in out and ": 1 triples" in out, (name, out)
    graph = SnapshotStore(store).open_current()
    subjects = {r["s"].value for r in graph.select("SELECT DISTINCT ?s WHERE { ?s <http://e/p> ?o }").rows}  # type: ignore[union-attr]
    assert subjects == {f"http://e/{c}" for c in "abcdef"}


def test_syntax_error_names_file_line_column_and_changes_nothing(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    good = _ttl(tmp_path / "good.ttl", "e:a e:p 1 .\n")
    assert _invoke("load", str(good), "--store", str(store_dir), "--dataset", "d")[0] == 0
    store = SnapshotStore(store_dir)
    before_id, before = store.current_id(), store.open_current().dump()
    bad = _ttl(tmp_path / "bad.ttl", 'e:a e:p 2 .\ne:b e:p 3 .\ne:c e:p "unterminated .\n')
    code, out = _invoke("load", str(bad), "--store", str(store_dir), "--dataset", "d")
    assert code == 1
    assert f"{bad}:4:" in out, out
    assert store.current_id() == before_id
    assert store.open_current().dump() == before
    assert sorted(p.name for p in (store_dir / "snapshots").iterdir()) == [before_id]


def test_kill_9_mid_load_leaves_previous_snapshot(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    small = _ttl(tmp_path / "small.ttl", "e:a e:p 1 .\n")
    assert _invoke("load", str(small), "--store", str(store_dir))[0] == 0
    store = SnapshotStore(store_dir)
    before_id, before = store.current_id(), store.open_current().dump()
    big = tmp_path / "big.nt"
    write_ntriples(big, 400_000)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "load", str(big), "--store", str(store_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Wait until the loader has started writing its new snapshot, then kill it.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        new_dirs = [p for p in (store_dir / "snapshots").iterdir() if p.name != before_id]
        if new_dirs and any((new_dirs[0] / "db").glob("*")):
            break
        time.sleep(0.02)
    time.sleep(0.3)
    assert proc.poll() is None, "the load finished before it could be killed; use a bigger file"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert store.current_id() == before_id
    assert SnapshotStore(store_dir).open_current().dump() == before
    # The next load cleans the half-written snapshot and succeeds.
    assert _invoke("load", str(small), "--store", str(store_dir), "--dataset", "again")[0] == 0
    assert len(list((store_dir / "snapshots").iterdir())) == 2


def test_query_by_file_with_params(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    _invoke("load", str(_ttl(tmp_path / "d.ttl", "e:a e:p 1 .\ne:b e:p 2 .\n")), "--store", store)
    rq = tmp_path / "by_subject.rq"
    rq.write_text("# title: Values of a subject\n# param: ?s IRI the subject\nSELECT ?s ?o WHERE { ?s ?p ?o }\n")
    code, out = _invoke("query", str(rq), "--store", store, "--param", "s=http://example.org/b", "--format", "csv")
    assert code == 0, out
    assert out.splitlines() == ["s,o", "http://example.org/b,2"]
    code, out = _invoke("query", str(rq), "--store", store, "--param", "s=not an iri")
    assert code == 1 and "parameter s" in out
    code, out = _invoke("query", str(rq), "--store", store)
    assert code == 1 and "needs parameter s" in out
    code, out = _invoke("query", str(rq), "--store", store, "--param", "s=http://example.org/a")
    assert code == 0 and "(1 row)" in out


def test_serve_get_runs_one_request_in_process(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    _invoke("load", str(_ttl(tmp_path / "d.ttl", "e:a e:p 1 .\n")), "--store", store)
    code, out = _invoke("serve", "--store", store, "--get", "/health")
    assert code == 0
    body = json.loads(out)
    assert body["status"] == "ok" and body["triples"] == SnapshotStore(store).info(body["snapshot"]).triples


def test_load_needs_something_to_load(tmp_path: Path) -> None:
    code, out = _invoke("load", "--store", str(tmp_path / "s"))
    assert code == 2 and "give files to load, or --sample" in out


def test_progress_goes_to_the_structured_log_off_a_terminal(tmp_path: Path) -> None:
    data = tmp_path / "big.nt"
    write_ntriples(data, 60_000)  # above the size a progress report is worth
    assert data.stat().st_size > 4 << 20
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "load", str(data), "--store", str(tmp_path / "store")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    progress = [line for line in lines if line["msg"] == "progress"]
    assert progress and progress[0]["task"] == "loading big" and progress[0]["total"] == data.stat().st_size


def test_validate_one_sample_file_against_the_ontology_and_a_store(tmp_path: Path) -> None:
    supply = str(ROOT / "loaders" / "sample" / "supply.ttl")
    code, out = _invoke("validate", supply)
    assert code == 0, out  # references to the other sample files are no violations
    assert "0 violation(s)" in out and "pass --store" in out
    store = str(tmp_path / "store")
    assert _invoke("load", "--sample", "--store", store)[0] == 0
    code, out = _invoke("validate", supply, "--store", store)
    assert code == 0 and "0 violation(s), 0 warning(s)" in out, out
    wrong = tmp_path / "wrong.ttl"
    wrong.write_text(
        "@prefix sg: <https://w3id.org/supplygraph/ns#> .\n"
        "<https://w3id.org/supplygraph/id/supply/x> a sg:SupplyRelationship ;\n"
        "  sg:supplier <https://w3id.org/supplygraph/id/country/CHN> ;\n"  # a country is no supplier
        "  sg:buyer <https://w3id.org/supplygraph/id/firm/tesla> ;\n"
        "  sg:item <https://w3id.org/supplygraph/id/material/gallium> .\n"
    )
    code, out = _invoke("validate", str(wrong), "--store", store, "--no-warnings")
    assert code == 1 and "CORE-SUP-1" in out


def test_validate_names_the_position_of_a_syntax_error(tmp_path: Path) -> None:
    bad = _ttl(tmp_path / "bad.ttl", "e:a e:b e:c\ne:d e:e .\n")
    code, out = _invoke("validate", str(bad))
    assert code == 1 and f"{bad}:3:1" in out and "b'" not in out


def test_provenance_names_files_not_the_loading_machines_paths(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    data = _ttl(tmp_path / "firms.ttl", "e:a e:p 1 .\n")
    assert _invoke("load", str(data), "--store", store, "--dataset", "firms")[0] == 0
    dump = SnapshotStore(store).open_current().dump("nquads").decode()
    assert str(tmp_path) not in dump and '"firms.ttl"' in dump
    assert "<urn:sha256:" in dump  # the file, identified by its content


def test_absolute_paths_are_recorded_only_on_request(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    data = _ttl(tmp_path / "firms.ttl", "e:a e:p 1 .\n")
    assert _invoke("load", str(data), "--store", store, "--dataset", "firms", "--record-paths")[0] == 0
    dump = SnapshotStore(store).open_current().dump("nquads").decode()
    assert data.resolve().as_uri() in dump
