"""Entity data model: the entity types, properties and navigation properties of a service.

Field names and types follow SAP's API Business Hub definitions. Values held
in rows are typed Python values (``str``, ``Decimal``, aware ``datetime``,
``bool``, ``None``); :mod:`sandbox.erp.odata.values` turns them into wire
strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "EdmType",
    "EntityType",
    "Kind",
    "Nav",
    "Prop",
    "Row",
    "boolean",
    "date",
    "decimal",
    "kind_of",
    "string",
    "timestamp",
]

EdmType = Literal["Edm.String", "Edm.Decimal", "Edm.DateTime", "Edm.DateTimeOffset", "Edm.Boolean"]
Kind = Literal["string", "number", "datetime", "bool", "null"]
Row = dict[str, Any]
"""One entity: property name -> typed value."""


@dataclass(frozen=True)
class Prop:
    """A primitive property of an entity type."""

    name: str
    type: EdmType = "Edm.String"
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    wire_scale: int | None = None
    """Decimals written on the wire (currency amounts: 2), else ``scale``."""
    nullable: bool = True
    display_format: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Nav:
    """A navigation property to another entity set of the same service."""

    name: str
    target: str
    """The target entity set's name."""
    many: bool


@dataclass(frozen=True)
class EntityType:
    """An entity type together with the entity set that exposes it."""

    name: str
    set_name: str
    keys: tuple[str, ...]
    props: tuple[Prop, ...]
    navs: tuple[Nav, ...] = ()
    etag: str | None = None
    """The property whose value versions the entity (SAP: ``LastChangeDateTime``)."""
    label: str | None = None
    _props: dict[str, Prop] = field(default_factory=dict, init=False, repr=False, compare=False)
    _navs: dict[str, Nav] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._props.update((p.name, p) for p in self.props)
        self._navs.update((n.name, n) for n in self.navs)
        missing = [k for k in self.keys if k not in self._props]
        if missing:
            raise ValueError(f"{self.name}: key properties {missing} are not properties")

    def prop(self, name: str) -> Prop | None:
        return self._props.get(name)

    def nav(self, name: str) -> Nav | None:
        return self._navs.get(name)

    def key_of(self, row: Row) -> dict[str, Any]:
        return {k: row[k] for k in self.keys}


def kind_of(prop: Prop) -> Kind:
    """How $filter compares values of this property."""
    if prop.type == "Edm.Decimal":
        return "number"
    if prop.type in ("Edm.DateTime", "Edm.DateTimeOffset"):
        return "datetime"
    if prop.type == "Edm.Boolean":
        return "bool"
    return "string"


# ---------------------------------------------------------------- shorthands used by the services


def string(name: str, length: int, *, nullable: bool = True, label: str | None = None) -> Prop:
    return Prop(name, "Edm.String", max_length=length, nullable=nullable, label=label)


def decimal(name: str, precision: int, scale: int, *, wire_scale: int | None = None) -> Prop:
    return Prop(name, "Edm.Decimal", precision=precision, scale=scale, wire_scale=wire_scale)


def date(name: str) -> Prop:
    """A calendar date: ``Edm.DateTime`` at midnight UTC with ``sap:display-format="Date"``."""
    return Prop(name, "Edm.DateTime", precision=0, display_format="Date")


def timestamp(name: str) -> Prop:
    return Prop(name, "Edm.DateTimeOffset", precision=7)


def boolean(name: str) -> Prop:
    return Prop(name, "Edm.Boolean")
