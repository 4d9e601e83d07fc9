"""What ``submitOrder`` accepts: the request as plain values, and every problem a caller can fix in it.

Two passes, each collecting every problem (answered together as
``userErrors``, field paths in the input's GraphQL names):

* :func:`check_request`, on the request alone (no I/O);
* :func:`check_references`, against what the systems know: the catalog's
  variants, whether any system knows the customer, the location master.

=========================  ==========================================  ======================================
code                       field                                       when
=========================  ==========================================  ======================================
NO_LINES                   lines                                       no line
TOO_MANY_LINES             lines                                       more than ``orders.max_lines`` (its
                                                                       lines are then not checked one by one)
QUANTITY_NOT_POSITIVE      lines.i.quantity                            quantity < 1
QUANTITY_TOO_LARGE         lines.i.quantity                            above ``orders.max_quantity_per_line``
DUPLICATE_SKU              lines.i.sku                                 a SKU on an earlier line too (one line
                                                                       per SKU: we do not merge them)
UNKNOWN_SKU                lines.i.sku                                 not in the catalog
MISSING_SHIPPING_ADDRESS   fulfilment.shippingAddress                  SHIP without an address
INVALID_COUNTRY_CODE       fulfilment.shippingAddress.countryCode      not two letters (ISO 3166 alpha-2)
MISSING_PICKUP_LOCATION    fulfilment.pickupLocationId                 PICKUP without a location
UNKNOWN_LOCATION           fulfilment.pickupLocationId                 no such location
PICKUP_NOT_AVAILABLE       fulfilment.pickupLocationId                 a location without pickup
MISSING_EMAIL              email                                       a guest (no customerId) without email
INVALID_EMAIL              email                                       not an e-mail address
UNKNOWN_CUSTOMER           customerId                                  known to no system
MISSING_PAYMENT_REFERENCE  paymentReference                            blank
=========================  ==========================================  ======================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from resolvers.domain import Address, FulfilmentType, Location, Variant
from subgraphs.common.settings import OrderRules
from subgraphs.domain.enums import Channel
from subgraphs.domain.problems import Problem, field_path

__all__ = ["LineRequest", "SubmitRequest", "check_references", "check_request"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_PICKUP = field_path("fulfilment", "pickupLocationId")


@dataclass(frozen=True, slots=True)
class LineRequest:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class SubmitRequest:
    """``SubmitOrderInput`` as plain values."""

    channel: Channel
    lines: tuple[LineRequest, ...]
    fulfilment_type: FulfilmentType
    payment_reference: str
    customer_id: str | None = None
    email: str | None = None
    shipping_address: Address | None = None
    pickup_location_id: str | None = None


def _line_problems(request: SubmitRequest, rules: OrderRules) -> list[Problem]:
    problems: list[Problem] = []
    if not request.lines:
        problems.append(Problem("NO_LINES", field_path("lines"), "An order needs at least one line."))
    elif len(request.lines) > rules.max_lines:
        message = f"An order has at most {rules.max_lines} lines."
        return [Problem("TOO_MANY_LINES", field_path("lines"), message)]  # not a problem per line too
    seen: set[str] = set()
    for i, line in enumerate(request.lines):
        if line.quantity < 1:
            problems.append(
                Problem(
                    "QUANTITY_NOT_POSITIVE",
                    field_path("lines", i, "quantity"),
                    f"Line {i + 1}: the quantity must be at least 1.",
                )
            )
        elif line.quantity > rules.max_quantity_per_line:
            problems.append(
                Problem(
                    "QUANTITY_TOO_LARGE",
                    field_path("lines", i, "quantity"),
                    f"Line {i + 1}: at most {rules.max_quantity_per_line} units per line.",
                )
            )
        if line.sku in seen:
            problems.append(
                Problem(
                    "DUPLICATE_SKU",
                    field_path("lines", i, "sku"),
                    f"Line {i + 1}: SKU {line.sku} is on an earlier line; order it on one line.",
                )
            )
        seen.add(line.sku)
    return problems


def _fulfilment_problems(request: SubmitRequest) -> list[Problem]:
    if request.fulfilment_type == "PICKUP":
        if not (request.pickup_location_id or "").strip():
            return [Problem("MISSING_PICKUP_LOCATION", _PICKUP, "A pickup order needs a pickup location.")]
        return []
    address = request.shipping_address
    if address is None:
        return [
            Problem(
                "MISSING_SHIPPING_ADDRESS",
                field_path("fulfilment", "shippingAddress"),
                "An order to ship needs a shipping address.",
            )
        ]
    if not _COUNTRY.match(address.country_code):
        return [
            Problem(
                "INVALID_COUNTRY_CODE",
                field_path("fulfilment", "shippingAddress", "countryCode"),
                f"{address.country_code!r} is not a two-letter country code (ISO 3166-1 alpha-2).",
            )
        ]
    return []


def check_request(request: SubmitRequest, rules: OrderRules) -> list[Problem]:
    """Every problem of the request on its own (see the module's table)."""
    problems = _line_problems(request, rules) + _fulfilment_problems(request)
    email = request.email.strip() if request.email is not None else ""
    if request.customer_id is None and not email:
        problems.append(
            Problem("MISSING_EMAIL", field_path("email"), "A guest order needs an e-mail address.")
        )
    elif email and not _EMAIL.match(email):
        problems.append(Problem("INVALID_EMAIL", field_path("email"), f"{email!r} is not an e-mail address."))
    if not request.payment_reference.strip():
        problems.append(
            Problem(
                "MISSING_PAYMENT_REFERENCE",
                field_path("paymentReference"),
                "The payment authorisation's reference is required.",
            )
        )
    return problems


def check_references(
    request: SubmitRequest,
    *,
    variants: Mapping[str, Variant | None],
    customer_known: bool | None,
    locations: Mapping[str, Location],
) -> list[Problem]:
    """Every problem of what the request names (``customer_known`` None: no customer named)."""
    problems = [
        Problem("UNKNOWN_SKU", field_path("lines", i, "sku"), f"Line {i + 1}: SKU {line.sku} is not sold.")
        for i, line in enumerate(request.lines)
        if variants.get(line.sku) is None
    ]
    if customer_known is False:
        problems.append(
            Problem("UNKNOWN_CUSTOMER", field_path("customerId"), f"No customer {request.customer_id}.")
        )
    pickup = request.pickup_location_id
    if request.fulfilment_type == "PICKUP" and pickup:
        location = locations.get(pickup)
        if location is None:
            problems.append(Problem("UNKNOWN_LOCATION", _PICKUP, f"No location {pickup}."))
        elif not location.pickup_enabled:
            problems.append(
                Problem("PICKUP_NOT_AVAILABLE", _PICKUP, f"{location.name} ({pickup}) does not offer pickup.")
            )
    return problems
