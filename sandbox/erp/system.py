"""``ErpSystem``: the SAP S/4HANA stand-in (OData V2), as the sandbox app factory builds it.

Services under ``/sap/opu/odata/sap/``: ``API_MATERIAL_STOCK_SRV``,
``API_PRODUCT_SRV``, ``API_SALES_ORDER_SRV``, ``API_CUSTOMER_RETURN_SRV`` and
``API_BUSINESS_PARTNER``. Failures that are not the OData core's own
(injected faults, unknown routes, unexpected exceptions) are answered in the
same OData error envelope, with ``Retry-After`` on 429.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.app import Failure, json_response
from sandbox.erp.catalog import Catalog
from sandbox.erp.endpoint import METHODS, ErpEndpoint
from sandbox.erp.knobs import ErpKnobs
from sandbox.erp.odata.engine import Engine
from sandbox.erp.odata.errors import FAILURE_CODES, ODataError, envelope
from sandbox.erp.security import CsrfTokens
from sandbox.erp.services.business_partner import business_partner_service
from sandbox.erp.services.customer_return import customer_return_service
from sandbox.erp.services.material_stock import material_stock_service
from sandbox.erp.services.product import product_service
from sandbox.erp.services.sales_order import sales_order_service
from sandbox.erp.state import ErpState
from sandbox.knobs import Knobs
from sandbox.runtime import Runtime
from sandbox.settings import SandboxSettings

__all__ = ["ErpSystem"]


class ErpSystem:
    """SAP S/4HANA OData V2 services over the seeded world."""

    name = "erp"
    knobs_model: type[Knobs] = ErpKnobs

    def __init__(self, runtime: Runtime, settings: SandboxSettings) -> None:
        self.runtime = runtime
        self.settings = settings
        self.catalog = Catalog(runtime.world)
        self._seeded = ErpState.seeded(self.catalog)
        self.state = self._seeded.snapshot()
        self.csrf = CsrfTokens()
        services = (
            material_stock_service(self.catalog),
            product_service(self.catalog),
            sales_order_service(self.state, self.catalog),
            customer_return_service(self.state, self.catalog),
            business_partner_service(self.catalog),
        )
        self.engines = {service.name: Engine(service, self._page_size) for service in services}

    def _knobs(self) -> ErpKnobs:
        knobs = self.runtime.knobs
        return knobs if isinstance(knobs, ErpKnobs) else ErpKnobs.model_validate(knobs.model_dump())

    def _page_size(self) -> int:
        return self._knobs().page_size

    def _csrf_ttl(self) -> float:
        return self._knobs().csrf_token_ttl_s

    def routes(self) -> list[BaseRoute]:
        endpoint = ErpEndpoint(
            self.engines,
            self.csrf,
            (self.state.snapshot, self.state.restore),
            self.settings.access_token,
            self._csrf_ttl,
        )
        return [
            Route("/sap/opu/odata/sap/{service}", endpoint.handle, methods=METHODS),
            Route("/sap/opu/odata/sap/{service}/{rest:path}", endpoint.handle, methods=METHODS),
        ]

    def render_error(self, failure: Failure) -> Response:
        code = FAILURE_CODES.get(failure.status, FAILURE_CODES[500])
        body = envelope(ODataError(failure.status, code, failure.message), "", "")
        headers: dict[str, str] = {}
        if failure.retry_after is not None:
            headers["retry-after"] = str(max(1, math.ceil(failure.retry_after)))
        return json_response(body, failure.status, headers)

    def reset(self) -> None:
        self.state.restore(self._seeded)
        self.csrf.reset()

    @contextlib.asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        yield
