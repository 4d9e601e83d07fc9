"""The ERP connector's reads against the sandbox ERP: values from the world, batching, spans, errors."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from resolvers.erp import ErpSettings
from resolvers.erp.mapping import parse_status
from resolvers.errors import UpstreamAuthFailed, UpstreamRateLimited, UpstreamUnavailable
from resolvers.policy import RetryPolicy
from sandbox.world import Order, World
from tests.resolvers.connectors.conftest import LiveKitFactory
from tests.resolvers.connectors.test_erp_support import STOCK_ROOT, running_erp

# canonical status -> (OverallSDProcessStatus, OverallDeliveryStatus, OverallSDDocumentRejectionSts)
SD_STATUS = {
    "IN_PROGRESS": ("B", "A", "A"),
    "PARTIALLY_FULFILLED": ("B", "B", "A"),
    "FULFILLED": ("C", "C", "A"),
    "CANCELLED": ("C", "", "C"),
}


def expected_stock(world: World, sku: str, code: str) -> tuple[int, int] | None:
    """(on_hand, unavailable) as the ERP books them: every physical unit, plus till sales it lags behind."""
    stock = world.stock(sku, code)
    if stock is None:
        return None
    lag = world.pos_sales_not_in_erp(sku, code) if world.locations_by_code[code].type == "STORE" else 0
    return stock.on_hand + lag, stock.damaged + stock.quality_control


async def test_stock_for_50_skus_at_30_locations_is_one_call(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    skus = sorted(world.variants_by_sku)[:50]
    codes = [loc.code for loc in world.locations]
    assert len(codes) == 30
    async with running_erp(world, make_live_kit) as erp:
        levels = await erp.connector.stock(skus, codes)
        assert erp.system.calls() == 1
        got = {(level.sku, level.location_id): level for level in levels}
        expected = {(s, c): e for s in skus for c in codes if (e := expected_stock(world, s, c)) is not None}
        assert {pair: (lv.on_hand, lv.unavailable) for pair, lv in got.items()} == expected
        assert all(lv.system == "ERP" and lv.available is None and not lv.stale for lv in levels)
        assert all(lv.committed == lv.reserved == lv.safety_stock == 0 for lv in levels)
        assert any(lv.unavailable for lv in levels)
        again = await erp.connector.stock(list(reversed(skus)), codes)  # cached: same question, any order
        assert erp.system.calls() == 1
        assert sorted(again, key=lambda lv: (lv.sku, lv.location_id)) == sorted(
            levels, key=lambda lv: (lv.sku, lv.location_id)
        )


async def test_a_store_reports_the_till_sales_the_erp_has_not_received(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    sku, code = next(
        (line.sku, line.location_code)
        for order in world.orders
        if order.channel == "STORE" and not order.erp_posted and order.status != "CANCELLED"
        for line in order.lines
        if world.pos_sales_not_in_erp(line.sku, line.location_code)
    )
    async with running_erp(world, make_live_kit) as erp:
        [level] = await erp.connector.stock([sku], [code])
    stock = world.stock(sku, code)
    assert stock is not None
    assert level.on_hand == stock.on_hand + world.pos_sales_not_in_erp(sku, code) > stock.on_hand
    assert erp.system.calls(f"{STOCK_ROOT}/A_MatlStkInAcctMod") == 1  # few pairs: rows filtered by plant


async def test_a_few_pairs_read_stock_rows_by_material_and_plant_and_leave_unknown_pairs_out(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    skus = sorted(world.variants_by_sku)[:3]
    stores = [loc.code for loc in world.locations if loc.type == "STORE"][:4]
    async with running_erp(world, make_live_kit) as erp:
        levels = await erp.connector.stock([*skus, "NOPE-1"], [*stores, "NO-SUCH-LOCATION"])
        assert erp.system.calls() == erp.system.calls(f"{STOCK_ROOT}/A_MatlStkInAcctMod") == 1
    got = {(lv.sku, lv.location_id): (lv.on_hand, lv.unavailable) for lv in levels}
    expected = {(s, c): e for s in skus for c in stores if (e := expected_stock(world, s, c)) is not None}
    assert got == expected
    assert len(expected) < len(skus) * len(stores)  # stores do not carry everything: those pairs are absent


async def test_stock_follows_next_links_when_the_erp_pages_its_answer(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    skus = sorted(world.variants_by_sku)[:5]
    codes = [loc.code for loc in world.locations]
    async with running_erp(world, make_live_kit, knobs={"page_size": 40}) as erp:
        levels = await erp.connector.stock(skus, codes)
        rows = sum(len(erp.sandbox.catalog.stock(s, loc)) for s in skus for loc in world.locations)
        assert erp.system.calls() == -(-rows // 40) > 1
    expected = {(s, c): e for s in skus for c in codes if (e := expected_stock(world, s, c)) is not None}
    assert {(lv.sku, lv.location_id): (lv.on_hand, lv.unavailable) for lv in levels} == expected


async def test_stock_read_from_the_cache_says_when_the_erp_reported_it(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    sku, code = sorted(world.variants_by_sku)[0], world.locations[0].code
    async with running_erp(world, make_live_kit) as erp:
        before = datetime.now(UTC)
        [first] = await erp.connector.stock([sku], [code])
        [second] = await erp.connector.stock([sku], [code])
    assert first.as_of is not None
    assert before - timedelta(seconds=1) <= first.as_of
    assert second.as_of == first.as_of
    assert erp.system.calls() == 1


def posted(world: World, status: str) -> Order:
    return next(o for o in world.orders if o.erp_sales_order and o.status == status)


async def test_orders_by_number_carry_sd_statuses_lines_and_totals(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    orders = [posted(world, status) for status in SD_STATUS]
    unposted = next(o for o in world.orders if not o.erp_posted)
    numbers = [o.number for o in orders] + [unposted.number, "R999999"]
    async with running_erp(world, make_live_kit) as erp:
        records = await erp.connector.orders_by_numbers(numbers)
        assert erp.system.calls() == 1
        again = await erp.connector.orders_by_numbers(numbers)
        assert erp.system.calls() == 1
    assert records[-2:] == [None, None]
    assert all(a is r for a, r in zip(again, records, strict=True)), "a cached answer is mapped once"
    for order, record in zip(orders, records, strict=False):
        assert record is not None
        status = parse_status(record.status)
        expected = SD_STATUS[order.status]
        got = (
            status["OverallSDProcessStatus"],
            status["OverallDeliveryStatus"],
            status["OverallSDDocumentRejectionSts"],
        )
        assert got == expected
        assert status["DeliveryBlockReason"] == ""
        assert (record.system, record.system_id, record.number) == (
            "ERP",
            order.erp_sales_order,
            order.number,
        )
        assert record.channel == order.channel
        assert record.placed_at == datetime(*order.placed_at.astimezone(UTC).timetuple()[:3], tzinfo=UTC)
        assert record.total is not None
        assert record.total.amount * 100 == sum(
            line.quantity * line.unit_price_cents
            for line in order.lines
            if order.status != "CANCELLED" or line.quantity_fulfilled
        )
        assert [(ln.line_no, ln.sku, ln.quantity) for ln in record.lines] == [
            (ln.line_no, ln.sku, ln.quantity) for ln in order.lines
        ]
        assert [ln.unit_price.amount * 100 for ln in record.lines] == [
            ln.unit_price_cents for ln in order.lines
        ]
        assert [ln.location_id for ln in record.lines] == [ln.location_code for ln in order.lines]
        if order.status == "FULFILLED":
            assert [ln.quantity_fulfilled for ln in record.lines] == [ln.quantity for ln in order.lines]
        assert record.updated_at is not None
        assert record.updated_at.tzinfo is UTC


async def test_many_order_numbers_are_split_only_where_the_url_would_grow_too_long(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    numbers = [o.number for o in world.orders[:100]]
    async with running_erp(world, make_live_kit) as erp:
        records = await erp.connector.orders_by_numbers(numbers)
        assert erp.system.calls() == 1
    async with running_erp(world, make_live_kit, max_filter_length=1500) as short:
        again = await short.connector.orders_by_numbers(numbers)
        assert short.system.calls() == 4
    assert [r.system_id if r else None for r in records] == [o.erp_sales_order for o in world.orders[:100]]
    assert again == records


async def test_a_customers_orders_come_newest_first(world: World, make_live_kit: LiveKitFactory) -> None:
    customer = next(
        c
        for c in world.customers
        if c.erp_business_partner and sum(o.customer_id == c.id for o in world.orders) > 3
    )
    theirs = [o for o in world.orders if o.customer_id == customer.id and o.erp_sales_order]
    theirs.sort(
        key=lambda o: (
            (o.placed_at + timedelta(minutes=30)).astimezone(UTC).date(),
            int(o.erp_sales_order or 0),
        ),
        reverse=True,
    )
    async with running_erp(world, make_live_kit) as erp:
        records = await erp.connector.orders_for_customer(customer.id, 2)
        everything = await erp.connector.orders_for_customer(customer.id, 50)
        nobody = await erp.connector.orders_for_customer("C999999", 5)
    assert [r.number for r in records] == [o.number for o in theirs[:2]]
    assert [r.number for r in everything] == [o.number for o in theirs]
    assert all(r.customer_id == customer.id for r in everything)
    assert nobody == []


async def test_customers_by_id_and_by_email_are_business_partners(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    with_bp = [c for c in world.customers if c.erp_business_partner][:3]
    without = next(c for c in world.customers if not c.erp_business_partner)
    async with running_erp(world, make_live_kit) as erp:
        records = await erp.connector.customers_by_ids([c.id for c in with_bp] + [without.id])
        assert erp.system.calls() == 1
        by_email = await erp.connector.customers_by_email(f"  {with_bp[0].email.upper()} ")
        unknown = await erp.connector.customers_by_email("nobody@example.com")
    assert records[-1] is None
    for customer, record in zip(with_bp, records, strict=False):
        assert record is not None
        assert (record.system, record.system_id, record.customer_id) == (
            "ERP",
            customer.erp_business_partner,
            customer.id,
        )
        assert (record.email, record.phone) == (customer.email, customer.phone)
        assert (record.first_name, record.last_name) == (customer.first_name, customer.last_name)
        assert [(a.line1, a.city, a.postal_code) for a in record.addresses] == [
            (a.line1, a.city, a.postal_code) for a in customer.addresses
        ]
    assert by_email == [records[0]]
    assert unknown == []


async def test_returns_by_rma_and_for_orders_carry_the_order_number_and_lines(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    held = [(o, r) for o in world.orders for r in o.returns if r.in_erp][:4]
    order = held[0][0]
    async with running_erp(world, make_live_kit) as erp:
        records = await erp.connector.returns_by_rma([r.rma_number for _, r in held] + ["RMA-NOPE"])
        per_order = await erp.connector.returns_for_orders([order.number, "R999999"])
    assert records[-1] is None
    for (o, r), record in zip(held, records, strict=False):
        assert record is not None
        assert (record.system, record.rma_number, record.order_number) == ("ERP", r.rma_number, o.number)
        assert [(ln.line_no, ln.quantity, ln.reason) for ln in record.lines] == [
            (ln.line_no, ln.quantity, ln.reason) for ln in r.lines
        ]
        received = "X" if r.status in ("RECEIVED", "INSPECTED", "REFUNDED", "CLOSED") else ""
        assert parse_status(record.status)["ReturnsMaterialHasBeenReceived"] == received
    assert [x.rma_number for x in per_order[0]] == [r.rma_number for r in order.returns if r.in_erp]
    assert per_order[1] == []


async def test_loaders_gather_one_ticks_keys_into_one_call_per_port(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    skus = sorted(world.variants_by_sku)[:4]
    codes = [loc.code for loc in world.locations[:5]]
    numbers = [o.number for o in world.orders if o.erp_posted][:3]
    async with running_erp(world, make_live_kit) as erp:
        loaders = erp.connector.loaders()
        levels, orders = await asyncio.gather(
            asyncio.gather(*(loaders.stock.load((s, c)) for s in skus for c in codes)),
            asyncio.gather(*(loaders.orders.load(n) for n in numbers)),
        )
        assert erp.system.calls(STOCK_ROOT) == 1
        assert erp.system.calls("A_SalesOrder") == 1
    assert [o.number for o in orders if o] == numbers
    assert sum(level is not None for level in levels) == sum(world.carries(s, c) for s in skus for c in codes)


async def test_every_request_is_one_client_span_under_the_callers_span(
    world: World, make_live_kit: LiveKitFactory, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, exporter = spans
    async with running_erp(world, make_live_kit) as erp:
        with provider.get_tracer("test").start_as_current_span("resolver") as parent:
            await erp.connector.stock(sorted(world.variants_by_sku)[:2], [world.locations[0].code])
            await erp.connector.customers_by_email(world.customers[0].email)
        requests = erp.system.calls()
    client = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CLIENT]
    assert len(client) == requests >= 2
    for span in client:
        assert span.parent is not None
        assert span.parent.span_id == parent.get_span_context().span_id
        attributes = dict(span.attributes or {})
        assert attributes["retail.system"] == "erp"
        assert attributes["retail.operation"] in ("stock", "customers_by_email")
        assert attributes["retail.cache"] == "miss"
        assert attributes["retail.retries"] == 0
        assert "retail.rate_limit_wait_ms" in attributes
        assert attributes["retail.breaker_state"] == "closed"
        assert attributes["http.response.status_code"] == 200
        assert span.name == f"erp {attributes['retail.operation']}"


async def test_a_logon_failure_is_auth_failed_with_sap_s_code(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    async with running_erp(world, make_live_kit, access_token="s3cret") as erp:
        with pytest.raises(UpstreamAuthFailed) as caught:
            await erp.connector.customers_by_ids(["C000001"])
    assert caught.value.status == 401
    assert caught.value.upstream_code == "/IWFND/CM_CONSUMER/101"
    assert "Logon failed" in caught.value.message
    async with running_erp(world, make_live_kit, access_token="s3cret", password="s3cret") as erp:
        [record] = await erp.connector.customers_by_ids(["C000001"])
    assert record is not None


async def test_an_erp_outage_without_a_cached_answer_is_unavailable(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    policy = ErpSettings.default_policy().model_copy(update={"retry": RetryPolicy(attempts=1)})
    async with running_erp(world, make_live_kit, policy=policy, knobs={"outage": True}) as erp:
        with pytest.raises(UpstreamUnavailable) as caught:
            await erp.connector.orders_by_numbers(["R100001"])
    assert (caught.value.status, caught.value.upstream_code) == (503, "/IWFND/CM_BEC/022")


async def test_throttling_is_rate_limited_with_retry_after(
    world: World, make_live_kit: LiveKitFactory
) -> None:
    policy = ErpSettings.default_policy().model_copy(update={"retry": RetryPolicy(attempts=1)})
    knobs = {"rate_limit_rps": 0.5, "rate_limit_burst": 1}
    async with running_erp(world, make_live_kit, policy=policy, knobs=knobs) as erp:
        await erp.connector.customers_by_ids(["C000001"])
        with pytest.raises(UpstreamRateLimited) as caught:
            await erp.connector.customers_by_ids(["C000002"])
    assert caught.value.upstream_code == "/IWFND/CM_CONSUMER/106"
    assert caught.value.retry_after is not None
    assert caught.value.retry_after >= 1
