"""Documents a front end sends again and again: checked once, then run straight on graphql-core.

Front ends send a few fixed documents with variables.  strawberry's view
runs every request through its extension pipeline (a dozen hooks, parsing
and validation caches looked up by text), which costs about as much as the
answer of a small lookup (measured: ``bench/bench_graphql.py``).  Here a
document's text is parsed and validated once, with exactly the rules the
schema applies (:func:`service.gql.schema.validation_rules`) and the same
token limit; a query that passes them is kept and later requests with that
text run on graphql-core with the schema's own execution settings.

Only the plain case is taken: a GET, or a POST of one JSON object, asking
a query, answered without errors.  Anything else (batches, other media types,
a document that fails a check, an answer holding an error) is left to, or
asked again of, strawberry's view, so every error reads and is logged
exactly as it always has.  The resolvers of a query only read, so asking
again changes nothing.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import strawberry
from graphql import DocumentNode, GraphQLError, OperationType, execute, get_operation_ast, parse, specified_rules

from service.gql.schema import CACHED_DOCUMENTS, validation_rules
from service.settings import Settings

try:  # strawberry's own execution settings, so a resolver sees exactly what the view would give it
    from strawberry.execution.is_awaitable import optimized_is_awaitable
    from strawberry.schema._graphql_core import execution_context_class_kwargs
    from strawberry.schema.schema import validate_document
except ImportError:  # another strawberry: every request takes its view
    AVAILABLE = False
else:
    AVAILABLE = True

Request = dict[str, Any]
"""A decoded request body: query, variables and operationName."""

PARAMETERS = {"query", "variables", "operationName"}
"""What a request this path answers may hold; anything more is the view's to read."""


def _plain(found: dict[str, Any]) -> Request | None:
    variables, name = found.get("variables"), found.get("operationName")
    if not isinstance(found.get("query"), str):
        return None
    if not (variables is None or isinstance(variables, dict)) or not (name is None or isinstance(name, str)):
        return None
    return found


class PreparedDocuments:
    """The query documents that passed every check, by text."""

    def __init__(self, schema: strawberry.Schema, settings: Settings) -> None:
        self.schema = schema
        self.max_tokens = settings.max_tokens
        self.rules = (*specified_rules, *validation_rules(settings))
        # graphql-core's execute, or its incremental variant when the schema is set up for that.
        choose = getattr(schema, "_get_execute_function", None)
        self._execute: Callable[..., Any] = choose() if choose is not None else execute
        # Unique texts cannot grow memory: the verdicts are an LRU, as strawberry's own caches.
        self._checked = functools.lru_cache(maxsize=CACHED_DOCUMENTS)(self._check)

    def request(self, body: bytes) -> Request | None:
        """A POST body as a request this path can answer, or None (strawberry's view then reads it)."""
        try:
            found = json.loads(body)
        except ValueError:
            return None
        if not isinstance(found, dict) or set(found) - PARAMETERS:
            return None  # a batch, extensions, persisted queries...: strawberry knows what to say
        return _plain(found)

    def request_of_url(self, query_string: bytes) -> Request | None:
        """A GET's parameters as a request this path can answer, or None (as :meth:`request`)."""
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
        found: dict[str, Any] = dict(pairs)
        if len(found) != len(pairs) or set(found) - PARAMETERS:
            return None
        if "variables" in found:
            try:
                found["variables"] = json.loads(found["variables"])
            except ValueError:
                return None
            if not isinstance(found["variables"], dict):
                return None  # the view refuses bare values with its own message
        return _plain(found)

    def document(self, text: str, operation_name: str | None) -> DocumentNode | None:
        """The checked document of ``text`` when it asks a query; None when any check fails."""
        document = self._checked(text)
        if document is None:
            return None
        operation = get_operation_ast(document, operation_name)
        return document if operation is not None and operation.operation == OperationType.QUERY else None

    def _check(self, text: str) -> DocumentNode | None:
        try:
            document = parse(text, max_tokens=self.max_tokens)
        except GraphQLError:
            return None
        return None if validate_document(self.schema._schema, document, self.rules) else document

    async def execute(self, document: DocumentNode, request: Request, context: object) -> bytes | None:
        """The response body of ``document`` run with the request's variables; None if it holds an error."""
        schema = self.schema
        result = self._execute(
            schema._schema,
            document,
            variable_values=request.get("variables"),
            operation_name=request.get("operationName"),
            context_value=context,
            is_awaitable=optimized_is_awaitable,
            **execution_context_class_kwargs(schema.execution_context_class),
        )
        if optimized_is_awaitable(result):
            result = await result
        if result.errors:
            return None
        # strawberry's view encodes the same way (compact separators), so both paths send the same bytes.
        return json.dumps({"data": result.data}, separators=(",", ":")).encode()
