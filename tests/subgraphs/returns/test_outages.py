"""authorizeReturn when systems fail: the key is released, and an ERP outage does not fail the return."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from starlette.applications import Starlette

from resolvers.domain import ReturnDraft, ReturnDraftLine
from sandbox.world import Order, World
from subgraphs.common.outbox import OutboxPolicy
from subgraphs.common.settings import SubgraphSettings
from subgraphs.common.systems import Systems
from subgraphs.returns import create_app
from subgraphs.returns.postings import ERP_RETURN_POSTINGS, decode_draft, posting_worker, queue_erp_return
from tests._servers import serving
from tests.subgraphs.conftest import GraphQLClient, Sandboxes
from tests.subgraphs.returns._gql import AUTHORIZE, RETURN, authorize_vars
from tests.subgraphs.returns._world import oms_returns, pick
from tests.subgraphs.returns.conftest import settings_for

QUICK = OutboxPolicy(attempts=8, block_s=0.0, backoff_base_s=0.0)
"""The outbox worker without waits: each run_once is one round."""
NOW = datetime.now(UTC)


@contextlib.asynccontextmanager
async def _served(settings: SubgraphSettings) -> AsyncIterator[tuple[GraphQLClient, Systems]]:
    app: Starlette = create_app(settings)
    async with serving(app) as url, GraphQLClient(base_url=url, timeout=60) as client:
        yield client, app.state.systems


def _recovered(sandboxes: Sandboxes, systems: Systems, system: str) -> None:
    """End ``system``'s outage and close its breaker (as its open window passing would)."""
    sandboxes.apps[system].state.runtime.knobs.outage = False
    breaker = systems.kit.breakers.get(system)
    if breaker is not None:
        breaker.reset()


def _erp_returns(sandboxes: Sandboxes, rma: str) -> int:
    state = sandboxes.apps["erp"].state.system.state
    return sum(1 for ret in state.returns.values() if ret.purchase_order == rma)


async def test_an_oms_outage_fails_the_request_with_its_code_and_releases_the_key(
    online_order: Order, sandboxes: Sandboxes
) -> None:
    variables = authorize_vars(online_order.number, [(1, 1, "DAMAGED")], "retry-me")
    async with _served(settings_for(sandboxes, online_order)) as (client, systems):
        sandboxes.apps["oms"].state.runtime.knobs.outage = True
        failed = await client.gql(AUTHORIZE, variables)
        _recovered(sandboxes, systems, "oms")
        retried = await client.gql(AUTHORIZE, variables)
    assert failed["data"] is None
    assert failed["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert "Traceback" not in str(failed)
    payload = retried["data"]["authorizeReturn"]
    assert payload["userErrors"] == []
    assert payload["replayed"] is False
    assert oms_returns(sandboxes, online_order.number) == [payload["return"]["id"]]


async def test_an_erp_outage_queues_the_erp_posting_and_answers_the_return(
    online_order: Order, sandboxes: Sandboxes
) -> None:
    variables = authorize_vars(online_order.number, [(1, 1, "DEFECTIVE")], "erp-down")
    async with _served(settings_for(sandboxes, online_order)) as (client, systems):
        sandboxes.apps["erp"].state.runtime.knobs.outage = True
        body = await client.gql(AUTHORIZE, variables)
        payload = body["data"]["authorizeReturn"]
        rma = payload["return"]["id"]
        assert payload["userErrors"] == []
        assert {ref["system"] for ref in payload["return"]["externalRefs"]} == {"OMS", "SHOPIFY"}
        assert _erp_returns(sandboxes, rma) == 0

        _recovered(sandboxes, systems, "erp")
        worker = posting_worker(systems, QUICK)
        assert await worker.run_once() == 1
        assert await worker.run_once() == 0  # delivered once, acknowledged
        assert _erp_returns(sandboxes, rma) == 1
        read = (await client.gql(RETURN, {"id": rma}))["data"]["returnAuthorization"]
    assert read["id"] == rma


async def test_a_posting_the_erp_keeps_refusing_is_dead_lettered_after_its_attempts(
    online_order: Order, sandboxes: Sandboxes
) -> None:
    draft = ReturnDraft(
        "RMA-999999-01", "R999999", (ReturnDraftLine(1, "SKU", 1, "OTHER"),), "ORIGINAL_PAYMENT", NOW, "k"
    )
    async with _served(settings_for(sandboxes, online_order)) as (_, systems):
        await queue_erp_return(systems, draft)
        worker = posting_worker(systems, dataclasses.replace(QUICK, attempts=2))
        finished = [await worker.run_once() for _ in range(3)]
        dead = await systems.storage.stream.dead_letters(ERP_RETURN_POSTINGS)
    assert finished == [0, 1, 0]
    assert [decode_draft(letter.payload).rma_number for letter in dead] == ["RMA-999999-01"]
    assert "UpstreamNotFound" in dead[0].reason


async def test_a_store_sale_not_yet_in_the_erp_is_answered_as_drafted_and_queued(
    world: World, sandboxes: Sandboxes
) -> None:
    order = pick(world, lambda o: o.channel == "STORE" and o.status == "FULFILLED" and not o.erp_posted)
    variables = authorize_vars(order.number, [(1, 1, "SIZE_OR_FIT")], "till")
    async with _served(settings_for(sandboxes, order)) as (client, systems):
        body = await client.gql(AUTHORIZE, variables)
        assert "errors" not in body, body["errors"]
        payload = body["data"]["authorizeReturn"]
        queued = await systems.storage.stream.read(ERP_RETURN_POSTINGS, "inspect", "test")
    assert payload["userErrors"] == []
    assert payload["return"]["status"] == "REQUESTED"
    assert payload["return"]["externalRefs"] == []
    assert payload["return"]["lines"][0]["variant"]["sku"] == order.lines[0].sku
    assert [decode_draft(entry.payload).rma_number for entry in queued] == [payload["return"]["id"]]
