"""Microphone and speaker: a live voice conversation (needs a sound device).

    pip install sounddevice
    python examples/microphone.py        # Ctrl+C to stop

The only example that needs audio hardware (and the optional ``sounddevice`` package). The
microphone is streamed in 20 ms frames; replies play as they arrive; when you talk over the
assistant, playback stops and the reply is truncated to what you heard. Headphones avoid the
assistant hearing itself; server echo cancellation is enabled for laptop speakers.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from voicelive.aio import connect

from _common import MODEL, voice_live

try:
    import sounddevice as sd
except ImportError:  # pragma: no cover - depends on the machine
    raise SystemExit("this example needs sounddevice: pip install sounddevice") from None

RATE = 24000  # PCM16 at 24 kHz mono, the session default both ways
FRAME = RATE * 20 // 1000  # samples in 20 ms
SESSION = {
    "modalities": ["text", "audio"],
    "instructions": "You are a friendly voice assistant. Keep answers short.",
    "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
    "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
    "input_audio_transcription": {"model": "whisper-1"},
    "input_audio_noise_reduction": {"type": "azure_deep_noise_suppression"},
    "input_audio_echo_cancellation": {"type": "server_echo_cancellation"},
}


class Speaker:
    """Plays PCM16 from a buffer in the sound device's thread; can be cut off at once."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self.item_id: str | None = None
        self.played = 0  # bytes of the current item that reached the speaker
        self.stream = sd.RawOutputStream(
            samplerate=RATE, channels=1, dtype="int16", blocksize=FRAME, callback=self._fill
        )

    def _fill(self, out: Any, frames: int, time: Any, status: Any) -> None:
        with self._lock:
            chunk = bytes(self._buffer[: len(out)])
            del self._buffer[: len(out)]
            self.played += len(chunk)
        out[: len(chunk)] = chunk
        out[len(chunk) :] = b"\x00" * (len(out) - len(chunk))

    def play(self, item_id: str, audio: bytes) -> None:
        with self._lock:
            if item_id != self.item_id:
                self.item_id, self.played = item_id, 0
            self._buffer += audio

    def interrupt(self) -> tuple[str | None, int] | None:
        """Stop playback; ``(item_id, ms heard)`` if something was still playing."""
        with self._lock:
            if not self._buffer:
                return None
            self._buffer.clear()
            return self.item_id, self.played * 1000 // (2 * RATE)


async def main() -> None:
    loop = asyncio.get_running_loop()
    mic: asyncio.Queue[bytes] = asyncio.Queue()

    def on_audio(data: Any, frames: int, time: Any, status: Any) -> None:
        loop.call_soon_threadsafe(mic.put_nowait, bytes(data))

    async with voice_live() as (endpoint, credential):
        async with connect(endpoint=endpoint, credential=credential, model=MODEL) as conn:
            await conn.session.update(session=SESSION, wait=True)
            speaker = Speaker()

            async def send_microphone() -> None:
                while True:
                    await conn.input_audio_buffer.append(audio=await mic.get())

            with (
                sd.RawInputStream(
                    samplerate=RATE, channels=1, dtype="int16", blocksize=FRAME, callback=on_audio
                ),
                speaker.stream,
            ):
                print("listening... talk to the assistant (Ctrl+C to stop)")
                sender = asyncio.create_task(send_microphone())
                try:
                    async for event in conn:
                        if event.type == "response.audio.delta":
                            speaker.play(event.item_id, event.delta)
                        elif event.type == "input_audio_buffer.speech_started":
                            cut = speaker.interrupt()
                            if cut is not None and cut[0] is not None:
                                await conn.conversation.item.truncate(
                                    item_id=cut[0], content_index=0, audio_end_ms=cut[1]
                                )
                        elif event.type == "conversation.item.input_audio_transcription.completed":
                            print(f"you: {event.transcript}")
                        elif event.type == "response.audio_transcript.done":
                            print(f"assistant: {event.transcript}")
                        elif event.type == "error":
                            print(f"error: {event.error.message}")
                finally:
                    sender.cancel()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        print("bye")
