"""`retail-gateway stack` (what `make run` starts): real processes, real HTTP, clean stop on Ctrl-C."""

from __future__ import annotations

import contextlib
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.launcher import SANDBOX_PORTS
from sandbox.world import build_world

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent


def _port_is_free(port: int) -> bool:
    """No process listens on ``port`` (connections lingering in TIME_WAIT do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _free_offset() -> int:
    for _ in range(50):
        offset = random.randrange(20_000, 50_000, 10)
        if all(_port_is_free(port + offset) for port in SANDBOX_PORTS.values()):
            return offset
    raise RuntimeError("no free block of ports")


class _Stack:
    def __init__(self, process: subprocess.Popen[str], offset: int) -> None:
        self.process = process
        self.offset = offset
        self.output: list[str] = []

    def url(self, system: str) -> str:
        return f"http://127.0.0.1:{SANDBOX_PORTS[system] + self.offset}"


@pytest.fixture(scope="module")
def stack() -> Iterator[_Stack]:
    offset = _free_offset()
    process = subprocess.Popen(
        [str(BIN / "retail-gateway"), "stack", "--port-offset", str(offset)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = _Stack(process, offset)
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            running.output.append(line)
            if "Press Ctrl-C" in line:
                ready.set()

    pumper = threading.Thread(target=pump, daemon=True)
    pumper.start()
    try:
        if not ready.wait(90):
            raise AssertionError("the stack did not come up:\n" + "".join(running.output))
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(20)
        if process.poll() is None:
            process.kill()
            process.wait()
        pumper.join(10)
        if process.stdout is not None:
            process.stdout.close()


def test_the_stack_prints_the_url_of_every_sandbox_system(stack: _Stack) -> None:
    printed = "".join(stack.output)
    for system in SANDBOX_PORTS:
        assert stack.url(system) in printed


def test_the_erp_answers_a_material_stock_query(stack: _Stack) -> None:
    sku = next(build_world().variants).sku
    response = httpx.get(
        stack.url("erp") + "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod",
        params={"$filter": f"Material eq '{sku}'", "$format": "json"},
    )
    assert response.status_code == 200
    rows = response.json()["d"]["results"]
    assert rows
    assert {row["Material"] for row in rows} == {sku}


def test_the_pos_answers_an_inventory_batch_retrieve(stack: _Stack) -> None:
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


def test_shopify_answers_an_inventory_query_with_its_cost(stack: _Stack) -> None:
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


def test_the_oms_answers_an_order_by_id(stack: _Stack) -> None:
    order = next(o for o in build_world().orders if o.in_oms)
    response = httpx.get(stack.url("oms") + f"/rest/s1/oms/orders/{order.id}")
    assert response.status_code == 200
    assert response.json()["orderId"] == order.id


def test_ctrl_c_stops_every_process_of_the_stack(stack: _Stack) -> None:
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(30) == 0
    deadline = time.monotonic() + 10
    while not all(_port_is_free(port + stack.offset) for port in SANDBOX_PORTS.values()):
        assert time.monotonic() < deadline, "a sandbox process is still listening after the stack stopped"
        time.sleep(0.1)
