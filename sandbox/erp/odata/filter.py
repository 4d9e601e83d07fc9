"""$filter: a recursive-descent parser that compiles an expression into a row predicate.

Grammar, loosest binding first (OData V2 precedence)::

    or_expr   := and_expr ("or" and_expr)*
    and_expr  := eq_expr ("and" eq_expr)*
    eq_expr   := rel_expr (("eq" | "ne") rel_expr)*
    rel_expr  := unary (("gt" | "ge" | "lt" | "le") unary)*
    unary     := "not" unary | primary
    primary   := "(" or_expr ")" | literal | "true" | "false" | "null"
               | function "(" [or_expr ("," or_expr)*] ")" | Property

Operands are type-checked when the expression is compiled (a string
property compared with a number is a 400, as in SAP Gateway); arithmetic
operators and navigation paths are not supported and are 400 too. Besides
the predicate, :func:`parse_filter` extracts *hints*: the property values an
entity must have to match (``Material eq 'X' and (Plant eq '1' or Plant eq
'2')`` -> ``{"Material": {"X"}, "Plant": {"1", "2"}}``), which entity sets use
to look rows up by index instead of scanning.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.erp.odata.edm import EntityType, Kind, Row, kind_of
from sandbox.erp.odata.errors import BAD_FILTER, ODataError
from sandbox.erp.odata.lexer import Token, tokenize

__all__ = ["Filter", "Hints", "parse_filter"]

Hints = dict[str, frozenset[Any]]
_Fn = Callable[[Row], Any]

_REL = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}
_ARITHMETIC = {"add", "sub", "mul", "div", "mod"}
_MAX_DEPTH = 100
_LITERAL_KINDS: dict[str, Kind] = {
    "string": "string",
    "guid": "string",
    "number": "number",
    "datetime": "datetime",
}


def _none_safe(impl: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        return None if any(a is None for a in args) else impl(*args)

    return call


_FUNCTIONS: dict[str, tuple[tuple[Kind, ...], Kind, Callable[..., Any]]] = {
    "substringof": (("string", "string"), "bool", lambda a, b: a in b),
    "startswith": (("string", "string"), "bool", lambda a, b: b == "" or a.startswith(b)),
    "endswith": (("string", "string"), "bool", lambda a, b: a.endswith(b)),
    "indexof": (("string", "string"), "number", lambda a, b: Decimal(a.find(b))),
    "concat": (("string", "string"), "string", lambda a, b: a + b),
    "tolower": (("string",), "string", str.lower),
    "toupper": (("string",), "string", str.upper),
    "trim": (("string",), "string", str.strip),
    "length": (("string",), "number", lambda a: Decimal(len(a))),
    "year": (("datetime",), "number", lambda d: Decimal(d.year)),
    "month": (("datetime",), "number", lambda d: Decimal(d.month)),
    "day": (("datetime",), "number", lambda d: Decimal(d.day)),
    "hour": (("datetime",), "number", lambda d: Decimal(d.hour)),
    "round": (("number",), "number", lambda n: n.quantize(Decimal(1), ROUND_HALF_UP)),
    "floor": (("number",), "number", lambda n: Decimal(int(n // 1))),
    "ceiling": (("number",), "number", lambda n: -Decimal(int(-n // 1))),
}


@dataclass(frozen=True)
class _Expr:
    fn: _Fn
    kind: Kind
    ref: str | None = None
    literal: Any = None
    hints: Hints | None = field(default=None)
    """Values rows must have to match; None where the expression constrains nothing indexable."""


@dataclass(frozen=True)
class Filter:
    """A compiled $filter."""

    predicate: Callable[[Row], bool]
    hints: Hints


def _merge_and(a: Hints | None, b: Hints | None) -> Hints | None:
    if a is None or b is None:
        return a if b is None else b
    merged = dict(a)
    for key, values in b.items():
        merged[key] = merged[key] & values if key in merged else values
    return merged


def _merge_or(a: Hints | None, b: Hints | None) -> Hints | None:
    if a is None or b is None:
        return None
    common = {key: a[key] | b[key] for key in a.keys() & b.keys()}
    return common or None


class _Parser:
    def __init__(self, text: str, etype: EntityType) -> None:
        self.etype = etype
        try:
            self.tokens = tokenize(text)
        except ValueError as exc:
            raise self.error(f"Invalid filter expression: {exc}") from None
        self.i = 0
        self.depth = 0

    @staticmethod
    def error(message: str) -> ODataError:
        return ODataError(400, BAD_FILTER, message)

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at_name(self, *names: str) -> str | None:
        token = self.peek()
        return token.text if token.kind == "name" and token.text in names else None

    def expect(self, kind: str) -> Token:
        token = self.take()
        if token.kind != kind:
            found = token.text or "end of expression"
            raise self.error(
                f"Invalid filter expression: expected '{kind}' at position {token.pos}, found '{found}'"
            )
        return token

    def parse(self) -> _Expr:
        expr = self.or_expr()
        token = self.peek()
        if token.kind != "end":
            if token.kind == "name" and token.text in _ARITHMETIC:
                raise self.error(f"Arithmetic operator '{token.text}' is not supported in $filter")
            raise self.error(f"Invalid filter expression: unexpected '{token.text}' at position {token.pos}")
        if expr.kind != "bool":
            raise self.error("Invalid filter expression: the expression is not boolean")
        return expr

    def or_expr(self) -> _Expr:
        operands = [self.and_expr()]
        while self.at_name("or"):
            self.take()
            operands.append(self.and_expr())
        return self.logic("or", operands)

    def and_expr(self) -> _Expr:
        operands = [self.eq_expr()]
        while self.at_name("and"):
            self.take()
            operands.append(self.eq_expr())
        return self.logic("and", operands)

    def eq_expr(self) -> _Expr:
        left = self.rel_expr()
        with contextlib.ExitStack() as levels:
            while op := self.at_name("eq", "ne"):
                self.take()
                levels.enter_context(self.level())
                left = self.compare(op, left, self.rel_expr())
        return left

    def rel_expr(self) -> _Expr:
        left = self.unary()
        with contextlib.ExitStack() as levels:
            while op := self.at_name("gt", "ge", "lt", "le"):
                self.take()
                levels.enter_context(self.level())
                left = self.compare(op, left, self.unary())
        return left

    @contextlib.contextmanager
    def level(self) -> Iterator[None]:
        """One level of nesting (parentheses, not, calls, chained comparisons), bounded."""
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.error(f"Invalid filter expression: nested deeper than {_MAX_DEPTH} levels")
        try:
            yield
        finally:
            self.depth -= 1

    def unary(self) -> _Expr:
        if self.at_name("not"):
            self.take()
            with self.level():
                operand = self.unary()
            if operand.kind != "bool":
                raise self.error("Invalid filter expression: 'not' needs a boolean operand")
            fn = operand.fn
            return _Expr(lambda row: not fn(row), "bool")
        return self.primary()

    def primary(self) -> _Expr:
        token = self.take()
        if token.kind == "(":
            with self.level():
                inner = self.or_expr()
                self.expect(")")
            return inner
        if token.kind in _LITERAL_KINDS:
            value = token.value
            return _Expr(lambda _row: value, _LITERAL_KINDS[token.kind], literal=value)
        if token.kind != "name":
            found = token.text or "end of expression"
            raise self.error(f"Invalid filter expression: unexpected '{found}' at position {token.pos}")
        if token.text in ("true", "false"):
            flag = token.text == "true"
            return _Expr(lambda _row: flag, "bool", literal=flag)
        if token.text == "null":
            return _Expr(lambda _row: None, "null")
        if self.peek().kind == "(":
            return self.call(token)
        if self.peek().kind == "/":
            raise self.error(f"Navigation path '{token.text}/...' is not supported in $filter")
        prop = self.etype.prop(token.text)
        if prop is None:
            raise self.error(f"Property '{token.text}' not found in type '{self.etype.name}'")
        name = prop.name
        return _Expr(lambda row: row.get(name), kind_of(prop), ref=name)

    def call(self, name: Token) -> _Expr:
        spec = _FUNCTIONS.get(name.text)
        if spec is None:
            raise self.error(f"Unknown function '{name.text}' in $filter")
        kinds, result, impl = spec
        self.expect("(")
        args: list[_Expr] = []
        with self.level():
            if self.peek().kind != ")":
                args.append(self.or_expr())
                while self.peek().kind == ",":
                    self.take()
                    args.append(self.or_expr())
            self.expect(")")
        if len(args) != len(kinds):
            raise self.error(f"Function '{name.text}' takes {len(kinds)} argument(s), got {len(args)}")
        for arg, kind in zip(args, kinds, strict=True):
            if arg.kind not in (kind, "null"):
                raise self.error(f"Invalid parameter type used at function '{name.text}': {arg.kind}")
        fns = [a.fn for a in args]
        safe = _none_safe(impl)
        return _Expr(lambda row: safe(*(f(row) for f in fns)), result)

    def compare(self, op: str, left: _Expr, right: _Expr) -> _Expr:
        if left.kind != right.kind and "null" not in (left.kind, right.kind):
            raise self.error(f"Incompatible types for operator '{op}': {left.kind} and {right.kind}")
        lf, rf = left.fn, right.fn
        hints: Hints | None = None
        if op == "eq":
            ref, lit = (left, right) if left.ref else (right, left)
            if ref.ref and lit.literal is not None:
                hints = {ref.ref: frozenset((lit.literal,))}
            return _Expr(lambda row: lf(row) == rf(row), "bool", hints=hints)
        if op == "ne":
            return _Expr(lambda row: lf(row) != rf(row), "bool")
        rel = _REL[op]

        def ordered(row: Row) -> bool:
            a, b = lf(row), rf(row)
            return a is not None and b is not None and bool(rel(a, b))

        return _Expr(ordered, "bool")

    def logic(self, op: str, operands: list[_Expr]) -> _Expr:
        """A flat and/or chain: evaluated in a loop, so a chain of thousands of terms is fine."""
        if len(operands) == 1:
            return operands[0]
        if any(o.kind != "bool" for o in operands):
            raise self.error(f"Invalid filter expression: '{op}' needs boolean operands")
        fns = [o.fn for o in operands]
        merge = _merge_and if op == "and" else _merge_or
        hints = operands[0].hints
        for operand in operands[1:]:
            hints = merge(hints, operand.hints)
        if op == "and":
            return _Expr(lambda row: all(f(row) for f in fns), "bool", hints=hints)
        return _Expr(lambda row: any(f(row) for f in fns), "bool", hints=hints)


def parse_filter(text: str, etype: EntityType) -> Filter:
    """Compile ``text`` against ``etype``; an invalid expression is an ODataError 400."""
    if not text.strip():
        raise ODataError(400, BAD_FILTER, "Invalid filter expression: the expression is empty")
    expr = _Parser(text, etype).parse()
    fn = expr.fn
    return Filter(lambda row: bool(fn(row)), expr.hints or {})
