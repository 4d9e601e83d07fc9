"""POS basics: bearer auth, Square-Version, Square's error envelope for faults and router errors, reset."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from sandbox.cli import create_app
from sandbox.settings import SandboxSettings
from sandbox.world import World
from tests._servers import serving

AUTH = {"Authorization": "Bearer sandbox-token"}


@pytest.fixture
def pos(client_for: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    client = client_for("pos")
    client.headers.update(AUTH)
    return client


def assert_square_error(response: httpx.Response, status: int, category: str, code: str) -> dict[str, str]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    errors = response.json()["errors"]
    assert errors[0]["category"] == category
    assert errors[0]["code"] == code
    assert errors[0]["detail"]
    error: dict[str, str] = errors[0]
    return error


async def test_a_request_without_authorization_is_unauthorized(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    response = await client_for("pos").get("/v2/locations")
    assert_square_error(response, 401, "AUTHENTICATION_ERROR", "UNAUTHORIZED")


async def test_a_malformed_authorization_header_says_how_to_send_the_token(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    response = await client_for("pos").get("/v2/locations", headers={"Authorization": "Token abc"})
    error = assert_square_error(response, 401, "AUTHENTICATION_ERROR", "UNAUTHORIZED")
    assert "Bearer TOKEN" in error["detail"]


async def test_any_bearer_token_is_accepted_when_no_access_token_is_configured(
    pos: httpx.AsyncClient,
) -> None:
    response = await pos.get("/v2/locations")
    assert response.status_code == 200


async def test_only_the_configured_access_token_is_accepted(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    client = client_for("pos", access_token="s3cret")
    wrong = await client.get("/v2/locations", headers={"Authorization": "Bearer nope"})
    assert_square_error(wrong, 401, "AUTHENTICATION_ERROR", "UNAUTHORIZED")
    right = await client.get("/v2/locations", headers={"Authorization": "Bearer s3cret"})
    assert right.status_code == 200


async def test_a_square_version_header_is_accepted_and_a_malformed_one_refused(
    pos: httpx.AsyncClient,
) -> None:
    assert (await pos.get("/v2/locations", headers={"Square-Version": "2025-01-23"})).status_code == 200
    response = await pos.get("/v2/locations", headers={"Square-Version": "latest"})
    assert_square_error(response, 400, "INVALID_REQUEST_ERROR", "INVALID_SQUARE_VERSION_FORMAT")


async def test_an_unknown_path_is_a_square_not_found(pos: httpx.AsyncClient) -> None:
    response = await pos.get("/v2/nothing-here")
    assert_square_error(response, 404, "INVALID_REQUEST_ERROR", "NOT_FOUND")


async def test_a_wrong_method_is_a_square_method_not_allowed(pos: httpx.AsyncClient) -> None:
    response = await pos.delete("/v2/locations")
    assert_square_error(response, 405, "INVALID_REQUEST_ERROR", "METHOD_NOT_ALLOWED")


async def test_the_rate_limit_knob_gives_rate_limited_with_retry_after(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    client = client_for("pos", knobs={"rate_limit_rps": 0.5, "rate_limit_burst": 1})
    client.headers.update(AUTH)
    assert (await client.get("/v2/locations")).status_code == 200
    response = await client.get("/v2/locations")
    assert_square_error(response, 429, "RATE_LIMIT_ERROR", "RATE_LIMITED")
    assert int(response.headers["Retry-After"]) >= 1


async def test_injected_errors_and_outages_are_api_errors(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    failing = client_for("pos", knobs={"error_rate": 1.0})
    assert_square_error(await failing.get("/v2/locations"), 500, "API_ERROR", "INTERNAL_SERVER_ERROR")
    down = client_for("pos", knobs={"outage": True})
    assert_square_error(await down.get("/v2/locations"), 503, "API_ERROR", "SERVICE_UNAVAILABLE")


async def test_a_body_that_is_not_json_is_a_bad_request(pos: httpx.AsyncClient) -> None:
    response = await pos.post("/v2/customers/search", content=b"{not json")
    assert_square_error(response, 400, "INVALID_REQUEST_ERROR", "BAD_REQUEST")


async def test_a_json_body_that_is_not_an_object_is_a_bad_request(pos: httpx.AsyncClient) -> None:
    response = await pos.post("/v2/customers/search", content=b"[1, 2]")
    assert_square_error(response, 400, "INVALID_REQUEST_ERROR", "BAD_REQUEST")


async def test_wrong_json_types_name_the_field_and_the_expected_type(pos: httpx.AsyncClient) -> None:
    response = await pos.post("/v2/customers/search", json={"limit": "10", "query": {"filter": []}})
    errors = {e["field"]: e["code"] for e in response.json()["errors"]}
    assert response.status_code == 400
    assert errors == {"limit": "EXPECTED_INTEGER", "query.filter": "EXPECTED_OBJECT"}


async def test_unknown_fields_are_ignored_as_square_does(pos: httpx.AsyncClient) -> None:
    response = await pos.post("/v2/customers/search", json={"limit": 1, "no_such_field": True})
    assert response.status_code == 200


async def test_reset_forgets_what_was_created(world: World) -> None:
    app = create_app("pos", SandboxSettings(), world=world)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        client.headers.update(AUTH)
        created = await client.post("/v2/customers", json={"given_name": "Temp"})
        customer_id = created.json()["customer"]["id"]
        assert (await client.get(f"/v2/customers/{customer_id}")).status_code == 200
        assert (await client.post("/_admin/reset")).status_code == 200
        assert (await client.get(f"/v2/customers/{customer_id}")).status_code == 404


async def test_the_pos_serves_over_real_http_with_its_lifespan(world: World) -> None:
    app = create_app("pos", SandboxSettings(), world=world)
    async with serving(app) as base_url, httpx.AsyncClient(base_url=base_url, headers=AUTH) as client:
        response = await client.get("/v2/locations/main")
        assert response.status_code == 200
        assert response.json()["location"]["status"] == "ACTIVE"
