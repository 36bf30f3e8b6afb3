"""RealtimeAgent + RealtimeRunner on VoiceLiveRealtimeModel, against the emulator on loopback."""

from __future__ import annotations

import json
from typing import Any

from agents import GuardrailFunctionOutput, function_tool, output_guardrail
from agents.realtime import RealtimeAgent, RealtimeRunner, realtime_handoff
from agents.realtime.model import RealtimePlaybackTracker
from agents_support import KEY, events_until, nth, of_type, send_speech, speech

from voicelive.integrations.openai_agents import VoiceLiveRealtimeModel
from voicelive.testing import FunctionCall, MockServer, Reply, ScriptedResponder

RUN_CONFIG: Any = {"tracing_disabled": True}


def runner(agent: RealtimeAgent[Any], server: MockServer, **kwargs: Any) -> RealtimeRunner:
    model = VoiceLiveRealtimeModel(
        endpoint=server.endpoint, credential=KEY, model="gpt-realtime", **kwargs
    )
    return RealtimeRunner(agent, model=model, config=RUN_CONFIG)


def received(server: MockServer, kind: str) -> list[Any]:
    return [e for e in server.received if e.type == kind]


async def test_two_turn_voice_conversation() -> None:
    agent = RealtimeAgent(name="assistant", instructions="Answer briefly.")
    replies = ScriptedResponder(["It is sunny.", "Tomorrow it rains."])
    async with MockServer(responder=replies) as server:
        async with await runner(agent, server).run() as session:
            audio: list[bytes] = []
            history: list[Any] = []
            for turn in range(2):
                await send_speech(session, speech())
                events = await events_until(session, lambda e: e.type == "agent_end")
                audio.append(b"".join(e.audio.data for e in of_type(events, "audio")))
                assert of_type(events, "agent_start"), f"turn {turn} never started"
                assert of_type(events, "audio_end")
                history = [e.history for e in of_type(events, "history_updated")][-1]
    # The emulator speaks each reply as audio; both turns reached the app.
    assert all(len(chunk) > 0 for chunk in audio)
    assert audio[0] != audio[1]
    transcripts = [
        part.transcript
        for item in history
        if item.type == "message" and item.role == "assistant"
        for part in item.content
        if part.type == "audio"
    ]
    assert transcripts == ["It is sunny.", "Tomorrow it rains."]
    users = [item for item in history if item.type == "message" and item.role == "user"]
    assert len(users) == 2
    # The instructions went to Voice Live in the flat session.
    update = received(server, "session.update")[0]
    assert update.session.instructions == "Answer briefly."
    assert update.session.modalities is None or "audio" in update.session.modalities


async def test_tool_call_result_goes_back_and_the_model_answers() -> None:
    calls: list[str] = []

    @function_tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        calls.append(city)
        return f"sunny in {city}"

    agent = RealtimeAgent(name="assistant", instructions="Use tools.", tools=[get_weather])
    replies = ScriptedResponder(
        [Reply(function_call=FunctionCall("get_weather", {"city": "Paris"})), "Sunny, 21 C."]
    )
    async with MockServer(responder=replies) as server:
        async with await runner(agent, server).run() as session:
            await session.send_message("weather in Paris?")
            # Two turns: the call, then the answer to its result.
            events = await events_until(session, nth("agent_end", 2))
    assert calls == ["Paris"]
    [start] = of_type(events, "tool_start")
    assert start.tool.name == "get_weather"
    [end] = of_type(events, "tool_end")
    assert end.output == "sunny in Paris"
    outputs = [
        e.item
        for e in received(server, "conversation.item.create")
        if e.item.type == "function_call_output"
    ]
    assert len(outputs) == 1
    assert outputs[0].output == "sunny in Paris"
    assert outputs[0].call_id == "call_0001"
    # The tool reached Voice Live as a function tool with the SDK's JSON schema.
    tools = received(server, "session.update")[0].session.tools
    assert [t.name for t in tools] == ["get_weather"]
    assert tools[0].parameters["properties"]["city"]["type"] == "string"
    # The result started a second response.
    assert len(received(server, "response.create")) == 2


async def test_handoff_updates_the_session_to_the_new_agent() -> None:
    billing = RealtimeAgent(name="billing", instructions="You handle billing.")
    triage = RealtimeAgent(
        name="triage", instructions="Route the caller.", handoffs=[realtime_handoff(billing)]
    )
    replies = ScriptedResponder(
        [Reply(function_call=FunctionCall("transfer_to_billing", {})), "Billing here."]
    )
    async with MockServer(responder=replies) as server:
        async with await runner(triage, server).run() as session:
            await session.send_message("I have a billing question")
            events = await events_until(session, lambda e: e.type == "handoff")
            events += await events_until(
                session, lambda e: e.type == "agent_end" and e.agent.name == "billing"
            )
    [handoff] = of_type(events, "handoff")
    assert (handoff.from_agent.name, handoff.to_agent.name) == ("triage", "billing")
    updates = [e.session for e in received(server, "session.update")]
    assert updates[0].instructions == "Route the caller."
    assert [t.name for t in updates[0].tools] == ["transfer_to_billing"]
    assert updates[-1].instructions == "You handle billing."
    assert updates[-1].tools == []
    # The emulator's own session follows the update: the next reply came from billing.
    assert server.connections[0].emulator.session["instructions"] == "You handle billing."


async def test_interruption_truncates_at_what_the_app_played() -> None:
    tracker = RealtimePlaybackTracker()
    agent = RealtimeAgent(name="assistant", instructions="Talk.")
    long_reply = "This is a long answer that the caller will interrupt halfway through it."
    async with MockServer(responder=ScriptedResponder([long_reply, "Yes?"])) as server:
        model = VoiceLiveRealtimeModel(
            endpoint=server.endpoint, credential=KEY, model="gpt-realtime"
        )
        run = RealtimeRunner(agent, model=model, config=RUN_CONFIG)
        async with await run.run(model_config={"playback_tracker": tracker}) as session:
            await session.send_message("tell me something")
            events = await events_until(session, lambda e: e.type == "audio_end")
            first = of_type(events, "audio")[0]
            # The app has played 400 ms of the reply when the caller speaks.
            tracker.on_play_ms(first.item_id, first.content_index, 400.0)
            await send_speech(session, speech("wait"))
            events = await events_until(session, lambda e: e.type == "audio_interrupted")
    [interrupted] = of_type(events, "audio_interrupted")
    assert interrupted.item_id == first.item_id
    [truncate] = received(server, "conversation.item.truncate")
    assert (truncate.item_id, truncate.content_index) == (first.item_id, first.content_index)
    assert truncate.audio_end_ms == 400
    # The tracker is reset so the next reply is measured from zero.
    assert tracker.get_state()["current_item_id"] is None
    assert json.loads(json.dumps(truncate.model_dump(mode="json")))["audio_end_ms"] == 400


async def test_an_output_guardrail_cancels_the_response_it_trips_on() -> None:
    @output_guardrail
    def no_secrets(context: Any, agent: Any, output: str) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered="secret" in output)

    agent = RealtimeAgent(name="assistant", instructions="Talk.")
    # A reply long enough to still be streaming (in real time) when the guardrail trips.
    reply = "The secret code is one two three. " + "And then I keep talking for a while. " * 8
    config: Any = {
        "tracing_disabled": True,
        "output_guardrails": [no_secrets],
        "guardrails_settings": {"debounce_text_length": 20},
    }
    responder = ScriptedResponder([reply, "Sorry, I cannot say that."])
    async with MockServer(responder=responder, pace="realtime") as server:
        model = VoiceLiveRealtimeModel(
            endpoint=server.endpoint, credential=KEY, model="gpt-realtime"
        )
        async with await RealtimeRunner(agent, model=model, config=config).run() as session:
            await session.send_message("tell me the code")
            events = await events_until(session, lambda e: e.type == "guardrail_tripped")
            events += await events_until(session, nth("agent_end", 1))
    [tripped] = of_type(events, "guardrail_tripped")
    assert "secret" in tripped.message
    assert received(server, "response.cancel"), "the tripped response was not cancelled"
    done = [json.loads(f) for f in server.connections[0].sent if '"response.done"' in f]
    assert done[0]["response"]["status"] == "cancelled"
    # The SDK tells the model which guardrail tripped, as a user message.
    texts = [
        part.text
        for e in received(server, "conversation.item.create")
        if e.item.type == "message"
        for part in e.item.content
    ]
    assert "guardrail triggered: no_secrets" in texts
