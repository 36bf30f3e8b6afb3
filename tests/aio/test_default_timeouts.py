"""Documented time defaults (30 s waits, the 30 s heartbeat, the 10 s close timeout), observed
on the event loop's clock.

The test stops the loop's clock and moves it by hand (``loop.time`` is replaced), so a 30 s
default is checked without waiting 30 s and without depending on how fast the machine is:
just before 30 s the wait is pending, just after it has timed out and says "within 30.0 s".
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from azure.core.credentials import AzureKeyCredential

from shared_support import serve_app
from voicelive.aio import VoiceLiveConnection, connect
from voicelive.exceptions import HandshakeError, WaitTimeoutError
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("k")


@contextmanager
def movable_clock() -> Iterator[list[float]]:
    """A stopped loop clock: ``loop.time()`` is a start time plus ``offset[0]``.

    The start is a whole second plus 0.5 s (a little ahead of the real clock): aiohttp rounds
    timeouts over 5 s up to a whole second, so a 30 s timer armed at the start fires at
    offset 30.5 -- between the 29.9 and 30.6 the tests move to (a 31 s one would fire at 31.5).
    """
    loop = asyncio.get_running_loop()
    start = math.floor(loop.time()) + 1.5
    offset = [0.0]
    loop.time = lambda: start + offset[0]  # type: ignore[method-assign]
    try:
        yield offset
    finally:
        del loop.time  # back to the class's method


async def spin(done: Callable[[], bool], turns: int = 1000) -> bool:
    """Run the loop (without its clock moving) until ``done()`` or ``turns`` iterations."""
    for _ in range(turns):
        if done():
            return True
        await asyncio.sleep(0)
    return done()


async def _silent(conn: MockServerConnection) -> None:
    async for _ in conn:
        pass


@pytest.fixture
async def client() -> AsyncIterator[VoiceLiveConnection]:
    async with (
        MockServer(_silent) as server,
        connect(
            endpoint=server.endpoint, credential=KEY, connection_options={"heartbeat": None}
        ) as conn,
    ):
        yield conn


Wait = Callable[[VoiceLiveConnection], Awaitable[Any]]

WAITS: list[tuple[str, Wait]] = [
    ("wait_for", lambda c: c.wait_for("response.done")),
    ("wait_future", lambda c: c.wait_future(c.expect("response.done"))),
    ("session.update", lambda c: c.session.update(session={"voice": "alloy"}, wait=True)),
    ("commit", lambda c: c.input_audio_buffer.commit(wait=True)),
    (
        "item.create",
        lambda c: c.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "x"}],
            },
            wait=True,
        ),
    ),
]


@pytest.mark.parametrize("wait", [w for _, w in WAITS], ids=[name for name, _ in WAITS])
async def test_waiting_calls_time_out_after_30_s_by_default(
    client: VoiceLiveConnection, wait: Wait
) -> None:
    with movable_clock() as offset:
        task = asyncio.ensure_future(wait(client))
        assert not await spin(task.done, 20)  # sent; its timer is armed
        offset[0] = 29.9
        assert not await spin(task.done, 50)
        offset[0] = 30.6
        assert await spin(task.done)
    with pytest.raises(WaitTimeoutError, match=r"within 30\.0 s"):
        task.result()


async def test_the_heartbeat_pings_every_30_s_by_default() -> None:
    pings: asyncio.Queue[float] = asyncio.Queue()

    async def no_autoping(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is WSMsgType.PING:
                pings.put_nowait(asyncio.get_running_loop().time())
                await ws.pong(msg.data)
        return ws

    async with serve_app(no_autoping, shutdown_timeout=0.1) as url:
        with movable_clock() as offset:
            async with connect(endpoint=url, credential=KEY) as conn:
                offset[0] = 29.9
                assert not await spin(lambda: not pings.empty(), 50)
                offset[0] = 30.6
                assert await spin(lambda: not pings.empty())
                assert not conn.closed


async def test_close_waits_10_s_for_the_peer_by_default() -> None:
    async def never_answers_close(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoclose=False)
        await ws.prepare(request)
        await asyncio.Event().wait()  # reads nothing: the client's close frame is not answered
        return ws

    async with serve_app(never_answers_close, shutdown_timeout=0.1) as url:
        conn = await connect(endpoint=url, credential=KEY)
        with movable_clock() as offset:
            closing = asyncio.ensure_future(conn.close())
            assert not await spin(closing.done, 20)  # the close frame is out; its timer armed
            offset[0] = 9.9
            assert not await spin(closing.done, 50)
            offset[0] = 10.6
            assert await spin(closing.done)
        closing.result()
        assert conn.closed


async def test_a_handshake_on_voicelives_own_session_times_out_after_5_minutes() -> None:
    """The server accepts the TCP connection and never answers the upgrade: voicelive's own
    session (which has no aiohttp total timeout, whose timer would stay armed for 5 minutes
    per open socket) gives up after 300 s, as aiohttp's default did."""
    requests: list[bytes] = []
    writers: list[asyncio.StreamWriter] = []

    async def never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        requests.append(await reader.readuntil(b"\r\n\r\n"))  # the upgrade request, unanswered

    tcp = await asyncio.start_server(never_answers, "127.0.0.1", 0)
    port = tcp.sockets[0].getsockname()[1]
    try:
        with movable_clock() as offset:
            opening = asyncio.ensure_future(
                connect(endpoint=f"http://127.0.0.1:{port}", credential=KEY).__aenter__()
            )
            assert await spin(lambda: bool(requests))  # the upgrade request is out
            offset[0] = 299.0
            assert not await spin(opening.done, 50)
            offset[0] = 300.6
            assert await spin(opening.done)
        with pytest.raises(HandshakeError, match=r"timed out after 300\.0 s"):
            opening.result()
    finally:
        for writer in writers:
            writer.close()
        tcp.close()
        await tcp.wait_closed()
