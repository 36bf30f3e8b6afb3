"""Phone bridge load: N simulated Twilio calls through one bridge process.

    python bench/bench_telephony.py                         # 50, 200, 500 calls, 5 s each
    python bench/bench_telephony.py --calls 20 --seconds 1  # smoke run
    python bench/bench_telephony.py --calls 200 --baseline-src /tmp/old/src  # before/after
    python bench/bench_telephony.py --calls 200 --profile bridge.prof       # cProfile
    python bench/bench_telephony.py --calls 200 --raw        # + the raw relay (the floor)
    python bench/bench_telephony.py --instructions 500 --raw # instructions per frame
    nox -s bench_telephony

Three processes, so that the bridge's CPU time is its own:

* the **bridge**: :class:`voicelive.telephony.PhoneServer`, as ``voicelive phone serve``
  runs it (default settings: a Twilio mark about every 100 ms), connected to
* a minimal **Voice Live stand-in** (raw aiohttp: answers ``session.update``, echoes every
  ``input_audio_buffer.append`` at once as one 20 ms ``response.audio.delta``; also a
  ``/direct`` route echoing Twilio frames with no bridge in between). Not the emulator:
  its VAD, responses and pacing would be in the outbound path, and its deltas could not
  carry the inbound frame's time stamp;
* the **callers** (this process), speaking Twilio Media Streams: one 20 ms μ-law frame every
  20 ms per call, every mark echoed at once (instant playback). Real calls start at random
  times, so their 20 ms clocks are spread over the tick: the calls are sent in 10 groups,
  2 ms apart (``--aligned`` sends every call's frame at the same instant instead: bursts of
  N frames, the worst case).

Frames carry their send time (``time.monotonic()``, one clock for every process on Linux), so
*inbound* latency (caller frame -> append at the stand-in) and *outbound* latency (delta
sent by the stand-in -> media frame at the caller) are measured end to end. The same load is
run **direct** first, with the same callers and stand-in: the difference of the two
percentiles is what the bridge adds (its own work, its event-loop queueing and the extra
loopback hop), with the callers' and stand-in's work subtracted.

CPU per call is the bridge process's CPU time (``/proc``, user + kernel) from the first frame
to the end of the drain after the last one (call set-up and tear-down excluded), divided by
N and by the seconds of audio; "µs per frame" is the same time per 20 ms of one call (one
frame each way). WebSocket messages per frame counts what crosses the bridge for 20 ms of
one call: media in, append out, delta in, media out, and the marks and their echoes. The
other processes' CPU (the machine minus these three) is printed with each row.

``--raw`` adds the **raw relay**, the floor: the same Twilio <-> Voice Live relay written
with bare aiohttp + json as the bridge process (no validation, no models, no truncation
bookkeeping; payloads passed through; the same WebSocket messages per frame), measured after
the bridge(s) in each row. ``--instructions FRAMES`` replaces the load runs with a count that
the machine's load does not move: each bridge under valgrind's callgrind, 2 calls sending
FRAMES frames one at a time, user-space instructions per frame (the kernel's part of the
socket calls is not in it).

``--uvloop`` runs the bridge on uvloop (what aiohttp's ``GunicornUVLoopWebWorker`` does).
``--baseline-src DIR`` starts a second bridge importing voicelive from ``DIR`` (say an
older ``src/``) and measures it after the first in each row: a same-run before/after.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import importlib.util
import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, TCPConnector, WSMsgType, web

FRAME = 160  # 20 ms of μ-law at 8 kHz
TICK = 0.020
SLOTS = 10  # the tick is split in 2 ms slots, each sending the frames of 1/10 of the calls
_STAMP = struct.Struct("<IId")  # call, sequence number, send time


_HEAD = 18  # the stamp and 2 filler bytes: a whole number of base64 groups (24 characters)
_TAIL = base64.b64encode(b"\xff" * (FRAME - _HEAD)).decode()
_HEAD_CHARS = _HEAD // 3 * 4


def _payload(call: int, seq: int) -> str:
    head = _STAMP.pack(call, seq, time.monotonic()) + b"\xff" * (_HEAD - _STAMP.size)
    return base64.b64encode(head).decode() + _TAIL  # = base64 of the whole 160-byte frame


def _stamp_at(text: str, key: str) -> tuple[int, int, float]:
    """The stamp of the base64 payload after ``key`` in a JSON text (no full decode)."""
    start = text.index(key) + len(key)
    return _STAMP.unpack(base64.b64decode(text[start : start + _HEAD_CHARS])[: _STAMP.size])


def _restamp(text: str, key: str) -> str:
    call, seq, _ = _stamp_at(text, key)
    return _payload(call, seq)


def _age(text: str, key: str) -> float:
    return time.monotonic() - _stamp_at(text, key)[2]


_DELTA = (
    '{"type":"response.audio.delta","event_id":"e","response_id":"resp_1",'
    '"item_id":"item_1","output_index":0,"content_index":0,"delta":"%s"}'
)
_MEDIA_IN = (
    '{"event":"media","streamSid":"MZ%d","media":{"track":"inbound","chunk":"%d",'
    '"timestamp":"%d","payload":"%s"}}'
)
_MEDIA_OUT = '{"event":"media","streamSid":"MZ","media":{"payload":"%s"}}'


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# --------------------------------------------------------------------------- stand-in


class StandIn:
    """The Voice Live stand-in (and the direct echo), in its own process."""

    def __init__(self) -> None:
        self.inbound: list[float] = []
        self.sessions = 0
        """``session.update`` events answered so far."""
        self.app = web.Application()
        self.app.add_routes(
            [
                web.get("/direct", self._direct),
                web.post("/stats", self._stats),
                web.post("/sessions", self._sessions),
                web.get("/{tail:.*}", self._voicelive),
            ]
        )

    async def _sessions(self, request: web.Request) -> web.Response:
        return web.json_response(self.sessions)

    async def _stats(self, request: web.Request) -> web.Response:
        values, self.inbound = self.inbound, []
        return web.json_response(values)

    async def _voicelive(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session: dict[str, Any] = {"id": "sess_1", "object": "realtime.session"}
        created = {"type": "session.created", "event_id": "e0", "session": session}
        await ws.send_str(json.dumps(created))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            text = msg.data
            if text.startswith('{"type":"input_audio_buffer.append"'):  # the hot path
                self.inbound.append(_age(text, '"audio":"'))
                await ws.send_str(_DELTA % _restamp(text, '"audio":"'))
                continue
            event = json.loads(text)
            if event.get("type") == "session.update":
                session.update(event.get("session") or {})
                reply = {"type": "session.updated", "event_id": "e1", "session": session}
                await ws.send_str(json.dumps(reply))
                self.sessions += 1
        return ws

    async def _direct(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            if msg.data.startswith('{"event":"media"'):
                self.inbound.append(_age(msg.data, '"payload":"'))
                await ws.send_str(_MEDIA_OUT % _restamp(msg.data, '"payload":"'))
        return ws


async def _serve_standin() -> None:
    standin = StandIn()
    runner = web.AppRunner(standin.app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(f"READY {site._server.sockets[0].getsockname()[1]}", flush=True)  # type: ignore[union-attr]
    await asyncio.Event().wait()


async def _serve_bridge(voicelive_url: str, profile: str | None) -> None:
    from azure.core.credentials import AzureKeyCredential

    from voicelive.aio import connect
    from voicelive.telephony import PhoneAgent, PhoneServer

    async def open_connection() -> Any:
        return await connect(endpoint=voicelive_url, credential=AzureKeyCredential("k"), model="m")

    agent = PhoneAgent(session={"turn_detection": None})
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    profiler = cProfile.Profile() if profile else None
    async with PhoneServer(agent, open_connection, port=0) as server:
        print(f"READY {server.port}", flush=True)
        if profiler is not None:
            profiler.enable()
        await stop.wait()
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)


# --------------------------------------------------------------------------- raw relay


async def _serve_raw(voicelive_url: str, profile: str | None) -> None:
    """The floor: the same Twilio <-> Voice Live relay in bare aiohttp + json.

    No validation, no models, no truncation bookkeeping, no conversation helpers: the phone's
    base64 payload goes into the append as it came, the delta's base64 text into the media
    frame as it came (one 20 ms delta = one phone frame here). The same WebSocket messages per
    frame as the bridge: media in -> append out, delta in -> media out, a mark after the
    first frame and then after every 5th (100 ms), its echo read and dropped. aiohttp's
    default socket options: no heartbeat (``voicelive.aio.connect`` sets 30 s, as the
    official SDK does; aiohttp's own heartbeat bookkeeping costs a loop callback per
    message, which voicelive avoids).
    """
    tokens: set[str] = set()
    http = ClientSession(connector=TCPConnector(limit=0))
    ws_url = voicelive_url.replace("http", "ws", 1) + "/voice-live/realtime"

    async def voice(request: web.Request) -> web.Response:
        token = os.urandom(8).hex()
        tokens.add(token)
        media = "ws://" + request.host + "/twilio/media"
        twiml = (
            f'<Response><Connect><Stream url="{media}"><Parameter name="voicelive_token" '
            f'value="{token}"/></Stream></Connect></Response>'
        )
        return web.Response(text=twiml, content_type="text/xml")

    async def media(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=1 << 20)
        await ws.prepare(request)
        sid = ""
        async for msg in ws:  # up to the stream start
            event = json.loads(msg.data)
            if event.get("event") == "start":
                sid = event["streamSid"]
                tokens.remove(event["start"]["customParameters"]["voicelive_token"])
                break
        vl = await http.ws_connect(ws_url)  # aiohttp's defaults: no heartbeat
        await vl.receive()  # session.created
        update = {"type": "session.update", "session": {"turn_detection": None}}
        await vl.send_str(json.dumps(update))
        await vl.receive()  # session.updated
        prefix = '{"event":"media","streamSid":' + json.dumps(sid) + ',"media":{"payload":"'
        mark = '{"event":"mark","streamSid":' + json.dumps(sid) + ',"mark":{"name":"%d"}}'

        async def phone_to_voicelive() -> None:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    break
                event = json.loads(msg.data)
                kind = event.get("event")
                if kind == "media":
                    await vl.send_str(
                        '{"type":"input_audio_buffer.append","audio":"'
                        + event["media"]["payload"]
                        + '"}'
                    )
                elif kind == "stop":
                    break

        async def voicelive_to_phone() -> None:
            frames = 0
            async for msg in vl:
                if msg.type != WSMsgType.TEXT:
                    break
                event = json.loads(msg.data)
                if event.get("type") == "response.audio.delta":
                    await ws.send_str(prefix + event["delta"] + '"}}')
                    if frames % 5 == 0:
                        await ws.send_str(mark % frames)
                    frames += 1

        tasks = [
            asyncio.ensure_future(phone_to_voicelive()),
            asyncio.ensure_future(voicelive_to_phone()),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await vl.close()
        await ws.close()
        return ws

    app = web.Application()
    app.add_routes([web.post("/twilio/voice", voice), web.get("/twilio/media", media)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(f"READY {site._server.sockets[0].getsockname()[1]}", flush=True)  # type: ignore[union-attr]
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    await stop.wait()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    await runner.cleanup()
    await http.close()


# --------------------------------------------------------------------------- callers


class Callers:
    """N Twilio callers in this process."""

    def __init__(self) -> None:
        self.outbound: list[float] = []
        self.measuring = False
        self.marks = 0
        """Marks received in the measuring window."""
        self.system = 0.0
        """The bridge's CPU seconds in the kernel in the measuring window."""
        self.aligned = False

    async def dial(self, http: ClientSession, url: str, direct: bool, index: int) -> Any:
        if direct:
            return await http.ws_connect(url.replace("http", "ws") + "/direct")
        async with http.post(url + "/twilio/voice", data={"CallSid": f"CA{index}"}) as answer:
            twiml = await answer.text()
        token = twiml.split('name="voicelive_token" value="')[1].split('"')[0]
        ws = await http.ws_connect(url.replace("http", "ws") + "/twilio/media")
        hello = {"event": "connected", "protocol": "Call", "version": "1.0.0"}
        await ws.send_str(json.dumps(hello))
        start = {
            "streamSid": f"MZ{index}",
            "callSid": f"CA{index}",
            "tracks": ["inbound"],
            "customParameters": {"voicelive_token": token},
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        }
        await ws.send_str(json.dumps({"event": "start", "streamSid": f"MZ{index}", "start": start}))
        return ws

    async def listen(self, ws: Any, sid: str) -> None:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            text = msg.data
            if text.startswith('{"event":"media"'):  # the hot path
                if self.measuring:
                    self.outbound.append(_age(text, '"payload":"'))
                continue
            event = json.loads(text)
            if event.get("event") == "mark":
                self.marks += self.measuring
                echo = {"event": "mark", "streamSid": sid, "mark": event["mark"]}
                await ws.send_str(json.dumps(echo))

    async def run(
        self, url: str, stats_url: str, calls: int, seconds: float, bridge_pid: int | None
    ) -> tuple[list[float], list[float], float, float]:
        """``(inbound, outbound, window, bridge CPU seconds)`` of one run.

        Straight to the stand-in when ``bridge_pid`` is ``None``. The window runs from the
        first frame sent to the end of the drain after the last one; the bridge's CPU time
        is read at both ends (call set-up and tear-down are outside it).
        """
        direct = bridge_pid is None
        self.outbound = []
        self.marks = 0
        settle = min(0.5, seconds)
        async with ClientSession(connector=TCPConnector(limit=0)) as http:  # no pool cap
            sessions_url = stats_url.replace("/stats", "/sessions")
            async with http.post(sessions_url) as response:
                sessions_before = await response.json()
            sockets: list[Any] = []
            for first in range(0, calls, 50):  # dial in batches
                batch = range(first, min(calls, first + 50))
                dials = asyncio.gather(*(self.dial(http, url, direct, i) for i in batch))
                sockets += await asyncio.wait_for(dials, 120)
            listeners = [
                asyncio.ensure_future(self.listen(ws, f"MZ{i}")) for i, ws in enumerate(sockets)
            ]
            if not direct:  # every call's Voice Live session applied before the window
                async with asyncio.timeout(120):
                    while True:
                        async with http.post(sessions_url) as response:
                            if await response.json() >= sessions_before + calls:
                                break
                        await asyncio.sleep(0.05)
            await asyncio.sleep(settle)
            loop = asyncio.get_running_loop()
            seq = 0
            async with http.post(stats_url):  # discard what came before the window
                pass
            cpu0 = _cpu_split(bridge_pid) if bridge_pid else (0.0, 0.0)
            began = loop.time()
            next_tick = began
            self.measuring = True
            # the calls' 20 ms clocks are spread over the tick in SLOTS groups (phone calls
            # start at random times); --aligned sends every call's frame at once
            slots = 1 if self.aligned else min(SLOTS, calls)
            groups = [list(enumerate(sockets))[j::slots] for j in range(slots)]
            while loop.time() - began < seconds:
                seq += 1
                for j, group in enumerate(groups):
                    for i, ws in group:
                        await ws.send_str(_MEDIA_IN % (i, seq, seq * 20, _payload(i, seq)))
                    slot_end = next_tick + TICK * (j + 1) / slots
                    await asyncio.sleep(max(0.0, slot_end - loop.time()))
                next_tick += TICK
            await asyncio.sleep(settle / 2)  # drain
            self.measuring = False
            window = loop.time() - began
            cpu1 = _cpu_split(bridge_pid) if bridge_pid else (0.0, 0.0)
            self.system = cpu1[1] - cpu0[1]
            cpu = cpu1[0] + cpu1[1] - cpu0[0] - cpu0[1]
            async with http.post(stats_url) as response:
                inbound = await response.json()
            for i, ws in enumerate(sockets):
                if not direct:
                    stop = {"event": "stop", "streamSid": f"MZ{i}", "stop": {}}
                    await ws.send_str(json.dumps(stop))
                await ws.close()
            for listener in listeners:
                listener.cancel()
            await asyncio.gather(*listeners, return_exceptions=True)
        return inbound, self.outbound, window, cpu


# --------------------------------------------------------------------------- driver


def _cpu_split(pid: int) -> tuple[float, float]:
    """``(user, system)`` CPU seconds of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def _cpu_seconds(pid: int) -> float:
    return sum(_cpu_split(pid))


def _machine_busy() -> float:
    """CPU seconds the whole machine spent busy (all cores, all processes)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


async def _start(
    *args: str, src: str | None = None, wrap: tuple[str, ...] = (), wait: float = 60
) -> tuple[subprocess.Popen[str], int]:
    command = [*wrap, sys.executable, __file__, *args]
    env = dict(os.environ)
    if src is not None:  # the bridge imports voicelive from this source tree
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)  # noqa: ASYNC220
    assert proc.stdout is not None
    line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), wait)
    return proc, int(line.split()[1])


def _row(calls: int, path: str, inbound: list[float], outbound: list[float], cpu: str) -> str:
    return (
        f"| {calls} | {path} | {_pct(inbound, 0.5):.2f} / {_pct(inbound, 0.99):.2f} | "
        f"{_pct(outbound, 0.5):.2f} / {_pct(outbound, 0.99):.2f} | {cpu} |"
    )


async def _measure_bridge(
    callers: Callers,
    name: str,
    bridge: subprocess.Popen[str],
    bridge_url: str,
    standin: subprocess.Popen[str],
    standin_url: str,
    calls: int,
    seconds: float,
    direct: tuple[list[float], list[float]],
) -> None:
    own0, standin0 = _cpu_seconds(os.getpid()), _cpu_seconds(standin.pid)
    busy0, wall0 = _machine_busy(), time.perf_counter()
    b_in, b_out, window, cpu = await callers.run(
        bridge_url, standin_url + "/stats", calls, seconds, bridge.pid
    )
    wall = time.perf_counter() - wall0
    own = _cpu_seconds(os.getpid()) - own0
    standin_cpu = _cpu_seconds(standin.pid) - standin0
    others = max(0.0, _machine_busy() - busy0 - own - standin_cpu - cpu) / wall
    frames = calls * round(seconds / TICK)
    # through the bridge per frame: media in, append out, delta in, media out, marks + echoes
    messages = (len(b_in) + len(b_out) + 2 * len(b_in) + 2 * callers.marks) / max(1, len(b_in))
    share = cpu / window
    d_in, d_out = direct
    print(
        _row(
            calls,
            name,
            b_in,
            b_out,
            f"{share * 100:.0f}% of a core, {cpu * 1000 / (calls * seconds):.2f} ms/s per call, "
            f"{cpu * 1e6 / max(1, (len(b_in) + len(b_out)) / 2):.0f} µs per frame each way "
            f"({callers.system / max(cpu, 1e-9) * 100:.0f}% in the kernel)",
        )
    )
    print(
        f"| {calls} | **{name} adds** | p50 +{_pct(b_in, 0.5) - _pct(d_in, 0.5):.2f}, "
        f"p99 +{_pct(b_in, 0.99) - _pct(d_in, 0.99):.2f} | "
        f"p50 +{_pct(b_out, 0.5) - _pct(d_out, 0.5):.2f}, "
        f"p99 +{_pct(b_out, 0.99) - _pct(d_out, 0.99):.2f} | "
        f"frames in {len(b_in)}/{frames}, out {len(b_out)}/{frames}; "
        f"{messages:.2f} WebSocket messages per 20 ms frame ({callers.marks} marks); "
        f"callers {own / wall * 100:.0f}%, stand-in {standin_cpu / wall * 100:.0f}%, "
        f"other processes {others * 100:.0f}% of a core |",
        flush=True,
    )


def _callgrind_total(path: str) -> int:
    """The instruction count of a callgrind output file (then removed)."""
    text = Path(path).read_text()
    Path(path).unlink()
    return int(text.split("\ntotals: ", 1)[1].split()[0])


async def _ping_pong(url: str, calls: int, frames: int, pid: int) -> None:
    """Instructions the process ``pid`` (under callgrind) spends on ``frames`` frames per
    call, sent one at a time: each frame's media goes out once the previous one came back."""
    callers = Callers()
    async with ClientSession(connector=TCPConnector(limit=0)) as http:
        sockets = [await callers.dial(http, url, False, i) for i in range(calls)]
        returned: list[asyncio.Queue[None]] = [asyncio.Queue() for _ in sockets]

        async def listen(i: int, ws: Any) -> None:
            async for msg in ws:
                if msg.data.startswith('{"event":"media"'):
                    returned[i].put_nowait(None)
                    continue
                event = json.loads(msg.data)
                if event.get("event") == "mark":
                    echo = {"event": "mark", "streamSid": f"MZ{i}", "mark": event["mark"]}
                    await ws.send_str(json.dumps(echo))

        listeners = [asyncio.ensure_future(listen(i, ws)) for i, ws in enumerate(sockets)]

        async def run(first: int, count: int) -> None:
            for seq in range(first, first + count):
                for i, ws in enumerate(sockets):
                    await ws.send_str(_MEDIA_IN % (i, seq, seq * 20, _payload(i, seq)))
                for queue in returned:
                    await asyncio.wait_for(queue.get(), 120)

        await run(0, 50)  # warm-up: caches, first-use paths
        await asyncio.sleep(1)  # the warm-up's mark echoes
        control = ["callgrind_control", "-i"]
        await asyncio.to_thread(subprocess.run, [*control, "on", str(pid)], capture_output=True)
        await run(50, frames)
        await asyncio.sleep(1)  # the last mark echoes
        await asyncio.to_thread(subprocess.run, [*control, "off", str(pid)], capture_output=True)
        for i, ws in enumerate(sockets):
            await ws.send_str(json.dumps({"event": "stop", "streamSid": f"MZ{i}", "stop": {}}))
            await ws.close()
        for listener in listeners:
            listener.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)


async def _instructions(args: argparse.Namespace) -> None:
    """``--instructions``: user-space instructions per frame of each bridge (callgrind).

    Independent of the machine's load: one frame at a time (no batching of reads, whatever
    the scheduling), counted by valgrind rather than timed. The kernel's share (the
    ``send()``/``recv()`` system calls) is not in it.
    """
    standin, standin_port = await _start("--standin")
    standin_url = f"http://127.0.0.1:{standin_port}"
    roles: list[tuple[str, list[str], str | None]] = [("bridge", ["--bridge", standin_url], None)]
    if args.baseline_src:
        roles.append(("baseline", ["--bridge", standin_url], args.baseline_src))
    if args.raw:
        roles.append(("raw relay", ["--raw-relay", standin_url], None))
    calls, frames = 2, args.instructions
    print(f"user-space instructions per 20 ms frame (callgrind), {calls} calls x {frames} frames")
    try:
        for name, role, src in roles:
            out = f"/tmp/bench_telephony.callgrind.{os.getpid()}.{len(name)}"
            wrap = (
                "valgrind",
                "-q",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
            )
            proc, port = await _start(*role, src=src, wrap=wrap, wait=900)
            try:
                await _ping_pong(f"http://127.0.0.1:{port}", calls, frames, proc.pid)
            finally:
                proc.terminate()
                await asyncio.to_thread(proc.wait, 600)
            total = await asyncio.to_thread(_callgrind_total, out)
            print(
                f"| {name} | {total / (calls * frames):,.0f} instructions per frame |", flush=True
            )
    finally:
        standin.terminate()
        standin.wait(30)


async def _main(args: argparse.Namespace) -> None:
    standin, standin_port = await _start("--standin")
    standin_url = f"http://127.0.0.1:{standin_port}"
    bridge_args = ["--bridge", standin_url]
    bridges: list[tuple[str, subprocess.Popen[str], str]] = []
    procs = [standin]
    try:
        options = ["--profile", args.profile] if args.profile else []
        options += ["--uvloop"] if args.uvloop else []
        proc, port = await _start(*bridge_args, *options)
        procs.append(proc)
        bridges.append(("bridge", proc, f"http://127.0.0.1:{port}"))
        if args.baseline_src:
            proc, port = await _start(*bridge_args, src=args.baseline_src)
            procs.append(proc)
            bridges.append(("baseline", proc, f"http://127.0.0.1:{port}"))
        if args.raw:
            raw_options = ["--profile", args.profile + ".raw"] if args.profile else []
            proc, port = await _start("--raw-relay", standin_url, *raw_options)
            procs.append(proc)
            bridges.append(("raw relay", proc, f"http://127.0.0.1:{port}"))
        callers = Callers()
        callers.aligned = args.aligned
        load = os.getloadavg()[0]
        print(
            f"phone bridge load: {args.seconds:g} s per run, {os.cpu_count()} cores, "
            f"load average {load:.1f} at start"
        )
        print()
        print("| calls | path | inbound p50 / p99 ms | outbound p50 / p99 ms | bridge CPU |")
        print("|---|---|---|---|---|")
        for calls in args.calls:
            d_in, d_out, _, _ = await callers.run(
                standin_url, standin_url + "/stats", calls, args.seconds, None
            )
            print(_row(calls, "direct", d_in, d_out, "-"))
            for name, proc, url in bridges:
                await _measure_bridge(
                    callers,
                    name,
                    proc,
                    url,
                    standin,
                    standin_url,
                    calls,
                    args.seconds,
                    (d_in, d_out),
                )
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(30)


def main() -> None:
    """Run the benchmark (or one of its server roles)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--calls", type=lambda s: [int(x) for x in s.split(",")], default=[50, 200, 500]
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--bridge", metavar="VOICELIVE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--standin", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--raw-relay", metavar="VOICELIVE_URL", help=argparse.SUPPRESS)
    parser.add_argument(
        "--instructions",
        type=int,
        metavar="FRAMES",
        help="instead of the load runs: user-space instructions per frame of each bridge, "
        "FRAMES frames per call sent one at a time, counted by callgrind (needs valgrind; "
        "independent of the machine's load)",
    )
    parser.add_argument(
        "--raw",
        action="store_true",
        help="also measure the raw relay: the same relay in bare aiohttp + json (the floor)",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="run the bridge under cProfile, stats written to FILE (the raw relay's: FILE.raw)",
    )
    parser.add_argument(
        "--aligned",
        action="store_true",
        help="send every call's frame at the same instant (worst-case bursts) instead of "
        "spreading the calls' 20 ms clocks over the tick",
    )
    parser.add_argument(
        "--uvloop",
        action="store_true",
        help="run the bridge on uvloop (pip install uvloop), as aiohttp's "
        "GunicornUVLoopWebWorker does",
    )
    parser.add_argument(
        "--baseline-src",
        metavar="DIR",
        help="also measure a second bridge importing voicelive from DIR (before/after)",
    )
    args = parser.parse_args()
    if args.uvloop and importlib.util.find_spec("uvloop") is None:
        parser.error("--uvloop needs uvloop: pip install uvloop")
    if args.standin:
        asyncio.run(_serve_standin())
    elif args.raw_relay:
        asyncio.run(_serve_raw(args.raw_relay, args.profile))
    elif args.bridge:
        if args.uvloop:
            import uvloop

            uvloop.run(_serve_bridge(args.bridge, args.profile))
        else:
            asyncio.run(_serve_bridge(args.bridge, args.profile))
    elif args.instructions:
        asyncio.run(_instructions(args))
    else:
        asyncio.run(_main(args))


if __name__ == "__main__":
    main()
