"""Entities as SAP writes them in JSON: ``__metadata``, typed values, ``__deferred`` or inline navigation.

Without $select every property and every navigation property is written
(navigations not expanded as ``{"__deferred": {"uri": ...}}``); with $select
only the selected ones, plus ``__metadata`` always. Expanded to-many
navigations are ``{"results": [...]}``, to-one navigations the entity or null.
"""

from __future__ import annotations

from typing import Any

from sandbox.erp.odata.edm import Row
from sandbox.erp.odata.entityset import EntitySet
from sandbox.erp.odata.query import ExpandTree, SelectTree
from sandbox.erp.odata.service import Service
from sandbox.erp.odata.values import entity_path, etag_of, to_json

__all__ = ["entity_json", "entity_uri"]


def entity_uri(service_url: str, entity_set: EntitySet, row: Row) -> str:
    return f"{service_url}/{entity_path(entity_set.etype, row)}"


def entity_json(
    service: Service,
    service_url: str,
    entity_set: EntitySet,
    row: Row,
    expand: ExpandTree,
    select: SelectTree | None,
) -> dict[str, Any]:
    """``row`` of ``entity_set`` as a JSON object; ``service_url`` is the absolute service root."""
    etype = entity_set.etype
    uri = entity_uri(service_url, entity_set, row)
    metadata: dict[str, str] = {"id": uri, "uri": uri, "type": f"{service.name}.{etype.name}"}
    etag = etag_of(etype, row)
    if etag is not None:
        metadata["etag"] = etag
    out: dict[str, Any] = {"__metadata": metadata}
    for prop in etype.props:
        if select is None or select.all_props or prop.name in select.props:
            out[prop.name] = to_json(prop, row.get(prop.name))
    for nav in etype.navs:
        if select is not None and nav.name not in select.navs:
            continue
        child_select = None if select is None else select.navs[nav.name]
        child_expand = expand.children.get(nav.name)
        if child_expand is None:
            out[nav.name] = {"__deferred": {"uri": f"{uri}/{nav.name}"}}
            continue
        target = service.sets[nav.target]
        value = entity_set.navigate(row, nav.name)
        if isinstance(value, list):
            out[nav.name] = {
                "results": [
                    entity_json(service, service_url, target, child, child_expand, child_select)
                    for child in value
                ]
            }
        elif value is None:
            out[nav.name] = None
        else:
            out[nav.name] = entity_json(service, service_url, target, value, child_expand, child_select)
    return out
