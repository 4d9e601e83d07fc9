"""``$batch`` on the ERP: retrieval parts, changesets that succeed or roll back, malformed envelopes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.world import World

SO = "/sap/opu/odata/sap/API_SALES_ORDER_SRV"


@pytest.fixture
def erp(client_for: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    client = client_for("erp")
    client.headers["Accept"] = "application/json"
    return client


def http_part(
    method: str, url: str, body: dict[str, Any] | None = None, content_id: str | None = None
) -> str:
    head = "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
    if content_id:
        head += f"Content-ID: {content_id}\r\n"
    request = f"{method} {url} HTTP/1.1\r\nAccept: application/json\r\n"
    if body is not None:
        return f"{head}\r\n{request}Content-Type: application/json\r\n\r\n{json.dumps(body)}\r\n"
    return f"{head}\r\n{request}\r\n"


def changeset(parts: list[str], boundary: str = "changeset_1") -> str:
    inner = "".join(f"--{boundary}\r\n{p}" for p in parts) + f"--{boundary}--\r\n"
    return f"Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n{inner}"


def batch(parts: list[str], boundary: str = "batch_1") -> str:
    return "".join(f"--{boundary}\r\n{p}" for p in parts) + f"--{boundary}--\r\n"


def responses(response: httpx.Response) -> list[tuple[int, str]]:
    """(status, body) of every inner response, changesets flattened, in order."""
    out = []
    for block in response.text.split("HTTP/1.1 ")[1:]:
        status = int(block[:3])
        body = block.split("\r\n\r\n", 1)[1].split("\r\n--", 1)[0]
        out.append((status, body))
    return out


async def post_batch(erp: httpx.AsyncClient, parts: list[str]) -> httpx.Response:
    token = (await erp.get(f"{SO}/", headers={"X-CSRF-Token": "Fetch"})).headers["x-csrf-token"]
    headers = {"X-CSRF-Token": token, "Content-Type": "multipart/mixed; boundary=batch_1"}
    return await erp.post(f"{SO}/$batch", content=batch(parts), headers=headers)


def new_order(world: World) -> dict[str, Any]:
    return {
        "SalesOrderType": "OR",
        "SalesOrganization": "1000",
        "DistributionChannel": "30",
        "OrganizationDivision": "00",
        "SoldToParty": "ONETIME",
        "PurchaseOrderByCustomer": "R-BATCH",
        "to_Item": [{"Material": s, "RequestedQuantity": "1"} for s in sorted(world.variants_by_sku)[:2]],
    }


async def test_retrieval_parts_are_answered_in_order_with_their_content_ids(
    erp: httpx.AsyncClient, world: World
) -> None:
    numbers = [o.erp_sales_order for o in world.orders if o.erp_sales_order][:2]
    response = await post_batch(
        erp,
        [
            http_part("GET", f"A_SalesOrder('{numbers[0]}')", content_id="first"),
            http_part("GET", f"{SO}/A_SalesOrder('{numbers[1]}')/to_Item"),
            http_part("GET", "A_SalesOrder('0')"),
        ],
    )
    assert response.status_code == 202
    assert response.headers["content-type"].startswith("multipart/mixed; boundary=batchresponse_")
    answers = responses(response)
    assert [status for status, _ in answers] == [200, 200, 404]
    assert json.loads(answers[0][1])["d"]["SalesOrder"] == numbers[0]
    assert json.loads(answers[1][1])["d"]["results"][0]["SalesOrder"] == numbers[1]
    assert "Content-ID: first" in response.text


async def test_a_changeset_creates_and_cancels_atomically(erp: httpx.AsyncClient, world: World) -> None:
    response = await post_batch(erp, [changeset([http_part("POST", "A_SalesOrder", new_order(world))])])
    [(status, body)] = responses(response)
    assert status == 201
    number = json.loads(body)["d"]["SalesOrder"]
    items = [f"A_SalesOrderItem(SalesOrder='{number}',SalesOrderItem='{i}')" for i in ("10", "20")]
    reject = {"SalesDocumentRjcnReason": "10"}
    response = await post_batch(erp, [changeset([http_part("PATCH", i, reject) for i in items])])
    assert [s for s, _ in responses(response)] == [204, 204]
    header = (await erp.get(f"{SO}/A_SalesOrder('{number}')")).json()["d"]
    assert header["OverallSDDocumentRejectionSts"] == "C"


async def test_a_failing_changeset_rolls_back_its_earlier_requests(
    erp: httpx.AsyncClient, world: World
) -> None:
    response = await post_batch(erp, [changeset([http_part("POST", "A_SalesOrder", new_order(world))])])
    number = json.loads(responses(response)[0][1])["d"]["SalesOrder"]
    item = f"A_SalesOrderItem(SalesOrder='{number}',SalesOrderItem='10')"
    created_again = http_part("POST", "A_SalesOrder", new_order(world))
    response = await post_batch(
        erp,
        [
            changeset(
                [
                    http_part("PATCH", item, {"SalesDocumentRjcnReason": "10"}),
                    created_again,
                    http_part("PATCH", item, {"SalesDocumentRjcnReason": "??"}),
                ]
            ),
            http_part("GET", f"A_SalesOrder('{number}')/to_Item"),
        ],
    )
    answers = responses(response)
    assert [s for s, _ in answers] == [400, 200]
    assert json.loads(answers[0][1])["error"]["code"] == "V1/766"
    assert json.loads(answers[1][1])["d"]["results"][0]["SalesDocumentRjcnReason"] == ""
    found = await erp.get(f"{SO}/A_SalesOrder", params={"$filter": "PurchaseOrderByCustomer eq 'R-BATCH'"})
    assert len(found.json()["d"]["results"]) == 1


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("application/json", "{}", "multipart/mixed"),
        ("multipart/mixed", "--x\r\n", "no boundary"),
        ("multipart/mixed; boundary=batch_1", "no delimiters here", "not found"),
        ("multipart/mixed; boundary=batch_1", "--batch_1\r\n" + http_part("GET", "A_SalesOrder"), "closing"),
        (
            "multipart/mixed; boundary=batch_1",
            batch(["Content-Type: application/http\r\n\r\nGARBAGE\r\n"]),
            "request line",
        ),
        ("multipart/mixed; boundary=batch_1", batch([http_part("POST", "A_SalesOrder", {})]), "changeset"),
        (
            "multipart/mixed; boundary=batch_1",
            batch(["Content-Type: text/plain\r\n\r\nhi\r\n"]),
            "application/http",
        ),
        (
            "multipart/mixed; boundary=batch_1",
            batch([http_part("GET", "/sap/opu/odata/sap/OTHER/X")]),
            "outside",
        ),
    ],
)
async def test_a_malformed_batch_is_one_400(
    erp: httpx.AsyncClient, content_type: str, body: str, message: str
) -> None:
    token = (await erp.get(f"{SO}/", headers={"X-CSRF-Token": "Fetch"})).headers["x-csrf-token"]
    response = await erp.post(
        f"{SO}/$batch", content=body, headers={"X-CSRF-Token": token, "Content-Type": content_type}
    )
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]["value"]


async def test_a_get_inside_a_changeset_fails_that_changeset(erp: httpx.AsyncClient) -> None:
    response = await post_batch(erp, [changeset([http_part("GET", "A_SalesOrder?$top=1")])])
    assert [s for s, _ in responses(response)] == [400]


async def test_batch_needs_post_and_a_csrf_token(erp: httpx.AsyncClient) -> None:
    assert (await erp.get(f"{SO}/$batch")).status_code == 405
    refused = await erp.post(
        f"{SO}/$batch", content=batch([]), headers={"Content-Type": "multipart/mixed; boundary=batch_1"}
    )
    assert refused.status_code == 403
