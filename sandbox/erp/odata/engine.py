"""One OData request against one service: resolve the path, check the options, read or write.

=================================  ==========================================================
request                            answer
=================================  ==========================================================
GET ``/``                          service document ``{"d": {"EntitySets": [...]}}`` (AtomPub XML
                                   unless JSON is asked for: the usual target of a token fetch)
GET ``/$metadata``                 EDMX (application/xml)
GET ``/Set``, ``/Set(k)/toMany``   ``{"d": {"results": [...], "__count"?, "__next"?}}``
GET ``/Set(k)``, ``/Set(k)/toOne`` ``{"d": {...}}`` with an ``ETag`` header for versioned types
GET ``/Set(k)/Property``           ``{"d": {"Property": value}}``
GET ``.../$count``                 the number as text/plain
POST ``/Set``                      201, the created entity (deep insert), ``Location``, ``ETag``
PATCH/MERGE/PUT ``/Set(k)``        204 with the new ``ETag``; ``If-Match`` required for versioned
                                   types (428 without, 412 when stale); PUT merges like PATCH
DELETE ``/Set(k)``                 as the entity set allows (405 for every set here)
=================================  ==========================================================

Reads answer JSON only: ``$format=json`` or ``Accept: application/json`` is
required (406 otherwise: real SAP would answer Atom XML). Writes need a JSON
body (415 otherwise) and always answer JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import orjson

from sandbox.erp.odata.edm import Prop, Row
from sandbox.erp.odata.entityset import EntitySet
from sandbox.erp.odata.errors import (
    BAD_BODY,
    BAD_OPTION,
    BAD_URI,
    ETAG_MISMATCH,
    METHOD_NOT_ALLOWED,
    NOT_ACCEPTABLE,
    PRECONDITION_REQUIRED,
    RESOURCE_NOT_FOUND,
    SEGMENT_NOT_FOUND,
    ODataError,
    envelope,
)
from sandbox.erp.odata.messages import ODataRequest, ODataResponse, json_body
from sandbox.erp.odata.metadata import metadata_xml, service_document, service_document_xml
from sandbox.erp.odata.query import ExpandTree, QueryOptions, parse_expand, parse_options, parse_select
from sandbox.erp.odata.reads import count_rows, next_link, read_page
from sandbox.erp.odata.resource import Segment, parse_path, resolve_key
from sandbox.erp.odata.serialize import entity_json, entity_uri
from sandbox.erp.odata.service import Service
from sandbox.erp.odata.values import etag_of, to_json

__all__ = ["Engine"]

_COLLECTION_ONLY = ("$filter", "$top", "$skip", "$skiptoken", "$orderby", "$inlinecount")
_WRITES = ("POST", "PATCH", "MERGE", "PUT", "DELETE")


@dataclass
class _Target:
    entity_set: EntitySet
    row: Row | None
    rows: list[Row] | None
    top_level: bool
    prop: Prop | None = None


class Engine:
    """Executes :class:`ODataRequest` s against ``service``; never raises, always answers."""

    def __init__(self, service: Service, page_size: Callable[[], int]) -> None:
        self.service = service
        self.page_size = page_size

    def handle(self, request: ODataRequest) -> ODataResponse:
        try:
            return self._dispatch(request)
        except ODataError as exc:
            return self.error_response(exc)

    def error_response(self, error: ODataError) -> ODataResponse:
        return json_body(
            envelope(error, self.service.name, self.service.component_id), error.status, error.headers
        )

    # ------------------------------------------------------------ dispatch

    def _dispatch(self, request: ODataRequest) -> ODataResponse:
        method = request.method.upper()
        path = request.path.strip("/")
        service_url = request.host_url + self.service.root
        if path in ("", "$metadata"):
            return self._root(request, method, path, service_url)
        options = parse_options(request.query)
        resource = parse_path(path)
        target = self._resolve(resource.segments)
        if method in ("GET", "HEAD"):
            return self._read(request, options, resource.count, target, service_url, path)
        if method not in _WRITES or resource.count or target.prop is not None:
            raise ODataError(405, METHOD_NOT_ALLOWED, f"Method {method} is not allowed on '{path}'")
        if method == "POST":
            if not target.top_level:
                raise ODataError(405, METHOD_NOT_ALLOWED, f"Method POST is not allowed on '{path}'")
            return self._create(target.entity_set, request, service_url)
        if target.row is None:
            raise ODataError(
                405, METHOD_NOT_ALLOWED, f"Method {method} needs a single entity, not a collection"
            )
        self._check_if_match(request, target.entity_set, target.row)
        if method == "DELETE":
            target.entity_set.delete(target.row)
            return ODataResponse(204)
        changed = target.entity_set.update(target.row, self._json_object(request))
        etag = etag_of(target.entity_set.etype, changed)
        return ODataResponse(204, headers={"etag": etag} if etag else {})

    def _root(self, request: ODataRequest, method: str, path: str, service_url: str) -> ODataResponse:
        """The service document or $metadata."""
        if method not in ("GET", "HEAD"):
            raise ODataError(405, METHOD_NOT_ALLOWED, f"Method {method} is not allowed on '/{path}'")
        if path == "$metadata":
            return ODataResponse(200, metadata_xml(self.service).encode(), "application/xml")
        if self._wants_json(request, parse_options(request.query)):
            return json_body(service_document(self.service))
        xml = service_document_xml(self.service, service_url)
        return ODataResponse(200, xml.encode(), "application/atomsvc+xml")

    def _resolve(self, segments: tuple[Segment, ...]) -> _Target:
        if not segments:
            raise ODataError(400, BAD_URI, "The request URI names no resource")
        first = segments[0]
        entity_set = self.service.get_set(first.name)
        if entity_set is None:
            raise ODataError(404, SEGMENT_NOT_FOUND, f"Resource not found for segment '{first.name}'")
        row = self._lookup(entity_set, first.predicate) if first.predicate is not None else None
        target = _Target(entity_set, row, None, top_level=row is None)
        for position, segment in enumerate(segments[1:], start=2):
            if target.row is None or target.prop is not None:
                raise ODataError(400, BAD_URI, f"Segment '{segment.name}' must follow a single entity")
            etype = target.entity_set.etype
            nav = etype.nav(segment.name)
            if nav is None:
                prop = etype.prop(segment.name)
                if prop is None or segment.predicate is not None or position != len(segments):
                    raise ODataError(
                        404, SEGMENT_NOT_FOUND, f"Resource not found for segment '{segment.name}'"
                    )
                target.prop = prop
                continue
            value = target.entity_set.navigate(target.row, nav.name)
            child_set = self.service.sets[nav.target]
            if isinstance(value, list):
                if segment.predicate is None:
                    target = _Target(child_set, None, value, top_level=False)
                    continue
                key = resolve_key(segment.predicate, child_set.etype)
                value = next((r for r in value if child_set.etype.key_of(r) == key), None)
            elif segment.predicate is not None:
                raise ODataError(400, BAD_URI, f"'{segment.name}' is a to-one navigation: no key predicate")
            if value is None:
                raise ODataError(404, RESOURCE_NOT_FOUND, f"Resource not found for segment '{segment.name}'")
            target = _Target(child_set, value, None, top_level=False)
        return target

    def _lookup(self, entity_set: EntitySet, predicate: str) -> Row:
        row = entity_set.get(resolve_key(predicate, entity_set.etype))
        if row is None:
            raise ODataError(
                404, RESOURCE_NOT_FOUND, f"Resource not found for segment '{entity_set.etype.name}'"
            )
        return row

    # ------------------------------------------------------------ reads

    def _read(
        self,
        request: ODataRequest,
        options: QueryOptions,
        count: bool,
        target: _Target,
        service_url: str,
        path: str,
    ) -> ODataResponse:
        if count:
            if target.row is not None:
                raise ODataError(400, BAD_URI, "$count is only allowed on collections")
            number = count_rows(target.entity_set, options, target.rows)
            return ODataResponse(200, str(number).encode(), "text/plain")
        self._require_json(request, options)
        if target.row is None:
            return self._read_collection(target, options, service_url, f"{service_url}/{path}")
        return self._read_entity(target, options, service_url)

    @staticmethod
    def _wants_json(request: ODataRequest, options: QueryOptions) -> bool:
        """Whether the client asked for JSON ($format wins over Accept); False for Atom/XML."""
        fmt = options.values.get("$format")
        if fmt is None:
            return "application/json" in (request.header("accept") or "")
        if fmt in ("json", "application/json"):
            return True
        if fmt in ("xml", "atom", "application/xml", "application/atom+xml"):
            return False
        raise ODataError(400, BAD_OPTION, f"Invalid value '{fmt}' for system query option $format")

    def _require_json(self, request: ODataRequest, options: QueryOptions) -> None:
        if not self._wants_json(request, options):
            raise ODataError(
                406,
                NOT_ACCEPTABLE,
                "The sandbox answers JSON only: add $format=json or Accept: application/json",
            )

    def _trees(self, target: _Target, options: QueryOptions) -> tuple[ExpandTree, Any]:
        etype = target.entity_set.etype
        expand = parse_expand(options.values.get("$expand"), etype, self.service.type_of)
        select = parse_select(options.values.get("$select"), etype, expand, self.service.type_of)
        return expand, select

    def _read_collection(
        self, target: _Target, options: QueryOptions, service_url: str, url: str
    ) -> ODataResponse:
        expand, select = self._trees(target, options)
        page = read_page(target.entity_set, options, target.rows, max(1, self.page_size()))
        payload: dict[str, Any] = {}
        if page.count is not None:
            payload["__count"] = str(page.count)
        payload["results"] = [
            entity_json(self.service, service_url, target.entity_set, row, expand, select)
            for row in page.rows
        ]
        if page.next_skiptoken is not None:
            payload["__next"] = next_link(url, options, page.next_skiptoken)
        return json_body({"d": payload})

    def _read_entity(self, target: _Target, options: QueryOptions, service_url: str) -> ODataResponse:
        for name in _COLLECTION_ONLY:
            if name in options.values:
                raise ODataError(
                    400, BAD_OPTION, f"System query option '{name}' is not allowed for a single entity"
                )
        assert target.row is not None
        if target.prop is not None:
            return json_body(
                {"d": {target.prop.name: to_json(target.prop, target.row.get(target.prop.name))}}
            )
        expand, select = self._trees(target, options)
        body = entity_json(self.service, service_url, target.entity_set, target.row, expand, select)
        etag = etag_of(target.entity_set.etype, target.row)
        return json_body({"d": body}, headers={"etag": etag} if etag else None)

    # ------------------------------------------------------------ writes

    @staticmethod
    def _json_object(request: ODataRequest) -> dict[str, Any]:
        content_type = request.header("content-type") or ""
        if "json" not in content_type:
            raise ODataError(
                415, BAD_BODY, f"Content type '{content_type}' is not supported: send application/json"
            )
        try:
            body = orjson.loads(request.body)
        except orjson.JSONDecodeError as exc:
            raise ODataError(400, BAD_BODY, f"The request body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise ODataError(400, BAD_BODY, "The request body must be a JSON object")
        return body

    def _create(self, entity_set: EntitySet, request: ODataRequest, service_url: str) -> ODataResponse:
        body = self._json_object(request)
        row = entity_set.create(body)
        expand = ExpandTree({name: ExpandTree() for name in body if entity_set.etype.nav(name) is not None})
        payload = entity_json(self.service, service_url, entity_set, row, expand, None)
        headers = {"location": entity_uri(service_url, entity_set, row)}
        etag = etag_of(entity_set.etype, row)
        if etag:
            headers["etag"] = etag
        return json_body({"d": payload}, 201, headers)

    @staticmethod
    def _check_if_match(request: ODataRequest, entity_set: EntitySet, row: Row) -> None:
        current = etag_of(entity_set.etype, row)
        if current is None:
            return
        given = request.header("if-match")
        if not given:
            raise ODataError(428, PRECONDITION_REQUIRED, "Precondition required: send If-Match with the ETag")

        def norm(tag: str) -> str:
            tag = tag.strip()
            return unquote(tag[2:] if tag.startswith("W/") else tag)

        candidates = [norm(tag) for tag in given.split(",")]
        if "*" in candidates or norm(current) in candidates:
            return
        raise ODataError(412, ETAG_MISMATCH, "State of the resource (entity) was already changed (If-Match)")
