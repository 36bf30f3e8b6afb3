"""Caller audio on its way to Voice Live: each payload checked once, as the bridge parses it
(bad ones reported, the call going on), then sent through the connection's internal path
with the connection's remaining checks (whole samples of the session's format)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging

import pytest
from telephony_support import AUTH_TOKEN, phone_stack

from voicelive.telephony import (
    AcsProvider,
    PhoneAgent,
    PhoneProtocolError,
    PhoneServerConfig,
    TwilioProvider,
)
from voicelive.telephony._providers import PhoneAudio
from voicelive.testing import FakeAcsCall, FakeTwilioCall, MockServer

GOOD = bytes(range(160))
NOT_BASE64 = ["not base64!", "AAA", "AAAA\n", "AAé="]


def _appends(emulator: MockServer) -> list[bytes]:
    return [
        base64.b64decode(e.audio)  # type: ignore[union-attr]
        for e in emulator.received
        if e.type == "input_audio_buffer.append"
    ]


def _twilio_media(payload: str) -> str:
    return json.dumps({"event": "media", "streamSid": "MZ1", "media": {"payload": payload}})


def _acs_audio(data: str) -> str:
    return json.dumps({"kind": "AudioData", "audioData": {"data": data, "silent": False}})


def test_providers_check_the_payload_and_give_its_size() -> None:
    payload = base64.b64encode(GOOD).decode()
    assert TwilioProvider().parse(_twilio_media(payload)) == PhoneAudio(payload, 160)
    assert AcsProvider().parse(_acs_audio(payload)) == PhoneAudio(payload, 160)
    for bad in NOT_BASE64:
        with pytest.raises(PhoneProtocolError, match="twilio: audio payload is not base64"):
            TwilioProvider().parse(_twilio_media(bad))
        with pytest.raises(PhoneProtocolError, match="acs: audio payload is not base64"):
            AcsProvider().parse(_acs_audio(bad))
    # the model path (a frame the fast path does not take) checks it too
    odd = {"event": "media", "media": {"payload": "AAA", "track": "inbound", "chunk": 1}}
    with pytest.raises(PhoneProtocolError, match="not base64"):
        TwilioProvider().parse(json.dumps(odd))


async def test_a_twilio_payload_that_is_not_base64_is_reported_and_the_call_goes_on() -> None:
    pressed: list[str] = []
    agent = PhoneAgent(on_dtmf=lambda call, digit: pressed.append(digit))
    async with phone_stack(agent) as (server, emulator):
        call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN)
        for bad in NOT_BASE64:
            await call.send_raw(_twilio_media(bad))
        await call.send_raw(_twilio_media(base64.b64encode(GOOD).decode()))
        await call.press("1")
        await call.hangup()
        (ended,) = await asyncio.wait_for(server.wait_ended(1), 10)
    errors = server.calls[0].errors
    assert [str(e) for e in errors] == ["twilio: audio payload is not base64"] * 4
    assert all(type(e) is PhoneProtocolError for e in errors)
    assert pressed == ["1"]
    assert ended.by == "caller"
    assert _appends(emulator) == [GOOD]  # only the good frame reached Voice Live


async def test_acs_audio_goes_through_the_whole_sample_check(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    async with phone_stack(config=PhoneServerConfig()) as (server, emulator):
        call = await FakeAcsCall.connect(server.url, sample_rate=16000)
        await call.send_raw(_acs_audio("not base64!"))
        await call.send_raw(_acs_audio(base64.b64encode(b"\x01\x02\x03\x04").decode()))
        await call.send_raw(_acs_audio(base64.b64encode(b"\x05\x06\x07").decode()))  # 1.5 samples
        await call.press("5")
        await call.hangup()
        (ended,) = await asyncio.wait_for(server.wait_ended(1), 10)
    assert [str(e) for e in server.calls[0].errors] == ["acs: audio payload is not base64"]
    assert ended.by == "caller"
    assert _appends(emulator) == [b"\x01\x02\x03\x04", b"\x05\x06\x07"]  # sent as given
    warnings = [r.getMessage() for r in caplog.records if "whole number" in r.getMessage()]
    assert len(warnings) == 1
    assert "audio=<3 bytes>" in warnings[0]
    assert "(2 bytes per sample frame) of the session's input format pcm16 16000 Hz" in warnings[0]


@pytest.mark.parametrize("provider", [TwilioProvider, AcsProvider])
def test_frames_decode_as_json_loads_decodes_them(provider: type[TwilioProvider]) -> None:
    payload = base64.b64encode(GOOD).decode()
    compact = (_twilio_media if provider is TwilioProvider else _acs_audio)(payload)
    expected = PhoneAudio(payload, 160)
    lone_surrogate = compact[:-1] + ',"x":"\\ud800"}'  # json takes it, pydantic-core not
    for frame in (
        compact,
        f" \n{compact}\t ",  # whitespace
        compact.encode(),  # bytes
        b"\xef\xbb\xbf" + compact.encode(),  # UTF-8 with a byte-order mark
        lone_surrogate,
    ):
        assert provider().parse(frame) == expected
    for broken in (compact + "x", compact + "{}", compact[:-1], "", " "):
        with pytest.raises(PhoneProtocolError, match="not JSON"):
            provider().parse(broken)


@pytest.mark.parametrize("provider", [TwilioProvider, AcsProvider])
def test_a_frame_nested_too_deeply_is_a_bad_frame(provider: type[TwilioProvider]) -> None:
    deep = '{"event":' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(PhoneProtocolError, match=r"not JSON \(nested too deeply\)"):
        provider().parse(deep)
