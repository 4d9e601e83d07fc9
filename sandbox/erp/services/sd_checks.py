"""Checks SD runs on every sales document it creates, and the SD message codes the ERP answers with.

Message codes (``<class>/<number>`` in the OData error and its errordetails)::

    V1/394  sales document type not defined       V1/312  sales area not defined
    V1/302  sold-to party does not exist          M3/305  material does not exist
    M3/219  plant does not exist                  V1/501  item quantity, unit or number invalid
    V1/766  item cannot be rejected / reason      V1/045  reference document or item unknown
    V1/520  order or return reason not defined    V1/042  return quantity exceeds the open quantity

Every problem found in a request is reported at once: the first is the
error's message, all of them are ``errordetails`` with ``target`` naming the
property (``to_Item/0`` for the first item).
"""

from __future__ import annotations

from decimal import Decimal

from sandbox.erp.catalog import BASE_UNIT, Catalog
from sandbox.erp.documents import CHANNEL_CODES, ONE_TIME_CUSTOMER
from sandbox.erp.odata.errors import ErrorDetail, ODataError

__all__ = [
    "BAD_ITEM",
    "NOT_REJECTABLE",
    "TOO_MUCH",
    "UNKNOWN_DOCUMENT_TYPE",
    "UNKNOWN_MATERIAL",
    "UNKNOWN_PARTY",
    "UNKNOWN_PLANT",
    "UNKNOWN_REASON",
    "UNKNOWN_REFERENCE",
    "UNKNOWN_SALES_AREA",
    "fail",
    "header_problems",
    "quantity_problems",
]

UNKNOWN_DOCUMENT_TYPE = "V1/394"
UNKNOWN_SALES_AREA = "V1/312"
UNKNOWN_PARTY = "V1/302"
UNKNOWN_MATERIAL = "M3/305"
UNKNOWN_PLANT = "M3/219"
BAD_ITEM = "V1/501"
NOT_REJECTABLE = "V1/766"
UNKNOWN_REFERENCE = "V1/045"
UNKNOWN_REASON = "V1/520"
TOO_MUCH = "V1/042"


def header_problems(
    type_field: str,
    document_type: str,
    expected_type: str,
    area: tuple[str, str, str],
    sold_to: str,
    catalog: Catalog,
) -> list[ErrorDetail]:
    """Document type, sales area (organisation 1000, a known channel, division 00) and sold-to party."""
    problems = []
    if document_type != expected_type:
        problems.append(
            ErrorDetail(
                UNKNOWN_DOCUMENT_TYPE, f"Sales document type {document_type} is not defined", type_field
            )
        )
    organisation, channel, division = area
    if organisation != "1000" or channel not in CHANNEL_CODES.values() or division != "00":
        message = f"Sales area {'/'.join(area)} is not defined"
        problems.append(ErrorDetail(UNKNOWN_SALES_AREA, message, "DistributionChannel"))
    if sold_to != ONE_TIME_CUSTOMER and sold_to not in catalog.partners:
        problems.append(ErrorDetail(UNKNOWN_PARTY, f"Sold-to party {sold_to} does not exist", "SoldToParty"))
    return problems


def quantity_problems(number: str, quantity: Decimal, unit: str, target: str) -> list[ErrorDetail]:
    problems = []
    if quantity <= 0:
        problems.append(ErrorDetail(BAD_ITEM, f"Item {number}: enter a quantity greater than zero", target))
    if unit != BASE_UNIT:
        problems.append(ErrorDetail(BAD_ITEM, f"Unit {unit} is not defined for the material", target))
    return problems


def fail(problems: list[ErrorDetail]) -> ODataError:
    """One 400 for all problems: the first as the message, every one as an error detail."""
    return ODataError(400, problems[0].code, problems[0].message, details=problems)
