"""The four subgraphs of the gateway benchmark (accounts, inventory, products, reviews) on graphql-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.fedsub import FederatedSubgraph
from bench.scenarios.gateways_benchmark import data

__all__ = ["NAMES", "build", "sdl"]

NAMES = ("accounts", "inventory", "products", "reviews")
_HERE = Path(__file__).parent


def sdl(name: str) -> str:
    return (_HERE / f"{name}.graphql").read_text()


def _user(u: data.User | None) -> dict[str, Any] | None:
    if u is None:
        return None
    return {"id": u.id, "name": u.name, "username": u.username, "birthday": u.birthday}


def _product(p: data.Product | None) -> dict[str, Any] | None:
    return None if p is None else {"upc": p.upc, "name": p.name, "price": p.price, "weight": p.weight}


def _review(r: data.Review) -> dict[str, Any]:
    author = data.user(r.author_id)
    return {
        "id": r.id,
        "body": r.body,
        "product": {"upc": r.product_upc},
        # @provides(fields: "username"): the author comes with the username this subgraph knows.
        "author": {"id": r.author_id, "username": author.username if author else None},
    }


def _accounts() -> FederatedSubgraph:
    return FederatedSubgraph(
        "accounts",
        sdl("accounts"),
        resolvers={
            "Query.me": lambda _, __: _user(data.USERS[0]),
            "Query.user": lambda _, args: _user(data.user(args["id"])),
            "Query.users": lambda _, __: [_user(u) for u in data.USERS],
        },
        references={"User": lambda rep: _user(data.user(str(rep.get("id"))))},
    )


def _inventory() -> FederatedSubgraph:
    def reference(rep: dict[str, Any]) -> dict[str, Any] | None:
        found = data.product(str(rep.get("upc")))
        if found is None:
            return None
        return {
            "upc": found.upc,
            "inStock": found.in_stock,
            "shippingEstimate": data.shipping_estimate(rep.get("price"), rep.get("weight")),
        }

    return FederatedSubgraph("inventory", sdl("inventory"), references={"Product": reference})


def _products() -> FederatedSubgraph:
    return FederatedSubgraph(
        "products",
        sdl("products"),
        resolvers={
            "Query.topProducts": lambda _, args: [_product(p) for p in data.top_products(args.get("first"))]
        },
        references={"Product": lambda rep: _product(data.product(str(rep.get("upc"))))},
    )


def _reviews() -> FederatedSubgraph:
    return FederatedSubgraph(
        "reviews",
        sdl("reviews"),
        resolvers={
            "User.reviews": lambda user, _: [_review(r) for r in data.reviews_of_user(str(user.get("id")))],
            "Product.reviews": lambda product, _: [
                _review(r) for r in data.reviews_of_product(str(product.get("upc")))
            ],
        },
        references={
            "Review": lambda rep: next(
                (_review(r) for r in data.REVIEWS if r.id == str(rep.get("id"))), None
            ),
            "User": lambda rep: {"id": str(rep.get("id"))},
            "Product": lambda rep: {"upc": str(rep.get("upc"))},
        },
    )


def build() -> dict[str, FederatedSubgraph]:
    """Every subgraph by name (the factory that ``python -m bench.httpserver --app`` loads)."""
    return {s.name: s for s in (_accounts(), _inventory(), _products(), _reviews())}
