"""``authorizeReturn``: validate, name the RMA, create it in every system that holds the order, answer it.

Under the idempotency key (:mod:`subgraphs.common.idempotency`), one run:

1. **read** the order from the OMS, ERP, POS and Shopify and its returns from
   the OMS, ERP and Shopify (fresh per request). The ERP may fail here (and
   the POS, for orders read: the others tell the order; and, for returns
   read, a system that does not hold the order): an ERP outage must not stop
   returns. Any other failure fails the request with its error code (the key
   is released): without that system the returnable units are unknown.
2. **validate** (:mod:`subgraphs.returns.validation`): problems are answered
   as userErrors and nothing is stored with the key.
3. **name** the RMA (:mod:`subgraphs.returns.rma`): the one an earlier try of
   this request got, else a fresh one.
4. **create**: in the OMS when it holds the order (it runs the returns
   process), then concurrently in Shopify for ONLINE orders it holds and in
   the ERP. Every connector's ``create_return`` dedupes by RMA number, so a
   retry of a half-done run completes it. When the ERP cannot take it (down,
   or the order's own posting is still queued) the draft is queued for it
   in the ERP outbox (:mod:`subgraphs.returns.postings`) before the answer.
5. **answer** the return as the systems answered its creation, merged
   (status REQUESTED or APPROVED as they say); when only the ERP queue holds
   it (a store sale the ERP does not know yet), as drafted: REQUESTED.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from resolvers.domain import OrderRecord, ReturnDraft, ReturnDraftLine, ReturnLineRecord, ReturnRecord
from resolvers.errors import ConnectorError
from subgraphs.common.idempotency import (
    IdempotencyConflict,
    IdempotentMutations,
    Stored,
    Unstored,
    fingerprint,
    scope_key,
)
from subgraphs.common.keys import can_name_a_record
from subgraphs.common.systems import Systems
from subgraphs.domain.enums import Channel, ReturnStatus
from subgraphs.domain.grouping import group_copies
from subgraphs.domain.orders import merge_order, merge_return
from subgraphs.domain.problems import Problem, field_path
from subgraphs.domain.views import OrderView, ReturnView
from subgraphs.returns.codec import view_from_json, view_to_json
from subgraphs.returns.postings import queue_erp_return
from subgraphs.returns.reads import gather, order_sources, return_sources, with_skus
from subgraphs.returns.rma import RmaAllocator
from subgraphs.returns.validation import ReturnRequest, check_request, line_number

__all__ = ["Authorization", "authorize_return"]

MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class Authorization:
    """What ``authorizeReturn`` answers."""

    view: ReturnView | None
    problems: list[Problem]
    replayed: bool


def _problems_json(problems: list[Problem]) -> dict[str, Any]:
    return {"problems": [[p.code, p.path, p.message] for p in problems]}


class _Run:
    """One run of the action (the key's first caller)."""

    def __init__(self, systems: Systems, request: ReturnRequest, request_id: str, print_: str) -> None:
        self.systems = systems
        self.request = request
        self.request_id = request_id
        self.fingerprint = print_
        rules = systems.settings.orders
        self.rma = RmaAllocator(systems.storage.idempotency, ttl=rules.idempotency_ttl_s)

    async def _order(self) -> tuple[list[OrderRecord], OrderView | None]:
        if not can_name_a_record(self.request.order_id):
            return [], None  # UNKNOWN_ORDER, without asking anyone
        sources = order_sources(self.systems)
        found = await gather(
            [s.orders_by_numbers([self.request.order_id]) for s in sources],
            tolerate=lambda i: sources[i].system in ("ERP", "POS"),
        )
        records = [answer[0] for answer in found if answer and answer[0] is not None]
        return records, merge_order(records) if records else None

    async def _returns(self, number: str, holders: Collection[str]) -> list[ReturnRecord]:
        sources = return_sources(self.systems)
        found = await gather(
            [s.returns_for_orders([number]) for s in sources],
            tolerate=lambda i: sources[i].system == "ERP" or sources[i].system not in holders,
        )
        return [record for answer in found if answer for record in answer[0]]

    async def __call__(self) -> Stored | Unstored:
        settings = self.systems.settings
        records, order = await self._order()
        holders = {record.system for record in records}
        existing = await self._returns(order.number, holders) if order else []
        mine = await self.rma.assigned(self.request_id, self.fingerprint)
        locations = (await self.systems.directory.map()).locations
        problems = check_request(
            self.request,
            order,
            existing,
            stores={loc.id for loc in locations.values() if loc.type == "STORE"},
            now=datetime.now(UTC),
            window_days=settings.orders.return_window_days,
            max_lines=settings.orders.max_lines,
            mine=mine,
        )
        if problems or order is None:
            return Unstored(_problems_json(problems))
        taken = {copy.rma_number for group in group_copies(existing) for copy in group if copy.rma_number}
        rma = await self.rma.allocate(self.request_id, self.fingerprint, order.number, taken)
        draft = self._draft(order, rma)
        created = await self._create(draft, order, holders)
        return Stored({"return": view_to_json(self._view(draft, order, created))})

    def _draft(self, order: OrderView, rma: str) -> ReturnDraft:
        skus = {line.line_no: line.sku for line in order.lines}
        lines = []
        for line in self.request.lines:
            no = line_number(order.number, line.order_line_id)
            assert no is not None  # validated
            lines.append(ReturnDraftLine(no, skus[no], line.quantity, line.reason))
        return ReturnDraft(
            rma_number=rma,
            order_number=order.number,
            lines=tuple(lines),
            refund_method=self.request.refund_method,
            created_at=datetime.now(UTC),
            idempotency_key=f"{rma}:{self.fingerprint[:24]}",
            drop_off_location_id=self.request.drop_off_location_id,
            currency=order.currency,
        )

    async def _create(
        self, draft: ReturnDraft, order: OrderView, holders: Collection[str]
    ) -> list[ReturnRecord]:
        systems = self.systems
        created: list[ReturnRecord] = []
        if "OMS" in holders:
            created.append(await systems.oms.create_return(draft))

        async def to_erp() -> ReturnRecord | None:
            if "ERP" in holders:
                try:
                    return await systems.erp.create_return(draft)
                except ConnectorError:
                    pass  # down, or the order not there: queue it (below)
            await queue_erp_return(systems, draft)
            return None

        async def to_shopify() -> ReturnRecord | None:
            if order.channel is Channel.ONLINE and "SHOPIFY" in holders:
                return await systems.shopify.create_return(draft)
            return None

        outcomes = await asyncio.gather(to_erp(), to_shopify(), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome  # the key is released; a retry completes the half-done run
            if outcome is not None:
                created.append(outcome)
        return created

    def _view(self, draft: ReturnDraft, order: OrderView, created: list[ReturnRecord]) -> ReturnView:
        if created:
            view = merge_return(created)
        else:
            view = ReturnView(
                rma_number=draft.rma_number,
                order_number=order.number,
                status=ReturnStatus.REQUESTED,
                lines=tuple(
                    ReturnLineRecord(ln.line_no, ln.quantity, ln.reason, ln.sku) for ln in draft.lines
                ),
                created_at=draft.created_at,
                timeline=(),
                external_refs=(),
                refund_method=draft.refund_method,
                drop_off_location_id=draft.drop_off_location_id,
            )
        return with_skus(view, {line.line_no: line.sku for line in order.lines})


async def authorize_return(
    systems: Systems, request: ReturnRequest, *, client: str, idempotency_key: str
) -> Authorization:
    """Run ``authorizeReturn`` once per (client, key, input); see the module docstring."""
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        message = f"The idempotency key must have 1 to {MAX_KEY_LENGTH} characters."
        return Authorization(
            None, [Problem("INVALID_IDEMPOTENCY_KEY", field_path("idempotencyKey"), message)], False
        )
    rules = systems.settings.orders
    mutations = IdempotentMutations(
        systems.storage.idempotency, ttl=rules.idempotency_ttl_s, wait_s=rules.idempotency_wait_s
    )
    request_id = scope_key("authorizeReturn", client, key)
    print_ = fingerprint(request.canonical(), client)
    try:
        outcome = await mutations.run(request_id, print_, _Run(systems, request, request_id, print_))
    except IdempotencyConflict as exc:
        return Authorization(None, [Problem(exc.code, field_path("idempotencyKey"), str(exc))], False)
    answer = outcome.answer
    if "problems" in answer:
        problems = [
            Problem(code, tuple(path) if path else None, msg) for code, path, msg in answer["problems"]
        ]
        return Authorization(None, problems, outcome.replayed)
    return Authorization(view_from_json(answer["return"]), [], outcome.replayed)
