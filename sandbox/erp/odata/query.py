"""System query options: $select, $expand, $orderby, $top, $skip, $skiptoken, $inlinecount, $format.

$filter is compiled by :mod:`sandbox.erp.odata.filter`. Custom query options
(``sap-client=100``, ``sap-language=EN``) are accepted and ignored, as SAP
does; an unknown option starting with ``$`` or a repeated one is a 400.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.erp.odata.edm import EntityType
from sandbox.erp.odata.errors import BAD_OPTION, ODataError

__all__ = [
    "ExpandTree",
    "QueryOptions",
    "SelectTree",
    "parse_expand",
    "parse_options",
    "parse_orderby",
    "parse_select",
]

_KNOWN = {
    "$filter",
    "$select",
    "$expand",
    "$top",
    "$skip",
    "$skiptoken",
    "$orderby",
    "$inlinecount",
    "$format",
}
_MAX_EXPAND_DEPTH = 5
TypeOf = Callable[[str], EntityType]
"""Resolves a navigation target (an entity set name) to its entity type."""


def _bad(message: str) -> ODataError:
    return ODataError(400, BAD_OPTION, message)


@dataclass
class ExpandTree:
    """Navigation properties to expand at one level, each with its own subtree."""

    children: dict[str, ExpandTree] = field(default_factory=dict)


@dataclass
class SelectTree:
    """What $select keeps at one level; a nav mapped to None is selected whole."""

    all_props: bool = False
    props: set[str] = field(default_factory=set)
    navs: dict[str, SelectTree | None] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryOptions:
    """The system query options of one request, checked for syntax only."""

    pairs: tuple[tuple[str, str], ...]
    values: dict[str, str]

    @property
    def filter(self) -> str | None:
        return self.values.get("$filter")

    @property
    def top(self) -> int | None:
        return _count(self.values, "$top")

    @property
    def skip(self) -> int:
        return _count(self.values, "$skip") or 0

    @property
    def skiptoken(self) -> int:
        raw = self.values.get("$skiptoken")
        if raw is None:
            return 0
        if not raw.isdigit():
            raise _bad(f"Invalid $skiptoken '{raw}'")
        return int(raw)

    @property
    def inlinecount(self) -> bool:
        raw = self.values.get("$inlinecount")
        if raw not in (None, "allpages", "none"):
            raise _bad(f"Invalid value '{raw}' for $inlinecount: use allpages or none")
        return raw == "allpages"


def _count(values: dict[str, str], name: str) -> int | None:
    raw = values.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise _bad(
            f"Invalid value '{raw}' for system query option {name}: a non-negative integer is expected"
        )
    return int(raw)


def parse_options(pairs: list[tuple[str, str]]) -> QueryOptions:
    values: dict[str, str] = {}
    for name, value in pairs:
        if not name.startswith("$"):
            continue
        if name not in _KNOWN:
            raise _bad(f"System query option '{name}' is not supported")
        if name in values:
            raise _bad(f"System query option '{name}' is given more than once")
        values[name] = value
    options = QueryOptions(tuple(pairs), values)
    _validated = (options.top, options.skip, options.skiptoken, options.inlinecount)
    return options


def parse_expand(text: str | None, etype: EntityType, type_of: TypeOf) -> ExpandTree:
    """``to_Item,to_Partner/to_Address`` -> a tree; an unknown navigation property is a 400."""
    root = ExpandTree()
    if not text:
        return root
    for path in text.split(","):
        node, current = root, etype
        segments = path.strip().split("/")
        if len(segments) > _MAX_EXPAND_DEPTH:
            raise _bad(f"$expand path '{path.strip()}' is deeper than {_MAX_EXPAND_DEPTH} levels")
        for segment in segments:
            nav = current.nav(segment)
            if nav is None:
                raise _bad(f"Property '{segment}' is not a navigation property of '{current.name}' ($expand)")
            node = node.children.setdefault(segment, ExpandTree())
            current = type_of(nav.target)
    return root


def parse_select(
    text: str | None, etype: EntityType, expand: ExpandTree, type_of: TypeOf
) -> SelectTree | None:
    """``SalesOrder,to_Item/Material`` -> a tree; None when there is no $select (everything)."""
    if text is None:
        return None
    root = SelectTree()
    for path in text.split(","):
        segments = path.strip().split("/")
        tree: SelectTree | None = root
        node, current = expand, etype
        for depth, segment in enumerate(segments):
            last = depth == len(segments) - 1
            assert tree is not None
            if segment == "*" and last:
                tree.all_props = True
                break
            if current.prop(segment) is not None and last:
                tree.props.add(segment)
                break
            nav = current.nav(segment)
            if nav is None:
                raise _bad(f"Property '{segment}' not found in type '{current.name}' ($select)")
            if last:
                tree.navs[segment] = None
                break
            if segment not in node.children:
                raise _bad(f"Navigation property '{segment}' in $select must also be in $expand")
            if segment in tree.navs and tree.navs[segment] is None:
                break  # already selected whole
            tree = tree.navs.setdefault(segment, SelectTree())
            node, current = node.children[segment], type_of(nav.target)
    return root


def parse_orderby(text: str | None, etype: EntityType) -> list[tuple[str, bool]]:
    """``CreationDate desc,SalesOrder`` -> [("CreationDate", True), ("SalesOrder", False)]."""
    if not text:
        return []
    keys: list[tuple[str, bool]] = []
    for item in text.split(","):
        words = item.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise _bad(f"Invalid $orderby expression '{item.strip()}'")
        if etype.prop(words[0]) is None:
            raise _bad(f"Property '{words[0]}' not found in type '{etype.name}' ($orderby)")
        keys.append((words[0], len(words) == 2 and words[1] == "desc"))
    return keys
