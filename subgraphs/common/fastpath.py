"""``POST /graphql``'s common case answered straight from graphql-core; everything else by Strawberry's view.

The gateway sends each subgraph the same few documents over and over, as
JSON POSTs. Strawberry's view and ``Schema.execute`` wrap every one in an
HTTP adapter, a request/response pair, an execution context and per-request
extension objects: measured here, those cost more CPU than executing the
document itself (a subgraph request of one cached order: 0.6 of its 1.9 ms
in graphql-core). So a request that is

- a ``POST`` whose content type is ``application/json``,
- a JSON object of ``query`` (a string), and optionally ``variables`` (an
  object or null), ``operationName`` (a string or null) and ``extensions``,
- whose document parses and validates (kept per query text, as Strawberry's
  ``ParserCache``/``ValidationCache`` keep them) and names a query or a
  mutation the document holds,

is executed with graphql-core's ``execute`` on the Strawberry schema with
exactly what Strawberry passes (its execution context class, the request's
:class:`~subgraphs.common.app.RequestContext`), its errors logged by the
schema's ``process_errors`` as Strawberry logs them, and answered as the view
answers (``{"data", "errors"}``, each error through
:func:`~subgraphs.common.app.format_error`), 200, ``application/json``.

Anything else (a GET, another content type, a body that is not such an
object, a document that does not parse or validate, an unknown operation, a
subscription) goes to Strawberry's view with the body replayed, so every
refusal keeps its status and code. A schema with extensions that hook
resolvers, or with incremental execution on, always takes the view.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    parse,
    specified_rules,
)
from graphql.utilities import get_operation_ast
from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.execution import optimized_is_awaitable
from strawberry.federation import Schema
from strawberry.schema.schema import validate_document

__all__ = ["FastGraphQL"]

_KEYS = frozenset({"query", "variables", "operationName", "extensions"})
_HEADERS = [(b"content-type", b"application/json")]
_RUN = (OperationType.QUERY, OperationType.MUTATION)
_RULES = tuple(specified_rules)  # Strawberry's default; it adds its own two (maybe-null, one-of)

ContextFactory = Callable[[Scope, Request], Any]
Formatter = Callable[[GraphQLError], dict[str, Any]]


def _json(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower() == b"application/json"
    return False


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` that first answers the body already read, then whatever the connection says."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class FastGraphQL:
    """The ``/graphql`` endpoint: the fast path (module docstring) in front of Strawberry's ``view``."""

    def __init__(
        self, schema: Schema, view: ASGIApp, context: ContextFactory, format_error: Formatter
    ) -> None:
        self._schema = schema
        self._view = view
        self._context = context
        self._format = format_error
        extensions = schema.get_extensions()
        self.enabled = not schema.config.enable_experimental_incremental_execution and not any(
            extension._implements_resolve() for extension in extensions
        )
        self._executor = schema.execution_context_class

    @functools.lru_cache(maxsize=1_000)  # noqa: B019 - one instance per process, kept for its life
    def _document(self, query: str) -> DocumentNode | None:
        """The parsed document, if it validates; None sends the request to the view."""
        try:
            document = parse(query)
        except (GraphQLError, RecursionError):
            return None
        if validate_document(self._schema._schema, document, _RULES):
            return None
        return document

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.enabled
            or scope["type"] != "http"
            or scope["method"] != "POST"
            or not _json(scope["headers"])
        ):
            await self._view(scope, receive, send)
            return
        try:
            body = await Request(scope, receive).body()
        except ClientDisconnect:
            return  # no one to answer
        request = self._request(body)
        if request is None:
            await self._view(scope, _replay(body, receive), send)
            return
        document, variables, operation_name = request
        context = self._context(scope, Request(scope, _replay(body, receive)))
        try:
            result = execute(
                self._schema._schema,
                document,
                context_value=context,
                variable_values=variables,
                operation_name=operation_name,
                executor_class=self._executor,
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # a TypeGuard in all but name
                operation_extensions=None,
            )
            if not isinstance(result, ExecutionResult):
                result = await result
        except Exception as exc:  # as Strawberry's execute: a fault outside any resolver, masked
            result = ExecutionResult(None, [GraphQLError(str(exc), original_error=exc)])
        await self._answer(result, send)

    def _request(self, body: bytes) -> tuple[DocumentNode, dict[str, Any] | None, str | None] | None:
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(payload, dict) or not payload.keys() <= _KEYS:
            return None
        query, variables, name = payload.get("query"), payload.get("variables"), payload.get("operationName")
        if (
            not isinstance(query, str)
            or not isinstance(variables, dict | None)
            or not isinstance(name, str | None)
        ):
            return None
        document = self._document(query)
        if document is None:
            return None
        operation = get_operation_ast(document, name)
        if operation is None or operation.operation not in _RUN:
            return None
        return document, variables, name

    async def _answer(self, result: ExecutionResult, send: Send) -> None:
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            self._schema.process_errors(result.errors)
            out["errors"] = [self._format(error) for error in result.errors]
        body = orjson.dumps(out)
        headers = [*_HEADERS, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
