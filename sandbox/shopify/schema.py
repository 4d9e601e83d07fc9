"""The executable schema: ``schema.graphql`` with the resolvers, scalars and type resolution bound in.

Built once per process (:func:`build_schema`) and shared by every app; the
resolver modules register themselves on import.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from graphql import (
    FloatValueNode,
    GraphQLAbstractType,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    IntValueNode,
    StringValueNode,
    ValueNode,
)
from graphql import build_schema as build_sdl

from sandbox.shopify._util import iso

__all__ = ["build_schema", "sdl"]


def sdl() -> str:
    return resources.files("sandbox.shopify").joinpath("schema.graphql").read_text()


# ---------------------------------------------------------------- scalars


def _serialize_datetime(value: Any) -> str:
    return iso(value) if isinstance(value, datetime) else str(value)


def _parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise GraphQLError("DateTime must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise GraphQLError(f"'{value}' is not a valid DateTime") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_decimal(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise GraphQLError("Decimal values must be strings or numbers")
    try:
        return str(Decimal(str(value)))
    except InvalidOperation as exc:
        raise GraphQLError(f"'{value}' is not a valid decimal") from exc


def _parse_unsigned(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise GraphQLError(f"'{value}' is not an unsigned integer") from exc
    if number < 0:
        raise GraphQLError(f"'{value}' is not an unsigned integer")
    return number


def _literal(parse: Any) -> Any:
    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        if isinstance(node, (StringValueNode, IntValueNode, FloatValueNode)):
            return parse(node.value)
        raise GraphQLError("Expected a string literal")

    return parse_literal


_SCALARS: dict[str, tuple[Any, Any]] = {
    "DateTime": (_serialize_datetime, _parse_datetime),
    "Decimal": (str, _parse_decimal),
    "Money": (str, _parse_decimal),
    "UnsignedInt64": (str, _parse_unsigned),
    "URL": (str, str),
    "HTML": (str, str),
}


def _bind_scalars(schema: GraphQLSchema) -> None:
    for name, (serialize, parse) in _SCALARS.items():
        scalar = schema.type_map[name]
        assert isinstance(scalar, GraphQLScalarType)
        # graphql-core 3.3 reads the coerce_* members; the older names are set for 3.2.
        scalar.serialize = scalar.coerce_output_value = serialize  # type: ignore[method-assign]
        scalar.parse_value = scalar.coerce_input_value = parse  # type: ignore[method-assign]
        scalar.parse_literal = _literal(parse)  # type: ignore[method-assign]
        scalar.coerce_input_literal = _literal(parse)


# ---------------------------------------------------------------- resolvers


def _resolve_type(value: Any, info: GraphQLResolveInfo[Any], abstract: GraphQLAbstractType) -> str | None:
    from sandbox.shopify.resolvers._registry import TYPE_RESOLVERS

    return TYPE_RESOLVERS.get(type(value))


def _bind_resolvers(schema: GraphQLSchema) -> None:
    from sandbox.shopify.mutations import inventory, orders, returns, webhooks  # noqa: F401
    from sandbox.shopify.resolvers import catalog, customers, locations, root  # noqa: F401
    from sandbox.shopify.resolvers import orders as order_resolvers  # noqa: F401
    from sandbox.shopify.resolvers import returns as return_resolvers  # noqa: F401
    from sandbox.shopify.resolvers._registry import RESOLVERS

    for (type_name, field_name), fn in RESOLVERS.items():
        owner = schema.type_map.get(type_name)
        if not isinstance(owner, GraphQLObjectType) or field_name not in owner.fields:
            raise LookupError(f"resolver for {type_name}.{field_name}, which the schema does not have")
        owner.fields[field_name].resolve = fn
    for named in schema.type_map.values():
        if isinstance(named, (GraphQLInterfaceType, GraphQLUnionType)):
            named.resolve_type = _resolve_type


@functools.cache
def build_schema() -> GraphQLSchema:
    """The Shopify Admin schema subset, ready to execute (cached: built once per process)."""
    schema = build_sdl(sdl())
    _bind_scalars(schema)
    _bind_resolvers(schema)
    return schema
