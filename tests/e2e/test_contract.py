"""The gateway's API schema (from schema/supergraph.graphql) carries the whole client contract."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    print_ast,
)
from graphql.utilities import ast_from_value

from gateway.supergraph import load_supergraph

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = build_schema((ROOT / "schema" / "contract" / "retail.graphql").read_text())


@pytest.fixture(scope="module")
def api() -> GraphQLSchema:
    return load_supergraph(ROOT / "schema" / "supergraph.graphql").api_schema


def _named(schema: GraphQLSchema) -> list[GraphQLNamedType]:
    return [t for name, t in schema.type_map.items() if not name.startswith("__")]


def _default(value: object, type_: object) -> str | None:
    node = ast_from_value(value, type_)  # type: ignore[arg-type]
    return print_ast(node) if node is not None else None


@pytest.mark.parametrize("wanted", _named(CONTRACT), ids=lambda t: t.name)
def test_every_contract_type_is_served_with_its_fields_arguments_and_values(
    api: GraphQLSchema, wanted: GraphQLNamedType
) -> None:
    served = api.get_type(wanted.name)
    assert served is not None, f"{wanted.name} is missing"
    assert type(served) is type(wanted), f"{wanted.name} is a {type(served).__name__}"
    if isinstance(wanted, GraphQLObjectType | GraphQLInterfaceType):
        assert isinstance(served, GraphQLObjectType | GraphQLInterfaceType)
        for name, field in wanted.fields.items():
            assert name in served.fields, f"{wanted.name}.{name} is missing"
            got = served.fields[name]
            assert str(got.type) == str(field.type), f"{wanted.name}.{name}: {got.type} != {field.type}"
            for arg_name, arg in field.args.items():
                assert arg_name in got.args, f"{wanted.name}.{name}({arg_name}) is missing"
                served_arg = got.args[arg_name]
                assert str(served_arg.type) == str(arg.type), f"{wanted.name}.{name}({arg_name})"
                assert _default(served_arg.default_value, served_arg.type) == _default(
                    arg.default_value, arg.type
                ), f"{wanted.name}.{name}({arg_name}) default"
            extra_required = [
                a for a, v in got.args.items() if a not in field.args and str(v.type).endswith("!")
            ]
            assert not extra_required, f"{wanted.name}.{name} requires {extra_required}"
    elif isinstance(wanted, GraphQLInputObjectType):
        assert isinstance(served, GraphQLInputObjectType)
        for name, input_field in wanted.fields.items():
            assert name in served.fields, f"{wanted.name}.{name} is missing"
            assert str(served.fields[name].type) == str(input_field.type), f"{wanted.name}.{name}"
    elif isinstance(wanted, GraphQLEnumType):
        assert isinstance(served, GraphQLEnumType)
        assert set(wanted.values) <= set(served.values), (
            f"{wanted.name} lacks {set(wanted.values) - set(served.values)}"
        )
    elif isinstance(wanted, GraphQLUnionType):
        assert isinstance(served, GraphQLUnionType)
        assert {t.name for t in wanted.types} <= {t.name for t in served.types}


def test_the_exported_subgraph_sdls_and_the_supergraph_are_up_to_date() -> None:
    from subgraphs.export import ROOT as EXPORT_ROOT
    from subgraphs.export import expected_files

    stale = [
        str(path.relative_to(EXPORT_ROOT))
        for path, text in expected_files().items()
        if path.read_text() != text
    ]
    assert not stale, f"out of date (run python -m subgraphs.export): {stale}"
