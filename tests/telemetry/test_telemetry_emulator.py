"""The span tree and metric values against the emulator (``MockServer``'s default behaviour):
a text turn, an audio turn with an interruption, and a function call."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from azure.core.credentials import AzureKeyCredential
from telemetry_support import API_KEY, MODEL, Otel, attrs, children, event_names, otel

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.audio import AudioFormat
from voicelive.testing import FunctionCall, MockServer, Reply, ScriptedResponder, synthesize_speech

__all__ = ["otel"]

KEY = AzureKeyCredential(API_KEY)
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


def _server_types(server: MockServer) -> Counter[str]:
    return Counter(json.loads(frame)["type"] for frame in server.connections[0].sent)


def _received_events(otel: Otel) -> dict[str, float]:
    return {
        p.attributes["voicelive.event.type"]: p.value
        for p in otel.points("voicelive.events", network__io__direction="receive")
    }


async def _until_done(conn: VoiceLiveConnection, count: int = 1) -> list[str]:
    statuses: list[str] = []
    async for event in conn:
        if event.type == "response.done":
            statuses.append(str(getattr(event.response.status, "value", event.response.status)))
            if len(statuses) == count:
                break
    return statuses


async def _speak(conn: VoiceLiveConnection, text: str) -> None:
    """Send speech-like audio for ``text`` followed by a second of silence, in 100 ms chunks."""
    fmt = AudioFormat.from_input_session("pcm16", 24000, None)
    speech, _ = synthesize_speech(text, fmt)
    audio = speech + bytes(48_000)
    for start in range(0, len(audio), 4800):
        await conn.input_audio_buffer.append(audio=audio[start : start + 4800])


async def test_text_turn(otel: Otel) -> None:
    responder = ScriptedResponder([Reply(text="It is sunny in Paris today.")])
    async with MockServer(responder=responder) as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "Weather in Paris?"}],
                }
            )
            await conn.response.create()
            assert await _until_done(conn) == ["completed"]
        sent_types = _server_types(server)
        wire_in = sum(len(frame) for frame in server.connections[0].sent)

    spans = otel.spans()
    assert len(spans) == 3
    session, turn, response = otel.one("realtime"), otel.one("turn"), otel.one("chat")
    assert children(session, spans) == [turn]
    assert children(turn, spans) == [response]
    assert attrs(turn)["voicelive.turn.trigger"] == "text"
    assert attrs(turn)["voicelive.turn.outcome"] == "completed"
    r = attrs(response)
    assert r["gen_ai.response.id"].startswith("resp_")
    assert r["voicelive.response.status"] == "completed"
    assert r["voicelive.response.audio_bytes"] > 0
    assert r["gen_ai.usage.output_tokens"] > 0
    assert attrs(session)["voicelive.session.id"]
    assert attrs(session)["voicelive.close.code"] == 1000
    assert attrs(session)["voicelive.session.bytes_received"] == wire_in

    otel.collect()
    assert otel.value("voicelive.turn.latency_to_first_audio", voicelive__turn__trigger="text") == 1
    assert otel.value("voicelive.response.time_to_first_text") == 1
    assert otel.value("voicelive.response.duration", voicelive__response__status="completed") == 1
    assert (
        otel.histogram("gen_ai.client.token.usage", gen_ai__token__type="output").sum
        == (r["gen_ai.usage.output_tokens"])
    )
    assert otel.value("voicelive.interruptions") == 0
    assert _received_events(otel) == dict(sent_types)
    assert otel.value("voicelive.bytes", network__io__direction="receive") == wire_in


async def test_audio_turn_with_interruption(otel: Otel) -> None:
    responder = ScriptedResponder(
        [
            Reply(text="This is a long answer that keeps talking for a good while, on purpose."),
            Reply(text="Sure."),
        ]
    )
    async with MockServer(responder=responder, pace="realtime") as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            await _speak(conn, "what is the weather like")
            interrupted = False
            statuses: list[str] = []
            async for event in conn:
                if event.type == "response.audio.delta" and not interrupted:
                    interrupted = True
                    await _speak(conn, "stop, just say sure")  # barge in mid-answer
                elif event.type == "response.done":
                    statuses.append(str(getattr(event.response.status, "value", "")))
                    if len(statuses) == 2:
                        break
        sent_types = _server_types(server)
    assert statuses == ["cancelled", "completed"]

    spans = otel.spans()
    session = otel.one("realtime")
    first, second = sorted(otel.by_op("turn"), key=lambda s: attrs(s)["voicelive.turn.index"])
    assert set(children(session, spans)) == {first, second}
    (cancelled,) = children(first, spans)
    (answer,) = children(second, spans)
    assert attrs(first)["voicelive.turn.trigger"] == "speech"
    assert attrs(first)["voicelive.turn.outcome"] == "cancelled"
    assert "voicelive.speech_stopped" in event_names(first)
    assert attrs(second)["voicelive.turn.barge_in"] is True
    assert attrs(second)["voicelive.turn.outcome"] == "completed"
    assert attrs(cancelled)["voicelive.response.status"] == "cancelled"
    assert attrs(cancelled)["voicelive.response.status_reason"] == "turn_detected"
    assert attrs(cancelled)["voicelive.response.interrupted"] is True
    assert "voicelive.interruption" in event_names(cancelled)
    assert attrs(answer)["voicelive.response.status"] == "completed"
    assert attrs(session)["voicelive.session.interruptions"] == 1

    otel.collect()
    assert otel.value("voicelive.interruptions") == 1
    latency = otel.histogram(
        "voicelive.turn.latency_to_first_audio", voicelive__turn__trigger="speech"
    )
    assert latency.count == 2
    assert latency.sum > 0
    assert otel.value("voicelive.response.duration", voicelive__response__status="cancelled") == 1
    assert otel.value("voicelive.response.duration", voicelive__response__status="completed") == 1
    received = _received_events(otel)
    assert received["input_audio_buffer.speech_started"] == 2
    # every event the client read was counted (the server may have sent more after our break)
    for event_type, count in received.items():
        assert count <= sent_types[event_type]


@pytest.mark.parametrize("capture", [False, True])
async def test_function_call(otel: Otel, capture: bool) -> None:
    from voicelive import telemetry

    telemetry.instrument(otel.tracer_provider, otel.meter_provider, capture_content=capture)
    responder = ScriptedResponder(
        [
            Reply(function_call=FunctionCall(name="get_weather", arguments={"city": "Paris"})),
            Reply(text="It is 21 degrees in Paris."),
        ]
    )
    async with MockServer(responder=responder) as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            await conn.session.update(session={"tools": [WEATHER_TOOL]}, wait=True)
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "Weather in Paris?"}],
                }
            )
            await conn.response.create()
            async for event in conn:
                if event.type == "response.function_call_arguments.done":
                    assert event.name == "get_weather"
                    await conn.conversation.item.create(
                        item={
                            "type": "function_call_output",
                            "call_id": event.call_id,
                            "output": json.dumps({"temperature_c": 21}),
                        }
                    )
                    await conn.response.create()
                elif event.type == "response.done":
                    output = event.response.output or []
                    if not any(item.type == "function_call" for item in output):
                        break

    spans = otel.spans()
    session, turn = otel.one("realtime"), otel.one("turn")
    assert children(session, spans) == [turn]
    calling, answering = sorted(children(turn, spans), key=lambda s: s.start_time or 0)
    assert attrs(turn)["voicelive.turn.responses"] == 2
    assert attrs(turn)["voicelive.turn.outcome"] == "completed"
    c = attrs(calling)
    assert c["voicelive.response.function_calls"] == 1
    assert c["voicelive.response.function_call_names"] == ("get_weather",)
    (call,) = [e for e in calling.events if e.name == "gen_ai.tool.call"]
    assert (call.attributes or {})["gen_ai.tool.name"] == "get_weather"
    assert attrs(answering)["voicelive.response.function_calls"] == 0
    if capture:
        assert json.loads((call.attributes or {})["gen_ai.tool.call.arguments"]) == {
            "city": "Paris"
        }
        output = json.loads(attrs(answering)["gen_ai.output.messages"])
        assert output[0]["parts"][0]["content"] == "It is 21 degrees in Paris."
        inputs = json.loads(attrs(turn)["gen_ai.input.messages"])
        assert inputs[0] == {
            "role": "user",
            "parts": [{"type": "text", "content": "Weather in Paris?"}],
        }
        assert inputs[1]["role"] == "tool"
        assert inputs[1]["parts"][0]["response"] == {"temperature_c": 21}
    else:
        assert "gen_ai.tool.call.arguments" not in (call.attributes or {})
        assert "gen_ai.output.messages" not in attrs(answering)
        assert "gen_ai.input.messages" not in attrs(turn)

    otel.collect()
    assert otel.value("voicelive.response.duration", voicelive__response__status="completed") == 2
    assert (
        otel.value(
            "voicelive.events",
            voicelive__event__type="response.create",
            network__io__direction="transmit",
        )
        == 2
    )
    assert (
        otel.value(
            "voicelive.events",
            voicelive__event__type="response.function_call_arguments.done",
            network__io__direction="receive",
        )
        == 1
    )
