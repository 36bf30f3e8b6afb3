"""Per-event cost of voicelive.telemetry on the receive path: off vs on.

    python bench/bench_telemetry.py             # 100k frames x 7 rounds, plus loopback
    python bench/bench_telemetry.py --quick     # smoke run (seconds)
    python bench/bench_telemetry.py --frames 200000 --rounds 11 --no-loopback

Workload: voice turns of 50 frames each -- ``speech_started``, ``speech_stopped``,
``response.created``, then 100 ms PCM16 audio deltas (4,800 bytes) alternating with
transcript deltas, then ``response.done`` with usage -- so the span work of turns and
responses is included at a realistic rate (one turn per ~2.3 s of audio).

Two paths:

* **observer path** (in-process, no socket): a real ``VoiceLiveConnection`` whose transport
  hands out pre-built frames; each ``recv()`` is the library's decode + observer dispatch.
  This isolates exactly what telemetry adds per event.
* **loopback**: the same frames streamed by ``voicelive.testing.MockServer`` over a real
  127.0.0.1 WebSocket and read with ``async for`` (what an app sees, with network noise).

Configurations, measured interleaved round by round (best round reported, with the
interquartile spread of the rounds; "+us/turn" is the added time per 50-frame turn):

* ``off``      -- never instrumented (the default): no observer exists.
* ``off (A/A)``-- the same configuration again: the noise floor of this machine.
* ``on, API``  -- observed with opentelemetry-api's no-op providers (our observer logic alone).
* ``on, SDK``  -- observed with the OpenTelemetry SDK: BatchSpanProcessor to a discarding
  exporter, MeterProvider with an in-memory reader (collected after each round).

"Off" adds one empty-list check per frame to the connection; its cost is measured with
``timeit`` and printed next to the A/A noise. Nothing here is asserted (a test only checks
that ``--quick`` runs).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import platform
import statistics
import sys
import time
import timeit
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from azure.core.credentials import AzureKeyCredential

import voicelive
from voicelive import telemetry
from voicelive._protocol import Side, VoiceLiveProtocol
from voicelive.aio import VoiceLiveConnection, connect
from voicelive.testing import MockServer, MockServerConnection

FRAMES_PER_TURN = 50
AUDIO = (bytes(range(256)) * 19)[:4800]  # 100 ms of PCM16 at 24 kHz


# --------------------------------------------------------------------------- frames
def _dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"))


def build_frames(count: int) -> list[str]:
    """``count`` server frames, whole turns of FRAMES_PER_TURN frames each."""
    audio = base64.b64encode(AUDIO).decode("ascii")
    frames: list[str] = []
    turn = 0
    while len(frames) < count:
        turn += 1
        rid, item = f"resp_{turn}", f"item_{turn}"
        frames.append(
            _dumps(
                {
                    "type": "input_audio_buffer.speech_started",
                    "event_id": f"e{turn}a",
                    "audio_start_ms": turn * 1000,
                    "item_id": item,
                }
            )
        )
        frames.append(
            _dumps(
                {
                    "type": "input_audio_buffer.speech_stopped",
                    "event_id": f"e{turn}b",
                    "audio_end_ms": turn * 1000 + 800,
                    "item_id": item,
                }
            )
        )
        frames.append(
            _dumps(
                {
                    "type": "response.created",
                    "event_id": f"e{turn}c",
                    "response": {"id": rid, "object": "realtime.response", "status": "in_progress"},
                }
            )
        )
        for i in range(FRAMES_PER_TURN - 4):
            common = {
                "event_id": f"e{turn}_{i}",
                "response_id": rid,
                "item_id": f"out_{turn}",
                "output_index": 0,
                "content_index": 0,
            }
            if i % 2 == 0:
                frames.append(_dumps({"type": "response.audio.delta", **common, "delta": audio}))
            else:
                frames.append(
                    _dumps({"type": "response.audio_transcript.delta", **common, "delta": "word "})
                )
        frames.append(
            _dumps(
                {
                    "type": "response.done",
                    "event_id": f"e{turn}d",
                    "response": {
                        "id": rid,
                        "object": "realtime.response",
                        "status": "completed",
                        "output": [],
                        "usage": {
                            "total_tokens": 150,
                            "input_tokens": 100,
                            "output_tokens": 50,
                            "input_token_details": {"text_tokens": 20, "audio_tokens": 80},
                            "output_token_details": {"text_tokens": 10, "audio_tokens": 40},
                        },
                    },
                }
            )
        )
    return frames[:count]


# --------------------------------------------------------------------------- configurations
class _NullExporter:
    """A span exporter that drops everything (stands in for OTLP without the network)."""

    def export(self, spans: Sequence[Any]) -> Any:
        from opentelemetry.sdk.trace.export import SpanExportResult

        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class Config:
    """How a connection is (or is not) observed in one measurement."""

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind
        self._providers: tuple[Any, Any, Any] | None = None

    def setup(self) -> None:
        if self.kind == "api":
            from opentelemetry.metrics import NoOpMeterProvider
            from opentelemetry.trace import NoOpTracerProvider

            self._providers = (NoOpTracerProvider(), NoOpMeterProvider(), None)
        elif self.kind == "sdk":
            from opentelemetry.sdk.metrics import MeterProvider
            from opentelemetry.sdk.metrics.export import InMemoryMetricReader
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor

            tracer_provider = TracerProvider()
            tracer_provider.add_span_processor(BatchSpanProcessor(_NullExporter()))  # type: ignore[arg-type]
            reader = InMemoryMetricReader()
            self._providers = (tracer_provider, MeterProvider(metric_readers=[reader]), reader)

    def attach(self, conn: VoiceLiveConnection) -> None:
        if self._providers is not None:
            tracer_provider, meter_provider, _ = self._providers
            telemetry.observe(conn, tracer_provider=tracer_provider, meter_provider=meter_provider)

    def after_round(self) -> None:
        if self._providers is not None and self._providers[2] is not None:
            self._providers[2].get_metrics_data()
            self._providers[0].force_flush()

    def teardown(self) -> None:
        if self.kind == "sdk" and self._providers is not None:
            self._providers[0].shutdown()
            self._providers[1].shutdown()
        self._providers = None


# --------------------------------------------------------------------------- observer path
class _FrameTransport:
    """The part of ClientTransport the connection's reader uses, fed from a list."""

    closed = False
    closed_code: int | None = None
    closed_reason = ""

    def __init__(self, frames: list[str]) -> None:
        self._next = iter(frames).__next__

    async def receive(self) -> str:
        return self._next()

    async def send_text(self, text: str) -> None:
        pass

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = True
        self.closed_code = code


async def observer_path_once(frames: list[str], config: Config) -> float:
    """Seconds to recv() every frame through one connection."""
    transport = _FrameTransport(frames)
    conn = VoiceLiveConnection(transport, VoiceLiveProtocol(Side.CLIENT))  # type: ignore[arg-type]
    config.attach(conn)
    recv = conn.recv
    n = len(frames)
    gc.collect()
    start = time.perf_counter()
    for _ in range(n):
        await recv()
    elapsed = time.perf_counter() - start
    await conn.close()
    config.after_round()
    return elapsed


async def bare_decode_once(frames: list[str]) -> float:
    """Seconds for the protocol core alone to decode every frame (no connection)."""
    decode = VoiceLiveProtocol(Side.CLIENT).decode_server_frame
    gc.collect()
    start = time.perf_counter()
    for frame in frames:
        decode(frame)
    return time.perf_counter() - start


# --------------------------------------------------------------------------- loopback path
async def loopback_once(server: MockServer, n: int, config: Config) -> float:
    conn = await connect(
        endpoint=server.endpoint, credential=AzureKeyCredential("bench"), model="bench-model"
    )
    config.attach(conn)
    await conn.response.create()  # the server starts streaming
    gc.collect()
    start = time.perf_counter()
    count = 0
    async for _event in conn:
        count += 1
        if count == n:
            break
    elapsed = time.perf_counter() - start
    await conn.close()
    config.after_round()
    return elapsed


def streaming_handler(frames: list[str]) -> Callable[[MockServerConnection], Awaitable[None]]:
    async def handler(conn: MockServerConnection) -> None:
        async for event in conn:
            if event.type == "response.create":
                for frame in frames:
                    await conn.send_raw(frame)

    return handler


# --------------------------------------------------------------------------- driver
def _best_us(samples: list[float], n: int) -> float:
    """Microseconds per event of the fastest round (least disturbed by other processes)."""
    return min(samples) / n * 1e6


def _spread(samples: list[float]) -> float:
    if len(samples) < 2:
        return 0.0
    q = statistics.quantiles(samples, n=4)
    return (q[2] - q[0]) / statistics.median(samples) * 100


def _row(name: str, per_event: float, off: float, results: dict[str, list[float]]) -> str:
    return (
        f"  {name:<22}{per_event:8.3f} us/event   x{per_event / off:5.3f} vs off"
        f"   {(per_event - off) * FRAMES_PER_TURN:+8.1f} us/turn"
        f"   (IQR {_spread(results[name]):4.1f}%)"
    )


async def run(frames_count: int, rounds: int, loopback: bool, loopback_frames: int) -> int:
    frames = build_frames(frames_count)
    configs = [
        Config("off", "off"),
        Config("off (A/A)", "off"),
        Config("on, API no-op", "api"),
        Config("on, SDK", "sdk"),
    ]
    for config in configs:
        config.setup()
    n = len(frames)
    python = platform.python_version()
    print(f"voicelive {voicelive.__version__}, Python {python}, {platform.machine()}")
    print(f"{n} frames ({n // FRAMES_PER_TURN} turns), {rounds} rounds, interleaved, best round\n")

    # warm up every path once
    for config in configs:
        await observer_path_once(frames[: min(n, 2000)], config)
    bare: list[float] = []
    results: dict[str, list[float]] = {c.name: [] for c in configs}
    for r in range(rounds):
        bare.append(await bare_decode_once(frames))
        order = configs[r % len(configs) :] + configs[: r % len(configs)]
        for config in order:
            results[config.name].append(await observer_path_once(frames, config))

    check = timeit.timeit("if x: pass", setup="x = []", number=1_000_000) / 1_000_000 * 1e9
    off = _best_us(results["off"], n)
    print("observer path (decode + dispatch per event, no socket)")
    print(f"  {'protocol decode only':<22}{_best_us(bare, n):8.3f} us/event")
    for config in configs:
        print(_row(config.name, _best_us(results[config.name], n), off, results))
    aa = abs(_best_us(results["off (A/A)"], n) / off - 1) * 100
    print(
        f"  telemetry off adds one empty-list check per frame: {check:.1f} ns "
        f"= {check / (off * 1000) * 100:.2f}% of an event; A/A difference {aa:.2f}%"
    )

    if loopback:
        loop_frames = frames[:loopback_frames]
        m = len(loop_frames)
        loop_results: dict[str, list[float]] = {c.name: [] for c in configs}
        async with MockServer(streaming_handler(loop_frames)) as server:
            for config in configs:
                await loopback_once(server, min(m, 1000), config)
            for r in range(rounds):
                order = configs[r % len(configs) :] + configs[: r % len(configs)]
                for config in order:
                    loop_results[config.name].append(await loopback_once(server, m, config))
        loop_off = _best_us(loop_results["off"], m)
        print(f"\nloopback WebSocket ({m} frames per round, async for)")
        for config in configs:
            print(_row(config.name, _best_us(loop_results[config.name], m), loop_off, loop_results))

    for config in configs:
        config.teardown()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--loopback-frames", type=int, default=20_000)
    parser.add_argument("--no-loopback", action="store_true")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.frames, args.rounds, args.loopback_frames = 2_000, 3, 500
    if telemetry.is_instrumented():  # pragma: no cover - a fresh process never is
        telemetry.uninstrument()
    return asyncio.run(run(args.frames, args.rounds, not args.no_loopback, args.loopback_frames))


if __name__ == "__main__":
    sys.exit(main())
