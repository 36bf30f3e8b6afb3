"""Item 3: bounded memory under a slow consumer, and a bound on queued outgoing data.

Receiving: a server in a *subprocess* (``_slow_producer.py``; its buffers do not count)
pushes ``--slow-consumer-mb`` MiB of audio deltas as fast as TCP allows; this process
consumes them with ``async for`` at a fraction of that rate. voicelive has no internal receive
queue: it reads one frame when the application asks for one, aiohttp's reader pauses the
socket once ~128 KiB are buffered, and TCP flow control stalls the producer. Asserted: RSS
growth over the run (kernel peak-RSS mark, ``VmHWM``, reset at the start) and the tracemalloc
peak stay under documented bounds, every byte arrives, and the producer really was held back
(its send loop lasted about as long as the slow consumption).

Sending: against a server that stops reading, the bytes buffered in this process for the
socket stay under ``SEND_BUFFER_BOUND`` however many tasks keep calling ``send``: each call
waits (back-pressure) instead of queueing.
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from _rel_support import (
    FIGURES,
    MiB,
    assert_clean,
    key,
    peak_rss_bytes,
    reset_peak_rss,
    rss_bytes,
    text_delta,
    trim_heap,
)
from aiohttp import helpers as aiohttp_helpers

from voicelive.aio import connect
from voicelive.models import ServerEventResponseAudioDelta
from voicelive.testing import MockServer, MockServerConnection

HERE = Path(__file__).parent
CHUNK = 32 * 1024  # audio bytes per delta (~0.7 s of 24 kHz PCM16; ~44 KB of JSON)

RSS_BOUND = 16 * MiB
"""Documented bound: RSS growth while consuming, whatever the total streamed."""
TRACED_BOUND = 8 * MiB
"""Documented bound: peak Python-heap growth (tracemalloc) while consuming."""

CHUNK_LIMIT = aiohttp_helpers.DEFAULT_CHUNK_SIZE  # 256 KiB in aiohttp 3.14 (64 KiB before)
SEND_BUFFER_BOUND = 64 * 1024 + CHUNK_LIMIT
"""aiohttp's writer waits for the socket to drain once ``CHUNK_LIMIT`` bytes were written while
the transport is over its 64 KiB high-water mark: at most high-water + ``CHUNK_LIMIT`` plus
the frame being written is ever buffered in this process for one connection."""


def _start_producer(total: int) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "_slow_producer.py"), str(total), str(CHUNK)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("PORT "), line
    return proc, int(line.split()[1])


async def _stream_and_measure(total: int, *, hoard: bool = False) -> dict[str, float]:
    """Consume ``total`` bytes of audio slowly from the subprocess producer; measure.

    ``hoard=True`` keeps every event (what an unbounded internal queue would do): the control
    run showing that the measurement does catch unbounded buffering.
    """
    proc, port = _start_producer(total)
    received = 0
    kept: list[object] = []
    try:
        async with connect(
            endpoint=f"http://127.0.0.1:{port}", credential=key(), model="m"
        ) as conn:
            assert (await conn.recv()).type == "session.created"
            for _ in range(20):  # warm up: buffers, caches and allocator arenas settle
                event = await conn.recv()
                assert isinstance(event, ServerEventResponseAudioDelta)
                received += len(event.delta)
            gc.collect()
            trim_heap()
            baseline = rss_bytes()
            hwm_reset = reset_peak_rss()
            tracemalloc.start()
            started = time.monotonic()
            sampled_peak = baseline
            count = 0
            try:
                async for event in conn:  # ends quietly on the producer's 1000 close
                    assert isinstance(event, ServerEventResponseAudioDelta)
                    received += len(event.delta)
                    count += 1
                    if hoard:
                        kept.append(event)
                    if count % 64 == 0:
                        sampled_peak = max(sampled_peak, rss_bytes())
                    await asyncio.sleep(0.001)  # the slow part: a consumer doing real work
                consumed_in = time.monotonic() - started
                traced_peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            peak = peak_rss_bytes() if hwm_reset else max(sampled_peak, rss_bytes())
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    done = [line for line in out.splitlines() if line.startswith("DONE ")]
    assert done, out
    assert received >= total  # every byte arrived
    kept.clear()
    return {
        "received": received,
        "growth": peak - baseline,
        "baseline": baseline,
        "traced_peak": traced_peak,
        "consumed_in": consumed_in,
        "produced_in": float(done[0].split()[1]),
    }


@pytest.mark.timeout(180)  # heavy: see [tool.pytest.ini_options] timeout
@pytest.mark.quiet_logs
async def test_slow_consumer_memory_is_bounded(rel_config: Any) -> None:
    m = await _stream_and_measure(rel_config.slow_consumer_mb * MiB)
    FIGURES["slow consumer: streamed"] = (
        f"{m['received'] / MiB:.0f} MiB in {m['consumed_in']:.1f} s"
    )
    FIGURES["slow consumer: RSS growth (peak - baseline)"] = (
        f"{m['growth'] / MiB:.1f} MiB (bound {RSS_BOUND // MiB} MiB; "
        f"baseline {m['baseline'] / MiB:.0f} MiB)"
    )
    FIGURES["slow consumer: tracemalloc peak"] = (
        f"{m['traced_peak'] / MiB:.1f} MiB (bound {TRACED_BOUND // MiB} MiB)"
    )
    FIGURES["slow consumer: producer send loop / consumer time"] = (
        f"{m['produced_in']:.1f} s / {m['consumed_in']:.1f} s"
    )
    assert m["growth"] < RSS_BOUND, m
    assert m["traced_peak"] < TRACED_BOUND, m
    # Back-pressure, not buffering: the producer could only send as fast as we consumed.
    # (Unbounded buffering would let it finish in a fraction of the consumer's time.)
    assert m["produced_in"] > 0.7 * m["consumed_in"], m


@pytest.mark.quiet_logs
async def test_control_the_measurement_catches_unbounded_buffering() -> None:
    """Control: holding every event (as an unbounded queue would) blows both bounds, so the
    bounds above are not vacuous."""
    m = await _stream_and_measure(48 * MiB, hoard=True)
    assert m["growth"] > RSS_BOUND, m
    assert m["traced_peak"] > TRACED_BOUND, m


async def test_queued_outgoing_data_is_bounded_and_sends_wait() -> None:
    """Ten tasks flood a server that stopped reading: the bytes buffered for the socket stay
    under SEND_BUFFER_BOUND + one frame; sends block instead of queueing; once the server
    reads again, every frame arrives intact and in each task's order."""
    reading = asyncio.Event()
    frame_audio = 96 * 1024  # ~128 KiB JSON per append

    async def handler(conn: MockServerConnection) -> None:
        await reading.wait()
        async for _event in conn:
            pass

    async with MockServer(handler) as server:
        conn = await connect(endpoint=server.endpoint, credential=key())
        try:
            transport = conn._transport._ws._writer.transport
            max_buffer = 0
            accepted = 0
            stop = asyncio.Event()

            async def flood(task: int) -> None:
                nonlocal max_buffer, accepted
                seq = 0
                while not stop.is_set():
                    audio = bytes([task, seq % 256]) * (frame_audio // 2)
                    await conn.input_audio_buffer.append(audio=audio, event_id=f"{task}:{seq}")
                    accepted += frame_audio
                    seq += 1
                    max_buffer = max(max_buffer, transport.get_write_buffer_size())

            async def sample() -> None:
                nonlocal max_buffer
                while not stop.is_set():
                    max_buffer = max(max_buffer, transport.get_write_buffer_size())
                    await asyncio.sleep(0.001)

            tasks = [asyncio.create_task(flood(i)) for i in range(10)]
            sampler = asyncio.create_task(sample())
            await asyncio.sleep(1.0)
            accepted_while_stalled = accepted
            # Back-pressure: sends waited. Without it, 1 s of a loopback flood would accept
            # hundreds of MiB; with it, only what kernel and server buffers hold.
            assert accepted_while_stalled < 64 * MiB, accepted_while_stalled
            assert max_buffer <= SEND_BUFFER_BOUND + frame_audio * 4 // 3 + 1024, max_buffer
            reading.set()
            await asyncio.sleep(0.5)
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks, sampler), 10)
            FIGURES["send: max bytes buffered for the socket"] = (
                f"{max_buffer / 1024:.0f} KiB (bound {SEND_BUFFER_BOUND // 1024} KiB + one frame "
                f"of {frame_audio * 4 // 3 // 1024} KiB)"
            )
            await conn.send({"type": "input_audio_buffer.commit", "event_id": "end"})
            for _ in range(500):
                if server.received and server.received[-1].event_id == "end":
                    break
                await asyncio.sleep(0.01)
        finally:
            await conn.close()
    appends = [e for e in server.received if e.type == "input_audio_buffer.append"]
    assert len(appends) * frame_audio >= accepted_while_stalled
    last: dict[str, int] = {}
    for event in appends:
        task, seq = (event.event_id or "").split(":")
        assert int(seq) == last.get(task, -1) + 1  # each task's order, no gap
        last[task] = int(seq)
        assert len(event.audio) == frame_audio * 4 // 3  # intact


async def test_wait_for_pending_queue_is_bounded() -> None:
    """``wait_for`` reading on its own queues at most ``max_pending_events`` events."""

    async def handler(conn: MockServerConnection) -> None:
        for i in range(500):
            await conn.send_raw(text_delta(f"e{i}"))
        await conn.send_raw('{"type":"error","event_id":"last","error":{"message":"m"}}')
        await asyncio.sleep(0.5)

    async with (
        MockServer(handler) as server,
        connect(
            endpoint=server.endpoint,
            credential=key(),
            connection_options={"max_pending_events": 50},
        ) as conn,
    ):
        found = await conn.wait_for("error", timeout=10)
        assert found.event_id == "last"
        assert len(conn._pending) == 50  # bounded; the oldest were dropped (and logged)
        rest = []
        for _ in range(50):
            rest.append((await conn.recv()).event_id)
        assert rest == [f"e{i}" for i in range(451, 500)] + ["last"]
        assert_clean(repr(conn))
