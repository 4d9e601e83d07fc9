"""``Mutation.submitOrder``: the idempotency rules around :func:`subgraphs.orders.submit.accept_order`.

The key is ``submitOrder:<client>:<idempotencyKey>`` (client: the
``X-Client-Id`` header, else ``anonymous``), the fingerprint the hash of the
canonical input and the client; the rules are
:mod:`subgraphs.common.idempotency`'s. The first call with a key accepts the
order and stores ``{"number": ...}`` as its answer (kept
``orders.idempotency_ttl_s``); a submission that ends in ``userErrors``
(nothing was done) is answered without keeping the key, and one that fails
releases it too: a retry with the same key and input resumes it with the
same number and draft (:mod:`subgraphs.orders.numbers`). A replay answers
the stored order with ``replayed: true``.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from subgraphs.common.app import RequestContext
from subgraphs.common.idempotency import (
    IdempotencyConflict,
    IdempotentMutations,
    Stored,
    Unstored,
    fingerprint,
    scope_key,
)
from subgraphs.common.systems import Systems
from subgraphs.common.types import UserError
from subgraphs.domain.problems import Problem, field_path
from subgraphs.orders.inputs import SubmitOrderInput, canonical, to_request
from subgraphs.orders.reads import load_orders, prime_records
from subgraphs.orders.submit import Outcome, accept_order
from subgraphs.orders.types import Order
from subgraphs.orders.validation import SubmitRequest

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


class _Submission:
    """The action run under the key: :func:`accept_order`, keeping its outcome for this call's answer."""

    def __init__(self, systems: Systems, request: SubmitRequest, scope: str, print_: str) -> None:
        self._systems, self._request, self._scope, self._print = systems, request, scope, print_
        self.accepted = Outcome(None)

    async def __call__(self) -> Stored | Unstored:
        self.accepted = await accept_order(
            self._systems, self._request, scope=self._scope, print_=self._print
        )
        if self.accepted.number is None:
            return Unstored({})  # userErrors: the problems are answered from ``accepted``
        return Stored({"number": self.accepted.number})


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
    rules = systems.settings.orders
    mutations = IdempotentMutations(
        systems.storage.idempotency, ttl=rules.idempotency_ttl_s, wait_s=rules.idempotency_wait_s
    )
    client = _client(info)
    request = to_request(order_input)
    scope = scope_key("submitOrder", client, key)
    print_ = fingerprint(canonical(request), client)
    submission = _Submission(systems, request, scope, print_)
    try:
        outcome = await mutations.run(scope, print_, submission)
    except IdempotencyConflict as conflict:
        return _payload(None, (Problem(conflict.code, _KEY, str(conflict)),))
    if outcome.replayed:
        number = outcome.answer.get("number")
        return _payload(number if isinstance(number, str) else None, replayed=True)
    accepted = submission.accepted
    if accepted.number is None:
        return _payload(None, accepted.problems)
    prime_records(info.context, accepted.records, absent_from=("POS",))  # we never create in the POS
    return _payload(accepted.number)
