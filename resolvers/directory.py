"""Location ids across systems: our id (the OMS facility id) <-> each system's own id.

The OMS facility record carries every system's id for a location (ERP plant,
Square and Shopify location ids), so the location master
(:class:`~resolvers.ports.LocationSource`) is the one directory; the ERP, POS
and Shopify connectors translate through a :class:`LocationDirectory` instead
of each keeping their own table. The directory reloads the master after
``ttl`` seconds (a new store opens without a restart); when reloading fails
it keeps answering from the last good list.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable

from resolvers.domain import Location, System
from resolvers.errors import ConnectorError
from resolvers.ports import LocationSource

__all__ = ["LocationDirectory", "LocationMap"]


class LocationMap:
    """One snapshot of the location master, indexed both ways for every system."""

    def __init__(self, locations: Iterable[Location]) -> None:
        self.locations = {location.id: location for location in locations}
        self._to_system: dict[System, dict[str, str]] = {}
        self._from_system: dict[System, dict[str, str]] = {}
        for location in self.locations.values():
            for ref in location.refs:
                self._to_system.setdefault(ref.system, {})[location.id] = ref.id
                self._from_system.setdefault(ref.system, {})[ref.id] = location.id

    def system_id(self, system: System, location_id: str) -> str | None:
        """``system``'s id for our location ``location_id`` (None where that system does not have it)."""
        return self._to_system.get(system, {}).get(location_id)

    def location_id(self, system: System, system_id: str) -> str | None:
        """Our location id for ``system``'s ``system_id`` (None when unknown)."""
        return self._from_system.get(system, {}).get(system_id)

    def system_ids(self, system: System) -> dict[str, str]:
        """Our id -> ``system``'s id, for every location that system has."""
        return dict(self._to_system.get(system, {}))


class LocationDirectory:
    """The current :class:`LocationMap`, loaded from ``source`` and refreshed after ``ttl`` seconds."""

    def __init__(
        self, source: LocationSource, *, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._source = source
        self._ttl = ttl
        self._clock = clock
        self._map: LocationMap | None = None
        self._loaded_at = 0.0
        self._loading: asyncio.Future[LocationMap] | None = None

    @classmethod
    def of(cls, locations: Iterable[Location]) -> LocationDirectory:
        """A fixed directory (tests, or a deployment that configures locations statically)."""
        directory = cls(_Fixed(list(locations)), ttl=float("inf"))
        directory._map = LocationMap(directory._source_locations())
        return directory

    def _source_locations(self) -> list[Location]:
        assert isinstance(self._source, _Fixed)
        return self._source.fixed

    async def map(self) -> LocationMap:
        """The current map; loads it on first use and after ``ttl`` (keeping the old one if that fails).

        Concurrent callers share one load and wake together, in the same event-loop tick: the
        dataloaders they go on to use still see all their keys in one batch.
        """
        current = self._map
        if current is not None and self._clock() - self._loaded_at < self._ttl:
            return current
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load())
        return await asyncio.shield(self._loading)

    async def _load(self) -> LocationMap:
        try:
            self._map = LocationMap(await self._source.locations())
        except ConnectorError:
            if self._map is None:
                raise
        finally:
            self._loading = None
        self._loaded_at = self._clock()
        return self._map


class _Fixed:
    def __init__(self, locations: list[Location]) -> None:
        self.fixed = locations

    async def locations(self) -> list[Location]:
        return list(self.fixed)
