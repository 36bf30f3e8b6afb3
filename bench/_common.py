"""Shared pieces of the benchmark suite: wire frames, sizes, process helpers, worker loop.

Everything here is stdlib-only on purpose: the client workers import this module from
three different interpreters (the main venv for the raw baseline and voicelive, a separate
venv for the official ``azure-ai-voicelive`` SDK), and the server builds its pre-serialized
frames from it, so client and server can never disagree about what a workload is.

Worker protocol (``run.py`` <-> ``clients/*.py``): the worker prints one JSON "hello" line
on stdout, then reads one JSON command per line on stdin and answers each with one JSON
line.  Commands: ``{"op": "a"|"b"|"c"|"mem"|"conc", ...}``; an answer always has
``"ok"``; on failure ``"error"`` holds the traceback.  Nothing else may be written to
stdout (progress goes to stderr).
"""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import os
import platform
import random
import resource
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

# --------------------------------------------------------------------------- audio sizes
SAMPLE_RATE = 24_000
"""PCM16 mono at 24 kHz: 48,000 bytes per second."""
BYTES_PER_MS = SAMPLE_RATE * 2 // 1000
DELTA_MS = 100
DELTA_BYTES = DELTA_MS * BYTES_PER_MS  # 4,800 bytes -> 6,400 base64 characters
APPEND_MS = 20
APPEND_BYTES = APPEND_MS * BYTES_PER_MS  # 960 bytes -> 1,280 base64 characters

# The query parameter that selects the server-side scenario.
BENCH_PARAM = "bench"
MODE_AUDIO = "audio"  # (a) response with N audio deltas, a transcript delta every other one
MODE_SMALL = "small"  # (b) response with N transcript deltas
MODE_SEND = "send"  # (c) count appends, answer commit with input_audio_buffer.committed
MODE_IDLE = "idle"  # memory: session.created, then nothing
MODE_REALTIME = "realtime"  # concurrency: one 100 ms audio delta every 100 ms, stamped

WORKLOAD_MODES = {"a": MODE_AUDIO, "b": MODE_SMALL, "c": MODE_SEND}
API_KEY = "bench-key"
MODEL = "bench-model"


def pcm(nbytes: int, seed: int = 1) -> bytes:
    """Deterministic pseudo-random PCM16 (noise compresses and decodes like real audio)."""
    return random.Random(seed).randbytes(nbytes)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def dumps(obj: Mapping[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"))


# --------------------------------------------------------------------------- server frames
def session_created() -> str:
    return dumps(
        {
            "type": "session.created",
            "event_id": "event_bench_0",
            "session": {
                "id": "sess_bench",
                "object": "realtime.session",
                "model": MODEL,
                "modalities": ["text", "audio"],
                "instructions": "You are a benchmark.",
                "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
                "input_audio_format": "pcm16",
                "output_audio_format": "pcm16",
                "input_audio_sampling_rate": SAMPLE_RATE,
                "turn_detection": {
                    "type": "server_vad",
                    "threshold": 0.5,
                    "prefix_padding_ms": 300,
                    "silence_duration_ms": 500,
                },
                "tools": [],
                "tool_choice": "auto",
                "temperature": 0.8,
                "max_response_output_tokens": "inf",
            },
        }
    )


def _response(status: str, output: list[Any], usage: Any) -> dict[str, Any]:
    return {
        "id": "resp_bench",
        "object": "realtime.response",
        "status": status,
        "status_details": None,
        "output": output,
        "usage": usage,
    }


_ITEM_KEYS = {"response_id": "resp_bench", "item_id": "item_bench"}
_POS = {"output_index": 0, "content_index": 0}


def _response_prologue(seq: list[str]) -> None:
    seq.append(
        dumps(
            {
                "type": "response.created",
                "event_id": "event_bench_created",
                "response": _response("in_progress", [], None),
            }
        )
    )
    seq.append(
        dumps(
            {
                "type": "response.output_item.added",
                "event_id": "event_bench_item_added",
                "response_id": "resp_bench",
                "output_index": 0,
                "item": {
                    "id": "item_bench",
                    "object": "realtime.item",
                    "type": "message",
                    "status": "in_progress",
                    "role": "assistant",
                    "content": [],
                },
            }
        )
    )
    seq.append(
        dumps(
            {
                "type": "response.content_part.added",
                "event_id": "event_bench_part_added",
                **_ITEM_KEYS,
                **_POS,
                "part": {"type": "audio", "transcript": ""},
            }
        )
    )


def _response_epilogue(seq: list[str], transcript: str, with_audio: bool) -> None:
    if with_audio:
        seq.append(
            dumps(
                {"type": "response.audio.done", "event_id": "event_bench_ad", **_ITEM_KEYS, **_POS}
            )
        )
    seq.append(
        dumps(
            {
                "type": "response.audio_transcript.done",
                "event_id": "event_bench_td",
                **_ITEM_KEYS,
                **_POS,
                "transcript": transcript,
            }
        )
    )
    part = {"type": "audio", "transcript": transcript}
    seq.append(
        dumps(
            {
                "type": "response.content_part.done",
                "event_id": "event_bench_pd",
                **_ITEM_KEYS,
                **_POS,
                "part": part,
            }
        )
    )
    item = {
        "id": "item_bench",
        "object": "realtime.item",
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [part],
    }
    seq.append(
        dumps(
            {
                "type": "response.output_item.done",
                "event_id": "event_bench_id",
                "response_id": "resp_bench",
                "output_index": 0,
                "item": item,
            }
        )
    )
    usage = {
        "total_tokens": 275,
        "input_tokens": 127,
        "output_tokens": 148,
        "input_token_details": {
            "cached_tokens": 0,
            "text_tokens": 119,
            "audio_tokens": 8,
            "image_tokens": 0,
            "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0},
        },
        "output_token_details": {"text_tokens": 36, "audio_tokens": 112},
    }
    seq.append(
        dumps(
            {
                "type": "response.done",
                "event_id": "event_bench_done",
                "response": _response("completed", [item], usage),
            }
        )
    )


_WORDS = ("the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "while", "we")


def _word(i: int) -> str:
    return _WORDS[i % len(_WORDS)] + " "


def audio_response_frames(n_deltas: int) -> list[str]:
    """Workload (a): ``n_deltas`` 100 ms audio deltas, a transcript delta after every other."""
    seq: list[str] = []
    _response_prologue(seq)
    audio = pcm(DELTA_BYTES * 16, seed=7)
    words = []
    for i in range(n_deltas):
        chunk = audio[(i % 16) * DELTA_BYTES : (i % 16 + 1) * DELTA_BYTES]
        seq.append(
            dumps(
                {
                    "type": "response.audio.delta",
                    "event_id": f"event_a{i}",
                    **_ITEM_KEYS,
                    **_POS,
                    "delta": b64(chunk),
                }
            )
        )
        if i % 2 == 1:
            words.append(_word(i))
            seq.append(
                dumps(
                    {
                        "type": "response.audio_transcript.delta",
                        "event_id": f"event_t{i}",
                        **_ITEM_KEYS,
                        **_POS,
                        "delta": words[-1],
                    }
                )
            )
    _response_epilogue(seq, "".join(words[:200]), with_audio=True)
    return seq


def small_response_frames(n_events: int) -> list[str]:
    """Workload (b): ``n_events`` transcript deltas of one word each."""
    seq: list[str] = []
    _response_prologue(seq)
    for i in range(n_events):
        seq.append(
            dumps(
                {
                    "type": "response.audio_transcript.delta",
                    "event_id": f"event_t{i}",
                    **_ITEM_KEYS,
                    **_POS,
                    "delta": _word(i),
                }
            )
        )
    _response_epilogue(seq, "".join(_word(i) for i in range(min(n_events, 200))), False)
    return seq


def expected_counts(op: str, n: int) -> dict[str, int]:
    """What a client must observe for workload ``op`` of size ``n`` (checked by run.py)."""
    if op == "a":
        return {"events": 3 + n + n // 2 + 5, "audio_bytes": n * DELTA_BYTES}
    if op == "b":
        return {"events": 3 + n + 4, "audio_bytes": 0}
    if op == "c":
        return {"appends": n}
    raise ValueError(op)


def realtime_frame_parts() -> tuple[str, str]:
    """Prefix and suffix of a stamped real-time audio delta: ``prefix + repr(t) + suffix``."""
    body = dumps(
        {
            "type": "response.audio.delta",
            "event_id": "event_rt",
            **_ITEM_KEYS,
            **_POS,
            "delta": b64(pcm(DELTA_BYTES, seed=11)),
        }
    )
    return body[:-1] + ',"sent_at":', "}"


def committed_frame(appends: int) -> str:
    return dumps(
        {
            "type": "input_audio_buffer.committed",
            "event_id": "event_bench_committed",
            "previous_item_id": None,
            "item_id": "item_user_bench",
            "bench_appends": appends,
        }
    )


# --------------------------------------------------------------------------- process helpers
def raise_nofile() -> int:
    """Raise RLIMIT_NOFILE to the hard limit (thousands of sockets); returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    """Current resident set size from /proc/self/statm."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (``q`` in [0, 100])."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- client workers
class BenchClient(Protocol):
    """What each client module implements; the timing and bookkeeping live here."""

    name: str

    def versions(self) -> dict[str, str]: ...

    async def open(self, endpoint: str, query: dict[str, str]) -> Any:
        """Connect and consume ``session.created``; returns an opaque connection."""

    async def close(self, conn: Any) -> None: ...

    async def receive_response(self, conn: Any) -> tuple[int, int]:
        """Workloads (a)/(b): trigger a response, read every event until ``response.done``.

        Returns ``(events seen, audio bytes decoded)``.
        """

    async def send_audio(self, conn: Any, chunks: list[bytes]) -> int:
        """Workload (c): append every chunk, commit, wait for ``committed``.

        Returns the append count the server reported.
        """

    async def realtime(self, conn: Any, window: Window, lags: list[float]) -> int:
        """Concurrency: trigger, then for each audio delta append ``time.time() - sent_at``
        to ``lags`` when ``sent_at >= window.start``; returns audio deltas seen."""


@dataclass
class Window:
    """Measurement window of the concurrency run (wall-clock ``time.time()`` seconds)."""

    start: float = float("inf")
    end: float = float("inf")


@dataclass
class _Worker:
    client: BenchClient
    endpoint: str
    loop: asyncio.AbstractEventLoop
    chunks: list[bytes] = field(default_factory=list)

    async def timed(self, op: str, n: int) -> dict[str, Any]:
        mode = WORKLOAD_MODES[op]
        conn = await self.client.open(self.endpoint, {BENCH_PARAM: mode, "n": str(n)})
        try:
            if op == "c":
                if len(self.chunks) != n:
                    raw = pcm(APPEND_BYTES * n, seed=3)
                    self.chunks = [raw[i * APPEND_BYTES : (i + 1) * APPEND_BYTES] for i in range(n)]
                chunks = self.chunks
                t0 = time.perf_counter()
                appends = await self.client.send_audio(conn, chunks)
                elapsed = time.perf_counter() - t0
                return {"elapsed": elapsed, "appends": appends}
            stats0 = gc.get_stats()
            t0 = time.perf_counter()
            events, audio_bytes = await self.client.receive_response(conn)
            elapsed = time.perf_counter() - t0
            # collections the workload caused (depends on allocations, not on timing)
            gcs = [
                b["collections"] - a["collections"]
                for a, b in zip(stats0, gc.get_stats(), strict=True)
            ]
            return {
                "elapsed": elapsed,
                "events": events,
                "audio_bytes": audio_bytes,
                "gc_collections": gcs,
            }
        finally:
            await self.client.close(conn)

    async def memory(self, n: int) -> dict[str, Any]:
        query = {BENCH_PARAM: MODE_IDLE}
        # One connection first so imports, lazy caches and the first session are paid for.
        conns = [await self.client.open(self.endpoint, query)]
        gc.collect()
        await asyncio.sleep(0.2)
        before = rss_bytes()
        for _ in range(n):
            conns.append(await self.client.open(self.endpoint, query))
        gc.collect()
        await asyncio.sleep(0.5)
        after = rss_bytes()
        await asyncio.gather(*(self.client.close(c) for c in conns))
        return {
            "connections": n,
            "rss_before": before,
            "rss_after": after,
            "per_conn": (after - before) / n,
        }

    async def concurrency(self, n: int, duration: float, warmup: float) -> dict[str, Any]:
        query = {BENCH_PARAM: MODE_REALTIME, "duration": str(duration)}
        sem = asyncio.Semaphore(64)

        async def opener() -> Any:
            async with sem:
                return await self.client.open(self.endpoint, query)

        gc.collect()
        objects_before = len(gc.get_objects())
        t_open = time.perf_counter()
        results = await asyncio.gather(*(opener() for _ in range(n)), return_exceptions=True)
        conns = [c for c in results if not isinstance(c, BaseException)]
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            await asyncio.gather(*(self.client.close(c) for c in conns), return_exceptions=True)
            raise RuntimeError(f"{len(errors)} of {n} connects failed; first: {errors[0]!r}")
        open_s = time.perf_counter() - t_open
        log(f"  [{self.client.name}] {n} sessions open in {open_s:.1f}s, streaming {duration}s")
        gc.collect()
        # GC-tracked objects each open connection keeps (what every full collection walks)
        tracked_per_conn = (len(gc.get_objects()) - objects_before) / n
        tracked_total = len(gc.get_objects())

        window = Window()
        lags: list[float] = []
        t_trigger = time.time()
        window.start = t_trigger + warmup
        window.end = t_trigger + duration
        cpu: dict[str, float] = {}

        gc_stats: dict[str, list[dict[str, int]]] = {}

        async def meter() -> None:
            await asyncio.sleep(max(0.0, window.start - time.time()))
            cpu["t0"], cpu["c0"] = time.time(), cpu_seconds()
            gc_stats["start"] = gc.get_stats()
            await asyncio.sleep(max(0.0, window.end - time.time()))
            cpu["t1"], cpu["c1"] = time.time(), cpu_seconds()
            gc_stats["end"] = gc.get_stats()

        # GC pauses inside the window: full (gen 2) collections of a process holding
        # thousands of connections take tens of ms and show up directly in p99 lag.
        pauses: list[tuple[int, float]] = []
        gc_start = [0.0]
        # Objects moved into the oldest generation: the survivors of each generation-1
        # collection (what makes the next full collection come sooner). Counted as the
        # objects in generations 0 and 1 when it starts, minus what it freed.
        promoted = [0, 0]  # [promoted in window, examined-young count of the running one]

        def on_gc(phase: str, info: dict[str, int]) -> None:
            in_window = window.start <= time.time() <= window.end
            if phase == "start":
                if in_window and info["generation"] >= 1:
                    promoted[1] = len(gc.get_objects(generation=0)) + len(
                        gc.get_objects(generation=1)
                    )
                gc_start[0] = time.perf_counter()
            elif in_window:
                pauses.append((info["generation"], time.perf_counter() - gc_start[0]))
                if info["generation"] >= 1:
                    promoted[0] += max(0, promoted[1] - info["collected"])

        meter_task = asyncio.ensure_future(meter())
        gc.callbacks.append(on_gc)
        try:
            seen = await asyncio.gather(*(self.client.realtime(c, window, lags) for c in conns))
        finally:
            gc.callbacks.remove(on_gc)
        t_done = time.time()
        await meter_task
        await asyncio.gather(*(self.client.close(c) for c in conns), return_exceptions=True)
        lags.sort()
        cpu_pct = 100.0 * (cpu["c1"] - cpu["c0"]) / (cpu["t1"] - cpu["t0"])
        expected = n * round(duration * 1000 / DELTA_MS)
        return {
            "sessions": n,
            "open_s": open_s,
            "samples": len(lags),
            "deltas_seen": sum(seen),
            "deltas_expected": expected,
            "p50_ms": 1000 * percentile(lags, 50),
            "p99_ms": 1000 * percentile(lags, 99),
            "max_ms": 1000 * (lags[-1] if lags else float("nan")),
            "cpu_pct": cpu_pct,
            "peak_rss": peak_rss_bytes(),
            "drain_s": max(0.0, t_done - window.end),
            "gc_collections": len(pauses),
            "gc_full": sum(1 for g, _ in pauses if g == 2),
            "gc_max_pause_ms": 1000 * max((d for _, d in pauses), default=0.0),
            "gc_full_max_ms": 1000 * max((d for g, d in pauses if g == 2), default=0.0),
            "gc_full_total_ms": 1000 * sum(d for g, d in pauses if g == 2),
            "gc_per_s": [
                (end["collections"] - start["collections"]) / (cpu["t1"] - cpu["t0"])
                for start, end in zip(gc_stats["start"], gc_stats["end"], strict=True)
            ],
            "gc_promoted_per_s": promoted[0] / (cpu["t1"] - cpu["t0"]),
            # per frame, so a client that falls behind (and reads fewer frames in the window)
            # is not flattered: young collections per 1,000 frames stamped in the window
            "gc0_per_1k_frames": (
                1000.0
                * (gc_stats["end"][0]["collections"] - gc_stats["start"][0]["collections"])
                / len(lags)
                if lags
                else float("nan")
            ),
            "tracked_per_conn": tracked_per_conn,
            "tracked_total": tracked_total,
        }

    async def first_open(self) -> dict[str, Any]:
        """The first connection of a fresh process: handshake + ``session.created`` decoded."""
        t0 = time.perf_counter()
        conn = await self.client.open(self.endpoint, {BENCH_PARAM: MODE_IDLE})
        elapsed = time.perf_counter() - t0
        await self.client.close(conn)
        return {"first_open_s": elapsed}

    def handle(self, cmd: dict[str, Any]) -> dict[str, Any]:
        op = cmd["op"]
        coro: Awaitable[dict[str, Any]]
        if op == "first":
            coro = self.first_open()
        elif op in WORKLOAD_MODES:
            coro = self.timed(op, int(cmd["n"]))
        elif op == "mem":
            coro = self.memory(int(cmd["n"]))
        elif op == "conc":
            coro = self.concurrency(int(cmd["n"]), float(cmd["duration"]), float(cmd["warmup"]))
        else:
            raise ValueError(f"unknown op {op!r}")
        return self.loop.run_until_complete(coro)


def worker_main(make_client: Callable[[], BenchClient]) -> None:
    """Entry point of every client module: ``python -m clients.X ENDPOINT``."""
    endpoint = sys.argv[1]
    raise_nofile()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    out = sys.stdout
    try:
        client = make_client()
        hello: dict[str, Any] = {
            "ok": True,
            "client": client.name,
            "python": platform.python_version(),
            "versions": client.versions(),
        }
    except Exception:
        hello = {"ok": False, "error": traceback.format_exc()}
    out.write(json.dumps(hello) + "\n")
    out.flush()
    if not hello["ok"]:
        sys.exit(3)
    worker = _Worker(client, endpoint, loop)
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        if cmd.get("op") == "exit":
            break
        try:
            reply = {"ok": True, **worker.handle(cmd)}
        except Exception:
            reply = {"ok": False, "error": traceback.format_exc()}
        out.write(json.dumps(reply) + "\n")
        out.flush()
    closer = getattr(client, "aclose", None)
    if closer is not None:
        loop.run_until_complete(closer())
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


def dist_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"
