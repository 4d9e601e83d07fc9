"""The HTTP face of the ERP: ``/sap/opu/odata/sap/<SERVICE>/...`` -> logon, CSRF, the OData engine.

Order of checks, as SAP Gateway: HTTP Basic logon (when an access token is
configured: 401 otherwise), the service name (404), the CSRF token on
modifying requests (403), then the request itself. ``X-HTTP-Method`` on a
POST tunnels MERGE, PATCH, PUT or DELETE. ``$batch`` runs its parts in one
go, with changesets rolled back on failure.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from sandbox.app import json_response
from sandbox.erp.odata.batch import Transaction, handle_batch
from sandbox.erp.odata.engine import Engine
from sandbox.erp.odata.errors import (
    FAILURE_CODES,
    METHOD_NOT_ALLOWED,
    SERVICE_NOT_FOUND,
    ODataError,
    envelope,
)
from sandbox.erp.odata.messages import ODataRequest, ODataResponse
from sandbox.erp.security import SESSION_COOKIE, CsrfTokens, basic_password

__all__ = ["METHODS", "ErpEndpoint"]

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "MERGE", "DELETE"]
_MODIFYING = {"POST", "PUT", "PATCH", "MERGE", "DELETE"}
_REALM = 'Basic realm="SAP NetWeaver Application Server [SBX/100]"'


class ErpEndpoint:
    """One Starlette endpoint for every service and resource."""

    def __init__(
        self,
        engines: dict[str, Engine],
        csrf: CsrfTokens,
        transaction: Transaction,
        access_token: str | None,
        csrf_ttl: Callable[[], float],
    ) -> None:
        self.engines = engines
        self.csrf = csrf
        self.transaction = transaction
        self.access_token = access_token
        self.csrf_ttl = csrf_ttl

    @staticmethod
    def _error(
        status: int, code: str, message: str, service: str, headers: dict[str, str] | None = None
    ) -> Response:
        return json_response(envelope(ODataError(status, code, message), service, ""), status, headers)

    def _logged_on(self, request: Request) -> bool:
        if self.access_token is None:
            return True
        return basic_password(request.headers.get("authorization")) == self.access_token

    @staticmethod
    def _method(request: Request) -> str:
        method = request.method.upper()
        tunnelled = request.headers.get("x-http-method", "").upper()
        if method == "POST" and tunnelled in ("MERGE", "PATCH", "PUT", "DELETE"):
            return tunnelled
        return method

    async def handle(self, request: Request) -> Response:
        service_name = request.path_params["service"]
        if not self._logged_on(request):
            message = "Logon failed: user or password is wrong"
            return self._error(401, FAILURE_CODES[401], message, service_name, {"www-authenticate": _REALM})
        engine = self.engines.get(service_name.upper())
        if engine is None:
            message = f"No service found for namespace '', name '{service_name}', version '0001'"
            return self._error(404, SERVICE_NOT_FOUND, message, service_name)
        method = self._method(request)
        ttl = self.csrf_ttl()
        session = request.cookies.get(SESSION_COOKIE)
        if method in _MODIFYING and not self.csrf.valid(session, request.headers.get("x-csrf-token"), ttl):
            return PlainTextResponse("CSRF token validation failed", 403, {"x-csrf-token": "Required"})
        odata = ODataRequest(
            method=method,
            path=request.path_params.get("rest", ""),
            query=parse_qsl(request.url.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
            host_url=f"{request.url.scheme}://{request.url.netloc}",
        )
        answer = self._answer(engine, odata)
        response = Response(answer.body, answer.status, answer.headers, media_type=answer.media_type)
        if method in ("GET", "HEAD") and request.headers.get("x-csrf-token", "").lower() == "fetch":
            session_id, token, is_new = self.csrf.fetch(session, ttl)
            response.headers["x-csrf-token"] = token
            if is_new:
                response.set_cookie(SESSION_COOKIE, session_id, path="/", httponly=True)
                response.set_cookie("sap-usercontext", "sap-client=100", path="/")
        return response

    def _answer(self, engine: Engine, request: ODataRequest) -> ODataResponse:
        if request.path.strip("/") != "$batch":
            return engine.handle(request)
        if request.method != "POST":
            return engine.error_response(ODataError(405, METHOD_NOT_ALLOWED, "$batch needs POST"))
        return handle_batch(engine, request, self.transaction)
