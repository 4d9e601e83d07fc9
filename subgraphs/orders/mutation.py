"""``Mutation.submitOrder``: the idempotency rules around :func:`subgraphs.orders.submit.accept_order`.

The key is ``submitOrder:<client>:<idempotencyKey>`` (client: the
``X-Client-Id`` header, else ``anonymous``), the fingerprint the hash of the
canonical input and the client (:mod:`subgraphs.orders.idempotency`). The
owner of a key accepts the order and stores ``{"number": ...}`` as the
result (kept ``orders.idempotency_ttl_s``); it abandons the key when the
submission ends in ``userErrors`` (nothing was done) or fails (a retry with
the same key and input resumes it: :mod:`subgraphs.orders.numbers`). A
replay answers the stored order with ``replayed: true``.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import orjson
import strawberry

from subgraphs.common.app import RequestContext
from subgraphs.common.types import UserError
from subgraphs.domain.problems import Problem, field_path
from subgraphs.orders.idempotency import Claim, claim, fingerprint, scope_key
from subgraphs.orders.inputs import SubmitOrderInput, canonical, to_request
from subgraphs.orders.reads import load_orders, prime_records
from subgraphs.orders.submit import Outcome, accept_order
from subgraphs.orders.types import Order

__all__ = ["MAX_KEY_LENGTH", "SubmitOrderPayload", "submit_order"]

Info = strawberry.Info[RequestContext, None]
MAX_KEY_LENGTH = 200
_KEY = field_path("idempotencyKey")


@strawberry.type
class SubmitOrderPayload:
    number: strawberry.Private[str | None]
    user_errors: list[UserError]
    replayed: bool = strawberry.field(
        description="True when this idempotency key had been seen: the first result is returned, "
        "nothing is done twice."
    )

    @strawberry.field
    async def order(self, info: Info) -> Order | None:
        if self.number is None:
            return None
        [found] = await load_orders(info.context, [self.number])
        return Order.of(found) if found is not None else None


def _payload(
    number: str | None, problems: tuple[Problem, ...] = (), *, replayed: bool = False
) -> SubmitOrderPayload:
    errors = [UserError(code=p.code, field=p.path, message=p.message) for p in problems]
    return SubmitOrderPayload(number=number, user_errors=errors, replayed=replayed)


def _client(info: Info) -> str:
    request = info.context.request
    found = request.headers.get("x-client-id") if request is not None else None
    return found.strip() if found and found.strip() else "anonymous"


def _stored_number(result: bytes | None) -> str | None:
    try:
        number = orjson.loads(result or b"null")["number"]
    except (orjson.JSONDecodeError, TypeError, KeyError):
        return None
    return number if isinstance(number, str) else None


async def submit_order(
    info: Info,
    order_input: Annotated[SubmitOrderInput, strawberry.argument(name="input")],
    idempotency_key: strawberry.ID,
) -> SubmitOrderPayload:
    """Accept an order: validate, price, reserve stock, hand it to the OMS and queue its ERP posting."""
    key = str(idempotency_key)
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        problem = Problem(
            "INVALID_IDEMPOTENCY_KEY", _KEY, f"The idempotency key must be 1 to {MAX_KEY_LENGTH} characters."
        )
        return _payload(None, (problem,))
    systems = info.context.systems
    store, rules = systems.storage.idempotency, systems.settings.orders
    client = _client(info)
    request = to_request(order_input)
    scope = scope_key("submitOrder", client, key)
    print_ = fingerprint(canonical(request), client)
    claimed = await claim(store, scope, print_, wait_s=rules.idempotency_wait_s)
    if claimed.outcome is Claim.REPLAY:
        return _payload(_stored_number(claimed.result), replayed=True)
    if claimed.outcome is Claim.REUSED:
        message = "This idempotency key was used with a different input."
        return _payload(None, (Problem("IDEMPOTENCY_KEY_REUSED", _KEY, message),))
    if claimed.outcome is Claim.IN_PROGRESS:
        message = "A request with this idempotency key is still being processed; retry later."
        return _payload(None, (Problem("IDEMPOTENCY_KEY_IN_PROGRESS", _KEY, message),))
    try:
        outcome: Outcome = await accept_order(systems, request, scope=scope, print_=print_)
    except BaseException:
        await asyncio.shield(store.abandon(scope))
        raise
    if outcome.number is None:
        await store.abandon(scope)
        return _payload(None, outcome.problems)
    await store.complete(scope, orjson.dumps({"number": outcome.number}), rules.idempotency_ttl_s)
    prime_records(info.context, outcome.records, absent_from=("POS",))  # we never create in the POS
    return _payload(outcome.number)
