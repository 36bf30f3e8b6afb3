"""Manual turns (push to talk): no server VAD, the app decides when the user's turn ends.

    python examples/push_to_talk.py

``turn_detection: None`` (sent as JSON ``null``) turns server VAD off. While the button is
held, audio is appended; on release, ``input_audio_buffer.commit`` makes it a conversation
item and ``response.create`` asks for the answer. ``input_audio_buffer.clear`` drops a turn
the user abandoned.
"""

from __future__ import annotations

import asyncio

from voicelive.aio import connect
from voicelive.audio import frames, input_format_of, load_wav_for_session

from _common import MODEL, sample_question_wav, voice_live


async def main() -> None:
    async with voice_live() as (endpoint, credential):
        async with connect(endpoint=endpoint, credential=credential, model=MODEL) as conn:
            updated = await conn.session.update(
                session={
                    "modalities": ["text", "audio"],
                    "turn_detection": None,  # manual turns
                    "input_audio_transcription": {"model": "whisper-1"},
                },
                wait=True,  # returns the effective session from session.updated
            )
            assert updated.turn_detection is None
            fmt = input_format_of(updated)
            recording = load_wav_for_session(sample_question_wav(), fmt)

            # A turn the user abandoned: some audio, then "cancel".
            await conn.input_audio_buffer.append(audio=recording[: fmt.ms_to_bytes(500)])
            await conn.input_audio_buffer.clear()
            print("button released without sending: buffer cleared")

            # The real turn: "button pressed" ... audio while held ... "released".
            print("button pressed")
            for frame in frames(recording, fmt, 100):
                await conn.input_audio_buffer.append(audio=frame)
            committed = await conn.input_audio_buffer.commit(wait=True)
            print(f"button released: turn committed as {committed.item_id}")
            await conn.response.create()

            async for event in conn:
                if event.type == "conversation.item.input_audio_transcription.completed":
                    print(f"you: {event.transcript}")
                elif event.type == "response.audio_transcript.done":
                    print(f"assistant: {event.transcript}")
                elif event.type == "error":
                    raise SystemExit(f"error: {event.error.message}")
                elif event.type == "response.done":
                    break


if __name__ == "__main__":
    asyncio.run(main())
