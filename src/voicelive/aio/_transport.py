"""The one module that imports aiohttp.

It turns aiohttp's WebSocket API -- for the client *and* for the test server -- into a tiny
surface of text/bytes frames and voicelive exceptions, mapping every aiohttp message type
and exception at this single seam (``raise ... from``):

* TEXT / BINARY frames are returned as ``str`` / ``bytes``;
* PING / PONG frames are answered/ignored here and never surface as errors;
* CLOSE / CLOSING / CLOSED become :class:`~voicelive.exceptions.ConnectionClosedOK` (code
  1000) or :class:`~voicelive.exceptions.ConnectionClosedError` (any other code, or 1006 when
  the TCP stream vanished);
* an oversize frame becomes :class:`~voicelive.exceptions.MessageTooLargeError` (aiohttp then
  closes the socket with 1009, as RFC 6455 asks);
* a receive timeout becomes :class:`~voicelive.exceptions.ReceiveTimeoutError`.

Nothing else in voicelive imports aiohttp, so the rest of the code stays testable and the
transport could be swapped.
"""

from __future__ import annotations

import asyncio
import builtins
import functools
import ssl as _ssl
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn

import aiohttp
from yarl import URL

if TYPE_CHECKING:
    from aiohttp import web  # the server side (testing/) imports it at run time, on start()

from .._logging import get_logger
from .._protocol import closed_exception
from ..exceptions import (
    AuthenticationError,
    ConnectionClosed,
    ConnectionClosedError,
    ConnectionError,
    HandshakeError,
    MessageTooLargeError,
    ReceiveTimeoutError,
    RedirectRefusedError,
)

__all__ = [
    "ClientTransport",
    "ServerTransport",
    "TransportOptions",
    "WebSocketServer",
]

_log = get_logger("transport")
_TEXT = aiohttp.WSMsgType.TEXT
_BINARY = aiohttp.WSMsgType.BINARY
_PING = aiohttp.WSMsgType.PING
_PONG = aiohttp.WSMsgType.PONG

# --------------------------------------------------------------------------- client


@dataclass
class TransportOptions:
    """Validated WebSocket options (the public ``connection_options`` mapped to aiohttp)."""

    max_msg_size: int = 4 * 1024 * 1024
    heartbeat: float | None = 30.0
    compression: bool | int = False
    autoclose: bool = True
    autoping: bool = True
    receive_timeout: float | None = None
    close_timeout: float | None = 10.0
    handshake_timeout: float | None = None
    ssl: _ssl.SSLContext | bool = True
    vendor_options: dict[str, Any] = field(default_factory=dict)


# The tasks running *our* handshake, so the redirect guard can sit on a caller-supplied
# ClientSession without touching that session's other requests. A set of tasks rather than a
# context variable: a variable set during the handshake is copied into the context of every
# timer aiohttp arms meanwhile -- the heartbeat's lives as long as the connection -- which
# cost two more GC-tracked objects per open connection.
_HANDSHAKE_TASKS: set[asyncio.Task[Any]] = set()


async def _guarded_ws_connect(
    session: aiohttp.ClientSession, url: str, kwargs: dict[str, Any]
) -> aiohttp.ClientWebSocketResponse[bool]:
    """``session.ws_connect`` with the redirect guard armed for this task."""
    task = asyncio.current_task()
    assert task is not None
    _HANDSHAKE_TASKS.add(task)
    try:
        return await session.ws_connect(url, **kwargs)
    finally:
        _HANDSHAKE_TASKS.discard(task)


@functools.lru_cache(maxsize=16)
def _ws_timeout(close_timeout: float | None) -> aiohttp.ClientWSTimeout:
    """One shared (immutable) timeout object per close timeout, not one per connection."""
    return aiohttp.ClientWSTimeout(ws_receive=None, ws_close=close_timeout)


async def _refuse_redirect(
    session: aiohttp.ClientSession,
    context: SimpleNamespace,
    params: aiohttp.TraceRequestRedirectParams,
) -> None:
    if asyncio.current_task() not in _HANDSHAKE_TASKS:
        return
    params.response.close()
    raise RedirectRefusedError(
        f"the WebSocket handshake answered HTTP {params.response.status} with a redirect; "
        "voicelive never follows redirects (credentials must not be forwarded). "
        "Use the final endpoint URL directly.",
        status_code=params.response.status,
    )


def _make_redirect_guard() -> aiohttp.TraceConfig:
    config = aiohttp.TraceConfig()
    config.on_request_redirect.append(_refuse_redirect)
    config.freeze()
    return config


_REDIRECT_GUARD = _make_redirect_guard()


def _ensure_redirect_guard(session: aiohttp.ClientSession) -> None:
    configs = session.trace_configs
    if _REDIRECT_GUARD not in configs:
        configs.append(_REDIRECT_GUARD)


# aiohttp's default session timeout (5 min total) arms a timer per request that, for a
# WebSocket, stays armed for 5 minutes after the handshake -- with the timeout handle, its
# timer context and their callback lists that is ~9 GC-tracked objects per open connection
# (a raw aiohttp loop pays them). voicelive's own session bounds the handshake itself
# instead (HANDSHAKE_LIMIT, the same 5 minutes, cancelled when the handshake ends).
_SHARED_SESSION_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=30)
HANDSHAKE_LIMIT = 300.0
"""Seconds a handshake on voicelive's own session may take without ``handshake_timeout``."""


class _SharedSessions:
    """One aiohttp ``ClientSession`` per event loop, shared by the connections voicelive opens.

    A ClientSession with its connector costs about 9 KiB and ~100 GC-tracked objects; a
    server holding thousands of voice sessions per process would pay that per connection (as
    the official SDK does). Sharing is reference-counted: the last connection to release the
    session closes it, so nothing outlives its users and aiohttp never warns about an
    unclosed session. The connector has no connection limit (aiohttp's default of 100 would
    make the 101st concurrent WebSocket wait for a pool slot).
    """

    def __init__(self) -> None:
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[Any]] = (
            weakref.WeakKeyDictionary()
        )

    def acquire(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        entry = self._by_loop.get(loop)
        if entry is None or entry[0].closed:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                trace_configs=[_REDIRECT_GUARD],
                timeout=_SHARED_SESSION_TIMEOUT,
            )
            entry = [session, 0]
            self._by_loop[loop] = entry
        entry[1] += 1
        return entry[0]  # type: ignore[no-any-return]

    async def release(self, session: aiohttp.ClientSession) -> None:
        entry = self._by_loop.get(asyncio.get_running_loop())
        if entry is None or entry[0] is not session:
            return  # already closed by its last user
        entry[1] -= 1
        if entry[1] <= 0:
            del self._by_loop[asyncio.get_running_loop()]
            await session.close()

    def users(self) -> int:
        """Connections currently holding this loop's shared session (for tests)."""
        entry = self._by_loop.get(asyncio.get_running_loop())
        return 0 if entry is None else int(entry[1])


SHARED_SESSIONS = _SharedSessions()


class ClientTransport:
    """One client WebSocket: send text, receive text/bytes, close. Not thread-safe."""

    __slots__ = (
        "_closed_by_app",
        "_owns_session",
        "_session",
        "_ws",
        "closed_code",
        "closed_reason",
        "receive_timeout",
    )

    def __init__(
        self,
        session: aiohttp.ClientSession,
        ws: aiohttp.ClientWebSocketResponse[bool],
        *,
        owns_session: bool,
        receive_timeout: float | None = None,
    ) -> None:
        self._session = session
        self._ws = ws
        self._owns_session = owns_session
        self.closed_code: int | None = None
        self.closed_reason: str = ""
        self._closed_by_app = False  # close() ran before any close from the server
        # Enforced here, not by aiohttp: aiohttp restarts its ``ws_receive`` timer after every
        # PING/PONG, so with a heartbeat shorter than the timeout a stall never timed out.
        self.receive_timeout = receive_timeout

    @classmethod
    async def open(
        cls,
        url: str,
        headers: Mapping[str, str],
        options: TransportOptions,
        *,
        session: aiohttp.ClientSession | None = None,
    ) -> ClientTransport:
        """Open the WebSocket (the HTTP upgrade).

        Raises:
            AuthenticationError: 401 / 403.
            RedirectRefusedError: the server answered with a redirect.
            HandshakeError: any other non-101 answer, or the handshake timed out.
            ConnectionError: the server could not be reached (DNS, refused, TLS).
        """
        owns = session is None
        client_session = SHARED_SESSIONS.acquire() if session is None else session
        if not owns:
            _ensure_redirect_guard(client_session)
        kwargs: dict[str, Any] = dict(options.vendor_options)
        kwargs.update(
            headers=dict(headers),
            max_msg_size=options.max_msg_size,
            heartbeat=options.heartbeat,
            autoclose=options.autoclose,
            autoping=options.autoping,
            timeout=_ws_timeout(options.close_timeout),
            ssl=options.ssl,
        )
        if options.compression is True:
            kwargs["compress"] = 15
        elif options.compression:
            kwargs["compress"] = int(options.compression)
        host = URL(url).host
        limit = options.handshake_timeout
        if limit is None and owns:
            limit = HANDSHAKE_LIMIT  # aiohttp's default, applied here (see above)
        try:
            connect = _guarded_ws_connect(client_session, url, kwargs)
            if limit is not None:
                ws = await asyncio.wait_for(connect, limit)
            else:
                ws = await connect
        except RedirectRefusedError:
            await _close_owned(client_session, owns)
            raise
        except aiohttp.ClientResponseError as exc:
            # aiohttp's WSServerHandshakeError (a non-101 answer), or the ClientResponseError
            # of a caller's session created with raise_for_status=True. Redirects never get
            # here: the redirect guard refuses them before aiohttp looks at the answer.
            await _close_owned(client_session, owns)
            status = exc.status
            if status in (401, 403):
                raise AuthenticationError(
                    f"authentication failed: the service at {host} answered HTTP {status}. "
                    "Check the API key or the token credential and its role assignment "
                    "(Cognitive Services User).",
                    status_code=status,
                ) from None
            raise HandshakeError(
                f"WebSocket handshake with {host} failed: HTTP {status} {exc.message}".rstrip(),
                status_code=status,
            ) from None
        except asyncio.TimeoutError:
            await _close_owned(client_session, owns)
            raise HandshakeError(
                f"WebSocket handshake with {host} timed out after {limit} s"
            ) from None
        except (aiohttp.ClientError, OSError) as exc:
            await _close_owned(client_session, owns)
            if _plain_server_answered_tls(exc):
                plain = "http:// or ws://"
                raise ConnectionError(
                    f"could not connect to {_host_port(url)} over TLS: the server does not "
                    f"speak TLS; use {plain} for a plain server such as the emulator "
                    f"({_safe_reason(exc)})"
                ) from None
            raise ConnectionError(
                f"could not connect to {host}: {type(exc).__name__}: {_safe_reason(exc)}"
            ) from None
        except BaseException:
            await _close_owned(client_session, owns)
            raise
        _reset_heartbeat_inline(ws)
        _drop_handshake_state(ws, owns=owns)
        return cls(client_session, ws, owns_session=owns, receive_timeout=options.receive_timeout)

    @property
    def closed(self) -> bool:
        """True once the socket is closed (by either side)."""
        return self._ws.closed

    async def send_text(self, text: str) -> None:
        """Send one text frame.

        Raises:
            ConnectionClosed: the socket is closed or closing.
        """
        ws = self._ws
        if ws.closed:
            await self._release_if_closed()
            raise self._send_after_close_error()
        try:
            await ws.send_str(text)
        except asyncio.CancelledError:
            _forget_cancelled_drain(ws)
            raise
        except (builtins.ConnectionError, aiohttp.ClientConnectionResetError) as exc:
            # builtins.ConnectionError: aiohttp wakes a send waiting for the socket to drain
            # with ConnectionError("Connection lost") when the peer vanishes.
            raise ConnectionClosedError(1006, "connection lost while sending") from exc
        except RuntimeError as exc:  # aiohttp: "Cannot write to closing transport"
            raise self._closed_error(default=1006) from exc

    async def send_bytes(self, data: bytes) -> None:
        """Send one binary frame (used by tests and the mock server's fault injection)."""
        if self._ws.closed:
            raise self._send_after_close_error()
        await self._ws.send_bytes(data)

    async def receive(self) -> str | bytes:
        """The next data frame.

        Raises:
            ConnectionClosedOK / ConnectionClosedError: the socket closed.
            MessageTooLargeError: the frame was over ``max_msg_size`` (the socket is then
                closed with 1009).
            ReceiveTimeoutError: ``receive_timeout`` elapsed with no frame.
        """
        ws = self._ws
        timeout = self.receive_timeout
        deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
        while True:
            try:
                if deadline is None:
                    msg = await ws.receive()
                else:
                    msg = await _receive_before(ws, deadline)
            except asyncio.TimeoutError:
                raise ReceiveTimeoutError(
                    "no frame received within receive_timeout; the connection is still open"
                ) from None
            kind = msg.type
            if kind is _TEXT or kind is _BINARY:
                return msg.data  # type: ignore[no-any-return]
            if kind is _PING or kind is _PONG:
                continue  # autoping answers pings; either way they are never errors
            await self._raise_closed(msg)

    def next_message(self) -> Awaitable[Any]:
        """The hot path of a receive with no ``receive_timeout``: aiohttp's own ``receive()``
        awaitable, handed to the caller so that a waiting reader holds one coroutine less
        (its frames are what every young garbage collection finds in flight). Pass the
        result to :func:`frame_data`; when that gives ``None``, finish with
        :meth:`receive_after`."""
        return self._ws.receive()

    async def receive_after(self, msg: Any) -> str | bytes:
        """Finish a receive whose message (from :meth:`next_message`) was not a data frame:
        PING/PONG are skipped (the next frame is read); a close or an error raises as
        :meth:`receive` does."""
        kind = msg.type
        if kind is _PING or kind is _PONG:
            return await self.receive()
        await self._raise_closed(msg)

    async def _raise_closed(self, msg: Any) -> NoReturn:
        """Raise the voicelive error for a CLOSE/CLOSING/CLOSED/ERROR message."""
        kind = msg.type
        if kind is aiohttp.WSMsgType.ERROR:
            error = self._error_from_exception(msg.data)
        else:  # CLOSE, CLOSING, CLOSED
            if kind is aiohttp.WSMsgType.CLOSE:
                self._record_close(msg.data, msg.extra)
            error = self._closed_error()
        await self._release_if_closed()
        raise error

    async def close(self, code: int, reason: str) -> None:
        """Close the socket (sending a close frame if still open), then an owned session."""
        try:
            if not self._ws.closed:
                # Record first: a task blocked in receive() wakes up during ws.close() and must
                # see our code (1000 -> its async for ends quietly), not a bare 1006.
                if self.closed_code is None:
                    self._closed_by_app = True
                self._record_close(code, reason)
                await self._ws.close(code=code, message=reason.encode())
        finally:
            _disarm_heartbeat(self._ws)
            if self._owns_session:  # release our reference to the shared session exactly once
                self._owns_session = False
                await _close_owned(self._session, True)

    async def _release_if_closed(self) -> None:
        """A socket closed by the peer (or lost) gives back its share of the shared session
        now, so an app that never calls ``close()`` (e.g. reconnects from its receive loop)
        leaks nothing; ``close()`` later is still fine (it releases exactly once)."""
        if self._ws.closed:
            _disarm_heartbeat(self._ws)
            if self._owns_session:
                self._owns_session = False
                await _close_owned(self._session, True)

    # -- helpers -------------------------------------------------------------

    def _record_close(self, code: Any, reason: Any) -> None:
        if self.closed_code is None:
            self.closed_code = code if isinstance(code, int) else None
            self.closed_reason = reason if isinstance(reason, str) else ""

    def _closed_error(self, default: int | None = None) -> ConnectionClosed:
        code = self.closed_code if self.closed_code is not None else self._ws.close_code
        if code is None:
            code = default
        reason = self.closed_reason
        if code is None or (code == 1006 and not reason):
            reason = reason or "connection lost (no close frame)"
        if self._ws.closed:  # remember it, so close_code reports a TCP loss as 1006
            self._record_close(1006 if code is None else code, reason)
        return closed_exception(code, reason)

    def _send_after_close_error(self) -> ConnectionClosed:
        """The error for a send on a closed socket, saying who closed it."""
        error = self._closed_error()
        if self._closed_by_app:
            text = (
                f"cannot send: the app closed this connection (close() with code {error.code}); "
                "open a new connection to send more"
            )
        elif error.code == 1006:
            # never empty: _closed_error gives a 1006 without a reason a default one
            text = f"cannot send: the connection was lost ({error.reason})"
        else:
            text = f"cannot send: the server closed the connection with code {error.code}"
            if error.reason:
                text += f": {error.reason}"
        error.message = text  # AzureError's __str__ shows .message
        error.args = (text,)
        return error

    def _error_from_exception(self, exc: BaseException) -> Exception:
        if isinstance(exc, aiohttp.WebSocketError) and exc.code == 1009:
            self._record_close(1009, "message too big")
            return MessageTooLargeError(
                f"server frame exceeds max_msg_size ({_safe_reason(exc)}); the connection was "
                "closed with 1009. Raise connection_options['max_msg_size'] if needed."
            )
        if isinstance(exc, aiohttp.ServerTimeoutError):
            # The heartbeat's PING got no PONG: aiohttp has already closed the socket. This is
            # a dead connection (1006), not a receive timeout on an open one.
            self._record_close(1006, "no PONG answer to the heartbeat PING; connection lost")
            return closed_exception(1006, self.closed_reason)
        # (aiohttp re-raises any other TimeoutError from receive() instead of returning it)
        code = exc.code if isinstance(exc, aiohttp.WebSocketError) else 1006
        self._record_close(code, _safe_reason(exc))
        error = closed_exception(code, _safe_reason(exc) or "connection lost")
        error.__cause__ = exc
        return error


_timeout_at: Any = getattr(asyncio, "timeout_at", None)  # Python 3.11+


def frame_data(msg: Any) -> str | bytes | None:
    """The payload of a TEXT/BINARY message from :meth:`ClientTransport.next_message`, else
    ``None`` (a control frame, a close or an error: :meth:`ClientTransport.receive_after`)."""
    kind = msg.type
    if kind is _TEXT or kind is _BINARY:
        return msg.data  # type: ignore[no-any-return]
    return None


async def _receive_before(ws: aiohttp.ClientWebSocketResponse[bool], deadline: float) -> Any:
    """``ws.receive()`` bounded by an absolute loop-time ``deadline`` that PING/PONG frames
    (handled inside aiohttp's ``receive``) do not push back."""
    if _timeout_at is not None:
        async with _timeout_at(deadline):
            return await ws.receive()
    remaining = deadline - asyncio.get_running_loop().time()
    return await asyncio.wait_for(ws.receive(), max(remaining, 0.0))


def _forget_cancelled_drain(ws: aiohttp.ClientWebSocketResponse[bool]) -> None:
    """Undo what a cancelled send leaves behind in aiohttp.

    A send that waits for the socket to drain awaits one future shared by every later drain
    (``_drain_waiter``); cancelling the send cancels that future, and until the socket drains,
    each following send that has to wait would raise ``CancelledError`` in a task nobody
    cancelled. Dropping the cancelled future makes the next send wait on a fresh one.
    """
    protocol = getattr(getattr(ws, "_writer", None), "protocol", None)
    waiter = getattr(protocol, "_drain_waiter", None)
    if waiter is not None and waiter.cancelled():
        protocol._drain_waiter = None  # type: ignore[union-attr]


def _drop_handshake_state(ws: aiohttp.ClientWebSocketResponse[bool], *, owns: bool) -> None:
    """Let go of what only the handshake needed, once the socket is upgraded.

    Every open connection's objects are walked by every full garbage collection. aiohttp
    keeps the HTTP response parser of the upgrade on the socket's protocol (7 GC-tracked
    objects with its message and header lists) though an upgraded connection never parses
    HTTP again: its data goes to the WebSocket reader, and a connection loss finds no parser
    and reports the same error. It also keeps the request's traces (a ``Trace`` and its
    context namespace per trace config) on the response, though a WebSocket never reads a
    response body, the only later event they could see; on voicelive's own session
    (``owns``) the only trace config is the redirect guard, whose job ended with the
    handshake.
    """
    protocol = getattr(getattr(ws, "_conn", None), "protocol", None)
    if getattr(protocol, "upgraded", False) and getattr(protocol, "_parser", None) is not None:
        protocol._parser = None  # type: ignore[union-attr]
    if owns:
        traces = getattr(getattr(ws, "_response", None), "_traces", None)
        if type(traces) is list:
            traces.clear()


def _reset_heartbeat_inline(ws: aiohttp.ClientWebSocketResponse[bool]) -> None:
    """Push the heartbeat back in the socket's data callback itself, not one loop turn later.

    aiohttp (3.11+) answers every chunk of received data with ``loop.call_soon`` of a flush
    that moves the heartbeat deadline: a ``Handle``, a bound method and a copied ``Context``
    per frame, alive until the next loop turn. With thousands of sessions receiving at once
    those three objects per frame are what tips the collector into young collections (and
    promotes whatever is in flight). Moving the deadline is two float operations -- the
    armed timer is never rescheduled per frame: when it fires early it re-arms itself at the
    new deadline -- so doing it inline keeps the heartbeat exactly as before (PING after
    ``heartbeat`` s without data, any data cancels a pending PONG wait) and allocates
    nothing. aiohttp versions without this callback, or whose reset re-arms the timer, are
    left as they are.
    """
    conn = getattr(ws, "_conn", None)
    protocol = getattr(conn, "protocol", None)
    reset = getattr(ws, "_reset_heartbeat", None)
    on_data = getattr(ws, "_on_data_received", None)
    if reset is None or on_data is None or protocol is None:
        return
    if not hasattr(ws, "_heartbeat_when"):  # a reset that re-arms the timer: keep coalescing
        return
    if getattr(protocol, "_data_received_cb", None) == on_data:
        protocol._data_received_cb = reset


def _disarm_heartbeat(ws: aiohttp.ClientWebSocketResponse[bool]) -> None:
    """Stop the heartbeat of a closed socket for good.

    aiohttp re-arms the heartbeat timer when the peer's close frame arrives *after* we started
    closing, and that timer (``heartbeat`` seconds, 30 by default) keeps the closed
    connection -- socket wrapper, parser, session, connector -- alive until it fires. With
    ``_heartbeat`` cleared no new timer is armed; the cancel drops one already armed.
    """
    if getattr(ws, "_heartbeat", None) is not None:
        ws._heartbeat = None
    cancel = getattr(ws, "_cancel_heartbeat", None)
    if cancel is not None:
        cancel()


async def _close_owned(session: aiohttp.ClientSession, owns: bool) -> None:
    """Release our reference to the shared session (never touches a caller's session)."""
    if owns:
        await SHARED_SESSIONS.release(session)


# OpenSSL's reasons when the peer answers a TLS ClientHello in plain HTTP.
_PLAIN_PEER_SSL_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "PACKET_LENGTH_TOO_LONG", "RECORD_LAYER_FAILURE", "HTTP_REQUEST"}
)


def _plain_server_answered_tls(exc: BaseException) -> bool:
    """True when a TLS handshake failed because the server speaks plain HTTP."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _ssl.SSLError):
            reason = getattr(current, "reason", None)
            if reason in _PLAIN_PEER_SSL_REASONS or "WRONG_VERSION_NUMBER" in str(current):
                return True
        nested = getattr(current, "os_error", None)  # aiohttp.ClientConnectorError
        if isinstance(nested, BaseException) and id(nested) not in seen:
            current = nested
            continue
        current = current.__cause__ or current.__context__
    return False


def _host_port(url: str) -> str:
    parsed = URL(url)  # yarl fills in the scheme's default port
    return f"{parsed.host}:{parsed.port}"


def _safe_reason(exc: BaseException) -> str:
    """A short exception text. aiohttp's texts hold host/port/status, never headers."""
    return str(exc)[:200]


# --------------------------------------------------------------------------- server


class ServerTransport:
    """One accepted WebSocket on :class:`WebSocketServer` (used by the test kit)."""

    __slots__ = ("_request", "_ws", "headers", "path", "query")

    def __init__(self, request: web.Request, ws: web.WebSocketResponse) -> None:
        self._request = request
        self._ws = ws
        self.path: str = request.path
        self.query: dict[str, str] = dict(request.query)
        self.headers: dict[str, str] = dict(request.headers)

    @property
    def closed(self) -> bool:
        """True once the socket is closed or closing."""
        return self._ws.closed

    async def receive(self) -> str | bytes:
        """The next data frame from the client; raises ``ConnectionClosed*`` at the end."""
        msg = await self._ws.receive()
        kind = msg.type
        if kind is aiohttp.WSMsgType.TEXT or kind is aiohttp.WSMsgType.BINARY:
            return msg.data  # type: ignore[no-any-return]
        # No PING/PONG gets here: the socket has autoping on, so aiohttp answers and drops
        # them inside receive().
        if kind is aiohttp.WSMsgType.ERROR:
            exc = msg.data
            if isinstance(exc, aiohttp.WebSocketError) and exc.code == 1009:
                raise MessageTooLargeError(f"client frame too large: {exc}")
            raise ConnectionClosedError(1006, _safe_reason(exc))
        # CLOSE, CLOSING, CLOSED: aiohttp has set the socket's close code (a CLOSE's own code)
        raise closed_exception(self._ws.close_code, str(msg.extra or ""))

    async def send_text(self, text: str) -> None:
        """Send one text frame; raises :class:`ConnectionClosedError` if the peer is gone."""
        try:
            await self._ws.send_str(text)
        except (ConnectionResetError, RuntimeError) as exc:
            raise ConnectionClosedError(1006, "client went away") from exc

    async def send_bytes(self, data: bytes) -> None:
        """Send one binary frame."""
        try:
            await self._ws.send_bytes(data)
        except (ConnectionResetError, RuntimeError) as exc:
            raise ConnectionClosedError(1006, "client went away") from exc

    async def ping(self, data: bytes = b"") -> None:
        """Send a PING control frame."""
        await self._ws.ping(data)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with ``code`` and ``reason`` (a real close frame)."""
        if not self._ws.closed:
            await self._ws.close(code=code, message=reason.encode())

    def drop(self) -> None:
        """Abort the TCP connection with no close frame (the client sees 1006)."""
        transport = self._request.transport
        if transport is not None:
            transport.abort()


ServerHandler = Callable[[ServerTransport], Awaitable[None]]


class WebSocketServer:
    """A WebSocket server on loopback, answering every path with ``handler``.

    Args:
        handler: coroutine run once per accepted WebSocket; the socket is closed after it.
        host: address to bind (loopback by default).
        port: port to bind, 0 for a free one.
        max_msg_size: largest client frame accepted.
        authorize: optional check of the handshake headers/query; return an HTTP status
            (e.g. 401) to refuse the upgrade, or ``None`` to accept.
        ssl_context: serve TLS (``wss://``) with this server-side context.
    """

    def __init__(
        self,
        handler: ServerHandler,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_msg_size: int = 16 * 1024 * 1024,
        authorize: Callable[[Mapping[str, str], Mapping[str, str]], int | None] | None = None,
        ssl_context: _ssl.SSLContext | None = None,
    ) -> None:
        self._handler = handler
        self.ssl_context = ssl_context
        self.host = host
        self._port = port
        self._max_msg_size = max_msg_size
        self._authorize = authorize
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._sockets: set[web.WebSocketResponse] = set()

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        if self._site is None:
            raise RuntimeError("server not started")
        server = self._site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        return int(sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Bind and start serving."""
        from aiohttp import web  # server side only: not paid by ``import voicelive.aio``

        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._serve)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(
            runner, self.host, self._port, backlog=4096, ssl_context=self.ssl_context
        )
        await site.start()
        self._runner, self._site = runner, site

    async def stop(self) -> None:
        """Close every open socket (1001 going away) and stop listening."""
        for ws in list(self._sockets):
            if not ws.closed:
                await ws.close(code=1001, message=b"server shutdown")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = self._site = None

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        if self._authorize is not None:
            status = self._authorize(request.headers, request.query)
            if status is not None:
                return web.Response(status=status, text="refused by test server")
        ws = web.WebSocketResponse(max_msg_size=self._max_msg_size, autoping=True)
        await ws.prepare(request)
        self._sockets.add(ws)
        try:
            await self._handler(ServerTransport(request, ws))
        except ConnectionClosed:
            pass
        except Exception:  # a handler bug must not kill the server; it is logged
            _log.exception("mock server handler failed")
            if not ws.closed:
                await ws.close(code=1011, message=b"handler error")
        finally:
            self._sockets.discard(ws)
        return ws  # aiohttp closes a returned socket still open (1000) as the response ends
