"""Sends against a socket that is full (the peer reads nothing): a second send queues behind
the first, a cancelled send leaves the next one working, and a peer that vanishes while a send
waits is a 1006 close."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from azure.core.credentials import AzureKeyCredential

from shared_support import accept_websocket_upgrade
from voicelive.aio import connect
from voicelive.exceptions import ConnectionClosedError

KEY = AzureKeyCredential("k")


@asynccontextmanager
async def deaf_server(hang_up: asyncio.Event) -> AsyncIterator[str]:
    """Accepts the WebSocket upgrade, then never reads: the client's socket fills up. Closes
    the TCP stream when ``hang_up`` is set."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accept_websocket_upgrade(reader, writer)
        await writer.drain()
        await hang_up.wait()
        writer.transport.abort()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        hang_up.set()
        server.close()
        await server.wait_closed()


async def turns(n: int) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def test_a_send_queued_behind_a_cancelled_one_waits_for_the_socket_then_sees_it_lost() -> (
    None
):
    hang_up = asyncio.Event()
    async with deaf_server(hang_up) as url:
        conn = await connect(endpoint=url, credential=KEY, connection_options={"close_timeout": 1})
        # ~16 MB: far more than the socket buffers of a peer that reads nothing
        first = asyncio.create_task(conn.input_audio_buffer.append(audio=bytes(12 << 20)))
        await turns(20)
        assert not first.done()  # waiting for the socket to drain
        # over aiohttp's 64 KiB write limit, so it too waits for the socket to drain
        second = asyncio.create_task(conn.input_audio_buffer.append(audio=bytes(1 << 20)))
        await turns(20)
        assert not second.done()  # queued behind the first send
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        await turns(20)
        # the second send now waits for the (still full) socket itself: it was not hit by
        # the first one's cancellation
        assert not second.done()
        hang_up.set()  # the peer vanishes while the second send waits
        with pytest.raises(ConnectionClosedError) as lost:
            await asyncio.wait_for(second, 10)
        assert (lost.value.code, lost.value.reason) == (1006, "connection lost while sending")
        await asyncio.wait_for(conn.close(), 10)
