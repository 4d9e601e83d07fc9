"""Seeded master data: locations, products with their variants, and customers."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Literal

from sandbox.world import EPOCH, Address, Customer, Location, Product, Variant, stable_id

__all__ = ["CARRIERS", "address", "customers", "locations", "products"]


_BRANDS = ("Northwind", "Alder & Oak", "Fjell", "Harbor Line", "Copperleaf", "Lumen", "Saltmarsh", "Verdant")
_TYPES = (
    ("Tee", ("S", "M", "L", "XL"), 2400),
    ("Hoodie", ("S", "M", "L", "XL"), 6900),
    ("Jeans", ("28", "30", "32", "34", "36"), 8900),
    ("Sneaker", ("7", "8", "9", "10", "11", "12"), 11000),
    ("Backpack", ("One Size",), 7900),
    ("Jacket", ("S", "M", "L"), 18900),
    ("Beanie", ("One Size",), 2200),
    ("Socks", ("S/M", "L/XL"), 1200),
)
_COLOURS = ("Black", "Navy", "Olive", "Sand", "Rust", "Grey", "White", "Forest")
_ADJECTIVES = ("Classic", "Everyday", "Trail", "Coastal", "Heritage", "Urban", "Merino", "Canvas", "Storm")
_FIRST = ("Ava", "Noah", "Mia", "Liam", "Zoe", "Ethan", "Ivy", "Lucas", "Nora", "Omar", "Priya", "Kenji")
_LAST = ("Smith", "Garcia", "Nguyen", "Khan", "Müller", "Okafor", "Rossi", "Tanaka", "Silva", "Cohen")
_CITIES = (
    ("New York", "NY", "100"),
    ("Chicago", "IL", "606"),
    ("Austin", "TX", "787"),
    ("Seattle", "WA", "981"),
    ("Denver", "CO", "802"),
    ("Boston", "MA", "021"),
    ("Atlanta", "GA", "303"),
    ("Portland", "OR", "972"),
    ("Miami", "FL", "331"),
    ("Phoenix", "AZ", "850"),
)
_STREETS = ("Main St", "Oak Ave", "Harbor Rd", "Elm St", "Market St", "Pine Ave", "Lake Dr", "Hill Rd")
CARRIERS = ("UPS", "FedEx", "USPS", "DHL")


def _gtin13(number: int) -> str:
    body = f"{number:012d}"[-12:]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def address(rng: random.Random) -> Address:
    city, region, zip_prefix = rng.choice(_CITIES)
    return Address(
        line1=f"{rng.randint(1, 9999)} {rng.choice(_STREETS)}",
        line2=f"Apt {rng.randint(1, 40)}" if rng.random() < 0.2 else None,
        city=city,
        region=region,
        postal_code=f"{zip_prefix}{rng.randint(0, 99):02d}",
        country_code="US",
    )


def locations(rng: random.Random, count: int) -> tuple[Location, ...]:
    dcs = max(1, count // 15)
    warehouses = max(1, count // 10)
    out: list[Location] = []
    for i in range(count):
        if i < dcs:
            kind: Literal["STORE", "WAREHOUSE", "DISTRIBUTION_CENTER"] = "DISTRIBUTION_CENTER"
            code, name = f"DC{i + 1:02d}", f"Distribution Centre {i + 1}"
        elif i < dcs + warehouses:
            kind, code, name = "WAREHOUSE", f"WH{i - dcs + 1:02d}", f"Warehouse {i - dcs + 1}"
        else:
            n = i - dcs - warehouses + 1
            kind, code = "STORE", f"ST{n:03d}"
            name = f"{rng.choice(_CITIES)[0]} Store {n}"
        is_store = kind == "STORE"
        fulfills_online = not is_store or rng.random() < 0.4
        pickup = is_store and rng.random() < 0.7
        on_shopify = fulfills_online or pickup
        out.append(
            Location(
                index=i,
                code=code,
                name=name,
                type=kind,
                address=address(rng),
                fulfills_online=fulfills_online,
                pickup_enabled=pickup,
                erp_plant=f"{1000 + i + 1}",
                erp_storage_location="0001" if is_store else "0100",
                square_location_id=stable_id("square-location", i, length=13) if is_store else None,
                shopify_location_id=70_000_000 + i + 1 if on_shopify else None,
            )
        )
    return tuple(out)


def products(rng: random.Random, sku_count: int) -> tuple[Product, ...]:
    products: list[Product] = []
    variant_index = 0
    while variant_index < sku_count:
        p_index = len(products)
        type_name, sizes, base_price = _TYPES[p_index % len(_TYPES)]
        brand = _BRANDS[rng.randrange(len(_BRANDS))]
        colour = rng.choice(_COLOURS)
        title = f"{rng.choice(_ADJECTIVES)} {type_name} {colour}"
        product_id = f"P{p_index + 1:05d}"
        price = base_price + rng.randrange(-4, 5) * 100 - 1
        variants: list[Variant] = []
        for size_label in sizes[: sku_count - variant_index]:
            variant_index += 1
            code = size_label.replace(" ", "").replace("/", "")[:4].upper()
            sku = f"{type_name[:3].upper()}-{p_index + 1:05d}-{code}"
            variants.append(
                Variant(
                    index=variant_index - 1,
                    sku=sku,
                    gtin=_gtin13(400_000_000_000 + variant_index),
                    title=f"{size_label} / {colour}",
                    product_id=product_id,
                    price_cents=price,
                    options=(("Size", size_label), ("Colour", colour)),
                    weight_grams=100 + rng.randrange(2000),
                    shopify_variant_id=44_000_000_000 + variant_index,
                    shopify_inventory_item_id=46_000_000_000 + variant_index,
                    square_variation_id=stable_id("square-variation", sku, length=24),
                    square_item_id=stable_id("square-item", product_id, length=24),
                )
            )
        products.append(
            Product(
                index=p_index,
                id=product_id,
                title=title,
                description=f"The {title.lower()} by {brand}: built to last, made to be worn.",
                brand=brand,
                product_type=type_name,
                tags=(type_name.lower(), colour.lower(), brand.lower().replace(" ", "-")),
                variants=tuple(variants),
                shopify_product_id=8_000_000_000 + p_index + 1,
                created_at=EPOCH - timedelta(days=400 - (p_index % 300)),
            )
        )
    return tuple(products)


def customers(rng: random.Random, count: int) -> tuple[Customer, ...]:
    out: list[Customer] = []
    for i in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        presence = i % 10
        # Everyone is somewhere; some are in all three systems, some in one.
        in_shopify = presence != 9
        in_pos = presence in (0, 1, 2, 3, 9) or i == 0
        in_erp = presence in (0, 1, 4, 5, 6, 9) or i == 0
        lifetime = rng.randrange(0, 12_000) if in_pos else 0
        email_local = f"{first}.{last}.{i + 1}".lower().replace("ü", "ue")
        out.append(
            Customer(
                index=i,
                id=f"C{i + 1:06d}",
                first_name=first,
                last_name=last,
                email=f"{email_local}@example.com",
                phone=f"+1555{i + 1:07d}" if rng.random() < 0.8 else None,
                addresses=tuple(address(rng) for _ in range(rng.choice((0, 1, 1, 2)))),
                created_at=EPOCH - timedelta(days=rng.randrange(30, 900)),
                shopify_customer_id=7_100_000_000 + i + 1 if in_shopify else None,
                square_customer_id=stable_id("square-customer", i, length=26) if in_pos else None,
                erp_business_partner=f"{1_000_000 + i + 1}" if in_erp else None,
                loyalty_lifetime_points=lifetime,
                loyalty_balance=lifetime - rng.randrange(0, lifetime + 1) // 2 if lifetime else 0,
            )
        )
    return tuple(out)
