"""Interruption (barge-in) with truncation: the user talks over the assistant.

    python examples/interruption.py

The service generates audio faster than it is played. When server VAD hears the user
(``input_audio_buffer.speech_started``) while a reply is playing, the app stops playback and
must tell the service how much of the reply was actually heard
(``conversation.item.truncate``), or the model believes it said things the user never heard.
``voicelive.conversation.PlaybackTracker`` does the bookkeeping: it counts the audio received
per item, the app reports what it played, and ``await tracker.interrupt()`` sends the
truncation (clamped to the audio received, in the session's output format) and, when server
VAD does not already do it, ``response.cancel``.
"""

from __future__ import annotations

import asyncio
from collections import deque

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.audio import AudioFormat, load_wav_for_session, silence
from voicelive.conversation import PlaybackTracker

from _common import MODEL, sample_question_wav, voice_live

SESSION = {
    "modalities": ["text", "audio"],
    "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
    "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
}


class Speaker:
    """Stands in for a sound device: plays queued audio in real time, 20 ms at a time,
    and reports every chunk played to the tracker."""

    def __init__(self, tracker: PlaybackTracker, fmt: AudioFormat) -> None:
        self.tracker = tracker
        self.chunk = fmt.ms_to_bytes(20)
        self.queue: deque[tuple[str, bytes]] = deque()
        self.task = asyncio.create_task(self._play())

    @property
    def playing(self) -> bool:
        return bool(self.queue)

    def play(self, item_id: str, audio: bytes) -> None:
        self.queue.append((item_id, audio))

    def stop(self) -> None:
        self.queue.clear()

    async def _play(self) -> None:
        while True:
            if not self.queue:
                await asyncio.sleep(0.005)
                continue
            item_id, audio = self.queue.popleft()
            part, rest = audio[: self.chunk], audio[self.chunk :]
            if rest:
                self.queue.appendleft((item_id, rest))
            await asyncio.sleep(len(part) / self.chunk * 0.020)  # the device playing it
            self.tracker.played(item_id, len(part))


async def talk_over(conn: VoiceLiveConnection, after_s: float) -> None:
    """The user starts speaking ``after_s`` seconds into the reply."""
    await asyncio.sleep(after_s)
    fmt = conn.input_audio_format  # from the confirmed session
    audio = load_wav_for_session(sample_question_wav(), fmt) + silence(fmt, 1000)
    await conn.input_audio_buffer.append(audio=audio)


async def main() -> None:
    async with voice_live() as (endpoint, credential):
        async with connect(endpoint=endpoint, credential=credential, model=MODEL) as conn:
            await conn.session.update(session=SESSION, wait=True)
            tracker = PlaybackTracker(conn)  # observes the events conn reads
            speaker = Speaker(tracker, conn.output_audio_format)
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "Tell me a story about the sea."}],
                }
            )
            await conn.response.create()
            interrupter: asyncio.Task[None] | None = None
            responses = 0
            async for event in conn:
                if event.type == "response.audio.delta" and tracker.should_play(event):
                    speaker.play(event.item_id, event.delta)
                    if interrupter is None:
                        interrupter = asyncio.create_task(talk_over(conn, after_s=1.0))
                elif event.type == "input_audio_buffer.speech_started" and speaker.playing:
                    speaker.stop()
                    result = await tracker.interrupt()  # truncate (and cancel if needed)
                    if result.truncation is not None:
                        cut = result.truncation
                        print(
                            f"user barged in: {cut.item_id} heard for {cut.audio_end_ms} ms "
                            f"of {cut.received_ms:.0f} ms received"
                        )
                elif event.type == "conversation.item.truncated":
                    print(f"item {event.item_id} truncated at {event.audio_end_ms} ms")
                elif event.type == "response.done":
                    responses += 1
                    print(f"response {responses}: {event.response.status}")
                    if responses == 2:  # the answer to the interruption
                        break
                elif event.type == "error":
                    print(f"server error: {event.error.code}: {event.error.message}")
            speaker.task.cancel()


if __name__ == "__main__":
    asyncio.run(main())
