"""``python -m subgraphs.orders.worker`` as a process of its own, killed with SIGKILL mid-posting."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
from pathlib import Path

import pytest

from sandbox.world import World
from storage import open_storage
from subgraphs.common.outbox import OutboxPolicy, dead_letters_by_key
from subgraphs.common.systems import open_systems
from subgraphs.orders import create_app
from subgraphs.orders.posting import ERP_POSTINGS, encode_draft, erp_worker, posting_key
from subgraphs.orders.worker import main
from tests._servers import serving
from tests.subgraphs.conftest import GraphQLClient, Sandboxes
from tests.subgraphs.orders._helpers import Books, eventually, ship_input, shippable_skus, submit
from tests.subgraphs.orders.test_parts import DRAFT

ROOT = Path(__file__).resolve().parents[3]
ORDERS = 12


def _sales_order_posts(sandboxes: Sandboxes) -> int:
    routes = sandboxes.apps["erp"].state.runtime.stats.by_route
    return sum(n for key, n in routes.items() if key.startswith("POST ") and key.endswith("/A_SalesOrder"))


@pytest.mark.slow
async def test_a_worker_killed_mid_posting_loses_nothing_and_duplicates_nothing(
    sandboxes: Sandboxes, world: World, books: Books, tmp_path: Path
) -> None:
    storage = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    settings = sandboxes.settings.model_copy(update={"storage_url": storage, "run_outbox_worker": False})
    async with serving(create_app(settings)) as url, GraphQLClient(base_url=url, timeout=60) as client:
        skus = shippable_skus(world, at_least=5, count=ORDERS)
        payloads = [
            await submit(client, ship_input([sku], channel="CALL_CENTER"), f"kill-{sku}") for sku in skus
        ]
    numbers = [p["order"]["number"] for p in payloads]

    sandboxes.apps["erp"].state.runtime.knobs.latency_ms = 300  # every posting takes a while
    env = {
        **os.environ,
        "RETAIL_SUBGRAPH_STORAGE_URL": storage,
        **{f"RETAIL_SUBGRAPH_{name.upper()}__BASE_URL": base for name, base in sandboxes.urls.items()},
    }
    with (tmp_path / "worker.log").open("wb") as log:
        command = ["-m", "subgraphs.orders.worker", "--batch", "4", "--lease", "4", "--takeover", "1"]
        process = await asyncio.create_subprocess_exec(
            sys.executable, *command, cwd=ROOT, env=env, stdout=log, stderr=log
        )
        try:

            async def posting_under_way() -> bool:
                return _sales_order_posts(sandboxes) >= 2

            await eventually(posting_under_way, within=60, every=0.02)
        finally:
            process.kill()
            await process.wait()
    posted_before = sum(books.erp_orders(n) for n in numbers)
    assert posted_before < ORDERS, "the worker finished before it could be killed"

    sandboxes.apps["erp"].state.runtime.knobs.latency_ms = 0
    policy = OutboxPolicy(takeover_s=1.0, lease_s=4.0, block_s=0.1, backoff_base_s=0.2, backoff_max_s=1.0)
    async with open_systems(settings) as systems:
        task = asyncio.create_task(erp_worker(systems, policy).run())
        try:

            async def all_posted() -> bool:
                return all(books.erp_orders(n) >= 1 for n in numbers)

            await eventually(all_posted, within=60)
            await asyncio.sleep(1.0)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    assert [books.erp_orders(n) for n in numbers] == [1] * ORDERS


def test_the_worker_command_queues_dead_lettered_postings_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage_url = f"sqlite:///{tmp_path / 'state.sqlite3'}"

    async def park() -> None:
        storage = await open_storage(storage_url)
        try:
            for number in ("R200000001", "R200000002"):
                await storage.stream.append(
                    ERP_POSTINGS, encode_draft(dataclasses.replace(DRAFT, number=number))
                )
            for entry in await storage.stream.read(ERP_POSTINGS, "erp", "operator", 10):
                await storage.stream.dead_letter(ERP_POSTINGS, "erp", entry.id, "refused")
        finally:
            await storage.close()

    async def parked() -> list[str]:
        storage = await open_storage(storage_url)
        try:
            return sorted(await dead_letters_by_key(storage.stream, ERP_POSTINGS, posting_key))
        finally:
            await storage.close()

    asyncio.run(park())
    assert asyncio.run(parked()) == ["R200000001", "R200000002"]
    assert main(["--storage-url", storage_url, "--replay-dead-letters", "--number", "R200000001"]) == 0
    assert "queued 1 dead-lettered posting(s) again" in capsys.readouterr().out
    assert asyncio.run(parked()) == ["R200000002"]
