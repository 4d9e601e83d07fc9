"""The federated schema every subgraph builds: Strawberry's, with ``_entities`` refusing bad representations.

Parsing and validation are cached per document (Strawberry's ``ParserCache`` and
``ValidationCache``), as the gateway's own operation cache does.

The gateway calls ``_entities(representations: [_Any!]!)`` with
``{__typename, <key fields>}`` objects; ``_Any`` takes any value, so a
representation may be anything a client sends. Strawberry's resolver fails
the whole field with a bare ``KeyError``/``TypeError`` (an
``INTERNAL_SERVER_ERROR``) when one lacks ``__typename``, names a type this
subgraph does not have, is not an object, or lacks or adds fields. Here each
such representation is refused on its own with ``BAD_USER_INPUT`` (its item
of ``_entities`` is null, with an error at its path); the others resolve.

A representation is accepted when it is an object whose ``__typename`` is an
entity of this subgraph and which holds every field of one of its keys as an
ID (a string, or an integer, taken as its decimal string). Only the key's
fields and the type's ``@external`` ones (what its ``@requires`` fields read:
the gateway adds them) reach ``resolve_reference``, the latter as sent and
only when present: the ``resolve_reference`` of such a type takes each as an
optional keyword argument and must accept any JSON value there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import strawberry.federation as fed
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.federation.schema import FederationAny
from strawberry.federation.schema_directives import External, Key
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.info import Info

from subgraphs.common.errors import BadUserInput

__all__ = ["FederatedSchema", "check_representation"]


def _keys(definition: StrawberryObjectDefinition) -> list[tuple[str, ...]]:
    """The field names of each ``@key`` of an entity (simple keys: no nested selections)."""
    return [
        tuple(str(directive.fields).split())
        for directive in definition.directives or ()
        if isinstance(directive, Key) and "{" not in str(directive.fields)
    ]


def _externals(definition: StrawberryObjectDefinition, converter: Any) -> tuple[str, ...]:
    """The GraphQL names of a type's ``@external`` fields."""
    return tuple(
        converter.config.name_converter.get_graphql_name(field)
        for field in definition.fields
        if any(isinstance(directive, External) for directive in field.directives)
    )


def check_representation(
    index: int,
    representation: object,
    entities: Mapping[str, list[tuple[str, ...]]],
    externals: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    """``representation`` as ``{__typename, key fields}`` (IDs as strings) plus those of the type's
    ``externals`` it holds (as sent), or ``BadUserInput``."""
    where = f"representations[{index}]"
    if not isinstance(representation, dict):
        raise BadUserInput(f"{where} is not an object", argument="representations")
    typename = representation.get("__typename")
    if not isinstance(typename, str) or typename not in entities:
        known = ", ".join(sorted(entities))
        raise BadUserInput(
            f"{where}: __typename must name an entity of this subgraph ({known})", argument="representations"
        )
    for key in entities[typename]:
        values = [representation.get(name) for name in key]
        if all(isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)) for v in values):
            checked = {"__typename": typename, **{name: str(v) for name, v in zip(key, values, strict=True)}}
            for name in (externals or {}).get(typename, ()):
                if name in representation and name not in checked:
                    checked[name] = representation[name]
            return checked
    wanted = " or ".join(" ".join(key) for key in entities[typename])
    raise BadUserInput(f"{where}: a {typename} needs its key {wanted} (an ID)", argument="representations")


class FederatedSchema(fed.Schema):
    """A Federation 2 schema whose ``_entities`` refuses each bad representation alone (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Parse and validation results cached by document: the gateway sends the same few
        # documents over and over, and Strawberry would otherwise redo both on every request.
        kwargs.setdefault(
            "extensions", [lambda: ParserCache(maxsize=1_000), lambda: ValidationCache(maxsize=1_000)]
        )
        super().__init__(*args, **kwargs)
        self._entities: dict[str, list[tuple[str, ...]]] = {}
        self._externals: dict[str, tuple[str, ...]] = {}
        for name, concrete in self.schema_converter.type_map.items():
            definition = concrete.definition
            if isinstance(definition, StrawberryObjectDefinition) and (keys := _keys(definition)):
                self._entities[name] = keys
                if externals := _externals(definition, self.schema_converter):
                    self._externals[name] = externals

    def entities_resolver(self, info: Info, representations: list[FederationAny]) -> list[FederationAny]:
        results: list[Any] = [None] * len(representations)
        accepted: list[int] = []
        checked: list[FederationAny] = []
        for index, representation in enumerate(representations):
            try:
                checked.append(
                    FederationAny(
                        check_representation(index, representation, self._entities, self._externals)
                    )
                )
                accepted.append(index)
            except BadUserInput as error:
                results[index] = error  # graphql-core raises a list item that is an exception: null there
        for index, result in zip(accepted, super().entities_resolver(info, checked), strict=True):
            results[index] = result
        return results
