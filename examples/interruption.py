"""Interruption (barge-in) with truncation: the user talks over the assistant.

    python examples/interruption.py

When server VAD hears the user (``input_audio_buffer.speech_started``) while the reply is
playing, we stop playback and tell the service how much of the reply was actually heard with
``conversation.item.truncate``: the conversation history then holds what the user heard, not
the whole text the model generated. (With server VAD the service also cancels a response that
is still being generated.)
"""

from __future__ import annotations

import asyncio
import time

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.audio import input_format_of, load_wav_for_session, output_format_of, silence

from _common import MODEL, sample_question_wav, voice_live

SESSION = {
    "modalities": ["text", "audio"],
    "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
    "turn_detection": {
        "type": "server_vad",
        "silence_duration_ms": 500,
        "interrupt_response": True,
    },
}


class Speaker:
    """Stands in for an audio output device: plays what it is given in real time."""

    def __init__(self, bytes_per_second: int) -> None:
        self.bytes_per_second = bytes_per_second
        self.started: float | None = None
        self.queued = 0

    def play(self, chunk: bytes) -> None:
        if self.started is None:
            self.started = time.monotonic()
        self.queued += len(chunk)

    def played_ms(self) -> float:
        """How much has come out of the speaker: elapsed time, at most what was queued."""
        if self.started is None:
            return 0.0
        queued_ms = self.queued / self.bytes_per_second * 1000
        return min((time.monotonic() - self.started) * 1000, queued_ms)

    def stop(self) -> float:
        """Stop and drop the queued audio; returns the milliseconds that were heard."""
        heard = self.played_ms()
        self.started, self.queued = None, 0
        return heard


async def talk_over(conn: VoiceLiveConnection, after_s: float) -> None:
    """The user starts speaking ``after_s`` seconds into the reply."""
    await asyncio.sleep(after_s)
    fmt = input_format_of(conn.protocol.session)
    await conn.input_audio_buffer.append(
        audio=load_wav_for_session(sample_question_wav(), fmt) + silence(fmt, 1000)
    )


async def main() -> None:
    async with voice_live() as (endpoint, credential):
        async with connect(endpoint=endpoint, credential=credential, model=MODEL) as conn:
            await conn.session.update(session=SESSION)
            updated = await conn.wait_for("session.updated")
            speaker = Speaker(output_format_of(updated.session).bytes_per_second)
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "Tell me a long story about the sea."}
                    ],
                }
            )
            await conn.response.create()
            playing_item: str | None = None
            interrupter: asyncio.Task[None] | None = None
            responses = 0
            async for event in conn:
                if event.type == "response.audio.delta":
                    speaker.play(event.delta)
                    playing_item = event.item_id
                    if interrupter is None:
                        interrupter = asyncio.create_task(talk_over(conn, after_s=1.0))
                elif event.type == "input_audio_buffer.speech_started" and playing_item:
                    heard_ms = int(speaker.stop())
                    print(f"user barged in after {heard_ms} ms of the reply: stop and truncate")
                    await conn.conversation.item.truncate(
                        item_id=playing_item, content_index=0, audio_end_ms=heard_ms
                    )
                    playing_item = None
                elif event.type == "conversation.item.truncated":
                    print(f"item {event.item_id} truncated at {event.audio_end_ms} ms")
                elif event.type == "response.done":
                    responses += 1
                    print(f"response {responses}: {event.response.status}")
                    if responses == 2:  # the answer to the interruption
                        break
                elif event.type == "error":
                    print(f"server error: {event.error.code}: {event.error.message}")


if __name__ == "__main__":
    asyncio.run(main())
