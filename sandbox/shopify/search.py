"""Shopify's search syntax for the ``query`` argument of list fields.

    title:Hoodie vendor:"Alder & Oak"          terms AND together (space or AND)
    status:open OR status:cancelled            OR binds looser than AND; parentheses group
    -tag:sale   NOT tag:sale                   negation
    updated_at:>2026-10-01   created_at:<=2026-10-01T12:00:00Z   comparisons
    sku:TEE-00001*                             trailing * is a prefix match
    Hoodie                                     a bare term searches the resource's default fields

:func:`parse` turns a query into a tree (malformed input raises
:class:`SearchSyntaxError`); :func:`compile_query` binds it to a resource's
:class:`Field` table and returns a predicate plus warnings for unknown fields,
which, as in Shopify, match everything rather than nothing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Literal

__all__ = ["Field", "Node", "SearchSyntaxError", "compile_query", "parse"]

Kind = Literal["text", "exact", "date", "number", "custom"]
Predicate = Callable[[Any], bool]


class SearchSyntaxError(ValueError):
    """The query string is not valid search syntax."""


@dataclass(frozen=True, slots=True)
class Term:
    field: str | None
    op: str
    value: str
    prefix: bool


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: Literal["AND", "OR"]
    nodes: tuple[Node, ...]


Node = Term | Not | BoolOp


@dataclass(frozen=True, slots=True)
class Field:
    """How a search field reads a record: ``get`` returns one value or an iterable of values."""

    kind: Kind
    get: Callable[[Any], Any]
    match: Callable[[Any, str, str], bool] | None = None
    """For ``custom`` fields: (record, op, lower-cased value) -> matches."""


# ---------------------------------------------------------------- parsing

_TOKEN = re.compile(r'\s+|\(|\)|(?:[^\s()"\']|"[^"]*"|\'[^\']*\')+')
_OPS = (">=", "<=", ">", "<")


def _tokens(query: str) -> list[str]:
    out, pos = [], 0
    while pos < len(query):
        match = _TOKEN.match(query, pos)
        if match is None:
            raise SearchSyntaxError(f"unterminated quote at position {pos + 1}")
        text = match.group()
        if not text.isspace():
            out.append(text)
        pos = match.end()
    return out


@functools.lru_cache(maxsize=1024)
def parse(query: str) -> Node | None:
    """The tree of ``query`` (None for a blank query)."""
    tokens = _tokens(query)
    if not tokens:
        return None
    parser = _Parser(tokens)
    node = parser.or_expr()
    if parser.pos != len(tokens):
        raise SearchSyntaxError(f"unexpected '{tokens[parser.pos]}'")
    return node


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise SearchSyntaxError("the query ends where a term was expected")
        self.pos += 1
        return token

    def or_expr(self) -> Node:
        nodes = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            nodes.append(self.and_expr())
        return nodes[0] if len(nodes) == 1 else BoolOp("OR", tuple(nodes))

    def and_expr(self) -> Node:
        nodes = [self.unary()]
        while (token := self.peek()) is not None and token not in ("OR", ")"):
            if token == "AND":
                self.take()
            nodes.append(self.unary())
        return nodes[0] if len(nodes) == 1 else BoolOp("AND", tuple(nodes))

    def unary(self) -> Node:
        token = self.take()
        if token == "NOT":
            return Not(self.unary())
        if token in ("AND", "OR"):
            raise SearchSyntaxError(f"'{token}' needs a term on both sides")
        if token == ")":
            raise SearchSyntaxError("unbalanced ')'")
        if token == "(":
            node = self.or_expr()
            if self.peek() != ")":
                raise SearchSyntaxError("unbalanced '('")
            self.take()
            return node
        if token.startswith("-") and len(token) > 1:
            return Not(_term(token[1:]))
        return _term(token)


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    if '"' in text or "'" in text:
        raise SearchSyntaxError(f"misplaced quote in '{text}'")
    return text


def _term(token: str) -> Term:
    field: str | None = None
    rest = token
    if token[0] not in "\"'" and ":" in token:
        field, rest = token.split(":", 1)
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", field):
            raise SearchSyntaxError(f"invalid field name '{field}'")
        field = field.lower()
    op = "="
    for candidate in _OPS:
        if rest.startswith(candidate):
            op, rest = candidate, rest[len(candidate) :]
            break
    value = _unquote(rest)
    if value == "" and field is not None:
        raise SearchSyntaxError(f"the field '{field}' has no value")
    prefix = value.endswith("*") and not rest.endswith(('"', "'"))
    return Term(field, op, value[:-1] if prefix else value, prefix)


# ---------------------------------------------------------------- evaluation


def _values(value: Any) -> Iterable[Any]:
    if value is None:
        return ()
    if isinstance(value, (str, int, datetime)):
        return (value,)
    return tuple(value)


def _parse_when(text: str) -> tuple[datetime, bool]:
    """A datetime and whether it was a bare date."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), UTC), True
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SearchSyntaxError(f"'{text}' is not a date") from exc
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)), False


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == "=":
        return bool(left == right)
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    if op == "<":
        return bool(left < right)
    return bool(left <= right)


def _term_predicate(term: Term, spec: Field) -> Predicate:
    value = term.value.lower()
    if spec.kind == "custom":
        assert spec.match is not None
        custom = spec.match
        return lambda record: custom(record, term.op, value)
    if spec.kind == "date":
        when, bare = _parse_when(term.value)
        if term.op == "=" and bare:
            day = when.date()
            return lambda record: any(v.astimezone(UTC).date() == day for v in _values(spec.get(record)))
        return lambda record: any(_compare(v, term.op, when) for v in _values(spec.get(record)))
    if spec.kind == "number":
        try:
            number = int(term.value)
        except ValueError as exc:
            raise SearchSyntaxError(f"'{term.value}' is not a number") from exc
        return lambda record: any(_compare(int(v), term.op, number) for v in _values(spec.get(record)))
    if term.op != "=":
        return lambda record: any(_compare(str(v).lower(), term.op, value) for v in _values(spec.get(record)))
    if spec.kind == "exact":
        if term.prefix:
            return lambda record: any(str(v).lower().startswith(value) for v in _values(spec.get(record)))
        return lambda record: any(str(v).lower() == value for v in _values(spec.get(record)))
    # text: whole words (or, with a trailing *, any word starting with the value)
    pattern = re.compile(r"(?<!\w)" + re.escape(value) + ("" if term.prefix else r"(?!\w)"), re.IGNORECASE)
    return lambda record: any(pattern.search(str(v)) for v in _values(spec.get(record)))


def compile_query(
    query: str | None, fields: Mapping[str, Field], defaults: tuple[str, ...]
) -> tuple[Predicate | None, list[str]]:
    """A predicate for ``query`` over records described by ``fields`` (None: everything matches).

    The warnings name the unknown fields, whose terms match everything.
    """
    tree = parse(query) if query else None
    warnings: list[str] = []
    if tree is None:
        return None, warnings

    def build(node: Node) -> Predicate:
        if isinstance(node, Not):
            inner = build(node.node)
            return lambda record: not inner(record)
        if isinstance(node, BoolOp):
            parts = [build(child) for child in node.nodes]
            if node.op == "AND":
                return lambda record: all(part(record) for part in parts)
            return lambda record: any(part(record) for part in parts)
        if node.field is None:
            parts = [_term_predicate(node, fields[name]) for name in defaults]
            return lambda record: any(part(record) for part in parts)
        spec = fields.get(node.field)
        if spec is None:
            warnings.append(node.field)
            return lambda record: True
        return _term_predicate(node, spec)

    return build(tree), warnings
