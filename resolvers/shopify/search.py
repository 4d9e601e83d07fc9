"""Shopify's search syntax (the ``query`` argument of list fields) and global ids, built safely.

Search terms: ``field:value`` terms joined with ``OR``; values are always
double-quoted so that a SKU or order number with a dash, colon or space reads
as one value (Shopify's syntax has no escape for a double quote, so a value
holding one is refused here rather than sent as a broken query).

Global ids: ``gid://shopify/{Resource}/{number}``; the canonical records keep
Shopify's numeric id (``legacyResourceId``) as ``system_id`` and in refs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from resolvers.errors import UpstreamRequestInvalid

__all__ = ["any_of", "gid", "gid_number", "product_search", "quoted"]

_GID = re.compile(r"^gid://shopify/([A-Za-z]+)/([0-9]+)(?:\?.*)?$")
_PLAIN_TOKEN = re.compile(r"^[A-Za-z0-9_.\-]+$")


def quoted(value: str, *, operation: str = "search") -> str:
    """``"value"`` for a search term; raises :class:`UpstreamRequestInvalid` for a value with a quote."""
    if '"' in value:
        raise UpstreamRequestInvalid(
            f"a search value cannot contain a double quote: {value!r}", system="shopify", operation=operation
        )
    return f'"{value}"'


def any_of(field: str, values: Iterable[str], *, operation: str = "search") -> str:
    """``field:"a" OR field:"b" ...`` (de-duplicated, in order)."""
    return " OR ".join(f"{field}:{quoted(v, operation=operation)}" for v in dict.fromkeys(values))


def product_search(text: str | None) -> str | None:
    """Our catalog query (matching title, brand or SKU) in Shopify's product search syntax.

    ``title`` and ``vendor`` match whole words (a quoted phrase matches the
    words in order); ``sku`` matches a whole SKU, and a single token is also
    tried as a SKU prefix (``sku:TEE-0001*``).
    """
    if text is None or not text.strip():
        return None
    value = " ".join(text.split())
    phrase = quoted(value, operation="products")
    terms = [f"title:{phrase}", f"vendor:{phrase}", f"sku:{phrase}"]
    if _PLAIN_TOKEN.match(value):
        terms.append(f"sku:{value}*")
    return " OR ".join(terms)


def gid(resource: str, number: int | str) -> str:
    return f"gid://shopify/{resource}/{number}"


def gid_number(value: str | None) -> str | None:
    """The number of a GID as a string (``"8000000001"``); None for None or a value that is not a GID."""
    if value is None:
        return None
    match = _GID.match(value)
    return match.group(2) if match else None
