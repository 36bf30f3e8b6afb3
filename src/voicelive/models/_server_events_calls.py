"""Server events of calls (PROTOCOL.md §4): WebRTC call signalling over the socket
(``rtc.call.*``) and SIP call lifecycle and transfers (``realtime.call.*``, api-version
2026-07-31-preview). Part of the :data:`~voicelive.models.ServerEvent` union; see
``_server_events`` for the shared rules.
"""

from typing import Annotated, Literal

from ._base import ServerEventBase
from ._conversation import ServerEventErrorDetails
from ._enums import SipCallState, SipCallTerminalReason, SipTransferState
from ._session import _LTR

__all__ = [
    "ServerEventRealtimeCallConnected",
    "ServerEventRealtimeCallDisconnected",
    "ServerEventRealtimeCallFailed",
    "ServerEventRealtimeCallIncoming",
    "ServerEventRealtimeCallTransferFailed",
    "ServerEventRealtimeCallTransferSucceeded",
    "ServerEventRtcCallError",
    "ServerEventRtcCallSdpCreated",
]

_SipCallStateT = Annotated[SipCallState | str, _LTR]
_SipCallTerminalReasonT = Annotated[SipCallTerminalReason | str, _LTR]
_SipTransferStateT = Annotated[SipTransferState | str, _LTR]


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


# --------------------------------------------------------------------------------------------
# SIP calls (api-version 2026-07-31-preview). No published example frames exist yet, so every
# field is optional (the spec marks call_id, chain_id/transfer_id and state as required).
# --------------------------------------------------------------------------------------------


class _SipCallEvent(ServerEventBase):
    """Fields shared by the SIP call lifecycle events (private base)."""

    call_id: str | None = None
    """The SIP call id."""
    chain_id: str | None = None
    """The SIP chain id, for routing and correlation."""
    state: _SipCallStateT | None = None
    """The call state (:class:`SipCallState`)."""
    terminal_reason: _SipCallTerminalReasonT | None = None
    """Why the call ended, once it reached a terminal state (:class:`SipCallTerminalReason`)."""
    error_code: str | None = None
    """The failure code, when the call failed."""


class ServerEventRealtimeCallIncoming(_SipCallEvent):
    """An inbound SIP call arrived and waits for the app to accept or reject it."""

    type: Literal["realtime.call.incoming"] = "realtime.call.incoming"
    """Always ``"realtime.call.incoming"``."""


class ServerEventRealtimeCallConnected(_SipCallEvent):
    """An accepted SIP call is connected and its Voice Live session is active."""

    type: Literal["realtime.call.connected"] = "realtime.call.connected"
    """Always ``"realtime.call.connected"``."""


class ServerEventRealtimeCallDisconnected(_SipCallEvent):
    """A SIP call reached the disconnected state (see ``terminal_reason``)."""

    type: Literal["realtime.call.disconnected"] = "realtime.call.disconnected"
    """Always ``"realtime.call.disconnected"``."""


class ServerEventRealtimeCallFailed(_SipCallEvent):
    """A SIP call failed during setup or at runtime (see ``error_code``)."""

    type: Literal["realtime.call.failed"] = "realtime.call.failed"
    """Always ``"realtime.call.failed"``."""


class _SipTransferEvent(ServerEventBase):
    """Fields shared by the SIP transfer outcome events (private base)."""

    call_id: str | None = None
    """The SIP call id."""
    transfer_id: str | None = None
    """Correlates the asynchronous REFER status updates of one transfer."""
    state: _SipTransferStateT | None = None
    """The transfer state (:class:`SipTransferState`)."""
    sip_code: int | None = None
    """The SIP response code of the outcome, if any."""
    reason: str | None = None
    """The SIP reason phrase, if any."""


class ServerEventRealtimeCallTransferSucceeded(_SipTransferEvent):
    """A blind SIP transfer (REFER) completed."""

    type: Literal["realtime.call.transfer.succeeded"] = "realtime.call.transfer.succeeded"
    """Always ``"realtime.call.transfer.succeeded"``."""


class ServerEventRealtimeCallTransferFailed(_SipTransferEvent):
    """A blind SIP transfer (REFER) failed."""

    type: Literal["realtime.call.transfer.failed"] = "realtime.call.transfer.failed"
    """Always ``"realtime.call.transfer.failed"``."""
