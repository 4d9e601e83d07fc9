"""Relay connections with Shopify's opaque cursors.

A cursor is base64 of ``{"last_id": ..., "last_value": ...}``: the sort value and
id of the item it points at, so a page boundary survives inserts. Lists held in
memory are paged by binary search on their sort key (:func:`paginate`); the
sparse (variant x location) grid of the large world is paged by scanning
indices lazily (:func:`paginate_indexed`), never materialised.
"""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson

from sandbox.shopify.errors import bad_request

__all__ = ["MAX_PAGE", "Connection", "Edge", "PageArgs", "PageInfo", "paginate", "paginate_indexed"]

MAX_PAGE = 250

T = TypeVar("T")
U = TypeVar("U")
Key = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@dataclass(frozen=True, slots=True)
class Edge(Generic[T]):
    cursor: str
    node: T


@dataclass(frozen=True, slots=True)
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @property
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    def map(self, fn: Callable[[T], U]) -> Connection[U]:
        """The same page with every node passed through ``fn``."""
        return Connection([Edge(edge.cursor, fn(edge.node)) for edge in self.edges], self.page_info)


@dataclass(frozen=True, slots=True)
class PageArgs:
    """Validated ``first/after/last/before/reverse`` arguments of a connection field."""

    first: int | None
    after: Key | None
    last: int | None
    before: Key | None
    reverse: bool

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> PageArgs:
        first, last = args.get("first"), args.get("last")
        if first is None and last is None:
            raise bad_request("you must provide one of first or last")
        if first is not None and last is not None:
            raise bad_request("providing both first and last is not supported")
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 0 <= value <= MAX_PAGE:
                raise bad_request(f"The {name} argument must be between 0 and {MAX_PAGE}")
        return cls(
            first=first,
            after=_decode(args["after"]) if args.get("after") else None,
            last=last,
            before=_decode(args["before"]) if args.get("before") else None,
            reverse=bool(args.get("reverse")),
        )


def encode_cursor(key: Key) -> str:
    payload = {"last_id": key[-1], "last_value": key[0] if len(key) > 1 else key[-1]}
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def _decode(cursor: str) -> Key:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = orjson.loads(raw)
        return (payload["last_value"], payload["last_id"])
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise bad_request(f"Invalid cursor '{cursor}'") from exc


def _as_key(key: Key) -> Key:
    return key if len(key) > 1 else (key[0], key[0])


def paginate(items: Sequence[T], key: Callable[[T], Key], page: PageArgs) -> Connection[T]:
    """One page of ``items`` (sorted ascending by ``key``, whose last element is the id)."""
    n = len(items)

    def full(item: T) -> Key:
        return _as_key(key(item))

    start, end = 0, n
    try:
        if page.after is not None:
            pos = (bisect.bisect_left if page.reverse else bisect.bisect_right)(items, page.after, key=full)
            start = n - pos if page.reverse else pos
        if page.before is not None:
            pos = (bisect.bisect_right if page.reverse else bisect.bisect_left)(items, page.before, key=full)
            end = n - pos if page.reverse else pos
    except TypeError as exc:
        raise bad_request("Invalid cursor for the current sort order") from exc
    end = max(end, start)
    if page.first is not None:
        end = min(end, start + page.first)
    if page.last is not None:
        start = max(start, end - page.last)
    chosen = [items[n - 1 - i] if page.reverse else items[i] for i in range(start, end)]
    edges = [Edge(encode_cursor(full(item)), item) for item in chosen]
    return _connection(edges, has_previous=start > 0, has_next=end < n)


def paginate_indexed(count: int, present: Callable[[int], T | None], page: PageArgs) -> Connection[T]:
    """One page over indices ``0..count-1`` where ``present(i)`` is the node at ``i`` or None (a gap)."""

    def actual(p: int) -> int:
        return count - 1 - p if page.reverse else p

    def presented(cursor: Key) -> int:
        index = cursor[-1]
        if not isinstance(index, int):
            raise bad_request("Invalid cursor for this connection")
        return count - 1 - index if page.reverse else index

    lo = presented(page.after) + 1 if page.after is not None else 0
    hi = presented(page.before) if page.before is not None else count
    lo, hi = max(lo, 0), min(hi, count)
    found: list[tuple[int, T]] = []
    if page.first is not None:
        p = lo
        while p < hi and len(found) < page.first:
            node = present(actual(p))
            if node is not None:
                found.append((p, node))
            p += 1
    else:
        assert page.last is not None
        p = hi - 1
        while p >= lo and len(found) < page.last:
            node = present(actual(p))
            if node is not None:
                found.append((p, node))
            p -= 1
        found.reverse()
    first_p = found[0][0] if found else lo
    last_p = found[-1][0] if found else hi - 1
    has_previous = any(present(actual(p)) is not None for p in range(first_p - 1, -1, -1))
    has_next = any(present(actual(p)) is not None for p in range(last_p + 1, count))
    edges = [Edge(encode_cursor((actual(p),)), node) for p, node in found]
    return _connection(edges, has_previous=has_previous, has_next=has_next)


def _connection(edges: list[Edge[T]], *, has_previous: bool, has_next: bool) -> Connection[T]:
    info = PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges, info)
