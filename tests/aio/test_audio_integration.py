"""Audio through the connection: formats from the session, append_audio, decoding deltas."""

from __future__ import annotations

import asyncio
import base64
import json
import logging

import numpy as np
import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import connect
from voicelive.audio import (
    G711_ULAW,
    PCM16_16K,
    PCM16_24K,
    AudioFormatError,
    resample,
    ulaw_encode,
)
from voicelive.testing import MockServer, MockServerConnection, ServerHandler

KEY = AzureKeyCredential("k")


def _session_then_record(session: dict[str, object]) -> ServerHandler:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send({"type": "session.created", "event_id": "e0", "session": session})
        async for _ in conn:
            pass

    return handler


async def _appended(server: MockServer, count: int) -> list[bytes]:
    conn = await server.wait_for_connection()
    for _ in range(200):
        frames = [json.loads(f) for f in conn.received_frames]
        audio = [
            base64.b64decode(f["audio"]) for f in frames if f["type"] == "input_audio_buffer.append"
        ]
        if len(audio) >= count:
            return audio
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} appends, got {len(audio)}")


async def test_formats_follow_the_session() -> None:
    handler = _session_then_record(
        {
            "input_audio_format": "pcm16",
            "input_audio_sampling_rate": 16000,
            "output_audio_format": "g711_ulaw",
        }
    )
    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as conn:
            assert conn.input_audio_format == PCM16_24K  # default before session.created
            await conn.recv()
            assert conn.input_audio_format == PCM16_16K
            assert conn.output_audio_format == G711_ULAW
            samples = np.array([0, 1000, -1000, 32000], dtype=np.int16)
            decoded = conn.decode_output_audio(ulaw_encode(samples))
            assert decoded.dtype == np.int16
            assert np.allclose(decoded, samples, rtol=0.05, atol=16)


async def test_requested_format_applies_before_the_update_is_confirmed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as conn:
            await conn.session.update(session={"input_audio_format": "g711_ulaw"})
            assert conn.input_audio_format == G711_ULAW
            # 3 bytes are whole G.711 samples: no partial-sample warning although the
            # server has not confirmed the update yet (PCM16 would have warned).
            await conn.input_audio_buffer.append(audio=b"\x01\x02\x03")
            assert (await _appended(server, 1)) == [b"\x01\x02\x03"]
    assert "whole number of samples" not in caplog.text


async def test_partial_sample_append_is_sent_as_given_and_warned_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as conn:
            assert conn.input_audio_format == PCM16_24K
            await conn.input_audio_buffer.append(audio=b"\x01\x02\x03")
            await conn.input_audio_buffer.append(audio=base64.b64encode(b"\x04").decode())
            await conn.input_audio_buffer.append(audio=b"\x05\x06")
            assert (await _appended(server, 3)) == [b"\x01\x02\x03", b"\x04", b"\x05\x06"]
        warnings = [r for r in caplog.records if "whole number of samples" in r.getMessage()]
        assert len(warnings) == 1
        assert warnings[0].levelno == logging.WARNING
        assert "3 bytes" in warnings[0].getMessage()
        caplog.clear()
        async with connect(endpoint=server.endpoint, credential=KEY) as conn:
            await conn.input_audio_buffer.append(audio=b"\x07")
        # once per connection: a new connection warns again
        assert "whole number of samples" in caplog.text


async def test_append_audio_resamples_streaming_and_matches_one_shot() -> None:
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as conn:
            rate = 48000
            t = np.arange(rate // 2) / rate
            signal = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            frames = np.split(signal, 25)  # 20 ms frames
            for i, frame in enumerate(frames):
                await conn.input_audio_buffer.append_audio(
                    frame, sample_rate=rate, flush=i == len(frames) - 1
                )
            chunks = await _appended(server, 1)
            await asyncio.sleep(0.05)
            chunks = await _appended(server, len(server.connections[0].received_frames))
    got = np.frombuffer(b"".join(chunks), dtype="<i2")
    expected = np.clip(np.round(resample(signal, rate, 24000) * 32767), -32768, 32767)
    assert abs(len(got) - len(expected)) <= 1
    n = min(len(got), len(expected))
    assert np.max(np.abs(got[:n].astype(int) - expected[:n].astype(int))) <= 2


async def test_append_audio_encodes_g711_and_rejects_bad_shapes() -> None:
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as conn:
            await conn.session.update(session={"input_audio_format": "g711_ulaw"})
            tone = (8000 * np.sin(np.arange(1600) / 5)).astype(np.int16)
            await conn.input_audio_buffer.append_audio(tone, sample_rate=16000, flush=True)
            (data,) = await _appended(server, 1)
            assert abs(len(data) - 800) <= 1  # 16 kHz -> 8 kHz, one byte per sample
            with pytest.raises(AudioFormatError):
                await conn.input_audio_buffer.append_audio(
                    np.zeros((10, 3), np.int16), sample_rate=16000
                )


async def test_append_audio_follows_a_format_switch_mid_stream() -> None:
    """The encoder built for PCM16 is rebuilt when the session switches to G.711: the appends
    after the switch are μ-law at 8 kHz, never PCM16 labelled as G.711."""
    tone = (8000 * np.sin(np.arange(2400) / 5)).astype(np.int16)  # 100 ms at 24 kHz
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as conn:
            await conn.input_audio_buffer.append_audio(tone, sample_rate=24000, flush=True)
            (pcm,) = await _appended(server, 1)
            assert pcm == tone.astype("<i2").tobytes()  # 24 kHz PCM16 passes through
            await conn.session.update(session={"input_audio_format": "g711_ulaw"})
            await conn.input_audio_buffer.append_audio(tone, sample_rate=24000, flush=True)
            _, ulaw = await _appended(server, 2)
    assert abs(len(ulaw) - 800) <= 1  # 24 kHz -> 8 kHz, one byte per sample
    expected = ulaw_encode(resample(tone, 24000, 8000))
    assert ulaw[:700] == expected[:700]
