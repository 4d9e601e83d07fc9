"""Customer endpoints.

    GET  /v2/customers?cursor=&limit=(1-100, default 100)&sort_field=DEFAULT|CREATED_AT
         &sort_order=ASC|DESC&count=true                      -> {customers, cursor, count}
    GET  /v2/customers/{id}                                   -> {customer}
    POST /v2/customers/search {query {filter {email_address {exact|fuzzy}, phone_number {exact|fuzzy},
         reference_id {exact|fuzzy}, created_at|updated_at {start_at, end_at},
         creation_source {values, rule}},
         sort {field, order}}, limit (1-100), cursor, count}   -> {customers, cursor, count}
    POST /v2/customers {idempotency_key?, given_name, family_name, company_name, nickname, email_address,
         phone_number, reference_id, note, birthday, address}  -> {customer}

A new profile needs at least one of given_name, family_name, company_name,
email_address or phone_number; e-mail addresses and phone numbers are
checked (``INVALID_EMAIL_ADDRESS``, ``INVALID_PHONE_NUMBER``). Square allows
duplicate profiles, and so does this mimic.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.pos.customers import CustomerBook, PosCustomer, TextMatch
from sandbox.pos.endpoint import (
    SquareModel,
    ok,
    path_param,
    query_bool,
    query_enum,
    query_int,
    query_str,
    read_body,
)
from sandbox.pos.errors import SquareError, not_found
from sandbox.pos.store import PosStore
from sandbox.pos.wire import (
    compact,
    decode_offset,
    encode_cursor,
    fingerprint,
    new_id,
    now,
    parse_time,
    query_fingerprint,
)

__all__ = ["customer_routes"]

CreationSource = Literal[
    "OTHER",
    "APPOINTMENTS",
    "COUPON",
    "DELETION_RECOVERY",
    "DIRECTORY",
    "EGIFTING",
    "EMAIL_COLLECTION",
    "FEEDBACK",
    "IMPORT",
    "INVOICES",
    "LOYALTY",
    "MARKETING",
    "MERGE",
    "ONLINE_STORE",
    "INSTANT_PROFILE",
    "TERMINAL",
    "THIRD_PARTY",
    "THIRD_PARTY_IMPORT",
    "UNMERGE_RECOVERY",
]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().-]+$")


class _Text(SquareModel):
    exact: str | None = None
    fuzzy: str | None = None


class _TimeRange(SquareModel):
    start_at: str | None = None
    end_at: str | None = None


class _Sources(SquareModel):
    values: list[CreationSource] | None = None
    rule: Literal["INCLUDE", "EXCLUDE"] | None = None


class _Filter(SquareModel):
    creation_source: _Sources | None = None
    created_at: _TimeRange | None = None
    updated_at: _TimeRange | None = None
    email_address: _Text | None = None
    phone_number: _Text | None = None
    reference_id: _Text | None = None


class _Sort(SquareModel):
    field: Literal["DEFAULT", "CREATED_AT"] | None = None
    order: Literal["ASC", "DESC"] | None = None


class _Query(SquareModel):
    filter: _Filter | None = None
    sort: _Sort | None = None


class _SearchBody(SquareModel):
    cursor: str | None = None
    limit: int | None = Field(None, ge=1, le=100)
    query: _Query | None = None
    count: bool | None = None


class _Address(SquareModel):
    address_line_1: str | None = None
    address_line_2: str | None = None
    address_line_3: str | None = None
    locality: str | None = None
    sublocality: str | None = None
    administrative_district_level_1: str | None = None
    postal_code: str | None = None
    country: str | None = Field(None, min_length=2, max_length=2)
    first_name: str | None = None
    last_name: str | None = None


class _CreateBody(SquareModel):
    idempotency_key: str | None = Field(None, min_length=1, max_length=45)
    given_name: str | None = Field(None, max_length=300)
    family_name: str | None = Field(None, max_length=300)
    company_name: str | None = Field(None, max_length=500)
    nickname: str | None = Field(None, max_length=100)
    email_address: str | None = Field(None, max_length=254)
    address: _Address | None = None
    phone_number: str | None = Field(None, max_length=50)
    reference_id: str | None = Field(None, max_length=100)
    note: str | None = None
    birthday: str | None = None


def _text(value: _Text | None, name: str) -> TextMatch | None:
    if value is None:
        return None
    if (value.exact is None) == (value.fuzzy is None):
        raise SquareError(
            400,
            "INVALID_VALUE",
            "Exactly one of `exact` and `fuzzy` must be set.",
            field=f"query.filter.{name}",
        )
    return TextMatch(value.exact, value.fuzzy)


def _window(value: _TimeRange | None, name: str) -> tuple[datetime | None, datetime | None] | None:
    if value is None:
        return None
    field = f"query.filter.{name}"
    start = parse_time(value.start_at, f"{field}.start_at") if value.start_at else None
    end = parse_time(value.end_at, f"{field}.end_at") if value.end_at else None
    return start, end


def _within(moment: datetime, window: tuple[datetime | None, datetime | None] | None) -> bool:
    if window is None:
        return True
    start, end = window
    return (start is None or moment >= start) and (end is None or moment < end)


def _search(book: CustomerBook, query: _Query | None) -> list[PosCustomer]:
    sort = query.sort if query and query.sort else _Sort()
    found = book.ordered(sort.field or "DEFAULT", sort.order == "DESC")
    f = query.filter if query else None
    if f is None:
        return found
    email, phone = _text(f.email_address, "email_address"), _text(f.phone_number, "phone_number")
    ref = _text(f.reference_id, "reference_id")
    created, updated = _window(f.created_at, "created_at"), _window(f.updated_at, "updated_at")
    sources = f.creation_source
    return [
        c
        for c in found
        if (email is None or email.matches(c.email_address))
        and (phone is None or phone.matches(c.phone_number, phone=True))
        and (ref is None or ref.matches(c.reference_id, case_sensitive=True))
        and _within(c.created_at, created)
        and _within(c.updated_at, updated)
        and (
            sources is None
            or not sources.values
            or (c.creation_source in sources.values) == (sources.rule != "EXCLUDE")
        )
    ]


def _page(
    found: list[PosCustomer], start: int, limit: int, kind: str, query: str, count: bool
) -> dict[str, Any]:
    more = start + limit < len(found)
    return {
        "customers": [c.as_json() for c in found[start : start + limit]],
        "cursor": encode_cursor(kind, query, start + limit) if more else None,
        "count": len(found) if count else None,
    }


def _new_customer(body: _CreateBody) -> PosCustomer:
    if not any((body.given_name, body.family_name, body.company_name, body.email_address, body.phone_number)):
        raise SquareError(
            400,
            "BAD_REQUEST",
            "At least one of the following fields must be set: given_name, family_name, company_name, "
            "email_address, or phone_number.",
        )
    if body.email_address is not None and not _EMAIL.match(body.email_address):
        raise SquareError(400, "INVALID_EMAIL_ADDRESS", "Invalid email address.", field="email_address")
    if body.phone_number is not None:
        digits = re.sub(r"\D", "", body.phone_number)
        if not _PHONE.match(body.phone_number) or not 9 <= len(digits) <= 16:
            raise SquareError(400, "INVALID_PHONE_NUMBER", "Invalid phone number.", field="phone_number")
    created = now()
    fields = body.model_dump(exclude={"idempotency_key", "address"})
    address = compact(body.address.model_dump()) if body.address else None
    return PosCustomer(
        id=new_id(26),
        created_at=created,
        updated_at=created,
        creation_source="THIRD_PARTY",
        address=address or None,
        **fields,
    )


def customer_routes(store: PosStore) -> list[Route]:
    async def list_customers(request: Request) -> Response:
        limit = query_int(request, "limit", 100, 1, 100)
        sort_field = query_enum(request, "sort_field", ("DEFAULT", "CREATED_AT"), "DEFAULT") or "DEFAULT"
        sort_order = query_enum(request, "sort_order", ("ASC", "DESC"), "ASC")
        query = fingerprint([sort_field, sort_order])
        start = decode_offset(query_str(request, "cursor"), "customers.list", query)
        found = store.customers.ordered(sort_field, sort_order == "DESC")
        return ok(_page(found, start, limit, "customers.list", query, query_bool(request, "count")))

    async def retrieve_customer(request: Request) -> Response:
        customer_id = path_param(request, "customer_id")
        customer = store.customers.by_id.get(customer_id)
        if customer is None:
            raise not_found("Customer", customer_id)
        return ok({"customer": customer.as_json()})

    async def search_customers(request: Request) -> Response:
        body, raw = await read_body(request, _SearchBody)
        query = query_fingerprint(raw)
        start = decode_offset(body.cursor, "customers.search", query)
        found = _search(store.customers, body.query)
        return ok(_page(found, start, body.limit or 100, "customers.search", query, bool(body.count)))

    async def create_customer(request: Request) -> Response:
        body, raw = await read_body(request, _CreateBody)
        if body.idempotency_key is not None:
            replay = store.keys.replay("customers.create", body.idempotency_key, raw)
            if replay is not None:
                return ok(replay)
        customer = _new_customer(body)
        store.customers.add(customer)
        response = {"customer": customer.as_json()}
        if body.idempotency_key is not None:
            store.keys.remember("customers.create", body.idempotency_key, raw, response)
        return ok(response)

    return [
        Route("/v2/customers", list_customers, methods=["GET"]),
        Route("/v2/customers", create_customer, methods=["POST"]),
        Route("/v2/customers/search", search_customers, methods=["POST"]),
        Route("/v2/customers/{customer_id}", retrieve_customer, methods=["GET"]),
    ]
