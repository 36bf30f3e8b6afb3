"""A voice turn from a WAV file: stream it in, print the transcripts, save the spoken reply.

    python examples/wav_conversation.py [question.wav] [reply.wav]

Any PCM, float or G.711 WAV works: it is resampled and encoded for the session. Without an
argument, the short question that ships with voicelive is used; without a second one, the
reply goes to ``voicelive-examples/reply.wav`` in the temporary directory (the path is printed).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from voicelive.aio import connect
from voicelive.audio import (
    input_format_of,
    load_wav_for_session,
    output_format_of,
    paced_frames,
    silence,
    write_wav,
)

from _common import MODEL, output_path, sample_question_wav, voice_live

SESSION = {
    "modalities": ["text", "audio"],
    "instructions": "You are a helpful voice assistant. Keep answers short.",
    "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
    "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
    "input_audio_transcription": {"model": "whisper-1"},
}


async def main(question: bytes | Path, reply_path: Path) -> None:
    async with voice_live() as (endpoint, credential):
        async with connect(endpoint=endpoint, credential=credential, model=MODEL) as conn:
            await conn.session.update(session=SESSION)
            updated = await conn.wait_for("session.updated")
            # Formats come from the confirmed session, never from what we asked for.
            fmt_in, fmt_out = input_format_of(updated.session), output_format_of(updated.session)
            # The recording, then a second of silence so server VAD sees the end of the turn.
            audio = load_wav_for_session(question, fmt_in) + silence(fmt_in, 1000)

            async def send_audio() -> None:
                # A file may go faster than real time; pass realtime=True for a live source.
                async for frame in paced_frames(audio, fmt_in, 20, realtime=False):
                    await conn.input_audio_buffer.append(audio=frame)

            sender = asyncio.create_task(send_audio())
            reply = bytearray()
            async for event in conn:
                match event.type:
                    case "input_audio_buffer.speech_started":
                        print(f"[speech started at {event.audio_start_ms} ms]")
                    case "input_audio_buffer.speech_stopped":
                        print(f"[speech stopped at {event.audio_end_ms} ms]")
                    case "conversation.item.input_audio_transcription.completed":
                        print(f"you: {event.transcript}")
                    case "response.audio_transcript.delta":
                        print(event.delta, end="", flush=True)
                    case "response.audio.delta":
                        reply += event.delta
                    case "error":
                        raise SystemExit(f"error: {event.error.message}")
                    case "response.done":
                        print()
                        break
            sender.cancel()
            write_wav(reply_path, bytes(reply), fmt_out)
            seconds = len(reply) / fmt_out.bytes_per_second
            print(f"saved {seconds:.2f} s of audio to {reply_path}")


if __name__ == "__main__":
    source: bytes | Path = Path(sys.argv[1]) if len(sys.argv) > 1 else sample_question_wav()
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else output_path("reply.wav")
    asyncio.run(main(source, target))
