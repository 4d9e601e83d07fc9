"""Catalog endpoints (read-only): list, search, batch-retrieve and retrieve one object.

    GET  /v2/catalog/list?types=ITEM,ITEM_VARIATION&cursor=     -> {objects, cursor}   (100 a page)
    POST /v2/catalog/search        {object_types, query, limit, cursor, include_related_objects, begin_time}
                                   -> {objects, related_objects, cursor}
    POST /v2/catalog/batch-retrieve {object_ids, include_related_objects} -> {objects, related_objects}
    GET  /v2/catalog/object/{id}?include_related_objects=true    -> {object, related_objects}

Without ``types``/``object_types`` only top-level objects (ITEMs) are
returned, as in Square; ask for ITEM_VARIATION explicitly. Connectors map a
SKU to its variation id with ``exact_query {attribute_name: "sku"}`` (or
``set_query`` for many SKUs at once).
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.pos.catalog import ITEM, Catalog, CatalogQuery, ObjectRef
from sandbox.pos.endpoint import SquareModel, ok, path_param, query_bool, query_list, read_body
from sandbox.pos.errors import SquareError, not_found
from sandbox.pos.wire import decode_offset, encode_cursor, fingerprint, parse_time, query_fingerprint

__all__ = ["catalog_routes"]

ObjectType = Literal[
    "ITEM",
    "IMAGE",
    "CATEGORY",
    "ITEM_VARIATION",
    "TAX",
    "DISCOUNT",
    "MODIFIER_LIST",
    "MODIFIER",
    "PRICING_RULE",
    "PRODUCT_SET",
    "TIME_PERIOD",
    "MEASUREMENT_UNIT",
    "SUBSCRIPTION_PLAN",
    "ITEM_OPTION",
    "ITEM_OPTION_VAL",
    "CUSTOM_ATTRIBUTE_DEFINITION",
    "QUICK_AMOUNTS_SETTINGS",
    "DINING_OPTION",
    "TAX_EXEMPTION",
    "SERVICE_CHARGE",
]
_OBJECT_TYPES = frozenset(get_args(ObjectType))
_LIST_PAGE = 100


class _Exact(SquareModel):
    attribute_name: str = Field(min_length=1)
    attribute_value: str


class _Set(SquareModel):
    attribute_name: str = Field(min_length=1)
    attribute_values: list[str] = Field(min_length=1, max_length=250)


class _Prefix(SquareModel):
    attribute_name: str = Field(min_length=1)
    attribute_prefix: str = Field(min_length=1)


class _Text(SquareModel):
    keywords: list[str] = Field(min_length=1, max_length=3)


class _Query(SquareModel):
    exact_query: _Exact | None = None
    set_query: _Set | None = None
    prefix_query: _Prefix | None = None
    text_query: _Text | None = None

    def queries(self) -> tuple[CatalogQuery, ...]:
        out: list[CatalogQuery] = []
        if self.exact_query:
            out.append(
                CatalogQuery("exact", self.exact_query.attribute_name, (self.exact_query.attribute_value,))
            )
        if self.set_query:
            out.append(
                CatalogQuery("set", self.set_query.attribute_name, tuple(self.set_query.attribute_values))
            )
        if self.prefix_query:
            q = self.prefix_query
            out.append(CatalogQuery("prefix", q.attribute_name, (q.attribute_prefix,)))
        if self.text_query:
            out.append(CatalogQuery("text", "text", tuple(self.text_query.keywords)))
        return tuple(out)


class _SearchBody(SquareModel):
    cursor: str | None = None
    object_types: list[ObjectType] | None = None
    include_deleted_objects: bool | None = None
    include_related_objects: bool | None = None
    begin_time: str | None = None
    query: _Query | None = None
    limit: int | None = Field(None, ge=1, le=1000)


class _BatchBody(SquareModel):
    object_ids: list[str] = Field(min_length=1, max_length=1000)
    include_related_objects: bool | None = None
    include_deleted_objects: bool | None = None
    catalog_version: int | None = None


def _page(
    catalog: Catalog, refs: list[ObjectRef], start: int, size: int, kind: str, query: str
) -> dict[str, Any]:
    chunk = refs[start : start + size]
    more = start + size < len(refs)
    return {
        "objects": [catalog.object_json(ref) for ref in chunk],
        "cursor": encode_cursor(kind, query, start + size) if more else None,
    }


def catalog_routes(catalog: Catalog) -> list[Route]:
    async def list_catalog(request: Request) -> Response:
        types = query_list(request, "types") or [ITEM]
        for value in types:
            if value not in _OBJECT_TYPES:
                raise SquareError(
                    400,
                    "INVALID_ENUM_VALUE",
                    f"`{value}` is not a valid enum value for `types`",
                    field="types",
                )
        query = fingerprint(sorted(types))
        cursor = request.query_params.get("cursor")
        start = decode_offset(cursor, "catalog.list", query)
        refs = catalog.search(frozenset(types), ())
        return ok(_page(catalog, refs, start, _LIST_PAGE, "catalog.list", query))

    async def search_catalog(request: Request) -> Response:
        body, raw = await read_body(request, _SearchBody)
        query = query_fingerprint(raw)
        start = decode_offset(body.cursor, "catalog.search", query)
        types: frozenset[str] = frozenset(body.object_types) if body.object_types else frozenset({ITEM})
        refs = catalog.search(types, body.query.queries() if body.query else ())
        if body.begin_time is not None:
            since = parse_time(body.begin_time, "begin_time")
            refs = [ref for ref in refs if catalog.updated_at(ref) > since]
        page = _page(catalog, refs, start, body.limit or 100, "catalog.search", query)
        if body.include_related_objects:
            chunk = refs[start : start + (body.limit or 100)]
            page["related_objects"] = catalog.related_items(chunk)
        return ok(page)

    async def batch_retrieve(request: Request) -> Response:
        body, _ = await read_body(request, _BatchBody)
        refs = list(dict.fromkeys(ref for oid in body.object_ids if (ref := catalog.ref(oid)) is not None))
        payload: dict[str, Any] = {"objects": [catalog.object_json(ref) for ref in refs]}
        if body.include_related_objects:
            payload["related_objects"] = catalog.related_items(refs)
        return ok(payload)

    async def retrieve_object(request: Request) -> Response:
        object_id = path_param(request, "object_id")
        ref = catalog.ref(object_id)
        if ref is None:
            raise not_found("Catalog object", object_id)
        payload: dict[str, Any] = {"object": catalog.object_json(ref)}
        if query_bool(request, "include_related_objects"):
            payload["related_objects"] = catalog.related_items([ref])
        return ok(payload)

    return [
        Route("/v2/catalog/list", list_catalog, methods=["GET"]),
        Route("/v2/catalog/search", search_catalog, methods=["POST"]),
        Route("/v2/catalog/batch-retrieve", batch_retrieve, methods=["POST"]),
        Route("/v2/catalog/object/{object_id}", retrieve_object, methods=["GET"]),
    ]
