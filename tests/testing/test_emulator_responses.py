"""response.create options, responders, function-call rules, pacing, the sans-I/O core."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from testing_helpers import collect, of_type, open_client, squash, types

from voicelive.testing import (
    EchoResponder,
    Emulator,
    FunctionCall,
    MockServer,
    Reply,
    ResponseContext,
    ScriptedResponder,
)
from voicelive.testing._server import _pace_speed

USER = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
TOOL = {"type": "function", "name": "lookup", "parameters": {"type": "object"}}


async def respond(
    *,
    server_kwargs: dict[str, Any] | None = None,
    session: dict[str, Any] | None = None,
    **create: Any,
) -> list[Any]:
    async with MockServer(**(server_kwargs or {})) as server, open_client(server.endpoint) as conn:
        await conn.recv()
        if session:
            await conn.session.update(session=session)
            await conn.recv()
        await conn.conversation.item.create(item=USER)
        await conn.recv()
        await conn.response.create(**create)
        return await collect(conn)


async def test_per_response_overrides_and_additional_instructions() -> None:
    responder = ScriptedResponder(["ok"])
    events = await respond(
        server_kwargs={"responder": responder},
        session={"instructions": "Session rules."},
        response={
            "modalities": ["text"],
            "temperature": 0.9,
            "max_output_tokens": 100,
            "metadata": {"k": "v"},
            "voice": "alloy",
            "tools": [TOOL],
            "tool_choice": "auto",
        },
        additional_instructions="Mention the weather.",
    )
    created = events[0].response
    assert created.modalities == ["text"]
    assert created.temperature == 0.9
    assert created.max_output_tokens == 100
    assert created.metadata == {"k": "v"}
    assert created.voice == "alloy"
    assert squash(types(events))[4] == "<deltas: response.text.delta>"
    ctx = responder.contexts[0]
    assert ctx.instructions == "Session rules.\nMention the weather."
    assert ctx.tools == [TOOL]
    assert ctx.modalities == ["text"]
    assert ctx.metadata == {"k": "v"}
    assert ctx.last_user_text == "hi"


async def test_instructions_override_replaces_session_instructions() -> None:
    responder = ScriptedResponder(["ok"])
    await respond(
        server_kwargs={"responder": responder},
        session={"instructions": "Session rules."},
        response={"instructions": "Only this.", "modalities": ["text"]},
    )
    assert responder.contexts[0].instructions == "Only this."


async def test_out_of_band_response_does_not_touch_the_conversation() -> None:
    events = await respond(response={"conversation": "none", "modalities": ["text"]})
    assert "conversation.item.created" not in types(events)
    assert events[-1].response.conversation_id is None


async def test_input_items_and_append_input_items() -> None:
    responder = ScriptedResponder(["a", "b"])
    async with MockServer(responder=responder) as server, open_client(server.endpoint) as conn:
        await conn.recv()
        other = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "other"}],
        }
        await conn.response.create(response={"input_items": [other], "modalities": ["text"]})
        first = await collect(conn)
        await conn.response.create(response={"append_input_items": [other], "modalities": ["text"]})
        second = await collect(conn)
    assert responder.contexts[0].last_user_text == "other"
    assert responder.contexts[0].conversation == []
    assert types(first)[0] == "response.created"
    assert types(second)[0] == "conversation.item.created"
    assert responder.contexts[1].conversation[-1]["content"][0]["text"] == "other"


async def test_pre_generated_assistant_message_is_spoken_verbatim() -> None:
    responder = ScriptedResponder([])
    events = await respond(
        server_kwargs={"responder": responder},
        response={
            "pre_generated_assistant_message": {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "text", "text": "Welcome to Contoso."}],
            }
        },
    )
    assert of_type(events, "response.audio_transcript.done")[0].transcript == "Welcome to Contoso."
    assert responder.contexts == []


async def test_max_output_tokens_makes_the_response_incomplete() -> None:
    events = await respond(
        server_kwargs={"responder": ScriptedResponder(["x" * 100])},
        response={"max_output_tokens": 5, "modalities": ["text"]},
    )
    done = events[-1].response
    assert done.status == "incomplete"
    assert done.status_details.reason == "max_output_tokens"
    assert of_type(events, "response.text.done")[0].text == "x" * 20


async def test_cancel_previous_and_commit_options() -> None:
    responder = ScriptedResponder(["word " * 100, "second"])
    async with (
        MockServer(
            responder=responder, pace="realtime", session={"turn_detection": None}
        ) as server,
        open_client(server.endpoint) as conn,
    ):
        await conn.recv()
        await conn.response.create()
        await collect(conn, "response.audio.delta")
        await conn.input_audio_buffer.append(audio=b"\x10\x00" * 4800)
        await conn.response.create(
            response={"cancel_previous": True, "commit": True, "modalities": ["text"]}
        )
        events = await collect(conn, count=2)
    dones = of_type(events, "response.done")
    assert [d.response.status for d in dones] == ["cancelled", "completed"]
    names = types(events)
    assert names.index("input_audio_buffer.committed") > names.index("response.done")
    assert responder.contexts[1].last_user_text == "(audio 0.2 s)"


async def test_invalid_response_overrides_are_refused() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.response.create(response={"output_audio_format": "mp3"}, event_id="r")
        bad_format = await conn.recv()
        await conn.response.create(response={"temperature": 0.1}, event_id="r")
        bad_temp = await conn.recv()
        await conn.response.create(response={"tool_choice": "nope"}, event_id="r")
        bad_choice = await conn.recv()
    assert bad_format.error.param == "response.output_audio_format"
    assert bad_temp.error.param == "response.temperature"
    assert bad_choice.error.param == "response.tool_choice"


async def test_output_format_override_and_word_timestamps() -> None:
    events = await respond(
        session={"output_audio_timestamp_types": ["word"]},
        response={"output_audio_format": "g711_ulaw"},
    )
    audio = b"".join(e.delta for e in of_type(events, "response.audio.delta"))
    assert len(audio) == 8 * 60 * len("You said: hi")  # 8 bytes per ms of G.711
    stamps = of_type(events, "response.audio_timestamp.delta")
    assert [(s.text, s.audio_offset_ms) for s in stamps] == [
        ("You", 0),
        ("said:", 240),
        ("hi", 600),
    ]
    assert types(events).count("response.audio_timestamp.done") == 1


async def test_function_call_must_name_a_configured_tool() -> None:
    events = await respond(
        server_kwargs={
            "responder": ScriptedResponder([Reply(function_call=FunctionCall("missing"))])
        },
        session={"tools": [TOOL]},
    )
    assert types(events) == ["response.created", "error", "response.done"]
    assert events[1].error.code == "invalid_function_call"
    assert "missing" in events[1].error.message
    done = events[2].response
    assert done.status == "failed"
    assert done.status_details.error["code"] == "invalid_function_call"


async def test_tool_choice_none_forbids_calls() -> None:
    events = await respond(
        server_kwargs={
            "responder": ScriptedResponder([Reply(function_call=FunctionCall("lookup"))])
        },
        session={"tools": [TOOL], "tool_choice": "none"},
    )
    assert events[1].error.code == "invalid_function_call"


async def test_text_and_several_function_calls_in_one_reply() -> None:
    reply = Reply(
        text="Checking.",
        function_call=[FunctionCall("lookup", {"q": 1}), FunctionCall("lookup", '{"q": 2}')],
    )
    events = await respond(
        server_kwargs={"responder": ScriptedResponder([reply])},
        session={"tools": [TOOL], "modalities": ["text"]},
    )
    output = events[-1].response.output
    assert [o.type for o in output] == ["message", "function_call", "function_call"]
    assert [o.call_id for o in output[1:]] == ["call_0001", "call_0002"]
    assert [json.loads(o.arguments) for o in output[1:]] == [{"q": 1}, {"q": 2}]
    assert [e.output_index for e in of_type(events, "response.output_item.added")] == [0, 1, 2]


async def test_exhausted_script_and_raising_responder_fail_the_response_loudly() -> None:
    events = await respond(server_kwargs={"responder": ScriptedResponder([])})
    assert types(events) == ["response.created", "error", "response.done"]
    assert events[1].error.type == "server_error"
    assert events[1].error.code == "responder_error"
    assert "ScriptedResponder has 0 replies" in events[1].error.message

    def broken(context: ResponseContext) -> Reply:
        raise RuntimeError("boom")

    events = await respond(server_kwargs={"responder": broken})
    assert "boom" in events[1].error.message


async def test_callable_responder_and_context() -> None:
    seen: list[ResponseContext] = []

    def responder(context: ResponseContext) -> str:
        seen.append(context)
        return f"#{context.response_index} {context.last_user_text}"

    events = await respond(
        server_kwargs={"responder": responder}, response={"modalities": ["text"]}
    )
    assert of_type(events, "response.text.done")[0].text == "#0 hi"
    ctx = seen[0]
    assert ctx.response_id == "resp_0001"
    assert ctx.conversation[0]["content"][0]["text"] == "hi"
    assert ctx.session["id"] == "sess_0001"


def test_echo_responder_answers() -> None:
    echo = EchoResponder()

    def ctx(**kw: Any) -> ResponseContext:
        base: dict[str, Any] = dict(
            response_id="r",
            conversation=[],
            input_items=[],
            last_user_text=None,
            last_item=None,
            instructions="",
            tools=[],
            tool_choice="auto",
            modalities=["text"],
            session={},
            metadata=None,
            response_index=0,
        )
        base.update(kw)
        return ResponseContext(**base)

    assert echo(ctx()).text == "Hello! How can I help you?"
    assert echo(ctx(last_user_text="yo")).text == "You said: yo"
    assert echo(ctx(last_item={"type": "function_call_output", "output": "42"})).text == (
        "The function returned: 42"
    )
    assert EchoResponder(prefix="> ")(ctx(last_user_text="x")).text == "> x"


def test_the_core_is_deterministic_and_steps_are_fine_grained() -> None:
    def run() -> list[dict[str, Any]]:
        emulator = Emulator(clock=lambda: 1_000_000.0)
        events = emulator.start()
        events += emulator.receive({"type": "conversation.item.create", "item": USER})
        events += emulator.receive({"type": "response.create"})
        steps = 0
        while emulator.response_active:
            events += emulator.step()
            steps += 1
        assert steps > 5
        assert emulator.step() == []
        return events

    first, second = run(), run()
    assert first == second
    assert first[0]["session"]["expires_at"] == 1_000_000 + 1800


def test_step_reports_audio_duration_for_pacing() -> None:
    emulator = Emulator(audio_chunk_ms=50)
    emulator.receive({"type": "response.create"})
    durations = []
    while emulator.response_active:
        events = emulator.step()
        if any(e["type"] == "response.audio.delta" for e in events):
            durations.append(emulator.last_step_ms)
    assert set(durations[:-1]) == {50.0}
    assert sum(durations) == pytest.approx(60 * len("Hello! How can I help you?"))


@pytest.mark.parametrize(("pace", "low"), [(4.0, 0.25), ("realtime", 1.0)])
async def test_pace_streams_no_faster_than_the_audio_plays(pace: Any, low: float) -> None:
    """1.2 s of audio takes at least 1.2 s / speed (minus the last 50 ms step) to arrive.
    Only the lower bound is checked: a timer never fires early, while an upper bound would
    compare against a loaded machine's scheduling."""
    responder = ScriptedResponder(["x" * 20])  # 1.2 s of audio
    async with (
        MockServer(responder=responder, pace=pace) as server,
        open_client(server.endpoint) as conn,
    ):
        await conn.recv()
        loop = asyncio.get_running_loop()
        started = loop.time()
        await conn.response.create()
        await asyncio.wait_for(collect(conn), 60)
        assert loop.time() - started >= low


async def test_fast_pace_does_not_wait_for_the_audio() -> None:
    """30 s of audio arrives inside a 15 s limit: nothing is paced."""
    responder = ScriptedResponder(["x" * 500])  # 60 ms of audio per character
    async with (
        MockServer(responder=responder, pace="fast") as server,
        open_client(server.endpoint) as conn,
    ):
        await conn.recv()
        await conn.response.create()
        await asyncio.wait_for(collect(conn), 15)


@pytest.mark.parametrize(("pace", "speed"), [("fast", None), ("realtime", 1.0), (4.0, 4.0)])
def test_pace_speed_factor(pace: Any, speed: float | None) -> None:
    assert _pace_speed(pace) == speed


def test_bad_pace_is_refused() -> None:
    with pytest.raises(ValueError, match="pace"):
        MockServer(pace="slow")  # type: ignore[arg-type]
