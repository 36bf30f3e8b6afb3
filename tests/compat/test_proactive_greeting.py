"""A proactive greeting written for the official SDK, import-swapped, against the emulator.

The assistant speaks first: once ``SESSION_UPDATED`` arrives it asks for a response with
``additional_instructions`` (a model-generated greeting), or, in the second variant, sends
a ``pre_generated_assistant_message`` so the exact words are spoken without a model call.
Audio deltas go to the player; the transcript is read from ``RESPONSE_AUDIO_TRANSCRIPT_DONE``.
"""

from __future__ import annotations

import asyncio

import pytest
from azure.core.credentials import AzureKeyCredential
from compat_support import FakeSpeaker

# The only change from code written for the official SDK: the import prefix.
from voicelive.aio import connect
from voicelive.models import (
    AssistantMessageItem,
    AzureStandardVoice,
    Modality,
    OutputTextContentPart,
    RequestSession,
    ResponseCreateParams,
    ServerEventType,
    ServerVad,
)
from voicelive.testing import MockServer, Reply, ScriptedResponder

GREETING = "Hello, I am your assistant. How can I help you today?"


async def greet(endpoint: str, *, pre_generated: bool) -> tuple[str, FakeSpeaker]:
    speaker = FakeSpeaker()
    transcript = ""
    async with connect(
        endpoint=endpoint, credential=AzureKeyCredential("<key>"), model="gpt-realtime"
    ) as connection:
        await connection.session.update(
            session=RequestSession(
                modalities=[Modality.TEXT, Modality.AUDIO],
                instructions="You are a friendly assistant.",
                voice=AzureStandardVoice(name="en-US-Ava:DragonHDLatestNeural"),
                turn_detection=ServerVad(),
            )
        )
        async for event in connection:
            if event.type == ServerEventType.SESSION_UPDATED:
                if pre_generated:
                    await connection.response.create(
                        response=ResponseCreateParams(
                            pre_generated_assistant_message=AssistantMessageItem(
                                content=[OutputTextContentPart(text=GREETING)]
                            )
                        )
                    )
                else:
                    await connection.response.create(
                        additional_instructions="Greet the user warmly and offer help."
                    )
            elif event.type == ServerEventType.RESPONSE_AUDIO_DELTA:
                speaker.queue_audio(event.delta)
            elif event.type == ServerEventType.RESPONSE_AUDIO_TRANSCRIPT_DONE:
                transcript = event.transcript
            elif event.type == ServerEventType.RESPONSE_DONE:
                assert event.response.status == "completed"
                break
    return transcript, speaker


@pytest.mark.parametrize("pre_generated", [False, True], ids=["generated", "pre-generated"])
async def test_the_assistant_speaks_first(pre_generated: bool) -> None:
    responder = ScriptedResponder([Reply(text=GREETING)])
    async with asyncio.timeout(20), MockServer(responder=responder) as server:
        transcript, speaker = await greet(server.endpoint, pre_generated=pre_generated)
        (create,) = [e for e in server.connections[0].received if e.type == "response.create"]
    assert transcript == GREETING
    assert len(speaker.played) > 0
    if pre_generated:
        assert responder.contexts == []  # spoken as given, no model call
        assert create.response is not None
        assert create.response.pre_generated_assistant_message is not None
    else:
        assert "Greet the user warmly" in responder.contexts[0].instructions
        assert create.additional_instructions == "Greet the user warmly and offer help."
