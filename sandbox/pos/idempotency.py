"""Square's idempotency keys: the same key and body replay the first answer; another body is refused.

Keys are scoped per operation (and per order for order updates and
payments), as Square scopes them per endpoint. The replay is the first
response body, byte for byte in content; a different body under a used key
is ``400 IDEMPOTENCY_KEY_REUSED``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.pos.errors import SquareError
from sandbox.pos.wire import fingerprint

__all__ = ["IdempotencyKeys"]


@dataclass
class IdempotencyKeys:
    """Recorded (scope, key) -> (fingerprint of the request, the response payload)."""

    _seen: dict[tuple[str, str], tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def replay(self, scope: str, key: str, request: Any) -> dict[str, Any] | None:
        """The first answer for this key, or None if it is new; raises if the body differs."""
        seen = self._seen.get((scope, key))
        if seen is None:
            return None
        if seen[0] != fingerprint(request):
            raise SquareError(
                400,
                "IDEMPOTENCY_KEY_REUSED",
                f"The idempotency key `{key}` was already used for a different request.",
                field="idempotency_key",
            )
        return seen[1]

    def remember(self, scope: str, key: str, request: Any, response: dict[str, Any]) -> dict[str, Any]:
        self._seen[(scope, key)] = (fingerprint(request), response)
        return response
