"""Barge-in: clear the phone, truncate at what the caller heard, no audio after the clear.

The fake caller owns its playback clock: the test plays exactly N ms, then talks over the
agent. Twilio's heard audio comes from mark echoes; ACS's from the bridge's clock (moved by
the test too). No wall clock is compared anywhere.
"""

from __future__ import annotations

import asyncio
import base64
import json

from telephony_support import AUTH_TOKEN, Clock, phone_stack

from voicelive.telephony import PhoneAgent, PhoneServerConfig
from voicelive.testing import FakeAcsCall, FakeTwilioCall, Reply, ScriptedResponder

SECOND = "Sorry, go ahead."
MS_PER_CHAR = 60  # the emulator's speech rate
LONG = "Our bakery has sourdough, rye, baguettes, croissants and many cakes today. " * 3


def _truncates(emulator: object) -> list[object]:
    received = emulator.received  # type: ignore[attr-defined]
    return [e for e in received if e.type == "conversation.item.truncate"]


def _audio_of(emulator: object, response_index: int) -> bytes:
    """The audio the emulator sent in its ``response_index``-th response."""
    sent = [json.loads(t) for c in emulator.connections for t in c.sent]  # type: ignore[attr-defined]
    ids = [e["response"]["id"] for e in sent if e["type"] == "response.created"]
    target = ids[response_index]
    return b"".join(
        base64.b64decode(e["delta"])
        for e in sent
        if e["type"] == "response.audio.delta" and e["response_id"] == target
    )


class Lockstep:
    """The caller's playback and the bridge's clock moving together, 20 ms at a time.

    Twilio plays in real time, and the bridge counts the audio played since the last echoed
    mark on its clock. So each step moves the bridge's clock by 20 ms, plays 20 ms at the
    fake caller (echoing the marks it reaches), then waits until the bridge has read those
    echoes: a DTMF key sent after them comes back through ``on_dtmf`` (frames of one
    stream are handled in order).
    """

    def __init__(self) -> None:
        self.clock = Clock()
        self._handled = asyncio.Event()
        self.agent = PhoneAgent(on_dtmf=lambda bridge, digit: self._handled.set())

    async def play(self, call: FakeTwilioCall, ms: int) -> None:
        for _ in range(ms // 20):
            self.clock.now += 0.020
            await call.play(20)
            self._handled.clear()
            await call.press("0")
            await asyncio.wait_for(self._handled.wait(), 10)


async def _twilio_barge_in(config: PhoneServerConfig, lockstep: Lockstep | None) -> None:
    responder = ScriptedResponder([Reply(text=LONG), Reply(text=SECOND)])
    agent = lockstep.agent if lockstep is not None else None
    clock = lockstep.clock if lockstep is not None else None
    stack = phone_stack(agent, config=config, clock=clock, responder=responder)
    async with stack as (server, emulator):
        call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN)
        try:
            await call.say("What bread do you have?")
            await call.wait_queued(2000)
            # the caller heard 740 ms, then talks over the agent
            if lockstep is not None:
                await lockstep.play(call, 740)
            else:
                await call.play(740)
            heard = call.heard_ms
            await call.say("Wait, do you have rye?")
            await call.wait_clears(1)
            await call.wait_queued(len(SECOND) * MS_PER_CHAR)  # the whole second answer
            await call.play(100_000)
            await call.hangup()
            await asyncio.wait_for(server.wait_ended(1), 10)
        finally:
            await call.close()
    (truncate,) = _truncates(emulator)
    assert heard == 740
    assert abs(truncate.audio_end_ms - heard) <= 20, truncate
    first_item = server.calls[0].interruptions[0].truncation
    assert first_item is not None
    assert first_item.item_id == truncate.item_id
    # after the clear only the second response's audio reached the caller, nothing of the first
    second = _audio_of(emulator, 1)
    assert bytes(call.segments[1]) == second
    assert call.clears == 1


async def test_twilio_barge_in_truncates_at_what_the_caller_heard() -> None:
    """A mark every 100 ms (the default); the last echo was at 700 ms, 40 ms before."""
    await _twilio_barge_in(PhoneServerConfig(twilio_auth_token=AUTH_TOKEN), Lockstep())


async def test_twilio_barge_in_with_a_mark_every_frame_needs_no_clock() -> None:
    """``twilio_mark_ms=20``: every frame acknowledged, heard audio from the echoes alone
    (the caller plays faster than real time and the bridge's clock is the real one)."""
    config = PhoneServerConfig(twilio_auth_token=AUTH_TOKEN, twilio_mark_ms=20)
    await _twilio_barge_in(config, None)


async def test_twilio_interruption_before_first_audio_sends_no_truncate() -> None:
    responder = ScriptedResponder([Reply(text=LONG), Reply(text="Yes?")])
    async with phone_stack(responder=responder) as (server, emulator):
        call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN)
        try:
            await call.say("Hello?")
            await call.wait_queued(200)
            await call.say("Hello again?")  # nothing played yet: the caller heard nothing
            await call.wait_clears(1)  # queued audio is still dropped at the phone
            await call.play(100_000)
            await call.hangup()
            await asyncio.wait_for(server.wait_ended(1), 10)
        finally:
            await call.close()
    assert _truncates(emulator) == []
    interruption = server.calls[0].interruptions[0]
    assert interruption.truncation is None
    assert interruption.skipped == "nothing played"


async def test_acs_barge_in_truncates_at_the_playback_clock() -> None:
    clock = Clock()
    responder = ScriptedResponder([Reply(text=LONG), Reply(text="Sure.")])
    config = PhoneServerConfig()  # loopback only: no credentials needed
    async with phone_stack(config=config, clock=clock, responder=responder) as (server, emulator):
        call = await FakeAcsCall.connect(server.url)
        try:
            await call.say("What bread do you have?")
            await call.wait_queued(2000)  # all sent at once: ACS queues it
            clock.now += 0.5  # half a second of playback on the bridge's clock
            await call.say("Rye?")
            await call.wait_clears(1)
            await call.hangup()
            await asyncio.wait_for(server.wait_ended(1), 10)
        finally:
            await call.close()
    (truncate,) = _truncates(emulator)
    assert truncate.audio_end_ms == 500
    assert server.ended[0].by == "caller"
