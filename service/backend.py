"""Opens the configured store with the artifacts every snapshot carries."""

from __future__ import annotations

from service.settings import Settings
from service.store import AnyStore, ArtifactBuilder, open_store


def artifact_builders() -> list[ArtifactBuilder]:
    """Builders run on every new snapshot before it is published."""
    from service.index.build import build_index

    return [build_index]


def open_configured(settings: Settings) -> AnyStore:
    """The store named by ``settings.store`` (a directory or ``:memory:``)."""
    return open_store(settings.store, settings.keep_snapshots, artifact_builders())
