"""The HTTP face of the Admin API: ``POST /admin/api/{version}/graphql.json``.

* version: ``YYYY-MM`` with a quarter month (01, 04, 07, 10) or ``unstable``; anything else is 404;
* ``X-Shopify-Access-Token`` is required (and must match ``settings.access_token`` when set): 401;
* body: JSON ``{query, variables, operationName}`` (or the raw query as ``application/graphql``);
  a body that is not that is 400 ``{"errors": {"query": "Required parameter missing or invalid"}}``;
* everything else, including GraphQL errors and throttling, is HTTP 200 with ``errors``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from sandbox.app import Failure, json_response
from sandbox.shopify.service import GraphQLService

__all__ = ["VERSION_PATTERN", "GraphQLEndpoint", "GraphQLRequest"]

VERSION_PATTERN = re.compile(r"^(?:\d{4}-(?:01|04|07|10)|unstable)$")
_UNAUTHORIZED = "[API] Invalid API key or access token (unrecognized login or wrong password)"


class GraphQLRequest(BaseModel):
    """A GraphQL-over-HTTP body; Shopify ignores members it does not know (e.g. ``extensions``)."""

    model_config = ConfigDict(extra="ignore")

    query: str = Field(min_length=1)
    variables: dict[str, Any] | None = None
    operation_name: str | None = Field(None, alias="operationName")


def _bad_request(member: str = "query") -> Response:
    return json_response({"errors": {member: "Required parameter missing or invalid"}}, 400)


class GraphQLEndpoint:
    """The Starlette endpoint; the service is looked up per request (a reset swaps it)."""

    def __init__(
        self,
        service: Callable[[], GraphQLService],
        render_error: Callable[[Failure], Response],
        access_token: str | None,
    ) -> None:
        self.service, self.render_error, self.access_token = service, render_error, access_token

    async def handle(self, request: Request) -> Response:
        version = request.path_params["version"]
        if not VERSION_PATTERN.match(version):
            return self.render_error(Failure(404, "NOT_FOUND", "Not Found"))
        token = request.headers.get("x-shopify-access-token")
        if not token or (self.access_token is not None and token != self.access_token):
            return self.render_error(Failure(401, "UNAUTHORIZED", _UNAUTHORIZED))
        raw = await request.body()
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/graphql":
            text = raw.decode("utf-8", errors="replace")
            if not text.strip():
                return _bad_request()
            body = GraphQLRequest(query=text)
        else:
            try:
                body = GraphQLRequest.model_validate(orjson.loads(raw))
            except orjson.JSONDecodeError:
                return _bad_request()
            except ValidationError as exc:
                member = (
                    str(exc.errors()[0]["loc"][0]) if exc.errors() and exc.errors()[0]["loc"] else "query"
                )
                return _bad_request("variables" if member == "variables" else "query")
        result = self.service().run(token, version, body.query, body.variables, body.operation_name)
        headers = {"X-Request-Id": str(uuid.uuid4()), "X-Shopify-API-Version": version}
        return json_response(result, headers=headers)
