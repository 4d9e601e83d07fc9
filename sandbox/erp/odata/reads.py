"""Collection reads: filter, order, count, window and server-driven paging.

The window is ``rows[$skip : $skip + $top]``; a page is at most ``page_size``
rows of it starting at ``$skiptoken``. When rows of the window remain, the
answer carries ``__next``: the same URL with ``$skiptoken`` advanced. Rows
are pulled lazily from the entity set, so a page of a huge set costs only
the rows before it; $inlinecount counts in a second pass and $orderby sorts
in memory (at most :data:`MAX_SORTED` entities).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import quote, urlencode

from sandbox.erp.odata.edm import Row
from sandbox.erp.odata.entityset import EntitySet
from sandbox.erp.odata.errors import BAD_OPTION, ODataError
from sandbox.erp.odata.filter import parse_filter
from sandbox.erp.odata.query import QueryOptions, parse_orderby

__all__ = ["MAX_SORTED", "Page", "count_rows", "next_link", "read_page"]

MAX_SORTED = 1_000_000
"""$orderby sorts in memory; beyond this many matching entities it is a 400 (narrow the $filter)."""


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    count: int | None
    next_skiptoken: int | None


def _sorted(rows: Iterable[Row], keys: list[tuple[str, bool]]) -> list[Row]:
    out = list(islice(rows, MAX_SORTED + 1))
    if len(out) > MAX_SORTED:
        raise ODataError(
            400, BAD_OPTION, f"$orderby over more than {MAX_SORTED} entities: narrow the $filter"
        )
    for name, descending in reversed(keys):
        out.sort(key=lambda row: (row.get(name) is not None, row.get(name)), reverse=descending)
    return out


def _matching(entity_set: EntitySet, options: QueryOptions, source: Iterable[Row] | None) -> Iterable[Row]:
    compiled = parse_filter(options.filter, entity_set.etype) if options.filter is not None else None
    rows = source if source is not None else entity_set.scan(compiled.hints if compiled else {})
    if compiled is None:
        return rows
    predicate = compiled.predicate
    return (row for row in rows if predicate(row))


def count_rows(entity_set: EntitySet, options: QueryOptions, source: Iterable[Row] | None) -> int:
    """``$count``: matching rows within $skip/$top."""
    rows = islice(_matching(entity_set, options, source), options.skip, None)
    top = options.top
    return sum(1 for _ in (rows if top is None else islice(rows, top)))


def read_page(
    entity_set: EntitySet, options: QueryOptions, source: Iterable[Row] | None, page_size: int
) -> Page:
    """One page of a collection read (``source`` is a navigation's rows, else the whole set)."""
    rows: Iterable[Row] = _matching(entity_set, options, source)
    keys = parse_orderby(options.values.get("$orderby"), entity_set.etype)
    if keys:
        rows = _sorted(rows, keys)
    count: int | None = None
    if options.inlinecount:
        # A second pass rather than a list: the large world's stock rows would not fit in memory.
        count = (
            len(rows) if isinstance(rows, list) else sum(1 for _ in _matching(entity_set, options, source))
        )
    start = options.skip + options.skiptoken
    top = options.top
    window_end = None if top is None else options.skip + top
    page_end = start + page_size
    take_end = page_end if window_end is None else min(page_end, window_end)
    iterator: Iterator[Row] = iter(rows)
    page = list(islice(iterator, start, max(start, take_end) + 1))
    more = len(page) > take_end - start and (window_end is None or take_end < window_end)
    page = page[: max(0, take_end - start)]
    next_token = options.skiptoken + len(page) if more else None
    return Page(page, count, next_token)


def next_link(url: str, options: QueryOptions, skiptoken: int) -> str:
    """``url`` with the request's query options and ``$skiptoken`` replaced."""
    pairs: list[tuple[str, Any]] = [(k, v) for k, v in options.pairs if k != "$skiptoken"]
    pairs.append(("$skiptoken", str(skiptoken)))
    return url + "?" + urlencode(pairs, quote_via=quote, safe="$'(),/:*")
