"""Three small "apps" and the shipped cassettes they were recorded with.

Each flow drives a real ``VoiceLiveConnection`` deterministically (what it sends depends only
on what it received) and returns a summary of what it saw. The cassettes that ship in
``voicelive.testing.cassettes`` (src/voicelive/testing/cassettes/) were recorded by running
these flows through a
:class:`~voicelive.testing.CassetteRecorder` in front of the emulator; the tests replay them
with ``match="strict"``.

Re-record with ``python tests/testing/cassette_flows.py`` (from the repository root).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from voicelive.aio import VoiceLiveConnection
from voicelive.audio import PCM16_8K, PCM16_24K, array_to_pcm16
from voicelive.testing import FunctionCall, MockServer, Reply, ScriptedResponder, cassettes

CASSETTES = cassettes.DIRECTORY


def speech(pattern: list[tuple[str, int]], rate: int = 24000) -> bytes:
    parts = []
    for kind, ms in pattern:
        n = ms * rate // 1000
        if kind == "tone":
            parts.append(np.round(0.3 * 32767 * np.sin(2 * np.pi * 220 * np.arange(n) / rate)))
        else:
            parts.append(np.zeros(n))
    return array_to_pcm16(np.concatenate(parts).astype(np.int16))


async def stream_audio(conn: VoiceLiveConnection, audio: bytes) -> None:
    step = PCM16_24K.ms_to_bytes(20)
    for start in range(0, len(audio), step):
        await conn.input_audio_buffer.append(audio=audio[start : start + step])


# -- 1. text turn ---------------------------------------------------------------------


async def text_turn(conn: VoiceLiveConnection) -> dict[str, Any]:
    await conn.session.update(session={"modalities": ["text"], "instructions": "Be brief."})
    await conn.conversation.item.create(
        item={
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "Hello!"}],
        }
    )
    await conn.response.create()
    text = ""
    async for event in conn:
        if event.type == "response.text.delta":
            text += event.delta
        elif event.type == "response.done":
            return {"text": text, "status": event.response.status}
    raise AssertionError("connection ended before response.done")


# -- 2. audio turn with server VAD and a barge-in interruption ----------------------------


async def audio_turn_with_interruption(conn: VoiceLiveConnection) -> dict[str, Any]:
    await conn.session.update(
        session={
            "input_audio_transcription": {"model": "azure-speech"},
            "turn_detection": {"type": "server_vad", "silence_duration_ms": 400},
            "output_audio_format": "pcm16_8000hz",
        }
    )
    await stream_audio(conn, speech([("silence", 300), ("tone", 800), ("silence", 500)]))
    summary: dict[str, Any] = {"transcripts": [], "statuses": [], "truncated_at": None}
    played = 0
    item_id = None
    # wait for the first answer to start playing, then barge in
    async for event in conn:
        if event.type == "conversation.item.input_audio_transcription.completed":
            summary["transcripts"].append(event.transcript)
        elif event.type == "response.output_item.added":
            item_id = event.item.id
        elif event.type == "response.audio.delta":
            played += len(event.delta)
            break
    await stream_audio(conn, speech([("tone", 600), ("silence", 500)]))
    async for event in conn:
        if event.type == "response.audio.delta" and event.item_id == item_id:
            played += len(event.delta)
        elif event.type == "input_audio_buffer.speech_started" and summary["truncated_at"] is None:
            audio_end_ms = int(PCM16_8K.bytes_to_ms(played))
            summary["truncated_at"] = audio_end_ms
            await conn.conversation.item.truncate(
                item_id=item_id or "", content_index=0, audio_end_ms=audio_end_ms
            )
        elif event.type == "conversation.item.input_audio_transcription.completed":
            summary["transcripts"].append(event.transcript)
        elif event.type == "response.done":
            summary["statuses"].append(event.response.status)
            if event.response.status == "completed":
                summary["answer"] = event.response.output[0].content[0].transcript
                return summary
    raise AssertionError("connection ended before the second response.done")


# -- 3. function call round trip -----------------------------------------------------------

WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


async def function_call_round_trip(conn: VoiceLiveConnection) -> dict[str, Any]:
    await conn.session.update(session={"modalities": ["text"], "tools": [WEATHER_TOOL]})
    await conn.conversation.item.create(
        item={
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "Weather in Paris?"}],
        }
    )
    await conn.response.create()
    summary: dict[str, Any] = {}
    async for event in conn:
        if event.type == "response.function_call_arguments.done":
            arguments = json.loads(event.arguments)
            summary["call"] = (event.name, arguments)
            await conn.conversation.item.create(
                item={
                    "type": "function_call_output",
                    "call_id": event.call_id,
                    "output": json.dumps({"city": arguments["city"], "sky": "sunny"}),
                }
            )
        elif event.type == "response.done" and "call" in summary and "answer" not in summary:
            if event.response.output and event.response.output[0].type == "function_call":
                await conn.response.create()
            else:
                summary["answer"] = event.response.output[0].content[0].text
                return summary
    raise AssertionError("connection ended before the answer")


@dataclass
class Flow:
    name: str
    run: Callable[[VoiceLiveConnection], Awaitable[dict[str, Any]]]
    server: Callable[[], MockServer]
    expected: dict[str, Any]
    audio_max_bytes: int | None = None
    shorten: Literal["input", "output", "both"] = "both"
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return CASSETTES / f"{self.name}.jsonl"


FLOWS = [
    Flow(
        "text_turn",
        text_turn,
        lambda: MockServer(),
        {"text": "You said: Hello!", "status": "completed"},
        metadata={"flow": "text turn"},
    ),
    Flow(
        "audio_vad_interruption",
        audio_turn_with_interruption,
        lambda: MockServer(
            responder=ScriptedResponder(
                ["Let me tell you a very long story " * 4, "Okay, I stopped."]
            ),
            pace=4.0,
        ),
        {
            "transcripts": ["(audio 1.5 s)", "(audio 1.1 s)"],
            "statuses": ["cancelled", "completed"],
            "answer": "Okay, I stopped.",
        },
        audio_max_bytes=64,
        shorten="input",
        metadata={"flow": "audio turn with server VAD, barge-in, truncate"},
    ),
    Flow(
        "function_call",
        function_call_round_trip,
        lambda: MockServer(
            responder=ScriptedResponder(
                [
                    Reply(function_call=FunctionCall("get_weather", {"city": "Paris"})),
                    Reply(text="It is sunny in Paris."),
                ]
            )
        ),
        {"call": ("get_weather", {"city": "Paris"}), "answer": "It is sunny in Paris."},
        metadata={"flow": "function call round trip"},
    ),
]


async def record_all() -> None:
    from azure.core.credentials import AzureKeyCredential

    from voicelive.testing import record

    for flow in FLOWS:
        async with (
            flow.server() as server,
            record(
                flow.path,
                endpoint=server.endpoint,
                credential=AzureKeyCredential("not-a-real-key"),
                model="gpt-realtime",
                audio_max_bytes=flow.audio_max_bytes,
                shorten=flow.shorten,
                metadata={**flow.metadata, "source": "voicelive emulator"},
            ) as conn,
        ):
            result = await flow.run(conn)
        print(flow.path, result, file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(record_all())
