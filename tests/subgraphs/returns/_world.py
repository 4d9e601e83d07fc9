"""Picking seeded orders for the returns tests, and reading what the sandboxes hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sandbox.world import Order, World
from tests.subgraphs.conftest import Sandboxes

__all__ = ["days_since_fulfilment", "oms_returns", "pick", "returnable", "shopify_returns"]

_LEFT = {"SHIPPED", "DELIVERED", "PICKED_UP"}


def fulfilled_at(order: Order) -> datetime:
    """When the goods last left, as the subgraph counts the return window (else the placement)."""
    moments = [s.updated_at for s in order.shipments if s.status in _LEFT]
    return max(moments) if moments else order.placed_at


def days_since_fulfilment(order: Order) -> int:
    return (datetime.now(UTC) - fulfilled_at(order)).days


def returnable(order: Order, line_no: int) -> int:
    line = next(line for line in order.lines if line.line_no == line_no)
    held = sum(
        rl.quantity
        for r in order.returns
        if r.status not in ("DECLINED", "CANCELLED")
        for rl in r.lines
        if rl.line_no == line_no
    )
    return line.quantity_fulfilled - max(held, line.quantity_returned)


def pick(world: World, where: Callable[[Order], bool], skip: int = 0) -> Order:
    """The ``skip``-th seeded order matching ``where``."""
    found = [order for order in world.orders if where(order)]
    return found[skip]


def oms_returns(sandboxes: Sandboxes, number: str) -> list[str]:
    """The RMA numbers (externalId, else the OMS's name) the OMS sandbox holds for order ``number``."""
    state = sandboxes.apps["oms"].state.system.state
    order_id = state.orders.find_id(number)
    return sorted(r.external_id or r.return_name for r in state.returns.search(order_id, None, None))


def shopify_returns(sandboxes: Sandboxes, number: str) -> int:
    """How many returns the Shopify sandbox holds for order ``number``."""
    order = sandboxes.apps["shopify"].state.system.state.orders_by_name[number.lower()]
    return len(order.returns)
