"""One GraphQL request from query text to response body: cost, throttle, execute, account.

    prepare (cached) -> pick operation -> requested cost -> MAX_COST_EXCEEDED?
    -> take from the app's bucket (THROTTLED?) -> execute -> actual cost -> refund the difference

Every answer carries ``extensions.cost`` with the bucket's ``throttleStatus``.
A resolver that fails unexpectedly is logged and reported as
``INTERNAL_SERVER_ERROR`` at its path, never with a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLSchema, execute_sync

from sandbox.shopify.context import Context
from sandbox.shopify.cost import actual_cost
from sandbox.shopify.documents import DocumentCache, format_error
from sandbox.shopify.idempotency import IdempotencyStore
from sandbox.shopify.knobs import ShopifyKnobs
from sandbox.shopify.resolvers._registry import default_resolver
from sandbox.shopify.state import ShopState
from sandbox.shopify.throttle import Buckets

__all__ = ["GraphQLService"]

_log = logging.getLogger("sandbox.shopify")

_MAX_COST = (
    "Query cost is {cost}, which exceeds the single query max cost limit ({limit}).\n\n"
    "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
    "cost of a query is calculated.\n\n"
    "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
    "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n"
)
_INTERNAL = "Internal error. Looks like something went wrong on our end."

Body = dict[str, Any]


class GraphQLService:
    """Runs GraphQL requests against one shop state."""

    def __init__(
        self,
        schema: GraphQLSchema,
        documents: DocumentCache,
        state: ShopState,
        knobs: Callable[[], ShopifyKnobs],
        *,
        shop_domain: str,
    ) -> None:
        self.schema, self.documents, self.state = schema, documents, state
        self.knobs = knobs
        self.shop_domain = shop_domain
        self.idempotency = IdempotencyStore()
        self.buckets = Buckets()

    def _cost(self, app: str, requested: int, actual: int | None) -> dict[str, Any]:
        knobs = self.knobs()
        status = self.buckets.status(app, knobs.cost_bucket_size, knobs.cost_restore_rate)
        return {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": status}

    def run(
        self, app: str, version: str, query: str, variables: dict[str, Any] | None, operation_name: str | None
    ) -> Body:
        variables = variables or {}
        prepared = self.documents.get(query)
        if prepared.document is None:
            return {"errors": prepared.errors, "extensions": {"cost": self._cost(app, 0, 0)}}
        operation = prepared.operation(operation_name)
        if operation is None:
            message = (
                f"No operation named '{operation_name}'"
                if operation_name
                else "An operation name is required when the document has several operations"
            )
            error = {"message": message, "extensions": {"code": "OPERATION_NOT_FOUND"}}
            return {"errors": [error], "extensions": {"cost": self._cost(app, 0, 0)}}
        knobs = self.knobs()
        requested = self.documents.requested_cost(prepared, operation, variables)
        if requested > knobs.max_query_cost:
            error = {
                "message": _MAX_COST.format(cost=requested, limit=knobs.max_query_cost),
                "extensions": {
                    "code": "MAX_COST_EXCEEDED",
                    "cost": requested,
                    "maxCost": knobs.max_query_cost,
                },
            }
            return {"errors": [error], "extensions": {"cost": self._cost(app, requested, None)}}
        size, rate = knobs.cost_bucket_size, knobs.cost_restore_rate
        if not self.buckets.take(app, requested, size, rate):
            error = {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
            return {"errors": [error], "extensions": {"cost": self._cost(app, requested, None)}}
        context = Context(self.state, version, self.shop_domain, self.idempotency)
        result = execute_sync(
            self.schema,
            prepared.document,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
            field_resolver=default_resolver,
        )
        actual = actual_cost(self.schema, prepared.document, operation, variables, result.data)
        self.buckets.refund(app, requested - actual, size, rate)
        body: Body = {}
        if result.errors:
            body["errors"] = [self._error(error) for error in result.errors]
        if result.data is not None or not result.errors or any(e.path for e in result.errors):
            body["data"] = result.data
        extensions: dict[str, Any] = {"cost": self._cost(app, requested, actual)}
        if context.search:
            extensions["search"] = context.search
        body["extensions"] = extensions
        return body

    @staticmethod
    def _error(error: GraphQLError) -> dict[str, Any]:
        original = error.original_error
        if original is not None and not isinstance(original, GraphQLError):
            _log.error("shopify: resolver failed at %s", error.path, exc_info=original)
            shaped: dict[str, Any] = {"message": _INTERNAL, "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
            if error.locations:
                shaped["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
            if error.path:
                shaped["path"] = list(error.path)
            return shaped
        return format_error(error, "BAD_REQUEST")
