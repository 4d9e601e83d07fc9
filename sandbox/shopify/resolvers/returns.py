"""Resolvers of Return and ReturnLineItem."""

from __future__ import annotations

from typing import Any

from sandbox.shopify.context import Info
from sandbox.shopify.gids import gid
from sandbox.shopify.paging import Connection, PageArgs, paginate
from sandbox.shopify.records import FulfillmentLineRecord, ReturnLineRecord, ReturnRecord
from sandbox.shopify.resolvers._registry import TYPE_RESOLVERS, resolves

__all__: list[str] = []

TYPE_RESOLVERS.update({ReturnRecord: "Return", ReturnLineRecord: "ReturnLineItem"})


@resolves("Return", "id")
def _id(ret: ReturnRecord, info: Info) -> str:
    return gid("Return", ret.id)


@resolves("Return", "decline")
def _decline(ret: ReturnRecord, info: Info) -> dict[str, Any] | None:
    if ret.decline_reason is None:
        return None
    return {"reason": ret.decline_reason, "note": ret.decline_note}


@resolves("Return", "returnLineItems")
def _lines(ret: ReturnRecord, info: Info, **args: Any) -> Connection[ReturnLineRecord]:
    return paginate(ret.lines, lambda line: (line.id,), PageArgs.from_args(args))


@resolves("ReturnLineItem", "id")
def _line_id(line: ReturnLineRecord, info: Info) -> str:
    return gid("ReturnLineItem", line.id)


@resolves("ReturnLineItem", "returnReason")
def _reason(line: ReturnLineRecord, info: Info) -> str:
    return line.reason


@resolves("ReturnLineItem", "returnReasonNote")
def _reason_note(line: ReturnLineRecord, info: Info) -> str:
    return line.reason_note


@resolves("ReturnLineItem", "fulfillmentLineItem")
def _fulfillment_line(line: ReturnLineRecord, info: Info) -> FulfillmentLineRecord:
    return line.fulfillment_line
