"""Whether a submitted order's customer exists: the first system that knows them settles it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import pytest

from resolvers.domain import CustomerRecord
from resolvers.errors import UpstreamUnavailable
from subgraphs.common.systems import Systems
from subgraphs.orders.submit import _customer_known


@dataclass
class Source:
    knows: bool = False
    delay: float = 0.0
    error: Exception | None = None
    finished: bool = False

    async def customers_by_ids(self, customer_ids: Sequence[str]) -> list[CustomerRecord | None]:
        await asyncio.sleep(self.delay)
        self.finished = True
        if self.error is not None:
            raise self.error
        record = CustomerRecord(system="POS", system_id="1", customer_id=customer_ids[0], email=None)
        return [record if self.knows else None]


def systems(shopify: Source, pos: Source, erp: Source) -> Systems:
    return cast(Systems, type("S", (), {"shopify": shopify, "pos": pos, "erp": erp})())


def down(system: str) -> UpstreamUnavailable:
    return UpstreamUnavailable("503", system=system, operation="customers_by_id")


async def test_the_first_system_that_knows_the_customer_settles_it_without_waiting_for_a_slow_one() -> None:
    shopify = Source(knows=True, delay=5.0)  # scanning its customers for an id it has not learned
    known = await _customer_known(systems(shopify, Source(knows=True), Source()), "C1")
    assert known is True
    assert not shopify.finished


async def test_a_customer_nobody_knows_is_unknown_once_every_system_answered() -> None:
    assert await _customer_known(systems(Source(delay=0.01), Source(), Source()), "C1") is False


async def test_failures_are_raised_in_precedence_order_when_nobody_knows_the_customer() -> None:
    shopify, pos = Source(error=down("shopify"), delay=0.02), Source(error=down("pos"))
    with pytest.raises(UpstreamUnavailable) as raised:
        await _customer_known(systems(shopify, pos, Source()), "C1")
    assert raised.value.system == "shopify"


async def test_a_failure_does_not_matter_when_another_system_knows_the_customer() -> None:
    assert await _customer_known(systems(Source(error=down("shopify")), Source(), Source(knows=True)), "C1")


async def test_no_customer_named_is_none_and_an_id_that_names_nothing_is_unknown() -> None:
    quiet: Any = systems(Source(), Source(), Source())
    assert await _customer_known(quiet, None) is None
    assert await _customer_known(quiet, "") is False
