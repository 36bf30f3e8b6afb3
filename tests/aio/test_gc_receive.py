"""What the garbage collector finds when many sessions receive at once (counts, no timings).

On CPython a young collection runs when allocations of GC objects minus deallocations pass
700. At 1,000 real-time sessions about a hundred frames land in one event-loop turn, so the
objects each frame keeps alive between its arrival and its reader running, and the objects
each waiting reader holds, decide whether young collections run at all, how many objects
they promote to the oldest generation, and so how often a full collection (which walks every
object of the process) stops every session. These tests pin voicelive at a raw aiohttp +
``json`` loop's level over the same loopback server, in the same test.

The collector is paused only while counting (``gc.disable()`` in the test, re-enabled in a
``finally``), so that the counters show allocations instead of collections; nothing here
changes the library.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.testing import MockServer, MockServerConnection

pytestmark = pytest.mark.gc_counts  # object counts: not under mutmut's trampolines

N = 40  # sessions per client kind
KEY = AzureKeyCredential("k")

SESSION_CREATED = json.dumps(
    {
        "type": "session.created",
        "event_id": "event_1",
        "session": {
            "id": "sess_1",
            "object": "realtime.session",
            "model": "gpt-realtime",
            "modalities": ["text", "audio"],
            "voice": {"name": "en-US-AvaNeural", "type": "azure-standard"},
            "turn_detection": {"type": "server_vad", "threshold": 0.5},
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
        },
    }
)
AUDIO_DELTA = json.dumps(
    {
        "type": "response.audio.delta",
        "event_id": "event_2",
        "response_id": "resp_1",
        "item_id": "item_1",
        "output_index": 0,
        "content_index": 0,
        "delta": base64.b64encode(bytes(4800)).decode(),
    }
)


@asynccontextmanager
async def _server() -> AsyncIterator[MockServer]:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(SESSION_CREATED)
        async for _ in conn:  # until the client closes
            pass

    async with MockServer(handler, keep_history=False) as server:
        yield server


class _Readers:
    """N reading tasks of one client kind, each counting the frames it got."""

    def __init__(self) -> None:
        self.received = 0
        self.target = 0
        self.done = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    def got_one(self) -> None:
        self.received += 1
        if self.received >= self.target:
            self.done.set()

    def expect(self, count: int) -> None:
        self.target = self.received + count
        self.done = asyncio.Event()

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def _voicelive_readers(
    server: MockServer, count: int
) -> tuple[_Readers, list[VoiceLiveConnection]]:
    readers = _Readers()
    conns = []
    for _ in range(count):
        conn = await connect(endpoint=server.endpoint, credential=KEY, model="gpt-realtime")
        assert (await conn.recv()).type == "session.created"
        conns.append(conn)

    async def read(conn: VoiceLiveConnection) -> None:
        async for event in conn:
            if event.type == "response.audio.delta":
                readers.got_one()

    readers.tasks = [asyncio.create_task(read(c)) for c in conns]
    return readers, conns


async def _raw_readers(
    server: MockServer, session: aiohttp.ClientSession, count: int
) -> tuple[_Readers, list[aiohttp.ClientWebSocketResponse]]:
    readers = _Readers()
    sockets = []
    for _ in range(count):
        ws = await session.ws_connect(server.endpoint + "/voice-live/realtime")
        assert json.loads((await ws.receive()).data)["type"] == "session.created"
        sockets.append(ws)

    async def read(ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            event = json.loads(msg.data)
            if event["type"] == "response.audio.delta":
                base64.b64decode(event["delta"])
                readers.got_one()

    readers.tasks = [asyncio.create_task(read(ws)) for ws in sockets]
    return readers, sockets


async def _burst(peers: list[MockServerConnection], readers: _Readers) -> tuple[float, float]:
    """One frame to every session in the same loop turn, as a real-time server's tick does.

    Returns (peak GC objects allocated and not yet freed, per frame; young objects left per
    session once every reader waits again). The peak is read at the start of every loop turn,
    i.e. after the socket callbacks of a turn ran and before the readers they woke.
    """
    loop = asyncio.get_running_loop()
    readers.expect(len(peers))
    gc.collect()
    gc.disable()
    try:
        base = gc.get_count()[0]
        peak = base

        def probe() -> None:
            nonlocal peak
            peak = max(peak, gc.get_count()[0])
            if not readers.done.is_set():
                loop.call_soon(probe)

        loop.call_soon(probe)
        for peer in peers:  # small frames: each send writes at once, no await suspends
            await peer.send_raw(AUDIO_DELTA)
        async with asyncio.timeout(30):
            await readers.done.wait()
        for _ in range(3):  # let the readers go back to waiting
            await asyncio.sleep(0)
        young = len(gc.get_objects(generation=0))
    finally:
        gc.enable()
    return (peak - base) / len(peers), young / len(peers)


async def test_frames_arriving_together_keep_no_more_in_flight_than_raw_aiohttp() -> None:
    """Per frame: what lives from the socket callback to the reader, and what a waiting
    reader holds, is at a raw aiohttp loop's level (the default 30 s heartbeat included:
    aiohttp's own per-chunk heartbeat callback used to add three objects per frame, and an
    async generator plus two coroutines of ours sat in every waiting reader)."""
    async with _server() as server, aiohttp.ClientSession() as session:
        raw, sockets = await _raw_readers(server, session, N)
        raw_peers = list(server.connections)
        vl, conns = await _voicelive_readers(server, N)
        vl_peers = server.connections[N:]
        try:
            results: dict[str, list[tuple[float, float]]] = {"raw": [], "voicelive": []}
            for _ in range(3):  # the first round warms up lazily created state
                results["raw"].append(await _burst(raw_peers, raw))
                results["voicelive"].append(await _burst(vl_peers, vl))
        finally:
            await raw.stop()
            await vl.stop()
            for ws in sockets:
                await ws.close()
            for conn in conns:
                await conn.close()
    (raw_peak, raw_young), (vl_peak, vl_young) = results["raw"][-1], results["voicelive"][-1]
    assert vl_peak <= raw_peak + 0.5, results
    assert vl_young <= raw_young + 0.5, results


async def test_received_events_leave_nothing_for_the_collector() -> None:
    """Receiving, decoding and dropping events makes no reference cycles and keeps nothing:
    every object is freed by its reference count, so the collector has nothing to do."""
    async with _server() as server:
        conn = await connect(endpoint=server.endpoint, credential=KEY, model="gpt-realtime")
        try:
            assert (await conn.recv()).type == "session.created"
            peer = server.connections[0]
            for _ in range(5):  # warm-up: lazily created state
                await peer.send_raw(AUDIO_DELTA)
                await conn.recv()
            gc.collect()
            gc.disable()
            try:
                objects = len(gc.get_objects())
                for _ in range(200):
                    await peer.send_raw(AUDIO_DELTA)
                    async with asyncio.timeout(10):
                        event = await conn.recv()
                    assert event.type == "response.audio.delta"
                del event
                kept = len(gc.get_objects()) - objects
                cycles = gc.collect()
            finally:
                gc.enable()
        finally:
            await conn.close()
    assert cycles == 0
    assert kept <= 5  # a constant, not one per event


def _tracked_per_connection(opened: list[Any], before: int) -> float:
    gc.collect()
    return (len(gc.get_objects()) - before) / len(opened)


async def test_tracked_objects_per_open_connection_at_most_raw_aiohttp() -> None:
    """Every full collection walks every object each open connection keeps.

    Over the same server (whose own per-connection objects cancel out), a voicelive session
    that got its ``session.created`` keeps no more GC-tracked objects than a raw aiohttp
    WebSocket, its 30 s heartbeat (timer, its context, two bound methods) and our connection,
    protocol and transport included. It kept 22 more: the decoded session (now kept as the
    frame's text until read, 8), aiohttp's 5-minute total-timeout timer chain of the
    handshake (which stays armed on an open WebSocket: 9; voicelive's own session bounds the
    handshake itself), the upgrade's HTTP response parser (7; raw keeps it too), the redirect
    guard's trace (2), the read gate and the waiter list (created when first needed, 2).
    """
    connect_kwargs: dict[str, Any] = {"credential": KEY, "model": "gpt-realtime"}
    async with _server() as server, aiohttp.ClientSession() as session:
        url = server.endpoint + "/voice-live/realtime"
        warm_ws = await session.ws_connect(url)
        await warm_ws.receive()
        warm_conn = await connect(endpoint=server.endpoint, **connect_kwargs)
        await warm_conn.recv()
        sockets: list[aiohttp.ClientWebSocketResponse] = []
        conns: list[VoiceLiveConnection] = []
        try:
            gc.collect()
            before = len(gc.get_objects())
            for _ in range(N):
                ws = await session.ws_connect(url)
                await ws.receive()
                sockets.append(ws)
            raw = _tracked_per_connection(sockets, before)
            gc.collect()
            before = len(gc.get_objects())
            for _ in range(N):
                conn = await connect(endpoint=server.endpoint, **connect_kwargs)
                await conn.recv()
                conns.append(conn)
            voicelive = _tracked_per_connection(conns, before)
        finally:
            for ws in [warm_ws, *sockets]:
                await ws.close()
            for conn in [warm_conn, *conns]:
                await conn.close()
    assert voicelive <= raw, (voicelive, raw)  # 4.4 fewer measured (was 22.4 more)


async def test_using_the_namespaces_and_appending_audio_keep_almost_nothing() -> None:
    """What a voice app does on every session -- ``conn.response.create()``, appends checked
    against the session's input format -- adds at most the cached input format (the format,
    its cache key and the format fields read from the session frame) to the connection: the
    namespaces are views made per access, and the session is not decoded and kept for it."""
    async with _server() as server:
        conn = await connect(endpoint=server.endpoint, credential=KEY, model="gpt-realtime")
        try:
            assert (await conn.recv()).type == "session.created"
            gc.collect()
            before = len(gc.get_objects())
            assert conn.response is not conn.response  # a view per access
            await conn.response.create()
            await conn.session.update(session={"voice": "alloy"})
            gc.collect()
            namespaces = len(gc.get_objects()) - before
            await conn.input_audio_buffer.append(audio=bytes(480))
            assert conn.input_audio_format.encoding == "pcm16"
            gc.collect()
            appending = len(gc.get_objects()) - before
            protocol = conn.protocol
            assert protocol.requested_session is not None  # sent, not answered yet
        finally:
            await conn.close()
    assert namespaces <= 1, namespaces  # the pending session.update's session
    assert appending <= namespaces + 3, appending
