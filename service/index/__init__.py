"""The per-snapshot network model: frames of the supply-network triples and the dependency index built from them.

Built once when a snapshot is written (:func:`build_index`), opened read-only
with mmap (:func:`index_for`), and searched in milliseconds (:mod:`service.index.search`).
"""

from service.index.arrays import unique, unique_first, unique_inverse
from service.index.build import build_index
from service.index.changes import frame_changes
from service.index.frames import read_frames
from service.index.reader import Csr, DependencyIndex, Ints, index_dir, index_for, loaded_index
from service.index.scan import FrameSpec
from service.index.schema import CLASS_KINDS, FORMAT_VERSION, RELATIONS, EdgeKind, NodeKind
from service.index.search import DependentsPage, Question, Step, ancestors, dependency_paths, dependents, users
from service.index.spec import ANALYSIS_FRAMES, INDEX_FRAMES, INDEX_NAMES, SPEC

__all__ = [
    "ANALYSIS_FRAMES",
    "CLASS_KINDS",
    "FORMAT_VERSION",
    "INDEX_FRAMES",
    "INDEX_NAMES",
    "RELATIONS",
    "SPEC",
    "Csr",
    "DependencyIndex",
    "DependentsPage",
    "EdgeKind",
    "FrameSpec",
    "Ints",
    "NodeKind",
    "Question",
    "Step",
    "ancestors",
    "build_index",
    "dependency_paths",
    "dependents",
    "frame_changes",
    "index_dir",
    "index_for",
    "loaded_index",
    "read_frames",
    "unique",
    "unique_first",
    "unique_inverse",
    "users",
]
