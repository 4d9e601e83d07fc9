"""Fixtures of the returns tests: seeded orders to return, and settings whose window admits them.

The seeded orders lie weeks before today, so each test opens the return
window (``orders.return_window_days``) just wide enough for the orders it uses.
"""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.world import Order, World
from subgraphs.common.settings import OrderRules, SubgraphSettings
from tests.subgraphs.conftest import Sandboxes
from tests.subgraphs.returns._world import days_since_fulfilment, pick


def _fresh(order: Order) -> bool:
    return (
        order.status == "FULFILLED"
        and not order.returns
        and order.erp_posted
        and len(order.lines) >= 2
        and all(line.quantity_fulfilled >= 1 for line in order.lines)
    )


@pytest.fixture
def online_order(world: World) -> Order:
    """A delivered online order (OMS, Shopify, ERP) with two lines or more and no return yet."""
    return pick(world, lambda o: o.channel == "ONLINE" and _fresh(o))


@pytest.fixture
def call_center_order(world: World) -> Order:
    """A fulfilled call-centre order (OMS and ERP, not Shopify) with no return yet."""
    return pick(world, lambda o: o.channel == "CALL_CENTER" and _fresh(o))


@pytest.fixture
def returned_order(world: World) -> Order:
    """An online order whose line 1 is wholly on a live seeded return."""
    return pick(
        world,
        lambda o: (
            o.channel == "ONLINE"
            and o.status == "FULFILLED"
            and any(
                r.status not in ("DECLINED", "CANCELLED") and any(rl.line_no == 1 for rl in r.lines)
                for r in o.returns
            )
            and o.lines[0].quantity_returned == o.lines[0].quantity_fulfilled
        ),
    )


def settings_for(sandboxes: Sandboxes, *orders: Order, **rules: Any) -> SubgraphSettings:
    """The sandboxes' settings, the return window open for ``orders`` (unless ``rules`` set it)."""
    window = max(days_since_fulfilment(order) for order in orders) + 5
    sandboxes.overrides["orders"] = OrderRules(**{"return_window_days": window, **rules})
    sandboxes.overrides["run_outbox_worker"] = False
    return sandboxes.settings
