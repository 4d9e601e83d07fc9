"""The order book: seeded and created orders, their lookups and search, and their status changes.

Seeded orders stay as the world has them until first asked for; then they
become mutable :class:`OrderRecord` s kept here. Every change runs through
:meth:`OrderBook._mutate`, which hands the inventory the order's change in
commitments and shipped units, so ATP stays consistent with the orders.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sandbox.oms.canonical import CHANNEL_ENUM_IDS, SHIPMENT_METHODS
from sandbox.oms.errors import OmsError
from sandbox.oms.inventory import Inventory
from sandbox.oms.lifecycle import change_order_status, change_shipment_status
from sandbox.oms.records import OrderRecord, ShipmentRecord
from sandbox.oms.seed import Seeder, seeded_shipment_status, seeded_status
from sandbox.world import Order, World

__all__ = ["OrderBook", "OrderQuery", "ShipmentQuery"]


@dataclass(frozen=True)
class OrderQuery:
    order_name: str | None = None
    external_id: str | None = None
    party_id: str | None = None
    status_ids: set[str] | None = None
    channel_ids: set[str] | None = None
    date_from: datetime | None = None
    date_thru: datetime | None = None
    updated_from: datetime | None = None


@dataclass(frozen=True)
class ShipmentQuery:
    order_id: str | None = None
    facility_ids: set[str] | None = None
    status_ids: set[str] | None = None
    method: str | None = None


class OrderBook:
    """Every OMS order, indexed by id, orderName, externalId, customer and date."""

    def __init__(self, world: World, inventory: Inventory, clock: Callable[[], datetime]) -> None:
        self._world, self._inventory, self._clock = world, inventory, clock
        self.seeder = Seeder(world)
        self._seeded: dict[str, Order] = {o.id: o for o in world.orders if o.in_oms}
        self._records: dict[str, OrderRecord] = {}
        self._by_name = {o.number: o.id for o in self._seeded.values()}
        self._by_external = {
            str(o.shopify_order_id): o.id for o in self._seeded.values() if o.shopify_order_id
        }
        self._by_party: dict[str, list[str]] = {}
        for order in self._seeded.values():
            self._by_party.setdefault(order.customer_id or "_NA_", []).append(order.id)
        self._by_date = sorted((o.placed_at, o.id) for o in self._seeded.values())
        self._shipment_owner = {s.id: o.id for o in self._seeded.values() for s in o.shipments}
        all_shipments = [int(s.id[3:]) for o in world.orders for s in o.shipments]
        self._next_shipment = max(all_shipments, default=100_000) + 1
        self._next_order = max((int(o.id[3:]) for o in world.orders), default=10_000) + 1

    # ------------------------------------------------------------ lookups

    def find_id(self, key: str) -> str | None:
        """The orderId for an orderId, orderName or externalId; None if the OMS has no such order."""
        if key in self._seeded or key in self._records:
            return key
        return self._by_name.get(key) or self._by_external.get(key)

    def id_by_name(self, order_name: str) -> str | None:
        return self._by_name.get(order_name)

    def id_by_external_id(self, external_id: str) -> str | None:
        return self._by_external.get(external_id)

    def get(self, order_id: str) -> OrderRecord:
        record = self._records.get(order_id)
        if record is None:
            seeded = self._seeded.get(order_id)
            if seeded is None:
                raise OmsError.not_found("Order", order_id)
            record = self._records[order_id] = self.seeder.order(seeded)
        return record

    def _status(self, order_id: str) -> str:
        record = self._records.get(order_id)
        return record.status_id if record else seeded_status(self._seeded[order_id])

    def _updated(self, order_id: str) -> datetime:
        record = self._records.get(order_id)
        return record.updated_at if record else self._seeded[order_id].updated_at

    def _channel(self, order_id: str) -> str:
        record = self._records.get(order_id)
        return record.channel_enum_id if record else CHANNEL_ENUM_IDS[self._seeded[order_id].channel]

    def _placed(self, order_id: str) -> datetime:
        record = self._records.get(order_id)
        return record.order_date if record else self._seeded[order_id].placed_at

    def search(self, query: OrderQuery) -> list[str]:
        """Order ids matching every given filter, newest (by orderDate) first."""
        candidates: Iterator[str]
        if query.order_name is not None or query.external_id is not None or query.party_id is not None:
            ids: set[str] | None = None
            for found in (
                None if query.order_name is None else {self._by_name.get(query.order_name, "")},
                None if query.external_id is None else {self._by_external.get(query.external_id, "")},
                None if query.party_id is None else set(self._by_party.get(query.party_id, ())),
            ):
                if found is not None:
                    ids = found if ids is None else ids & found
            ids = (ids or set()) - {""}
            candidates = iter(sorted(ids, key=lambda i: (self._placed(i), i), reverse=True))
        else:
            candidates = (order_id for _, order_id in reversed(self._by_date))
        return [order_id for order_id in candidates if self._matches(order_id, query)]

    def _matches(self, order_id: str, query: OrderQuery) -> bool:
        if query.status_ids is not None and self._status(order_id) not in query.status_ids:
            return False
        if query.channel_ids is not None and self._channel(order_id) not in query.channel_ids:
            return False
        if query.updated_from is not None and self._updated(order_id) < query.updated_from:
            return False
        if query.date_from is not None and self._placed(order_id) < query.date_from:
            return False
        return query.date_thru is None or self._placed(order_id) < query.date_thru

    # ------------------------------------------------------------ changes

    def _mutate(self, order: OrderRecord, change: Callable[[], bool]) -> bool:
        committed, shipped = order.open_commitments(), order.shipped_stock()
        changed = change()
        if changed:
            self._inventory.move(order.open_commitments(), committed, order.shipped_stock() - shipped)
        return changed

    def _new_shipment_id(self) -> str:
        shipment_id = f"SHP{self._next_shipment}"
        self._next_shipment += 1
        return shipment_id

    def new_order_id(self) -> str:
        order_id = f"OMS{self._next_order}"
        self._next_order += 1
        return order_id

    def add(self, record: OrderRecord) -> None:
        """Index a newly created order and commit its units."""
        self._records[record.order_id] = record
        if record.order_name:
            self._by_name[record.order_name] = record.order_id
        if record.external_id:
            self._by_external[record.external_id] = record.order_id
        self._by_party.setdefault(record.party_id, []).append(record.order_id)
        bisect.insort(self._by_date, (record.order_date, record.order_id))
        self._inventory.move(record.open_commitments(), Counter(), Counter())

    def change_status(self, order_id: str, target: str, by: str, reason: str | None) -> OrderRecord:
        order = self.get(order_id)
        now = self._clock()
        self._mutate(
            order, lambda: change_order_status(order, target, now, by, reason, self._new_shipment_id)
        )
        for shipment in order.shipments:
            self._shipment_owner.setdefault(shipment.shipment_id, order.order_id)
        return order

    def touch(self, order_id: str) -> OrderRecord:
        """The order, marked as updated now (a return or refund changed something about it)."""
        order = self.get(order_id)
        order.updated_at = self._clock()
        return order

    # ------------------------------------------------------------ shipments

    def shipment(self, shipment_id: str) -> tuple[OrderRecord, ShipmentRecord]:
        owner = self._shipment_owner.get(shipment_id)
        if owner is None:
            raise OmsError.not_found("Shipment", shipment_id)
        order = self.get(owner)
        return order, next(s for s in order.shipments if s.shipment_id == shipment_id)

    def search_shipments(self, query: ShipmentQuery) -> list[str]:
        """Ids of shipments matching every filter, newest first; seeded orders are not built for it."""
        if query.order_id is not None:
            found_id = self.find_id(query.order_id)
            order_ids = [found_id] if found_id else []
        else:
            order_ids = list(dict.fromkeys(self._shipment_owner.values()))
        found: list[tuple[datetime, str]] = []
        for order_id in order_ids:
            record = self._records.get(order_id)
            if record is not None:
                rows = [
                    (s.shipment_id, s.status_id, s.facility_id, s.method, s.created_at)
                    for s in record.shipments
                ]
            else:
                seeded = self._seeded[order_id]
                method = SHIPMENT_METHODS[seeded.fulfilment_type]
                rows = [
                    (s.id, seeded_shipment_status(s), s.location_code, method, s.created_at)
                    for s in seeded.shipments
                ]
            found.extend(
                (created, shipment_id)
                for shipment_id, status_id, facility_id, method, created in rows
                if (query.status_ids is None or status_id in query.status_ids)
                and (query.facility_ids is None or facility_id in query.facility_ids)
                and (query.method is None or method == query.method)
            )
        return [shipment_id for _, shipment_id in sorted(found, reverse=True)]

    def change_shipment_status(
        self, shipment_id: str, target: str, by: str, tracking_id: str | None, carrier_party_id: str | None
    ) -> ShipmentRecord:
        order, shipment = self.shipment(shipment_id)
        now = self._clock()
        self._mutate(
            order,
            lambda: change_shipment_status(order, shipment, target, now, by, tracking_id, carrier_party_id),
        )
        return shipment
