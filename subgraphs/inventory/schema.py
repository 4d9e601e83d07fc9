"""The inventory subgraph: ``Variant.availability``, available-to-sell per channel and per location.

Figures come from the OMS, the inventory authority (on hand, committed and
soft reservations, unavailable, safety stock, incoming for every location),
one call per request for every (SKU, location) the request needs (a
dataloader gathers them, one key per SKU and set of locations). When the
OMS cannot answer and has nothing cached, the stores' figures come from
the POS and the rest from Shopify instead (one call each). The arithmetic is :mod:`subgraphs.domain.stock`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import strawberry
import strawberry.federation as fed
from aiodataloader import DataLoader
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from resolvers import domain
from resolvers.errors import ConnectorError
from resolvers.loaders import SkuStockKey, sku_stock_loader
from resolvers.ports import StockSource
from subgraphs.common.app import RequestContext
from subgraphs.common.errors import BadUserInput
from subgraphs.common.federation import FederatedSchema
from subgraphs.common.types import Channel
from subgraphs.domain.enums import Channel as DomainChannel
from subgraphs.domain.enums import StockStatus as DomainStockStatus
from subgraphs.domain.stock import (
    ChannelRules,
    LocationStock,
    eligible_locations,
    network_availability,
    pick_location_stock,
)

__all__ = ["Availability", "LocationAvailability", "Variant", "schema"]

Info = strawberry.Info[RequestContext, None]
StockStatus = strawberry.enum(DomainStockStatus, name="StockStatus")
RULES = ChannelRules()


@fed.type(directives=[Key(fields=FieldSet("id"), resolvable=False)])
class Location:
    id: strawberry.ID


@strawberry.type(description="Stock of one SKU at one location (availableToSell floored at 0).")
class LocationAvailability:
    location: Location
    available_to_sell: int
    on_hand: int
    committed: int
    reserved: int
    safety_stock: int
    unavailable: int = strawberry.field(description="Damaged, in quality control or blocked.")
    incoming: int

    @classmethod
    def of(cls, stock: LocationStock) -> LocationAvailability:
        return cls(
            location=Location(id=strawberry.ID(stock.location_id)),
            available_to_sell=stock.ats,
            on_hand=stock.on_hand,
            committed=stock.committed,
            reserved=stock.reserved,
            safety_stock=stock.safety_stock,
            unavailable=stock.unavailable,
            incoming=stock.incoming,
        )


def _location_figures(root: Availability) -> list[LocationAvailability]:
    """Built only when asked: a listing page wants the totals of many SKUs, not each location's figures."""
    return [LocationAvailability.of(stock) for stock in root.per_location]


@strawberry.type
class Availability:
    sku: strawberry.ID
    channel: Channel  # type: ignore[valid-type]
    available_to_sell: int
    status: StockStatus  # type: ignore[valid-type]
    locations: list[LocationAvailability] = strawberry.field(resolver=_location_figures)
    as_of: datetime
    stale: bool
    per_location: strawberry.Private[list[LocationStock]]


def _loader(info: Info, source: StockSource) -> DataLoader[SkuStockKey, list[domain.StockLevel]]:
    return info.context.loader(f"stock.{source.system}", lambda: sku_stock_loader(source))


def _eligible(
    info: Info, known: dict[str, domain.Location], channel: DomainChannel, wanted: list[str] | None
) -> tuple[list[domain.Location], tuple[str, ...]]:
    """The locations (and their ids) that count for ``channel``: once per request, not per variant."""

    def pick() -> tuple[list[domain.Location], tuple[str, ...]]:
        locations = eligible_locations(list(known.values()), channel, RULES, wanted)
        return locations, tuple(location.id for location in locations)

    named = "*" if wanted is None else ",".join(wanted)
    return info.context.loader(f"stock.locations.{channel.value}.{named}", pick)


async def _levels(
    info: Info, sku: str, locations: Sequence[domain.Location], ids: tuple[str, ...]
) -> list[domain.StockLevel]:
    """The figures for ``sku`` at ``locations``: the OMS's, or the POS's and Shopify's when it fails."""
    systems = info.context.systems
    try:
        return await _loader(info, systems.oms).load((sku, ids))
    except ConnectorError:
        stores = tuple(loc.id for loc in locations if loc.type == "STORE")
        others = tuple(loc.id for loc in locations if loc.type != "STORE")
        from_pos = await _loader(info, systems.pos).load((sku, stores)) if stores else []
        from_shopify = await _loader(info, systems.shopify).load((sku, others)) if others else []
        return [*from_pos, *from_shopify]


@fed.type(keys=["sku"])
class Variant:
    sku: strawberry.ID

    @classmethod
    async def resolve_reference(cls, info: Info, sku: strawberry.ID) -> Variant:
        return cls(sku=sku)

    @strawberry.field(
        description="Available-to-sell for a channel. Without locationIds: every location that serves "
        "the channel. Never negative."
    )
    async def availability(
        self,
        info: Info,
        channel: Channel = DomainChannel.ONLINE,  # type: ignore[valid-type]
        location_ids: list[strawberry.ID] | None = None,
    ) -> Availability:
        known = (await info.context.systems.directory.map()).locations
        if location_ids is not None:
            unknown = [str(i) for i in location_ids if str(i) not in known]
            if unknown:
                raise BadUserInput(f"unknown location ids: {', '.join(unknown)}", argument="locationIds")
        wanted = [str(i) for i in location_ids] if location_ids is not None else None
        locations, ids = _eligible(info, known, channel, wanted)
        by_location: dict[str, list[domain.StockLevel]] = {}
        for level in await _levels(info, str(self.sku), locations, ids):
            by_location.setdefault(level.location_id, []).append(level)
        per_location = [
            stock
            for location in locations
            if (stock := pick_location_stock(by_location.get(location.id, []))) is not None
        ]
        network = network_availability(str(self.sku), channel, per_location, RULES)
        return Availability(
            sku=self.sku,
            channel=channel,
            available_to_sell=network.available_to_sell,
            status=network.status,
            per_location=per_location,
            as_of=network.as_of or datetime.now(UTC),
            stale=network.stale,
        )


schema = FederatedSchema(types=[Variant, Location], federation_version="2.9")
