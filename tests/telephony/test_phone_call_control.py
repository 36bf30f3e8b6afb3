"""DTMF, hang-up both ways, Voice Live closing, and long calls through ResilientConnection."""

from __future__ import annotations

import asyncio
from typing import Any

from telephony_support import AUTH_TOKEN, phone_stack

from voicelive.telephony import CallBridge, PhoneAgent, PhoneServerConfig
from voicelive.testing import FakeAcsCall, FakeTwilioCall, Fault, Reply, ScriptedResponder


async def test_dtmf_reaches_the_app_and_the_conversation_and_agent_hangs_up() -> None:
    pressed: list[str] = []

    async def on_dtmf(call: CallBridge, digit: str) -> None:
        pressed.append(digit)
        if digit == "#":
            await call.hangup("goodbye")

    agent = PhoneAgent(on_dtmf=on_dtmf, dtmf_to_conversation=True)
    async with phone_stack(agent) as (server, emulator):
        call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN)
        try:
            await call.press("5")
            await call.press("#")
            await call.wait_closed()
            (ended,) = await asyncio.wait_for(server.wait_ended(1), 10)
        finally:
            await call.close()
        assert emulator.connections[0].closed
    assert pressed == ["5", "#"]
    assert server.calls[0].digits == ["5", "#"]
    texts = [
        e.item.content[0].text for e in emulator.received if e.type == "conversation.item.create"
    ]
    assert texts[:1] == ["[DTMF] 5"]
    assert ended.by == "agent"
    assert ended.reason == "goodbye"
    assert call.close_code == 1000
    assert call.close_reason == "goodbye"


async def test_acs_dtmf_and_caller_hangup() -> None:
    pressed: list[str] = []
    agent = PhoneAgent(on_dtmf=lambda call, digit: pressed.append(digit))
    async with phone_stack(agent, config=PhoneServerConfig()) as (server, emulator):
        call = await FakeAcsCall.connect(server.url, sample_rate=16000)
        await call.press("7")
        await call.hangup()  # ACS: the socket closes when the call ends
        (ended,) = await asyncio.wait_for(server.wait_ended(1), 10)
        assert emulator.connections[0].closed
    assert pressed == ["7"]
    assert ended.by == "caller"
    session = next(e for e in emulator.received if e.type == "session.update").session
    assert (session.input_audio_format, session.input_audio_sampling_rate) == ("pcm16", 16000)
    assert session.output_audio_format == "pcm16_16000hz"


async def test_voice_live_closing_ends_the_call_with_a_reason() -> None:
    faults = [Fault.close(4000, "bye").after("session.updated")]
    async with phone_stack(faults=faults) as (server, _):
        call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN)
        try:
            await call.wait_closed()
            (ended,) = await asyncio.wait_for(server.wait_ended(1), 10)
        finally:
            await call.close()
    assert ended.by == "server"
    assert "Voice Live closed" in ended.reason
    assert call.close_code == 1000
    assert "Voice Live closed" in (call.close_reason or "")


async def test_long_call_survives_a_dropped_session_through_resilient_connection() -> None:
    responder = ScriptedResponder([Reply(text="First answer."), Reply(text="Second answer.")])
    faults = [Fault.close(1011).after("response.done")]
    reconnected = asyncio.Event()

    def on_call_start(call: CallBridge) -> None:
        call.conn.on_reconnect.append(lambda notice: reconnected.set())

    agent = PhoneAgent(on_call_start=on_call_start)
    stack = phone_stack(agent, resilient=True, faults=faults, responder=responder)
    async with stack as (server, emu):
        call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN)
        try:
            await call.say("Question one?")
            await call.wait_queued(len("First answer.") * 60)
            await call.play(10_000)
            await asyncio.wait_for(reconnected.wait(), 10)  # the bridge reconnected by itself
            await call.say("Question two?")
            await call.wait_queued(len("Second answer.") * 60)
            await call.hangup()
            (ended,) = await asyncio.wait_for(server.wait_ended(1), 10)
        finally:
            await call.close()
    assert ended.by == "caller"
    assert len(emu.connections) == 2
    restored = [e for e in emu.connections[1].received if e.type == "session.update"]
    assert restored[0].session.input_audio_format == "g711_ulaw"


async def test_greeting_makes_the_agent_speak_first() -> None:
    agent = PhoneAgent(greeting="Greet the caller.")
    async with phone_stack(agent) as (server, emulator):
        call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN)
        try:
            await call.wait_queued(200)  # the agent talks before the caller says anything
            await call.hangup()
            await asyncio.wait_for(server.wait_ended(1), 10)
        finally:
            await call.close()
    creates = [e for e in emulator.received if e.type == "response.create"]
    assert [c.additional_instructions for c in creates] == ["Greet the caller."]


async def test_voice_live_unreachable_ends_the_call_and_the_server_serves_on() -> None:
    from voicelive.exceptions import HandshakeError
    from voicelive.telephony import PhoneServer, PhoneServerConfig

    attempts: list[int] = []

    async def open_connection() -> Any:
        attempts.append(1)
        raise HandshakeError("Voice Live is down")

    config = PhoneServerConfig(twilio_auth_token=AUTH_TOKEN)
    async with PhoneServer(PhoneAgent(), open_connection, config=config, port=0) as server:
        for _ in range(2):
            call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN)
            await call.wait_closed()
            await call.close()
        ended = await asyncio.wait_for(server.wait_ended(2), 10)
    assert len(attempts) == 2
    assert [e.by for e in ended] == ["server", "server"]
    assert "HandshakeError: Voice Live is down" in ended[0].reason
    assert call.close_code == 1000
    assert call.close_reason == "bridge failed"  # no internal detail to the phone side
