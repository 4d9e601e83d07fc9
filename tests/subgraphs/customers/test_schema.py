"""The customers subgraph's SDL: the contract's Customer and Loyalty, and a supergraph with its neighbours."""

from __future__ import annotations

from graphql import GraphQLObjectType, build_schema

from subgraphs.catalog.schema import schema as catalog
from subgraphs.customers.schema import schema as customers
from subgraphs.export import compose
from subgraphs.inventory.schema import schema as inventory

EXTENDER = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Customer @key(fields: "id") { id: ID! orders(first: Int = 20): [Int!]! }
type Query { ping: Int }
"""
"""A subgraph that adds a field to Customer, as the orders and returns subgraphs do."""


def test_customer_is_an_entity_keyed_by_id_with_the_contract_fields() -> None:
    sdl = customers.as_str()
    assert 'type Customer @key(fields: "id")' in sdl
    customer = customers._schema.type_map["Customer"]
    assert isinstance(customer, GraphQLObjectType)
    assert {name: str(field.type) for name, field in customer.fields.items()} == {
        "id": "ID!",
        "email": "String",
        "phone": "String",
        "firstName": "String",
        "lastName": "String",
        "addresses": "[Address!]!",
        "loyalty": "Loyalty",
        "externalRefs": "[ExternalRef!]!",
    }
    loyalty = customers._schema.type_map["Loyalty"]
    assert isinstance(loyalty, GraphQLObjectType)
    assert {name: str(field.type) for name, field in loyalty.fields.items()} == {
        "tier": "String!",
        "points": "Int!",
    }


def test_the_queries_take_the_contract_arguments() -> None:
    query = customers._schema.query_type
    assert query is not None
    assert str(query.fields["customer"].type) == "Customer"
    assert str(query.fields["customer"].args["id"].type) == "ID!"
    assert str(query.fields["customerByEmail"].type) == "Customer"
    assert str(query.fields["customerByEmail"].args["email"].type) == "String!"


def test_it_composes_with_catalog_inventory_and_a_subgraph_that_extends_customer() -> None:
    supergraph = compose(
        {
            "catalog": catalog.as_str(),
            "inventory": inventory.as_str(),
            "customers": customers.as_str(),
            "orders": EXTENDER,
        }
    )
    api = build_schema(supergraph, assume_valid=True)
    customer = api.type_map["Customer"]
    assert isinstance(customer, GraphQLObjectType)
    assert {"email", "loyalty", "externalRefs", "orders"} <= set(customer.fields)
    assert "customerByEmail(email: String!): Customer @join__field(graph: CUSTOMERS)" in supergraph
