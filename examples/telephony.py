"""Telephony: a phone-line bridge in G.711 μ-law at 8 kHz.

    python examples/telephony.py [reply.wav]   # default: a file in the temporary directory

Media-stream APIs (Twilio, Azure Communication Services, SIP gateways) deliver the caller's
audio as base64 μ-law packets of 20 ms (160 bytes). The session speaks μ-law both ways, so
the packets pass through untouched: ``append(audio=<base64 str>)`` takes them as they come,
and each ``response.audio.delta`` is μ-law bytes to base64-encode for the way back. Here a
recorded question stands in for the caller.
"""

from __future__ import annotations

import asyncio
import base64
import sys
from collections.abc import Iterator
from pathlib import Path

from voicelive.aio import connect
from voicelive.audio import (
    G711_ULAW,
    frames,
    load_wav_for_session,
    output_format_of,
    silence,
    write_wav,
)

from _common import MODEL, output_path, sample_question_wav, voice_live

SESSION = {
    "modalities": ["text", "audio"],
    "instructions": "You answer the phone for a bakery. Be brief.",
    "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
    "input_audio_format": "g711_ulaw",
    "input_audio_sampling_rate": 8000,  # G.711 is always 8 kHz (the default 24000 is PCM16's)
    "output_audio_format": "g711_ulaw",
    "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
    "input_audio_noise_reduction": {"type": "azure_deep_noise_suppression"},
    "input_audio_echo_cancellation": {"type": "server_echo_cancellation"},
}


def caller_packets() -> Iterator[str]:
    """What the media stream sends: base64 μ-law, 20 ms per packet (then the line is quiet)."""
    audio = load_wav_for_session(sample_question_wav(), G711_ULAW) + silence(G711_ULAW, 1000)
    for packet in frames(audio, G711_ULAW, 20):
        yield base64.b64encode(packet).decode("ascii")


async def main(reply_path: Path) -> None:
    to_caller: list[str] = []  # base64 μ-law packets we would send back on the line
    async with voice_live() as (endpoint, credential):
        async with connect(endpoint=endpoint, credential=credential, model=MODEL) as conn:
            session = await conn.session.update(session=SESSION, wait=True)
            if output_format_of(session) != G711_ULAW:
                raise SystemExit(
                    f"the service did not apply μ-law output: {session.output_audio_format}"
                )

            async def from_caller() -> None:
                for packet in caller_packets():
                    await conn.input_audio_buffer.append(audio=packet)  # base64 as received

            pump = asyncio.create_task(from_caller())
            async for event in conn:
                if event.type == "input_audio_buffer.speech_started":
                    to_caller.clear()  # caller talks over us: drop what is queued for them
                elif event.type == "response.audio.delta":
                    to_caller.append(base64.b64encode(event.delta).decode("ascii"))
                elif event.type == "response.audio_transcript.done":
                    print(f"agent: {event.transcript}")
                elif event.type == "error":
                    raise SystemExit(f"error: {event.error.message}")
                elif event.type == "response.done":
                    break
            pump.cancel()
    audio = b"".join(base64.b64decode(packet) for packet in to_caller)
    write_wav(reply_path, audio, G711_ULAW)  # a μ-law WAV (format tag 7) any phone tool opens
    print(f"{len(audio)} bytes of μ-law = {len(audio) / 8000:.2f} s for the caller -> {reply_path}")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else output_path("reply-ulaw.wav")))
