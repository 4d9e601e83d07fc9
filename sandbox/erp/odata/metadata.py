"""``$metadata`` (EDMX 1.0 / CSDL 2.0 with SAP annotations) and the service document (JSON or AtomPub).

Minimal but valid: entity types with keys, typed properties (``MaxLength``,
``Precision``/``Scale``, ``sap:display-format="Date"``, ``ConcurrencyMode="Fixed"``
on the ETag property), navigation properties with their associations and
association sets, and one default entity container.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import quoteattr

from sandbox.erp.odata.edm import EntityType, Nav, Prop
from sandbox.erp.odata.service import Service

__all__ = ["metadata_xml", "service_document", "service_document_xml"]


def _attrs(**values: object) -> str:
    return "".join(f" {name.replace('__', ':')}={quoteattr(str(value))}" for name, value in values.items())


def _property(prop: Prop, etype: EntityType) -> str:
    attrs: dict[str, object] = {"Name": prop.name, "Type": prop.type}
    if prop.name in etype.keys or not prop.nullable:
        attrs["Nullable"] = "false"
    if prop.max_length is not None:
        attrs["MaxLength"] = prop.max_length
    if prop.precision is not None:
        attrs["Precision"] = prop.precision
    if prop.scale is not None:
        attrs["Scale"] = prop.scale
    if etype.etag == prop.name:
        attrs["ConcurrencyMode"] = "Fixed"
    if prop.display_format is not None:
        attrs["sap__display-format"] = prop.display_format
    if prop.label is not None:
        attrs["sap__label"] = prop.label
    return f"<Property{_attrs(**attrs)}/>"


def _association(service: Service, etype: EntityType, nav: Nav) -> tuple[str, str]:
    name = f"assoc_{etype.name}_{nav.name}"
    target = service.type_of(nav.target)
    ns = service.name
    association = (
        f'<Association Name="{name}" sap:content-version="1">'
        f'<End Type="{ns}.{etype.name}" Multiplicity="1" Role="FromRole_{name}"/>'
        f'<End Type="{ns}.{target.name}" Multiplicity="{"*" if nav.many else "0..1"}" Role="ToRole_{name}"/>'
        "</Association>"
    )
    association_set = (
        f'<AssociationSet Name="{name}" Association="{ns}.{name}" sap:creatable="false" '
        'sap:updatable="false" sap:deletable="false" sap:content-version="1">'
        f'<End EntitySet="{etype.set_name}" Role="FromRole_{name}"/>'
        f'<End EntitySet="{nav.target}" Role="ToRole_{name}"/>'
        "</AssociationSet>"
    )
    return association, association_set


def metadata_xml(service: Service) -> str:
    ns = service.name
    types: list[str] = []
    associations: list[str] = []
    association_sets: list[str] = []
    sets: list[str] = []
    for entity_set in service.sets.values():
        etype = entity_set.etype
        label = f" sap:label={quoteattr(etype.label)}" if etype.label else ""
        keys = "".join(f'<PropertyRef Name="{k}"/>' for k in etype.keys)
        props = "".join(_property(p, etype) for p in etype.props)
        navs = []
        for nav in etype.navs:
            association, association_set = _association(service, etype, nav)
            associations.append(association)
            association_sets.append(association_set)
            name = f"assoc_{etype.name}_{nav.name}"
            navs.append(
                f'<NavigationProperty Name="{nav.name}" Relationship="{ns}.{name}" '
                f'FromRole="FromRole_{name}" ToRole="ToRole_{name}"/>'
            )
        types.append(
            f'<EntityType Name="{etype.name}"{label} sap:content-version="1"><Key>{keys}</Key>'
            f"{props}{''.join(navs)}</EntityType>"
        )
        sets.append(
            f'<EntitySet Name="{etype.set_name}" EntityType="{ns}.{etype.name}" sap:content-version="1"/>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" '
        'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" '
        'xmlns:sap="http://www.sap.com/Protocols/SAPData">'
        '<edmx:DataServices m:DataServiceVersion="2.0">'
        f'<Schema Namespace="{ns}" xml:lang="en" sap:schema-version="1" '
        'xmlns="http://schemas.microsoft.com/ado/2008/09/edm">'
        f"{''.join(types)}{''.join(associations)}"
        f'<EntityContainer Name="{ns}_Entities" m:IsDefaultEntityContainer="true" '
        'sap:supported-formats="atom json xlsx">'
        f"{''.join(sets)}{''.join(association_sets)}</EntityContainer>"
        "</Schema></edmx:DataServices></edmx:Edmx>"
    )


def service_document(service: Service) -> dict[str, Any]:
    return {"d": {"EntitySets": list(service.sets)}}


def service_document_xml(service: Service, service_url: str) -> str:
    """The AtomPub service document SAP answers when the client does not ask for JSON."""
    collections = "".join(
        f'<app:collection href="{name}"><atom:title>{name}</atom:title></app:collection>'
        for name in service.sets
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<app:service xml:base={quoteattr(service_url + "/")} xmlns:app="http://www.w3.org/2007/app" '
        'xmlns:atom="http://www.w3.org/2005/Atom">'
        f"<app:workspace><atom:title>Data</atom:title>{collections}</app:workspace></app:service>"
    )
