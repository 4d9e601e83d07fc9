"""The HTTP face of the Shopify mimic: versions, access tokens, bodies and error envelopes."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.sandbox._shopify import TOKEN, Shop, open_shop

Clients = Callable[..., httpx.AsyncClient]
SHOP_QUERY = "{ shop { name myshopifyDomain currencyCode orderNumberFormatPrefix } }"


async def test_the_shop_answers_with_its_domain_currency_and_order_prefix(client_for: Clients) -> None:
    data = await open_shop(client_for).gql(SHOP_QUERY)
    assert data["shop"] == {
        "name": "Retail Sandbox",
        "myshopifyDomain": "retail-sandbox.myshopify.com",
        "currencyCode": "USD",
        "orderNumberFormatPrefix": "R",
    }


async def test_every_response_carries_the_cost_extension(client_for: Clients) -> None:
    body = await open_shop(client_for, knobs={}).raw(SHOP_QUERY)
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 1
    assert cost["actualQueryCost"] == 1
    assert cost["throttleStatus"] == {
        "maximumAvailable": 1000.0,
        "currentlyAvailable": 999,
        "restoreRate": 50.0,
    }


async def test_quarterly_and_unstable_versions_are_served(client_for: Clients) -> None:
    client = client_for("shopify")
    for version in ("2025-01", "2025-04", "2026-10", "unstable"):
        body = await Shop(client, version).raw(SHOP_QUERY)
        assert body["data"]["shop"]["name"] == "Retail Sandbox"


async def test_a_malformed_version_is_not_found(client_for: Clients) -> None:
    client = client_for("shopify")
    for version in ("2025-02", "latest", "2025-1"):
        response = await Shop(client, version).post(SHOP_QUERY)
        assert response.status_code == 404
        assert response.json() == {"errors": "Not Found"}


async def test_a_missing_access_token_is_unauthorized(client_for: Clients) -> None:
    client = client_for("shopify")
    response = await client.post("/admin/api/2025-01/graphql.json", json={"query": SHOP_QUERY})
    assert response.status_code == 401
    assert response.json() == {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    }


async def test_a_wrong_access_token_is_unauthorized_when_one_is_configured(client_for: Clients) -> None:
    client = client_for("shopify", access_token="shpat_right")
    wrong = await Shop(client, token="shpat_wrong").post(SHOP_QUERY)
    right = await Shop(client, token="shpat_right").post(SHOP_QUERY)
    assert wrong.status_code == 401
    assert right.status_code == 200


async def test_a_body_that_is_not_json_is_a_bad_request(client_for: Clients) -> None:
    client = client_for("shopify")
    response = await client.post(
        "/admin/api/2025-01/graphql.json",
        content=b"{not json",
        headers={"X-Shopify-Access-Token": TOKEN, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"query": "Required parameter missing or invalid"}}


async def test_a_body_without_a_query_or_with_wrong_types_is_a_bad_request(client_for: Clients) -> None:
    client = client_for("shopify")
    headers = {"X-Shopify-Access-Token": TOKEN}
    for body, member in (
        ({}, "query"),
        ({"query": ""}, "query"),
        ({"query": 42}, "query"),
        ([1, 2], "query"),
        ({"query": SHOP_QUERY, "variables": [1]}, "variables"),
    ):
        response = await client.post("/admin/api/2025-01/graphql.json", json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.json() == {"errors": {member: "Required parameter missing or invalid"}}


async def test_a_raw_application_graphql_body_is_accepted(client_for: Clients) -> None:
    client = client_for("shopify")
    response = await client.post(
        "/admin/api/2025-01/graphql.json",
        content=SHOP_QUERY.encode(),
        headers={"X-Shopify-Access-Token": TOKEN, "Content-Type": "application/graphql"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["shop"]["currencyCode"] == "USD"
    assert response.headers["X-Shopify-API-Version"] == "2025-01"


async def test_a_syntax_error_is_a_graphql_error_with_locations(client_for: Clients) -> None:
    body = await open_shop(client_for).raw("{ shop { name }")
    assert "data" not in body
    (error,) = body["errors"]
    assert error["locations"] == [{"line": 1, "column": 16}]
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_an_unknown_field_is_a_validation_error_with_a_code(client_for: Clients) -> None:
    body = await open_shop(client_for).raw("{ shop { name planName } }")
    (error,) = body["errors"]
    assert "planName" in error["message"]
    assert error["extensions"]["code"] == "undefinedField"
    assert error["locations"] == [{"line": 1, "column": 15}]


async def test_a_variable_of_the_wrong_type_is_an_invalid_variable_error(client_for: Clients) -> None:
    body = await open_shop(client_for).raw(
        "query($n: Int!) { products(first: $n) { nodes { id } } }", {"n": "ten"}
    )
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INVALID_VARIABLE"


async def test_an_unknown_operation_name_is_an_error(client_for: Clients) -> None:
    body = await open_shop(client_for).raw("query A { shop { name } } query B { shop { name } }")
    assert body["errors"][0]["extensions"]["code"] == "OPERATION_NOT_FOUND"
    named = await open_shop(client_for).raw(
        "query A { shop { name } } query B { shop { currencyCode } }", operationName="B"
    )
    assert named["data"] == {"shop": {"currencyCode": "USD"}}


async def test_get_is_not_allowed_on_the_graphql_endpoint(client_for: Clients) -> None:
    client = client_for("shopify")
    response = await client.get("/admin/api/2025-01/graphql.json", headers={"X-Shopify-Access-Token": TOKEN})
    assert response.status_code == 405
    assert "errors" in response.json()


async def test_an_outage_answers_503_in_the_graphql_error_shape(client_for: Clients) -> None:
    client = client_for("shopify", knobs={"outage": True})
    response = await Shop(client).post(SHOP_QUERY)
    assert response.status_code == 503
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"


async def test_the_generic_rate_limit_answers_429_with_a_whole_second_retry_after(
    client_for: Clients,
) -> None:
    client = client_for("shopify", knobs={"rate_limit_rps": 0.5, "rate_limit_burst": 1})
    shop = Shop(client)
    assert (await shop.post(SHOP_QUERY)).status_code == 200
    limited = await shop.post(SHOP_QUERY)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"
    assert "Reduce request rates" in limited.json()["errors"]


async def test_shopify_knobs_can_be_changed_at_run_time_and_typos_are_refused(client_for: Clients) -> None:
    client = client_for("shopify")
    changed = await client.patch("/_admin/knobs", json={"cost_bucket_size": 2000, "cost_restore_rate": 100})
    assert changed.status_code == 200
    assert changed.json()["cost_bucket_size"] == 2000
    body = await Shop(client).raw(SHOP_QUERY)
    assert body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 2000.0
    typo = await client.patch("/_admin/knobs", json={"cost_bucket_sise": 5})
    assert typo.status_code == 422


async def test_an_unknown_admin_path_is_not_found_in_shopifys_shape(client_for: Clients) -> None:
    client = client_for("shopify")
    response = await client.get("/admin/api/2025-01/products.json", headers={"X-Shopify-Access-Token": TOKEN})
    assert response.status_code == 404
    assert response.json() == {"errors": "Not Found"}
