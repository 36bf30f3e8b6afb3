"""A basic voice assistant written for the official SDK, import-swapped, against the emulator.

Shape of the official "basic voice assistant" sample: a typed ``RequestSession`` (Azure
voice, server VAD, echo cancellation, noise reduction), microphone capture started on
``SESSION_UPDATED`` from a capture thread with base64 appends, events compared with
``ServerEventType`` members, audio deltas queued to a player, playback skipped on
``INPUT_AUDIO_BUFFER_SPEECH_STARTED``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from azure.core.credentials import AzureKeyCredential
from compat_support import FakeMicrophone, FakeSpeaker, silence, tone

# The only change from code written for the official SDK: the import prefix.
from voicelive.aio import VoiceLiveConnection, connect
from voicelive.models import (
    AudioEchoCancellation,
    AudioNoiseReduction,
    AzureStandardVoice,
    InputAudioFormat,
    Modality,
    OutputAudioFormat,
    RequestSession,
    ServerEventType,
    ServerVad,
)
from voicelive.testing import MockServer


class BasicVoiceAssistant:
    def __init__(self, endpoint: str, credential: Any, model: str, voice: str) -> None:
        self.endpoint = endpoint
        self.credential = credential
        self.model = model
        self.voice = voice
        self.connection: VoiceLiveConnection | None = None
        self.speaker = FakeSpeaker()
        self.microphone: FakeMicrophone | None = None
        self.session_ready = False
        self.log: list[str] = []

    async def start(self) -> None:
        async with connect(
            endpoint=self.endpoint, credential=self.credential, model=self.model
        ) as connection:
            self.connection = connection
            try:
                await self._setup_session()
                await self._process_events()
            finally:
                if self.microphone is not None:
                    await self.microphone.stop()

    async def _setup_session(self) -> None:
        # An Azure voice name, or an OpenAI voice given as a plain string.
        voice_config: AzureStandardVoice | str = (
            AzureStandardVoice(name=self.voice) if "-" in self.voice else self.voice
        )
        session_config = RequestSession(
            modalities=[Modality.TEXT, Modality.AUDIO],
            instructions="You are a helpful AI assistant. Respond naturally.",
            voice=voice_config,
            input_audio_format=InputAudioFormat.PCM16,
            output_audio_format=OutputAudioFormat.PCM16,
            turn_detection=ServerVad(threshold=0.5, prefix_padding_ms=300, silence_duration_ms=500),
            input_audio_echo_cancellation=AudioEchoCancellation(),
            input_audio_noise_reduction=AudioNoiseReduction(type="azure_deep_noise_suppression"),
        )
        assert self.connection is not None
        await self.connection.session.update(session=session_config)

    async def _process_events(self) -> None:
        assert self.connection is not None
        async for event in self.connection:
            if await self._handle_event(event):
                break

    async def _handle_event(self, event: Any) -> bool:
        self.log.append(event.type)
        if event.type == ServerEventType.SESSION_UPDATED:
            self.session_ready = True
            assert event.session.id
            conn = self.connection
            assert conn is not None
            self.microphone = FakeMicrophone(
                asyncio.get_running_loop(),
                lambda audio: conn.input_audio_buffer.append(audio=audio),
                tone(1.0) + silence(0.8),
            )
            self.microphone.start()
        elif event.type == ServerEventType.INPUT_AUDIO_BUFFER_SPEECH_STARTED:
            self.speaker.skip_pending_audio()
        elif event.type == ServerEventType.RESPONSE_AUDIO_DELTA:
            self.speaker.queue_audio(event.delta)
        elif event.type == ServerEventType.RESPONSE_DONE:
            return True
        elif event.type == ServerEventType.ERROR:
            raise AssertionError(f"VoiceLive error: {event.error.message}")
        elif event.type == ServerEventType.CONVERSATION_ITEM_CREATED:
            assert event.item.id
        return False


async def test_basic_voice_assistant_runs_import_swapped() -> None:
    async with asyncio.timeout(20), MockServer() as server:
        assistant = BasicVoiceAssistant(
            server.endpoint,
            AzureKeyCredential("<key>"),
            "gpt-realtime",
            "en-US-Ava:DragonHDLatestNeural",
        )
        await assistant.start()
        (update,) = [e for e in server.connections[0].received if e.type == "session.update"]
        session = update.session
    assert assistant.session_ready
    log = assistant.log
    assert log.index("session.updated") < log.index("input_audio_buffer.speech_started")
    assert log.index("input_audio_buffer.speech_stopped") < log.index("response.created")
    assert log[-1] == "response.done"
    assert assistant.speaker.skips == 1
    assert len(assistant.speaker.played) > 0
    assert len(assistant.speaker.played) % 2 == 0  # PCM16 bytes, ready for the player
    # What the program configured reached the service as typed.
    assert session.voice is not None
    assert session.voice.name == "en-US-Ava:DragonHDLatestNeural"
    assert session.input_audio_noise_reduction is not None
    assert session.input_audio_noise_reduction.type == "azure_deep_noise_suppression"
