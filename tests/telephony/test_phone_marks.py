"""Twilio marks: where the bridge puts them, and what the caller heard between two of them.

The bridge sends a mark after the first frame of each item's audio, after a delta once
``mark_ms`` of audio went out since the last mark, and at the end of an answer's audio. On
barge-in it adds the playback time since the last echo to what the echoes acknowledged,
capped by the next mark and by real time from when the audio was sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import pytest
from telephony_support import AUTH_TOKEN, phone_stack

from voicelive.audio import G711_ULAW, PCM16_24K, AudioFormat
from voicelive.conversation import PlaybackTracker
from voicelive.models import (
    ServerEvent,
    ServerEventResponseAudioDelta,
    ServerEventResponseAudioDone,
)
from voicelive.telephony import (
    AcsProvider,
    BridgeCore,
    PhoneProtocolError,
    PhoneServerConfig,
    TwilioProvider,
)
from voicelive.telephony._acs import STOP_AUDIO_FRAME, audio_frame
from voicelive.telephony._providers import PhoneMark
from voicelive.telephony._twilio import mark_frame, media_frame
from voicelive.testing import FakeTwilioCall, Reply, ScriptedResponder

ITEM = "item_1"
T0 = 1000.0


def _delta(
    ms: int, fmt: AudioFormat = G711_ULAW, item: str = ITEM
) -> ServerEventResponseAudioDelta:
    nbytes = fmt.ms_to_bytes(ms)
    return ServerEventResponseAudioDelta(
        response_id="resp_1",
        item_id=item,
        output_index=0,
        content_index=0,
        delta=b"\x01" * nbytes,
    )


def _done() -> ServerEventResponseAudioDone:
    return ServerEventResponseAudioDone(
        response_id="resp_1", item_id=ITEM, output_index=0, content_index=0
    )


def _twilio_core(mark_ms: int = 100) -> tuple[BridgeCore, PlaybackTracker]:
    provider = TwilioProvider(mark_ms=mark_ms)
    provider.stream_id = "MZ1"
    tracker = PlaybackTracker(output_format=G711_ULAW)
    return BridgeCore(provider, G711_ULAW, tracker), tracker


def _send(
    core: BridgeCore, tracker: PlaybackTracker, *events: ServerEvent, now: float = T0
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for event in events:
        tracker.observe(event)
        out += [json.loads(f) for f in core.server_event(event, now)]
    return out


def _mark_positions(frames: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """``(mark name, ms of audio before it)`` for each mark in ``frames``."""
    ms = 0
    marks = []
    for frame in frames:
        if frame["event"] == "media":
            ms += 20
        elif frame["event"] == "mark":
            marks.append((frame["mark"]["name"], ms))
    return marks


def test_marks_after_the_first_frame_every_100_ms_and_at_the_end() -> None:
    core, tracker = _twilio_core()
    frames = _send(core, tracker, *[_delta(100)] * 5, _delta(60), _done())
    assert _mark_positions(frames) == [
        ("1", 20),  # after the first frame: an early first echo
        ("2", 200),  # 180 ms unmarked after the second delta
        ("3", 300),
        ("4", 400),
        ("5", 500),
        ("6", 560),  # the end of the audio
    ]
    assert core.marks_out == 6
    assert core.frames_out == 28
    assert [f["event"] for f in frames].count("media") == 28


def test_small_deltas_share_a_mark() -> None:
    core, tracker = _twilio_core()
    frames = _send(core, tracker, *[_delta(20)] * 12)
    assert _mark_positions(frames) == [("1", 20), ("2", 120), ("3", 220)]


def test_mark_ms_20_marks_every_frame() -> None:
    core, tracker = _twilio_core(mark_ms=20)
    frames = _send(core, tracker, _delta(100), _delta(30), _done())
    assert _mark_positions(frames) == [(str(i), 20 * i) for i in range(1, 8)]
    assert [f["event"] for f in frames][:4] == ["media", "mark", "media", "mark"]


def test_each_item_gets_an_early_mark_not_each_playback_run() -> None:
    core, tracker = _twilio_core()
    _send(core, tracker, _delta(100), _done())
    core.mark_played("2", T0 + 0.1)  # all of it played: the phone's queue is empty
    assert not core.queue
    later = _send(core, tracker, _delta(100), now=T0 + 5)  # the same item, after a gap
    assert _mark_positions(later) == [("3", 100)]
    second = _send(core, tracker, _delta(100, item="item_2"), now=T0 + 6)
    assert _mark_positions(second) == [("4", 20)]


def test_barge_in_counts_playback_since_the_last_echo_up_to_the_next_mark() -> None:
    core, tracker = _twilio_core()
    _send(core, tracker, *[_delta(100)] * 5)  # all sent at T0; marks at 20, 200, 300, ...
    core.mark_played("1", T0 + 0.02)
    core.mark_played("2", T0 + 0.2)  # 200 ms acknowledged
    assert tracker.played_ms(ITEM) == 200
    core.barge_in(T0 + 0.245)  # 45 ms of playback since the echo of mark 2
    assert tracker.played_ms(ITEM) == 245
    assert core.played_bytes == G711_ULAW.ms_to_bytes(245)


def test_a_next_item_keeps_the_estimate_of_the_one_still_playing() -> None:
    core, tracker = _twilio_core()
    _send(core, tracker, *[_delta(100)] * 5)
    core.mark_played("2", T0 + 0.2)
    _send(core, tracker, _delta(100, item="item_2"), now=T0 + 0.21)
    core.barge_in(T0 + 0.245)
    assert tracker.played_ms(ITEM) == 245
    assert tracker.played_ms("item_2") == 0


def test_a_new_item_after_silence_counts_nothing_until_its_first_echo() -> None:
    core, tracker = _twilio_core()
    _send(core, tracker, _delta(100), _done())
    core.mark_played("2", T0 + 0.1)  # the first answer played to its end
    _send(core, tracker, _delta(100, item="item_2"), now=T0 + 5)
    core.barge_in(T0 + 5.01)  # sent 10 ms ago, but not echoed: not known to be playing
    assert tracker.played_ms("item_2") == 0


def test_barge_in_estimate_is_capped_by_the_next_mark() -> None:
    core, tracker = _twilio_core()
    _send(core, tracker, *[_delta(100)] * 5)
    core.mark_played("2", T0 + 0.2)
    core.barge_in(T0 + 0.9)  # mark 3 (at 300 ms) was not echoed: not past it
    assert tracker.played_ms(ITEM) == 300


def test_barge_in_estimate_is_capped_by_real_time_since_sending() -> None:
    core, tracker = _twilio_core()
    _send(core, tracker, *[_delta(100)] * 5)
    # the echo of mark 2 came at once (a phone playing faster than real time, like a fake
    # caller): the audio after it cannot have played before real time reaches it
    core.mark_played("2", T0 + 0.001)
    core.barge_in(T0 + 0.230)
    assert tracker.played_ms(ITEM) == 230


def test_barge_in_before_any_echo_counts_nothing() -> None:
    core, tracker = _twilio_core()
    _send(core, tracker, *[_delta(100)] * 5)
    frames = core.barge_in(T0 + 0.5)
    assert tracker.played_ms(ITEM) == 0
    assert [json.loads(f)["event"] for f in frames] == ["clear"]


def test_echoes_after_a_clear_count_nothing() -> None:
    core, tracker = _twilio_core()
    _send(core, tracker, *[_delta(100)] * 5)
    core.mark_played("2", T0 + 0.2)
    core.barge_in(T0 + 0.2)
    for name in ("3", "4", "5"):  # Twilio echoes the marks it dropped
        core.mark_played(name, T0 + 0.21)
    assert tracker.played_ms(ITEM) == 200


def test_acs_playback_clock_over_whole_deltas() -> None:
    tracker = PlaybackTracker(output_format=PCM16_24K)
    core = BridgeCore(AcsProvider(), PCM16_24K, tracker)
    frames = _send(core, tracker, *[_delta(100, PCM16_24K)] * 3)
    assert len(frames) == 15  # 20 ms frames, no marks
    assert core.marks_out == 0
    core.barge_in(T0 + 0.230)
    assert tracker.played_ms(ITEM) == 230


@pytest.mark.parametrize("sid", ["MZ0123", 'odd "sid" \\ é'])
def test_outbound_frames_are_the_compact_json_of_the_message(sid: str) -> None:
    def compact(obj: object) -> str:
        return json.dumps(obj, separators=(",", ":"))

    payload = "AAEC/w=="
    provider = TwilioProvider()
    provider.stream_id = sid
    media = {"event": "media", "streamSid": sid, "media": {"payload": payload}}
    assert provider.audio(payload) == media_frame(sid, payload) == compact(media)
    mark = {"event": "mark", "streamSid": sid, "mark": {"name": sid}}
    assert provider.mark(sid) == mark_frame(sid, sid) == compact(mark)
    provider.stream_id = "MZ2"  # a new stream id is taken up
    assert json.loads(provider.audio(payload))["streamSid"] == "MZ2"
    acs = {"kind": "AudioData", "audioData": {"data": sid}, "stopAudio": None}
    assert AcsProvider().audio(sid) == audio_frame(sid) == compact(acs)
    assert AcsProvider().clear() == STOP_AUDIO_FRAME


def test_mark_echo_fast_path_and_its_bad_forms() -> None:
    provider = TwilioProvider()
    echo = {"event": "mark", "sequenceNumber": "4", "streamSid": "MZ1", "mark": {"name": "7"}}
    assert provider.parse(json.dumps(echo)) == PhoneMark("7")

    for bad in ({"event": "mark", "mark": {"name": 7}}, {"event": "mark", "mark": "7"}):
        with pytest.raises(PhoneProtocolError, match="mark"):
            provider.parse(json.dumps(bad))
    with pytest.raises(PhoneProtocolError, match="not JSON"):
        provider.parse("{not json")
    with pytest.raises(PhoneProtocolError, match="JSON object"):
        provider.parse("[1, 2]")


def test_mark_ms_must_be_positive() -> None:
    with pytest.raises(ValueError, match="mark_ms"):
        TwilioProvider(mark_ms=0)
    with pytest.raises(ValueError, match="twilio_mark_ms must be positive"):
        PhoneServerConfig(twilio_mark_ms=-5)


# ---------------------------------------------------------------------- over loopback

LONG = "Our bakery has sourdough, rye, baguettes, croissants and many cakes today."


@pytest.mark.parametrize(("mark_ms", "second"), [(100, 200), (20, 40)])
async def test_marks_over_a_real_call(mark_ms: int, second: int) -> None:
    """The emulator sends 100 ms deltas: with the default, the first mark follows the first
    frame and the others come one per delta (200 ms for the second); with 20, every frame."""
    config = PhoneServerConfig(twilio_auth_token=AUTH_TOKEN, twilio_mark_ms=mark_ms)
    responder = ScriptedResponder([Reply(text=LONG)])
    async with phone_stack(config=config, responder=responder) as (server, _):
        call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN)
        try:
            await call.say("What bread do you have?")
            await call.wait_queued(len(LONG) * 60)
            await call.wait_marked()
            await call.play(100_000)
            await call.hangup()
            await asyncio.wait_for(server.wait_ended(1), 10)
        finally:
            await call.close()
    positions = [ms for _, ms in call.marks]
    total = call.heard_ms
    assert positions[0] == 20
    assert positions[1] == second
    assert positions[-1] == total
    gaps = [b - a for a, b in itertools.pairwise(positions)]
    assert set(gaps[1:-1]) == {mark_ms}
    assert 0 < gaps[-1] <= mark_ms
    # every mark echoed and counted: the bridge heard what the caller heard
    assert call.marks_echoed == [name for name, _ in call.marks]
    assert server.calls[0].core.played_bytes == len(call.heard)
