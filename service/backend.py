"""Opens the configured store with the artifacts every snapshot carries."""

from __future__ import annotations

from ontology import vocab as v
from service.settings import Settings
from service.store import AnyStore, ArtifactBuilder, EndpointConfig, RemoteStore, open_store


def artifact_builders() -> list[ArtifactBuilder]:
    """Builders run on every new snapshot before it is published."""
    from service.index.build import build_index

    return [build_index]


def open_configured(settings: Settings) -> AnyStore:
    """The configured store: an external engine if ``sparql_endpoint`` is set, else ``settings.store``.

    With an engine, the index state lives in ``state_dir`` (default: the
    ``store`` directory); otherwise ``store`` is a snapshot directory or ``:memory:``.
    """
    if settings.sparql_endpoint:
        config = EndpointConfig(
            settings.sparql_endpoint,
            settings.update_endpoint,
            settings.gsp_endpoint,
            settings.endpoint_auth,
            settings.endpoint_timeout,
        )
        state = settings.state_dir or settings.store
        if state == ":memory:":
            raise ValueError("SUPPLYGRAPH_STATE_DIR: an external engine needs a directory for the index state")
        prefixes = tuple(p.strip() for p in settings.remote_graphs.split(",") if p.strip())
        return RemoteStore(config, state, v.CATALOG_GRAPH, artifact_builders(), settings.remote_poll, prefixes)
    return open_store(settings.store, settings.keep_snapshots, artifact_builders())
