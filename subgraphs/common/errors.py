"""Request errors a subgraph raises on purpose, each with a stable ``code`` (``extensions.code``)."""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = ["BadUserInput", "SubgraphError"]


class SubgraphError(Exception):
    """Base of the errors resolvers raise on purpose."""

    code: ClassVar[str] = "SUBGRAPH_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self._extensions = extensions

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self._extensions}


class BadUserInput(SubgraphError):
    """An argument out of its allowed range (``first`` above 100, too many SKUs, ...)."""

    code = "BAD_USER_INPUT"
