"""Resource paths below a service root: ``A_SalesOrder('1')/to_Item``, composite keys, ``$count``.

A path is a list of segments, each a name with an optional key predicate:
``A_SalesOrder('1000001')`` (single key), ``A_ProductSupplyPlanning(Product='X',Plant='1001')``
(named keys, any order), optionally ending in ``/$count``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.erp.odata.edm import EntityType, kind_of
from sandbox.erp.odata.errors import BAD_URI, ODataError
from sandbox.erp.odata.lexer import Token, tokenize

__all__ = ["ResourcePath", "Segment", "parse_path", "resolve_key"]

_TOKEN_KIND = {"string": "string", "guid": "string", "number": "number", "datetime": "datetime"}


@dataclass(frozen=True)
class Segment:
    name: str
    predicate: str | None
    """The raw text between the parentheses, or None without a key predicate."""


@dataclass(frozen=True)
class ResourcePath:
    segments: tuple[Segment, ...]
    count: bool


def _bad(message: str) -> ODataError:
    return ODataError(400, BAD_URI, message)


def _split(path: str) -> list[str]:
    """Split on '/' outside quotes (a key value may contain a slash)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in path:
        if char == "'":
            quoted = not quoted
        if char == "/" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def parse_path(path: str) -> ResourcePath:
    """Parse a path relative to the service root (no leading slash needed)."""
    raw = [part for part in _split(path.strip("/")) if part != ""]
    count = bool(raw) and raw[-1] == "$count"
    if count:
        raw = raw[:-1]
    segments: list[Segment] = []
    for part in raw:
        if "(" in part:
            if not part.endswith(")"):
                raise _bad(f"Invalid URI segment '{part}'")
            name, _, rest = part.partition("(")
            segments.append(Segment(name, rest[:-1]))
        else:
            segments.append(Segment(part, None))
    for segment in segments:
        if not segment.name or segment.name.startswith("$"):
            raise _bad(f"Invalid URI segment '{segment.name}'")
    return ResourcePath(tuple(segments), count)


def _value(token: Token, etype: EntityType, name: str) -> Any:
    prop = etype.prop(name)
    if prop is None or name not in etype.keys:
        raise _bad(f"Property '{name}' is not a key of '{etype.name}'")
    if _TOKEN_KIND.get(token.kind) != kind_of(prop):
        raise _bad(f"Invalid key predicate: '{token.text}' is not a valid value for key '{name}'")
    return token.value


def resolve_key(predicate: str, etype: EntityType) -> dict[str, Any]:
    """The typed key values of a predicate such as ``'1'`` or ``Product='X',Plant='1001'``."""
    try:
        tokens = tokenize(predicate)
    except ValueError as exc:
        raise _bad(f"Invalid key predicate '({predicate})': {exc}") from None
    if len(tokens) == 2 and tokens[0].kind != "name":
        if len(etype.keys) != 1:
            raise _bad(
                f"Invalid key predicate '({predicate})': '{etype.name}' has keys {', '.join(etype.keys)}"
            )
        return {etype.keys[0]: _value(tokens[0], etype, etype.keys[0])}
    key: dict[str, Any] = {}
    i = 0
    while True:
        if i + 3 > len(tokens):
            raise _bad(f"Invalid key predicate '({predicate})'")
        name, equals, value = tokens[i : i + 3]
        if (
            name.kind != "name"
            or equals.kind != "="
            or value.kind in ("name", "end", "(", ")", ",", "/", "=")
        ):
            raise _bad(f"Invalid key predicate '({predicate})'")
        if name.text in key:
            raise _bad(f"Invalid key predicate '({predicate})': key '{name.text}' given twice")
        key[name.text] = _value(value, etype, name.text)
        i += 3
        if tokens[i].kind == "end":
            break
        if tokens[i].kind != ",":
            raise _bad(f"Invalid key predicate '({predicate})'")
        i += 1
    missing = [k for k in etype.keys if k not in key]
    if missing:
        raise _bad(f"Invalid key predicate '({predicate})': missing key(s) {', '.join(missing)}")
    return key
