"""Defaults of ``connect()`` that users rely on without setting them: TLS verification on,
PINGs answered, 1,000 events kept for ``wait_for``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import WSMsgType, web
from azure.core.credentials import AzureKeyCredential

from shared_support import LoopbackTLS, serve_app
from voicelive.aio import connect
from voicelive.exceptions import ConnectionError
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("k")


async def test_tls_certificates_are_verified_unless_told_otherwise(
    loopback_tls: LoopbackTLS,
) -> None:
    async with MockServer(ssl=loopback_tls.server_context) as server:
        url = f"https://127.0.0.1:{server.port}"
        with pytest.raises(ConnectionError, match=r"(?i)certificate"):
            await asyncio.wait_for(connect(endpoint=url, credential=KEY), 10)
        assert server.connections == []  # the key never went to the unverified server
        trusting = loopback_tls.client_context()
        async with connect(
            endpoint=url, credential=KEY, connection_options={"ssl": trusting}
        ) as conn:
            assert (await asyncio.wait_for(conn.recv(), 10)).type == "session.created"


@pytest.fixture
async def pinging() -> AsyncIterator[tuple[str, asyncio.Queue[bytes]]]:
    """A server that PINGs the client once and reports the PONG payload it gets back."""
    pongs: asyncio.Queue[bytes] = asyncio.Queue()

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        await ws.ping(b"are you there")
        async for msg in ws:
            if msg.type is WSMsgType.PONG:
                pongs.put_nowait(msg.data)
        return ws

    async with serve_app(handler) as url:
        yield url, pongs


async def test_pings_are_answered_by_default(pinging: tuple[str, asyncio.Queue[bytes]]) -> None:
    url, pongs = pinging
    async with connect(endpoint=url, credential=KEY) as conn:
        reading = asyncio.create_task(conn.recv())  # aiohttp answers while a read is waiting
        assert await asyncio.wait_for(pongs.get(), 10) == b"are you there"
        reading.cancel()


async def test_wait_for_keeps_the_1000_newest_unread_events_by_default() -> None:
    async def handler(conn: MockServerConnection) -> None:
        for i in range(1, 1003):
            await conn.send_raw(
                json.dumps({"type": "input_audio_buffer.cleared", "event_id": f"e{i}"})
            )
        async for _ in conn:
            pass

    async with (
        MockServer(handler) as server,
        connect(endpoint=server.endpoint, credential=KEY) as conn,
    ):
        await conn.wait_for(
            "input_audio_buffer.cleared", predicate=lambda e: e.event_id == "e1002", timeout=30
        )
        assert (await asyncio.wait_for(conn.recv(), 5)).event_id == "e3"  # e1, e2 dropped


async def test_compression_is_off_unless_asked_and_a_callers_session_is_used() -> None:
    async with (
        MockServer() as server,
        aiohttp.ClientSession(headers={"x-from-session": "yes"}) as session,
    ):
        async with connect(endpoint=server.endpoint, credential=KEY):
            plain = await server.wait_for_connection()
        async with connect(endpoint=server.endpoint, credential=KEY, client_session=session):
            pass
        mine = server.connections[-1]
    assert "Sec-WebSocket-Extensions" not in plain.headers
    assert "x-from-session" not in plain.headers
    assert mine.headers["x-from-session"] == "yes"  # the request went through that session
