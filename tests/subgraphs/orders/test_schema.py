"""The orders subgraph's SDL: the contract's order types as written, composing with its neighbours."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    Undefined,
    build_schema,
    print_ast,
)
from graphql.utilities import ast_from_value

from subgraphs.catalog.schema import schema as catalog
from subgraphs.customers.schema import schema as customers
from subgraphs.export import compose
from subgraphs.inventory.schema import schema as inventory
from subgraphs.orders.schema import schema as orders

ROOT = Path(__file__).resolve().parents[3]
CONTRACT = build_schema((ROOT / "schema" / "contract" / "retail.graphql").read_text())
OWNED = [
    "OrderLine",
    "Shipment",
    "ShipmentLine",
    "OrderEdge",
    "OrderConnection",
    "SubmitOrderPayload",
    "OrderLineInput",
    "AddressInput",
    "FulfilmentInput",
    "SubmitOrderInput",
    "OrderStatus",
    "FinancialStatus",
    "PostingStatus",
    "ShipmentStatus",
    "FulfilmentType",
    "Channel",
    "Money",
    "ExternalRef",
    "OrderEvent",
    "UserError",
    "PageInfo",
]


def _default(arg: GraphQLArgument) -> str:
    if arg.default_value is not Undefined:
        node = ast_from_value(arg.default_value, arg.type)
        return print_ast(node) if node is not None else ""
    written = arg.ast_node.default_value if arg.ast_node is not None else None
    return print_ast(written) if written is not None else ""


def _shape(type_: GraphQLNamedType) -> dict[str, str]:
    if isinstance(type_, GraphQLEnumType):
        return dict.fromkeys(type_.values, "")
    assert isinstance(type_, GraphQLObjectType | GraphQLInputObjectType)
    shape = {}
    for name, field in type_.fields.items():
        args = getattr(field, "args", {})
        shape[name] = str(field.type) + "".join(
            f" {arg}: {a.type} = {_default(a)}" for arg, a in sorted(args.items())
        )
    return shape


@pytest.mark.parametrize("name", OWNED)
def test_a_contract_type_is_here_as_the_contract_writes_it(name: str) -> None:
    ours = orders._schema.type_map[name]
    assert _shape(ours) == _shape(CONTRACT.type_map[name])


def test_order_is_an_entity_with_the_contract_fields_but_returns() -> None:
    assert 'type Order @key(fields: "id")' in orders.as_str()
    contract = _shape(CONTRACT.type_map["Order"])
    del contract["returns"]  # the returns subgraph's
    assert _shape(orders._schema.type_map["Order"]) == contract


def test_customer_orders_and_the_root_fields_take_the_contract_arguments() -> None:
    customer = orders._schema.type_map["Customer"]
    assert isinstance(customer, GraphQLObjectType)
    assert _shape(customer)["orders"] == _shape(CONTRACT.type_map["Customer"])["orders"]
    for root, fields in (("Query", ("order", "orders", "orderByNumber")), ("Mutation", ("submitOrder",))):
        ours = _shape(orders._schema.type_map[root])
        theirs = _shape(CONTRACT.type_map[root])
        assert {f: ours[f] for f in fields} == {f: theirs[f] for f in fields}


def test_it_composes_with_catalog_inventory_and_customers() -> None:
    """Customers too: ``Customer.orders`` requires the customer's ``externalRefs`` from there."""
    supergraph = compose(
        {
            "catalog": catalog.as_str(),
            "inventory": inventory.as_str(),
            "orders": orders.as_str(),
            "customers": customers.as_str(),
        }
    )
    api = build_schema(supergraph, assume_valid=True)
    line = api.type_map["OrderLine"]
    assert isinstance(line, GraphQLObjectType)
    assert str(line.fields["variant"].type) == "Variant!"
    assert "submitOrder(input: SubmitOrderInput!, idempotencyKey: ID!): SubmitOrderPayload!" in supergraph
