"""What the retail benchmark asks: the apps' operations with variables from the seeded world.

The documents are the apps' own (``schema/operations/<app>/<Name>.graphql``);
the variables come from ``sandbox.world.build_world(seed, size)``, the world
the sandbox systems serve (seed 42, small: 60 products, 200 SKUs, 30
locations, 500 customers, 2,000 orders), drawn with a fixed random seed so
that every run asks the same things:

- **reads**: every query of the three apps, ``sets`` variable sets each
  (StoreLocator has none). The load picks an operation at random, all
  equally often, then one of its variable sets;
- **SubmitOrder** (storefront checkout, one unit shipped): a light share of
  the load with a fresh idempotency key and payment reference per request,
  over the :data:`SUBMIT_SKUS` SKUs with the most units on hand where online
  orders are fulfilled (hundreds each: a run takes a few units of each);
- **AuthorizeReturn** (customer service): a light share of the load, each
  request a different fulfilled, recent, not yet returned order (one unit of
  its first line) with a fresh idempotency key. The orders are few (one
  return per order and run), so each virtual user gets its own slice of the
  pool and sends reads once its slice is used up.

ReturnStatus asks for returns by the RMA number a system keeps (the OMS for
every order but store sales, the ERP once a store sale is posted); a return
only the till knows is found by its ``POS-<refund id>`` name, which the world
does not carry, so those are left out. ReserveForPickup
(clienteling) is left out: a store holds a dozen units of a
SKU, so repeated reservations would soon answer "out of stock", a different
(shorter) path than the one measured.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.paths import ROOT

__all__ = [
    "KEY_PLACEHOLDER",
    "OPERATIONS_DIR",
    "RetailRequest",
    "Workload",
    "availability_50x30",
    "build_workload",
]

OPERATIONS_DIR = ROOT / "schema" / "operations"
KEY_PLACEHOLDER = "__BENCH_UNIQUE__"
"""Replaced by the load generator with a fresh value per request (idempotency key, payment reference)."""

READS = (
    "storefront/ProductListing",
    "storefront/ProductDetail",
    "storefront/CartAvailability",
    "storefront/PickupAvailability",
    "storefront/StoreLocator",
    "storefront/OrderStatus",
    "clienteling/CustomerByEmail",
    "clienteling/CustomerProfile",
    "clienteling/StoreAvailability",
    "cs-portal/OrderByNumber",
    "cs-portal/OrderList",
    "cs-portal/CustomerHistory",
    "cs-portal/ReturnStatus",
)
SUBMIT = "storefront/SubmitOrder"
RETURN = "cs-portal/AuthorizeReturn"
SUBMIT_SKUS = 12
_ADDRESS = {"line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "countryCode": "US"}


@dataclass(frozen=True)
class RetailRequest:
    """One request of the workload: which operation, and its GraphQL body (JSON text)."""

    operation: str
    """``app/Name``."""
    body: str
    kind: str = "read"
    """read, submit or return."""

    def encoded(self) -> dict[str, Any]:
        return {"op": self.operation, "body": self.body, "kind": self.kind}


@dataclass
class Workload:
    reads: list[RetailRequest]
    submits: list[RetailRequest]
    """Templates: KEY_PLACEHOLDER marks what is fresh per request."""
    returns: list[RetailRequest]
    """The pool: each request may be sent once per run (KEY_PLACEHOLDER as above)."""
    dry_run_writes: list[RetailRequest] = field(default_factory=list)
    """One SubmitOrder and one AuthorizeReturn for the dry run, on orders the pool does not hold."""

    @property
    def operations(self) -> list[str]:
        ops = sorted({r.operation for r in self.reads})
        if self.submits:
            ops.append(SUBMIT)
        if self.returns:
            ops.append(RETURN)
        return ops

    def write(self, path: Path, submit_share: float, return_share: float) -> None:
        """The requests file of the k6 script (``bench/k6/retail.js``)."""
        operations = sorted({r.operation for r in self.reads})
        data = {
            "operations": operations,
            "reads": [[r.operation, r.body] for r in self.reads],
            "submits": [r.body for r in self.submits],
            "returns": [r.body for r in self.returns],
            "submitShare": submit_share if self.submits else 0.0,
            "returnShare": return_share if self.returns else 0.0,
            "placeholder": KEY_PLACEHOLDER,
        }
        path.write_text(json.dumps(data))


def document(operation: str) -> str:
    return (OPERATIONS_DIR / f"{operation}.graphql").read_text()


def _body(operation: str, variables: dict[str, Any]) -> str:
    return json.dumps(
        {"query": document(operation), "operationName": operation.split("/")[1], "variables": variables},
        separators=(",", ":"),
    )


def availability_50x30(world: Any, which: int) -> RetailRequest:
    """The issue's check: StoreAvailability of 50 SKUs across every location (30 in the small world).

    ``which`` 0: the last 50 SKUs of the world; 1: the 50 before them (another set, never asked together).
    """
    variants = list(world.variants)
    end = len(variants) - 50 * which
    skus = [v.sku for v in variants[end - 50 : end]]
    return RetailRequest(
        "clienteling/StoreAvailability",
        _body(
            "clienteling/StoreAvailability", {"skus": skus, "storeIds": [loc.code for loc in world.locations]}
        ),
    )


def _returnable(world: Any, now: datetime) -> list[Any]:
    """Fulfilled orders of the last 25 days with no return yet (the return window is 30 days)."""
    recent = now - timedelta(days=25)
    return [
        order
        for order in sorted(world.orders, key=lambda o: o.placed_at, reverse=True)
        if order.status == "FULFILLED"
        and order.channel in ("ONLINE", "STORE")
        and not order.returns
        and order.placed_at > recent
        and order.lines[0].quantity_fulfilled - order.lines[0].quantity_returned >= 1
    ]


def _return_body(order: Any) -> str:
    line = order.lines[0]
    request = {
        "orderId": order.number,
        "lines": [{"orderLineId": f"{order.number}-{line.line_no}", "quantity": 1, "reason": "SIZE_OR_FIT"}],
    }
    return _body(RETURN, {"input": request, "idempotencyKey": KEY_PLACEHOLDER})


def _well_stocked_online(world: Any, variants: list[Any]) -> list[str]:
    """SKUs by units on hand at the locations that fulfil online orders, most first."""
    online = [loc.code for loc in world.locations if loc.fulfills_online]

    def units(sku: str) -> int:
        return sum(stock.on_hand for code in online if (stock := world.stock(sku, code)) is not None)

    return sorted((v.sku for v in variants), key=lambda sku: (-units(sku), sku))


def _submit_body(sku: str) -> str:
    order_input = {
        "channel": "ONLINE",
        "email": "bench.shopper@example.com",
        "lines": [{"sku": sku, "quantity": 1}],
        "fulfilment": {"type": "SHIP", "shippingAddress": _ADDRESS},
        "paymentReference": "pay_" + KEY_PLACEHOLDER,
    }
    return _body(SUBMIT, {"input": order_input, "idempotencyKey": KEY_PLACEHOLDER})


def build_workload(
    world: Any, sets: int = 10, writes: bool = True, seed: int = 7, now: datetime | None = None
) -> Workload:
    """``sets`` variable sets per read operation; SubmitOrder and AuthorizeReturn when ``writes``."""
    rng = random.Random(seed)
    variants = list(world.variants)
    stores = [loc for loc in world.locations if loc.type == "STORE"]
    pickup = [loc for loc in stores if loc.pickup_enabled] or stores
    with_orders = {o.customer_id for o in world.orders if o.customer_id}
    customers = [c for c in world.customers if c.id in with_orders]
    orders = list(world.orders)
    # Returns of store orders are left out: 81 of the 542 seeded ones, all of store orders, answer null.
    with_returns = [r for o in world.orders for r in o.returns if o.in_oms or (r.in_erp and o.erp_posted)]
    brands = sorted({p.brand for p in world.products})

    def pick(items: list[Any], k: int) -> list[Any]:
        return rng.sample(items, min(k, len(items)))

    variables: dict[str, list[dict[str, Any]]] = {
        "storefront/ProductListing": [{"first": 24}]
        + [{"first": rng.choice((12, 24)), "query": brand} for brand in pick(brands, sets - 1)],
        "storefront/ProductDetail": [{"id": p.id} for p in pick(list(world.products), sets)],
        "storefront/CartAvailability": [
            {"skus": [v.sku for v in pick(variants, rng.randint(1, 5))]} for _ in range(sets)
        ],
        "storefront/PickupAvailability": [
            {"sku": rng.choice(variants).sku, "storeIds": [s.code for s in pick(pickup, rng.randint(1, 3))]}
            for _ in range(sets)
        ],
        "storefront/StoreLocator": [{}],
        "storefront/OrderStatus": [{"id": o.number} for o in pick(orders, sets)],
        "clienteling/CustomerByEmail": [{"email": c.email} for c in pick(customers, sets)],
        "clienteling/CustomerProfile": [{"id": c.id} for c in pick(customers, sets)],
        "clienteling/StoreAvailability": [
            {
                "skus": [v.sku for v in pick(variants, rng.randint(3, 12))],
                "storeIds": [s.code for s in pick(stores, rng.randint(1, 3))],
            }
            for _ in range(sets)
        ],
        "cs-portal/OrderByNumber": [{"number": o.number} for o in pick(orders, sets)],
        "cs-portal/OrderList": [{"first": 25}]
        + [
            {"first": rng.choice((10, 25)), **rng.choice(({"status": s}, {"channel": c}))}
            for s, c in zip(
                rng.choices(("PENDING", "IN_PROGRESS", "FULFILLED"), k=sets - 1),
                rng.choices(("ONLINE", "STORE", "CALL_CENTER"), k=sets - 1),
                strict=True,
            )
        ],
        "cs-portal/CustomerHistory": [{"id": c.id} for c in pick(customers, sets)],
        "cs-portal/ReturnStatus": [{"id": r.rma_number} for r in pick(with_returns, sets)],
    }
    reads: list[RetailRequest] = []
    for operation in READS:
        seen: set[str] = set()
        for values in variables[operation][: max(1, sets)]:
            body = _body(operation, values)
            if body not in seen:
                seen.add(body)
                reads.append(RetailRequest(operation, body))
    if not writes:
        return Workload(reads, [], [])
    submit_skus = _well_stocked_online(world, variants)[:SUBMIT_SKUS]
    submits = [RetailRequest(SUBMIT, _submit_body(sku), "submit") for sku in submit_skus]
    eligible = _returnable(world, now or datetime.now(UTC))
    returns = [RetailRequest(RETURN, _return_body(order), "return") for order in eligible]
    dry_run = [submits[0], *returns[:1]]
    return Workload(reads, submits, returns[1:], dry_run)
