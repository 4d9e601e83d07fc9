"""The gateway's request pipeline, independent of HTTP: operation -> plan -> execute -> respond.

:class:`Gateway` holds what lives for the process (the supergraph, the
operation and plan caches, the subgraph client) and runs one GraphQL
request: prepare the document (cached), coerce variables, find or build the
plan (cached by document hash, operation name and the values of the
variables ``@skip``/``@include`` use), execute it, and shape the response.
Introspection fields (``__schema``, ``__type``) are answered from the API
schema by graphql-core; everything else comes from the subgraphs.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute_sync,
)

from gateway.executor import Executor
from gateway.federation import Federation
from gateway.http_client import SubgraphClient
from gateway.operation import (
    Field,
    OperationCache,
    PreparedDocument,
    coerce_variables,
    normalize,
)
from gateway.plan import QueryPlan
from gateway.planner import Planner
from gateway.settings import GatewaySettings
from gateway.shaper import Shaper
from gateway.supergraph import Supergraph

__all__ = ["Gateway", "GraphQLRequest"]


@dataclass(frozen=True)
class GraphQLRequest:
    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None


class Gateway:
    """One supergraph, served. Create inside the event loop's lifetime; ``start`` then ``close``."""

    def __init__(self, supergraph: Supergraph, settings: GatewaySettings | None = None) -> None:
        self.settings = settings or GatewaySettings()
        self.supergraph = supergraph
        self.federation = Federation(supergraph, self.settings.override_labels)
        self.operations = OperationCache(supergraph.api_schema)
        self.planner = Planner(self.federation)
        self.shaper = Shaper(supergraph.api_schema, self.federation)
        self.client = SubgraphClient(
            timeout_s=self.settings.subgraph_timeout_s,
            keepalive_s=self.settings.subgraph_keepalive_s,
            dedupe=self.settings.dedupe_subgraph_requests,
        )
        self.executor = Executor(self.client, batch=self.settings.batch_entity_fetches)
        self._plans: OrderedDict[tuple[Any, ...], QueryPlan] = OrderedDict()

    async def start(self) -> None:
        await self.client.start()

    async def close(self) -> None:
        await self.client.close()

    def prepare(self, request: GraphQLRequest) -> tuple[PreparedDocument, OperationDefinitionNode]:
        """Parse/validate (cached) and pick the operation; raises :class:`OperationError`."""
        prepared = self.operations.prepare(request.query)
        return prepared, prepared.operation(request.operation_name)

    def plan(
        self, prepared: PreparedDocument, operation: OperationDefinitionNode, variables: dict[str, Any]
    ) -> QueryPlan:
        name = operation.name.value if operation.name else None
        conditions = prepared.condition_variables.get(name, ())
        key = (prepared.hash, name, tuple(bool(variables.get(v)) for v in conditions))
        plan = self._plans.get(key)
        if plan is not None:
            self._plans.move_to_end(key)
            return plan
        selections = normalize(operation.selection_set, prepared.fragments, variables)
        plan = self.planner.plan(operation, selections, name)
        plan.cache["introspection"] = _introspection_document(operation, prepared)
        self._plans[key] = plan
        if len(self._plans) > self.settings.plan_cache_size:
            self._plans.popitem(last=False)
        return plan

    async def execute(self, request: GraphQLRequest, headers: dict[str, str] | None = None) -> dict[str, Any]:
        """Run one request; :class:`OperationError` for requests that cannot run at all."""
        prepared, operation = self.prepare(request)
        variables = coerce_variables(self.supergraph.api_schema, operation, request.variables)
        plan = self.plan(prepared, operation, variables)
        raw_variables = request.variables or {}
        outcome = await self.executor.execute(plan, raw_variables, headers)
        data, errors = outcome.data, outcome.errors
        introspection: DocumentNode | None = plan.cache["introspection"]
        if introspection is not None:
            result = execute_sync(self.supergraph.api_schema, introspection, variable_values=raw_variables)
            if isinstance(result.data, dict):
                data.update(result.data)
            errors.extend(dict(e.formatted) for e in result.errors or ())
        shaped = self.shaper.shape(plan, data, errors, outcome.failed)
        if introspection is not None and shaped is not None:
            shaped = _with_introspection(shaped, data, plan)
        response: dict[str, Any] = {}
        if errors:
            response["errors"] = errors
        response["data"] = shaped
        return response


def _introspection_document(
    operation: OperationDefinitionNode, prepared: PreparedDocument
) -> DocumentNode | None:
    if operation.operation != OperationType.QUERY:
        return None
    fields = [
        s
        for s in operation.selection_set.selections
        if isinstance(s, FieldNode) and s.name.value in ("__schema", "__type")
    ]
    if not fields:
        return None
    only = OperationDefinitionNode(
        operation=OperationType.QUERY,
        variable_definitions=operation.variable_definitions,
        selection_set=SelectionSetNode(selections=tuple(fields)),
    )
    return DocumentNode(definitions=(only, *prepared.fragments.values()))


def _with_introspection(shaped: dict[str, Any], data: dict[str, Any], plan: QueryPlan) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for selection in plan.selections:
        if isinstance(selection, Field) and selection.name in ("__schema", "__type"):
            out[selection.response_key] = data.get(selection.response_key)
        elif isinstance(selection, Field) and selection.response_key in shaped:
            out[selection.response_key] = shaped[selection.response_key]
    for key, value in shaped.items():
        out.setdefault(key, value)
    return out
