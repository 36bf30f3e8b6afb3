"""The voicelive exception tree.

Every exception the library raises on purpose derives from :class:`VoiceLiveError`, which
derives from azure-core's :class:`~azure.core.exceptions.AzureError`, so code that already
catches ``AzureError`` around the official SDK keeps working::

    AzureError                          (azure.core.exceptions)
    └── VoiceLiveError
        ├── ConnectionError             the WebSocket could not be used (seed name)
        │   ├── HandshakeError          the HTTP upgrade failed (.status_code)
        │   │   ├── AuthenticationError     401 / 403: key or token refused
        │   │   └── RedirectRefusedError    the server answered with a redirect
        │   ├── ConnectionClosed        the socket is closed (.code, .reason) (seed name)
        │   │   ├── ConnectionClosedOK      closed with 1000 (normal) -- iteration ends quietly
        │   │   └── ConnectionClosedError   any other code, or the TCP stream vanished
        │   └── ReceiveTimeoutError     nothing arrived within ``receive_timeout``
        ├── ProtocolError
        │   ├── LocalProtocolError      we refused to send something (also ``ValueError``)
        │   └── RemoteProtocolError     the server sent a frame we cannot read
        │       ├── MalformedFrameError     not JSON, or not a JSON object
        │       ├── MessageTooLargeError    over ``max_msg_size``
        │       └── InvalidEventError       (server side) bad client event
        ├── WaitTimeoutError            no matching event in time (also ``TimeoutError``)
        └── ServerError                 a server ``error`` event raised by an awaited helper

Invalid input to a send method (a dict with a wrong field) raises pydantic's
:class:`pydantic.ValidationError` before anything is written, as the issue asks: it names the
offending field. Secrets never appear in any message here: constructors take only status
codes, close codes and short reasons, never headers or URLs with credentials.
"""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import AzureError

__all__ = [
    "AuthenticationError",
    "ConnectionClosed",
    "ConnectionClosedError",
    "ConnectionClosedOK",
    "ConnectionError",
    "HandshakeError",
    "InvalidEventError",
    "LocalProtocolError",
    "MalformedFrameError",
    "MessageTooLargeError",
    "ProtocolError",
    "ReceiveTimeoutError",
    "RedirectRefusedError",
    "RemoteProtocolError",
    "ServerError",
    "VoiceLiveError",
    "WaitTimeoutError",
]


class VoiceLiveError(AzureError):
    """Root of every error voicelive raises on purpose."""

    def __init__(self, message: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(message, *args, **kwargs)

    def __str__(self) -> str:
        return str(self.message)


class ConnectionError(VoiceLiveError):
    """The WebSocket connection could not be opened or used.

    Note: this shadows the builtin ``ConnectionError`` for code that does
    ``from voicelive.aio import ConnectionError`` -- the official SDK's name, kept for porting.
    """


class HandshakeError(ConnectionError):
    """The HTTP upgrade to WebSocket failed.

    Attributes:
        status_code: the HTTP status the server answered with (``None`` when no answer came).
    """

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class AuthenticationError(HandshakeError):
    """The service refused the credentials (HTTP 401 or 403). The key is never echoed."""


class RedirectRefusedError(HandshakeError):
    """The handshake answered with a redirect; voicelive never forwards credentials to one."""


class ConnectionClosed(ConnectionError):
    """The WebSocket is closed.

    Attributes:
        code: the WebSocket close code (1000 normal, 1006 abnormal/no close frame, ...).
        reason: the close reason the peer sent (may be empty).
    """

    def __init__(self, code: int, reason: str = "") -> None:
        self.code = code
        self.reason = reason
        text = f"WebSocket closed with code {code}"
        if reason:
            text += f": {reason}"
        super().__init__(text)


class ConnectionClosedOK(ConnectionClosed):
    """Closed normally (code 1000). ``async for`` ends quietly on this."""


class ConnectionClosedError(ConnectionClosed):
    """Closed abnormally: any code but 1000, or the TCP connection dropped (1006)."""


class ReceiveTimeoutError(ConnectionError, TimeoutError):
    """No frame arrived within the configured ``receive_timeout``.

    The connection itself is left open: call ``recv()`` again to keep waiting, or close it.
    """


class ProtocolError(VoiceLiveError):
    """A frame broke the Voice Live protocol."""


class LocalProtocolError(ProtocolError, ValueError):
    """voicelive refused to send something that breaks the protocol. Nothing was sent."""


class RemoteProtocolError(ProtocolError):
    """The server sent a frame voicelive cannot read. The connection stays usable.

    Attributes:
        raw: the start of the offending frame (at most 200 characters), for diagnosis.
    """

    def __init__(self, message: str, *, raw: str = "") -> None:
        super().__init__(message)
        self.raw = raw


class MalformedFrameError(RemoteProtocolError):
    """A frame that is not a JSON object (invalid JSON, invalid UTF-8, a bare value)."""


class MessageTooLargeError(RemoteProtocolError):
    """A frame larger than the configured maximum message size."""


class InvalidEventError(RemoteProtocolError):
    """(Server side) a client frame is JSON but not a valid client event.

    Used by :class:`voicelive.testing.MockServer` to answer with the service's ``error`` event.

    Attributes:
        event_type: the frame's ``type`` (``None`` when missing).
        event_id: the frame's ``event_id`` (``None`` when missing).
        param: dotted path of the first offending field (``None`` for an unknown type).
        code: ``"unknown_event_type"`` or ``"invalid_value"``.
    """

    def __init__(
        self,
        message: str,
        *,
        raw: str = "",
        event_type: str | None = None,
        event_id: str | None = None,
        param: str | None = None,
        code: str = "invalid_value",
    ) -> None:
        super().__init__(message, raw=raw)
        self.event_type = event_type
        self.event_id = event_id
        self.param = param
        self.code = code


class WaitTimeoutError(VoiceLiveError, TimeoutError):
    """``wait_for`` (or an awaited acknowledgement) saw no matching event within its timeout.

    The connection is unaffected; events received meanwhile are still delivered.
    """


class ServerError(VoiceLiveError):
    """The server answered a request with an ``error`` event (raised by awaited helpers).

    Attributes:
        code, error_type, param, event_id: copied from the ``error`` event's details.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        error_type: str | None = None,
        param: str | None = None,
        event_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.error_type = error_type
        self.param = param
        self.event_id = event_id
