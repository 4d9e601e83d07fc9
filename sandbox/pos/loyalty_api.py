"""Loyalty endpoints.

    GET  /v2/loyalty/programs                   -> {programs: [program]}
    GET  /v2/loyalty/programs/main              -> {program}   (also by the program's id)
    POST /v2/loyalty/accounts/search {query {customer_ids | mappings [{phone_number}]}, limit (1-200,
         default 30), cursor}                   -> {loyalty_accounts, cursor}
    GET  /v2/loyalty/accounts/{id}              -> {loyalty_account}

``customer_ids`` and ``mappings`` (at most 30 each) cannot be combined;
without a query every account is listed.
"""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.pos.customers import normalise_phone
from sandbox.pos.endpoint import SquareModel, ok, path_param, read_body
from sandbox.pos.errors import SquareError, not_found
from sandbox.pos.store import PosStore
from sandbox.pos.wire import decode_offset, encode_cursor, query_fingerprint

__all__ = ["loyalty_routes"]


class _Mapping(SquareModel):
    phone_number: str


class _Query(SquareModel):
    mappings: list[_Mapping] | None = Field(None, max_length=30)
    customer_ids: list[str] | None = Field(None, max_length=30)


class _SearchBody(SquareModel):
    query: _Query | None = None
    limit: int | None = Field(None, ge=1, le=200)
    cursor: str | None = None


def loyalty_routes(store: PosStore) -> list[Route]:
    async def list_programs(_: Request) -> Response:
        return ok({"programs": [store.loyalty.program_json()]})

    async def retrieve_program(request: Request) -> Response:
        program_id = path_param(request, "program_id")
        if program_id not in ("main", store.loyalty.program_id):
            raise not_found("Loyalty program", program_id)
        return ok({"program": store.loyalty.program_json()})

    async def search_accounts(request: Request) -> Response:
        body, raw = await read_body(request, _SearchBody)
        query = query_fingerprint(raw)
        start = decode_offset(body.cursor, "loyalty.accounts", query)
        found = store.loyalty.accounts
        if body.query is not None:
            if body.query.mappings is not None and body.query.customer_ids is not None:
                raise SquareError(
                    400, "INVALID_VALUE", "Use either `mappings` or `customer_ids`, not both.", field="query"
                )
            if body.query.customer_ids is not None:
                wanted = set(body.query.customer_ids)
                found = [a for a in found if a.customer_id in wanted]
            if body.query.mappings is not None:
                phones = {normalise_phone(m.phone_number) for m in body.query.mappings}
                found = [a for a in found if a.phone_number and normalise_phone(a.phone_number) in phones]
        limit = body.limit or 30
        more = start + limit < len(found)
        return ok(
            {
                "loyalty_accounts": [a.as_json() for a in found[start : start + limit]],
                "cursor": encode_cursor("loyalty.accounts", query, start + limit) if more else None,
            }
        )

    async def retrieve_account(request: Request) -> Response:
        account_id = path_param(request, "account_id")
        account = store.loyalty.by_id.get(account_id)
        if account is None:
            raise not_found("Loyalty account", account_id)
        return ok({"loyalty_account": account.as_json()})

    return [
        Route("/v2/loyalty/programs", list_programs, methods=["GET"]),
        Route("/v2/loyalty/programs/{program_id}", retrieve_program, methods=["GET"]),
        Route("/v2/loyalty/accounts/search", search_accounts, methods=["POST"]),
        Route("/v2/loyalty/accounts/{account_id}", retrieve_account, methods=["GET"]),
    ]
