"""The data of the public gateway benchmark's graph, in its shape (our own values).

Same cardinalities and relations as graphql-hive/graphql-gateways-benchmark,
so a response has the same size and nesting: 6 users, 9 products (the
first 5 are the top products), 11 reviews of products 1-4 (4, 4, 1 and 2),
every user's reviews are reviews 1 and 2, and every review's author is
user 1. Review bodies are filler text of the same lengths.

One difference on purpose: ``shippingEstimate`` is computed from the
``price`` and ``weight`` that ``@requires`` hands to the inventory subgraph
(0 above a price of 1000, else half the weight), where the public
benchmark's subgraph ignores them and always answers null, so a gateway
that sends wrong required fields shows up as a wrong answer here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "PRODUCTS",
    "REVIEWS",
    "USERS",
    "USER_REVIEW_IDS",
    "Product",
    "Review",
    "User",
    "product",
    "reviews_of_product",
    "reviews_of_user",
    "shipping_estimate",
    "top_products",
    "user",
]


@dataclass(frozen=True)
class User:
    id: str
    name: str
    username: str
    birthday: int


@dataclass(frozen=True)
class Product:
    upc: str
    name: str
    price: int
    weight: int
    in_stock: bool


@dataclass(frozen=True)
class Review:
    id: str
    body: str
    product_upc: str
    author_id: str


_WORDS = (
    *("retail", "gateway", "subgraph", "planner", "fetch", "merge", "entity", "shelf", "basket"),
    *("order", "return", "parcel", "store", "aisle", "label", "barcode", "carton", "pallet", "crate"),
    *("season", "stock", "inventory", "ledger", "invoice", "receipt", "tender", "counter", "window"),
    *("display", "fitting", "sample", "promise", "pickup", "courier", "route", "depot", "dock"),
)


def _filler(seed: int, length: int) -> str:
    """Deterministic sentence-like text of exactly ``length`` characters."""
    words: list[str] = []
    index = seed
    while sum(len(w) + 1 for w in words) < length:
        index = (index * 7 + 3) % len(_WORDS)
        words.append(_WORDS[index])
    text = " ".join(words)[: length - 1]
    return text[0].upper() + text[1:] + "."


USERS: tuple[User, ...] = (
    User("1", "Ada Lindqvist", "adal", 1234567890),
    User("2", "Bruno Okafor", "brunoo", 1234567890),
    User("3", "Chiara Ventura", "chiarav", 1234567890),
    User("4", "Dmitri Halloran", "dmitrih", 1234567890),
    User("5", "Esme Kowalczyk", "esmek", 1234567890),
    User("6", "Farid Nakamura", "faridn", 1234567890),
)

PRODUCTS: tuple[Product, ...] = (
    Product("1", "Desk", 899, 100, True),
    Product("2", "Armchair", 1299, 1000, False),
    Product("3", "Tumbler", 15, 20, False),
    Product("4", "Stool", 499, 100, False),
    Product("5", "Monitor", 1299, 1000, True),
    Product("6", "Floor lamp", 6999, 300, True),
    Product("7", "Barbecue", 3999, 2000, True),
    Product("8", "Freezer", 100000, 6000, False),
    Product("9", "Daybed", 9999, 800, True),
)

_BODY_LENGTHS = (445, 290, 270, 145, 445, 290, 270, 145, 145, 145, 1000)
_REVIEW_PRODUCTS = ("1", "1", "1", "1", "2", "2", "2", "2", "3", "4", "4")

REVIEWS: tuple[Review, ...] = tuple(
    Review(str(i + 1), _filler(i, length), upc, "1")
    for i, (length, upc) in enumerate(zip(_BODY_LENGTHS, _REVIEW_PRODUCTS, strict=True))
)

USER_REVIEW_IDS: tuple[str, ...] = ("1", "2")
"""The reviews of every user (the public benchmark's shape)."""

_USERS = {u.id: u for u in USERS}
_PRODUCTS = {p.upc: p for p in PRODUCTS}


def user(id_: str) -> User | None:
    return _USERS.get(id_)


def product(upc: str) -> Product | None:
    return _PRODUCTS.get(upc)


def reviews_of_product(upc: str) -> list[Review]:
    return [r for r in REVIEWS if r.product_upc == upc]


def reviews_of_user(id_: str) -> list[Review]:
    return [r for r in REVIEWS if r.id in USER_REVIEW_IDS]


def top_products(first: int | None) -> list[Product]:
    return list(PRODUCTS[: max(0, 5 if first is None else first)])


def shipping_estimate(price: int | None, weight: int | None) -> int | None:
    if price is None or weight is None:
        return None
    return 0 if price > 1000 else weight // 2
