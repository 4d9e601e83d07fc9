"""The ERP posting outbox over the real sandboxes: outages, dead letters and replays."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from starlette.applications import Starlette

from resolvers.domain import Money, OrderDraft, OrderDraftLine
from resolvers.erp import ErpSettings
from resolvers.policy import BreakerPolicy
from sandbox.world import World
from subgraphs.common.outbox import OutboxPolicy, replay_dead_letters
from subgraphs.common.systems import Systems
from subgraphs.domain.enums import PostingStatus
from subgraphs.orders import create_app
from subgraphs.orders.posting import (
    ERP_GROUP,
    ERP_POSTINGS,
    erp_worker,
    posting_key,
    posting_states,
    queue_posting,
)
from tests._servers import serving
from tests.subgraphs.conftest import GraphQLClient, Sandboxes
from tests.subgraphs.orders._helpers import Books, eventually, ship_input, shippable_skus, submit

FAST = OutboxPolicy(attempts=3, block_s=0.1, backoff_base_s=0.1, backoff_max_s=0.5, takeover_s=30.0)
POSTING = "query($id: ID!) { order(id: $id) { erpPosting timeline { system type message } } }"


@dataclasses.dataclass
class Served:
    client: GraphQLClient
    app: Starlette

    @property
    def systems(self) -> Systems:
        systems: Systems = self.app.state.systems
        return systems


@pytest.fixture
def quick_breaker(sandboxes: Sandboxes) -> None:
    """The ERP breaker reopens for probes after a second (the default waits 30)."""
    policy = ErpSettings.default_policy().model_copy(update={"breaker": BreakerPolicy(open_seconds=1.0)})
    sandboxes.overrides["policies"] = {"erp": policy}


async def _serve(sandboxes: Sandboxes, *, worker: bool) -> AsyncIterator[Served]:
    settings = sandboxes.settings.model_copy(update={"run_outbox_worker": worker})
    app = create_app(settings, outbox=FAST)
    async with serving(app) as url, GraphQLClient(base_url=url, timeout=60) as client:
        yield Served(client, app)


@pytest.fixture
async def served(sandboxes: Sandboxes, quick_breaker: None) -> AsyncIterator[Served]:
    async for found in _serve(sandboxes, worker=True):
        yield found


@pytest.fixture
async def without_worker(sandboxes: Sandboxes) -> AsyncIterator[Served]:
    async for found in _serve(sandboxes, worker=False):
        yield found


async def _posting(client: GraphQLClient, number: str) -> dict[str, Any]:
    body = await client.gql(POSTING, {"id": number})
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["order"]
    return found


@pytest.mark.slow
async def test_orders_accepted_while_the_erp_is_down_are_each_posted_once_when_it_is_back(
    served: Served, sandboxes: Sandboxes, world: World, books: Books
) -> None:
    erp = sandboxes.apps["erp"].state.runtime.knobs
    erp.outage = True
    skus = itertools.cycle(shippable_skus(world, at_least=15, count=10))
    before = books.erp_orders()
    numbers: list[str] = []
    for batch in range(5):
        payloads = await asyncio.gather(
            *(
                submit(served.client, ship_input([next(skus)], channel="CALL_CENTER"), f"down-{batch}-{i}")
                for i in range(20)
            )
        )
        assert all(p["userErrors"] == [] for p in payloads)
        numbers += [p["order"]["number"] for p in payloads]
    assert len(set(numbers)) == 100
    assert (await _posting(served.client, numbers[0]))["erpPosting"] == "PENDING"
    assert books.erp_orders() == before
    erp.outage = False

    async def all_posted() -> bool:
        return all(books.erp_orders(number) >= 1 for number in numbers)

    await eventually(all_posted, within=90)
    await asyncio.sleep(1.0)  # a duplicate posting, if any were under way, would land meanwhile
    assert [books.erp_orders(number) for number in numbers] == [1] * 100
    assert books.erp_orders() == before + 100
    assert await served.systems.storage.stream.dead_letters(ERP_POSTINGS) == []
    assert (await _posting(served.client, numbers[-1]))["erpPosting"] == "POSTED"


async def test_a_dead_lettered_posting_shows_failed_and_posts_once_replayed(
    without_worker: Served, world: World, books: Books
) -> None:
    client, systems = without_worker.client, without_worker.systems
    payload = await submit(client, ship_input(shippable_skus(world, at_least=3, count=1)), "parked-1")
    number = payload["order"]["number"]
    [entry] = await systems.storage.stream.read(ERP_POSTINGS, ERP_GROUP, "operator", 10)
    await systems.storage.stream.dead_letter(ERP_POSTINGS, ERP_GROUP, entry.id, "ERP refused it")
    failed = await _posting(client, number)
    assert failed["erpPosting"] == "FAILED"
    assert {"system": "GATEWAY", "type": "ERP_POSTING_FAILED", "message": "ERP refused it"} in failed[
        "timeline"
    ]

    assert len(await replay_dead_letters(systems.storage.stream, ERP_POSTINGS, posting_key, [number])) == 1
    assert (await _posting(client, number))["erpPosting"] == "PENDING"
    worker = erp_worker(systems, FAST)
    assert await worker.run_once() == 1
    assert (await _posting(client, number))["erpPosting"] == "POSTED"
    assert books.erp_orders(number) == 1


async def test_a_posting_the_erp_refuses_is_dead_lettered_after_its_tries(
    without_worker: Served, books: Books
) -> None:
    systems = without_worker.systems
    line = OrderDraftLine(1, "NO-SUCH-MATERIAL", 1, Money(Decimal("9.99"), "USD"), "WH01")
    draft = OrderDraft(
        number="R299999999",
        channel="CALL_CENTER",
        placed_at=datetime.now(UTC),
        lines=(line,),
        currency="USD",
        payment_reference="auth-x",
        fulfilment_type="SHIP",
        idempotency_key="k-refused",
    )
    await queue_posting(systems, draft)
    worker = erp_worker(systems, FAST)

    async def dead() -> bool:
        await worker.run_once()
        return bool(await systems.storage.stream.dead_letters(ERP_POSTINGS))

    await eventually(dead, within=30, every=0.05)
    [state] = await posting_states(systems, [draft.number])
    assert state is not None
    assert state.status is PostingStatus.FAILED
    assert state.detail is not None
    assert "Upstream" in state.detail
    assert books.erp_orders(draft.number) == 0
