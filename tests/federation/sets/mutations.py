"""Mutations: several root mutation fields of two subgraphs in one operation, which must run one
after another in document order; each mutation takes a sequence number from a counter the
subgraphs share and writes it to a journal, and later mutations read what earlier ones wrote
(a cart created, then filled, then checked out; stock restocked, then reserved). Mutation results
jump into other subgraphs (products, inventory), and those jumps must see the state between the
mutations. Variables of input types (nested inputs, lists of inputs, enums, input defaults), a
failing mutation in the middle, and @skip on a mutation root field.

Every mutation case starts with ``reset`` so that our gateway and Apollo start from the same state.

- carts: Mutation { reset createCart addItems checkout journal }; Cart @key("id"); Order.
- inventory: Mutation { restock reserve }; Product @key("sku") { stock reserved }.
- products: Product @key("sku") { name price } (read only).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.federation.sets import LINK, Query
from tests.federation.subgraph import TestSubgraph

PRODUCTS = [
    {"sku": "TBL-1", "name": "Table", "price": 899},
    {"sku": "CHR-3", "name": "Chair", "price": 54},
    {"sku": "LMP-4", "name": "Lamp", "price": 35},
]
INITIAL_STOCK = {"TBL-1": 2, "CHR-3": 40, "LMP-4": 0}


class _State:
    """What the carts and inventory subgraphs share: a sequence counter, a journal, carts, stock."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.seq = 0
        self.journal: list[str] = []
        self.carts: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.stock = dict(INITIAL_STOCK)
        self.reserved = dict.fromkeys(INITIAL_STOCK, 0)

    def step(self, what: str) -> int:
        self.seq += 1
        self.journal.append(f"{self.seq} {what}")
        return self.seq


def _carts(state: _State) -> TestSubgraph:
    def cart(cart_id: str) -> dict[str, Any] | None:
        found = state.carts.get(cart_id)
        return None if found is None else {"__typename": "Cart", **found}

    def create_cart(_o: dict[str, Any], a: dict[str, Any]) -> dict[str, Any]:
        cart_id = f"c{len(state.carts) + 1}"
        new = a["input"]
        state.carts[cart_id] = {
            "id": cart_id,
            "owner": new["owner"],
            "currency": new["currency"],
            "items": [],
            "tags": new.get("tags") or [],
        }
        return {"seq": state.step(f"createCart {cart_id} for {new['owner']}"), "cart": cart(cart_id)}

    def add_items(_o: dict[str, Any], a: dict[str, Any]) -> dict[str, Any]:
        found = state.carts.get(a["cartId"])
        if found is None:
            raise GraphQLError(f"no cart {a['cartId']}")
        for item in a["items"]:
            options = item.get("options") or {}
            found["items"].append(
                {
                    "quantity": item["quantity"],
                    "product": {"__typename": "Product", "sku": item["sku"]},
                    "giftWrap": options.get("giftWrap", False),
                    "message": options.get("message"),
                }
            )
        skus = ",".join(i["sku"] for i in a["items"])
        return {"seq": state.step(f"addItems {a['cartId']} {skus}"), "cart": cart(a["cartId"])}

    def checkout(_o: dict[str, Any], a: dict[str, Any]) -> dict[str, Any] | None:
        found = state.carts.get(a["cartId"])
        if found is None or not found["items"]:
            return None
        order_id = f"o{len(state.orders) + 1}"
        seq = state.step(f"checkout {a['cartId']} as {order_id}")
        state.orders[order_id] = {"id": order_id, "placedAt": seq, "cart": cart(a["cartId"])}
        return {"__typename": "Order", **state.orders[order_id]}

    def reset(_o: dict[str, Any], _a: dict[str, Any]) -> int:
        state.reset()
        return state.seq

    return TestSubgraph(
        "carts",
        LINK
        + """
        type Query { cart(id: ID!): Cart }
        type Mutation {
          reset: Int!
          createCart(input: NewCart!): CartResult!
          addItems(cartId: ID!, items: [ItemInput!]!): CartResult
          checkout(cartId: ID!): Order
          journal: [String!]!
        }
        enum Currency { EUR USD NOK }
        input NewCart { owner: String! currency: Currency = EUR tags: [String!] }
        input ItemInput { sku: String! quantity: Int = 1 options: ItemOptions }
        input ItemOptions { giftWrap: Boolean = false message: String }
        type CartResult { seq: Int! cart: Cart }
        type Cart @key(fields: "id") {
          id: ID!
          owner: String!
          currency: Currency!
          tags: [String!]!
          items: [CartItem!]!
        }
        type CartItem { quantity: Int! giftWrap: Boolean! message: String product: Product! }
        type Product @key(fields: "sku", resolvable: false) { sku: String! }
        type Order { id: ID! placedAt: Int! cart: Cart! }
        """,
        resolvers={
            "Query.cart": lambda _o, a: cart(a["id"]),
            "Mutation.reset": reset,
            "Mutation.createCart": create_cart,
            "Mutation.addItems": add_items,
            "Mutation.checkout": checkout,
            "Mutation.journal": lambda _o, _a: list(state.journal),
            "Cart.__resolveReference": lambda rep, _a: state.carts.get(rep["id"]),
        },
    )


def _inventory(state: _State) -> TestSubgraph:
    def product(sku: str) -> dict[str, Any]:
        return {
            "__typename": "Product",
            "sku": sku,
            "stock": state.stock[sku],
            "reserved": state.reserved[sku],
        }

    def restock(_o: dict[str, Any], a: dict[str, Any]) -> dict[str, Any]:
        state.stock[a["sku"]] += a["quantity"]
        return {"seq": state.step(f"restock {a['sku']} +{a['quantity']}"), "product": product(a["sku"])}

    def reserve(_o: dict[str, Any], a: dict[str, Any]) -> dict[str, Any]:
        if state.stock[a["sku"]] < a["quantity"]:
            state.step(f"reserve {a['sku']} {a['quantity']} refused")
            raise GraphQLError(f"only {state.stock[a['sku']]} of {a['sku']} in stock")
        state.stock[a["sku"]] -= a["quantity"]
        state.reserved[a["sku"]] += a["quantity"]
        return {"seq": state.step(f"reserve {a['sku']} {a['quantity']}"), "product": product(a["sku"])}

    return TestSubgraph(
        "inventory",
        LINK
        + """
        type Query { stockOf(sku: String!): Product }
        type Mutation {
          restock(sku: String!, quantity: Int!): StockChange!
          reserve(sku: String!, quantity: Int!): StockChange
        }
        type StockChange { seq: Int! product: Product! }
        type Product @key(fields: "sku") { sku: String! stock: Int! reserved: Int! }
        """,
        resolvers={
            "Query.stockOf": lambda _o, a: product(a["sku"]) if a["sku"] in state.stock else None,
            "Mutation.restock": restock,
            "Mutation.reserve": reserve,
            "Product.__resolveReference": lambda rep, _a: (
                product(rep["sku"]) if rep["sku"] in state.stock else None
            ),
        },
    )


def subgraphs() -> list[TestSubgraph]:
    state = _State()
    return [
        _carts(state),
        _inventory(state),
        TestSubgraph(
            "products",
            LINK
            + """
            type Query { products: [Product!]! }
            type Product @key(fields: "sku") { sku: String! name: String! price: Int! }
            """,
            tables={"Product": [{"__typename": "Product", **p} for p in PRODUCTS]},
            resolvers={"Query.products": lambda _o, _a: [{"__typename": "Product", **p} for p in PRODUCTS]},
        ),
    ]


QUERIES = [
    Query(
        "mutations of two subgraphs run in document order",
        """
        mutation {
          reset
          a: createCart(input: { owner: "ada" }) { seq cart { id owner currency } }
          b: restock(sku: "TBL-1", quantity: 3) { seq product { sku stock } }
          c: addItems(cartId: "c1", items: [{ sku: "TBL-1", quantity: 2 }]) {
            seq cart { id items { quantity } }
          }
          d: reserve(sku: "TBL-1", quantity: 2) { seq product { stock reserved } }
          e: createCart(input: { owner: "alan", currency: USD }) { seq cart { id currency } }
          journal
        }
        """,
    ),
    Query(
        "entity jumps after a mutation see the state before the next mutation",
        """
        mutation {
          reset
          createCart(input: { owner: "grace" }) { seq }
          filled: addItems(cartId: "c1", items: [{ sku: "CHR-3", quantity: 5 }, { sku: "TBL-1" }]) {
            seq cart { items { quantity product { name price stock reserved } } }
          }
          reserved: reserve(sku: "CHR-3", quantity: 5) { seq product { name stock reserved } }
          again: addItems(cartId: "c1", items: [{ sku: "LMP-4" }]) {
            seq cart { items { product { sku stock reserved } } }
          }
        }
        """,
    ),
    Query(
        "variables of input types: nested inputs, lists, enums and defaults",
        """
        mutation ($cart: NewCart!, $items: [ItemInput!]!, $more: ItemInput!) {
          reset
          createCart(input: $cart) { seq cart { id owner currency tags } }
          addItems(cartId: "c1", items: $items) {
            seq cart { items { quantity giftWrap message product { sku name } } }
          }
          last: addItems(cartId: "c1", items: [$more]) { seq cart { items { quantity } } }
        }
        """,
        {
            "cart": {"owner": "linus", "currency": "NOK", "tags": ["vip", "b2b"]},
            "items": [
                {"sku": "TBL-1", "quantity": 1, "options": {"giftWrap": True, "message": "Happy birthday"}},
                {"sku": "CHR-3", "quantity": 4, "options": {"message": "Leave at the door"}},
                {"sku": "LMP-4"},
            ],
            "more": {"sku": "CHR-3", "quantity": 2},
        },
    ),
    Query(
        "checkout reads what earlier mutations wrote",
        """
        mutation {
          reset
          createCart(input: { owner: "barbara", tags: ["new"] }) { seq }
          addItems(cartId: "c1", items: [{ sku: "CHR-3", quantity: 2 }]) { seq }
          more: addItems(cartId: "c1", items: [{ sku: "TBL-1", quantity: 1 }]) { seq }
          checkout(cartId: "c1") {
            id placedAt
            cart { owner tags items { quantity product { name price stock } } }
          }
          nothing: checkout(cartId: "c404") { id }
          journal
        }
        """,
    ),
    Query(
        "a failing mutation in the middle does not stop the next ones",
        """
        mutation {
          reset
          first: reserve(sku: "CHR-3", quantity: 10) { seq product { stock } }
          tooMany: reserve(sku: "TBL-1", quantity: 99) { seq product { stock } }
          after: restock(sku: "TBL-1", quantity: 97) { seq product { stock name } }
          retry: reserve(sku: "TBL-1", quantity: 99) { seq product { stock reserved } }
          journal
        }
        """,
    ),
    Query(
        "the same mutations aliased several times, identical entity fetches in between",
        """
        mutation {
          reset
          createCart(input: { owner: "ada" }) { seq }
          one: restock(sku: "LMP-4", quantity: 1) { seq product { stock } }
          seen: addItems(cartId: "c1", items: [{ sku: "LMP-4" }]) { seq cart { items { product { stock } } } }
          two: restock(sku: "LMP-4", quantity: 2) { seq product { stock } }
          seenAgain: addItems(cartId: "c1", items: []) { seq cart { items { product { stock } } } }
          three: restock(sku: "LMP-4", quantity: 3) { seq product { stock name } }
          take: reserve(sku: "LMP-4", quantity: 6) { seq product { stock reserved } }
          seenLast: addItems(cartId: "c1", items: []) { seq cart { items { product { stock reserved } } } }
        }
        """,
    ),
    Query(
        "typename, fragments and inline fragments in a mutation",
        """
        mutation Fill {
          __typename
          reset
          createCart(input: { owner: "edsger" }) { __typename ...Result }
          addItems(cartId: "c1", items: [{ sku: "TBL-1" }]) {
            __typename ...Result
            cart { items { ... on CartItem { __typename product { __typename ...Named } } } }
          }
        }
        fragment Result on CartResult { seq cart { __typename id } }
        fragment Named on Product { sku name stock }
        """,
    ),
    Query(
        "skip and include on mutation root fields",
        """
        mutation ($dry: Boolean!) {
          reset
          restock(sku: "CHR-3", quantity: 1) @skip(if: $dry) { seq }
          reserve(sku: "CHR-3", quantity: 1) @include(if: $dry) { seq product { stock } }
          createCart(input: { owner: "ken" }) { seq cart { id } }
          journal @include(if: $dry)
        }
        """,
        {"dry": True},
    ),
    Query(
        "consecutive mutations of one subgraph, then the other, then back",
        """
        mutation {
          reset
          a: createCart(input: { owner: "x" }) { seq cart { id } }
          b: createCart(input: { owner: "y" }) { seq cart { id } }
          c: addItems(cartId: "c2", items: [{ sku: "CHR-3", quantity: 3 }]) { seq }
          d: reserve(sku: "CHR-3", quantity: 3) { seq }
          e: restock(sku: "TBL-1", quantity: 1) { seq }
          f: checkout(cartId: "c2") { placedAt cart { owner items { product { reserved } } } }
          g: checkout(cartId: "c1") { placedAt }
          journal
        }
        """,
    ),
    Query(
        "a mutation on an unknown cart returns an error and null",
        """
        mutation {
          reset
          addItems(cartId: "c9", items: [{ sku: "TBL-1" }]) { seq cart { id } }
          createCart(input: { owner: "ada" }) { seq }
          journal
        }
        """,
    ),
    Query(
        "a query after the mutations reads the state they left",
        '{ products { sku name } stockOf(sku: "LMP-4") { sku name stock } cart(id: "c404") { id } }',
    ),
    Query(
        "a named mutation with variables inside inline input objects of two subgraphs",
        """
        mutation Buy($sku: String!, $n: Int!, $owner: String!) {
          reset
          restock(sku: $sku, quantity: $n) { seq product { name stock } }
          createCart(input: { owner: $owner, tags: [$sku] }) { seq cart { owner tags } }
          addItems(cartId: "c1", items: [{ sku: $sku, quantity: $n }]) { seq cart { items { quantity } } }
          reserve(sku: $sku, quantity: $n) { seq product { name stock reserved } }
        }
        """,
        {"sku": "LMP-4", "n": 2, "owner": "margaret"},
    ),
]
