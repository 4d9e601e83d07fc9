"""The connector fixtures serve a sandbox system over real HTTP and count its calls."""

from __future__ import annotations

from resolvers.http import HttpClient
from tests.resolvers.connectors.conftest import RunSystem


async def test_a_running_system_answers_over_http_and_counts_calls(
    run_system: RunSystem, http: HttpClient
) -> None:
    async with run_system("oms") as system:
        response = await http.request("GET", f"{system.url}/rest/s1/oms/facilities")
        assert response.status == 200
        assert system.calls("/rest/s1/oms/facilities") == 1
