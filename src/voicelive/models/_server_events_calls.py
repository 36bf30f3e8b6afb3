"""Server events of calls (PROTOCOL.md §4): WebRTC call signalling over the socket
(``rtc.call.*``) and SIP call lifecycle and transfers (``realtime.call.*``, api-version
2026-07-31-preview). Part of the :data:`~voicelive.models.ServerEvent` union; see
``_server_events`` for the shared rules.
"""

from __future__ import annotations

from typing import Literal

from ._base import ServerEventBase
from ._conversation import ServerEventErrorDetails

__all__ = [
    "ServerEventRtcCallError",
    "ServerEventRtcCallSdpCreated",
]


class ServerEventRtcCallSdpCreated(ServerEventBase):
    """SDP answer of a WebRTC call (Java SDK only; not in SDK 1.3.1)."""

    type: Literal["rtc.call.sdp.created"] = "rtc.call.sdp.created"
    """Always ``"rtc.call.sdp.created"``."""
    rtc_call_id: str | None = None
    """Id of the WebRTC call."""
    sdp_answer: str | None = None
    """The SDP answer."""


class ServerEventRtcCallError(ServerEventBase):
    """A WebRTC call error (Java SDK only; not in SDK 1.3.1)."""

    type: Literal["rtc.call.error"] = "rtc.call.error"
    """Always ``"rtc.call.error"``."""
    operation: str | None = None
    """The failed operation."""
    rtc_call_id: str | None = None
    """Id of the WebRTC call."""
    error: ServerEventErrorDetails | None = None
    """The error."""
