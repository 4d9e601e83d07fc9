"""Returns over Shopify: an order's returns, returns by our RMA number, and ``returnCreate``.

Shopify names a return itself (``R100017-R1``), so our RMA number (and our
return reason) travel in each return line's ``returnReasonNote``
(:func:`~resolvers.shopify.mapping_orders.return_note`), and our RMA numbers
embed their order's number (``RMA-100017-02`` belongs to ``R100017``,
``ShopifySettings.rma_pattern``):

- ``returns_for_orders``: first which of the orders have a return at all
  (``returns(first: 1)``, 4 points an order, cached per order as
  ``returns_presence``), then for those alone ``orders(query: "name:...")
  { returns { ... } }`` with the order's lines (for line numbers), cached per
  order (``returns_for_order``), 4 orders per request at the default sizes
  (~250 points an order: most orders have no return and cost only the 4);
- ``returns_by_rma``: the returns of each RMA's order, matched by the RMA in
  the notes; an RMA that does not name an order, or is in no note, is None;
- ``create_return``: reads the order fresh (``return_context``, never cached:
  what is still returnable), answers the existing return when one already
  carries this RMA (a retried draft never creates a second), else spreads each
  line's quantity over its successful fulfillment lines' returnable units and
  sends ``returnCreate`` with ``@idempotent(key: draft.idempotency_key)``
  through ``kit.write(idempotent=True)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from resolvers.domain import ReturnDraft, ReturnRecord, System
from resolvers.errors import UpstreamBadResponse, UpstreamNotFound, UpstreamRejected
from resolvers.kit.call import ConnectorKit
from resolvers.kit.upstream import UpstreamHttp
from resolvers.shopify.batches import read_batches
from resolvers.shopify.cost import largest_batch, requested_cost
from resolvers.shopify.documents import CREATE_RETURN, RETURN_PRESENCE, RETURNS_BY_ORDER
from resolvers.shopify.exchange import ShopifyGraphQL, parse
from resolvers.shopify.mapping_orders import (
    HELD_RETURN_STATUSES,
    SHOPIFY_REASONS,
    iso,
    return_note,
    to_return,
)
from resolvers.shopify.search import any_of
from resolvers.shopify.settings import SYSTEM, ShopifySettings
from resolvers.shopify.wire_orders import OrderReturnsNode, ReturnNode

__all__ = ["ShopifyReturns"]

_MAX_PAGE = 250


class ShopifyReturns:
    """:class:`~resolvers.ports.ReturnSource` and :class:`~resolvers.ports.ReturnSink` (module docstring)."""

    system: System = "SHOPIFY"

    def __init__(self, kit: ConnectorKit, graphql: ShopifyGraphQL, settings: ShopifySettings) -> None:
        self._kit = kit
        self._graphql = graphql
        self._settings = settings
        self._sizes = {
            "lines": settings.order_lines,
            "fulfillments": settings.order_fulfillments,
            "returns": settings.order_returns,
        }
        self.most = largest_batch(
            lambda n: requested_cost(RETURNS_BY_ORDER, {"n": n, **self._sizes}),
            settings.max_query_cost,
            _MAX_PAGE,
        )
        self._presence_most = largest_batch(
            lambda n: requested_cost(RETURN_PRESENCE, {"n": n}), settings.max_query_cost, _MAX_PAGE
        )

    def _variables(self, numbers: list[str], operation: str) -> dict[str, Any]:
        return {"q": any_of("name", numbers, operation=operation), "n": max(1, len(numbers)), **self._sizes}

    async def _query(self, http: UpstreamHttp, numbers: list[str], operation: str) -> dict[str, Any]:
        data = await self._graphql.query(http, RETURNS_BY_ORDER, self._variables(numbers, operation))
        orders = data.get("orders")
        nodes = orders.get("nodes") if isinstance(orders, dict) else None
        wanted = set(numbers)
        out: dict[str, Any] = {}
        for raw in nodes or []:
            node = parse(OrderReturnsNode, raw, operation=operation)
            if node.name in wanted:
                out[node.name] = raw
        return out

    async def _with_returns(self, order_numbers: Sequence[str]) -> list[str]:
        """Those of ``order_numbers`` Shopify holds with at least one return (cached per order)."""

        async def fetch(http: UpstreamHttp, missing: list[str]) -> dict[str, bool]:
            variables = {"q": any_of("name", missing, operation="returns_presence"), "n": len(missing)}
            orders = (await self._graphql.query(http, RETURN_PRESENCE, variables)).get("orders")
            wanted = set(missing)
            return {
                node["name"]: bool((node.get("returns") or {}).get("nodes"))
                for node in (orders.get("nodes") if isinstance(orders, dict) else None) or []
                if isinstance(node, dict) and node.get("name") in wanted
            }

        batch = await read_batches(
            self._kit,
            "returns_presence",
            order_numbers,
            most=self._presence_most,
            fetch=fetch,
            cost=lambda n: requested_cost(RETURN_PRESENCE, {"n": n}),
        )
        return [number for number in dict.fromkeys(order_numbers) if batch.values.get(number)]

    async def returns_for_orders(self, order_numbers: Sequence[str]) -> list[list[ReturnRecord]]:
        async def fetch(http: UpstreamHttp, missing: list[str]) -> dict[str, Any]:
            return await self._query(http, missing, "returns_for_order")

        batch = await read_batches(
            self._kit,
            "returns_for_order",
            await self._with_returns(order_numbers),
            most=self.most,
            fetch=fetch,
            cost=lambda n: requested_cost(RETURNS_BY_ORDER, {"n": n, **self._sizes}),
            refunded=True,
        )
        found = {
            number: _returns(parse(OrderReturnsNode, raw, operation="returns_for_order"))
            for number, raw in batch.values.items()
        }
        return [found.get(number, []) for number in order_numbers]

    async def returns_by_rma(self, rma_numbers: Sequence[str]) -> list[ReturnRecord | None]:
        orders = {rma: self._settings.order_number_of_rma(rma) for rma in rma_numbers}
        numbers = list(dict.fromkeys(n for n in orders.values() if n is not None))
        by_rma: dict[str, ReturnRecord] = {}
        for records in await self.returns_for_orders(numbers):
            for record in records:
                if record.rma_number is not None:
                    by_rma.setdefault(record.rma_number, record)
        return [by_rma.get(rma) for rma in rma_numbers]

    async def create_return(self, draft: ReturnDraft) -> ReturnRecord:
        order = await self._context(draft.order_number)
        existing = next((r for r in _returns(order) if r.rma_number == draft.rma_number), None)
        if existing is not None:
            return existing
        variables = {
            "input": _return_input(order, draft),
            "key": draft.idempotency_key,
            "lines": self._sizes["lines"],
        }

        async def send(http: UpstreamHttp) -> Any:
            payload = await self._graphql.mutate(http, CREATE_RETURN, variables, field="returnCreate")
            created = payload.get("return")
            if not isinstance(created, dict):
                raise UpstreamBadResponse(
                    "returnCreate answered no return", system=SYSTEM, operation="create_return"
                )
            parse(ReturnNode, created, operation="create_return")
            return created

        result = await self._kit.write(
            SYSTEM, "create_return", send, idempotent=True, cost=requested_cost(CREATE_RETURN, variables)
        )
        cache = self._kit.cache
        if cache is not None:
            await cache.invalidate_keys(
                [
                    self._kit.cache_key(SYSTEM, operation, draft.order_number)
                    for operation in ("returns_for_order", "returns_presence")
                ]
            )
        return to_return(
            parse(ReturnNode, result.value, operation="create_return"), order.name, _lines(order)
        )

    async def _context(self, number: str) -> OrderReturnsNode:
        variables = self._variables([number], "return_context")

        async def fetch(http: UpstreamHttp) -> Any:
            return (await self._query(http, [number], "return_context")).get(number)

        result = await self._kit.read(
            SYSTEM, "return_context", fetch, cost=requested_cost(RETURNS_BY_ORDER, variables)
        )
        if result.value is None:
            raise UpstreamNotFound(
                f"order {number} is not in Shopify",
                system=SYSTEM,
                operation="create_return",
                upstream_code="NOT_FOUND",
            )
        return parse(OrderReturnsNode, result.value, operation="return_context")


def _lines(order: OrderReturnsNode) -> dict[str, tuple[int, str | None]]:
    return {line.id: (no, line.sku) for no, line in enumerate(order.lineItems.nodes, start=1)}


def _returns(order: OrderReturnsNode) -> list[ReturnRecord]:
    lines = _lines(order)
    return [to_return(node, order.name, lines) for node in order.returns.nodes]


def _return_input(order: OrderReturnsNode, draft: ReturnDraft) -> dict[str, Any]:
    """``ReturnInput``: each draft line over the returnable units of its successful fulfillment lines."""
    held: dict[str, int] = {}
    for ret in order.returns.nodes:
        if ret.status in HELD_RETURN_STATUSES:
            for item in ret.returnLineItems.nodes:
                if item.fulfillmentLineItem is not None:
                    key = item.fulfillmentLineItem.id
                    held[key] = held.get(key, 0) + item.quantity
    line_ids = [line.id for line in order.lineItems.nodes]
    items: list[dict[str, Any]] = []
    for line in sorted(draft.lines, key=lambda line: line.line_no):
        if not 1 <= line.line_no <= len(line_ids):
            raise _refused(f"order {order.name} has no line {line.line_no}", "NOT_FOUND")
        candidates = [
            (fl.id, (fl.quantity or 0) - held.get(fl.id, 0))
            for f in order.fulfillments
            if f.status == "SUCCESS"
            for fl in f.fulfillmentLineItems.nodes
            if fl.lineItem.id == line_ids[line.line_no - 1]
        ]
        if not candidates:
            raise _refused(
                f"line {line.line_no} of {order.name} has no fulfilled units to return", "NOT_FULFILLED"
            )
        reason = SHOPIFY_REASONS.get(line.reason, "OTHER")
        note = return_note(draft.rma_number, line.reason)
        left = line.quantity
        for index, (fl_id, returnable) in enumerate(candidates):
            last = index == len(candidates) - 1
            take = left if last else min(left, max(returnable, 0))
            if take > 0:
                items.append(
                    {
                        "fulfillmentLineItemId": fl_id,
                        "quantity": take,
                        "returnReason": reason,
                        "returnReasonNote": note,
                    }
                )
                left -= take
            if left <= 0:
                break
    return {"orderId": order.id, "returnLineItems": items, "requestedAt": iso(draft.created_at)}


def _refused(message: str, code: str) -> UpstreamRejected:
    return UpstreamRejected(message, system=SYSTEM, operation="create_return", upstream_code=code)
