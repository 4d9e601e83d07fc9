"""Entity fetches to one subgraph that become ready together go out as one HTTP request.

In a plan, several entity fetches often wait on the same fetch (``users``'
reviews, then their products' stock *and* their authors' reviews' products'
stock): when it answers they are all ready in the same event-loop turn, and
those bound for one subgraph are sent as one request (what Hive Gateway calls
batching; it is not de-duplication: every fetch still gets its own answer)::

    query Q__inventory__2__batch($r0: [_Any!]!, $r1: [_Any!]!) {
      _b0: _entities(representations: $r0) { ... on Product { inStock } }
      _b1: _entities(representations: $r1) { ... on Product { inStock } }
    }

The answer is split back: ``_b<i>`` is fetch *i*'s ``_entities``; an error
whose path starts at ``_b<i>`` is fetch *i*'s (its path then starts at
``_entities``, as if sent alone); an error with no such path (the whole request
failed, or the subgraph did not say where) goes to every fetch of the batch, as
each would have received it alone. The merged document is built once per set
of fetches and kept in the plan's cache.

:class:`EntityBatcher` lives for one execution of one plan.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from gateway.plan import Fetch, QueryPlan

__all__ = ["Call", "EntityBatcher", "batched_operation"]

Call = Callable[
    [Fetch, str, str | None, dict[str, Any], list[dict[str, Any]]], Awaitable[dict[str, Any] | None]
]
"""``(fetch, operation, operation name, variables, errors) -> the subgraph's JSON answer, or None`` (a
failure already recorded in ``errors``, attributed to ``fetch``)."""


@dataclass(slots=True)
class _Waiting:
    fetch: Fetch
    variables: dict[str, Any]
    errors: list[dict[str, Any]]
    answer: asyncio.Future[dict[str, Any] | None] | None
    """Where a fetch that joined gets its part (None for the one that leads and sends)."""


def batched_operation(fetches: list[Fetch]) -> tuple[str, str | None]:
    """The one document (and its operation name) that asks every fetch's ``_entities`` at once."""
    definitions: dict[str, str] = {}
    fields = []
    for index, fetch in enumerate(fetches):
        for definition in fetch.definitions:
            definitions.setdefault(definition.partition(":")[0].strip(), definition)
        definitions[f"$r{index}"] = f"$r{index}: [_Any!]!"
        fields.append(f"  _b{index}: _entities(representations: $r{index}) {fetch.entity_selection}")
    name = f"{fetches[0].operation_name}__batch" if fetches[0].operation_name else None
    header = "query" + (f" {name}" if name else "") + "(" + ", ".join(definitions.values()) + ")"
    return header + " {\n" + "\n".join(fields) + "\n}", name


def _part(answer: dict[str, Any], index: int) -> dict[str, Any]:
    """Fetch ``index``'s share of a batched answer, shaped as if it had been sent alone."""
    alias = f"_b{index}"
    data = answer.get("data")
    own: dict[str, Any] = {"data": {"_entities": data.get(alias)} if isinstance(data, dict) else data}
    errors = []
    for error in answer.get("errors") or ():
        path = error.get("path") if isinstance(error, dict) else None
        if isinstance(path, list) and path and path[0] == alias:
            errors.append({**error, "path": ["_entities", *path[1:]]})
        elif not (isinstance(path, list) and path and isinstance(path[0], str) and path[0].startswith("_b")):
            errors.append(error)
    if errors:
        own["errors"] = errors
    return own


class EntityBatcher:
    """Collects the entity fetches of one plan execution made in one loop turn, one request per subgraph.

    The first fetch for a subgraph in a turn leads: it yields the rest of the turn, then sends for
    everyone who joined (alone, it simply sends its own request: no extra task or future).
    """

    def __init__(self, plan: QueryPlan, call: Call) -> None:
        self._plan = plan
        self._call = call
        self._waiting: dict[tuple[str, str], list[_Waiting]] = {}

    async def fetch(
        self, fetch: Fetch, variables: dict[str, Any], errors: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """The subgraph's answer to ``fetch`` (alone or batched with others ready in this turn)."""
        key = (fetch.graph, fetch.url)  # one subgraph: its schema answers every selection of the batch
        waiting = self._waiting.get(key)
        if waiting is not None:  # a leader is collecting this turn's fetches for the subgraph
            answer: asyncio.Future[dict[str, Any] | None] = asyncio.get_running_loop().create_future()
            waiting.append(_Waiting(fetch, variables, errors, answer))
            return await answer
        self._waiting[key] = []
        try:
            await asyncio.sleep(0)  # the fetches made ready with this one run first, and join
        finally:
            joined = self._waiting.pop(key)
        if not joined:
            return await self._call(fetch, fetch.operation, fetch.operation_name, variables, errors)
        return await self._lead(_Waiting(fetch, variables, errors, None), joined)

    async def _lead(self, me: _Waiting, joined: list[_Waiting]) -> dict[str, Any] | None:
        try:
            return await self._send_batch([me, *joined])
        except asyncio.CancelledError:
            for waiting in joined:
                if waiting.answer is not None:
                    waiting.answer.cancel()
            raise
        except Exception as exc:  # a bug: each fetch raises it, as it would have alone
            for waiting in joined:
                if waiting.answer is not None and not waiting.answer.done():
                    waiting.answer.set_exception(exc)
            raise

    async def _send_batch(self, batch: list[_Waiting]) -> dict[str, Any] | None:
        """Send ``batch`` as one request; settle the others' answers, return the first's."""
        fetches = [waiting.fetch for waiting in batch]
        key = "batch:" + ",".join(str(fetch.id) for fetch in fetches)
        document = self._plan.cache.get(key)
        if document is None:
            document = self._plan.cache[key] = batched_operation(fetches)
        operation, name = document
        variables: dict[str, Any] = {}
        for index, waiting in enumerate(batch):
            for variable, value in waiting.variables.items():
                if variable == "representations":
                    variables[f"r{index}"] = value
                else:
                    variables.setdefault(variable, value)
        failures: list[dict[str, Any]] = []
        answer = await self._call(fetches[0], operation, name, variables, failures)
        parts = [None if answer is None else _part(answer, index) for index in range(len(batch))]
        for waiting, part in zip(batch, parts, strict=True):
            waiting.errors.extend(failures)  # a failed request is every fetch's failure
            if waiting.answer is not None and not waiting.answer.done():  # it may have been cancelled
                waiting.answer.set_result(part)
        return parts[0]
