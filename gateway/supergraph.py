"""Load an Apollo Federation 2 supergraph SDL: its subgraphs, join metadata and API schema.

A supergraph, as Apollo composition and ``@theguild/federation-composition``
write it, is one SDL whose ``@link`` directives import the ``join`` spec
(v0.2 to v0.5) and optionally ``inaccessible``, ``tag`` and others. This
module reads it once at start-up into plain data the planner consults:

- the subgraphs (``join__Graph`` values with their names and URLs);
- per type, the graphs that define it (``@join__type``: key, resolvable,
  extension, isInterfaceObject), the interfaces each graph says it
  implements (``@join__implements``) and union members per graph;
- per field, the graphs that can resolve it (``@join__field``: requires,
  provides, external, override, usedOverridden, type);
- per enum value, the graphs that know it (``@join__enumValue``);
- the API schema: the supergraph without the join/link machinery and
  without ``@inaccessible`` elements; operations are validated against it.

Errors: :class:`SupergraphError` (code ``INVALID_SUPERGRAPH``) with a
message a user can act on; never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    ObjectTypeDefinitionNode,
    build_ast_schema,
    parse,
    value_from_ast_untyped,
)
from graphql.language import DirectiveNode, SchemaDefinitionNode, SchemaExtensionNode

from gateway._api_schema import api_document
from gateway.errors import GatewayError

__all__ = [
    "FieldInGraph",
    "Subgraph",
    "Supergraph",
    "SupergraphError",
    "TypeInGraph",
    "load_supergraph",
    "parse_supergraph",
]


class SupergraphError(GatewayError):
    """The supergraph SDL cannot be used."""

    code = "INVALID_SUPERGRAPH"


@dataclass(frozen=True)
class Subgraph:
    """One subgraph: the join__Graph enum value (``id``), its name and its URL."""

    id: str
    name: str
    url: str


@dataclass(frozen=True)
class TypeInGraph:
    """One ``@join__type`` of a type: a graph that defines it, and how."""

    graph: str
    key: str | None = None
    extension: bool = False
    resolvable: bool = True
    is_interface_object: bool = False


@dataclass(frozen=True)
class FieldInGraph:
    """One ``@join__field`` of a field: a graph that defines it, and how."""

    graph: str
    requires: str | None = None
    provides: str | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False
    override_label: str | None = None


@dataclass
class Supergraph:
    """The parsed supergraph. Built once; read-only afterwards."""

    sdl: str
    schema: GraphQLSchema
    api_schema: GraphQLSchema
    subgraphs: dict[str, Subgraph]
    types: dict[str, list[TypeInGraph]] = field(default_factory=dict)
    fields: dict[tuple[str, str], list[FieldInGraph]] = field(default_factory=dict)
    implements: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    """type name -> graph -> interfaces the type implements in that graph."""
    union_members: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    """union name -> graph -> member types in that graph."""
    enum_values: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    """(enum name, value) -> graphs that know the value."""

    def override_urls(self, urls: dict[str, str]) -> None:
        """Route subgraphs (by name) to other URLs than the supergraph says; unknown names raise."""
        by_name = {subgraph.name: graph for graph, subgraph in self.subgraphs.items()}
        unknown = sorted(set(urls) - set(by_name))
        if unknown:
            raise SupergraphError(f"no subgraph named {', '.join(unknown)} in the supergraph")
        for name, url in urls.items():
            graph = by_name[name]
            self.subgraphs[graph] = Subgraph(graph, name, url)


@dataclass
class _Names:
    """The names the spec elements carry in this supergraph (``@link(as:)`` may rename them)."""

    join: str = "join"
    inaccessible: str = "inaccessible"
    link_prefixes: set[str] = field(default_factory=lambda: {"link"})
    removed_directives: set[str] = field(default_factory=set)
    imported: dict[str, str] = field(default_factory=dict)

    def join_directive(self, name: str) -> str:
        return f"{self.join}__{name}"


_SPEC_NAMES = {
    "link": "link",
    "core": "core",
    "join": "join",
    "inaccessible": "inaccessible",
    "tag": "tag",
    "authenticated": "authenticated",
    "requiresScopes": "requiresScopes",
    "policy": "policy",
    "cost": "cost",
    "context": "context",
}


def _arguments(directive: DirectiveNode) -> dict[str, Any]:
    return {arg.name.value: value_from_ast_untyped(arg.value) for arg in directive.arguments or ()}


def _read_links(document: DocumentNode) -> _Names:
    names = _Names()
    links: list[dict[str, Any]] = []
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            for directive in definition.directives or ():
                if directive.name.value in ("link", "core"):
                    links.append(_arguments(directive))
    if not links:
        raise SupergraphError(
            "this is not a Federation 2 supergraph: the schema has no @link directives "
            "(compose it with Apollo composition or @theguild/federation-composition)"
        )
    saw_join = False
    for link in links:
        url = str(link.get("url") or link.get("feature") or "")
        parts = url.rstrip("/").split("/")
        if len(parts) < 2:
            continue
        spec, version = parts[-2], parts[-1]
        alias = str(link.get("as") or spec)
        if spec == "join":
            saw_join = True
            if not version.startswith("v0."):
                raise SupergraphError(f"unsupported join spec version {version}")
            names.join = alias
        elif spec == "inaccessible":
            names.inaccessible = alias
        if spec in ("link", "core"):
            names.link_prefixes.add(alias)
        if spec in _SPEC_NAMES:
            names.removed_directives.add(alias)
        for item in link.get("import") or ():
            if isinstance(item, str):
                imported, local = item.lstrip("@"), item.lstrip("@")
            elif isinstance(item, dict):
                imported, local = str(item.get("name", "")).lstrip("@"), str(item.get("as", "")).lstrip("@")
            else:
                continue
            names.imported[imported] = local or imported
            names.removed_directives.add(local or imported)
    if not saw_join:
        raise SupergraphError("the supergraph does not @link the join spec (https://specs.apollo.dev/join)")
    return names


def _subgraphs(document: DocumentNode, names: _Names) -> dict[str, Subgraph]:
    graph_enum = f"{names.join}__Graph"
    graph_directive = names.join_directive("graph")
    for definition in document.definitions:
        if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == graph_enum:
            out: dict[str, Subgraph] = {}
            for value in definition.values or ():
                for directive in value.directives or ():
                    if directive.name.value == graph_directive:
                        args = _arguments(directive)
                        out[value.name.value] = Subgraph(
                            value.name.value, str(args["name"]), str(args["url"])
                        )
            return out
    raise SupergraphError(f"the supergraph has no {graph_enum} enum")


def _collect_join(supergraph: Supergraph, document: DocumentNode, names: _Names) -> None:
    join_type, join_field = names.join_directive("type"), names.join_directive("field")
    join_impl, join_member = names.join_directive("implements"), names.join_directive("unionMember")
    join_enum_value = names.join_directive("enumValue")
    for definition in document.definitions:
        type_name = getattr(getattr(definition, "name", None), "value", None)
        if type_name is None or not hasattr(definition, "directives"):
            continue
        for directive in definition.directives or ():
            name = directive.name.value
            args = _arguments(directive)
            if name == join_type:
                supergraph.types.setdefault(type_name, []).append(
                    TypeInGraph(
                        graph=str(args["graph"]),
                        key=args.get("key"),
                        extension=bool(args.get("extension", False)),
                        resolvable=bool(args.get("resolvable", True)),
                        is_interface_object=bool(args.get("isInterfaceObject", False)),
                    )
                )
            elif name == join_impl:
                supergraph.implements.setdefault(type_name, {}).setdefault(str(args["graph"]), set()).add(
                    str(args["interface"])
                )
            elif name == join_member:
                supergraph.union_members.setdefault(type_name, {}).setdefault(str(args["graph"]), set()).add(
                    str(args["member"])
                )
        for member in list(getattr(definition, "fields", None) or ()) + list(
            getattr(definition, "values", None) or ()
        ):
            for directive in member.directives or ():
                args = _arguments(directive)
                if directive.name.value == join_field:
                    entries = supergraph.fields.setdefault((type_name, member.name.value), [])
                    if args.get("graph") is None:
                        # A bare @join__field: no graph resolves it directly (e.g. an implementation's
                        # field that only an @interfaceObject provides).
                        continue
                    entries.append(
                        FieldInGraph(
                            graph=str(args["graph"]),
                            requires=args.get("requires"),
                            provides=args.get("provides"),
                            type=args.get("type"),
                            external=bool(args.get("external") or False),
                            override=args.get("override"),
                            used_overridden=bool(args.get("usedOverridden") or False),
                            override_label=args.get("overrideLabel"),
                        )
                    )
                elif directive.name.value == join_enum_value:
                    supergraph.enum_values.setdefault((type_name, member.name.value), set()).add(
                        str(args["graph"])
                    )


def parse_supergraph(sdl: str) -> Supergraph:
    """Parse and check a supergraph SDL; raise :class:`SupergraphError` with a clear message."""
    try:
        document = parse(sdl)
    except GraphQLError as exc:
        raise SupergraphError(f"the supergraph SDL does not parse: {exc.message}") from exc
    names = _read_links(document)
    subgraphs = _subgraphs(document, names)
    try:
        schema = build_ast_schema(document, assume_valid_sdl=True)
        api_schema = build_ast_schema(api_document(document, names.inaccessible, names.removed_directives))
    except (GraphQLError, TypeError) as exc:
        raise SupergraphError(f"the supergraph is not a valid schema: {exc}") from exc
    supergraph = Supergraph(sdl=sdl, schema=schema, api_schema=api_schema, subgraphs=subgraphs)
    _collect_join(supergraph, document, names)
    for definition in document.definitions:
        if isinstance(definition, ObjectTypeDefinitionNode) and definition.name.value not in supergraph.types:
            # A type with no @join__type (join v0.1 value types) lives in every graph.
            supergraph.types[definition.name.value] = [TypeInGraph(graph=g) for g in subgraphs]
    return supergraph


def load_supergraph(path: str | Path) -> Supergraph:
    """Read a supergraph file; every failure is a :class:`SupergraphError`."""
    try:
        sdl = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SupergraphError(f"cannot read the supergraph file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SupergraphError(f"the supergraph file {path} is not UTF-8 text") from exc
    return parse_supergraph(sdl)
