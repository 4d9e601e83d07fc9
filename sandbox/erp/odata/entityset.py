"""What a service implements per entity set: look-up by key, scans, navigation, writes.

The engine does everything generic (paths, options, paging, serialisation,
ETags); an :class:`EntitySet` only answers rows. Rows are typed dicts keyed
by property name. ``scan`` may use the filter's hints to look rows up by
index instead of walking everything: the engine applies the full filter to
whatever comes back, so a hint is an optimisation, never a semantic change.
Writes raise 405 unless a set overrides them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox.erp.odata.edm import EntityType, Row
from sandbox.erp.odata.errors import METHOD_NOT_ALLOWED, ODataError
from sandbox.erp.odata.filter import Hints

__all__ = ["EntitySet", "Navigated"]

Navigated = list[Row] | Row | None
"""A navigation's result: a list for to-many, a row or None for to-one."""


class EntitySet:
    """Base class: a read-only entity set."""

    def __init__(self, etype: EntityType) -> None:
        self.etype = etype

    @property
    def name(self) -> str:
        return self.etype.set_name

    def get(self, key: dict[str, Any]) -> Row | None:
        """The row with this key, or None."""
        raise NotImplementedError

    def scan(self, hints: Hints) -> Iterable[Row]:
        """Every row in key order, or a superset of the matching rows when ``hints`` narrow it."""
        raise NotImplementedError

    def navigate(self, row: Row, nav: str) -> Navigated:
        """Follow navigation property ``nav`` from ``row``."""
        raise NotImplementedError(f"{self.name}: navigation {nav}")

    def _not_allowed(self, what: str) -> ODataError:
        return ODataError(405, METHOD_NOT_ALLOWED, f"{what} is not supported for entity set '{self.name}'")

    def create(self, body: dict[str, Any]) -> Row:
        """Insert an entity (with deep-inserted children) and answer its row."""
        raise self._not_allowed("Creating entities")

    def update(self, row: Row, body: dict[str, Any]) -> Row:
        """Apply a PATCH/MERGE/PUT body to ``row`` and answer the changed row."""
        raise self._not_allowed("Updating entities")

    def delete(self, row: Row) -> None:
        raise self._not_allowed("Deleting entities")
