"""A Twilio-style phone bridge written for the official SDK, import-swapped, on the emulator.

The common shape of Twilio Media Streams bridges built on the official SDK: the session is
G.711 μ-law in and out at 8 kHz; each Twilio ``media`` message's base64 payload (20 ms,
160 bytes) is passed straight to ``input_audio_buffer.append(audio=payload)``; every
``RESPONSE_AUDIO_DELTA`` is base64-encoded into a Twilio ``media`` message, a ``mark`` follows
the response, and ``INPUT_AUDIO_BUFFER_SPEECH_STARTED`` sends Twilio a ``clear``.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import numpy as np
from azure.core.credentials import AzureKeyCredential
from compat_support import silence, tone

# The only change from code written for the official SDK: the import prefix.
from voicelive.aio import VoiceLiveConnection, connect
from voicelive.audio import ulaw_decode, ulaw_encode
from voicelive.models import (
    AzureStandardVoice,
    InputAudioFormat,
    Modality,
    OutputAudioFormat,
    RequestSession,
    ServerEventType,
    ServerVad,
)
from voicelive.testing import MockServer

STREAM_SID = "MZ0123456789abcdef"


class TwilioBridge:
    """The bridge between a Twilio media stream (here: two message lists) and Voice Live."""

    def __init__(self, connection: VoiceLiveConnection) -> None:
        self.connection = connection
        self.to_twilio: list[dict[str, Any]] = []

    async def configure(self) -> None:
        await self.connection.session.update(
            session=RequestSession(
                modalities=[Modality.TEXT, Modality.AUDIO],
                instructions="You answer the phone for a bakery.",
                voice=AzureStandardVoice(name="en-US-Ava:DragonHDLatestNeural"),
                input_audio_format=InputAudioFormat.G711_ULAW,
                output_audio_format=OutputAudioFormat.G711_ULAW,
                turn_detection=ServerVad(silence_duration_ms=500),
            )
        )

    async def from_twilio(self, message: str) -> None:
        data = json.loads(message)
        if data["event"] == "media":
            await self.connection.input_audio_buffer.append(audio=data["media"]["payload"])

    async def to_phone(self) -> None:
        async for event in self.connection:
            if event.type == ServerEventType.INPUT_AUDIO_BUFFER_SPEECH_STARTED:
                self.to_twilio.append({"event": "clear", "streamSid": STREAM_SID})
            elif event.type == ServerEventType.RESPONSE_AUDIO_DELTA:
                payload = base64.b64encode(event.delta).decode("utf-8")
                self.to_twilio.append(
                    {"event": "media", "streamSid": STREAM_SID, "media": {"payload": payload}}
                )
            elif event.type == ServerEventType.RESPONSE_DONE:
                self.to_twilio.append(
                    {"event": "mark", "streamSid": STREAM_SID, "mark": {"name": event.response.id}}
                )
                return
            elif event.type == ServerEventType.ERROR:
                raise AssertionError(event.error.message)


def caller_media(seconds_of_speech: float) -> list[str]:
    """What Twilio sends: 20 ms μ-law frames (160 bytes) as JSON ``media`` messages."""
    pcm = np.frombuffer(tone(seconds_of_speech, 8000) + silence(0.8, 8000), dtype="<i2")
    ulaw = ulaw_encode(pcm)
    return [
        json.dumps(
            {
                "event": "media",
                "streamSid": STREAM_SID,
                "media": {"payload": base64.b64encode(ulaw[i : i + 160]).decode()},
            }
        )
        for i in range(0, len(ulaw), 160)
    ]


async def test_a_twilio_call_round_trips_g711() -> None:
    async with asyncio.timeout(20), MockServer() as server:
        async with connect(
            endpoint=server.endpoint, credential=AzureKeyCredential("<key>"), model="gpt-realtime"
        ) as connection:
            bridge = TwilioBridge(connection)
            await bridge.configure()
            phone = asyncio.create_task(bridge.to_phone())
            await bridge.from_twilio(json.dumps({"event": "start", "streamSid": STREAM_SID}))
            for message in caller_media(1.0):
                await bridge.from_twilio(message)
            await phone
        appended = [
            e for e in server.connections[0].received if e.type == "input_audio_buffer.append"
        ]
    assert len(appended) == 90  # 1.8 s in 20 ms frames, each passed through as given
    kinds = [m["event"] for m in bridge.to_twilio]
    assert kinds[0] == "clear"
    assert kinds[-1] == "mark"
    assert kinds.count("media") >= 1
    audio = b"".join(base64.b64decode(m["media"]["payload"]) for m in bridge.to_twilio[1:-1])
    assert len(audio) > 0
    decoded = ulaw_decode(audio)  # G.711 codes the phone can play, at 8 kHz
    assert decoded.dtype == np.int16
    assert np.abs(decoded.astype(np.int32)).max() > 1000
