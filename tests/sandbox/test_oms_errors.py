"""OMS error envelope, authentication, injected faults, reset, and serving over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from starlette.applications import Starlette

from tests._servers import serving

BASE = "/rest/s1/oms"


def _is_envelope(body: dict[str, object], status: int, error_id: str) -> bool:
    return (
        set(body) == {"errorCode", "errors", "errorId", "details"}
        and body["errorCode"] == status
        and body["errorId"] == error_id
        and isinstance(body["errors"], str)
        and isinstance(body["details"], list)
    )


async def test_an_unknown_path_is_a_404_in_the_oms_envelope(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    response = await client_for("oms").get(f"{BASE}/nowhere")
    assert response.status_code == 404
    assert _is_envelope(response.json(), 404, "NOT_FOUND")


async def test_a_wrong_method_is_a_405_in_the_oms_envelope(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    response = await client_for("oms").put(f"{BASE}/orders")
    assert response.status_code == 405
    assert _is_envelope(response.json(), 405, "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize("content", [b"{not json", b"", b"[1,", b"\xff\xfe"])
async def test_a_body_that_is_not_json_is_a_400(
    client_for: Callable[..., httpx.AsyncClient], content: bytes
) -> None:
    response = await client_for("oms").post(f"{BASE}/orders", content=content)
    assert response.status_code == 400
    assert _is_envelope(response.json(), 400, "INVALID_JSON")


@pytest.mark.parametrize("path", ["/orders", "/returns", "/reservations", "/inventory/search"])
async def test_a_json_body_of_the_wrong_type_is_a_validation_error(
    client_for: Callable[..., httpx.AsyncClient], path: str
) -> None:
    response = await client_for("oms").post(f"{BASE}{path}", json="a string")
    assert response.status_code == 400
    body = response.json()
    assert _is_envelope(body, 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "(body)"


async def test_with_an_access_token_requests_without_it_are_a_401(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    client = client_for("oms", access_token="s3cret")
    missing = await client.get(f"{BASE}/facilities")
    assert missing.status_code == 401
    assert _is_envelope(missing.json(), 401, "UNAUTHORIZED")
    wrong = await client.get(f"{BASE}/facilities", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    bearer = await client.get(f"{BASE}/facilities", headers={"Authorization": "Bearer s3cret"})
    assert bearer.status_code == 200
    api_key = await client.get(f"{BASE}/facilities", headers={"api_key": "s3cret"})
    assert api_key.status_code == 200


async def test_without_an_access_token_no_credentials_are_needed(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    assert (await client_for("oms").get(f"{BASE}/facilities")).status_code == 200


async def test_the_rate_limit_knob_answers_429_with_retry_after(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    client = client_for("oms", knobs={"rate_limit_rps": 0.2, "rate_limit_burst": 1})
    assert (await client.get(f"{BASE}/facilities")).status_code == 200
    limited = await client.get(f"{BASE}/facilities")
    assert limited.status_code == 429
    assert _is_envelope(limited.json(), 429, "RATE_LIMITED")
    assert int(limited.headers["Retry-After"]) >= 1


async def test_an_outage_answers_503_and_errors_answer_500(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    outage = await client_for("oms", knobs={"outage": True}).get(f"{BASE}/orders")
    assert outage.status_code == 503
    assert _is_envelope(outage.json(), 503, "SERVICE_UNAVAILABLE")
    failing = await client_for("oms", knobs={"error_rate": 1.0}).get(f"{BASE}/orders")
    assert failing.status_code == 500
    assert _is_envelope(failing.json(), 500, "INTERNAL_SERVER_ERROR")


async def test_unknown_oms_knobs_are_refused(client_for: Callable[..., httpx.AsyncClient]) -> None:
    client = client_for("oms")
    assert (await client.patch("/_admin/knobs", json={"reservation_ttl": 5})).status_code == 422
    assert (await client.patch("/_admin/knobs", json={"reservation_ttl_s": 0})).status_code == 422
    knobs = (await client.get("/_admin/knobs")).json()
    assert knobs["reservation_ttl_s"] == 900
    assert knobs["floor_atp"] is False


async def test_reset_forgets_created_orders_and_reservations(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    client = client_for("oms")
    facility = "WH01"
    sku = (await client.get(f"{BASE}/orders", params={"pageSize": 1})).json()["orders"][0]["items"][0][
        "productId"
    ]
    params = {"productId": sku, "facilityId": facility}
    before = (await client.get(f"{BASE}/inventory", params=params)).json()
    body = {
        "orderName": "R777777",
        "shipGroups": [
            {
                "facilityId": facility,
                "postalAddress": {"address1": "1 Main St", "city": "Austin", "postalCode": "78701"},
                "items": [{"productId": sku, "quantity": 1, "unitPrice": 10}],
            }
        ],
    }
    order_id = (await client.post(f"{BASE}/orders", json=body)).json()["orderId"]
    assert (await client.post("/_admin/reset")).status_code == 200
    assert (await client.get(f"{BASE}/orders/{order_id}")).status_code == 404
    assert (await client.get(f"{BASE}/inventory", params=params)).json() == before
    again = await client.post(f"{BASE}/orders", json=body)
    assert again.json()["orderId"] == order_id


async def test_the_oms_serves_over_real_http_and_holds_reservations_under_concurrency(
    make_app: Callable[..., Starlette],
) -> None:
    async with serving(make_app("oms")) as url, httpx.AsyncClient(base_url=f"{url}{BASE}") as client:
        facilities = (await client.get("/facilities", params={"facilityTypeId": "WAREHOUSE"})).json()
        facility = facilities["facilities"][0]["facilityId"]
        order = (await client.get("/orders", params={"pageSize": 1})).json()["orders"][0]
        sku = order["items"][0]["productId"]
        params = {"productId": sku, "facilityId": facility}
        atp = (await client.get("/inventory", params=params)).json()["inventory"][0][
            "availableToPromiseTotal"
        ]
        if atp > 10:
            big = {"facilityId": facility, "items": [{"productId": sku, "quantity": atp - 10}]}
            assert (await client.post("/reservations", json=big)).status_code == 201
        left = max(0, min(atp, 10))
        one = {"facilityId": facility, "items": [{"productId": sku, "quantity": 1}]}
        responses = await asyncio.gather(*(client.post("/reservations", json=one) for _ in range(30)))
        assert sum(r.status_code == 201 for r in responses) == left
        assert sum(r.status_code == 409 for r in responses) == 30 - left
