"""Loopback Voice Live server for the benchmarks (aiohttp.web, its own process).

Usage: ``python bench/server.py [--port 0]``; prints ``PORT <n>`` on stdout once listening.

One route, ``/voice-live/realtime`` (the path every client derives from the endpoint).
Every connection gets ``session.created`` first; the ``bench`` query parameter picks the
scenario (see ``_common.MODE_*``):

* ``audio&n=N`` / ``small&n=N``: on ``response.create`` stream a pre-serialized response
  as fast as the socket takes it. The frames are built once per ``(mode, N)``, already
  framed as WebSocket bytes, and handed to the transport in one write: ``send_str`` per
  frame costs the server ~4.7 us, as much as the raw client spends per small event, so the
  server would otherwise be the bottleneck and hide client differences.
* ``send``: count ``input_audio_buffer.append`` frames without parsing them; answer
  ``input_audio_buffer.commit`` with ``input_audio_buffer.committed`` carrying the count.
* ``idle``: nothing after ``session.created``.
* ``realtime&duration=S``: on ``response.create`` send one 100 ms audio delta every 100 ms
  for ``S`` seconds, each stamped ``"sent_at": time.time()`` right before it is written,
  then ``response.done``. One ticker serves every stream in ten 10 ms slots, so 3,000
  sessions cost 100 timer wake-ups a second instead of 30,000. Frames go straight to the
  transport (no drain): a client that falls behind sees its backlog as lag instead of
  slowing the server's clock for everyone.

``GET /stats`` returns the server's CPU seconds, the real-time frames sent and how late
the ticker ran behind its schedule (``?reset=1`` zeroes the counters).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from aiohttp import WSMsgType, web

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c

SESSION_CREATED = c.session_created()
RT_PREFIX, RT_SUFFIX = c.realtime_frame_parts()
RT_CREATED, *_, _rt_done = c.small_response_frames(0)
SLOTS = 10
SLOT_S = c.DELTA_MS / 1000 / SLOTS

_stream_cache: dict[tuple[str, int], bytes] = {}


def ws_text_frame(text: str) -> bytes:
    """One unmasked, uncompressed, final WebSocket TEXT frame (RFC 6455 section 5.2)."""
    payload = text.encode()
    n = len(payload)
    if n < 126:
        header = bytes((0x81, n))
    elif n < 1 << 16:
        header = bytes((0x81, 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + n.to_bytes(8, "big")
    return header + payload


RT_DONE = ws_text_frame(_rt_done)


def stream_for(mode: str, n: int) -> bytes:
    """The whole response of workload ``mode`` as ready-to-write WebSocket frames."""
    key = (mode, n)
    blob = _stream_cache.get(key)
    if blob is None:
        frames = c.audio_response_frames(n) if mode == c.MODE_AUDIO else c.small_response_frames(n)
        blob = b"".join(map(ws_text_frame, frames))
        _stream_cache[key] = blob
    return blob


def write_or_raise(transport: asyncio.Transport | None, data: bytes) -> None:
    if transport is None or transport.is_closing():
        raise ConnectionResetError("client went away")
    transport.write(data)


@dataclass
class Stream:
    transport: asyncio.Transport | None
    remaining: int
    done: asyncio.Future[None]


class Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu0 = ru.ru_utime + ru.ru_stime
        self.t0 = time.monotonic()
        self.frames = 0
        self.max_slip = 0.0
        self.slip_sum = 0.0
        self.ticks = 0

    def snapshot(self) -> dict[str, float]:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        wall = time.monotonic() - self.t0
        cpu = ru.ru_utime + ru.ru_stime - self.cpu0
        return {
            "wall_s": wall,
            "cpu_s": cpu,
            "cpu_pct": 100 * cpu / wall if wall > 0 else 0.0,
            "rt_frames": self.frames,
            "max_slip_ms": 1000 * self.max_slip,
            "mean_slip_ms": 1000 * self.slip_sum / self.ticks if self.ticks else 0.0,
        }


STATS = Stats()


class Ticker:
    """Sends every real-time stream one stamped delta per 100 ms, in 10 staggered slots."""

    def __init__(self) -> None:
        self.slots: list[list[Stream]] = [[] for _ in range(SLOTS)]
        self.next_slot = 0
        self.task: asyncio.Task[None] | None = None

    def add(self, stream: Stream) -> None:
        self.slots[self.next_slot].append(stream)
        self.next_slot = (self.next_slot + 1) % SLOTS
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self.run())

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time()
        k = 0
        while any(self.slots):
            due += SLOT_S
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            slip = loop.time() - due
            STATS.ticks += 1
            STATS.slip_sum += max(0.0, slip)
            STATS.max_slip = max(STATS.max_slip, slip)
            slot = self.slots[k % SLOTS]
            k += 1
            keep: list[Stream] = []
            for st in slot:
                try:
                    write_or_raise(
                        st.transport, ws_text_frame(RT_PREFIX + repr(time.time()) + RT_SUFFIX)
                    )
                    STATS.frames += 1
                    st.remaining -= 1
                    if st.remaining <= 0:
                        write_or_raise(st.transport, RT_DONE)
                        st.done.set_result(None)
                    else:
                        keep.append(st)
                except (ConnectionError, RuntimeError) as exc:
                    if not st.done.done():
                        st.done.set_exception(exc)
            slot[:] = keep


TICKER = Ticker()


async def ws_handler(request: web.Request) -> web.StreamResponse:
    ws = web.WebSocketResponse(compress=False, max_msg_size=32 * 1024 * 1024, autoping=True)
    await ws.prepare(request)
    query = request.query
    mode = query.get(c.BENCH_PARAM, c.MODE_IDLE)
    n = int(query.get("n", "0"))
    duration = float(query.get("duration", "10"))
    await ws.send_str(SESSION_CREATED)
    appends = 0
    try:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data: str = msg.data
            # base64 never contains '.', so this cannot match inside the audio payload
            if "input_audio_buffer.append" in data:
                appends += 1
                continue
            kind = json.loads(data).get("type")
            if kind == "response.create":
                if mode in (c.MODE_AUDIO, c.MODE_SMALL):
                    write_or_raise(request.transport, stream_for(mode, n))
                elif mode == c.MODE_REALTIME:
                    await ws.send_str(RT_CREATED)
                    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                    count = round(duration * 1000 / c.DELTA_MS)
                    TICKER.add(Stream(request.transport, count, done))
                    try:
                        await done
                    except (ConnectionError, RuntimeError):
                        break
            elif kind == "input_audio_buffer.commit":
                await ws.send_str(c.committed_frame(appends))
                appends = 0
    except (ConnectionError, asyncio.CancelledError):
        pass
    return ws


async def stats_handler(request: web.Request) -> web.Response:
    snap = STATS.snapshot()
    if request.query.get("reset"):
        STATS.reset()
    return web.json_response(snap)


async def amain(port: int) -> None:
    c.raise_nofile()
    app = web.Application()
    app.router.add_get("/voice-live/realtime", ws_handler)
    app.router.add_get("/stats", stats_handler)
    runner = web.AppRunner(app, access_log=None, handle_signals=True)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    site = web.SockSite(runner, sock, backlog=4096, shutdown_timeout=1.0)
    await site.start()
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(amain(args.port))


if __name__ == "__main__":
    main()
