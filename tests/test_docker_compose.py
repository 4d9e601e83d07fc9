"""What can be checked of docker-compose.yml without a Docker engine."""

from __future__ import annotations

import importlib
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.launcher import GATEWAY_PORT, SANDBOX_PORTS, SUBGRAPH_PORTS

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def _scripts() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    scripts: dict[str, str] = project["scripts"]
    return scripts


def _app_services() -> list[tuple[str, dict[str, Any]]]:
    return [(name, svc) for name, svc in _compose()["services"].items() if "build" in svc]


def test_the_compose_file_is_valid_yaml_with_services() -> None:
    services = _compose()["services"]
    assert "redis" in services
    assert {f"sandbox-{name}" for name in SANDBOX_PORTS} <= set(services)
    assert {f"subgraph-{name}" for name in SUBGRAPH_PORTS} <= set(services)
    assert "gateway" in services


@pytest.mark.parametrize(("name", "service"), _app_services())
def test_every_service_command_is_a_cli_entry_point_that_accepts_its_arguments(
    name: str, service: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    command = service["command"]
    scripts = _scripts()
    assert command[0] in scripts, f"{name}: {command[0]} is not in [project.scripts]"
    module_name, _, func_name = scripts[command[0]].partition(":")
    main = getattr(importlib.import_module(module_name), func_name)
    # The subcommand and its flags must parse: ask for help after them.
    with pytest.raises(SystemExit) as exit_info:
        main([*command[1:2], "--help"])
    assert exit_info.value.code == 0
    assert "usage" in capsys.readouterr().out


@pytest.mark.parametrize(("name", "service"), _app_services())
def test_every_service_publishes_its_default_port_on_loopback_and_has_a_health_check(
    name: str, service: dict[str, Any]
) -> None:
    command = service["command"]
    port = int(command[command.index("--port") + 1])
    if name.startswith("sandbox-"):
        assert port == SANDBOX_PORTS[name.removeprefix("sandbox-")]
    elif name.startswith("subgraph-"):
        assert port == SUBGRAPH_PORTS[name.removeprefix("subgraph-")]
    else:
        assert (name, port) == ("gateway", GATEWAY_PORT)
    assert service["ports"] == [f"127.0.0.1:{port}:{port}"]
    assert str(port) in " ".join(service["healthcheck"]["test"])


def test_the_gateway_routes_every_subgraph_to_its_compose_service() -> None:
    gateway = _compose()["services"]["gateway"]
    urls = json.loads(gateway["environment"]["RETAIL_GATEWAY_SUBGRAPH_URLS"])
    assert urls == {name: f"http://subgraph-{name}:{port}/graphql" for name, port in SUBGRAPH_PORTS.items()}


def test_the_dockerfile_copies_only_paths_that_exist() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    for line in lines:
        if line.startswith("COPY "):
            *sources, _dest = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), source
