"""The retail scenario of the benchmark (bench/retail/): its pieces, and a few-second smoke of the whole run.

As for the harness's own smoke: nothing here asserts a timing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.report import markdown, write
from bench.retail.load import right_answer
from bench.retail.spans import Call, chain
from bench.retail.workload import OPERATIONS_DIR, RETURN, SUBMIT, build_workload
from bench.runner import RunConfig, run


def _call(start_ms: float, end_ms: float, system: str = "oms") -> Call:
    return Call(system, "stock", int(start_ms * 1e6), int(end_ms * 1e6), "inventory")


def test_a_chain_is_the_longest_run_of_calls_each_started_after_the_previous_ended() -> None:
    # catalog's Shopify call, then two concurrent ones, then one after the slower of them
    calls = [
        _call(0, 20, "shopify"),
        _call(21, 41),
        _call(21.5, 45, "pos"),
        _call(46, 66, "erp"),
    ]
    found = chain(calls)
    assert found.depth == 3
    assert found.calls == 4
    assert found.by_system == {"shopify": 1, "oms": 1, "pos": 1, "erp": 1}
    assert found.chain_ms == pytest.approx(20 + 23.5 + 20)
    assert chain([]).depth == 0


def test_the_workload_covers_every_app_operation_but_the_reservation() -> None:
    from sandbox.world import EPOCH, build_world

    workload = build_workload(build_world(42, "small"), sets=3, now=EPOCH)
    documents = {f"{p.parent.name}/{p.stem}" for p in OPERATIONS_DIR.glob("*/*.graphql")}
    assert set(workload.operations) == documents - {"clienteling/ReserveForPickup"}
    assert {r.operation for r in workload.submits} == {SUBMIT}
    assert workload.returns, "orders fulfilled within the return window"
    assert {r.operation for r in workload.dry_run_writes} == {SUBMIT, RETURN}
    assert not {r.body for r in workload.returns} & {r.body for r in workload.dry_run_writes}
    for request in workload.reads:
        assert json.loads(request.body)["variables"] is not None


def test_an_answer_is_right_without_errors_null_roots_or_user_errors() -> None:
    assert right_answer(200, b'{"data": {"product": {"id": "P1"}}}', "read")
    assert not right_answer(200, b'{"data": {"product": null}}', "read")
    assert not right_answer(200, b'{"data": {"product": {"id": "P1"}}, "errors": [{}]}', "read")
    assert not right_answer(500, b'{"data": {"product": {"id": "P1"}}}', "read")
    placed = b'{"data": {"submitOrder": {"order": {"id": "R1"}, "userErrors": []}}}'
    refused = b'{"data": {"submitOrder": {"order": null, "userErrors": [{"code": "OUT_OF_STOCK"}]}}}'
    assert right_answer(200, placed, "submit")
    assert not right_answer(200, refused, "submit")


@pytest.mark.slow
def test_a_short_retail_run_measures_every_operation_end_to_end(tmp_path: Path) -> None:
    config = RunConfig(
        scenario="retail",
        vus=3,
        duration="3s",
        warmup="1s",
        retail_sets=1,
        plot=False,
        out_dir=tmp_path,
    )
    report = run(config)

    retail = report.retail
    assert "failed" not in retail, retail
    assert retail["errors"] == 0
    assert retail["exited"] == []
    assert retail["overall"]["requests"] > 0
    assert retail["paced"]["overall"]["requests"] > 0  # each user pausing about a second: a few each
    assert set(retail["operations"]) >= {"storefront/ProductDetail", "cs-portal/OrderByNumber"}
    first_asks = {name: op["first_ask"] for name, op in retail["operations"].items()}
    assert first_asks["storefront/ProductDetail"]["calls_max"] > 0, "the spans were matched to requests"
    fresh = retail["availability_50x30"]["fresh_skus"]
    assert fresh["ok"]
    assert sum(fresh["sandbox_requests"].values()) > 0
    assert fresh["span_calls"], "the check's own spans"
    assert report.errors == 0
    path = write(report, tmp_path, None)
    assert path.name == "retail.md"
    text = path.read_text()
    assert "## Retail scenario" in text
    assert "| **all** |" in text
    assert "Targets of issue 6" in text
    assert "### Paced: 3 virtual users" in text
    assert json.loads((tmp_path / "retail.json").read_text())["retail"]["overall"]["requests"] > 0
    assert markdown(report, None).startswith("# Benchmark: retail scenario")
