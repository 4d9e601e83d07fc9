"""The ERP's gatekeeping and fault behaviour: CSRF tokens, Basic logon, injected faults, admin reset."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sandbox.world import World
from tests._servers import serving

SO = "/sap/opu/odata/sap/API_SALES_ORDER_SRV"


def order(world: World) -> dict[str, Any]:
    return {
        "SalesOrderType": "OR",
        "SalesOrganization": "1000",
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SoldToParty": "ONETIME",
        "to_Item": [{"Material": sorted(world.variants_by_sku)[0], "RequestedQuantity": "1"}],
    }


@pytest.fixture
def erp(client_for: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    client = client_for("erp")
    client.headers["Accept"] = "application/json"
    return client


async def fetch_token(client: httpx.AsyncClient, method: str = "GET") -> str:
    response = await client.request(method, f"{SO}/", headers={"X-CSRF-Token": "Fetch"})
    assert response.status_code == 200
    return response.headers["x-csrf-token"]


async def test_a_write_without_a_token_fails_csrf_validation(erp: httpx.AsyncClient, world: World) -> None:
    response = await erp.post(f"{SO}/A_SalesOrder", json=order(world))
    assert response.status_code == 403
    assert response.headers["x-csrf-token"] == "Required"
    assert response.text == "CSRF token validation failed"
    wrong = await erp.post(f"{SO}/A_SalesOrder", json=order(world), headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403


async def test_the_token_only_counts_with_its_session_cookie(
    erp: httpx.AsyncClient, make_app: Callable[..., Starlette], world: World
) -> None:
    token = await fetch_token(erp, "HEAD")
    assert "SAP_SESSIONID_SBX_100" in erp.cookies
    assert (
        await erp.post(f"{SO}/A_SalesOrder", json=order(world), headers={"X-CSRF-Token": token})
    ).status_code == 201
    assert await fetch_token(erp) == token
    erp.cookies.clear()
    cookieless = await erp.post(f"{SO}/A_SalesOrder", json=order(world), headers={"X-CSRF-Token": token})
    assert cookieless.status_code == 403


async def test_a_token_fetch_on_the_bare_service_root_needs_no_accept_header(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    client = client_for("erp")
    head = await client.head(SO, headers={"X-CSRF-Token": "Fetch"})
    assert head.status_code == 200
    assert head.headers["x-csrf-token"]
    document = await client.get(f"{SO}/")
    assert document.headers["content-type"].startswith("application/atomsvc+xml")
    hrefs = [
        c.get("href") for c in ET.fromstring(document.text).iter("{http://www.w3.org/2007/app}collection")
    ]
    assert hrefs == ["A_SalesOrder", "A_SalesOrderItem"]


async def test_an_expired_token_must_be_fetched_again(
    client_for: Callable[..., httpx.AsyncClient], world: World
) -> None:
    client = client_for("erp", knobs={"csrf_token_ttl_s": 0.05})
    client.headers["Accept"] = "application/json"
    token = await fetch_token(client)
    await asyncio.sleep(0.08)
    expired = await client.post(f"{SO}/A_SalesOrder", json=order(world), headers={"X-CSRF-Token": token})
    assert expired.status_code == 403
    assert expired.headers["x-csrf-token"] == "Required"
    fresh = await fetch_token(client)
    assert fresh != token
    created = await client.post(f"{SO}/A_SalesOrder", json=order(world), headers={"X-CSRF-Token": fresh})
    assert created.status_code == 201


async def test_basic_logon_is_required_when_an_access_token_is_set(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    client = client_for("erp", access_token="s3cret")
    url = f"{SO}/A_SalesOrder?$top=1&$format=json"
    anonymous = await client.get(url)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Basic realm=")
    assert anonymous.json()["error"]["code"] == "/IWFND/CM_CONSUMER/101"
    assert (await client.get(url, auth=("RFC_USER", "wrong"))).status_code == 401
    assert (await client.get(url, auth=("RFC_USER", "s3cret"))).status_code == 200


async def test_rate_limiting_answers_429_with_retry_after_in_the_odata_envelope(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    client = client_for("erp", knobs={"rate_limit_rps": 0.5, "rate_limit_burst": 1})
    url = f"{SO}/A_SalesOrder?$top=1&$format=json"
    assert (await client.get(url)).status_code == 200
    limited = await client.get(url)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"]["code"] == "/IWFND/CM_CONSUMER/106"


@pytest.mark.parametrize(
    ("knobs", "status", "code"),
    [({"outage": True}, 503, "/IWFND/CM_BEC/022"), ({"error_rate": 1.0}, 500, "/IWFND/CM_BEC/026")],
)
async def test_injected_faults_answer_in_the_odata_envelope(
    client_for: Callable[..., httpx.AsyncClient], knobs: dict[str, Any], status: int, code: str
) -> None:
    response = await client_for("erp", knobs=knobs).get(f"{SO}/A_SalesOrder?$format=json")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["innererror"]["errordetails"][0]["severity"] == "error"


async def test_paths_and_methods_outside_the_services_are_odata_errors(erp: httpx.AsyncClient) -> None:
    elsewhere = await erp.get("/sap/bc/nothing")
    assert elsewhere.status_code == 404
    assert elsewhere.json()["error"]["code"] == "/IWBEP/CM_MGW_RT/021"
    options = await erp.options(f"{SO}/A_SalesOrder")
    assert options.status_code == 405
    assert "error" in options.json()


async def test_the_erp_knobs_are_validated_and_reset_restores_the_seed(
    erp: httpx.AsyncClient, world: World
) -> None:
    assert (await erp.patch("/_admin/knobs", json={"page_size": 0})).status_code == 422
    assert (await erp.patch("/_admin/knobs", json={"page_size": 5})).json()["page_size"] == 5
    token = await fetch_token(erp)
    created = await erp.post(f"{SO}/A_SalesOrder", json=order(world), headers={"X-CSRF-Token": token})
    number = created.json()["d"]["SalesOrder"]
    assert (await erp.post("/_admin/reset")).status_code == 200
    assert (await erp.get(f"{SO}/A_SalesOrder('{number}')")).status_code == 404
    assert (
        await erp.post(f"{SO}/A_SalesOrder", json=order(world), headers={"X-CSRF-Token": token})
    ).status_code == 403
    again = await erp.post(
        f"{SO}/A_SalesOrder", json=order(world), headers={"X-CSRF-Token": await fetch_token(erp)}
    )
    assert again.json()["d"]["SalesOrder"] == number
    assert len((await erp.get(f"{SO}/A_SalesOrder")).json()["d"]["results"]) == 5


async def test_a_connector_style_session_works_over_real_http(
    make_app: Callable[..., Starlette], world: World
) -> None:
    async with (
        serving(make_app("erp", access_token="pw")) as base,
        httpx.AsyncClient(
            base_url=base, auth=("RFC_USER", "pw"), headers={"Accept": "application/json"}
        ) as client,
    ):
        token = await fetch_token(client)
        created = await client.post(f"{SO}/A_SalesOrder", json=order(world), headers={"X-CSRF-Token": token})
        assert created.status_code == 201
        location = created.headers["location"]
        assert location.startswith(base)
        read = await client.get(location)
        assert read.json()["d"]["SalesOrder"] == created.json()["d"]["SalesOrder"]
