"""N connect/close cycles of every kind; prints resource figures as JSON (run as a subprocess).

Usage: ``python -X dev -W error _leak_worker.py CYCLES``. ``-X dev`` turns on asyncio debug
mode and ResourceWarnings, ``-W error`` makes every warning an error; the parent test fails
on any such report on stderr ("Unclosed client session", "Task was destroyed but it is
pending", "Exception ignored", ResourceWarning, ...).

The servers run in a child process (``serve`` mode), so only the client is measured.

Cycle kinds, round robin: a normal session closed by the client; server closes with 1000,
1001, 1011 and a TCP drop; an exception inside ``async with connect(...)``; a caller-supplied
ClientSession; failed handshakes: HTTP 401, 503, a redirect (refused), connection refused,
a ws:// to a non-loopback host refused before any I/O; and (every 50th cycle) a handshake
timeout. The first ``WARMUP`` cycles fill caches; figures compare the state right after them
with the state after the last cycle.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import socket
import sys
import time
import tracemalloc
from collections import Counter
from typing import Any

import aiohttp
from aiohttp import web
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import connect
from voicelive.exceptions import (
    AuthenticationError,
    ConnectionClosed,
    ConnectionClosedOK,
    HandshakeError,
    LocalProtocolError,
    RedirectRefusedError,
)
from voicelive.exceptions import ConnectionError as VLConnectionError

CANARY = "rel-canary-KEY-5e1b0c9d7a3f"
KEY = AzureKeyCredential(CANARY)
WARMUP = 50

KINDS = [
    "client-close",
    "server-close-1000",
    "server-close-1001",
    "server-close-1011",
    "server-drop",
    "error-inside-async-with",
    "caller-session",
    "http-401",
    "http-503",
    "redirect",
    "refused",
    "insecure-ws-refused",
]


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def _serve() -> None:
    """The server side, in its own process (its memory and fds are not measured)."""
    done = asyncio.Event()

    async def session(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str('{"type":"session.created","event_id":"s","session":{}}')
        mode = request.query.get("mode", "")
        if mode.startswith("close-"):
            await ws.close(code=int(mode[6:]), message=b"bye")
        elif mode == "drop":
            await asyncio.sleep(0.005)
            assert request.transport is not None
            request.transport.abort()
        else:
            async for _msg in ws:
                pass
        return ws

    async def locked(request: web.Request) -> web.Response:
        return web.Response(status=401)

    async def fail(request: web.Request) -> web.Response:
        return web.Response(status=503)

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(location="/elsewhere")

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.Response(status=500)

    async def stop(request: web.Request) -> web.Response:
        done.set()
        return web.Response(text="bye")

    app = web.Application()
    app.router.add_get("/ok/voice-live/realtime", session)
    app.router.add_get("/locked/voice-live/realtime", locked)
    app.router.add_get("/fail/voice-live/realtime", fail)
    app.router.add_get("/redirect/voice-live/realtime", redirect)
    app.router.add_get("/slow/voice-live/realtime", slow)
    app.router.add_get("/stop", stop)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    print(f"PORT {runner.addresses[0][1]}", flush=True)
    await done.wait()
    await runner.cleanup()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _cycle(kind: str, http: str, refused: int, session: Any) -> str:
    endpoint = http + "/ok"
    try:
        if kind == "client-close":
            async with connect(endpoint=endpoint, credential=KEY, model="m") as conn:
                await conn.recv()
                await conn.input_audio_buffer.append(audio=b"\x00\x00" * 480)
        elif kind.startswith("server-close-") or kind == "server-drop":
            mode = "drop" if kind == "server-drop" else "close-" + kind.rsplit("-", 1)[1]
            async with connect(endpoint=endpoint, credential=KEY, query={"mode": mode}) as conn:
                try:
                    async for _event in conn:
                        pass
                except ConnectionClosed:
                    pass
        elif kind == "error-inside-async-with":
            try:
                async with connect(endpoint=endpoint, credential=KEY) as conn:
                    await conn.recv()
                    raise KeyError("app bug")
            except KeyError:
                pass
        elif kind == "caller-session":
            async with connect(endpoint=endpoint, credential=KEY, client_session=session) as conn:
                await conn.recv()
        elif kind == "http-401":
            await _fails(connect(endpoint=http + "/locked", credential=KEY), AuthenticationError)
        elif kind == "http-503":
            await _fails(connect(endpoint=http + "/fail", credential=KEY), HandshakeError)
        elif kind == "redirect":
            await _fails(connect(endpoint=http + "/redirect", credential=KEY), RedirectRefusedError)
        elif kind == "refused":
            await _fails(
                connect(endpoint=f"http://127.0.0.1:{refused}", credential=KEY), VLConnectionError
            )
        elif kind == "insecure-ws-refused":
            await _fails(
                connect(endpoint="http://voicelive.example", credential=KEY), LocalProtocolError
            )
        elif kind == "handshake-timeout":
            options = {"handshake_timeout": 0.05}
            await _fails(
                connect(endpoint=http + "/slow", credential=KEY, connection_options=options),
                HandshakeError,
            )
        else:
            raise AssertionError(kind)
    except ConnectionClosedOK:
        pass
    return kind


async def _fails(opening: Any, error: type[BaseException]) -> None:
    """Await a ``connect()`` that must fail with ``error``."""
    try:
        conn = await opening
    except error:
        return
    await conn.close()
    raise AssertionError(f"connect() should have raised {error.__name__}")


async def _settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0.02)
        gc.collect()


async def main(cycles: int) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    loop.slow_callback_duration = 1.0  # debug mode: report only truly stuck callbacks
    assert loop.get_debug(), "run with -X dev or PYTHONASYNCIODEBUG=1"
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "serve", stdout=asyncio.subprocess.PIPE
    )
    assert server.stdout is not None
    line = (await server.stdout.readline()).decode()
    assert line.startswith("PORT "), line
    http = f"http://127.0.0.1:{line.split()[1]}"
    counts: Counter[str] = Counter()
    refused = _free_port()
    session = aiohttp.ClientSession()
    figures: dict[str, Any] = {}
    try:
        started = time.monotonic()
        for i in range(cycles):
            if i == WARMUP:
                await _settle()
                tracemalloc.start()
                figures["before"] = _state()
            kind = "handshake-timeout" if i % 50 == 49 else KINDS[i % len(KINDS)]
            counts[await _cycle(kind, http, refused, session)] += 1
        await _settle()
        figures["after"] = _state()
        alive = Counter(type(o).__name__ for o in gc.get_objects())
        figures["alive"] = {
            name: alive.get(name, 0)
            for name in (
                "VoiceLiveConnection",
                "ClientWebSocketResponse",
                "ClientSession",
                "TCPConnector",
                "TimerHandle",
            )
        }
        figures["seconds"] = round(time.monotonic() - started, 2)
        if tracemalloc.is_tracing():
            top = tracemalloc.take_snapshot().statistics("lineno")[:5]
            figures["top_allocations"] = [str(stat) for stat in top]
            tracemalloc.stop()
    finally:
        await session.close()
        async with aiohttp.ClientSession() as stopper, stopper.get(http + "/stop") as answer:
            await answer.read()
        await server.wait()
    figures["cycles"] = cycles
    figures["kinds"] = dict(counts)
    return figures


def _state() -> dict[str, int]:
    return {
        "fds": _fds(),
        "tasks": len(asyncio.all_tasks()),
        "rss": _rss(),
        "traced": tracemalloc.get_traced_memory()[0],
    }


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        asyncio.run(_serve())
    else:
        result = asyncio.run(main(int(sys.argv[1])))
        print("RESULT " + json.dumps(result), flush=True)
