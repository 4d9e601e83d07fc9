"""The ERP connector's writes against the sandbox ERP: sales orders, returns, CSRF, landed checks, ETags."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resolvers.domain import ReturnDraft, ReturnDraftLine
from resolvers.erp import ErpSettings
from resolvers.erp.mapping import parse_status
from resolvers.errors import UpstreamConflict, UpstreamNotFound, UpstreamRejected
from resolvers.policy import OperationPolicy, RetryPolicy
from sandbox.world import Order, World
from tests.resolvers.connectors.conftest import LiveKitFactory
from tests.resolvers.connectors.test_erp_support import SO_ROOT, TOKEN_FETCH, order_draft, running_erp

CREATE = f"POST {SO_ROOT}/A_SalesOrder"


class LateAnswers:
    """Holds back the answer to ``method path`` for ``delay`` s *after* the app has handled the request:
    the write is done, but the client gives up waiting first (a reply lost to a timeout)."""

    def __init__(self, app: ASGIApp, method: str, path: str, delay: float) -> None:
        self.app, self.method, self.path, self.delay = app, method, path, delay
        self.held = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != self.method or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return

        async def late(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.held += 1
                await asyncio.sleep(self.delay)
            await send(message)

        await self.app(scope, receive, late)


async def test_a_new_order_is_posted_with_its_business_key_and_read_back(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    customer = next(c for c in world.customers if c.erp_business_partner)
    draft = order_draft(world, "R900001", customer_id=customer.id)
    async with running_erp(world, make_live_kit) as erp:
        record = await erp.connector.create_order(draft)
        [stored] = erp.sales_orders("R900001")
        [again] = await erp.connector.orders_by_numbers(["R900001"])
    assert (record.system, record.number, record.system_id) == ("ERP", "R900001", stored.sales_order)
    assert parse_status(record.status) == {
        "OverallSDProcessStatus": "A",
        "OverallDeliveryStatus": "A",
        "OverallSDDocumentRejectionSts": "A",
        "DeliveryBlockReason": "",
    }
    assert stored.sold_to == customer.erp_business_partner
    assert stored.distribution_channel == "10"
    assert stored.external_document_id == "key-R900001"
    assert [(i.item, i.material, i.quantity, i.plant) for i in stored.items] == [
        (str(10 * ln.line_no), ln.sku, Decimal(ln.quantity), "1001") for ln in draft.lines
    ]
    assert [(ln.line_no, ln.sku, ln.quantity, ln.unit_price, ln.location_id) for ln in record.lines] == [
        (ln.line_no, ln.sku, ln.quantity, ln.unit_price, ln.location_id) for ln in draft.lines
    ]
    assert record.customer_id == customer.id
    assert record.channel == "ONLINE"
    assert record.placed_at == datetime(2026, 11, 2, tzinfo=UTC)
    assert again is not None
    assert again.system_id == record.system_id


async def test_a_guest_order_goes_to_the_one_time_customer(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    async with running_erp(world, make_live_kit) as erp:
        await erp.connector.create_order(order_draft(world, "R900002", customer_id="C999999"))
        [stored] = erp.sales_orders("R900002")
    assert stored.sold_to == "ONETIME"


async def test_creating_the_same_draft_twice_returns_the_first_order(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    draft = order_draft(world, "R900003")
    async with running_erp(world, make_live_kit) as erp:
        first = await erp.connector.create_order(draft)
        second = await erp.connector.create_order(draft)
        assert erp.route(CREATE) == 1
        assert len(erp.sales_orders("R900003")) == 1
    assert second == first


async def test_a_write_that_timed_out_but_landed_is_found_and_not_sent_again(
    world: World, make_live_kit: LiveKitFactory, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    policy = ErpSettings.default_policy().model_copy(
        update={
            "operations": {
                "create_order": OperationPolicy(timeout=0.2),
                "order_lookup": OperationPolicy(timeout=5),
            }
        }
    )
    gates: list[LateAnswers] = []

    def wrap(app: ASGIApp) -> ASGIApp:
        gates.append(LateAnswers(app, "POST", f"{SO_ROOT}/A_SalesOrder", delay=0.5))
        return gates[0]

    async with running_erp(world, make_live_kit, policy=policy, wrap=wrap) as erp:
        record = await erp.connector.create_order(order_draft(world, "R900004"))
        assert gates[0].held == 1
        assert erp.route(CREATE) == 1
        [stored] = erp.sales_orders("R900004")
    assert record.system_id == stored.sales_order
    client = [s for s in spans[1].get_finished_spans() if s.kind is SpanKind.CLIENT]
    create = [dict(s.attributes or {}) for s in client if s.name == "erp create_order"]
    assert [
        (a["http.request.method"], a.get("error.type"), a.get("retail.landed_check")) for a in create
    ] == [
        ("POST", "UPSTREAM_TIMEOUT", None),
        ("GET", None, True),
    ]


async def test_a_write_still_in_flight_when_the_client_gave_up_is_found_by_the_settled_landed_check(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    """``latency_ms`` delays the sandbox's work after it took the request in: the client times out at
    0.3 s, the POST still creates the order at 0.6 s. The landed check waits for writes to settle
    (``landed_check_delay``), finds the order and sends nothing again: one sales order."""
    policy = ErpSettings.default_policy().model_copy(
        update={
            "retry": RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.01),
            "operations": {
                "create_order": OperationPolicy(
                    timeout=0.3,
                    retry=RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.01, landed_check_delay=0.6),
                )
            },
        }
    )
    async with running_erp(world, make_live_kit, policy=policy) as erp:

        async def slow_first_post() -> None:
            erp.system.set_knobs(latency_ms=600)
            while erp.route(CREATE) < 1:  # noqa: ASYNC110 - the sandbox's counter has no event to wait on
                await asyncio.sleep(0.005)
            erp.system.set_knobs(latency_ms=0)  # the first POST already sleeps; later requests do not

        draft = order_draft(world, "R900005")
        slowing = asyncio.create_task(slow_first_post())
        record = await erp.connector.create_order(draft)
        await slowing
        assert erp.route(CREATE) == 1
        [stored] = erp.sales_orders("R900005")
    assert record.system_id == stored.sales_order


async def test_the_csrf_token_is_fetched_once_and_again_after_the_erp_drops_it(
    world: World, make_live_kit: LiveKitFactory, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    async with running_erp(world, make_live_kit) as erp:
        for n in range(3):
            await erp.connector.create_order(order_draft(world, f"R90010{n}"))
        assert (erp.route(TOKEN_FETCH), erp.route(CREATE)) == (1, 3)
        erp.sandbox.csrf.reset()  # the server forgets every session (a restart, a logoff)
        await erp.connector.create_order(order_draft(world, "R900110"))
        assert (erp.route(TOKEN_FETCH), erp.route(CREATE)) == (2, 5)
        assert erp.system.runtime.stats.by_status[403] == 1
        await erp.connector.create_order(order_draft(world, "R900111"))
        assert (erp.route(TOKEN_FETCH), erp.route(CREATE)) == (2, 6)
        assert all(len(erp.sales_orders(number)) == 1 for number in ("R900100", "R900110", "R900111"))
        requests = erp.system.calls()
    client = [s for s in spans[1].get_finished_spans() if s.kind is SpanKind.CLIENT]
    assert len(client) == requests  # look-ups, token fetches, POSTs (the refused one too): one span each
    fetches = [s for s in client if s.name == "erp csrf_token"]
    assert len(fetches) == 2
    assert all(dict(s.attributes or {})["http.response.status_code"] == 200 for s in fetches)


async def test_an_expired_token_is_renewed_within_the_same_session(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    async with running_erp(world, make_live_kit, knobs={"csrf_token_ttl_s": 0.3}) as erp:
        await erp.connector.create_order(order_draft(world, "R900201"))
        await asyncio.sleep(0.35)
        await erp.connector.create_order(order_draft(world, "R900202"))
        assert (erp.route(TOKEN_FETCH), erp.route(CREATE)) == (2, 3)
        assert len(erp.sandbox.csrf._sessions) == 1  # the renewal kept the session cookie
        assert len(erp.sales_orders("R900202")) == 1


async def test_an_order_sd_refuses_is_rejected_with_the_sd_message(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    draft = order_draft(world, "R900301")
    bad = replace(draft, lines=(replace(draft.lines[0], sku="NOPE-1"), *draft.lines[1:]))
    async with running_erp(world, make_live_kit) as erp:
        with pytest.raises(UpstreamRejected) as caught:
            await erp.connector.create_order(bad)
        assert erp.sales_orders("R900301") == []
    assert (caught.value.status, caught.value.upstream_code) == (400, "M3/305")
    assert "NOPE-1" in caught.value.message


def returnable(world: World) -> Order:
    return next(
        o
        for o in world.orders
        if o.erp_sales_order and o.status == "FULFILLED" and not o.returns and o.lines[0].quantity >= 2
    )


def return_draft(order: Order, rma: str, quantity: int = 1) -> ReturnDraft:
    line = order.lines[0]
    return ReturnDraft(
        rma_number=rma,
        order_number=order.number,
        lines=(ReturnDraftLine(line.line_no, line.sku, quantity, "SIZE_OR_FIT"),),
        refund_method="ORIGINAL_PAYMENT",
        created_at=datetime(2026, 11, 3, tzinfo=UTC),
        idempotency_key=f"key-{rma}",
    )


async def test_a_return_is_created_against_the_orders_sales_order_once(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    order = returnable(world)
    draft = return_draft(order, "RMA-900001")
    async with running_erp(world, make_live_kit) as erp:
        record = await erp.connector.create_return(draft)
        again = await erp.connector.create_return(draft)
        [listed] = await erp.connector.returns_for_orders([order.number])
        stored = [r for r in erp.sandbox.state.returns.values() if r.purchase_order == "RMA-900001"]
    assert again == record
    assert listed == [record]
    assert len(stored) == 1
    assert stored[0].reference_document == order.erp_sales_order
    assert stored[0].items[0].reference_item == "10"
    assert stored[0].items[0].reason == "105"
    assert (record.rma_number, record.order_number, record.system_id) == (
        "RMA-900001",
        order.number,
        stored[0].number,
    )
    assert [(ln.line_no, ln.sku, ln.quantity, ln.reason) for ln in record.lines] == [
        (1, order.lines[0].sku, 1, "SIZE_OR_FIT")
    ]
    assert parse_status(record.status)["OverallSDProcessStatus"] == "A"


async def test_a_return_for_an_order_the_erp_lacks_is_not_found(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    order = next(o for o in world.orders if not o.erp_posted)
    async with running_erp(world, make_live_kit) as erp:
        with pytest.raises(UpstreamNotFound):
            await erp.connector.create_return(return_draft(order, "RMA-900002"))


async def test_a_return_over_the_delivered_quantity_is_rejected(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    order = returnable(world)
    async with running_erp(world, make_live_kit) as erp:
        with pytest.raises(UpstreamRejected) as caught:
            await erp.connector.create_return(
                return_draft(order, "RMA-900003", quantity=order.lines[0].quantity + 1)
            )
    assert caught.value.upstream_code == "V1/042"


async def test_a_delivery_block_change_needs_the_current_etag(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    order = next(o for o in world.orders if o.erp_sales_order and o.status == "IN_PROGRESS")
    async with running_erp(world, make_live_kit) as erp:
        read = await erp.connector.sales_order_version(order.number)
        assert read is not None
        assert read.sales_order == order.erp_sales_order
        assert read.etag
        changed = await erp.connector.set_delivery_block(order.number, "01", version=read)
        assert changed.etag != read.etag
        assert changed.delivery_block == "01"
        with pytest.raises(UpstreamConflict) as caught:
            await erp.connector.set_delivery_block(order.number, "", version=read)
        [record] = await erp.connector.orders_by_numbers([order.number])
        assert record is not None
        assert parse_status(record.status)["DeliveryBlockReason"] == "01"
        lifted = await erp.connector.set_delivery_block(order.number, "")
        assert lifted.delivery_block == ""
        assert lifted.etag not in (read.etag, changed.etag)
        assert erp.sandbox.state.sales_orders[read.sales_order].delivery_block == ""
        assert erp.route(TOKEN_FETCH) == 1
        assert await erp.connector.sales_order_version("R999999") is None
    assert (caught.value.status, caught.value.upstream_code) == (412, "/IWBEP/CM_MGW_RT/190")


async def test_a_write_the_erp_refused_for_rate_is_retried(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    policy = ErpSettings.default_policy().model_copy(
        update={"retry": RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.01, max_retry_after=2)}
    )
    knobs = {"rate_limit_rps": 5, "rate_limit_burst": 2}
    async with running_erp(world, make_live_kit, policy=policy, knobs=knobs) as erp:
        record = await erp.connector.create_order(order_draft(world, "R900401"))
        assert erp.system.runtime.stats.by_status[429] >= 1
        assert len(erp.sales_orders("R900401")) == 1
    assert record.number == "R900401"
