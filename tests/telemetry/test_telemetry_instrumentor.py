"""VoiceLiveInstrumentor (the official class's surface) and the official-named spans option."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from telemetry_support import (
    API_KEY,
    AUDIO_CHUNK,
    MODEL,
    attrs,
    audio_delta,
    children,
    response_created,
    response_done,
    session_created,
    text_delta,
)

from voicelive import telemetry
from voicelive.aio import _hooks, connect
from voicelive.telemetry import VoiceLiveInstrumentor
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential(API_KEY)
GATE = "AZURE_EXPERIMENTAL_ENABLE_GENAI_TRACING"
CONTENT = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
LEGACY = "AZURE_TRACING_GEN_AI_CONTENT_RECORDING_ENABLED"


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (GATE, CONTENT, LEGACY, "VOICELIVE_TELEMETRY_OFFICIAL_SPANS"):
        monkeypatch.delenv(name, raising=False)
    yield
    telemetry.uninstrument()


@pytest.fixture
def spans() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


def test_instrument_is_a_no_op_without_the_official_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    VoiceLiveInstrumentor().instrument()
    assert not VoiceLiveInstrumentor().is_instrumented()
    assert _hooks.OPEN_HOOKS == []
    monkeypatch.setenv(GATE, "false")
    VoiceLiveInstrumentor().instrument(enable_content_recording=True)
    assert not telemetry.is_instrumented()


def test_state_is_process_wide_and_uninstrument_is_idempotent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(GATE, "TRUE")
    first = VoiceLiveInstrumentor()
    first.instrument()
    assert VoiceLiveInstrumentor().is_instrumented()
    assert telemetry.is_instrumented()
    assert len(_hooks.OPEN_HOOKS) == 1
    assert not first.is_content_recording_enabled()
    first.instrument(enable_content_recording=True)  # again: switches content on, one hook
    assert len(_hooks.OPEN_HOOKS) == 1
    assert VoiceLiveInstrumentor().is_content_recording_enabled()
    VoiceLiveInstrumentor().uninstrument()
    VoiceLiveInstrumentor().uninstrument()
    assert not first.is_instrumented()
    assert not first.is_content_recording_enabled()
    assert _hooks.OPEN_HOOKS == []


@pytest.mark.parametrize(
    ("otel_value", "legacy_value", "expected"),
    [
        (None, None, False),
        ("true", None, True),
        ("True", None, True),
        ("1", None, False),  # the official rule: only "true"
        (None, "true", True),
        ("false", None, False),
        ("true", "true", True),
        ("true", "false", False),  # both set and different: off
    ],
)
def test_content_switch_follows_the_official_environment_rule(
    monkeypatch: pytest.MonkeyPatch,
    otel_value: str | None,
    legacy_value: str | None,
    expected: bool,
) -> None:
    monkeypatch.setenv(GATE, "true")
    if otel_value is not None:
        monkeypatch.setenv(CONTENT, otel_value)
    if legacy_value is not None:
        monkeypatch.setenv(LEGACY, legacy_value)
    instrumentor = VoiceLiveInstrumentor()
    instrumentor.instrument()
    assert instrumentor.is_content_recording_enabled() is expected
    instrumentor.instrument(enable_content_recording=not expected)  # the argument wins
    assert instrumentor.is_content_recording_enabled() is (not expected)


def test_conflicting_content_variables_are_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(GATE, "true")
    monkeypatch.setenv(CONTENT, "true")
    monkeypatch.setenv(LEGACY, "false")
    with caplog.at_level(logging.ERROR, logger="voicelive.telemetry"):
        VoiceLiveInstrumentor().instrument()
    assert LEGACY in caplog.text


async def _scripted(server: MockServerConnection) -> None:
    await server.send(session_created())
    assert (await server.recv()).type == "response.create"
    await server.send(response_created("resp_1"))
    await server.send(text_delta("resp_1", "hello"))
    await server.send(audio_delta("resp_1", 0))
    await server.send(audio_delta("resp_1", 1))
    await server.send(response_done("resp_1"))
    await server.recv()  # the client's close


async def _run_conversation() -> None:
    async with asyncio.timeout(10):
        async with MockServer(_scripted) as server:
            async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
                await conn.response.create()
                await conn.response.cancel()
                async for event in conn:
                    if event.type == "response.done":
                        break


async def test_without_the_option_there_is_no_span_per_message(
    monkeypatch: pytest.MonkeyPatch, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, exporter = spans
    monkeypatch.setenv(GATE, "true")
    VoiceLiveInstrumentor().instrument(tracer_provider=provider)
    await _run_conversation()
    names = [s.name for s in exporter.get_finished_spans()]
    assert f"realtime {MODEL}" in names
    assert not [n for n in names if n.startswith(("send", "recv", "connect", "close"))], names


async def test_official_spans_are_named_parented_and_attributed_like_the_official_ones(
    monkeypatch: pytest.MonkeyPatch, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, exporter = spans
    monkeypatch.setenv(GATE, "true")
    VoiceLiveInstrumentor().instrument(tracer_provider=provider, official_spans=True)
    await _run_conversation()
    finished: list[ReadableSpan] = list(exporter.get_finished_spans())
    (connect_span,) = [s for s in finished if s.name == "connect"]
    names = [s.name for s in children(connect_span, finished)]
    assert names.count("send response.create") == 1
    assert names.count("send response.cancel") == 1
    assert names.count("recv session.created") == 1
    assert names.count("recv response.audio.delta") == 2
    assert names.count("recv response.done") == 1
    assert names.count("close") == 1
    assert not [n for n in names if "text.delta" in n]  # skipped, as the official SDK does
    assert "turn " + MODEL in names  # voicelive's own tree is still there
    done = next(s for s in finished if s.name == "recv response.done")
    assert attrs(done)["gen_ai.operation.name"] == "recv"
    assert attrs(done)["gen_ai.voice.event_type"] == "response.done"
    assert attrs(done)["gen_ai.voice.session_id"] == "sess_telemetry"
    assert attrs(done)["gen_ai.voice.message_size"] > 0
    assert attrs(done)["gen_ai.system"] == "az.ai.voicelive"
    assert attrs(done)["server.address"] == "127.0.0.1"
    assert [e.name for e in done.events] == ["gen_ai.output.messages"]
    assert "gen_ai.event.content" not in (done.events[0].attributes or {})
    send = next(s for s in finished if s.name == "send response.create")
    assert attrs(send)["gen_ai.operation.name"] == "send"
    assert [e.name for e in send.events] == ["gen_ai.input.messages"]
    session = attrs(connect_span)
    assert session["gen_ai.voice.session_id"] == "sess_telemetry"
    assert session["gen_ai.voice.turn_count"] == 1
    assert session["gen_ai.voice.interruption_count"] == 1
    assert session["gen_ai.voice.audio_bytes_received"] == 2 * len(AUDIO_CHUNK)


async def test_official_spans_carry_content_only_when_recording_and_never_audio(
    monkeypatch: pytest.MonkeyPatch, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, exporter = spans
    monkeypatch.setenv(GATE, "true")
    monkeypatch.setenv("VOICELIVE_TELEMETRY_OFFICIAL_SPANS", "true")  # the environment switch
    VoiceLiveInstrumentor().instrument(enable_content_recording=True, tracer_provider=provider)
    await _run_conversation()
    finished = list(exporter.get_finished_spans())
    created = next(s for s in finished if s.name == "recv session.created")
    content = (created.events[0].attributes or {})["gen_ai.event.content"]
    assert isinstance(content, str)
    assert "sess_telemetry" in content
    for span in finished:
        if span.name == "recv response.audio.delta":
            assert "gen_ai.event.content" not in (span.events[0].attributes or {})


class _KeyedOnOfficialNames(SpanProcessor):
    """What the official custom-attributes sample does: tag spans by their name prefix."""

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        span.set_attribute("sample.all", True)
        if span.name.startswith("send"):
            span.set_attribute("sample.send", "user-interaction")
        if span.name.startswith("recv"):
            span.set_attribute("sample.recv", "normal")


async def test_a_processor_keyed_on_official_names_sees_them(
    monkeypatch: pytest.MonkeyPatch, spans: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    provider, exporter = spans
    provider.add_span_processor(_KeyedOnOfficialNames())
    monkeypatch.setenv(GATE, "true")
    VoiceLiveInstrumentor().instrument(tracer_provider=provider, official_spans=True)
    await _run_conversation()
    finished = list(exporter.get_finished_spans())
    sends = [s for s in finished if attrs(s).get("sample.send") == "user-interaction"]
    recvs = [s for s in finished if attrs(s).get("sample.recv") == "normal"]
    assert {s.name for s in sends} == {"send response.create", "send response.cancel"}
    assert len(recvs) == 5  # session.created, response.created, 2 audio deltas, response.done
    assert all(attrs(s).get("sample.all") for s in finished)
