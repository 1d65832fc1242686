"""HTTP to an external SPARQL engine: SPARQL 1.1 Protocol queries and updates, Graph Store Protocol writes.

Only the standard protocols are spoken, so any conforming engine serves
(Oxigraph server, Virtuoso, QLever, GraphDB, Neptune).  Every request
carries the configured credentials and a deadline; the engine's own error
text is kept short in the messages raised, since it can be large.
"""

from __future__ import annotations

import base64
import urllib.parse
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from service.errors import QueryError, QueryTimeout, StoreError

QUERY_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    """Where the engine answers, and how to authenticate.  ``auth``: a bearer token or ``user:password``."""

    query: str
    update: str = ""
    gsp: str = ""
    auth: str = ""
    timeout: float = 60.0

    def headers(self) -> dict[str, str]:
        """The Authorization header ``auth`` asks for (none if empty)."""
        if not self.auth:
            return {}
        if ":" in self.auth:
            return {"Authorization": "Basic " + base64.b64encode(self.auth.encode()).decode()}
        return {"Authorization": "Bearer " + self.auth}


class Endpoint:
    """A connection pool to one engine; thread-safe (httpx's client is)."""

    def __init__(self, config: EndpointConfig) -> None:
        self.config = config
        self._client = httpx.Client(headers=config.headers(), timeout=config.timeout, follow_redirects=False)
        # Commands open a store and exit without closing it: its connections close with it.
        weakref.finalize(self, self._client.close)

    def close(self) -> None:
        self._client.close()

    def _check(self, response: httpx.Response, what: str) -> None:
        if response.status_code < 400:
            return
        detail = response.text.strip().splitlines()[0][:300] if response.text.strip() else ""
        if response.status_code in (400, 406, 415):
            raise QueryError(f"the SPARQL engine rejected the {what}: {detail or response.status_code}")
        if response.status_code in (401, 403):
            raise StoreError(f"the SPARQL engine refused the credentials for the {what} ({response.status_code})")
        raise StoreError(f"the SPARQL engine failed the {what} ({response.status_code}): {detail}")

    @staticmethod
    def _failed(exc: httpx.HTTPError, what: str) -> Exception:
        if isinstance(exc, httpx.TimeoutException):
            return QueryTimeout(f"the SPARQL engine did not answer the {what} in time")
        return StoreError(f"the SPARQL engine cannot be reached for the {what} ({type(exc).__name__})")

    @staticmethod
    def _dataset(default_graph: Iterable[str] | None, named_graphs: Iterable[str] | None) -> list[tuple[str, str]]:
        return [("default-graph-uri", g) for g in default_graph or ()] + [
            ("named-graph-uri", g) for g in named_graphs or ()
        ]

    def query(
        self,
        text: str,
        accept: str,
        *,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        timeout: float | None = None,
    ) -> tuple[str, bytes]:
        """POST ``text`` (SPARQL Protocol, form-encoded); the media type and body of the answer.

        The body is read whole: a result's size is bounded by the deadline,
        and a connection is never left half-read.
        """
        form = [("query", text), *self._dataset(default_graph, named_graphs)]
        request = self._client.build_request(
            "POST",
            self.config.query,
            # Repeated dataset parameters: encoded by hand, since a dict would keep one.
            content=urllib.parse.urlencode(form).encode(),
            headers={"Accept": accept, "Content-Type": QUERY_FORM},
            timeout=timeout or self.config.timeout,
        )
        try:
            response = self._client.send(request)
        except httpx.HTTPError as exc:
            raise self._failed(exc, "query") from exc
        self._check(response, "query")
        return response.headers.get("content-type", "").split(";")[0].strip().lower(), response.content

    def update(self, text: str) -> None:
        """POST a SPARQL Update; :class:`StoreError` if no update endpoint is configured."""
        if not self.config.update:
            raise StoreError("no SUPPLYGRAPH_UPDATE_ENDPOINT is set: the SPARQL engine is read-only here")
        try:
            response = self._client.post(self.config.update, data={"update": text})
        except httpx.HTTPError as exc:
            raise self._failed(exc, "update") from exc
        self._check(response, "update")

    def post_graph(self, graph: str, path: Path, media_type: str = "application/n-triples") -> None:
        """Add the file at ``path`` to ``graph`` with a Graph Store Protocol POST, streamed with its length."""
        if not self.config.gsp:
            raise StoreError("no SUPPLYGRAPH_GSP_ENDPOINT is set: loads cannot reach the SPARQL engine")
        headers = {"Content-Type": media_type, "Content-Length": str(path.stat().st_size)}
        try:
            with open(path, "rb") as body:
                response = self._client.post(
                    self.config.gsp,
                    params={"graph": graph},
                    content=iter(lambda: body.read(1 << 20), b""),
                    headers=headers,
                )
        except httpx.HTTPError as exc:
            raise self._failed(exc, "graph store write") from exc
        self._check(response, "graph store write")
