"""Futures a request leaves running, their outcome retrieved when they end (never reported unretrieved)."""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["leave_running"]


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def leave_running(future: asyncio.Future[Any]) -> None:
    """Let ``future`` finish on its own (it warms the connectors' caches); its failure, if any, is
    retrieved (the connectors have logged it) rather than reported as never retrieved."""
    future.add_done_callback(_retrieve)
