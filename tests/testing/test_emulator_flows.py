"""The emulator's event sequences for the flows of PROTOCOL.md, asserted event by event.

Real client, real loopback sockets, the default ``MockServer()`` emulator.
"""

from __future__ import annotations

import json

import pytest
from testing_helpers import (
    collect,
    encode,
    of_type,
    open_client,
    send_audio,
    speech_like,
    squash,
    types,
)

from voicelive.audio import PCM16_24K
from voicelive.testing import FunctionCall, MockServer, Reply, ScriptedResponder

TEXT_USER = {
    "type": "message",
    "role": "user",
    "content": [{"type": "input_text", "text": "Hello!"}],
}

RESPONSE_TEXT = [
    "response.created",
    "response.output_item.added",
    "conversation.item.created",
    "response.content_part.added",
    "<deltas: response.text.delta>",
    "response.text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.done",
]
RESPONSE_AUDIO = [
    "response.created",
    "response.output_item.added",
    "conversation.item.created",
    "response.content_part.added",
    "<deltas: response.audio.delta, response.audio_transcript.delta>",
    "response.audio.done",
    "response.audio_transcript.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.done",
]


async def test_session_created_on_connect_with_deterministic_ids() -> None:
    async with MockServer() as server, open_client(server.endpoint, model="my-model") as conn:
        created = await conn.recv()
    assert created.type == "session.created"
    assert created.event_id == "event_0001"
    session = created.session
    assert session.id == "sess_0001"
    assert session.model == "my-model"
    assert session.input_audio_format == "pcm16"
    assert session.input_audio_sampling_rate == 24000
    assert session.turn_detection is not None
    assert session.turn_detection.type == "server_vad"
    assert session.expires_at is not None


async def test_text_turn_event_by_event() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.session.update(session={"modalities": ["text"], "instructions": "Be brief."})
        await conn.conversation.item.create(item=TEXT_USER)
        await conn.response.create()
        events = await collect(conn)
    assert squash(types(events)) == [
        "session.created",
        "session.updated",
        "conversation.item.created",
        *RESPONSE_TEXT,
    ]
    assert [e.event_id for e in events] == [f"event_{i:04d}" for i in range(1, len(events) + 1)]
    user = events[2]
    assert user.previous_item_id is None
    assert user.item.id == "item_0001"
    assert user.item.role == "user"
    created, added, item_created = events[3], events[4], events[5]
    assert created.response.id == "resp_0001"
    assert created.response.status == "in_progress"
    assert created.response.conversation_id == "conv_0001"
    assert added.item.id == "item_0002"
    assert added.item.status == "in_progress"
    assert item_created.previous_item_id == "item_0001"
    deltas = of_type(events, "response.text.delta")
    assert "".join(d.delta for d in deltas) == "You said: Hello!"
    assert of_type(events, "response.text.done")[0].text == "You said: Hello!"
    done = events[-1]
    assert done.response.status == "completed"
    assert done.response.output[0].content[0].text == "You said: Hello!"
    usage = done.response.usage
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert usage.output_token_details.text_tokens > 0
    assert usage.output_token_details.audio_tokens == 0


async def test_audio_response_is_real_pcm_with_transcript_and_proportional_duration() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.conversation.item.create(item=TEXT_USER)
        await conn.response.create()
        events = await collect(conn)
    assert squash(types(events))[2:] == RESPONSE_AUDIO
    text = "You said: Hello!"
    audio = b"".join(e.delta for e in of_type(events, "response.audio.delta"))
    assert len(audio) == PCM16_24K.ms_to_bytes(60 * len(text))  # 60 ms per character
    assert all(
        len(e.delta) <= PCM16_24K.ms_to_bytes(100) for e in of_type(events, "response.audio.delta")
    )
    transcript = "".join(e.delta for e in of_type(events, "response.audio_transcript.delta"))
    assert transcript == text
    assert of_type(events, "response.audio_transcript.done")[0].transcript == text
    # the first stream event is a transcript delta, then audio follows
    first = next(
        e for e in events if e.type in ("response.audio.delta", "response.audio_transcript.delta")
    )
    assert first.type == "response.audio_transcript.delta"
    done = events[-1]
    assert done.response.output[0].content[0].transcript == text
    assert done.response.usage.output_token_details.audio_tokens > 0


async def test_audio_turn_with_server_vad_and_transcription_event_by_event() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.session.update(session={"input_audio_transcription": {"model": "azure-speech"}})
        audio = encode(
            speech_like([("silence", 600), ("tone", 1000), ("silence", 700)], 24000), PCM16_24K
        )
        await send_audio(conn, audio, PCM16_24K)
        events = await collect(conn)
    assert squash(types(events)) == [
        "session.created",
        "session.updated",
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.created",
        "<deltas: conversation.item.input_audio_transcription.delta>",
        "conversation.item.input_audio_transcription.completed",
        *RESPONSE_AUDIO,
    ]
    started, stopped, committed, created = events[2:6]
    assert started.audio_start_ms == 600 - 400  # onset minus prefix_padding_ms
    assert stopped.audio_end_ms == 1600 + 500  # speech end plus silence_duration_ms
    assert started.item_id == stopped.item_id == committed.item_id == created.item.id == "item_0001"
    assert committed.previous_item_id is None
    assert created.item.content[0].type == "input_audio"
    completed = of_type(events, "conversation.item.input_audio_transcription.completed")[0]
    assert completed.transcript == "(audio 1.9 s)"
    assert completed.item_id == "item_0001"
    assert (
        of_type(events, "response.audio_transcript.done")[0].transcript == "You said: (audio 1.9 s)"
    )


async def test_manual_turn_with_vad_off() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.session.update(session={"turn_detection": None})
        audio = encode(speech_like([("tone", 500), ("silence", 1000)], 24000), PCM16_24K)
        await send_audio(conn, audio, PCM16_24K)
        await conn.input_audio_buffer.commit()
        await conn.response.create()
        events = await collect(conn)
    assert squash(types(events)) == [
        "session.created",
        "session.updated",
        "input_audio_buffer.committed",
        "conversation.item.created",
        *RESPONSE_AUDIO,
    ]
    assert events[1].session.turn_detection is None
    assert (
        of_type(events, "response.audio_transcript.done")[0].transcript == "You said: (audio 1.5 s)"
    )


async def test_function_call_round_trip_event_by_event() -> None:
    responder = ScriptedResponder(
        [
            Reply(function_call=FunctionCall("get_weather", {"city": "Paris"}, call_id="call_w")),
            Reply(text="It is sunny in Paris."),
        ]
    )
    tool = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
    async with MockServer(responder=responder) as server, open_client(server.endpoint) as conn:
        await conn.session.update(session={"modalities": ["text"], "tools": [tool]})
        await conn.conversation.item.create(item=TEXT_USER)
        await conn.response.create()
        first = await collect(conn)
        call = of_type(first, "response.function_call_arguments.done")[0]
        await conn.conversation.item.create(
            item={
                "type": "function_call_output",
                "call_id": call.call_id,
                "output": '{"sky": "sunny"}',
            }
        )
        await conn.response.create()
        second = await collect(conn)
    assert squash(types(first))[3:] == [
        "response.created",
        "response.output_item.added",
        "conversation.item.created",
        "<deltas: response.function_call_arguments.delta>",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.done",
    ]
    assert call.name == "get_weather"
    assert call.call_id == "call_w"
    assert json.loads(call.arguments) == {"city": "Paris"}
    args = "".join(e.delta for e in of_type(first, "response.function_call_arguments.delta"))
    assert args == call.arguments
    item = of_type(first, "response.output_item.done")[0].item
    assert item.type == "function_call"
    assert item.status == "completed"
    assert first[-1].response.output[0].type == "function_call"
    assert squash(types(second)) == ["conversation.item.created", *RESPONSE_TEXT]
    assert second[0].item.type == "function_call_output"
    assert of_type(second, "response.text.done")[0].text == "It is sunny in Paris."
    ctx = responder.contexts[1]
    assert ctx.last_item is not None
    assert ctx.last_item["type"] == "function_call_output"
    assert [t["name"] for t in ctx.tools] == ["get_weather"]


async def test_cancel_mid_response() -> None:
    responder = ScriptedResponder([Reply(text="word " * 200)])
    async with (
        MockServer(responder=responder, pace="realtime") as server,
        open_client(server.endpoint) as conn,
    ):
        await conn.conversation.item.create(item=TEXT_USER)
        await conn.response.create()
        await collect(conn, "response.audio.delta")
        await conn.response.cancel()
        events = await collect(conn)
    tail = squash(types(events))
    assert tail[-5:] == [
        "response.audio.done",
        "response.audio_transcript.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.done",
    ]
    done = events[-1].response
    assert done.status == "cancelled"
    assert done.status_details.type == "cancelled"
    assert done.status_details.reason == "client_cancelled"
    assert done.output[0].status == "incomplete"
    transcript = of_type(events, "response.audio_transcript.done")[0].transcript
    assert 0 < len(transcript) < len("word " * 200)


async def test_speech_during_active_response_interrupts_it() -> None:
    responder = ScriptedResponder([Reply(text="word " * 200), Reply(text="Sure.")])
    async with (
        MockServer(responder=responder, pace="realtime") as server,
        open_client(server.endpoint) as conn,
    ):
        await conn.conversation.item.create(item=TEXT_USER)
        await conn.response.create()
        await collect(conn, "response.audio.delta")
        audio = encode(speech_like([("tone", 600), ("silence", 600)], 24000), PCM16_24K)
        await send_audio(conn, audio, PCM16_24K)
        events = await collect(conn, count=2)
    names = squash(types(events))
    start = names.index("input_audio_buffer.speech_started")
    assert names[start : start + 6] == [
        "input_audio_buffer.speech_started",
        "response.audio.done",
        "response.audio_transcript.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.done",
    ]
    cancelled = of_type(events, "response.done")[0].response
    assert cancelled.status == "cancelled"
    assert cancelled.status_details.reason == "turn_detected"
    assert names[start + 6 : start + 9] == [
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.created",
    ]
    assert of_type(events, "response.done")[1].response.status == "completed"


async def test_interruption_with_truncate_after_playback_started() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.conversation.item.create(item=TEXT_USER)
        await conn.response.create()
        first = await collect(conn)
        item_id = of_type(first, "response.output_item.done")[0].item.id
        audio = encode(speech_like([("tone", 500), ("silence", 600)], 24000), PCM16_24K)
        await send_audio(conn, audio[: PCM16_24K.ms_to_bytes(300)], PCM16_24K)
        started = await collect(conn, "input_audio_buffer.speech_started")
        # the app played 400 ms of the answer when the user barged in
        await conn.conversation.item.truncate(item_id=item_id, content_index=0, audio_end_ms=400)
        truncated = await collect(conn, "conversation.item.truncated")
        await send_audio(conn, audio[PCM16_24K.ms_to_bytes(300) :], PCM16_24K)
        second = await collect(conn)
        await conn.conversation.item.retrieve(item_id=item_id)
        retrieved = await collect(conn, "conversation.item.retrieved")
    assert types(started) == ["input_audio_buffer.speech_started"]
    assert types(truncated) == ["conversation.item.truncated"]
    assert truncated[0].item_id == item_id
    assert truncated[0].audio_end_ms == 400
    assert squash(types(second))[:3] == [
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.created",
    ]
    part = retrieved[0].item.content[0]
    assert part.transcript == ""
    assert part.audio is not None
    assert len(part.audio) == PCM16_24K.ms_to_bytes(400)


@pytest.mark.parametrize(
    ("send", "code", "param"),
    [
        (
            lambda c: c.input_audio_buffer.commit(event_id="c1"),
            "input_audio_buffer_commit_empty",
            None,
        ),
        (lambda c: c.response.cancel(event_id="c1"), "response_cancel_not_active", None),
        (
            lambda c: c.conversation.item.delete(item_id="nope", event_id="c1"),
            "item_not_found",
            "item_id",
        ),
        (
            lambda c: c.conversation.item.retrieve(item_id="nope", event_id="c1"),
            "item_not_found",
            "item_id",
        ),
        (
            lambda c: c.conversation.item.truncate(
                item_id="nope", content_index=0, audio_end_ms=0, event_id="c1"
            ),
            "item_not_found",
            "item_id",
        ),
        (
            lambda c: c.conversation.item.create(
                item=TEXT_USER, previous_item_id="nope", event_id="c1"
            ),
            "item_not_found",
            "previous_item_id",
        ),
        (
            lambda c: c.session.update(session={"temperature": 3.0}, event_id="c1"),
            "invalid_value",
            "session.temperature",
        ),
        (
            lambda c: c.send(
                {"type": "transcription_session.update", "session": {}, "event_id": "c1"}
            ),
            "unsupported_event_type",
            "type",
        ),
    ],
)
async def test_errors_echo_event_id_and_connection_stays_usable(send, code, param) -> None:  # type: ignore[no-untyped-def]
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await send(conn)
        error = await conn.recv()
        await conn.session.update(session={"instructions": "still here"})
        after = await conn.recv()
    assert error.type == "error"
    assert error.error.type == "invalid_request_error"
    assert error.error.code == code
    assert error.error.param == param
    assert error.error.event_id == "c1"
    assert error.error.message
    assert after.type == "session.updated"


async def test_second_response_create_while_active_is_refused() -> None:
    responder = ScriptedResponder([Reply(text="word " * 50)])
    async with (
        MockServer(responder=responder, pace="realtime") as server,
        open_client(server.endpoint) as conn,
    ):
        await conn.response.create()
        await collect(conn, "response.created")
        await conn.response.create(event_id="second")
        events = await collect(conn, "error")
        await conn.response.cancel()
        await collect(conn)
    error = events[-1].error
    assert error.code == "conversation_already_has_active_response"
    assert error.event_id == "second"
    assert "resp_0001" in error.message
