"""The ERP's knobs: the generic fault knobs plus server-driven paging and CSRF token lifetime."""

from __future__ import annotations

from pydantic import Field

from sandbox.knobs import Knobs

__all__ = ["ErpKnobs"]


class ErpKnobs(Knobs):
    """Knobs of the SAP S/4HANA stand-in."""

    page_size: int = Field(
        1000, ge=1, le=100_000, description="Rows per page of a collection before SAP answers with __next."
    )
    csrf_token_ttl_s: float = Field(
        1800.0, gt=0, description="Seconds a fetched X-CSRF-Token stays valid (then 403 'Required')."
    )
