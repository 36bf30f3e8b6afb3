"""The ``connection_options`` that only aiohttp acts on -- ``autoping``, ``autoclose``,
``close_timeout`` -- each shown to take effect on a real loopback socket, with a given value
and with the default (an option dropped on its way to ``ws_connect`` would leave the default
in force, and one of the two cases would fail)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from azure.core.credentials import AzureKeyCredential

from shared_support import accept_websocket_upgrade, serve_app
from voicelive.aio import connect
from voicelive.exceptions import ConnectionClosedError
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("options-test-key")
CLEARED = '{"type": "input_audio_buffer.cleared", "event_id": "e1"}'


@pytest.mark.parametrize(
    ("options", "answered"), [({}, True), ({"autoping": False}, False)], ids=["default", "off"]
)
async def test_autoping_decides_whether_the_servers_ping_is_answered(
    options: dict[str, Any], answered: bool
) -> None:
    after_ping: asyncio.Future[aiohttp.WSMsgType] = asyncio.get_running_loop().create_future()

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)  # the server sees PONGs as messages
        await ws.prepare(request)
        await ws.ping(b"are-you-there")
        await ws.send_str(CLEARED)
        after_ping.set_result((await ws.receive()).type)
        async for _ in ws:
            pass
        return ws

    async with (
        serve_app(handler) as url,
        connect(endpoint=url, credential=KEY, connection_options=options) as conn,
    ):
        event = await asyncio.wait_for(conn.recv(), 10)  # the PING came before this event
        assert event.type == "input_audio_buffer.cleared"
        await conn.input_audio_buffer.clear()
        first = await asyncio.wait_for(after_ping, 10)
    # with autoping the PONG went out while the event was read, before the clear
    assert first is (aiohttp.WSMsgType.PONG if answered else aiohttp.WSMsgType.TEXT)


@pytest.mark.parametrize(
    ("options", "closed_at_once"),
    [({}, True), ({"autoclose": False}, False)],
    ids=["default", "off"],
)
async def test_autoclose_decides_whether_the_servers_close_is_answered_at_once(
    options: dict[str, Any], closed_at_once: bool
) -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.close(4000, "bye")

    async with MockServer(handler) as server:
        conn = await connect(endpoint=server.endpoint, credential=KEY, connection_options=options)
        with pytest.raises(ConnectionClosedError) as closed:
            await asyncio.wait_for(conn.recv(), 10)
        assert (closed.value.code, closed.value.reason) == (4000, "bye")
        assert conn.close_code == 4000  # recorded even while the socket is half-closed
        # autoclose answers the close frame inside the read; without it the socket stays
        # half-closed until the app closes it
        assert conn.closed is closed_at_once
        await asyncio.wait_for(conn.close(), 10)
        assert conn.closed


@asynccontextmanager
async def never_answers_a_close() -> AsyncIterator[str]:
    """A hand-made WebSocket server that accepts the upgrade and then reads and ignores
    everything: a close frame from the client gets no answer."""
    finished = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accept_websocket_upgrade(reader, writer)
        while await reader.read(4096):
            pass
        finished.set()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


async def test_close_timeout_bounds_the_wait_for_the_servers_close_frame() -> None:
    async with never_answers_a_close() as url:
        conn = await asyncio.wait_for(
            connect(endpoint=url, credential=KEY, connection_options={"close_timeout": 0.05}),
            10,
        )
        # The default (10 s) would outlast this bound; 0.05 s must end well inside it.
        await asyncio.wait_for(conn.close(), 5)
        assert conn.closed
