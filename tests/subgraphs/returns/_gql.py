"""The documents the returns tests send, and a helper to build authorizeReturn's variables."""

from __future__ import annotations

from typing import Any

__all__ = ["AUTHORIZE", "CUSTOMER_RETURNS", "ORDER_RETURNS", "RETURN", "authorize_vars"]

RETURN_FIELDS = """
  id rmaNumber order { id } status refundMethod refund { amount currencyCode } createdAt
  lines { orderLineId variant { sku } quantity reason }
  timeline { at system type message } externalRefs { system id }
"""

AUTHORIZE = f"""
mutation Authorize($input: AuthorizeReturnInput!, $key: ID!) {{
  authorizeReturn(input: $input, idempotencyKey: $key) {{
    replayed
    userErrors {{ code field message }}
    return {{ {RETURN_FIELDS} }}
  }}
}}
"""

RETURN = f"""
query Return($id: ID!) {{ returnAuthorization(id: $id) {{ {RETURN_FIELDS} }} }}
"""

ORDER_RETURNS = f"""
query OrderReturns($r: [_Any!]!) {{
  _entities(representations: $r) {{ ... on Order {{ id returns {{ {RETURN_FIELDS} }} }} }}
}}
"""

CUSTOMER_RETURNS = """
query CustomerReturns($r: [_Any!]!, $first: Int) {
  _entities(representations: $r) { ... on Customer { id returns(first: $first) { id createdAt status } } }
}
"""


def authorize_vars(
    order: str,
    lines: list[tuple[int | str, int, str]],
    key: str,
    **extra: Any,
) -> dict[str, Any]:
    """Variables for AUTHORIZE: ``lines`` as (line number or full line id, quantity, reason)."""
    return {
        "key": key,
        "input": {
            "orderId": order,
            "lines": [
                {
                    "orderLineId": line if isinstance(line, str) else f"{order}-{line}",
                    "quantity": quantity,
                    "reason": reason,
                }
                for line, quantity, reason in lines
            ],
            **extra,
        },
    }
