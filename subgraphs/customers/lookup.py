"""Finding one customer in Shopify, the POS and the ERP at once, and merging what they know.

A :class:`CustomerLookup` lives for one GraphQL request. It holds one
dataloader per system over the port's ``customers_by_ids``, so every customer
a request needs (a ``Query.customer``, twenty ``_entities`` representations)
costs one batch call per system, the three systems asked in parallel.

Rules:

* **exists**: a customer known to *any* system exists (a POS-only customer is
  answered from the POS alone); the profile is
  :func:`subgraphs.domain.profile.merge_customer` of every record found.
* **a system fails** (a :class:`~resolvers.errors.ConnectorError` with no stale
  value to stand in): the others answer, and the failure is logged once per
  request and system. Only when no system knows the customer is the failure
  raised (its ``code`` becomes ``extensions.code``), as the failed system
  might have known them: "unknown" would be a guess.
* **a system is slow**: once :data:`PATIENCE_S` has passed and an answer
  already knows the customer, the stragglers count as failed
  (``UPSTREAM_TIMEOUT``, logged) and the answer goes out without them. A
  system that fails slowly (paced retries of an outage) then costs a few
  seconds, not its whole retry schedule. While nobody knows the customer yet,
  every system is waited for (the connectors bound that themselves).
* **a system that must scan to find an id** (Shopify before its id index has
  learned the customer: our id is a metafield its search cannot match, so the
  connector pages through every customer, 502 points a page) is asked by the
  e-mail address another system's record of the customer carries instead, as
  soon as one answers; a record there with our customer id is the one
  (Shopify's connector learns the pair). Only when none matches is it asked by
  id. A cold process answers a Shopify customer in two rounds, not a scan.
  At most :data:`EMAIL_SEARCHES` customers of a request go this way: for a
  batch of more, one scan (and one read of them all) costs less.
* **by e-mail**: trimmed, syntax-checked (:func:`normalise_email`, else
  ``BAD_USER_INPUT``), searched in the three systems in parallel (each matches
  case-insensitively). Records that carry no customer id of ours (a Shopify
  sign-up never linked) name nobody. When the records name several customer
  ids (duplicate profiles), :func:`choose_customer_id` picks one
  deterministically; the profile is then that id's, completed with a look-up by
  id in every system whose e-mail search did not find that customer.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Protocol, TypeVar, runtime_checkable

from aiodataloader import DataLoader

from resolvers.domain import CustomerRecord, System
from resolvers.errors import ConnectorError, UpstreamTimeout
from resolvers.loaders import keyed_loader
from resolvers.ports import CustomerSource
from subgraphs.common.errors import BadUserInput
from subgraphs.common.futures import leave_running
from subgraphs.domain.profile import CustomerProfile, merge_customer

__all__ = [
    "EMAIL_SEARCHES",
    "MAX_EMAIL_LENGTH",
    "PATIENCE_S",
    "CustomerLookup",
    "choose_customer_id",
    "normalise_email",
    "valid_customer_id",
]

_log = logging.getLogger(__name__)
T = TypeVar("T")

PATIENCE_S = 3.0
"""How long a look-up waits for a slow system once another has answered that it knows the customer."""

EMAIL_SEARCHES = 5
"""Customers a request looks for by e-mail in a system that would scan for their ids (~72 Shopify
points each, where a scan page costs 502 and one ``nodes`` read takes them all)."""

MAX_EMAIL_LENGTH = 254
"""RFC 5321's limit on a forward path, the longest address any of the systems stores."""

_EMAIL = re.compile(
    r"[^@\s\"(),:;<>\[\]\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+"
)
_MAX_ID_LENGTH = 64


def normalise_email(raw: str) -> str:
    """``raw`` trimmed and lower-cased; ``BadUserInput`` unless it is a plausible address (a@b.c)."""
    email = raw.strip().lower()
    if not email or len(email) > MAX_EMAIL_LENGTH or _EMAIL.fullmatch(email) is None:
        raise BadUserInput("email is not a valid e-mail address", argument="email")
    local = email.partition("@")[0]
    if len(local) > 64 or local.startswith(".") or local.endswith(".") or ".." in local:
        raise BadUserInput("email is not a valid e-mail address", argument="email")
    return email


def valid_customer_id(raw: str) -> str:
    """``raw`` trimmed; ``BadUserInput`` when blank, too long or holding blanks or control characters."""
    customer_id = raw.strip()
    if (
        not customer_id
        or len(customer_id) > _MAX_ID_LENGTH
        or not customer_id.isprintable()
        or " " in customer_id
    ):
        raise BadUserInput("id is not a customer id", argument="id")
    return customer_id


def choose_customer_id(records: Iterable[CustomerRecord]) -> str | None:
    """The customer id that records found by one e-mail address stand for; None if none carries one.

    Several ids mean duplicate profiles. A service desk looking a caller up by
    e-mail wants the customer behind the online account first: Shopify is
    where customers keep their own e-mail (it wins the profile's e-mail too),
    so its id is taken (the lowest, if Shopify itself holds several); else the
    id most systems agree on; a tie goes to the lowest (oldest) id. Never
    null for an ambiguity: that would tell the agent "no such customer"; the
    chosen profile's ``externalRefs`` show which records were merged.
    """
    listed = [record for record in records if record.customer_id]
    shopify = sorted({r.customer_id for r in listed if r.system == "SHOPIFY" and r.customer_id})
    if shopify:
        return shopify[0]
    votes = Counter(customer_id for _, customer_id in {(r.system, r.customer_id) for r in listed})
    if not votes:
        return None
    return min(votes, key=lambda customer_id: (-votes[customer_id], customer_id))


@runtime_checkable
class ScanningCustomerSource(Protocol):
    """A customer source that can tell whether a look-up by id would have to scan."""

    def finds_customer_directly(self, customer_id: str) -> bool: ...


class CustomerLookup:
    """One request's view of the customer sources (module docstring); ``sources`` in precedence order.

    ``patience``: seconds to wait for every system before answering from those that did, when they
    know the customer (default :data:`PATIENCE_S`, read when the lookup is made).
    """

    def __init__(self, sources: Sequence[CustomerSource], *, patience: float | None = None) -> None:
        self._sources = list(sources)
        self._by_system = {source.system: source for source in self._sources}
        self._searches = EMAIL_SEARCHES
        self._patience = PATIENCE_S if patience is None else patience
        self._loaders: dict[System, DataLoader[str, CustomerRecord | None]] = {
            source.system: keyed_loader(source.customers_by_ids) for source in self._sources
        }
        self._logged: set[tuple[System, str]] = set()

    async def by_id(self, customer_id: str) -> CustomerProfile | None:
        """The merged profile of ``customer_id``; None when no system knows it."""
        records, failures = await self._records_by_id(customer_id, [s.system for s in self._sources])
        return self._profile(records, failures)

    async def by_email(self, email: str) -> CustomerProfile | None:
        """The profile of the customer with this e-mail (already :func:`normalise_email`-ed); None if none."""
        answers, failures = await self._ask(
            [(source.system, source.customers_by_email(email)) for source in self._sources],
            "customers_by_email",
            lambda records: choose_customer_id(records) is not None,
        )
        found = [record for _, records in answers for record in records]
        chosen = choose_customer_id(found)
        if chosen is None:
            return self._profile([], failures)
        records = [record for record in found if record.customer_id == chosen]
        answered = {record.system for record in records}
        missing = [source.system for source in self._sources if source.system not in answered]
        more, _ = await self._records_by_id(chosen, missing, known=True)
        return self._profile([*records, *more], [])

    async def _records_by_id(
        self, customer_id: str, systems: Sequence[System], *, known: bool = False
    ) -> tuple[list[CustomerRecord], list[ConnectorError]]:
        """``known``: the customer is known already, so no system is waited for past patience."""
        direct = [system for system in systems if self._direct(system, customer_id)]
        if not direct or len(direct) == len(systems) or self._searches <= 0:
            direct = list(systems)
        else:
            self._searches -= 1
        asked = {system: asyncio.ensure_future(self._loaders[system].load(customer_id)) for system in direct}
        first = list(asked.values())
        for system in systems:
            if system not in asked:
                asked[system] = asyncio.ensure_future(self._via_email(system, customer_id, first))
        answers, failures = await self._ask(
            [(system, asked[system]) for system in systems],
            "customers_by_id",
            lambda record: record is not None,
            known=known,
        )
        return [record for _, record in answers if record is not None], failures

    def _direct(self, system: System, customer_id: str) -> bool:
        source = self._by_system[system]
        return not isinstance(source, ScanningCustomerSource) or source.finds_customer_directly(customer_id)

    async def _via_email(
        self, system: System, customer_id: str, others: Sequence[asyncio.Future[CustomerRecord | None]]
    ) -> CustomerRecord | None:
        """``system``'s record of the customer, searched by the e-mail of the others' records as they
        answer (module docstring); by id when no search finds it."""
        tried: set[str] = set()
        for answered in asyncio.as_completed(others):
            try:
                record = await answered
            except ConnectorError:
                continue  # reported by _ask
            email = (record.email or "").strip().lower() if record is not None else ""
            if not email or email in tried:
                continue
            tried.add(email)
            try:
                found = await self._by_system[system].customers_by_email(email)
            except ConnectorError:
                break
            match = next((r for r in found if r.customer_id == customer_id), None)
            if match is not None:
                return match
        return await self._loaders[system].load(customer_id)

    async def _ask(
        self,
        calls: Sequence[tuple[System, Awaitable[T]]],
        operation: str,
        knows: Callable[[T], bool],
        *,
        known: bool = False,
    ) -> tuple[list[tuple[System, T]], list[ConnectorError]]:
        """Every system's answer, or its failure; past ``patience``, stragglers are failures once an
        answer knows the customer (they finish in the background and warm the connectors' caches)."""
        asked = [(system, asyncio.ensure_future(call)) for system, call in calls]
        if not asked:
            return [], []
        _, pending = await asyncio.wait([future for _, future in asked], timeout=self._patience)
        while (
            pending
            and not known
            and not any(
                knows(future.result()) for _, future in asked if future.done() and future.exception() is None
            )
        ):
            _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        answers: list[tuple[System, T]] = []
        failures: list[ConnectorError] = []
        for system, future in asked:
            if future in pending:
                leave_running(future)
                late = UpstreamTimeout(
                    f"no answer within {self._patience:g} s; answered without it",
                    system=system.lower(),
                    operation=operation,
                )
                failures.append(self._failed(system, operation, late))
            elif (error := future.exception()) is not None:
                failures.append(self._failed(system, operation, error))
            else:
                answers.append((system, future.result()))
        return answers, failures

    def _failed(self, system: System, operation: str, error: BaseException) -> ConnectorError:
        """The failure as a ConnectorError, logged once per request, system and operation; anything
        else is a bug: re-raised."""
        if not isinstance(error, ConnectorError):
            raise error
        if (system, operation) not in self._logged:
            self._logged.add((system, operation))
            _log.warning("customers: %s %s failed: %s (%s)", system, operation, error.code, error.message)
        return error

    @staticmethod
    def _profile(records: list[CustomerRecord], failures: list[ConnectorError]) -> CustomerProfile | None:
        if records:
            return merge_customer(records)
        if failures:
            raise failures[0]
        return None
