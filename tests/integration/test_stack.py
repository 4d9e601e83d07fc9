"""`retail-gateway stack` (what `make run` starts): real processes, real HTTP, clean stop on Ctrl-C."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator

import httpx
import pytest

from gateway.launcher import SANDBOX_PORTS, SUBGRAPH_PORTS
from sandbox.world import build_world
from tests._stack import ALL_PORTS, RunningStack, port_is_free, running_stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


def test_the_stack_prints_the_url_of_every_part(stack: RunningStack) -> None:
    printed = "".join(stack.output)
    for system in SANDBOX_PORTS:
        assert stack.url(system) in printed
    for name in SUBGRAPH_PORTS:
        assert stack.subgraph_url(name) in printed
    assert stack.gateway_url in printed


def test_the_erp_answers_a_material_stock_query(stack: RunningStack) -> None:
    sku = next(build_world().variants).sku
    response = httpx.get(
        stack.url("erp") + "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod",
        params={"$filter": f"Material eq '{sku}'", "$format": "json"},
    )
    assert response.status_code == 200
    rows = response.json()["d"]["results"]
    assert rows
    assert {row["Material"] for row in rows} == {sku}


def test_the_pos_answers_an_inventory_batch_retrieve(stack: RunningStack) -> None:
    world = build_world()
    sku = next(world.variants)
    store = next(loc for loc in world.locations if loc.square_location_id)
    response = httpx.post(
        stack.url("pos") + "/v2/inventory/counts/batch-retrieve",
        json={"catalog_object_ids": [sku.square_variation_id], "location_ids": [store.square_location_id]},
        headers={"Authorization": "Bearer sandbox", "Square-Version": "2025-01-23"},
    )
    assert response.status_code == 200
    for count in response.json().get("counts", []):
        assert count["catalog_object_id"] == sku.square_variation_id
        assert isinstance(count["quantity"], str)


def test_shopify_answers_an_inventory_query_with_its_cost(stack: RunningStack) -> None:
    query = """
      query ($sku: String!) {
        inventoryItems(first: 1, query: $sku) {
          nodes {
            sku
            inventoryLevels(first: 5) {
              nodes { location { name } quantities(names: ["available", "on_hand"]) { name quantity } }
            }
          }
        }
      }
    """
    sku = next(build_world().variants).sku
    response = httpx.post(
        stack.url("shopify") + "/admin/api/2025-01/graphql.json",
        json={"query": query, "variables": {"sku": f"sku:{sku}"}},
        headers={"X-Shopify-Access-Token": "shpat_sandbox"},
    )
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    assert body["data"]["inventoryItems"]["nodes"][0]["sku"] == sku
    assert body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] > 0


def test_the_oms_answers_an_order_by_id(stack: RunningStack) -> None:
    order = next(o for o in build_world().orders if o.in_oms)
    response = httpx.get(stack.url("oms") + f"/rest/s1/oms/orders/{order.id}")
    assert response.status_code == 200
    assert response.json()["orderId"] == order.id


def test_ctrl_c_stops_every_process_of_the_stack(stack: RunningStack) -> None:
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(30) == 0
    deadline = time.monotonic() + 10
    while not all(port_is_free(port + stack.offset) for port in ALL_PORTS):
        assert time.monotonic() < deadline, "a process is still listening after the stack stopped"
        time.sleep(0.1)
