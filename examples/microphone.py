"""Microphone and speaker: a live voice conversation (needs a sound device).

    pip install sounddevice
    python examples/microphone.py        # Ctrl+C to stop

The only example that needs audio hardware (and the optional ``sounddevice`` package). The
microphone is streamed in 20 ms frames; replies play as they arrive; when you talk over the
assistant, playback stops and ``PlaybackTracker.interrupt()`` truncates the reply to what you
heard. Headphones avoid the assistant hearing itself; server echo cancellation is enabled for
laptop speakers.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from voicelive.aio import connect
from voicelive.conversation import PlaybackTracker

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
    """Plays PCM16 from a queue in the sound device's thread and reports what it played."""

    def __init__(self, tracker: PlaybackTracker, loop: asyncio.AbstractEventLoop) -> None:
        self._queue: list[tuple[str, bytearray]] = []
        self._lock = threading.Lock()
        self._tracker, self._loop = tracker, loop
        self.stream = sd.RawOutputStream(
            samplerate=RATE, channels=1, dtype="int16", blocksize=FRAME, callback=self._fill
        )

    def _fill(self, out: Any, frames: int, time: Any, status: Any) -> None:
        written = 0
        with self._lock:
            while self._queue and written < len(out):
                item_id, audio = self._queue[0]
                part = audio[: len(out) - written]
                del audio[: len(part)]
                out[written : written + len(part)] = part
                written += len(part)
                # tracker methods run on the event loop, not in the device thread
                self._loop.call_soon_threadsafe(self._tracker.played, item_id, len(part))
                if not audio:
                    self._queue.pop(0)
        out[written:] = b"\x00" * (len(out) - written)

    @property
    def playing(self) -> bool:
        with self._lock:
            return bool(self._queue)

    def play(self, item_id: str, audio: bytes) -> None:
        with self._lock:
            self._queue.append((item_id, bytearray(audio)))

    def stop(self) -> None:
        with self._lock:
            self._queue.clear()


async def main() -> None:
    loop = asyncio.get_running_loop()
    mic: asyncio.Queue[bytes] = asyncio.Queue()

    def on_audio(data: Any, frames: int, time: Any, status: Any) -> None:
        loop.call_soon_threadsafe(mic.put_nowait, bytes(data))

    async with voice_live() as (endpoint, credential):
        async with connect(endpoint=endpoint, credential=credential, model=MODEL) as conn:
            await conn.session.update(session=SESSION, wait=True)
            tracker = PlaybackTracker(conn)
            speaker = Speaker(tracker, loop)

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
                        if event.type == "response.audio.delta" and tracker.should_play(event):
                            speaker.play(event.item_id, event.delta)
                        elif event.type == "input_audio_buffer.speech_started" and speaker.playing:
                            speaker.stop()
                            await tracker.interrupt()  # truncate to what was heard
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
