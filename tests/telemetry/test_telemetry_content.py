"""Message content only when opted in; never audio, never credentials."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential
from opentelemetry.sdk.trace import ReadableSpan
from telemetry_support import (
    API_KEY,
    AUDIO_CHUNK,
    MODEL,
    Otel,
    attrs,
    audio_delta,
    b64,
    committed,
    function_call_output_item,
    message_output,
    otel,
    response_created,
    response_done,
    session_created,
    speech_started,
    speech_stopped,
    tool_output_item,
    transcription_completed,
    user_audio_item,
    user_text_item,
)

from voicelive import telemetry
from voicelive.aio import connect
from voicelive.testing import MockServer, MockServerConnection

__all__ = ["otel"]

KEY = AzureKeyCredential(API_KEY)
ARGS = json.dumps({"city": "Paris"})


def _all_values(spans: list[ReadableSpan]) -> Iterator[str]:
    for span in spans:
        yield span.name
        for value in attrs(span).values():
            yield repr(value)
        for event in span.events:
            yield event.name
            for value in (event.attributes or {}).values():
                yield repr(value)


async def _conversation(server_handler: Any) -> None:
    async with MockServer(server_handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            await conn.input_audio_buffer.append(audio=AUDIO_CHUNK)
            async for event in conn:
                if event.type == "response.done" and event.response.id == "resp_1":
                    await conn.conversation.item.create(
                        item={
                            "type": "message",
                            "role": "user",
                            "content": [{"type": "input_text", "text": "And in Paris?"}],
                        }
                    )
                    await conn.response.create()
                elif event.type == "response.function_call_arguments.done":
                    await conn.conversation.item.create(
                        item={"type": "function_call_output", "call_id": "call_1", "output": "21"}
                    )
                    await conn.response.create()
                elif event.type == "response.done" and event.response.id == "resp_3":
                    break


async def _handler(conn: MockServerConnection) -> None:
    await conn.send(session_created("Secret system prompt: be terse."))
    creates = 0
    async for event in conn:
        if event.type == "input_audio_buffer.append":
            await conn.send(speech_started("item_a"))
            await conn.send(speech_stopped("item_a"))
            await conn.send(committed("item_a"))
            await conn.send(user_audio_item("item_a"))
            await conn.send(transcription_completed("item_a", "What's the weather?"))
            await conn.send(response_created("resp_1"))
            await conn.send(audio_delta("resp_1", 0))
            await conn.send(
                response_done("resp_1", output=[message_output("resp_1", "Where are you?")])
            )
        elif event.type == "conversation.item.create":
            if event.item.type == "function_call_output":
                await conn.send(tool_output_item("item_out", "call_1", "21"))
            else:
                await conn.send(user_text_item("item_u2", "And in Paris?"))
        elif event.type == "response.create":
            creates += 1
            rid = f"resp_{creates + 1}"
            await conn.send(response_created(rid))
            if creates == 1:
                await conn.send(
                    {
                        "type": "response.function_call_arguments.done",
                        "response_id": rid,
                        "item_id": "item_fc",
                        "output_index": 0,
                        "call_id": "call_1",
                        "name": "get_weather",
                        "arguments": ARGS,
                    }
                )
                output = [function_call_output_item(rid, "get_weather", "call_1", ARGS)]
                await conn.send(response_done(rid, output=output))
            else:
                await conn.send(audio_delta(rid, 0))
                await conn.send(response_done(rid, output=[message_output(rid, "21 degrees.")]))


def _forbidden() -> list[str]:
    encoded = b64(AUDIO_CHUNK)
    return [API_KEY, encoded[:64], encoded[-64:]]


async def test_no_content_by_default(otel: Otel) -> None:
    await _conversation(_handler)
    spans = otel.spans()
    text = "\n".join(_all_values(spans))
    for secret in [*_forbidden(), "What's the weather", "Paris", "Secret system prompt", "21 deg"]:
        assert secret not in text
    assert "get_weather" in text  # tool names are configuration, not content


async def test_content_when_opted_in(otel: Otel) -> None:
    telemetry.instrument(otel.tracer_provider, otel.meter_provider, capture_content=True)
    await _conversation(_handler)
    spans = otel.spans()
    text = "\n".join(_all_values(spans))
    for secret in _forbidden():
        assert secret not in text

    session = otel.one("realtime")
    instructions = json.loads(attrs(session)["gen_ai.system_instructions"])
    assert instructions == [{"type": "text", "content": "Secret system prompt: be terse."}]

    turns = sorted(otel.by_op("turn"), key=lambda s: attrs(s)["voicelive.turn.index"])
    assert [attrs(t)["voicelive.turn.trigger"] for t in turns] == ["speech", "text"]
    spoken = json.loads(attrs(turns[0])["gen_ai.input.messages"])
    assert spoken == [
        {"role": "user", "parts": [{"type": "text", "content": "What's the weather?"}]}
    ]
    typed = json.loads(attrs(turns[1])["gen_ai.input.messages"])
    assert typed == [
        {"role": "user", "parts": [{"type": "text", "content": "And in Paris?"}]},
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1", "response": 21}]},
    ]

    by_id = {attrs(s)["gen_ai.response.id"]: s for s in otel.by_op("chat")}
    assert json.loads(attrs(by_id["resp_1"])["gen_ai.output.messages"]) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "Where are you?"}]}
    ]
    assert json.loads(attrs(by_id["resp_2"])["gen_ai.output.messages"]) == [
        {
            "role": "assistant",
            "parts": [
                {
                    "type": "tool_call",
                    "id": "call_1",
                    "name": "get_weather",
                    "arguments": {"city": "Paris"},
                }
            ],
        }
    ]
    (call,) = [e for e in by_id["resp_2"].events if e.name == "gen_ai.tool.call"]
    assert (call.attributes or {})["gen_ai.tool.call.arguments"] == ARGS


async def test_late_transcript_goes_to_the_session_span(otel: Otel) -> None:
    telemetry.instrument(otel.tracer_provider, otel.meter_provider, capture_content=True)

    async def handler(conn: MockServerConnection) -> None:
        await conn.send(session_created())
        async for event in conn:
            if event.type == "input_audio_buffer.append":
                await conn.send(speech_started("item_a"))
                await conn.send(speech_stopped("item_a"))
                await conn.send(response_created("resp_1"))
                await conn.send(response_done("resp_1"))
                await conn.send(transcription_completed("item_a", "late words"))

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            await conn.input_audio_buffer.append(audio=AUDIO_CHUNK)
            async for event in conn:
                if event.type.endswith("transcription.completed"):
                    break
    session = otel.one("realtime")
    (event,) = [e for e in session.events if e.name == "voicelive.user_transcript"]
    assert "late words" in str((event.attributes or {})["gen_ai.input.messages"])


async def _greet(conn: MockServerConnection) -> None:
    await conn.send(session_created())
    async for _ in conn:
        pass


@pytest.mark.parametrize(
    ("value", "argument", "expected"),
    [("true", None, True), ("1", None, True), ("no", None, False), ("true", False, False)],
)
async def test_environment_variable(
    otel: Otel,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    argument: bool | None,
    expected: bool,
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", value)
    telemetry.instrument(otel.tracer_provider, otel.meter_provider, capture_content=argument)
    async with MockServer(_greet) as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            await conn.recv()
    session = otel.one("realtime")
    assert ("gen_ai.system_instructions" in attrs(session)) is expected
