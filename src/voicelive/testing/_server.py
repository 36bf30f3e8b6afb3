"""``MockServer``: a Voice Live WebSocket server on 127.0.0.1 for tests and local development.

By default each accepted connection is served by an :class:`~voicelive.testing.Emulator`
(the service's behaviour for every client event, deterministic ids, real audio). Pass a
*handler* coroutine instead to script a connection by hand, or use :meth:`MockServer.replay`
to play back a recorded cassette. Faults (:class:`~voicelive.testing.Fault`) apply to all
three.

The server speaks through the same sans-I/O protocol core as the client
(:class:`voicelive._protocol.VoiceLiveProtocol`, server side), so what it accepts and sends
follows the very rules the client uses. Every client event received is recorded
(``server.received``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import ssl as ssl_module
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from .._logging import get_logger
from .._protocol import Side, VoiceLiveProtocol, closed_exception
from ..aio._transport import ServerTransport, WebSocketServer
from ..exceptions import ConnectionClosed, ConnectionClosedError, RemoteProtocolError
from ..models import ClientEvent, ResponseSession, ServerEventBase
from ._emulator import Emulator, WireEvent
from ._emulator import default_session as _default_session_dict
from ._faults import Fault
from ._responders import Responder, Transcriber

if TYPE_CHECKING:
    from ._cassette import Cassette, CassetteMismatchError, MatchMode

__all__ = [
    "MockServer",
    "MockServerConnection",
    "Pace",
    "ServerHandler",
    "default_session",
    "run_emulator",
]

_log = get_logger("testing")

Pace = Literal["fast", "realtime"] | float
"""How fast the emulator streams responses: ``"fast"`` (no waiting, only yielding to the
event loop between steps so that cancels and barge-in land mid-response), ``"realtime"``
(audio at playback speed) or a float speed factor (``2.0``: twice real time)."""


class MockServerConnection:
    """One client connected to a :class:`MockServer` (the server's view of it).

    Attributes:
        received: client events received on this connection, in order.
        received_frames: the raw client frames (text or bytes) received, in order,
            including ones that failed to decode.
        sent: server frames (JSON text) sent on this connection, in order.
        query: the handshake's query parameters.
        headers: the handshake headers (secret values are *not* redacted here: tests may need
            to check them; never log this mapping).
        path: the request path.
        index: 1 for the server's first connection, then 2, 3, ...
        emulator: the :class:`~voicelive.testing.Emulator` serving this connection (``None``
            with a custom handler or a replay).
    """

    def __init__(self, transport: ServerTransport, server: MockServer, index: int = 1) -> None:
        self._transport = transport
        self._server = server
        self.index = index
        self.protocol = VoiceLiveProtocol(Side.SERVER, max_message_size=None)
        self.received: list[ClientEvent] = []
        self.received_frames: list[str | bytes] = []
        self.sent: list[str] = []
        self.query: dict[str, str] = transport.query
        self.headers: dict[str, str] = transport.headers
        self.path: str = transport.path
        self.emulator: Emulator | None = None
        self._history = server.keep_history
        self._dead: int | None = None
        self._sent_counts: dict[str, int] = {}
        self._received_counts: dict[str, int] = {}
        self._fired: set[int] = set()

    def __repr__(self) -> str:
        return f"<MockServerConnection path={self.path!r} received={len(self.received)}>"

    @property
    def closed(self) -> bool:
        """True once the socket is closed (or a fault closed/dropped it)."""
        return self._dead is not None or self._transport.closed

    # ------------------------------------------------------------------ receiving

    async def _next(self) -> tuple[str | bytes, ClientEvent | RemoteProtocolError]:
        self._check_alive()
        data = await self._transport.receive()
        if self._history:
            self.received_frames.append(data)
        try:
            event = self.protocol.decode_client_frame(data)
        except RemoteProtocolError as exc:
            return data, exc
        if self._history:
            self.received.append(event)
            self._server.received.append(event)
        if self._server.faults:
            await self._count_and_fire(
                self._received_counts, "after_client", event.type, before=False
            )
            self._check_alive()
        return data, event

    async def recv(self) -> ClientEvent:
        """The next client event.

        Raises:
            ConnectionClosed: the client closed (or vanished), or a fault closed the socket.
            InvalidEventError / MalformedFrameError: the frame is not a valid client event
                (the connection stays usable).
        """
        _, result = await self._next()
        if isinstance(result, RemoteProtocolError):
            raise result
        return result

    async def recv_frame(self) -> str | bytes:
        """The next raw client frame (text or bytes), whether or not it is a valid event."""
        data, _ = await self._next()
        return data

    async def __aiter__(self) -> AsyncIterator[ClientEvent]:
        """Client events until the client closes."""
        while True:
            try:
                yield await self.recv()
            except ConnectionClosed:
                return

    # ------------------------------------------------------------------ sending

    async def send(self, event: ServerEventBase | Mapping[str, Any]) -> None:
        """Send a server event (model or dict)."""
        if isinstance(event, ServerEventBase):
            await self._send_text(event.to_wire_json(), event.type)
        else:
            text = self.protocol.encode_server_event(event)
            await self._send_text(text, str(event.get("type")))

    async def send_raw(self, data: str | bytes) -> None:
        """Send a frame as is: text for ``str``, binary for ``bytes`` (fault injection)."""
        if isinstance(data, str):
            await self._send_text(data, _peek_type(data) if self._server.faults else None)
        else:
            self._check_alive()
            await self._transport.send_bytes(data)

    async def _send_text(self, text: str, event_type: str | None) -> None:
        self._check_alive()
        faults = bool(self._server.faults)
        if faults:
            await self._count_and_fire(self._sent_counts, "before", event_type, before=True)
            self._check_alive()
        if self._history:
            self.sent.append(text)
        await self._transport.send_text(text)
        if faults:
            await self._count_and_fire(self._sent_counts, "after", event_type, before=False)

    async def ping(self, data: bytes = b"") -> None:
        """Send a WebSocket PING."""
        self._check_alive()
        try:
            await self._transport.ping(data)
        except (ConnectionResetError, RuntimeError) as exc:
            raise ConnectionClosedError(1006, "client went away") from exc

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with a real close frame."""
        await self._transport.close(code, reason)

    def drop(self) -> None:
        """Abort the TCP connection without a close frame (client sees 1006)."""
        self._dead = 1006
        self._transport.drop()

    # ------------------------------------------------------------------ faults

    def _check_alive(self) -> None:
        if self._dead is not None:
            raise closed_exception(self._dead, "closed by an injected fault")

    async def _count_and_fire(
        self, counts: dict[str, int], trigger: str, event_type: str | None, *, before: bool
    ) -> None:
        key = event_type or "?"
        n_type = counts.get(key, 0) + 1
        n_all = counts.get("*", 0) + 1
        if not before:
            counts[key] = n_type
            counts["*"] = n_all
        for index, fault in enumerate(self._server.faults):
            if fault.trigger != trigger:
                continue
            if fault.event_type == "*":
                if n_all != fault.count:
                    continue
            elif fault.event_type != event_type or n_type != fault.count:
                continue
            await self._fire(index, fault)
            if self._dead is not None:
                return

    async def _fire(self, index: int, fault: Fault) -> None:
        fired = self._fired if fault.all_connections else self._server._fired_faults
        if index in fired:
            return
        fired.add(index)
        self._server.faults_fired.append((self.index, fault))
        _log.debug("connection %d: injecting fault %s", self.index, fault.describe())
        transport = self._transport
        action = fault.action
        if action == "stall":
            await asyncio.sleep(fault.ms / 1000.0)
        elif action == "drop" or (action == "close" and fault.code == 1006):
            self._dead = 1006
            transport.drop()
        elif action == "close":
            self._dead = fault.code
            await transport.close(fault.code, fault.reason)
        elif action == "ping":
            frame = fault.frame
            await self.ping(frame if isinstance(frame, bytes) else frame.encode())
        elif isinstance(fault.frame, bytes):
            await transport.send_bytes(fault.frame)
        else:
            await transport.send_text(fault.frame)

    async def _fire_on_connect(self) -> None:
        for index, fault in enumerate(self._server.faults):
            if fault.trigger == "connect":
                await self._fire(index, fault)
                if self._dead is not None:
                    return


def _peek_type(text: str) -> str | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    event_type = value.get("type") if isinstance(value, dict) else None
    return event_type if isinstance(event_type, str) else None


ServerHandler = Callable[[MockServerConnection], Awaitable[None]]
"""A coroutine function run once per accepted connection."""


def default_session(session_id: str | None = None) -> ResponseSession:
    """The session the built-in emulator reports in ``session.created`` (as a model)."""
    return ResponseSession.model_validate(
        _default_session_dict(session_id or f"sess_{secrets.token_hex(8)}")
    )


def _pace_speed(pace: Pace) -> float | None:
    if pace == "fast":
        return None
    if pace == "realtime":
        return 1.0
    if isinstance(pace, (int, float)) and not isinstance(pace, bool) and pace > 0:
        return float(pace)
    raise ValueError(f"pace must be 'fast', 'realtime' or a positive speed factor, got {pace!r}")


async def run_emulator(
    connection: MockServerConnection, emulator: Emulator, pace: Pace = "fast"
) -> None:
    """Serve one connection with ``emulator`` until the client goes away.

    One task reads client events and feeds them to the emulator; another streams the active
    response step by step. A lock makes every emulator call plus the sending of its events
    atomic, so frames always leave in the order the emulator produced them.
    """
    speed = _pace_speed(pace)
    lock = asyncio.Lock()
    wake = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def emit(events: list[WireEvent]) -> None:
        for event in events:
            await connection.send(event)

    async def pump() -> None:
        try:
            while True:
                await wake.wait()
                wake.clear()
                deadline: float | None = None
                while emulator.response_active:
                    async with lock:
                        await emit(emulator.step())
                        step_ms = emulator.last_step_ms
                    if speed is None:
                        await asyncio.sleep(0)
                        continue
                    now = loop.time()
                    deadline = (deadline if deadline is not None else now) + (
                        step_ms / 1000.0 / speed
                    )
                    await asyncio.sleep(max(0.0, deadline - now))
        except ConnectionClosed:
            return
        except Exception:
            with contextlib.suppress(Exception):
                await connection.close(1011, "emulator error")
            raise

    async with lock:
        await emit(emulator.start())
    task = asyncio.create_task(pump())
    try:
        while True:
            try:
                event = await connection.recv()
            except RemoteProtocolError as exc:
                async with lock:
                    await emit(emulator.reject(exc))
                continue
            async with lock:
                await emit(emulator.receive(event))
            if emulator.response_active:
                wake.set()
    except ConnectionClosed:
        pass
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class MockServer:
    """A Voice Live server on loopback: ``async with MockServer() as server:``.

    With no ``handler``, every connection is served by an
    :class:`~voicelive.testing.Emulator` that behaves like the service.

    Args:
        handler: coroutine run for each accepted connection instead of the emulator.
        host: bind address (loopback by default).
        port: bind port (0 picks a free one).
        api_key: when set, the handshake must carry ``api-key: <api_key>`` or a bearer
            token, else the server answers HTTP 401 (to test authentication failures).
        responder: what the emulated model says (default
            :class:`~voicelive.testing.EchoResponder`); shared by all connections.
        transcriber: the emulator's speech-to-text stand-in.
        session: keys overriding the emulator's initial session (wire form).
        pace: how fast responses stream, see :data:`Pace`.
        faults: :class:`~voicelive.testing.Fault` objects to inject.
        emulator_options: extra keyword arguments for each
            :class:`~voicelive.testing.Emulator` (``ms_per_char``, ``max_audio_ms``, ...).
        keep_history: record ``received`` / ``received_frames`` / ``sent`` (turn off for very
            long streams).
        ssl: serve TLS with this server-side ``ssl.SSLContext``; :attr:`endpoint` is then
            ``https://`` (for clients that always use ``wss://``, such as pipecat's Voice Live
            service; the client must trust the context's certificate).

    Attributes:
        received: every client event received, over all connections, in order.
        connections: every accepted connection, in order.
        faults_fired: ``(connection index, fault)`` for every fault that fired.
        mismatches: replay mismatches (see :meth:`replay`); :meth:`check` raises the first.
        errors: exceptions raised by the built-in emulator or replay (bugs); :meth:`check`
            raises the first.
    """

    def __init__(
        self,
        handler: ServerHandler | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        responder: Responder | None = None,
        transcriber: Transcriber | None = None,
        session: Mapping[str, Any] | None = None,
        pace: Pace = "fast",
        faults: Sequence[Fault] = (),
        emulator_options: Mapping[str, Any] | None = None,
        keep_history: bool = True,
        ssl: ssl_module.SSLContext | None = None,
    ) -> None:
        _pace_speed(pace)
        self._handler: ServerHandler = handler or self._emulate
        self._builtin = handler is None
        self._api_key = api_key
        self._server = WebSocketServer(
            self._serve,
            host=host,
            port=port,
            authorize=self._authorize if api_key else None,
            ssl_context=ssl,
        )
        self.responder = responder
        self.transcriber = transcriber
        self.session = dict(session) if session else None
        self.pace: Pace = pace
        self.faults: list[Fault] = list(faults)
        self.emulator_options: dict[str, Any] = dict(emulator_options or {})
        self.keep_history = keep_history
        self.received: list[ClientEvent] = []
        self.connections: list[MockServerConnection] = []
        self.faults_fired: list[tuple[int, Fault]] = []
        self.mismatches: list[CassetteMismatchError] = []
        self.errors: list[BaseException] = []
        self._fired_faults: set[int] = set()
        self._connected = asyncio.Event()

    @classmethod
    def replay(
        cls,
        cassette: str | Path | Cassette,
        *,
        timing: Literal["fast", "real"] = "fast",
        match: MatchMode = "type",
        **kwargs: Any,
    ) -> MockServer:
        """A server that plays back a recorded cassette to every connection.

        The recorded server frames are sent in order; before each, the server waits for the
        client frames the recording had before it and compares them with ``match``:
        ``"type"`` (same event ``type``), ``"strict"`` (the same JSON except ``event_id`` and
        audio payload bytes) or a callable ``(expected, got) -> bool`` on the parsed JSON.
        On a mismatch the client gets an ``error`` event (code ``cassette_mismatch``) and a
        1011 close, and the server records a
        :class:`~voicelive.testing.CassetteMismatchError` naming the expected and the
        received frame; leaving ``async with`` raises it.

        Args:
            cassette: a :class:`~voicelive.testing.Cassette` or the path of a ``.jsonl`` file.
            timing: ``"fast"`` ignores the recorded time offsets, ``"real"`` reproduces the
                gaps between frames.
            match: how client frames are compared.
            kwargs: other :class:`MockServer` arguments (``host``, ``port``, ``api_key``,
                ``faults``, ...).
        """
        from ._cassette import Cassette
        from ._replay import Replayer

        loaded = cassette if isinstance(cassette, Cassette) else Cassette.load(cassette)
        server = cls(**kwargs)
        server._handler = Replayer(server, loaded, timing=timing, match=match)
        server._builtin = True
        return server

    def __repr__(self) -> str:
        state = "running" if self._started else "stopped"
        return f"<MockServer {state} connections={len(self.connections)}>"

    @property
    def _started(self) -> bool:
        try:
            self._server.port  # noqa: B018
        except RuntimeError:
            return False
        return True

    @property
    def endpoint(self) -> str:
        """The ``http://127.0.0.1:<port>`` URL to pass to ``connect(endpoint=...)``
        (``https://`` when the server was given an ``ssl`` context)."""
        scheme = "http" if self._server.ssl_context is None else "https"
        return f"{scheme}://{self._server.host}:{self._server.port}"

    @property
    def host(self) -> str:
        """The bind address."""
        return self._server.host

    @property
    def port(self) -> int:
        """The bound port."""
        return self._server.port

    async def start(self) -> None:
        """Start listening."""
        await self._server.start()

    async def stop(self) -> None:
        """Close every connection (1001) and stop listening."""
        await self._server.stop()

    async def serve_forever(self) -> None:
        """Start (if needed) and serve until cancelled; then stop. For CLIs."""
        if not self._started:
            await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    async def __aenter__(self) -> MockServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
        if exc is None or isinstance(exc, Exception):
            self.check()

    def check(self) -> None:
        """Raise the first replay mismatch or emulator error recorded so far, if any."""
        if self.mismatches:
            raise self.mismatches[0]
        if self.errors:
            raise self.errors[0]

    async def wait_for_connection(self, timeout: float = 5.0) -> MockServerConnection:
        """The first accepted connection, waiting for it if needed."""
        await asyncio.wait_for(self._connected.wait(), timeout)
        return self.connections[0]

    def _authorize(self, headers: Mapping[str, str], query: Mapping[str, str]) -> int | None:
        key = headers.get("api-key")
        if key is not None and secrets.compare_digest(key, self._api_key or ""):
            return None
        if headers.get("Authorization", "").startswith("Bearer "):
            return None
        return 401

    def new_emulator(self, connection: MockServerConnection) -> Emulator:
        """The :class:`~voicelive.testing.Emulator` for a new connection."""
        n = connection.index
        query = connection.query
        options = dict(self.emulator_options)
        if query.get("agent-name") and "agent" not in options:
            # agent mode: the agent-name / agent-project-name query parameters
            options["agent"] = {
                "name": query.get("agent-name"),
                "project_name": query.get("agent-project-name"),
                "conversation_id": query.get("conversation-id"),
            }
        return Emulator(
            responder=self.responder,
            transcriber=self.transcriber,
            session=self.session,
            session_id=f"sess_{n:04d}",
            conversation_id=f"conv_{n:04d}",
            model=query.get("model") or "gpt-realtime",
            **options,
        )

    async def _emulate(self, connection: MockServerConnection) -> None:
        emulator = self.new_emulator(connection)
        connection.emulator = emulator
        await run_emulator(connection, emulator, self.pace)

    async def _serve(self, transport: ServerTransport) -> None:
        connection = MockServerConnection(transport, self, len(self.connections) + 1)
        self.connections.append(connection)
        self._connected.set()
        try:
            if self.faults:
                await connection._fire_on_connect()
                if connection.closed:
                    return
            await self._handler(connection)
        except ConnectionClosed:
            pass
        except Exception as exc:
            if self._builtin:
                self.errors.append(exc)
            raise
