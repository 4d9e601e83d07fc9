"""Soft reservations: units held at one facility for a while, released, expired or confirmed.

A reservation is ``RESERVATION_ACTIVE`` until its ``expiresAt`` (then
``RESERVATION_EXPIRED``, evaluated on every read against the injected clock),
until released (``RESERVATION_RELEASED``) or until confirmed for an order
(``RESERVATION_CONFIRMED``: it no longer expires). A confirmed reservation
holds its units until the order it names exists in the OMS (found by
orderId, orderName or externalId); from then on the order's own items carry
the commitment, so nothing is counted twice.

This book only keeps records and answers what is held; the atomic
check-and-reserve against ATP lives in :class:`sandbox.oms.inventory.Inventory`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.oms._wire import iso, iso_or_none
from sandbox.oms.errors import OmsError

__all__ = ["Reservation", "ReservationBook"]

ACTIVE, CONFIRMED = "RESERVATION_ACTIVE", "RESERVATION_CONFIRMED"
RELEASED, EXPIRED = "RESERVATION_RELEASED", "RESERVATION_EXPIRED"


@dataclass
class Reservation:
    reservation_id: str
    external_id: str | None
    facility_id: str
    items: dict[str, int]
    status_id: str
    created_at: datetime
    expires_at: datetime | None
    order_id: str | None = None
    updated_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "reservationId": self.reservation_id,
            "externalId": self.external_id,
            "facilityId": self.facility_id,
            "statusId": self.status_id,
            "orderId": self.order_id,
            "items": [{"productId": sku, "quantity": qty} for sku, qty in self.items.items()],
            "createdDate": iso(self.created_at),
            "expiresAt": iso_or_none(self.expires_at),
            "lastUpdatedStamp": iso(self.updated_at or self.created_at),
        }


class ReservationBook:
    """Every reservation, indexed by id, externalId and (productId, facilityId)."""

    def __init__(self, clock: Callable[[], datetime], order_exists: Callable[[str], bool]) -> None:
        self._clock = clock
        self._order_exists = order_exists
        self._by_id: dict[str, Reservation] = {}
        self._by_external: dict[str, str] = {}
        self._by_stock: dict[tuple[str, str], set[str]] = {}

    def _refresh(self, reservation: Reservation, now: datetime) -> Reservation:
        if reservation.status_id == ACTIVE and reservation.expires_at and reservation.expires_at <= now:
            reservation.status_id = EXPIRED
            reservation.updated_at = reservation.expires_at
        return reservation

    def _holding(self, reservation: Reservation) -> bool:
        if reservation.status_id == ACTIVE:
            return True
        return reservation.status_id == CONFIRMED and not self._order_exists(reservation.order_id or "")

    def held(self, product_id: str, facility_id: str) -> int:
        """Units of ``product_id`` that live reservations hold at ``facility_id`` now."""
        ids = self._by_stock.get((product_id, facility_id))
        if not ids:
            return 0
        now, total = self._clock(), 0
        for reservation_id in list(ids):
            reservation = self._refresh(self._by_id[reservation_id], now)
            if reservation.status_id in (RELEASED, EXPIRED):
                ids.discard(reservation_id)
            elif self._holding(reservation):
                total += reservation.items[product_id]
        return total

    def by_external_id(self, external_id: str) -> Reservation | None:
        found = self._by_external.get(external_id)
        return self.get(found) if found else None

    def get(self, reservation_id: str) -> Reservation:
        reservation = self._by_id.get(reservation_id)
        if reservation is None:
            raise OmsError.not_found("Reservation", reservation_id)
        return self._refresh(reservation, self._clock())

    def add(
        self, facility_id: str, items: dict[str, int], ttl_s: int, external_id: str | None
    ) -> Reservation:
        """Record a reservation; the caller has checked ATP in the same critical section."""
        now = self._clock()
        reservation = Reservation(
            reservation_id=f"RSV{10_001 + len(self._by_id)}",
            external_id=external_id,
            facility_id=facility_id,
            items=dict(items),
            status_id=ACTIVE,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_s),
        )
        self._by_id[reservation.reservation_id] = reservation
        if external_id:
            self._by_external[external_id] = reservation.reservation_id
        for product_id in items:
            self._by_stock.setdefault((product_id, facility_id), set()).add(reservation.reservation_id)
        return reservation

    def release(self, reservation_id: str) -> Reservation:
        """Release an active or confirmed reservation; releasing a finished one changes nothing."""
        reservation = self.get(reservation_id)
        if reservation.status_id in (ACTIVE, CONFIRMED):
            reservation.status_id = RELEASED
            reservation.updated_at = self._clock()
        return reservation

    def confirm(self, reservation_id: str, order_id: str) -> Reservation:
        """Turn an active reservation into a commitment for ``order_id`` (idempotent for that order)."""
        reservation = self.get(reservation_id)
        if reservation.status_id == CONFIRMED and reservation.order_id == order_id:
            return reservation
        if reservation.status_id != ACTIVE:
            code = "RESERVATION_EXPIRED" if reservation.status_id == EXPIRED else "RESERVATION_NOT_ACTIVE"
            raise OmsError(
                409,
                code,
                f"Reservation [{reservation_id}] is {reservation.status_id} and cannot be confirmed.",
                [
                    {
                        "reservationId": reservation_id,
                        "statusId": reservation.status_id,
                        "orderId": reservation.order_id,
                    }
                ],
            )
        reservation.status_id, reservation.order_id = CONFIRMED, order_id
        reservation.expires_at, reservation.updated_at = None, self._clock()
        return reservation
