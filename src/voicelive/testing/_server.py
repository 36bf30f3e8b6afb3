"""``MockServer``: a Voice Live WebSocket server on 127.0.0.1 for tests.

It speaks through the same sans-I/O protocol core as the client
(:class:`voicelive._protocol.VoiceLiveProtocol`, server side), so what it accepts and sends
follows the very rules the client uses. Each accepted WebSocket is a
:class:`MockServerConnection` handed to a *handler* coroutine: yours, or the built-in
behaviour. Every client event received is recorded (``server.received``).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any

from .._protocol import Side, VoiceLiveProtocol
from ..aio._transport import ServerTransport, WebSocketServer
from ..exceptions import ConnectionClosed
from ..models import ClientEvent, ResponseSession, ServerEventBase, ServerEventSessionCreated

__all__ = ["MockServer", "MockServerConnection", "ServerHandler"]


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
    """

    def __init__(self, transport: ServerTransport, server: MockServer) -> None:
        self._transport = transport
        self._server = server
        self.protocol = VoiceLiveProtocol(Side.SERVER, max_message_size=None)
        self.received: list[ClientEvent] = []
        self.received_frames: list[str | bytes] = []
        self.sent: list[str] = []
        self.query: dict[str, str] = transport.query
        self.headers: dict[str, str] = transport.headers
        self.path: str = transport.path

    def __repr__(self) -> str:
        return f"<MockServerConnection path={self.path!r} received={len(self.received)}>"

    @property
    def closed(self) -> bool:
        """True once the socket is closed."""
        return self._transport.closed

    async def recv(self) -> ClientEvent:
        """The next client event.

        Raises:
            ConnectionClosed: the client closed (or vanished).
            InvalidEventError / MalformedFrameError: the frame is not a valid client event
                (the connection stays usable).
        """
        data = await self._transport.receive()
        self.received_frames.append(data)
        event = self.protocol.decode_client_frame(data)
        self.received.append(event)
        self._server.received.append(event)
        return event

    async def __aiter__(self) -> AsyncIterator[ClientEvent]:
        """Client events until the client closes."""
        while True:
            try:
                yield await self.recv()
            except ConnectionClosed:
                return

    async def send(self, event: ServerEventBase | Mapping[str, Any]) -> None:
        """Send a server event (model or dict)."""
        await self.send_raw(self.protocol.encode_server_event(event))

    async def send_raw(self, data: str | bytes) -> None:
        """Send a frame as is: text for ``str``, binary for ``bytes`` (fault injection)."""
        if isinstance(data, str):
            self.sent.append(data)
            await self._transport.send_text(data)
        else:
            await self._transport.send_bytes(data)

    async def ping(self, data: bytes = b"") -> None:
        """Send a WebSocket PING."""
        await self._transport.ping(data)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with a real close frame."""
        await self._transport.close(code, reason)

    def drop(self) -> None:
        """Abort the TCP connection without a close frame (client sees 1006)."""
        self._transport.drop()


ServerHandler = Callable[[MockServerConnection], Awaitable[None]]
"""A coroutine function run once per accepted connection."""


def default_session(session_id: str | None = None) -> ResponseSession:
    """The session the built-in behaviour reports in ``session.created``."""
    return ResponseSession.model_validate(
        {
            "id": session_id or f"sess_{secrets.token_hex(8)}",
            "model": "gpt-realtime",
            "modalities": ["text", "audio"],
            "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
            "input_audio_sampling_rate": 24000,
            "turn_detection": {
                "type": "server_vad",
                "threshold": 0.5,
                "prefix_padding_ms": 300,
                "silence_duration_ms": 500,
            },
            "tools": [],
            "tool_choice": "auto",
            "temperature": 0.8,
            "max_response_output_tokens": "inf",
        }
    )


async def greet_and_record(connection: MockServerConnection) -> None:
    """Minimal behaviour: send ``session.created``, then record client events until close."""
    await connection.send(ServerEventSessionCreated(event_id="event_0", session=default_session()))
    async for _event in connection:
        pass


class MockServer:
    """A Voice Live server on loopback for tests: ``async with MockServer() as server:``.

    Args:
        handler: coroutine run for each accepted connection (default: send
            ``session.created`` and record client events).
        host: bind address (loopback by default).
        port: bind port (0 picks a free one).
        api_key: when set, the handshake must carry ``api-key: <api_key>`` or a bearer
            token, else the server answers HTTP 401 (to test authentication failures).

    Attributes:
        received: every client event received, over all connections, in order.
        connections: every accepted connection, in order.
    """

    def __init__(
        self,
        handler: ServerHandler | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
    ) -> None:
        self._handler: ServerHandler = handler or greet_and_record
        self._api_key = api_key
        self._server = WebSocketServer(
            self._serve, host=host, port=port, authorize=self._authorize if api_key else None
        )
        self.received: list[ClientEvent] = []
        self.connections: list[MockServerConnection] = []
        self._connected = asyncio.Event()

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
        """The ``http://127.0.0.1:<port>`` URL to pass to ``connect(endpoint=...)``."""
        return f"http://{self._server.host}:{self._server.port}"

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

    async def _serve(self, transport: ServerTransport) -> None:
        connection = MockServerConnection(transport, self)
        self.connections.append(connection)
        self._connected.set()
        await self._handler(connection)
