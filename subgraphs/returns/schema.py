"""The returns subgraph's schema: ``Query.returnAuthorization`` and ``Mutation.authorizeReturn``.

``authorizeReturn`` is :func:`subgraphs.returns.authorize.authorize_return`;
its client, for the idempotency key's namespace and fingerprint, is the
``X-Client-Id`` request header (``anonymous`` without one). Problems with the
input are ``userErrors`` (codes in :mod:`subgraphs.returns.validation`, plus
IDEMPOTENCY_KEY_REUSED / IDEMPOTENCY_KEY_IN_PROGRESS / INVALID_IDEMPOTENCY_KEY
on ``idempotencyKey``); a system that cannot be reached is an error with its
code (the key is then released: retry with the same key).
"""

from __future__ import annotations

import strawberry

from subgraphs.common.federation import FederatedSchema
from subgraphs.common.types import UserError
from subgraphs.returns import reads
from subgraphs.returns.authorize import authorize_return
from subgraphs.returns.types import (
    Customer,
    Info,
    Order,
    RefundMethod,
    Return,
    ReturnLine,
    ReturnReason,
    Variant,
)
from subgraphs.returns.validation import RequestLine, ReturnRequest

__all__ = [
    "AuthorizeReturnInput",
    "AuthorizeReturnPayload",
    "Mutation",
    "Query",
    "ReturnLineInput",
    "client_of",
    "schema",
]

CLIENT_HEADER = "x-client-id"
MAX_CLIENT_LENGTH = 128


@strawberry.input
class ReturnLineInput:
    order_line_id: strawberry.ID
    quantity: int
    reason: ReturnReason


@strawberry.input
class AuthorizeReturnInput:
    order_id: strawberry.ID
    lines: list[ReturnLineInput]
    refund_method: RefundMethod = RefundMethod.ORIGINAL_PAYMENT
    drop_off_location_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="A store where the items will be dropped off, if not shipped back.",
    )

    def request(self) -> ReturnRequest:
        return ReturnRequest(
            order_id=str(self.order_id).strip(),
            lines=tuple(
                RequestLine(str(line.order_line_id), line.quantity, line.reason.value) for line in self.lines
            ),
            refund_method=self.refund_method.value,
            drop_off_location_id=str(self.drop_off_location_id) if self.drop_off_location_id else None,
        )


@strawberry.type
class AuthorizeReturnPayload:
    return_: Return | None = strawberry.field(name="return")
    user_errors: list[UserError]
    replayed: bool = strawberry.field(
        description="True when this idempotency key had been seen: the first result is returned, "
        "nothing is done twice."
    )


def client_of(info: Info) -> str:
    """The calling client: its ``X-Client-Id`` header, else ``anonymous``."""
    request = info.context.request
    raw = request.headers.get(CLIENT_HEADER, "") if request is not None else ""
    return raw.strip()[:MAX_CLIENT_LENGTH] or "anonymous"


async def _return_authorization(info: Info, id: strawberry.ID) -> Return | None:
    found = await reads.return_by_rma(info.context, str(id).strip())
    return Return.of(found) if found else None


async def _authorize_return(
    info: Info, input: AuthorizeReturnInput, idempotency_key: strawberry.ID
) -> AuthorizeReturnPayload:
    done = await authorize_return(
        info.context.systems, input.request(), client=client_of(info), idempotency_key=str(idempotency_key)
    )
    return AuthorizeReturnPayload(
        return_=Return.of(done.view) if done.view else None,
        user_errors=[UserError(code=p.code, field=p.path, message=p.message) for p in done.problems],
        replayed=done.replayed,
    )


@strawberry.type
class Query:
    return_authorization: Return | None = strawberry.field(
        resolver=_return_authorization, description="A return by its RMA number."
    )


@strawberry.type
class Mutation:
    authorize_return: AuthorizeReturnPayload = strawberry.mutation(
        resolver=_authorize_return,
        description="Authorise a return for fulfilled, not yet returned quantities of an order: creates "
        "the RMA in the OMS and ERP (and in Shopify for online orders). Same idempotency rules as "
        "submitOrder.",
    )


schema = FederatedSchema(
    query=Query,
    mutation=Mutation,
    types=[Return, ReturnLine, Order, Customer, Variant],
    federation_version="2.9",
)
