"""The table of explicit resolvers, filled by the resolver modules' decorators.

Fields without an entry use :func:`default_resolver`: a dict's key of the same
name, or an object's snake_case attribute (``pageInfo`` -> ``page_info``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

from graphql import GraphQLResolveInfo

__all__ = ["RESOLVERS", "TYPE_RESOLVERS", "default_resolver", "resolves"]

F = TypeVar("F", bound=Callable[..., Any])

RESOLVERS: dict[tuple[str, str], Callable[..., Any]] = {}
TYPE_RESOLVERS: dict[type, str] = {}
"""Python class of a source object -> GraphQL object type name (for interfaces and unions)."""


def resolves(type_name: str, *field_names: str) -> Callable[[F], F]:
    """Register the decorated function as the resolver of ``type_name.field`` for each field name."""

    def decorate(fn: F) -> F:
        for name in field_names:
            key = (type_name, name)
            if key in RESOLVERS:
                raise ValueError(f"two resolvers for {type_name}.{name}")
            RESOLVERS[key] = fn
        return fn

    return decorate


@functools.cache
def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def default_resolver(source: Any, info: GraphQLResolveInfo[Any], **_: Any) -> Any:
    name = info.field_name
    if isinstance(source, dict):
        return source.get(name)
    return getattr(source, _snake(name), None)
