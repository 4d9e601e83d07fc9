"""Request bodies: pydantic models at the edge, errors in SAP's shape.

SAP ignores properties a client may not set on create (``sap:creatable="false"``
such as ``OverallSDProcessStatus``) but rejects names the entity type does
not have. On update, a read-only property is tolerated only with its current
value (clients often PUT back what they read). Values follow the JSON
wire formats: decimals as strings (numbers accepted too), dates as
``/Date(ms)/`` (ISO 8601 accepted too) and cut to the day.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, ValidationError

from sandbox.erp.odata.edm import EntityType, Row
from sandbox.erp.odata.errors import BAD_BODY, ErrorDetail, ODataError
from sandbox.erp.odata.values import day, parse_date, parse_value

__all__ = ["JsonDay", "JsonQuantity", "collection", "creatable", "updatable", "validate"]

Model = TypeVar("Model", bound=BaseModel)


def _day(raw: Any) -> Any:
    if not isinstance(raw, str):
        raise ValueError("a date string like /Date(1767225600000)/ is expected")
    return day(parse_date(raw))


def _decimal(raw: Any) -> Any:
    if isinstance(raw, bool):
        raise ValueError("a decimal string is expected")
    return raw


def collection(raw: Any) -> Any:
    """Deep-insert children come as a list or as ``{"results": [...]}``."""
    if isinstance(raw, dict) and set(raw) == {"results"}:
        return raw["results"]
    return raw


JsonDay = Annotated[datetime, BeforeValidator(_day)]
"""A calendar date (``sap:display-format="Date"``): midnight UTC of the day given."""
JsonQuantity = Annotated[Decimal, BeforeValidator(_decimal), Field(max_digits=15, decimal_places=3)]
"""A quantity (``Edm.Decimal`` precision 15, scale 3) as a string or a number."""


def _error(exc: ValidationError, etype: EntityType) -> ODataError:
    details: list[ErrorDetail] = []
    for err in exc.errors():
        path = "/".join(str(part) for part in err["loc"])
        if err["type"] == "extra_forbidden":
            message = f"Property '{path}' is invalid in type '{etype.name}'"
        elif err["type"] == "missing":
            message = f"Property '{path}' is mandatory"
        else:
            message = f"Property '{path}': {err['msg']}"
        details.append(ErrorDetail(BAD_BODY, message, target=path))
    return ODataError(400, BAD_BODY, details[0].message, details=details)


def validate(model: type[Model], raw: dict[str, Any], etype: EntityType) -> Model:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise _error(exc, etype) from None


def creatable(raw: dict[str, Any], etype: EntityType, model: type[BaseModel]) -> dict[str, Any]:
    """``raw`` without ``__metadata`` and without known properties the client may not set."""
    settable = set(model.model_fields)
    return {
        name: value
        for name, value in raw.items()
        if name != "__metadata"
        and (name in settable or (etype.prop(name) is None and etype.nav(name) is None))
    }


def updatable(raw: dict[str, Any], etype: EntityType, row: Row, model: type[BaseModel]) -> dict[str, Any]:
    """The settable part of an update body; a read-only property may only repeat its current value."""
    settable = set(model.model_fields)
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "__metadata":
            continue
        prop = etype.prop(name)
        if name in settable or prop is None:
            out[name] = value  # unknown names fail in the model (extra="forbid")
            continue
        try:
            same = parse_value(prop, value) == row.get(name)
        except ValueError:
            same = False
        if not same:
            raise ODataError(
                400,
                BAD_BODY,
                f"Property '{name}' of '{etype.name}' cannot be changed",
                details=[ErrorDetail(BAD_BODY, f"Property '{name}' is read-only", target=name)],
            )
    return out
