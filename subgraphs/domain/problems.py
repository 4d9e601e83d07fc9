"""A problem with a request that the caller can fix: the value behind the contract's ``UserError``.

Validation rules (of a return request here, of an order submission in the
orders subgraph) collect every problem they find rather than stop at the
first, and answer them together as ``userErrors``. ``field`` is the path to
the input field at fault, e.g. ``("lines", "0", "quantity")``, or None when
the request as a whole is at fault; ``code`` is stable SHOUTY_SNAKE_CASE.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "field_path"]


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    field: tuple[str, ...] | None
    message: str

    @property
    def path(self) -> list[str] | None:
        """``field`` as the contract's ``[String!]``."""
        return list(self.field) if self.field is not None else None


def field_path(*parts: str | int) -> tuple[str, ...]:
    """A field path with list indexes as strings: ``field_path("lines", 0, "quantity")``."""
    return tuple(str(part) for part in parts)
