"""The OMS sandbox system: HotWax/OFBiz-style REST under ``/rest/s1/oms``, plugged into :func:`build_app`."""

from __future__ import annotations

import contextlib

from starlette.responses import Response
from starlette.routing import BaseRoute

from sandbox.app import Failure
from sandbox.oms.api_inventory import inventory_routes
from sandbox.oms.api_master import master_routes
from sandbox.oms.api_orders import order_routes
from sandbox.oms.api_returns import return_routes
from sandbox.oms.errors import error_response
from sandbox.oms.knobs import OmsKnobs
from sandbox.oms.state import OmsState
from sandbox.runtime import Runtime
from sandbox.settings import SandboxSettings

__all__ = ["OmsSystem"]


class OmsSystem:
    """Orders, shipments, returns, facilities, inventory and soft reservations of the OMS."""

    name = "oms"
    knobs_model: type[OmsKnobs] = OmsKnobs

    def __init__(self, runtime: Runtime, settings: SandboxSettings) -> None:
        self.runtime = runtime
        self.state = OmsState(runtime)
        self._token = settings.access_token

    def routes(self) -> list[BaseRoute]:
        state, token = self.state, self._token
        return [
            *order_routes(state, token),
            *return_routes(state, token),
            *inventory_routes(state, token),
            *master_routes(state, token),
        ]

    def render_error(self, failure: Failure) -> Response:
        return error_response(failure.status, failure.code, failure.message, retry_after=failure.retry_after)

    def reset(self) -> None:
        self.state.reset()

    def lifespan(self) -> contextlib.AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()
