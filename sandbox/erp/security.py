"""SAP Gateway's request security: HTTP Basic logon and the X-CSRF-Token handshake.

CSRF, as SAP does it: a GET or HEAD with ``X-CSRF-Token: Fetch`` answers the
header ``X-CSRF-Token: <token>`` and a session cookie (``SAP_SESSIONID_SBX_100``).
Every modifying request (POST, PUT, PATCH, MERGE, DELETE, and so $batch)
must send that token back *with* the session cookie, else 403 with header
``x-csrf-token: Required`` and the plain-text body ``CSRF token validation
failed``. Tokens expire after the ``csrf_token_ttl_s`` knob; a fetch with a
live session answers the same token until then, and a fresh one after.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

__all__ = ["SESSION_COOKIE", "CsrfTokens", "basic_password"]

SESSION_COOKIE = "SAP_SESSIONID_SBX_100"
_MAX_SESSIONS = 10_000


@dataclass
class _Session:
    token: str
    issued: float


class CsrfTokens:
    """The live sessions of one system and their tokens (bounded: the oldest are dropped)."""

    def __init__(self) -> None:
        self._sessions: OrderedDict[str, _Session] = OrderedDict()

    def reset(self) -> None:
        self._sessions.clear()

    def fetch(self, session_id: str | None, ttl: float, now: float | None = None) -> tuple[str, str, bool]:
        """(session id, token, whether the session is new and needs its cookie set)."""
        now = time.monotonic() if now is None else now
        session = self._sessions.get(session_id) if session_id else None
        if session is not None and session_id is not None:
            if now - session.issued >= ttl:
                session.token, session.issued = secrets.token_urlsafe(18), now
            return session_id, session.token, False
        new_id = secrets.token_urlsafe(24)
        session = _Session(secrets.token_urlsafe(18), now)
        self._sessions[new_id] = session
        while len(self._sessions) > _MAX_SESSIONS:
            self._sessions.popitem(last=False)
        return new_id, session.token, True

    def valid(self, session_id: str | None, token: str | None, ttl: float, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        session = self._sessions.get(session_id) if session_id else None
        if session is None or not token:
            return False
        return secrets.compare_digest(session.token, token) and now - session.issued < ttl


def basic_password(authorization: str | None) -> str | None:
    """The password of an ``Authorization: Basic ...`` header, or None if there is none."""
    if not authorization:
        return None
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _, sep, password = decoded.partition(":")
    return password if sep else None
