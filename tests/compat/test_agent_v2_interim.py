"""A Foundry agent (v2) voice assistant with interim responses, import-swapped, on the emulator.

Shape of the official agent v2 sample: ``connect()`` with the flattened agent keywords
(``agent_name``, ``project_name``, ``agent_version``, ``conversation_id``, ...) and no model;
``InterimResponseConfig`` imported from the private-but-sample-used ``_types`` module; a
``RequestSession`` with an ``interim_response``; microphone capture from a thread on
``SESSION_UPDATED``; the conversation log written from mapping-style reads
(``event.get("transcript", "")``, ``event.get("text", "")``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from azure.core.credentials import AzureKeyCredential
from compat_support import FakeMicrophone, FakeSpeaker, silence, tone

# The only change from code written for the official SDK: the import prefix.
from voicelive._types import InterimResponseConfig
from voicelive.aio import VoiceLiveConnection, connect
from voicelive.models import (
    AudioEchoCancellation,
    AudioInputTranscriptionOptions,
    AudioNoiseReduction,
    AzureStandardVoice,
    InputAudioFormat,
    LlmInterimResponseConfig,
    Modality,
    OutputAudioFormat,
    RequestSession,
    ServerEventType,
    ServerVad,
)
from voicelive.testing import MockServer, Reply, ScriptedResponder

INTERIM = "Let me look that up for you."
ANSWER = "Your order ships tomorrow."


class AgentVoiceAssistant:
    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.connection: VoiceLiveConnection | None = None
        self.microphone: FakeMicrophone | None = None
        self.speaker = FakeSpeaker()
        self.conversation_log: list[str] = []
        self.session_models: list[Any] = []

    async def start(self) -> None:
        async with connect(
            endpoint=self.endpoint,
            credential=AzureKeyCredential("<key>"),
            api_version="2026-01-01-preview",
            agent_name="order-agent",
            project_name="contoso-project",
            agent_version="3",
            conversation_id="conv_42",
            foundry_resource_override=None,
            authentication_identity_client_id=None,
        ) as connection:
            self.connection = connection
            try:
                await self._setup_session()
                await self._process_events()
            finally:
                if self.microphone is not None:
                    await self.microphone.stop()

    async def _setup_session(self) -> None:
        interim_response_config: InterimResponseConfig | None = LlmInterimResponseConfig(
            latency_threshold_ms=300
        )
        session_config = RequestSession(
            modalities=[Modality.TEXT, Modality.AUDIO],
            voice=AzureStandardVoice(name="en-US-Ava:DragonHDLatestNeural"),
            input_audio_format=InputAudioFormat.PCM16,
            output_audio_format=OutputAudioFormat.PCM16,
            turn_detection=ServerVad(threshold=0.5, prefix_padding_ms=300, silence_duration_ms=500),
            input_audio_echo_cancellation=AudioEchoCancellation(),
            input_audio_noise_reduction=AudioNoiseReduction(type="azure_deep_noise_suppression"),
            input_audio_transcription=AudioInputTranscriptionOptions(model="azure-speech"),
            interim_response=interim_response_config,
        )
        assert self.connection is not None
        await self.connection.session.update(session=session_config)

    async def _send_audio(self, audio_base64: str) -> None:
        assert self.connection is not None
        await self.connection.input_audio_buffer.append(audio=audio_base64)

    async def _process_events(self) -> None:
        assert self.connection is not None
        async for event in self.connection:
            if event.type == ServerEventType.SESSION_UPDATED:
                self.conversation_log.append(f"SessionID: {event.session.id}")
                self.session_models.append(event.session.agent)
                self.microphone = FakeMicrophone(
                    asyncio.get_running_loop(), self._send_audio, tone(1.0) + silence(0.8)
                )
                self.microphone.start()
            elif (
                event.type == ServerEventType.CONVERSATION_ITEM_INPUT_AUDIO_TRANSCRIPTION_COMPLETED
            ):
                self.conversation_log.append(f"User Input:\t{event.get('transcript', '')}")
            elif event.type == ServerEventType.RESPONSE_AUDIO_TRANSCRIPT_DONE:
                self.conversation_log.append(
                    f"Agent Audio Response:\t{event.get('transcript', '')}"
                )
            elif event.type == ServerEventType.INPUT_AUDIO_BUFFER_SPEECH_STARTED:
                self.speaker.skip_pending_audio()
            elif event.type == ServerEventType.RESPONSE_AUDIO_DELTA:
                self.speaker.queue_audio(event.delta)
            elif event.type == ServerEventType.RESPONSE_DONE:
                return
            elif event.type == ServerEventType.ERROR:
                raise AssertionError(f"Service returns error: {event.error}")


async def test_agent_v2_assistant_with_interim_response_runs_import_swapped() -> None:
    responder = ScriptedResponder([Reply(interim=INTERIM, text=ANSWER)])
    async with asyncio.timeout(20), MockServer(responder=responder) as server:
        assistant = AgentVoiceAssistant(server.endpoint)
        await assistant.start()
        (update,) = [e for e in server.connections[0].received if e.type == "session.update"]
        query = server.connections[0].query
    # The agent keywords reached the service as the official SDK sends them.
    assert query["agent-name"] == "order-agent"
    assert query["agent-project-name"] == "contoso-project"
    assert "model" not in query
    assert update.session.interim_response is not None
    assert update.session.interim_response.type == "llm_interim_response"
    log = assistant.conversation_log
    assert log[0].startswith("SessionID: ")
    assert log[1].startswith("User Input:\t")
    assert log[1] != "User Input:\t"  # a transcript was read through event.get()
    # The interim message is spoken first, then the answer, in one response.
    assert log[2:] == [f"Agent Audio Response:\t{INTERIM}", f"Agent Audio Response:\t{ANSWER}"]
    assert len(assistant.speaker.played) > 0
