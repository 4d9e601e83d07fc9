"""``submitOrder``: validate, price, choose locations, reserve, create, queue the ERP posting.

The flow, for an idempotency key claimed as its owner (:mod:`subgraphs.common.idempotency`):

1. check the request, then what it names (catalog, customers, locations) ->
   ``userErrors``, nothing done (:mod:`subgraphs.orders.validation`); too many
   lines stops there, before any look-up;
2. price every line from the catalog (never from the client) and choose its
   fulfilment location: the pickup store, or for SHIP the location that
   fulfils online orders with the most ATS of the SKU in the OMS (ties: the
   lowest id);
3. allocate the order number (:mod:`subgraphs.orders.numbers`), which also
   keeps this draft for a retry of the same key and input;
4. reserve every line at once in the OMS (ttl ``orders.reservation_ttl_s``):
   ``InsufficientStock`` -> OUT_OF_STOCK per short line, nothing held;
5. confirm the hold for the order number and create the order in the OMS (the
   order's items then carry the commitment, so no unit counts twice), and in
   Shopify for ONLINE orders; a failure here releases the hold;
6. queue the ERP posting in the durable outbox and record the gateway's
   timeline events (ORDER_ACCEPTED, STOCK_RESERVED), then answer.

Any failure makes the caller abandon the idempotency key: a retry with the
same key and input resumes with the same number and draft, and every create
downstream is idempotent by it (OMS ``orderName``, Shopify ``@idempotent``,
the ERP's look-up by number), so it converges on one order everywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from resolvers.domain import (
    Location,
    Money,
    OrderDraft,
    OrderDraftLine,
    OrderEventRecord,
    OrderRecord,
    ReservationLine,
)
from resolvers.errors import ConnectorError, InsufficientStock
from subgraphs.common.futures import leave_running
from subgraphs.common.keys import can_name_a_record
from subgraphs.common.systems import Systems
from subgraphs.domain.enums import Channel
from subgraphs.domain.problems import Problem, field_path
from subgraphs.domain.stock import pick_location_stock
from subgraphs.orders.journal import record_events
from subgraphs.orders.numbers import allocate_number
from subgraphs.orders.posting import queue_posting
from subgraphs.orders.validation import SubmitRequest, check_references, check_request

__all__ = ["Outcome", "accept_order"]


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """An accepted order's number, or the problems that stopped it."""

    number: str | None
    problems: tuple[Problem, ...] = ()
    records: tuple[OrderRecord, ...] = ()
    """What the OMS and Shopify answered to the creates (the order's first read needs no call)."""


async def _customer_known(systems: Systems, customer_id: str | None) -> bool | None:
    """Whether any system knows the customer (None: none named); raises if none could answer.

    The first system to know them settles it: the others are not waited for (Shopify may have to
    scan its customers for an id it has not learned; they finish in the background)."""
    if customer_id is None:
        return None
    if not can_name_a_record(customer_id):
        return False
    sources = (systems.shopify, systems.pos, systems.erp)
    asked = [asyncio.ensure_future(s.customers_by_ids([customer_id])) for s in sources]
    pending = set(asked)
    while pending:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if any(f.exception() is None and f.result() and f.result()[0] is not None for f in done):
            for future in pending:
                leave_running(future)
            return True
    failed = [error for f in asked if (error := f.exception()) is not None]
    for failure in failed:
        if not isinstance(failure, ConnectorError):
            raise failure
    if failed:
        raise failed[0]
    return False


async def _ship_from(
    systems: Systems, skus: Sequence[str], locations: Mapping[str, Location]
) -> dict[str, str]:
    """For each SKU, the online-fulfilling location with the most ATS in the OMS (ties: lowest id)."""
    candidates = sorted(loc.id for loc in locations.values() if loc.fulfills_online)
    if not candidates:
        return {}
    levels = await systems.oms.stock(list(skus), candidates)
    best: dict[str, tuple[int, str]] = {}
    for level in levels:
        stock = pick_location_stock([level])
        if stock is None or level.location_id not in locations:
            continue
        rank = (-stock.ats, level.location_id)
        if level.sku not in best or rank < best[level.sku]:
            best[level.sku] = rank
    return {sku: best[sku][1] if sku in best else candidates[0] for sku in skus}


def _out_of_stock(request: SubmitRequest, draft: OrderDraft, error: InsufficientStock) -> tuple[Problem, ...]:
    short = set(error.skus)
    problems = tuple(
        Problem(
            "OUT_OF_STOCK",
            field_path("lines", i, "quantity"),
            f"Line {i + 1}: not enough {line.sku} to reserve {line.quantity} at {draft_line.location_id}.",
        )
        for i, (line, draft_line) in enumerate(zip(request.lines, draft.lines, strict=True))
        if line.sku in short
    )
    if problems:
        return problems
    return (Problem("OUT_OF_STOCK", field_path("lines"), f"Not enough stock: {error}"),)


async def _draft(
    systems: Systems, request: SubmitRequest, prices: Mapping[str, Money], locations: Mapping[str, Location]
) -> OrderDraft:
    """The order as it will be created (number and key still to be set by the allocation)."""
    skus = [line.sku for line in request.lines]
    if request.fulfilment_type == "PICKUP" and request.pickup_location_id:
        where = dict.fromkeys(skus, request.pickup_location_id)
    else:
        where = await _ship_from(systems, skus, locations)
    currency = next(iter(prices.values())).currency if prices else systems.settings.orders.currency
    return OrderDraft(
        number="",
        channel=str(request.channel),
        placed_at=datetime.now(UTC).replace(microsecond=0),
        lines=tuple(
            OrderDraftLine(no, line.sku, line.quantity, prices[line.sku], where[line.sku])
            for no, line in enumerate(request.lines, start=1)
        ),
        currency=currency,
        payment_reference=request.payment_reference.strip(),
        fulfilment_type=request.fulfilment_type,
        idempotency_key="",
        customer_id=request.customer_id,
        email=request.email.strip() if request.email else None,
        shipping_address=request.shipping_address if request.fulfilment_type == "SHIP" else None,
        pickup_location_id=request.pickup_location_id if request.fulfilment_type == "PICKUP" else None,
    )


async def _reserve_and_create(
    systems: Systems, draft: OrderDraft
) -> tuple[OrderDraft, OrderRecord, OrderEventRecord]:
    """Hold the stock, then create the order in the OMS: the draft with its reservation, the OMS's
    order, and the event."""
    oms, ttl = systems.oms, systems.settings.orders.reservation_ttl_s
    lines = [ReservationLine(line.sku, line.location_id, line.quantity) for line in draft.lines]
    reference = f"{draft.number}~{uuid.uuid4().hex[:8]}"  # a released reference may not be reused
    reservation = await oms.reserve(lines, ttl_seconds=ttl, reference=reference)
    held = ", ".join(f"{line.quantity} x {line.sku} at {line.location_id}" for line in draft.lines)
    event = OrderEventRecord(
        datetime.now(UTC), "GATEWAY", "STOCK_RESERVED", f"Reserved {held} (OMS {reservation.id})"
    )
    draft = dataclasses.replace(draft, reservation_id=reservation.id)
    try:
        await oms.confirm(reservation.id, order_id=draft.number)
        created = await oms.create_order(draft)
    except BaseException:
        await asyncio.shield(_release(systems, reservation.id))
        raise
    return draft, created, event


async def _release(systems: Systems, reservation_id: str) -> None:
    with contextlib.suppress(ConnectorError):  # else the hold expires with its TTL
        await systems.oms.release(reservation_id)


async def accept_order(systems: Systems, request: SubmitRequest, *, scope: str, print_: str) -> Outcome:
    """Steps 1-6 of the module docstring for a claimed key (``scope``) and input (``print_``)."""
    problems = check_request(request, systems.settings.orders)
    if any(problem.code == "TOO_MANY_LINES" for problem in problems):
        return Outcome(None, tuple(problems))  # its lines are not looked up (there may be thousands)
    skus = list(dict.fromkeys(line.sku for line in request.lines if can_name_a_record(line.sku)))
    variants, known, directory = await asyncio.gather(
        systems.shopify.variants_by_skus(skus) if skus else asyncio.sleep(0, []),
        _customer_known(systems, request.customer_id),
        systems.directory.map(),
    )
    by_sku = dict(zip(skus, variants, strict=True))
    problems += check_references(
        request, variants=by_sku, customer_known=known, locations=directory.locations
    )
    if problems:
        return Outcome(None, tuple(problems))
    prices = {sku: variant.price for sku, variant in by_sku.items() if variant is not None}
    draft, fresh = await allocate_number(
        systems.storage.idempotency,
        await _draft(systems, request, prices, directory.locations),
        scope=scope,
        print_=print_,
    )
    events = [OrderEventRecord(draft.placed_at, "GATEWAY", "ORDER_ACCEPTED", f"{request.channel} order")]
    existing = None if fresh else (await systems.oms.orders_by_numbers([draft.number]))[0]
    if existing is None:
        try:
            draft, existing, reserved = await _reserve_and_create(systems, draft)
        except InsufficientStock as error:
            return Outcome(None, _out_of_stock(request, draft, error))
        events.append(reserved)
    records = [existing]
    if request.channel is Channel.ONLINE:
        records.append(await systems.shopify.create_order(draft))
    await queue_posting(systems, draft)
    await record_events(systems.storage.idempotency, draft.number, events)
    return Outcome(draft.number, records=tuple(records))
