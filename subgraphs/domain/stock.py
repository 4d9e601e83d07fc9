"""Available-to-sell: per location from the systems that answered, and over a channel's network.

**Per location.** ATS = on_hand - committed - reserved - safety_stock -
unavailable (damaged, quality control, blocked), signed for sums and checks,
floored at 0 for display; ``incoming`` is not counted. It is always computed
from the components of *one* system's figure, never from a system's own net
figure minus components again: Shopify's ``available`` and the OMS's ATP are
already net of committed and reserved, so they are kept only as
``reported_available``, a cross-check.

**Which system's figure.** Several systems report the same (SKU, location);
:func:`pick_location_stock` takes the whole figure of the first by
precedence, by default OMS (the inventory authority: on hand, committed plus
soft reservations, unavailable, safety stock), then POS (it sees the till
first, and answers for stores only), then SHOPIFY, then ERP (it lags the
tills). A stale figure of a higher system still beats a fresh one of a lower
system: a lower system does not know the authority's reservations, so its
figure would oversell; the answer is flagged stale instead. ``incoming`` is
the largest any system reports (purchase orders and transfers are known
unevenly), ``as_of`` the chosen figure's.

**Network.** For a channel without explicit locations, :class:`ChannelRules`
says which locations serve it: ONLINE and CALL_CENTER are fulfilled from
locations that fulfil online orders; STORE and CLIENTELING from stores with
pickup enabled. Network ATS = max(0, sum of per-location ATS - the channel's
buffer) (ONLINE keeps 2 units back by default: the web sells fastest and on
figures a few seconds old); the status is OUT_OF_STOCK at 0, LOW_STOCK up to
the threshold (5), else IN_STOCK; ``as_of`` is the oldest figure's, ``stale``
whether any figure is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from resolvers.domain import Location, StockLevel, System
from subgraphs.domain.enums import Channel, StockStatus
from subgraphs.domain.errors import RecordsMismatch

__all__ = [
    "DEFAULT_PRECEDENCE",
    "ChannelRules",
    "LocationStock",
    "NetworkAvailability",
    "eligible_locations",
    "network_availability",
    "pick_location_stock",
    "stock_status",
]

DEFAULT_PRECEDENCE: tuple[System, ...] = ("OMS", "POS", "SHOPIFY", "ERP")


@dataclass(slots=True)
class LocationStock:
    """One SKU at one location, from one system's figure (plus the best-known ``incoming``).

    Treat as immutable. Not ``frozen``: a listing page builds thousands (every SKU at every
    eligible location), and a frozen dataclass's ``__init__`` costs ~3x as much.
    """

    sku: str
    location_id: str
    on_hand: int
    committed: int
    reserved: int
    safety_stock: int
    unavailable: int
    incoming: int
    as_of: datetime | None
    stale: bool
    system: System
    reported_available: int | None = None
    """The system's own net figure, for checks only (never subtracted from)."""

    @property
    def ats_signed(self) -> int:
        return self.on_hand - self.committed - self.reserved - self.safety_stock - self.unavailable

    @property
    def ats(self) -> int:
        return max(0, self.ats_signed)


def _rank(system: System, precedence: Sequence[System]) -> int:
    return precedence.index(system) if system in precedence else len(precedence)


def pick_location_stock(
    levels: Sequence[StockLevel], precedence: Sequence[System] = DEFAULT_PRECEDENCE
) -> LocationStock | None:
    """The figures for one (SKU, location) from the systems that answered; None when none did.

    Systems missing from ``precedence`` rank after it, in the order given.
    Raises :class:`RecordsMismatch` when ``levels`` mix SKUs or locations.
    """
    if not levels:
        return None
    if len(levels) == 1:  # the usual case: only the authority was asked
        chosen = levels[0]
        incoming = chosen.incoming
    else:
        if len({(level.sku, level.location_id) for level in levels}) > 1:
            raise RecordsMismatch("stock levels of different SKUs or locations cannot be merged")
        chosen = min(levels, key=lambda level: _rank(level.system, precedence))  # first of the best rank
        incoming = max(level.incoming for level in levels)
    return LocationStock(  # positional: a listing page builds thousands
        chosen.sku,
        chosen.location_id,
        chosen.on_hand,
        chosen.committed,
        chosen.reserved,
        chosen.safety_stock,
        chosen.unavailable,
        incoming,
        chosen.as_of,
        chosen.stale,
        chosen.system,
        chosen.available,
    )


@dataclass(frozen=True, slots=True)
class ChannelRules:
    """Which locations serve a channel by default, the units each channel keeps back, and LOW_STOCK."""

    online_channels: frozenset[Channel] = frozenset({Channel.ONLINE, Channel.CALL_CENTER})
    """Served by the locations that fulfil online orders."""
    pickup_channels: frozenset[Channel] = frozenset({Channel.STORE, Channel.CLIENTELING})
    """Served by the stores with pickup enabled."""
    buffers: tuple[tuple[Channel, int], ...] = ((Channel.ONLINE, 2),)
    """(channel, units subtracted from the network total); channels not listed keep none back."""
    low_stock_threshold: int = 5

    def buffer(self, channel: Channel) -> int:
        return dict(self.buffers).get(channel, 0)

    def serves(self, location: Location, channel: Channel) -> bool:
        """Whether ``location`` serves ``channel`` when the caller names no locations."""
        if channel in self.online_channels and location.fulfills_online:
            return True
        return channel in self.pickup_channels and location.type == "STORE" and location.pickup_enabled


def eligible_locations(
    locations: Sequence[Location],
    channel: Channel,
    rules: ChannelRules,
    location_ids: Sequence[str] | None = None,
) -> list[Location]:
    """The locations to count for ``channel``.

    Without ``location_ids``: those the rules say serve the channel, in the
    given order. With them: exactly the named locations, in the order named,
    each once, whether or not they serve the channel (the caller asked for
    them); ids of no known location are left out.
    """
    if location_ids is None:
        return [location for location in locations if rules.serves(location, channel)]
    by_id = {location.id: location for location in locations}
    return [by_id[i] for i in dict.fromkeys(location_ids) if i in by_id]


def stock_status(available_to_sell: int, low_stock_threshold: int) -> StockStatus:
    if available_to_sell <= 0:
        return StockStatus.OUT_OF_STOCK
    return StockStatus.LOW_STOCK if available_to_sell <= low_stock_threshold else StockStatus.IN_STOCK


@dataclass(frozen=True, slots=True)
class NetworkAvailability:
    sku: str
    channel: Channel
    available_to_sell: int
    status: StockStatus
    locations: tuple[LocationStock, ...]
    as_of: datetime | None
    """The oldest figure's; None when no figure carries a time (or there is none)."""
    stale: bool


def network_availability(
    sku: str, channel: Channel, per_location: Sequence[LocationStock], rules: ChannelRules
) -> NetworkAvailability:
    """ATS of ``sku`` for ``channel`` over ``per_location`` (the eligible locations' figures).

    Raises :class:`RecordsMismatch` for a figure of another SKU or a location given twice
    (it would be counted twice).
    """
    total, stale = 0, False
    oldest: datetime | None = None
    for stock in per_location:  # one pass: a listing page sums thousands
        if stock.sku != sku:
            raise RecordsMismatch(f"stock of another SKU in the availability of {sku}")
        total += stock.ats
        moment = stock.as_of
        if moment is not None and (oldest is None or moment < oldest):
            oldest = moment
        stale = stale or stock.stale
    if len({stock.location_id for stock in per_location}) != len(per_location):
        raise RecordsMismatch(f"a location is given twice in the availability of {sku}")
    available = max(0, total - rules.buffer(channel))
    return NetworkAvailability(
        sku=sku,
        channel=channel,
        available_to_sell=available,
        status=stock_status(available, rules.low_stock_threshold),
        locations=tuple(per_location),
        as_of=oldest,
        stale=stale,
    )
