"""OMS-specific knobs on top of the shared latency/error/outage/rate-limit ones."""

from __future__ import annotations

from pydantic import Field

from sandbox.knobs import Knobs

__all__ = ["OmsKnobs"]


class OmsKnobs(Knobs):
    """Adds the soft-reservation TTL and whether ATP is floored at zero on the wire."""

    reservation_ttl_s: int = Field(
        900, ge=1, le=86_400, description="Expiry of a soft reservation that names no expiresInSeconds."
    )
    max_reservation_ttl_s: int = Field(
        86_400, ge=1, description="Upper bound a client may ask for with expiresInSeconds."
    )
    floor_atp: bool = Field(
        False, description="Report availableToPromiseTotal floored at 0 (the OMS itself keeps it signed)."
    )
