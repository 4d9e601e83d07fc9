"""Tokens of OData V2 expressions: $filter, $orderby and key predicates.

Literals become typed values at once: ``'it''s'`` -> ``"it's"``, ``12.5`` or
``12.5M`` -> ``Decimal``, ``datetime'2026-01-01T00:00:00'`` and
``datetimeoffset'2026-01-01T00:00:00Z'`` -> aware UTC ``datetime``,
``guid'...'`` -> ``str``. Names (properties, functions, operators and
``true``/``false``/``null``) stay names for the parser. Every malformed input
raises ``ValueError`` with the position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

__all__ = ["Token", "TokenKind", "tokenize"]

TokenKind = Literal["name", "string", "number", "datetime", "guid", "(", ")", ",", "/", "=", "end"]

_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[mMdDfFlL]?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?")
_OFFSET = re.compile(r"Z|([+-])(\d{2}):(\d{2})")
_TYPED = ("datetime", "datetimeoffset", "guid")


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str
    value: Any
    pos: int


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The content of the quoted literal opening at ``start`` ('' escapes a quote) and the end index."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "'":
            if i + 1 < len(text) and text[i + 1] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out), i + 1
        out.append(char)
        i += 1
    raise ValueError(f"unterminated string literal at position {start}")


def _datetime(raw: str, with_offset: bool) -> datetime:
    match = _DATETIME.match(raw)
    if not match:
        raise ValueError(f"'{raw}' is not a valid datetime literal")
    year, month, dd, hh, mm, ss, frac = match.groups()
    micro = int((frac or "0").ljust(7, "0")[:6])
    moment = datetime(int(year), int(month), int(dd), int(hh), int(mm), int(ss or 0), micro, tzinfo=UTC)
    rest = raw[match.end() :]
    if not rest:
        return moment
    offset = _OFFSET.fullmatch(rest)
    if not with_offset or not offset:
        raise ValueError(f"'{raw}' is not a valid datetime literal")
    if offset.group(0) != "Z":
        sign, oh, om = offset.groups()
        delta = timedelta(hours=int(oh), minutes=int(om))
        moment -= delta if sign == "+" else -delta
    return moment


def _typed(name: str, raw: str) -> tuple[TokenKind, Any]:
    if name == "guid":
        return "guid", raw
    try:
        return "datetime", _datetime(raw, with_offset=name == "datetimeoffset")
    except ValueError as exc:  # out-of-range fields as well as bad shapes
        raise ValueError(str(exc) if "literal" in str(exc) else f"'{raw}' is not a valid datetime") from None


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char in "(),/=":
            tokens.append(Token(char, char, char, i))  # type: ignore[arg-type]
            i += 1
            continue
        if char == "'":
            value, end = _quoted(text, i)
            tokens.append(Token("string", text[i:end], value, i))
            i = end
            continue
        if char.isdigit() or (char in "-." and i + 1 < len(text) and text[i + 1].isdigit()):
            match = _NUMBER.match(text, i)
            if match is None:  # pragma: no cover - the guard above makes a match certain
                raise ValueError(f"invalid number at position {i}")
            literal = match.group(0)
            tokens.append(Token("number", literal, Decimal(literal.rstrip("mMdDfFlL")), i))
            i = match.end()
            continue
        match = _NAME.match(text, i)
        if match is None:
            raise ValueError(f"unexpected character '{char}' at position {i}")
        name = match.group(0)
        end = match.end()
        if end < len(text) and text[end] == "'" and name in _TYPED:
            raw, after = _quoted(text, end)
            kind, value = _typed(name, raw)
            tokens.append(Token(kind, text[i:after], value, i))
            i = after
            continue
        if end < len(text) and text[end] == "'":
            raise ValueError(f"unsupported literal type '{name}' at position {i}")
        tokens.append(Token("name", name, name, i))
        i = end
    tokens.append(Token("end", "", None, len(text)))
    return tokens
