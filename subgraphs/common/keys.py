"""Which keys a client sends (SKUs, order numbers, ids) can name a record at all.

A blank key, or one holding a double quote, names nothing in any system: no
SKU, order number or id of ours has one, and Shopify's search syntax (SKUs and
order numbers are looked up by search there) cannot even say it, so asking
would be answered with an error blaming the system (``UPSTREAM_REJECTED``,
``UPSTREAM_REQUEST_INVALID``). Look-ups skip such keys: "no such record",
without a call.
"""

from __future__ import annotations

__all__ = ["can_name_a_record"]


def can_name_a_record(key: str) -> bool:
    """Whether ``key`` may be some system's key: not blank, and without a double quote."""
    return bool(key.strip()) and '"' not in key
