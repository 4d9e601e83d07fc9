"""Reading the ERP over HTTP: collections, single entities, system query options, paging, metadata."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from sandbox.cli import create_app
from sandbox.erp.odata import reads
from sandbox.settings import SandboxSettings
from sandbox.world import World

ROOT = "/sap/opu/odata/sap"
SO = f"{ROOT}/API_SALES_ORDER_SRV"
PARTNERS = f"{ROOT}/API_BUSINESS_PARTNER"


@pytest.fixture(scope="module")
def erp_app(world: World) -> Starlette:
    """One app for the module: these tests only read."""
    return create_app("erp", SandboxSettings(), world=world)


@pytest.fixture
async def erp(erp_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=erp_app)
    headers = {"Accept": "application/json"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=headers) as client:
        yield client


def posted(world: World) -> list[str]:
    return [o.erp_sales_order for o in world.orders if o.erp_sales_order]


async def test_a_sales_order_reads_by_key_with_metadata_etag_and_wire_formats(
    erp: httpx.AsyncClient, world: World
) -> None:
    number = posted(world)[0]
    response = await erp.get(f"{SO}/A_SalesOrder('{number}')")
    assert response.status_code == 200
    entity = response.json()["d"]
    uri = f"http://sandbox{SO}/A_SalesOrder('{number}')"
    assert entity["__metadata"]["uri"] == uri
    assert entity["__metadata"]["id"] == uri
    assert entity["__metadata"]["type"] == "API_SALES_ORDER_SRV.A_SalesOrderType"
    assert entity["__metadata"]["etag"] == response.headers["etag"]
    assert entity["__metadata"]["etag"].startswith("W/\"datetime'")
    assert entity["SalesOrder"] == number
    assert entity["CreationDate"].startswith("/Date(")
    assert entity["CreationDate"].endswith(")/")
    assert entity["LastChangeDateTime"].endswith("+0000)/")
    assert isinstance(entity["TotalNetAmount"], str)
    assert "." in entity["TotalNetAmount"]
    assert entity["to_Item"] == {"__deferred": {"uri": f"{uri}/to_Item"}}


async def test_an_or_chain_of_purchase_orders_finds_each_posted_order(
    erp: httpx.AsyncClient, world: World
) -> None:
    wanted = [o for o in world.orders if o.erp_sales_order][:25]
    expression = " or ".join(f"PurchaseOrderByCustomer eq '{o.number}'" for o in wanted)
    response = await erp.get(
        f"{SO}/A_SalesOrder", params={"$filter": expression, "$select": "SalesOrder,PurchaseOrderByCustomer"}
    )
    results = response.json()["d"]["results"]
    assert {(r["SalesOrder"], r["PurchaseOrderByCustomer"]) for r in results} == {
        (o.erp_sales_order, o.number) for o in wanted
    }
    assert set(results[0]) == {"__metadata", "SalesOrder", "PurchaseOrderByCustomer"}


async def test_an_unposted_order_number_gives_an_empty_result(erp: httpx.AsyncClient, world: World) -> None:
    unposted = next(o for o in world.orders if not o.erp_posted)
    response = await erp.get(
        f"{SO}/A_SalesOrder", params={"$filter": f"PurchaseOrderByCustomer eq '{unposted.number}'"}
    )
    assert response.status_code == 200
    assert response.json() == {"d": {"results": []}}


async def test_select_and_expand_reach_into_items(erp: httpx.AsyncClient, world: World) -> None:
    order = next(o for o in world.orders if o.erp_sales_order and len(o.lines) > 1)
    response = await erp.get(
        f"{SO}/A_SalesOrder('{order.erp_sales_order}')",
        params={"$select": "SalesOrder,to_Item/Material,to_Item/RequestedQuantity", "$expand": "to_Item"},
    )
    entity = response.json()["d"]
    assert set(entity) == {"__metadata", "SalesOrder", "to_Item"}
    items = entity["to_Item"]["results"]
    assert [(i["Material"], i["RequestedQuantity"]) for i in items] == [
        (line.sku, f"{line.quantity}.000") for line in order.lines
    ]
    assert set(items[0]) == {"__metadata", "Material", "RequestedQuantity"}


async def test_nested_expand_follows_two_navigation_levels(erp: httpx.AsyncClient, world: World) -> None:
    customer = next(c for c in world.customers if c.erp_business_partner and c.phone)
    response = await erp.get(
        f"{PARTNERS}/A_BusinessPartner('{customer.erp_business_partner}')",
        params={
            "$expand": ",".join(
                (
                    "to_BusinessPartnerAddress/to_EmailAddress",
                    "to_BusinessPartnerAddress/to_PhoneNumber",
                    "to_Customer",
                )
            )
        },
    )
    entity = response.json()["d"]
    address = entity["to_BusinessPartnerAddress"]["results"][0]
    assert address["to_EmailAddress"]["results"][0]["EmailAddress"] == customer.email
    assert address["to_PhoneNumber"]["results"][0]["InternationalPhoneNumber"] == customer.phone
    assert entity["to_Customer"]["Customer"] == customer.erp_business_partner


async def test_orderby_top_skip_and_inlinecount_window_a_collection(
    erp: httpx.AsyncClient, world: World
) -> None:
    numbers = sorted(posted(world), reverse=True)
    response = await erp.get(
        f"{SO}/A_SalesOrder",
        params={
            "$orderby": "SalesOrder desc",
            "$top": "3",
            "$skip": "2",
            "$inlinecount": "allpages",
            "$select": "SalesOrder",
        },
    )
    body = response.json()["d"]
    assert body["__count"] == str(len(numbers))
    assert [r["SalesOrder"] for r in body["results"]] == numbers[2:5]
    assert "__next" not in body


async def test_server_driven_paging_hands_out_every_row_once(
    make_app: Callable[..., Starlette], world: World
) -> None:
    app = make_app("erp", knobs={"page_size": 400})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        url: str | None = f"{SO}/A_SalesOrder?$select=SalesOrder&$format=json&$inlinecount=allpages"
        seen: list[str] = []
        pages = 0
        while url:
            body = (await client.get(url)).json()["d"]
            assert body["__count"] == str(len(posted(world)))
            assert len(body["results"]) <= 400
            seen.extend(r["SalesOrder"] for r in body["results"])
            url = body.get("__next")
            if url:
                assert urlsplit(url).scheme == "http"
                assert "$skiptoken=" in url
            pages += 1
    assert seen == posted(world)
    assert pages == -(-len(seen) // 400)


async def test_top_beyond_a_page_continues_with_next_and_stops_at_top(
    make_app: Callable[..., Starlette],
) -> None:
    app = make_app("erp", knobs={"page_size": 10})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        first = (await client.get(f"{SO}/A_SalesOrder?$top=15&$format=json")).json()["d"]
        assert len(first["results"]) == 10
        second = (await client.get(first["__next"])).json()["d"]
    assert len(second["results"]) == 5
    assert "__next" not in second


async def test_count_and_property_access_answer_raw_values(erp: httpx.AsyncClient, world: World) -> None:
    count = await erp.get(f"{SO}/A_SalesOrder/$count")
    assert count.status_code == 200
    assert count.text == str(len(posted(world)))
    assert count.headers["content-type"].startswith("text/plain")
    order = next(o for o in world.orders if o.erp_sales_order)
    items = await erp.get(f"{SO}/A_SalesOrder('{order.erp_sales_order}')/to_Item/$count")
    assert items.text == str(len(order.lines))
    prop = await erp.get(f"{SO}/A_SalesOrder('{order.erp_sales_order}')/PurchaseOrderByCustomer")
    assert prop.json() == {"d": {"PurchaseOrderByCustomer": order.number}}


async def test_navigation_segments_read_to_many_and_to_one(erp: httpx.AsyncClient, world: World) -> None:
    order = next(o for o in world.orders if o.erp_sales_order)
    items = (await erp.get(f"{SO}/A_SalesOrder('{order.erp_sales_order}')/to_Item")).json()["d"]["results"]
    assert [i["SalesOrderItem"] for i in items] == [str(line.line_no * 10) for line in order.lines]
    item_url = (
        f"{SO}/A_SalesOrderItem(SalesOrder='{order.erp_sales_order}',SalesOrderItem='10')/to_SalesOrder"
    )
    header = (await erp.get(item_url)).json()["d"]
    assert header["PurchaseOrderByCustomer"] == order.number


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        (f"{SO}/A_SalesOrder('9999999')", 404, "/IWBEP/CM_MGW_RT/020"),
        (f"{SO}/A_Nothing", 404, "/IWBEP/CM_MGW_RT/021"),
        (f"{SO}/A_SalesOrder('1')/to_Nowhere", 404, "/IWBEP/CM_MGW_RT/020"),
        (f"{ROOT}/API_NOPE_SRV/A_SalesOrder", 404, "/IWFND/MED/170"),
        (f"{SO}/A_SalesOrder(1000002)", 400, "/IWBEP/CM_MGW_RT/004"),
        (f"{SO}/A_SalesOrder?$filter=SalesOrder eq", 400, "/IWBEP/CM_MGW_RT/005"),
        (f"{SO}/A_SalesOrder?$filter=SalesOrder eq 5", 400, "/IWBEP/CM_MGW_RT/005"),
        (f"{SO}/A_SalesOrder?$frobnicate=1", 400, "/IWBEP/CM_MGW_RT/006"),
        (f"{SO}/A_SalesOrder?$top=ten", 400, "/IWBEP/CM_MGW_RT/006"),
        (f"{SO}/A_SalesOrder?$orderby=Nope", 400, "/IWBEP/CM_MGW_RT/006"),
        (f"{SO}/A_SalesOrder?$expand=to_Nope", 400, "/IWBEP/CM_MGW_RT/006"),
        (f"{SO}/A_SalesOrder?$select=to_Item/Material", 400, "/IWBEP/CM_MGW_RT/006"),
        (f"{SO}/A_SalesOrder?$format=csv", 400, "/IWBEP/CM_MGW_RT/006"),
        (f"{SO}/A_SalesOrder('1000002')?$top=1", 400, "/IWBEP/CM_MGW_RT/006"),
        (f"{SO}/A_SalesOrder?$format=xml", 406, "/IWBEP/CM_MGW_RT/030"),
    ],
)
async def test_bad_reads_answer_the_odata_error_envelope(
    erp: httpx.AsyncClient, path: str, status: int, code: str
) -> None:
    response = await erp.get(path)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]["lang"] == "en"
    assert error["message"]["value"]
    inner = error["innererror"]
    assert inner["application"]["service_namespace"] == "/SAP/"
    assert inner["application"]["service_version"] == "0001"
    assert len(inner["transactionid"]) == 32
    assert inner["timestamp"][:8].isdigit()
    assert inner["errordetails"][0]["code"] == code


async def test_reads_need_json_asked_for_and_ignore_custom_options(
    client_for: Callable[..., httpx.AsyncClient],
) -> None:
    client = client_for("erp")
    assert (await client.get(f"{SO}/A_SalesOrder?$top=1")).status_code == 406
    assert (await client.get(f"{SO}/A_SalesOrder?$top=1&$format=json&sap-client=100")).status_code == 200
    lower = await client.get(
        f"{ROOT}/api_sales_order_srv/A_SalesOrder?$top=1", headers={"Accept": "application/json"}
    )
    assert lower.status_code == 200


async def test_the_service_document_and_metadata_describe_every_entity_set(erp: httpx.AsyncClient) -> None:
    document = (await erp.get(f"{SO}/")).json()
    assert document == {"d": {"EntitySets": ["A_SalesOrder", "A_SalesOrderItem"]}}
    metadata = await erp.get(f"{SO}/$metadata")
    assert metadata.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(metadata.text)
    edm = "{http://schemas.microsoft.com/ado/2008/09/edm}"
    types = {t.get("Name"): t for t in root.iter(f"{edm}EntityType")}
    assert set(types) == {"A_SalesOrderType", "A_SalesOrderItemType"}
    props = {p.get("Name"): p for p in types["A_SalesOrderType"].iter(f"{edm}Property")}
    assert props["LastChangeDateTime"].get("ConcurrencyMode") == "Fixed"
    assert props["TotalNetAmount"].get("Type") == "Edm.Decimal"
    assert [a.get("Name") for a in root.iter(f"{edm}AssociationSet")] == [
        "assoc_A_SalesOrderType_to_Item",
        "assoc_A_SalesOrderItemType_to_SalesOrder",
    ]


async def test_methods_an_entity_set_does_not_support_are_405(erp: httpx.AsyncClient, world: World) -> None:
    order = posted(world)[0]
    token = (await erp.get(f"{SO}/", headers={"X-CSRF-Token": "Fetch"})).headers["x-csrf-token"]
    headers = {"X-CSRF-Token": token, "If-Match": "*"}
    deleted = await erp.delete(f"{SO}/A_SalesOrder('{order}')", headers=headers)
    assert deleted.status_code == 405
    assert deleted.json()["error"]["code"] == "/IWBEP/CM_MGW_RT/018"
    created = await erp.post(f"{ROOT}/API_PRODUCT_SRV/A_Product", json={"Product": "X"}, headers=headers)
    assert created.status_code == 405
    on_count = await erp.post(f"{SO}/A_SalesOrder/$count", json={}, headers=headers)
    assert on_count.status_code == 405


async def test_sorting_more_entities_than_the_limit_asks_for_a_narrower_filter(
    erp: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reads, "MAX_SORTED", 10)
    refused = await erp.get(f"{SO}/A_SalesOrder", params={"$orderby": "TotalNetAmount desc"})
    assert refused.status_code == 400
    assert "narrow the $filter" in refused.json()["error"]["message"]["value"]
    narrowed = await erp.get(
        f"{SO}/A_SalesOrder", params={"$orderby": "TotalNetAmount desc", "$filter": "SalesOrder le '1000010'"}
    )
    amounts = [float(r["TotalNetAmount"]) for r in narrowed.json()["d"]["results"]]
    assert amounts == sorted(amounts, reverse=True)
    assert 0 < len(amounts) <= 10
