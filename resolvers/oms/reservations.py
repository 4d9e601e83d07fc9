"""Soft reservations (``/reservations``): hold every line or none, confirm, release.

The OMS holds units at **one** facility per reservation, checking and holding
all its items in one atomic step (409 ``INSUFFICIENT_INVENTORY`` listing every
short product, nothing held). :meth:`OmsReservations.reserve` makes one OMS
reservation per facility of the lines, concurrently; if any is refused, the
ones that were made are released again and the caller gets one
:class:`~resolvers.errors.InsufficientStock` naming every short SKU, so the
whole reservation is all-or-none. Its id joins the OMS ids with ``+``.

Retries: each OMS reservation carries ``externalId = "<reference>@<facility>"``
and the OMS answers a known externalId with the reservation it already made
(200, nothing held twice), so a reserve is idempotent and the kit may retry
it after a timeout. A reference reused after its reservation was released or
expired is refused (``UpstreamConflict``) instead of silently answering a
dead hold. Confirm (idempotent for the same order) and release (releasing a
finished reservation changes nothing) are retried too.

Confirm needs the order the hold becomes a commitment for: by default the
reservation's reference, so **reserve with the order number as reference**;
the OMS then stops counting the hold once that order exists (the order's
items carry the commitment), so nothing is counted twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence

from resolvers.domain import Reservation, ReservationLine
from resolvers.errors import ConnectorError, InsufficientStock, UpstreamConflict
from resolvers.kit.upstream import UpstreamHttp
from resolvers.oms import mapping, wire
from resolvers.oms.bodies import reservation_body
from resolvers.oms.context import Memo, OmsContext
from resolvers.oms.exchange import INSUFFICIENT_INVENTORY
from resolvers.oms.settings import SYSTEM

__all__ = ["OmsReservations"]

_log = logging.getLogger(__name__)
_SEPARATOR = "+"
_LIVE = ("ACTIVE", "CONFIRMED")


def _external_id(reference: str, facility_id: str) -> str:
    return f"{reference}@{facility_id}"


def _reference_of(part: wire.OmsReservation) -> str | None:
    if not part.externalId:
        return None
    return part.externalId.removesuffix("@" + part.facilityId)


def _merged_shortage(errors: list[InsufficientStock]) -> InsufficientStock:
    if len(errors) == 1:
        return errors[0]
    skus = tuple(dict.fromkeys(sku for error in errors for sku in error.skus))
    return InsufficientStock(
        "; ".join(error.message for error in errors),
        skus=skus,
        system=SYSTEM,
        operation="reserve",
        status=409,
        upstream_code=INSUFFICIENT_INVENTORY,
    )


class OmsReservations:
    """The :class:`~resolvers.ports.ReservationPort` over OMS soft reservations."""

    def __init__(self, ctx: OmsContext) -> None:
        self._ctx = ctx
        self._references: Memo[str, str] = Memo()

    async def reserve(
        self, lines: Sequence[ReservationLine], *, ttl_seconds: int, reference: str
    ) -> Reservation:
        if not lines:
            raise ValueError("a reservation needs at least one line")
        wanted: dict[str, Counter[str]] = {}
        for line in lines:
            wanted.setdefault(line.location_id, Counter())[line.sku] += line.quantity
        holds = (
            self._hold(facility, dict(items), ttl_seconds, reference) for facility, items in wanted.items()
        )
        outcomes = await asyncio.gather(*holds, return_exceptions=True)
        held = [o for o in outcomes if isinstance(o, wire.OmsReservation)]
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        for failure in failures:
            if not isinstance(failure, ConnectorError):
                raise failure  # a bug or a cancellation: not ours to translate
        dead = [part for part in held if mapping.reservation_status(part.statusId) not in _LIVE]
        if failures or dead:
            await self._undo([part for part in held if part not in dead])
        shortages = [f for f in failures if isinstance(f, InsufficientStock)]
        if failures:
            other = next((f for f in failures if not isinstance(f, InsufficientStock)), None)
            raise other if other is not None else _merged_shortage(shortages)
        if dead:
            raise UpstreamConflict(
                f"reference {reference!r} was used by a reservation now {dead[0].statusId}",
                system=SYSTEM,
                operation="reserve",
            )
        for part in held:
            self._references.put(part.reservationId, reference)
        return mapping.reservation(held)

    async def _hold(
        self, facility_id: str, items: dict[str, int], ttl_seconds: int, reference: str
    ) -> wire.OmsReservation:
        ctx = self._ctx
        body = reservation_body(
            facility_id, items, ttl_seconds=ttl_seconds, external_id=_external_id(reference, facility_id)
        )

        async def send(http: UpstreamHttp) -> wire.OmsReservation:
            return await ctx.oms.call(http, "POST", "/reservations", wire.OmsReservation, json=body)

        # Idempotent: the OMS answers a known externalId with the reservation it already holds.
        return await ctx.write("reserve", send, idempotent=True)

    async def _undo(self, parts: list[wire.OmsReservation]) -> None:
        """Release what a failed reserve did hold (best effort: a hold left over expires with its TTL)."""
        for part in parts:
            try:
                await self._release_one(part.reservationId)
            except ConnectorError as exc:
                _log.warning("could not release %s after a failed reserve: %s", part.reservationId, exc)

    async def confirm(self, reservation_id: str, *, order_id: str | None = None) -> Reservation:
        """Turn the hold into a commitment for ``order_id`` (default: the reference it was reserved under)."""
        ids = reservation_id.split(_SEPARATOR)
        parts = await asyncio.gather(*(self._confirm_one(one, order_id) for one in ids))
        return mapping.reservation(parts)

    async def _confirm_one(self, reservation_id: str, order_id: str | None) -> wire.OmsReservation:
        ctx = self._ctx
        order = order_id or self._references.get(reservation_id) or await self._reference(reservation_id)
        body = {"orderId": order}

        async def send(http: UpstreamHttp) -> wire.OmsReservation:
            path = f"/reservations/{reservation_id}/confirm"
            return await ctx.oms.call(http, "POST", path, wire.OmsReservation, json=body)

        # Idempotent: confirming again for the same order answers the confirmed reservation.
        return await ctx.write("confirm_reservation", send, idempotent=True)

    async def _reference(self, reservation_id: str) -> str:
        ctx = self._ctx

        async def fetch(http: UpstreamHttp) -> wire.OmsReservation:
            return await ctx.oms.call(http, "GET", f"/reservations/{reservation_id}", wire.OmsReservation)

        part = (await ctx.read("reservation", fetch)).value
        reference = _reference_of(part)
        if reference is None:
            raise ValueError(f"reservation {reservation_id} has no reference: confirm it with an order_id")
        self._references.put(reservation_id, reference)
        return reference

    async def release(self, reservation_id: str) -> None:
        await asyncio.gather(*(self._release_one(one) for one in reservation_id.split(_SEPARATOR)))

    async def _release_one(self, reservation_id: str) -> wire.OmsReservation:
        ctx = self._ctx

        async def send(http: UpstreamHttp) -> wire.OmsReservation:
            return await ctx.oms.call(http, "DELETE", f"/reservations/{reservation_id}", wire.OmsReservation)

        # Idempotent: releasing a released (or expired) reservation changes nothing.
        return await ctx.write("release_reservation", send, idempotent=True)
