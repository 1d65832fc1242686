"""Settings: one table, read from ``SUPPLYGRAPH_*`` environment variables and CLI flags.

``SETTINGS`` is the single source of truth: the CLI builds its ``serve``
options from it and the README's settings table is generated from it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from starlette.config import Config, Environ, environ


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: name (lower case, the env var is ``SUPPLYGRAPH_<NAME>``), default, help."""

    name: str
    default: Any
    help: str
    type: type = str

    @property
    def env(self) -> str:
        return "SUPPLYGRAPH_" + self.name.upper()


SETTINGS: Final[tuple[Setting, ...]] = (
    Setting("store", "./var/store", "Store directory (snapshots), or :memory: for an in-memory store"),
    Setting("host", "127.0.0.1", "Interface the HTTP server listens on"),
    Setting("port", 8000, "Port the HTTP server listens on", int),
    Setting("workers", 1, "Number of uvicorn worker processes", int),
    Setting("keep_snapshots", 3, "How many published snapshots to keep on disk", int),
    Setting("cors_origins", "", "Comma-separated origins allowed by CORS (* for any); empty disables CORS"),
    Setting("log_level", "info", "Log level: debug, info, warning, error"),
    Setting("log_format", "json", "Request log format: json (one object per line) or text"),
    Setting("query_timeout", 30.0, "Default deadline of a SPARQL query, in seconds", float),
    Setting("max_query_timeout", 120.0, "Largest deadline a request may ask for with timeout=", float),
    Setting("max_rows", 100_000, "Most rows a SPARQL SELECT returns; more are cut and flagged", int),
    Setting("max_body_bytes", 10_000_000, "Largest request body accepted, in bytes", int),
    Setting("sparql_workers", 2, "Worker processes that run researchers' SPARQL queries", int),
    Setting(
        "sparql_inline_rows",
        500,
        "Rows a bounded SPARQL lookup (one triple pattern) may read in the server process instead of a worker;"
        " 0 sends every query to the workers",
        int,
    ),
    Setting("max_concurrent_queries", 8, "SPARQL queries running or waiting before 429", int),
    Setting("max_queries_per_client", 6, "SPARQL queries one client address may have running or waiting", int),
    Setting(
        "write_token",
        "",
        "Bearer token that enables SPARQL Update and Graph Store writes (16+ characters, no whitespace); "
        "empty = read-only",
    ),
    Setting("write_token_file", "", "File holding the write token (kept out of `ps`); used when write_token is empty"),
    Setting("max_page_size", 100, "Largest page (first:) a GraphQL connection returns", int),
    Setting("max_query_depth", 12, "Deepest GraphQL query accepted", int),
    Setting("max_aliases", 30, "Most aliases in one GraphQL query", int),
    Setting("max_tokens", 2000, "Most tokens in one GraphQL document", int),
    Setting("max_query_cost", 10_000, "Largest estimated cost of a GraphQL document (list fields multiply)", int),
    Setting("graphql_timeout", 30.0, "Deadline of a GraphQL request, in seconds", float),
    Setting("graphiql", True, "Serve GraphiQL to browsers at /graphql", bool),
    Setting(
        "cache_max_age", 0, "Seconds clients may reuse a read answer without asking (0: revalidate with ETag)", int
    ),
    Setting(
        "service_endpoints",
        "",
        "Comma-separated endpoint prefixes SPARQL SERVICE may call; empty turns SERVICE off",
    ),
    Setting(
        "sparql_endpoint",
        "",
        "Query URL of an external SPARQL engine (SPARQL 1.1 Protocol); empty = the embedded store",
    ),
    Setting("update_endpoint", "", "SPARQL 1.1 Update URL of the external engine; empty = it takes no writes"),
    Setting("gsp_endpoint", "", "Graph Store Protocol URL of the external engine (loads go through it)"),
    Setting("endpoint_auth", "", "Credentials for the external engine: a bearer token, or user:password (basic)"),
    Setting("endpoint_auth_file", "", "File holding endpoint_auth (kept out of `ps`); used if endpoint_auth is empty"),
    Setting("endpoint_timeout", 60.0, "Seconds to wait for the external engine's answer to one request", float),
    Setting(
        "state_dir",
        "",
        "With an external engine: local directory of the index and analytics state (empty: the store setting)",
    ),
    Setting(
        "remote_graphs",
        "",
        "With an external engine: comma-separated IRI prefixes of the named graphs the service reads "
        "(empty: all; set it when the engine keeps system graphs, as Virtuoso does)",
    ),
    Setting(
        "remote_poll", 10.0, "With an external engine: most seconds between checks for a new remote version", float
    ),
)

_BY_NAME: Final = {s.name: s for s in SETTINGS}
MIN_TOKEN_LENGTH: Final = 16


@dataclass(frozen=True, slots=True)
class Settings:
    """The service configuration, immutable once read.  See ``SETTINGS`` for meanings."""

    store: str = "./var/store"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    keep_snapshots: int = 3
    cors_origins: str = ""
    log_level: str = "info"
    log_format: str = "json"
    query_timeout: float = 30.0
    max_query_timeout: float = 120.0
    max_rows: int = 100_000
    max_body_bytes: int = 10_000_000
    sparql_workers: int = 2
    sparql_inline_rows: int = 500
    max_concurrent_queries: int = 8
    max_queries_per_client: int = 6
    write_token: str = ""
    write_token_file: str = ""
    max_page_size: int = 100
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_query_cost: int = 10_000
    graphql_timeout: float = 30.0
    graphiql: bool = True
    cache_max_age: int = 0
    service_endpoints: str = ""
    sparql_endpoint: str = ""
    update_endpoint: str = ""
    gsp_endpoint: str = ""
    endpoint_auth: str = ""
    endpoint_auth_file: str = ""
    endpoint_timeout: float = 60.0
    state_dir: str = ""
    remote_graphs: str = ""
    remote_poll: float = 10.0

    @classmethod
    def from_env(cls, overrides: Mapping[str, Any] | None = None, env: Environ | None = None) -> Settings:
        """Read settings from ``SUPPLYGRAPH_*`` variables, then apply non-None ``overrides``.

        Raises :class:`ValueError` naming the variable when a value does not parse,
        so a misconfigured service fails at startup rather than on first use.
        """
        config = Config(environ=env if env is not None else environ, env_prefix="SUPPLYGRAPH_")
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            try:
                values[setting.name] = config(setting.name.upper(), cast=_caster(setting.type), default=setting.default)
            except ValueError as exc:
                raise ValueError(f"{setting.env}: {exc}") from exc
        for name, value in (overrides or {}).items():
            if value is not None:
                if name not in _BY_NAME:
                    raise ValueError(f"unknown setting {name!r}")
                values[name] = value
        if values.get("write_token_file") and not values.get("write_token"):
            try:
                values["write_token"] = Path(values["write_token_file"]).read_text(encoding="utf-8").strip("\r\n")
            except (OSError, UnicodeDecodeError) as exc:
                raise ValueError(f"SUPPLYGRAPH_WRITE_TOKEN_FILE: cannot read it ({type(exc).__name__})") from None
        if values.get("endpoint_auth_file") and not values.get("endpoint_auth"):
            try:
                values["endpoint_auth"] = Path(values["endpoint_auth_file"]).read_text(encoding="utf-8").strip("\r\n")
            except (OSError, UnicodeDecodeError) as exc:
                raise ValueError(f"SUPPLYGRAPH_ENDPOINT_AUTH_FILE: cannot read it ({type(exc).__name__})") from None
        settings = cls(**values)
        settings.check()
        return settings

    @property
    def service_endpoint_list(self) -> tuple[str, ...]:
        """The endpoint prefixes SPARQL SERVICE may call (none: SERVICE is off)."""
        return tuple(p.strip() for p in self.service_endpoints.split(",") if p.strip())

    def check(self) -> None:
        """Validate ranges and the token; raise :class:`ValueError` naming the setting."""
        token = self.write_token
        if token and (len(token) < MIN_TOKEN_LENGTH or any(c.isspace() for c in token)):
            raise ValueError(
                f"SUPPLYGRAPH_WRITE_TOKEN must be at least {MIN_TOKEN_LENGTH} characters with no whitespace"
            )
        positive = ("port", "workers", "keep_snapshots", "max_rows", "max_body_bytes", "sparql_workers")
        for name in (*positive, "max_concurrent_queries", "max_queries_per_client", "max_page_size", "max_query_depth"):
            if getattr(self, name) < 1:
                raise ValueError(f"{_BY_NAME[name].env} must be at least 1, got {getattr(self, name)}")
        if self.sparql_inline_rows < 0:
            raise ValueError(f"SUPPLYGRAPH_SPARQL_INLINE_ROWS must be 0 or more, got {self.sparql_inline_rows}")
        if self.query_timeout <= 0 or self.max_query_timeout < self.query_timeout:
            raise ValueError("SUPPLYGRAPH_QUERY_TIMEOUT must be > 0 and <= SUPPLYGRAPH_MAX_QUERY_TIMEOUT")
        for name in ("sparql_endpoint", "update_endpoint", "gsp_endpoint"):
            url = getattr(self, name)
            if url and not url.startswith(("http://", "https://")):
                raise ValueError(f"{_BY_NAME[name].env} must be an http:// or https:// URL, got {url!r}")
        if (self.update_endpoint or self.gsp_endpoint) and not self.sparql_endpoint:
            raise ValueError(
                "SUPPLYGRAPH_UPDATE_ENDPOINT and SUPPLYGRAPH_GSP_ENDPOINT need SUPPLYGRAPH_SPARQL_ENDPOINT"
            )
        if self.endpoint_timeout <= 0 or self.remote_poll < 0:
            raise ValueError("SUPPLYGRAPH_ENDPOINT_TIMEOUT must be > 0 and SUPPLYGRAPH_REMOTE_POLL >= 0")
        if self.log_format not in ("json", "text"):
            raise ValueError(f"SUPPLYGRAPH_LOG_FORMAT must be json or text, got {self.log_format!r}")

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


def _caster(kind: type) -> Any:
    if kind is bool:
        return _bool
    return kind


def _bool(value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected a boolean, got {value!r}")
