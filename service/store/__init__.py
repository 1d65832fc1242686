"""The store: immutable snapshots behind an atomically switched pointer, and the only pyoxigraph caller.

Readers get a :class:`Snapshot`; every write goes through a :class:`Writer`
into a new snapshot, whose artifacts are built from a :class:`BuildInput`.
"""

from service.store.datasets import describe
from service.store.endpoint import EndpointConfig
from service.store.formats import RDF_FORMATS, RESULT_FORMATS, check_syntax, media_type, rdf_format_for
from service.store.journal import DEFAULT_GRAPH, Changes, Document, GraphChange
from service.store.meta import SnapshotInfo, StoreDamaged
from service.store.remote import RemoteStore
from service.store.remote_graph import RemoteGraph
from service.store.remote_writer import RemoteWriter
from service.store.results import SelectResult, Serialized
from service.store.shards import read_manifest, write_shards
from service.store.snapshot import OutgoingRow, ReadableGraph, Snapshot
from service.store.snapshots import (
    AnyStore,
    ArtifactBuilder,
    BuildInput,
    MemoryStore,
    SnapshotStore,
    open_store,
)
from service.store.terms import IRI, XSD, Bindings, BNode, Lit, Row, Term, check_iri, iri_list, is_absolute_iri
from service.store.update_scope import graphs_changed
from service.store.writer import LoadResult, Progress, Writer

__all__ = [
    "DEFAULT_GRAPH",
    "IRI",
    "RDF_FORMATS",
    "RESULT_FORMATS",
    "XSD",
    "AnyStore",
    "ArtifactBuilder",
    "BNode",
    "Bindings",
    "BuildInput",
    "Changes",
    "Document",
    "EndpointConfig",
    "GraphChange",
    "Lit",
    "LoadResult",
    "MemoryStore",
    "OutgoingRow",
    "Progress",
    "ReadableGraph",
    "RemoteGraph",
    "RemoteStore",
    "RemoteWriter",
    "Row",
    "SelectResult",
    "Serialized",
    "Snapshot",
    "SnapshotInfo",
    "SnapshotStore",
    "StoreDamaged",
    "Term",
    "Writer",
    "check_iri",
    "check_syntax",
    "describe",
    "graphs_changed",
    "iri_list",
    "is_absolute_iri",
    "media_type",
    "open_store",
    "rdf_format_for",
    "read_manifest",
    "write_shards",
]
