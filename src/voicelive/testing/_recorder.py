"""Recording live sessions to cassettes: a recording proxy and ``record()``.

:class:`CassetteRecorder` is a WebSocket proxy on 127.0.0.1: the app connects to
``recorder.endpoint`` instead of the service, the recorder opens the same path and query on
the real ``upstream`` endpoint with the app's handshake headers, forwards every frame both
ways untouched and writes them to a cassette. It records the frames exactly as they crossed
the wire, works with any client (this library, the official SDK, another language) and needs
no hook in the client.

Credentials never reach the cassette: handshake headers are not recorded, the ``api-key`` /
``Authorization`` query parameters are dropped, and secret-looking JSON keys inside frames
(an MCP tool's ``authorization``, ``headers``, ...) are masked. ``audio_max_bytes`` shortens
audio payloads to keep cassettes small.

Limitation: the proxy accepts the app's WebSocket before it connects upstream, so when the
service refuses the handshake (401, 404...) the app sees a close with code 1008 (credentials)
or 1011 (anything else) carrying the upstream status, instead of the HTTP error itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode, urlsplit

from .._logging import get_logger
from ..aio._transport import ClientTransport, TransportOptions
from ..exceptions import AuthenticationError, ConnectionClosed, VoiceLiveError
from ._cassette import Cassette, CassetteFrame, now_iso, scrub_event, scrub_query, shorten_audio
from ._server import MockServer, MockServerConnection

if TYPE_CHECKING:
    from ..aio import VoiceLiveConnection

__all__ = ["CassetteRecorder", "record"]

_log = get_logger("testing")

_HOP_HEADERS = frozenset(
    {
        "host",
        "upgrade",
        "connection",
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
        "sec-websocket-protocol",
        "sec-websocket-accept",
        "content-length",
        "transfer-encoding",
    }
)
_UNSENDABLE = frozenset({1005, 1006, 1015})


class CassetteRecorder:
    """A recording WebSocket proxy in front of a Voice Live endpoint.

    Args:
        upstream: the real endpoint (``https://<resource>.services.ai.azure.com``, or a
            ``http://127.0.0.1:<port>`` emulator).
        path: where to write the cassette of the first connection (the ``n``-th connection
            goes to ``<stem>-<n><suffix>``); ``None`` keeps cassettes in memory only.
        audio_max_bytes: cut audio payloads to this many bytes (``None``: keep all audio).
        shorten: which audio ``audio_max_bytes`` applies to: ``"input"`` (the app's appends),
            ``"output"`` (``response.audio.delta``) or ``"both"``. Keep the output whole when
            the app's behaviour depends on how much audio it received (e.g. the
            ``audio_end_ms`` of a truncate computed from received bytes), so that a strict
            replay still matches.
        metadata: free-form metadata for the cassette header.
        host: address the proxy listens on.
        port: port the proxy listens on (0 picks a free one).
        max_msg_size: largest frame forwarded from upstream.
        greeting_timeout: how long to wait for the service's first frame (``session.created``)
            before forwarding the app's frames, so the cassette has them in the order the
            service saw them.

    Attributes:
        cassettes: the cassette of every proxied connection, in order (complete once that
            connection ended).
    """

    def __init__(
        self,
        upstream: str,
        path: str | Path | None = None,
        *,
        audio_max_bytes: int | None = None,
        shorten: Literal["input", "output", "both"] = "both",
        metadata: Mapping[str, Any] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        max_msg_size: int = 64 * 1024 * 1024,
        greeting_timeout: float = 2.0,
    ) -> None:
        parts = urlsplit(upstream)
        if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
            raise ValueError(f"upstream must be an http(s):// or ws(s):// URL, got {upstream!r}")
        if audio_max_bytes is not None and audio_max_bytes < 0:
            raise ValueError("audio_max_bytes must not be negative")
        if shorten not in ("input", "output", "both"):
            raise ValueError(f"shorten must be 'input', 'output' or 'both', got {shorten!r}")
        self.shorten = shorten
        self.upstream = upstream
        self.path = Path(path) if path is not None else None
        self.audio_max_bytes = audio_max_bytes
        self.metadata = dict(metadata or {})
        self.max_msg_size = max_msg_size
        self.greeting_timeout = greeting_timeout
        self.cassettes: list[Cassette] = []
        self._server = MockServer(self._proxy, host=host, port=port)
        self._tasks: set[asyncio.Task[Any]] = set()

    def __repr__(self) -> str:
        return f"<CassetteRecorder upstream={self.upstream!r} cassettes={len(self.cassettes)}>"

    @property
    def endpoint(self) -> str:
        """The ``http://127.0.0.1:<port>`` endpoint the app should connect to."""
        return self._server.endpoint

    async def start(self) -> None:
        """Start listening."""
        await self._server.start()

    async def stop(self, timeout: float = 5.0) -> None:
        """Let open sessions finish (up to ``timeout`` s), then stop listening."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
        await self._server.stop()

    async def __aenter__(self) -> CassetteRecorder:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _target_path(self, index: int) -> Path | None:
        if self.path is None:
            return None
        if index == 1:
            return self.path
        return self.path.with_name(f"{self.path.stem}-{index}{self.path.suffix}")

    def _upstream_url(self, connection: MockServerConnection) -> str:
        parts = urlsplit(self.upstream)
        scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
        query = dict(connection.query)
        for pair in filter(None, parts.query.split("&")):
            key, _, value = pair.partition("=")
            query.setdefault(key, value)
        path = parts.path.rstrip("/") + connection.path
        return f"{scheme}://{parts.netloc}{path}" + (f"?{urlencode(query)}" if query else "")

    def _prepare(self, data: str | bytes, source: str) -> str | bytes:
        """Scrub secrets and shorten audio of one frame for the cassette."""
        if isinstance(data, bytes):
            return data
        try:
            value = json.loads(data)
        except ValueError:
            return data
        value, changed = scrub_event(value)
        side = "input" if source == "client" else "output"
        if self.audio_max_bytes is not None and self.shorten in (side, "both"):
            value, shortened = shorten_audio(value, self.audio_max_bytes)
            changed = changed or shortened
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False) if changed else data

    async def _proxy(self, connection: MockServerConnection) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        started = time.monotonic()
        cassette = Cassette(
            request={"path": connection.path, "query": scrub_query(connection.query)},
            metadata=dict(self.metadata),
            audio_max_bytes=self.audio_max_bytes,
            audio_shortened=self.shorten if self.audio_max_bytes is not None else None,
            recorded_at=now_iso(),
            name=str(self._target_path(connection.index) or "<recording>"),
        )
        self.cassettes.append(cassette)

        def add(
            source: Literal["client", "server"],
            data: str | bytes | None = None,
            close: int | None = None,
            reason: str = "",
        ) -> None:
            t = round(time.monotonic() - started, 4)
            if close is not None:
                frame = CassetteFrame(source, t, close_code=close, close_reason=reason)
            else:
                prepared = self._prepare(data if data is not None else b"", source)
                if isinstance(prepared, str):
                    frame = CassetteFrame(source, t, text=prepared)
                else:
                    frame = CassetteFrame(source, t, data=prepared)
            cassette.frames.append(frame)

        headers = {k: v for k, v in connection.headers.items() if k.lower() not in _HOP_HEADERS}
        options = TransportOptions(max_msg_size=self.max_msg_size, heartbeat=None)
        try:
            upstream = await ClientTransport.open(self._upstream_url(connection), headers, options)
        except AuthenticationError as exc:
            await connection.close(
                1008, f"upstream refused the credentials (HTTP {exc.status_code})"
            )
            self._finish(connection, cassette, task)
            return
        except VoiceLiveError as exc:
            await connection.close(1011, f"upstream handshake failed: {str(exc)[:80]}")
            self._finish(connection, cassette, task)
            return
        closing = False
        close_code, close_reason = 1000, ""
        greeted = asyncio.Event()

        async def app_to_upstream() -> None:
            nonlocal closing, close_code, close_reason
            # The service speaks first (session.created): record it before the app's frames
            # that were already waiting, as the service saw them.
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(greeted.wait(), self.greeting_timeout)
            while True:
                try:
                    data = await connection.recv_frame()
                except ConnectionClosed as exc:
                    if not closing:
                        closing = True
                        add("client", close=exc.code, reason=exc.reason)
                        if exc.code not in _UNSENDABLE:
                            close_code, close_reason = exc.code, exc.reason
                    return
                add("client", data)
                with contextlib.suppress(ConnectionClosed):
                    if isinstance(data, str):
                        await upstream.send_text(data)
                    else:
                        await upstream.send_bytes(data)

        async def upstream_to_app() -> None:
            nonlocal closing
            while True:
                try:
                    data = await upstream.receive()
                except ConnectionClosed as exc:
                    greeted.set()
                    if not closing:
                        closing = True
                        add("server", close=exc.code, reason=exc.reason)
                        if exc.code in _UNSENDABLE:
                            connection.drop()
                        else:
                            with contextlib.suppress(ConnectionClosed):
                                await connection.close(exc.code, exc.reason)
                    return
                add("server", data)
                greeted.set()
                with contextlib.suppress(ConnectionClosed):
                    await connection.send_raw(data)

        from_upstream = asyncio.create_task(upstream_to_app())
        from_app = asyncio.create_task(app_to_upstream())
        pumps = [from_upstream, from_app]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            if not from_app.done():  # upstream closed first: let the app's side wind down
                await asyncio.wait([from_app], timeout=5.0)
        finally:
            for pump in pumps:
                pump.cancel()
            for pump in pumps:
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await pump
            with contextlib.suppress(Exception):
                await upstream.close(close_code, close_reason)  # once: it releases the session
            self._finish(connection, cassette, task)

    def _finish(
        self, connection: MockServerConnection, cassette: Cassette, task: asyncio.Task[Any] | None
    ) -> None:
        target = self._target_path(connection.index)
        if target is not None:
            cassette.dump(target)
            _log.info("cassette written: %s (%d frames)", target, len(cassette.frames))
        if task is not None:
            self._tasks.discard(task)


@contextlib.asynccontextmanager
async def record(
    path: str | Path | None,
    *,
    endpoint: str,
    audio_max_bytes: int | None = None,
    shorten: Literal["input", "output", "both"] = "both",
    metadata: Mapping[str, Any] | None = None,
    **connect_kwargs: Any,
) -> AsyncIterator[VoiceLiveConnection]:
    """``connect()`` through a :class:`CassetteRecorder`, writing the session to ``path``.

    ::

        async with record("session.jsonl", endpoint=ENDPOINT, credential=cred,
                          model="gpt-realtime") as conn:
            ...  # use conn exactly as the one from connect()

    Every keyword argument except ``audio_max_bytes``, ``shorten`` and ``metadata`` goes to
    :func:`voicelive.aio.connect`. The cassette is complete when the block exits.
    """
    from ..aio import connect

    async with (
        CassetteRecorder(
            endpoint, path, audio_max_bytes=audio_max_bytes, shorten=shorten, metadata=metadata
        ) as recorder,
        connect(endpoint=recorder.endpoint, **connect_kwargs) as connection,
    ):
        yield connection
