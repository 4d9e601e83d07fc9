"""Run a query plan: concurrent subgraph fetches, merged into one JSON tree.

Each fetch starts as soon as the fetches it depends on are done. A root
fetch's ``data`` is merged at the top; an entity fetch walks its path in the
merged data, builds one representation per object of an accepted
``__typename`` (skipping objects whose key fields are null), sends each
distinct representation once in a single ``_entities`` call, and merges each
answer into every object it belongs to. Subgraph errors are re-pathed to
the client's response paths and tagged with ``extensions.code``
(the subgraph's own, else ``DOWNSTREAM_SERVICE_ERROR``) and
``extensions.serviceName``. A failed fetch leaves its fields missing (the
shaper turns them into nulls), so other subgraphs' data still comes back.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import orjson

from gateway.aliasing import apply_renames
from gateway.batching import EntityBatcher
from gateway.http_client import SubgraphClient, SubgraphHTTPError
from gateway.plan import Fetch, QueryPlan, Rep

__all__ = ["Executor", "Outcome", "merge_into"]

_JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
_MISSING = object()
_INCOMPLETE = object()


def merge_into(target: dict[str, Any], source: dict[str, Any]) -> None:
    """Deep-merge ``source`` into ``target`` (objects by key, equal-length lists element-wise)."""
    for key, value in source.items():
        current = target.get(key, _MISSING)
        if isinstance(current, dict) and isinstance(value, dict):
            merge_into(current, value)
        elif isinstance(current, list) and isinstance(value, list) and len(current) == len(value):
            _merge_lists(current, value)
        else:
            target[key] = value


def _merge_lists(current: list[Any], incoming: list[Any]) -> None:
    for index, (a, b) in enumerate(zip(current, incoming, strict=True)):
        if isinstance(a, dict) and isinstance(b, dict):
            merge_into(a, b)
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            _merge_lists(a, b)
        else:
            current[index] = b


def _targets(data: Any, path: tuple[str, ...]) -> list[dict[str, Any]]:
    """The objects at ``path`` (``@`` walks into lists). Hot: no response paths are built here."""
    level: list[Any] = [data]
    for segment in path:
        following: list[Any] = []
        for value in level:
            if segment == "@":
                if isinstance(value, list):
                    following.extend(value)
            elif isinstance(value, dict):
                child = value.get(segment)
                if child is not None:
                    following.append(child)
        level = following
    found: list[dict[str, Any]] = []
    _flatten(level, found)
    return found


def _flatten(values: list[Any], into: list[dict[str, Any]]) -> None:
    for value in values:
        if isinstance(value, dict):
            into.append(value)
        elif isinstance(value, list):
            _flatten(value, into)


def _target_paths(data: Any, path: tuple[str, ...]) -> dict[int, list[str | int]]:
    """The response path of every object at ``path``, by identity (for errors, which are rare)."""
    paths: dict[int, list[str | int]] = {}

    def walk(value: Any, depth: int, response_path: list[str | int]) -> None:
        if value is None:
            return
        if depth == len(path):
            if isinstance(value, dict):
                paths[id(value)] = response_path
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    walk(item, depth, [*response_path, index])
            return
        segment = path[depth]
        if segment == "@":
            if isinstance(value, list):
                for index, item in enumerate(value):
                    walk(item, depth + 1, [*response_path, index])
            return
        if isinstance(value, dict):
            walk(value.get(segment), depth + 1, [*response_path, segment])

    walk(data, 0, [])
    return paths


def _representation(obj: dict[str, Any], rep: Rep) -> dict[str, Any] | None:
    """The fields of ``rep`` read from ``obj``, or None when the data lacks one of them (its fetch failed,
    or its entity was missing where it comes from): such an object is not sent, as Apollo does. A null
    value is sent as null."""
    out: dict[str, Any] = {}
    for name, (key, child) in rep.items():
        if key not in obj:
            return None
        value = obj[key]
        if child is not None and value is not None:
            value = _nested(value, child)
            if value is _INCOMPLETE:
                return None
        out[name] = value
    return out


def _nested(value: Any, rep: Rep) -> Any:
    if isinstance(value, list):
        items = [_nested(item, rep) for item in value]
        return _INCOMPLETE if any(item is _INCOMPLETE for item in items) else items
    if isinstance(value, dict):
        nested = _representation(value, rep)
        return _INCOMPLETE if nested is None else nested
    return value


@dataclass
class Outcome:
    """What executing a plan produced: the merged data, the errors, and where failed fetches left holes."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    failed: list[tuple[str | int, ...]] = field(default_factory=list)


class Executor:
    """Executes plans against subgraphs through one :class:`SubgraphClient`."""

    def __init__(self, client: SubgraphClient, *, batch: bool = True) -> None:
        self.client = client
        self.batch = batch
        """Send entity fetches to one subgraph that are ready together as one request (gateway.batching)."""

    async def execute(
        self, plan: QueryPlan, variables: dict[str, Any], headers: dict[str, str] | None = None
    ) -> Outcome:
        outcome = Outcome()
        request_headers = {**_JSON_HEADERS, **(headers or {})}
        batcher = self._batcher(plan, request_headers)
        tasks: dict[int, asyncio.Task[None]] = {}
        for fetch in plan.fetches:
            deps = [tasks[d] for d in fetch.depends_on if d in tasks]
            tasks[fetch.id] = asyncio.ensure_future(
                self._run(fetch, deps, plan.kind, outcome, variables, request_headers, batcher)
            )
        if tasks:
            await asyncio.gather(*tasks.values())
        return outcome

    def _batcher(self, plan: QueryPlan, headers: dict[str, str]) -> EntityBatcher | None:
        """One batcher per execution of a query plan with two or more entity fetches (else none)."""
        if not self.batch or plan.kind != "query":
            return None
        entity_fetches = plan.cache.get("entity_fetches")
        if entity_fetches is None:
            entity_fetches = plan.cache["entity_fetches"] = sum(f.entity for f in plan.fetches)
        if entity_fetches < 2:
            return None

        async def call(
            fetch: Fetch,
            operation: str,
            name: str | None,
            variables: dict[str, Any],
            errors: list[dict[str, Any]],
        ) -> dict[str, Any] | None:
            return await self._post(fetch, operation, name, variables, headers, errors, dedupe=True)

        return EntityBatcher(plan, call)

    async def _run(
        self,
        fetch: Fetch,
        deps: list[asyncio.Task[None]],
        kind: str,
        outcome: Outcome,
        variables: dict[str, Any],
        headers: dict[str, str],
        batcher: EntityBatcher | None,
    ) -> None:
        if deps:
            await asyncio.gather(*deps)
        payload_variables = {name: variables[name] for name in fetch.variables if name in variables}
        if fetch.entity:
            await self._entities(fetch, outcome, payload_variables, headers, batcher)
            return
        result = await self._call(fetch, payload_variables, headers, outcome.errors, dedupe=kind == "query")
        if result is not None:
            for error in result.get("errors") or ():
                outcome.errors.append(_tag(error, fetch, error.get("path")))
        if result is None or not isinstance(result.get("data"), dict):
            outcome.failed.extend((key,) for key in fetch.root_keys)
            return
        if fetch.renames:
            apply_renames(result["data"], fetch.renames)
        merge_into(outcome.data, result["data"])

    async def _entities(
        self,
        fetch: Fetch,
        outcome: Outcome,
        variables: dict[str, Any],
        headers: dict[str, str],
        batcher: EntityBatcher | None = None,
    ) -> None:
        errors = outcome.errors
        unique: dict[bytes, int] = {}
        representations: list[dict[str, Any]] = []
        owners: list[list[dict[str, Any]]] = []
        for obj in _targets(outcome.data, fetch.path):
            typename = obj.get("__typename")
            rep_def = fetch.reps_by_typename.get(typename) if isinstance(typename, str) else None
            if rep_def is None:
                continue
            representation = _representation(obj, rep_def)
            if representation is None:
                continue
            assert isinstance(typename, str)
            representation = {"__typename": fetch.send_typename.get(typename, typename), **representation}
            key = orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
            index = unique.get(key)
            if index is None:
                index = unique[key] = len(representations)
                representations.append(representation)
                owners.append([])
            owners[index].append(obj)
        if not representations:
            return
        payload = {"representations": representations, **variables}
        if batcher is not None:
            result = await batcher.fetch(fetch, payload, errors)
        else:
            result = await self._call(fetch, payload, headers, errors)
        entities = None
        if result is not None and isinstance(result.get("data"), dict):
            entities = result["data"].get("_entities")
        if not isinstance(entities, list):
            paths = _target_paths(outcome.data, fetch.path)
            outcome.failed.extend(tuple(paths[id(obj)]) for owned in owners for obj in owned)
        elif fetch.renames:
            apply_renames(entities, fetch.renames)
        if result is None:
            return
        keep_typename = not fetch.send_typename
        if isinstance(entities, list):
            for index, entity in enumerate(entities[: len(owners)]):
                if not isinstance(entity, dict):
                    continue
                if not keep_typename:
                    entity = {k: v for k, v in entity.items() if k != "__typename"}
                for obj in owners[index]:
                    merge_into(obj, entity)
        error_paths: dict[int, list[str | int]] | None = None
        for error in result.get("errors") or ():
            path = error.get("path")
            owner = path[1] if isinstance(path, list) and len(path) >= 2 and path[0] == "_entities" else None
            if isinstance(owner, int) and 0 <= owner < len(owners):
                error_paths = error_paths or _target_paths(outcome.data, fetch.path)
                for obj in owners[owner]:
                    errors.append(_tag(error, fetch, [*error_paths[id(obj)], *path[2:]]))
                continue
            errors.append(_tag(error, fetch, None))

    async def _call(
        self,
        fetch: Fetch,
        variables: dict[str, Any],
        headers: dict[str, str],
        errors: list[dict[str, Any]],
        dedupe: bool = True,
    ) -> dict[str, Any] | None:
        return await self._post(
            fetch, fetch.operation, fetch.operation_name, variables, headers, errors, dedupe=dedupe
        )

    async def _post(
        self,
        fetch: Fetch,
        operation: str,
        operation_name: str | None,
        variables: dict[str, Any],
        headers: dict[str, str],
        errors: list[dict[str, Any]],
        dedupe: bool = True,
    ) -> dict[str, Any] | None:
        """``operation`` to ``fetch``'s subgraph; its JSON answer, or None with the failure in ``errors``."""
        payload: dict[str, Any] = {"query": operation}
        if operation_name:
            payload["operationName"] = operation_name
        if variables:
            payload["variables"] = variables
        try:
            response = await self.client.post(fetch.url, orjson.dumps(payload), headers, dedupe=dedupe)
        except SubgraphHTTPError as exc:
            errors.append(_fetch_error(fetch, exc.message))
            return None
        try:
            result = orjson.loads(response.body)
        except orjson.JSONDecodeError:
            errors.append(_fetch_error(fetch, f"HTTP {response.status}: the response is not JSON"))
            return None
        if not isinstance(result, dict) or ("data" not in result and "errors" not in result):
            errors.append(_fetch_error(fetch, f"HTTP {response.status}: not a GraphQL response"))
            return None
        if response.status >= 400 and not result.get("errors"):
            errors.append(_fetch_error(fetch, f"HTTP {response.status}"))
        return result


def _fetch_error(fetch: Fetch, message: str) -> dict[str, Any]:
    return {
        "message": f'Error fetching from subgraph "{fetch.service}": {message}',
        "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "serviceName": fetch.service},
    }


def _tag(error: dict[str, Any], fetch: Fetch, path: Any) -> dict[str, Any]:
    extensions = dict(error.get("extensions") or {})
    extensions.setdefault("code", "DOWNSTREAM_SERVICE_ERROR")
    extensions["serviceName"] = fetch.service
    tagged: dict[str, Any] = {"message": str(error.get("message", "Unknown subgraph error"))}
    if isinstance(path, list) and path:
        tagged["path"] = path
    tagged["extensions"] = extensions
    return tagged
