"""Order request bodies and how they become (or change) a :class:`PosOrder`.

Line items either name a catalog variation (``catalog_object_id``: name and
price come from the catalog, any ``base_price_money`` sent is ignored) or
are ad hoc (``name`` and ``base_price_money`` required). Quantities are
whole-unit decimal strings. ``reference_id`` (max 40) carries the
retailer's order number.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sandbox.pos.catalog import Catalog
from sandbox.pos.endpoint import SquareModel
from sandbox.pos.errors import SquareError, not_found
from sandbox.pos.order_model import LineItem, PosOrder
from sandbox.pos.wire import CURRENCY, new_id, parse_quantity

__all__ = [
    "CreateOrderBody",
    "LineItemIn",
    "PayOrderBody",
    "UpdateOrderBody",
    "apply_changes",
    "build_line",
]

OrderState = Literal["OPEN", "COMPLETED", "CANCELED", "DRAFT"]


class MoneyIn(SquareModel):
    amount: int = Field(ge=0)
    currency: str


class LineItemIn(SquareModel):
    uid: str | None = Field(None, min_length=1, max_length=60)
    catalog_object_id: str | None = Field(None, min_length=1, max_length=192)
    name: str | None = Field(None, max_length=512)
    quantity: str | None = Field(None, min_length=1, max_length=12)
    note: str | None = Field(None, max_length=2000)
    variation_name: str | None = Field(None, max_length=400)
    base_price_money: MoneyIn | None = None


class _Source(SquareModel):
    name: str | None = None


class OrderIn(SquareModel):
    location_id: str = Field(min_length=1)
    reference_id: str | None = Field(None, max_length=40)
    customer_id: str | None = Field(None, max_length=191)
    source: _Source | None = None
    line_items: list[LineItemIn] | None = None
    state: OrderState | None = None
    version: int | None = None


class SparseOrderIn(SquareModel):
    version: int
    location_id: str | None = None
    reference_id: str | None = Field(None, max_length=40)
    customer_id: str | None = Field(None, max_length=191)
    line_items: list[LineItemIn] | None = None
    state: OrderState | None = None


class CreateOrderBody(SquareModel):
    idempotency_key: str = Field(min_length=1, max_length=192)
    order: OrderIn


class UpdateOrderBody(SquareModel):
    order: SparseOrderIn
    fields_to_clear: list[str] | None = None
    idempotency_key: str | None = Field(None, min_length=1, max_length=192)


class PayOrderBody(SquareModel):
    idempotency_key: str = Field(min_length=1, max_length=192)
    order_version: int | None = None
    payment_ids: list[str] | None = None


def build_line(line: LineItemIn, field: str, catalog: Catalog) -> LineItem:
    """A new line item from the request (``field`` names it in errors: ``order.line_items[0]``)."""
    if line.quantity is None:
        raise SquareError(400, "MISSING_REQUIRED_PARAMETER", "Field must be set", field=f"{field}.quantity")
    quantity = parse_quantity(line.quantity, f"{field}.quantity")
    uid = line.uid or new_id(22)
    if line.catalog_object_id is not None:
        variant = catalog.variations.get(line.catalog_object_id)
        if variant is None:
            if line.catalog_object_id in catalog.items:
                raise SquareError(
                    400,
                    "INVALID_VALUE",
                    "Line items must reference an ITEM_VARIATION, not an ITEM.",
                    field=f"{field}.catalog_object_id",
                )
            raise not_found("Item variation", line.catalog_object_id, f"{field}.catalog_object_id")
        name = catalog.product_of(variant).title
        return LineItem(
            uid, name, quantity, variant.price_cents, variant.square_variation_id, variant.title, line.note
        )
    if not line.name:
        raise SquareError(400, "MISSING_REQUIRED_PARAMETER", "Field must be set", field=f"{field}.name")
    if line.base_price_money is None:
        raise SquareError(
            400, "MISSING_REQUIRED_PARAMETER", "Field must be set", field=f"{field}.base_price_money"
        )
    _check_currency(line.base_price_money, f"{field}.base_price_money.currency")
    return LineItem(
        uid, line.name, quantity, line.base_price_money.amount, None, line.variation_name, line.note
    )


def _check_currency(value: MoneyIn, field: str) -> None:
    if value.currency != CURRENCY:
        raise SquareError(
            400,
            "CURRENCY_MISMATCH",
            f"The location's currency is {CURRENCY}, not `{value.currency}`.",
            field=field,
        )


def apply_changes(order: PosOrder, body: UpdateOrderBody, catalog: Catalog) -> None:
    """Clear ``fields_to_clear``, then apply the sparse order (line items by ``uid``)."""
    for path in body.fields_to_clear or []:
        _clear(order, path)
    sparse = body.order
    if "reference_id" in sparse.model_fields_set:
        order.reference_id = sparse.reference_id
    if "customer_id" in sparse.model_fields_set:
        order.customer_id = sparse.customer_id
    for i, line in enumerate(sparse.line_items or []):
        field = f"order.line_items[{i}]"
        existing = order.line(line.uid) if line.uid else None
        if existing is None:
            new = build_line(line, field, catalog)
            if order.line(new.uid) is not None:
                raise SquareError(
                    400, "INVALID_VALUE", f"Duplicate line item uid `{new.uid}`.", field=f"{field}.uid"
                )
            order.line_items.append(new)
            continue
        if line.quantity is not None:
            existing.quantity = parse_quantity(line.quantity, f"{field}.quantity")
        if line.note is not None:
            existing.note = line.note
        if existing.catalog_object_id is None:
            existing.name = line.name or existing.name
            if line.base_price_money is not None:
                _check_currency(line.base_price_money, f"{field}.base_price_money.currency")
                existing.base_price = line.base_price_money.amount


def _clear(order: PosOrder, path: str) -> None:
    if path in ("reference_id", "customer_id"):
        setattr(order, path, None)
        return
    if path.startswith("line_items[") and "]" in path:
        uid, _, rest = path[len("line_items[") :].partition("]")
        line = order.line(uid)
        if line is not None and rest == "":
            order.line_items.remove(line)
            return
        if line is not None and rest == ".note":
            line.note = None
            return
    raise SquareError(400, "INVALID_VALUE", f"Cannot clear `{path}`.", field="fields_to_clear")
