"""The scenario's operations: the public benchmark's deep query, many varied ones, and their answers.

The expected answers come from an oracle that shares no code with any
gateway: the same data served as one plain (non-federated) graphql-core
schema, ``api.graphql``.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from graphql import GraphQLResolveInfo, build_schema, graphql_sync

from bench.scenario import BenchRequest
from bench.scenarios.gateways_benchmark import data

__all__ = ["DEEP_QUERY", "deep_requests", "oracle", "varied_requests"]

DEEP_QUERY = """\
fragment User on User {
  id
  username
  name
}

fragment Review on Review {
  id
  body
}

fragment Product on Product {
  inStock
  name
  price
  shippingEstimate
  upc
  weight
}

query TestQuery {
  users {
    ...User
    reviews {
      ...Review
      product {
        ...Product
        reviews {
          ...Review
          author {
            ...User
            reviews {
              ...Review
              product {
                ...Product
              }
            }
          }
        }
      }
    }
  }
  topProducts {
    ...Product
    reviews {
      ...Review
      author {
        ...User
        reviews {
          ...Review
          product {
            ...Product
          }
        }
      }
    }
  }
}
"""

_SCHEMA = build_schema((Path(__file__).parent / "api.graphql").read_text())


def _user(u: data.User | None) -> dict[str, Any] | None:
    if u is None:
        return None
    return {"id": u.id, "name": u.name, "username": u.username, "birthday": u.birthday, "_kind": "user"}


def _product(p: data.Product | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "upc": p.upc,
        "name": p.name,
        "price": p.price,
        "weight": p.weight,
        "inStock": p.in_stock,
        "shippingEstimate": data.shipping_estimate(p.price, p.weight),
        "_kind": "product",
    }


def _review(r: data.Review) -> dict[str, Any]:
    return {"id": r.id, "body": r.body, "_upc": r.product_upc, "_author": r.author_id, "_kind": "review"}


def _resolve(source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
    field = info.field_name
    if source is None:  # Query
        if field == "me":
            return _user(data.USERS[0])
        if field == "user":
            return _user(data.user(args["id"]))
        if field == "users":
            return [_user(u) for u in data.USERS]
        if field == "topProducts":
            return [_product(p) for p in data.top_products(args.get("first"))]
        return None
    kind = source["_kind"]
    if field == "reviews":
        found = (
            data.reviews_of_user(source["id"]) if kind == "user" else data.reviews_of_product(source["upc"])
        )
        return [_review(r) for r in found]
    if kind == "review" and field == "product":
        return _product(data.product(source["_upc"]))
    if kind == "review" and field == "author":
        return _user(data.user(source["_author"]))
    return source.get(field)


def oracle(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The answer a correct gateway gives to ``query`` on this graph."""
    result = graphql_sync(_SCHEMA, query, root_value=None, variable_values=variables, field_resolver=_resolve)
    if result.errors:
        raise ValueError(f"the oracle could not answer: {result.errors}")
    return {"data": result.data}


def deep_requests() -> list[BenchRequest]:
    """The public benchmark's one request."""
    return [BenchRequest({"query": DEEP_QUERY}, oracle(DEEP_QUERY))]


# ------------------------------------------------------------------ varied operations

_PRODUCT_FIELDS = ("upc", "name", "price", "weight", "inStock", "shippingEstimate")
_USER_FIELDS = ("id", "username", "name", "birthday")
_REVIEW_FIELDS = ("id", "body")


def _pick(rng: random.Random, fields: tuple[str, ...], alias: bool) -> str:
    chosen = rng.sample(fields, rng.randint(1, len(fields)))
    if alias and rng.random() < 0.5:
        name = rng.choice(chosen)
        chosen.append(f"{name}Again: {name}")
    return " ".join(chosen)


def _documents(rng: random.Random, count: int) -> list[tuple[str, list[dict[str, Any]]]]:
    """``count`` distinct operations, each with the variable values it is sent with."""
    out: list[tuple[str, list[dict[str, Any]]]] = []
    templates = ("user", "top", "me", "users", "deep")
    for n in range(count):
        template = templates[n % len(templates)]
        p = _pick(rng, _PRODUCT_FIELDS, True)
        u = _pick(rng, _USER_FIELDS, True)
        r = _pick(rng, _REVIEW_FIELDS, False)
        variables: list[dict[str, Any]]
        if template == "user":
            query = (
                f"query User{n}($id: ID!) {{ user(id: $id) {{ {u} reviews {{ {r} product {{ {p} }} }} }} }}"
            )
            variables = [{"id": str(i)} for i in range(1, 7)]
        elif template == "top":
            query = (
                f"query Top{n}($first: Int) {{ topProducts(first: $first) {{ {p} "
                f"reviews {{ {r} author {{ {u} }} }} }} }}"
            )
            variables = [{"first": i} for i in range(1, 10)]
        elif template == "me":
            query = (
                f"query Me{n}($withReviews: Boolean!) {{ me {{ {u} "
                f"reviews @include(if: $withReviews) {{ {r} product {{ {p} }} }} }} }}"
            )
            variables = [{"withReviews": True}, {"withReviews": False}]
        elif template == "users":
            query = (
                f"query Users{n}($first: Int, $skipTop: Boolean!) {{ users {{ {u} reviews {{ {r} }} }} "
                f"topProducts(first: $first) @skip(if: $skipTop) {{ {p} }} }}"
            )
            variables = [{"first": i, "skipTop": s} for i in range(1, 10) for s in (False, True)]
        else:
            query = (
                f"query Deep{n}($first: Int) {{ topProducts(first: $first) {{ {p} reviews {{ {r} "
                f"author {{ {u} reviews {{ {r} product {{ {p} }} }} }} }} }} }}"
            )
            variables = [{"first": i} for i in range(1, 10)]
        out.append((query, variables))
    return out


def varied_requests(documents: int = 60, seed: int = 4) -> list[BenchRequest]:
    """Many distinct requests (selections, aliases, arguments, @skip/@include), each with its answer."""
    rng = random.Random(seed)
    requests = []
    for query, variable_sets in _documents(rng, documents):
        for variables in variable_sets:
            requests.append(BenchRequest({"query": query, "variables": variables}, oracle(query, variables)))
    return requests
