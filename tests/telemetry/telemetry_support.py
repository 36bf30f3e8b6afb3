"""Shared helpers for the telemetry tests: in-memory OpenTelemetry SDK and scripted events."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    HistogramDataPoint,
    InMemoryMetricReader,
    NumberDataPoint,
)
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from voicelive import telemetry

API_KEY = "telemetry-secret-key-0123456789"
MODEL = "gpt-realtime"
AUDIO_CHUNK = bytes(range(256)) * 15  # 3840 bytes, recognisable in base64


@dataclass
class Otel:
    """An SDK tracer and meter provider with in-memory exporters."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader
    _metrics: dict[str, list[Any]] = field(default_factory=dict)

    # -- spans -------------------------------------------------------------------------------

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def by_op(self, operation: str) -> list[ReadableSpan]:
        return [
            s
            for s in self.spans()
            if (s.attributes or {}).get("gen_ai.operation.name") == operation
        ]

    def one(self, operation: str) -> ReadableSpan:
        found = self.by_op(operation)
        assert len(found) == 1, [s.name for s in self.spans()]
        return found[0]

    # -- metrics -----------------------------------------------------------------------------

    def collect(self) -> dict[str, list[Any]]:
        data = self.reader.get_metrics_data()
        result: dict[str, list[Any]] = {}
        if data is not None:
            for resource_metrics in data.resource_metrics:
                for scope_metrics in resource_metrics.scope_metrics:
                    for metric in scope_metrics.metrics:
                        result.setdefault(metric.name, []).extend(metric.data.data_points)
        self._metrics = result
        return result

    def points(self, name: str, **match: Any) -> list[Any]:
        """Data points of metric ``name`` whose attributes include ``match`` (dots as __)."""
        wanted = {key.replace("__", "."): value for key, value in match.items()}
        return [
            p
            for p in self._metrics.get(name, [])
            if all((p.attributes or {}).get(k) == v for k, v in wanted.items())
        ]

    def value(self, name: str, **match: Any) -> float:
        """Sum of counter values, or of histogram counts, over the matching points."""
        total: float = 0
        for point in self.points(name, **match):
            if isinstance(point, HistogramDataPoint):
                total += point.count
            else:
                assert isinstance(point, NumberDataPoint)
                total += point.value
        return total

    def histogram(self, name: str, **match: Any) -> HistogramDataPoint:
        found = self.points(name, **match)
        assert len(found) == 1, found
        point = found[0]
        assert isinstance(point, HistogramDataPoint)
        return point


class ManualClock:
    """The observer's monotonic clock, moved only by the test: every read ticks 1 ns (so
    readings stay strictly ordered) and :meth:`advance` jumps ahead. Latencies measured
    between a server-side ``advance`` and the client seeing the next frame are then exact,
    whatever the machine's load (no assertion compares two clocks)."""

    TICK_NS = 1

    def __init__(self) -> None:
        self.now_ns = 1_000_000_000

    def monotonic_ns(self) -> int:
        self.now_ns += self.TICK_NS
        return self.now_ns

    def time_ns(self) -> int:
        return time.time_ns()

    def advance(self, seconds: float) -> None:
        self.now_ns += round(seconds * 1e9)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """Replace the telemetry observer's clock with a :class:`ManualClock`."""
    from voicelive.telemetry import _observer

    manual = ManualClock()
    monkeypatch.setattr(_observer, "time", manual)
    return manual


@pytest.fixture
def otel() -> Iterator[Otel]:
    """Instrument globally with in-memory exporters; uninstrument afterwards."""
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    telemetry.instrument(tracer_provider=tracer_provider, meter_provider=meter_provider)
    try:
        yield Otel(tracer_provider, meter_provider, exporter, reader)
    finally:
        telemetry.uninstrument()
        tracer_provider.shutdown()
        meter_provider.shutdown()


def children(parent: ReadableSpan, spans: Sequence[ReadableSpan]) -> list[ReadableSpan]:
    ctx = parent.get_span_context()
    assert ctx is not None
    return [s for s in spans if s.parent is not None and s.parent.span_id == ctx.span_id]


def attrs(span: ReadableSpan) -> Mapping[str, Any]:
    return span.attributes or {}


def event_names(span: ReadableSpan) -> list[str]:
    return [e.name for e in span.events]


# ------------------------------------------------------------------ scripted server events


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    return {
        "total_tokens": input_tokens + output_tokens,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "input_token_details": {"cached_tokens": 0, "text_tokens": 10, "audio_tokens": 5},
        "output_token_details": {"text_tokens": 3, "audio_tokens": output_tokens - 3},
    }


def response_created(rid: str) -> dict[str, Any]:
    return {
        "type": "response.created",
        "event_id": f"ev_{rid}_created",
        "response": {
            "id": rid,
            "object": "realtime.response",
            "status": "in_progress",
            "output": [],
        },
    }


def response_done(
    rid: str,
    status: str = "completed",
    *,
    output: list[dict[str, Any]] | None = None,
    tokens: tuple[int, int] = (20, 30),
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    response: dict[str, Any] = {
        "id": rid,
        "object": "realtime.response",
        "status": status,
        "output": output or [],
        "usage": usage(*tokens),
    }
    if details is not None:
        response["status_details"] = details
    return {"type": "response.done", "event_id": f"ev_{rid}_done", "response": response}


def audio_delta(rid: str, n: int, data: bytes = AUDIO_CHUNK) -> dict[str, Any]:
    return {
        "type": "response.audio.delta",
        "event_id": f"ev_{rid}_a{n}",
        "response_id": rid,
        "item_id": f"item_{rid}",
        "output_index": 0,
        "content_index": 0,
        "delta": b64(data),
    }


def transcript_delta(rid: str, text: str, n: int = 0) -> dict[str, Any]:
    return {
        "type": "response.audio_transcript.delta",
        "event_id": f"ev_{rid}_t{n}",
        "response_id": rid,
        "item_id": f"item_{rid}",
        "output_index": 0,
        "content_index": 0,
        "delta": text,
    }


def text_delta(rid: str, text: str, n: int = 0) -> dict[str, Any]:
    return {**transcript_delta(rid, text, n), "type": "response.text.delta"}


def message_output(rid: str, transcript: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"item_{rid}",
        "object": "realtime.item",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "audio", "transcript": transcript}],
    }


def function_call_output_item(rid: str, name: str, call_id: str, arguments: str) -> dict[str, Any]:
    return {
        "type": "function_call",
        "id": f"item_{rid}",
        "object": "realtime.item",
        "name": name,
        "call_id": call_id,
        "arguments": arguments,
        "status": "completed",
    }


def user_text_item(item_id: str, text: str) -> dict[str, Any]:
    return {
        "type": "conversation.item.created",
        "event_id": f"ev_{item_id}",
        "previous_item_id": None,
        "item": {
            "type": "message",
            "id": item_id,
            "object": "realtime.item",
            "role": "user",
            "status": "completed",
            "content": [{"type": "input_text", "text": text}],
        },
    }


def user_audio_item(item_id: str) -> dict[str, Any]:
    return {
        "type": "conversation.item.created",
        "event_id": f"ev_{item_id}",
        "item": {
            "type": "message",
            "id": item_id,
            "object": "realtime.item",
            "role": "user",
            "status": "completed",
            "content": [{"type": "input_audio", "transcript": None}],
        },
    }


def tool_output_item(item_id: str, call_id: str, output: str) -> dict[str, Any]:
    return {
        "type": "conversation.item.created",
        "event_id": f"ev_{item_id}",
        "item": {
            "type": "function_call_output",
            "id": item_id,
            "object": "realtime.item",
            "call_id": call_id,
            "output": output,
        },
    }


def speech_started(item_id: str, ms: int = 0) -> dict[str, Any]:
    return {
        "type": "input_audio_buffer.speech_started",
        "event_id": f"ev_ss_{item_id}",
        "audio_start_ms": ms,
        "item_id": item_id,
    }


def speech_stopped(item_id: str, ms: int = 1000) -> dict[str, Any]:
    return {
        "type": "input_audio_buffer.speech_stopped",
        "event_id": f"ev_se_{item_id}",
        "audio_end_ms": ms,
        "item_id": item_id,
    }


def committed(item_id: str) -> dict[str, Any]:
    return {
        "type": "input_audio_buffer.committed",
        "event_id": f"ev_c_{item_id}",
        "item_id": item_id,
    }


def transcription_completed(item_id: str, transcript: str) -> dict[str, Any]:
    return {
        "type": "conversation.item.input_audio_transcription.completed",
        "event_id": f"ev_tr_{item_id}",
        "item_id": item_id,
        "content_index": 0,
        "transcript": transcript,
    }


def error_event(message: str, code: str = "invalid_value", **extra: Any) -> dict[str, Any]:
    return {
        "type": "error",
        "event_id": "ev_err",
        "error": {"type": "invalid_request_error", "code": code, "message": message, **extra},
    }


def session_created(instructions: str = "You are a terse weather bot.") -> dict[str, Any]:
    return {
        "type": "session.created",
        "event_id": "ev_session",
        "session": {
            "id": "sess_telemetry",
            "object": "realtime.session",
            "model": MODEL,
            "modalities": ["text", "audio"],
            "instructions": instructions,
            "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
            "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
            "tools": [],
        },
    }
