"""Item 2: the fault matrix, receive timeouts and heartbeats.

Matrix: six faults (close frames 1000, 1001, 1006, 1008, 1011 and a TCP drop with no close
frame) x three moments (before ``session.created``; mid audio stream, both directions; between
two responses) x two consumers (``recv()`` loop, ``async for``). In every cell, while the
consumer reads, a sender task streams ``input_audio_buffer.append`` frames and a third task
sits in ``wait_for`` on an event that never comes. Asserted per cell:

* the consumer gets every event the server sent before the fault, exactly once, in order;
* ``recv()`` then raises ``closed_exception(code)`` -- ``ConnectionClosedOK`` for 1000,
  ``ConnectionClosedError`` with the same ``.code`` otherwise (1006 for the drop) -- and keeps
  raising it; ``async for`` ends quietly for 1000 and raises that error otherwise;
* the pending ``wait_for`` raises the same exception class/code (not a timeout) promptly;
* the streaming sender ends with ``ConnectionClosed`` promptly (no hang), and the server got
  a gap-free, in-order prefix of the client's frames;
* ``closed`` / ``close_code`` report the fault, ``close()`` stays idempotent, and the
  connection's aiohttp session is released.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import struct
from collections.abc import AsyncIterator
from typing import Any

import pytest
from _rel_support import (
    FIGURES,
    assert_clean,
    audio_delta,
    key,
    response_created,
    response_done,
    session_created,
    text_delta,
)
from aiohttp import web

from shared_support import serve_app
from voicelive._protocol import closed_exception
from voicelive.aio import VoiceLiveConnection, connect
from voicelive.exceptions import (
    ConnectionClosed,
    ConnectionClosedError,
    ConnectionClosedOK,
    ReceiveTimeoutError,
)
from voicelive.testing import MockServer, MockServerConnection

FAULTS = ["close-1000", "close-1001", "close-1006", "close-1008", "close-1011", "tcp-drop"]
PHASES = ["before-session-created", "mid-audio-stream", "between-responses"]
CONSUMERS = ["recv", "async-for"]
DEADLINE = 10.0  # a cell that takes longer than this is a hang
PROMPT = 3.0  # pending operations must end this soon after the fault


def _code(fault: str) -> int:
    return 1006 if fault == "tcp-drop" else int(fault.split("-")[1])


def _script(phase: str) -> list[str]:
    """The frames the server sends before the fault."""
    if phase == "before-session-created":
        return []
    frames = [session_created("ev_session"), response_created("ev_rc1", "resp_1")]
    frames += [audio_delta(f"ev_a1_{i}", bytes([i]) * 960) for i in range(40)]
    if phase == "between-responses":
        frames += [text_delta("ev_t1", "done"), response_done("ev_rd1", "resp_1")]
    return frames


async def _wait_flushed(conn: MockServerConnection) -> None:
    """Let every byte the server wrote reach the client's socket before a drop."""
    transport = conn._transport._request.transport
    for _ in range(200):
        if transport is None or transport.get_write_buffer_size() == 0:
            break
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.05)


def _handler(fault: str, phase: str, sent: list[str]) -> Any:
    async def handler(conn: MockServerConnection) -> None:
        async def drain_client() -> None:
            async for _event in conn:
                pass

        reader = asyncio.create_task(drain_client())
        try:
            for frame in _script(phase):
                await conn.send_raw(frame)
                sent.append(frame)
                if phase == "mid-audio-stream":
                    await asyncio.sleep(0.001)  # a stream, interleaved with the client's
            if phase == "between-responses":
                await asyncio.sleep(0.05)  # idle between the two responses
            if fault == "tcp-drop":
                await _wait_flushed(conn)
                conn.drop()
            else:
                await conn.close(_code(fault), f"fault {fault}")
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await reader

    return handler


async def _stream_audio(conn: VoiceLiveConnection, sent_ok: list[int]) -> BaseException:
    """Send 20 ms appends every 2 ms until a send fails; return that exception."""
    seq = 0
    while True:
        try:
            await conn.input_audio_buffer.append(audio=struct.pack("<I", seq) * 240)
        except Exception as exc:
            return exc
        sent_ok.append(seq)
        seq += 1
        await asyncio.sleep(0.002)


def _seq_of(event: Any) -> int:
    return int(struct.unpack_from("<I", base64.b64decode(event.audio))[0])


async def _run_cell(fault: str, phase: str, consumer: str) -> dict[str, Any]:
    code = _code(fault)
    expected_cls = type(closed_exception(code))
    sent: list[str] = []
    delivered: list[str | None] = []
    sent_ok: list[int] = []
    async with MockServer(_handler(fault, phase, sent)) as server:
        conn = await connect(endpoint=server.endpoint, credential=key(), model="m")
        sender = asyncio.create_task(_stream_audio(conn, sent_ok))
        waiter = asyncio.create_task(
            conn.wait_for(
                "response.done", predicate=lambda e: e.event_id == "never", timeout=DEADLINE
            )
        )
        error: BaseException | None = None
        try:
            if consumer == "recv":
                while True:
                    try:
                        delivered.append((await conn.recv()).event_id)
                    except ConnectionClosed as exc:
                        error = exc
                        break
            else:
                try:
                    async for event in conn:
                        delivered.append(event.event_id)
                except ConnectionClosed as exc:
                    error = exc

            # Every event sent before the fault, exactly once, in order.
            assert delivered == [json.loads(f)["event_id"] for f in sent]

            # recv() / async for: the close exception for this code.
            if consumer == "async-for" and code == 1000:
                assert error is None  # iteration ends quietly on a normal close
            else:
                assert type(error) is expected_cls, error
                assert isinstance(error, ConnectionClosed)
                assert error.code == code
            with pytest.raises(expected_cls) as again:
                await asyncio.wait_for(conn.recv(), PROMPT)
            assert again.value.code == code

            # The pending wait_for fails with the same close, promptly (not a timeout).
            with pytest.raises(expected_cls) as waited:
                await asyncio.wait_for(waiter, PROMPT)
            assert waited.value.code == code

            # The streaming sender stops with ConnectionClosed, promptly.
            send_error = await asyncio.wait_for(sender, PROMPT)
            assert isinstance(send_error, ConnectionClosed), send_error
            # A send after the fault raises too, carrying the fault's code.
            with pytest.raises(ConnectionClosed) as late:
                await conn.response.cancel()
            assert late.value.code == code

            assert conn.closed
            assert conn.close_code == code
            assert_clean(error, again.value, waited.value, send_error, late.value, repr(conn))
        finally:
            for task in (sender, waiter):
                task.cancel()
            await asyncio.gather(sender, waiter, return_exceptions=True)
            await conn.close()
            await conn.close()  # idempotent
        assert conn._transport._session.closed  # the owned aiohttp session is released

        # The server got a gap-free, in-order prefix of what the client sent, intact.
        (server_conn,) = server.connections
        seqs = [_seq_of(e) for e in server_conn.received if e.type == "input_audio_buffer.append"]
        assert seqs == list(range(len(seqs)))
        assert len(seqs) <= len(sent_ok)
    return {"events": len(delivered), "server_got": len(seqs), "client_sent": len(sent_ok)}


@pytest.mark.parametrize("consumer", CONSUMERS)
@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("fault", FAULTS)
async def test_fault_cell(fault: str, phase: str, consumer: str) -> None:
    await asyncio.wait_for(_run_cell(fault, phase, consumer), DEADLINE * 2)
    FIGURES["fault matrix cells passed"] = FIGURES.get("fault matrix cells passed", 0) + 1


# --------------------------------------------------------------------------- blocked send


async def test_send_blocked_on_back_pressure_is_released_by_a_drop() -> None:
    """A send stuck on TCP back-pressure (server not reading) ends when the peer vanishes."""
    started = asyncio.Event()

    async def handler(conn: MockServerConnection) -> None:
        await started.wait()  # never reads: the client's writes pile up
        await asyncio.sleep(0.2)
        conn.drop()

    async with MockServer(handler) as server:
        conn = await connect(endpoint=server.endpoint, credential=key())
        try:
            big = b"\x00\x01" * (512 * 1024)

            async def flood() -> BaseException:
                while True:
                    try:
                        await conn.input_audio_buffer.append(audio=big)
                    except Exception as exc:
                        return exc
                    started.set()

            error = await asyncio.wait_for(flood(), DEADLINE)
            assert isinstance(error, ConnectionClosedError)
            assert error.code == 1006
            assert_clean(error)
        finally:
            await conn.close()


# --------------------------------------------------------------------------- timeouts


async def _read_until_error(conn: VoiceLiveConnection, api: str, seen: list[str | None]) -> None:
    """Read with ``api`` until something raises (that exception propagates)."""
    if api == "recv":
        while True:
            seen.append((await asyncio.wait_for(conn.recv(), DEADLINE)).event_id)
    elif api == "async-for":
        async for event in conn:
            seen.append(event.event_id)
        raise AssertionError("async for ended without an error")
    else:
        await asyncio.wait_for(conn.wait_for("error", timeout=DEADLINE), DEADLINE)
        raise AssertionError("wait_for returned an event")


def _stall_handler(before: int, release: asyncio.Event) -> Any:
    """Send ``before`` events, then nothing (pings still answered) until the test sets
    ``release``, then one "late" event; the stall lasts exactly as long as the test needs."""

    async def handler(conn: MockServerConnection) -> None:
        async def drain() -> None:  # keeps answering pings while "stalled"
            async for _event in conn:
                pass

        reader = asyncio.create_task(drain())
        for i in range(before):
            await conn.send_raw(text_delta(f"ev{i}"))
        await release.wait()
        await conn.send_raw(text_delta("late"))
        await reader  # until the client closes

    return handler


@pytest.mark.parametrize("heartbeat", [None, 0.05], ids=["no-heartbeat", "heartbeat"])
@pytest.mark.parametrize("api", ["recv", "async-for", "wait_for"])
async def test_stall_longer_than_receive_timeout_raises(api: str, heartbeat: float | None) -> None:
    """A silent server (that still answers pings) trips ``receive_timeout``, heartbeat or not;
    the connection stays open and the late event is still delivered afterwards."""
    options = {"receive_timeout": 0.3, "heartbeat": heartbeat}
    release = asyncio.Event()
    async with (
        MockServer(_stall_handler(3, release)) as server,
        connect(endpoint=server.endpoint, credential=key(), connection_options=options) as conn,
    ):
        loop = asyncio.get_running_loop()
        started = loop.time()
        seen: list[str | None] = []
        with pytest.raises(ReceiveTimeoutError) as info:
            await _read_until_error(conn, api, seen)
        # The server is still stalled (release is not set), so only the receive timeout can
        # have ended the read -- and a timer never fires before its deadline.
        assert loop.time() - started >= 0.3 - 0.05
        release.set()
        assert isinstance(info.value, TimeoutError)
        assert_clean(info.value)
        assert not conn.closed
        late = None
        while late is None:
            try:
                event = await conn.recv()
            except ReceiveTimeoutError:
                continue
            if event.event_id == "late":
                late = event
            else:
                seen.append(event.event_id)
        assert seen == ["ev0", "ev1", "ev2"]


async def test_heartbeat_keeps_an_idle_healthy_connection_open() -> None:
    """Idle for 20 heartbeat intervals against a healthy server: nothing breaks."""

    async def handler(conn: MockServerConnection) -> None:
        async def drain() -> None:
            async for _event in conn:
                pass

        reader = asyncio.create_task(drain())
        await asyncio.sleep(1.0)
        await conn.send_raw(text_delta("after-idle"))
        await asyncio.sleep(0.3)
        reader.cancel()

    async with (
        MockServer(handler) as server,
        connect(
            endpoint=server.endpoint, credential=key(), connection_options={"heartbeat": 0.05}
        ) as conn,
    ):
        event = await asyncio.wait_for(conn.recv(), DEADLINE)
        assert event.event_id == "after-idle"
        assert not conn.closed
        await conn.response.cancel()  # still usable for sending


@pytest.fixture
async def unresponsive_server() -> AsyncIterator[str]:
    """A WebSocket server that accepts, then never answers pings (a dead peer behind a NAT)."""

    done = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        await done.wait()
        return ws

    async with serve_app(handler) as url:
        try:
            yield url
        finally:
            done.set()


@pytest.mark.parametrize("api", ["recv", "async-for", "wait_for"])
async def test_heartbeat_detects_a_dead_peer_as_an_abnormal_close(
    unresponsive_server: str, api: str
) -> None:
    """No PONG within the heartbeat: the connection is dead -> ConnectionClosedError(1006),
    not a receive timeout on a connection that is "still open"."""
    async with connect(
        endpoint=unresponsive_server,
        credential=key(),
        connection_options={"heartbeat": 0.1, "close_timeout": 0.5},
    ) as conn:
        with pytest.raises(ConnectionClosedError) as info:
            # The peer never answers anything: without the heartbeat this read never ends.
            await asyncio.wait_for(_read_until_error(conn, api, []), DEADLINE)
        assert info.value.code == 1006
        assert not isinstance(info.value, TimeoutError)
        assert conn.closed
        assert_clean(info.value)
        with pytest.raises(ConnectionClosedError):
            await conn.response.cancel()


async def test_close_codes_are_told_apart_from_the_client_side_close() -> None:
    """A close the *client* starts ends ``async for`` quietly and is not a server fault."""
    async with MockServer() as server:
        conn = await connect(endpoint=server.endpoint, credential=key())
        await conn.recv()
        await conn.close(1000)
        assert [e async for e in conn] == []
        with pytest.raises(ConnectionClosedOK):
            await conn.recv()
        with pytest.raises(ConnectionClosedOK):
            await conn.response.cancel()
