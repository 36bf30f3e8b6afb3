"""Whole Twilio calls over real loopback: caller -> PhoneServer -> emulator and back."""

from __future__ import annotations

import asyncio
import base64

from telephony_support import AUTH_TOKEN, phone_stack

from voicelive.conversation import ToolRegistry
from voicelive.telephony import PhoneAgent
from voicelive.testing import FakeTwilioCall, FunctionCall, Reply, ScriptedResponder


def _appends(emulator: object) -> list[bytes]:
    received = emulator.received  # type: ignore[attr-defined]
    return [base64.b64decode(e.audio) for e in received if e.type == "input_audio_buffer.append"]


async def test_whole_call_with_a_tool_call() -> None:
    tools = ToolRegistry()
    looked_up: list[str] = []

    @tools.tool
    def opening_hours(day: str) -> str:
        """Opening hours of the bakery.

        Args:
            day: the day of the week.
        """
        looked_up.append(day)
        return "8 to 18"

    responder = ScriptedResponder(
        [
            Reply(function_call=FunctionCall("opening_hours", {"day": "monday"})),
            Reply(text="We open at eight."),
        ]
    )
    agent = PhoneAgent(instructions="Bakery.", tools=tools)
    async with phone_stack(agent, responder=responder) as (server, emulator):
        call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN, caller="+14155550123")
        try:
            await call.say("When do you open on Monday?")
            await call.wait_queued(500)
            await call.play(100_000)
            assert call.heard_ms >= 500
            await call.wait_marked()  # the end of the audio heard is marked and echoed
            await call.hangup()
            (ended,) = await asyncio.wait_for(server.wait_ended(1), 10)
        finally:
            await call.close()
    assert ended.by == "caller"
    assert looked_up == ["monday"]
    session = next(e for e in emulator.received if e.type == "session.update").session
    assert session.input_audio_format == "g711_ulaw"
    assert session.output_audio_format == "g711_ulaw"
    assert session.input_audio_sampling_rate == 8000
    # μ-law passed straight through: every append is one 20 ms frame of 160 bytes
    assert {len(a) for a in _appends(emulator)} == {160}
    outputs = [e.item for e in emulator.received if e.type == "conversation.item.create"]
    assert any(getattr(i, "type", None) == "function_call_output" for i in outputs)
    # every echoed mark was accounted: the bridge counts exactly what the caller heard
    bridge = server.calls[0]
    assert bridge.core.played_bytes == len(call.heard)
    assert bridge.info.caller == "+14155550123"
    assert "0123" in repr(bridge.info)
    assert "4155550123" not in repr(bridge.info)
