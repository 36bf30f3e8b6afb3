"""``ClientTransport`` over its life, on real loopback sockets: the shared aiohttp session is
released exactly once and closed by its last user, the redirect guard is armed only for the
handshake, binary frames, and the reads that take ``receive()`` (a ``receive_timeout`` set)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import connect
from voicelive.aio._transport import (
    SHARED_SESSIONS,
    ClientTransport,
    ServerTransport,
    TransportOptions,
    WebSocketServer,
    _safe_reason,
)
from voicelive.exceptions import ConnectionClosedError, ConnectionClosedOK
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("lifecycle-test-key")
CLEARED = '{"type": "input_audio_buffer.cleared", "event_id": "e1"}'


async def test_a_server_closed_connection_then_closed_by_the_app_releases_only_its_share() -> None:
    async def first_closes(conn: MockServerConnection) -> None:
        if conn.index == 1:
            await conn.close(1001, "over")
            return
        async for _ in conn:
            pass

    async with MockServer(first_closes) as server:
        closed = await asyncio.wait_for(connect(endpoint=server.endpoint, credential=KEY), 10)
        kept = await asyncio.wait_for(connect(endpoint=server.endpoint, credential=KEY), 10)
        assert SHARED_SESSIONS.users() == 2
        with pytest.raises(ConnectionClosedError):
            await asyncio.wait_for(closed.recv(), 10)
        assert SHARED_SESSIONS.users() == 1  # given back when the close was read
        await closed.close()  # already given back: must not take the other connection's share
        assert SHARED_SESSIONS.users() == 1
        session = kept._transport._session  # type: ignore[attr-defined]
        assert not session.closed
        await kept.input_audio_buffer.clear()  # the shared session still carries it
        await kept.close()
    assert SHARED_SESSIONS.users() == 0
    assert session.closed  # its last user closed it


async def test_the_redirect_guard_is_disarmed_after_the_handshake() -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(location="/landing")

    async def landing(request: web.Request) -> web.Response:
        return web.Response(text="landed")

    app = web.Application()
    app.router.add_get("/moved", moved)
    app.router.add_get("/landing", landing)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        async with MockServer() as server, aiohttp.ClientSession() as session:
            async with asyncio.timeout(10):  # in this task (wait_for would start another)
                conn = await connect(
                    endpoint=server.endpoint, credential=KEY, client_session=session
                )
            await conn.close()
            # the same task, the same (caller's) session: its own requests follow redirects
            url = f"http://127.0.0.1:{runner.addresses[0][1]}/moved"
            async with session.get(url) as response:
                assert (response.status, await response.text()) == (200, "landed")
    finally:
        await runner.cleanup()


async def test_binary_frames_go_out_and_a_send_after_close_says_who_closed() -> None:
    received: asyncio.Queue[str | bytes] = asyncio.Queue()

    async def handler(transport: ServerTransport) -> None:
        received.put_nowait(await transport.receive())
        await transport.close(1000)

    server = WebSocketServer(handler)
    await server.start()
    try:
        client = await asyncio.wait_for(
            ClientTransport.open(f"ws://127.0.0.1:{server.port}/", {}, TransportOptions()), 10
        )
        await client.send_bytes(b"\x00\x01binary")
        assert await asyncio.wait_for(received.get(), 10) == b"\x00\x01binary"
        with pytest.raises(ConnectionClosedOK):
            await asyncio.wait_for(client.receive(), 10)
        with pytest.raises(ConnectionClosedOK) as refused:
            await client.send_bytes(b"late")
        assert str(refused.value) == "cannot send: the server closed the connection with code 1000"
        await client.close(1000, "")
    finally:
        await server.stop()


async def test_a_receive_timeout_counts_from_the_read_not_before_it() -> None:
    async def replies(conn: MockServerConnection) -> None:
        async for _ in conn:
            await conn.send_raw(CLEARED)

    async with (
        MockServer(replies) as server,
        connect(
            endpoint=server.endpoint, credential=KEY, connection_options={"receive_timeout": 10}
        ) as conn,
    ):
        reading = asyncio.ensure_future(conn.recv())  # waiting before the reply is asked for
        await conn.input_audio_buffer.clear()
        event = await asyncio.wait_for(reading, 20)
        assert event.type == "input_audio_buffer.cleared"


async def test_without_autoping_a_read_with_a_timeout_skips_pings() -> None:
    async def pings_first(conn: MockServerConnection) -> None:
        await conn.ping(b"p")
        await conn.send_raw(CLEARED)
        async for _ in conn:
            pass

    async with (
        MockServer(pings_first) as server,
        connect(
            endpoint=server.endpoint,
            credential=KEY,
            connection_options={"autoping": False, "receive_timeout": 10},
        ) as conn,
    ):
        event = await asyncio.wait_for(conn.recv(), 20)
    assert event.type == "input_audio_buffer.cleared"


def test_exception_texts_are_cut_to_200_characters() -> None:
    assert _safe_reason(RuntimeError("x" * 300)) == "x" * 200
    assert _safe_reason(RuntimeError("short")) == "short"


async def test_once_upgraded_the_http_parser_and_our_own_sessions_traces_are_dropped() -> None:
    # Objects only the handshake needed (the open connection keeps them otherwise). Read on
    # aiohttp's private attributes: if they drift, this says so instead of a silent no-op.
    async with MockServer() as server:
        own = await asyncio.wait_for(connect(endpoint=server.endpoint, credential=KEY), 10)
        async with aiohttp.ClientSession(trace_configs=[aiohttp.TraceConfig()]) as session:
            async with asyncio.timeout(10):
                theirs = await connect(
                    endpoint=server.endpoint, credential=KEY, client_session=session
                )
            own_ws = own._transport._ws  # type: ignore[attr-defined]
            their_ws = theirs._transport._ws  # type: ignore[attr-defined]
            assert own_ws._conn.protocol.upgraded
            assert own_ws._conn.protocol._parser is None
            assert their_ws._conn.protocol._parser is None
            assert own_ws._response._traces == []  # only the redirect guard's, done
            assert len(their_ws._response._traces) == 2  # the caller's config and the guard
            await theirs.close()
        await own.close()


async def test_our_own_session_arms_no_total_timeout_on_an_open_websocket() -> None:
    # aiohttp's default 5 min total would keep a timer armed on every open WebSocket; the
    # handshake is bounded by HANDSHAKE_LIMIT instead (test_default_timeouts.py)
    async with (
        MockServer() as server,
        connect(endpoint=server.endpoint, credential=KEY) as conn,
    ):
        session = conn._transport._session  # type: ignore[attr-defined]
        assert session.timeout == aiohttp.ClientTimeout(total=None, sock_connect=30)
