"""The OData V2 error envelope as SAP Gateway writes it, and the core's one exception.

Exception tree (one class: every failure is an HTTP status plus SAP's message code)::

    Exception
    └── ODataError(status, code, message, details)

The envelope::

    {"error": {"code": "<message class>/<number>",
               "message": {"lang": "en", "value": "..."},
               "innererror": {"application": {"component_id", "service_namespace": "/SAP/",
                                              "service_id", "service_version": "0001"},
                              "transactionid", "timestamp", "Error_Resolution": {...},
                              "errordetails": [{"code", "message", "propertyref", "severity",
                                                "target"}]}}}

Message codes are SAP's where the sandbox knows them (If-Match failures
``/IWBEP/CM_MGW_RT/190`` and ``/194``) and follow SAP's shape elsewhere; the
constants below are the complete list.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "BAD_BODY",
    "BAD_FILTER",
    "BAD_OPTION",
    "BAD_URI",
    "ETAG_MISMATCH",
    "FAILURE_CODES",
    "METHOD_NOT_ALLOWED",
    "NOT_ACCEPTABLE",
    "PRECONDITION_REQUIRED",
    "RESOURCE_NOT_FOUND",
    "SEGMENT_NOT_FOUND",
    "SERVICE_NOT_FOUND",
    "ErrorDetail",
    "ODataError",
    "envelope",
]

RESOURCE_NOT_FOUND = "/IWBEP/CM_MGW_RT/020"
SEGMENT_NOT_FOUND = "/IWBEP/CM_MGW_RT/021"
SERVICE_NOT_FOUND = "/IWFND/MED/170"
BAD_URI = "/IWBEP/CM_MGW_RT/004"
BAD_FILTER = "/IWBEP/CM_MGW_RT/005"
BAD_OPTION = "/IWBEP/CM_MGW_RT/006"
BAD_BODY = "/IWBEP/CM_MGW_RT/007"
METHOD_NOT_ALLOWED = "/IWBEP/CM_MGW_RT/018"
NOT_ACCEPTABLE = "/IWBEP/CM_MGW_RT/030"
ETAG_MISMATCH = "/IWBEP/CM_MGW_RT/190"
PRECONDITION_REQUIRED = "/IWBEP/CM_MGW_RT/194"

FAILURE_CODES: dict[int, str] = {
    401: "/IWFND/CM_CONSUMER/101",
    403: "/IWFND/CM_CONSUMER/102",
    404: SEGMENT_NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    429: "/IWFND/CM_CONSUMER/106",
    500: "/IWFND/CM_BEC/026",
    503: "/IWFND/CM_BEC/022",
    504: "/IWFND/CM_BEC/023",
}
"""Message codes for failures that are not the core's own (fault injection, routing, auth)."""

_RESOLUTION = {
    "SAP_Transaction": "For backend administrators: run transaction /IWFND/ERROR_LOG on the SAP Gateway hub "
    "system and search for entries with the timestamp above for more details",
    "SAP_Note": "See SAP Note 1797736 for error analysis (https://service.sap.com/sap/support/notes/1797736)",
}


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of ``innererror.errordetails`` (a message of the backend's message container)."""

    code: str
    message: str
    target: str = ""
    severity: str = "error"


class ODataError(Exception):
    """A request that fails with ``status`` and SAP message ``code``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Sequence[ErrorDetail] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = tuple(details)
        self.headers = dict(headers or {})


def envelope(error: ODataError, service_id: str, component_id: str) -> dict[str, Any]:
    """The JSON body SAP answers ``error`` with."""
    now = datetime.now(UTC)
    details = error.details or (ErrorDetail(error.code, error.message),)
    return {
        "error": {
            "code": error.code,
            "message": {"lang": "en", "value": error.message},
            "innererror": {
                "application": {
                    "component_id": component_id,
                    "service_namespace": "/SAP/",
                    "service_id": service_id,
                    "service_version": "0001",
                },
                "transactionid": uuid.uuid4().hex.upper(),
                "timestamp": now.strftime("%Y%m%d%H%M%S.") + f"{now.microsecond:06d}0",
                "Error_Resolution": _RESOLUTION,
                "errordetails": [
                    {
                        "code": d.code,
                        "message": d.message,
                        "propertyref": "",
                        "severity": d.severity,
                        "target": d.target,
                    }
                    for d in details
                ],
            },
        }
    }
