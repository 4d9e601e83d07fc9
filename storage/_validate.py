"""Argument checks shared by every backend, so they reject the same inputs."""

from __future__ import annotations

import math

__all__ = ["require_finite", "require_non_negative", "require_positive"]


def require_positive(name: str, value: float) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite number above zero."""
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number above zero, got {value!r}")


def require_non_negative(name: str, value: float) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite number of zero or more."""
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number of zero or more, got {value!r}")


def require_finite(name: str, value: float) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite number."""
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
