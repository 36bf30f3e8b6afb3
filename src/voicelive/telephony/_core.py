"""The bridge core (sans-I/O): phone frames in -> client events out, server events in ->
phone frames out, and the playback bookkeeping that makes truncation exact.

No sockets, no tasks, no clock of its own: the caller feeds it and passes ``now``. The
asyncio driver (:class:`~voicelive.telephony.CallBridge`) does the I/O.

Playback accounting. Every outbound audio frame is queued in a FIFO of
``(item_id, content_index, nbytes)`` with its mark number:

* Twilio echoes each mark after the audio before it has played: the frames up to that mark
  are reported to the :class:`~voicelive.conversation.PlaybackTracker` as played. After a
  ``clear``, Twilio echoes the marks still pending too; those are ignored (the FIFO was
  emptied), so audio that was dropped is never counted as heard.
* ACS sends no acknowledgement: a frame is taken as heard once the playback clock passes it.
  The clock starts when the first frame of a run is sent and plays in real time; audio sent
  faster than real time queues behind it. Heard audio is therefore
  ``min(wall-clock playback, audio sent)``.
"""

from __future__ import annotations

import base64
from collections import deque
from dataclasses import dataclass

from ..audio import AudioFormat
from ..conversation import PlaybackTracker
from ..models import ServerEvent, ServerEventResponseAudioDelta
from ._providers import PhoneProvider

__all__ = ["BridgeCore", "SentFrame"]


@dataclass(slots=True)
class SentFrame:
    """One outbound audio frame still in the phone's playback queue."""

    item_id: str
    content_index: int
    nbytes: int
    mark: int
    start: float = 0.0
    """When it starts playing (ACS estimate), seconds on the driver's clock."""


class BridgeCore:
    """Sans-I/O state of one call.

    Args:
        provider: the phone side.
        fmt: the phone's audio format (= the session's input and output format).
        tracker: receives played-audio reports (it observes the connection itself).
        frame_ms: outbound frame size (20 ms for both providers).
    """

    def __init__(
        self,
        provider: PhoneProvider,
        fmt: AudioFormat,
        tracker: PlaybackTracker,
        *,
        frame_ms: int = 20,
    ) -> None:
        self.provider = provider
        self.fmt = fmt
        self.tracker = tracker
        self.frame_bytes = fmt.ms_to_bytes(frame_ms)
        self.queue: deque[SentFrame] = deque()
        self.muted: set[str] = set()
        self.frames_out = 0
        self.frames_dropped = 0
        self.played_bytes = 0
        """Assistant audio the caller heard (acknowledged or estimated), in bytes."""
        self._next_mark = 0
        self._pending = bytearray()
        self._pending_key: tuple[str, int] | None = None
        self._playout_end = 0.0

    # ------------------------------------------------------------------ server -> phone

    def server_event(self, event: ServerEvent, now: float) -> list[str]:
        """Phone frames to send for one server event (audio, in frame-size pieces)."""
        if isinstance(event, ServerEventResponseAudioDelta):
            if event.response_id in self.muted:
                self.frames_dropped += 1
                return []
            key = (event.item_id, event.content_index)
            out: list[str] = []
            if self._pending_key != key:
                out = self._flush(now)
                self._pending_key = key
            self._pending += event.delta
            size = self.frame_bytes
            usable = len(self._pending) - len(self._pending) % size
            if usable:
                chunk = bytes(self._pending[:usable])
                del self._pending[:usable]
                for offset in range(0, usable, size):
                    out += self._frame(key, chunk[offset : offset + size], now)
            return out
        if event.type in ("response.audio.done", "response.done"):
            return self._flush(now)
        return []

    def _flush(self, now: float) -> list[str]:
        if not self._pending or self._pending_key is None:
            self._pending.clear()
            return []
        block = self.fmt.block_align
        usable = len(self._pending) - len(self._pending) % block
        chunk = bytes(self._pending[:usable])
        self._pending.clear()
        return self._frame(self._pending_key, chunk, now) if chunk else []

    def _frame(self, key: tuple[str, int], audio: bytes, now: float) -> list[str]:
        self._next_mark += 1
        start = max(now, self._playout_end)
        self._playout_end = start + len(audio) / self.fmt.bytes_per_second
        self.queue.append(SentFrame(key[0], key[1], len(audio), self._next_mark, start))
        self.frames_out += 1
        payload = base64.b64encode(audio).decode("ascii")
        frames = [self.provider.audio(payload)]
        mark = self.provider.mark(str(self._next_mark))
        if mark is not None:
            frames.append(mark)
        return frames

    # ------------------------------------------------------------------ playback

    def mark_played(self, name: str) -> None:
        """Twilio echoed mark ``name``: the frames up to it have played."""
        try:
            number = int(name)
        except ValueError:
            return
        while self.queue and self.queue[0].mark <= number:
            frame = self.queue.popleft()
            self.played_bytes += frame.nbytes
            self.tracker.played(frame.item_id, frame.nbytes, content_index=frame.content_index)

    def clock_played(self, now: float) -> None:
        """ACS: report the frames the playback clock has passed (a partial one pro rata)."""
        rate = self.fmt.bytes_per_second
        block = self.fmt.block_align
        while self.queue:
            frame = self.queue[0]
            elapsed = now - frame.start
            if elapsed <= 0:
                return
            whole = int(elapsed * rate) // block * block
            if whole >= frame.nbytes:
                self.queue.popleft()
                self.played_bytes += frame.nbytes
                self.tracker.played(frame.item_id, frame.nbytes, content_index=frame.content_index)
                continue
            if whole > 0:
                self.played_bytes += whole
                self.tracker.played(frame.item_id, whole, content_index=frame.content_index)
                frame.nbytes -= whole
                frame.start += whole / rate
            return

    @property
    def playing(self) -> bool:
        """Audio was sent that the caller has not finished hearing."""
        return bool(self.queue) or bool(self._pending)

    def barge_in(self, now: float) -> list[str]:
        """The caller started talking: settle what was heard, return the frames to send.

        Returns ``[clear]`` when audio is queued at the phone, else ``[]``. The response in
        progress is muted: its remaining audio deltas are dropped.
        """
        if not self.provider.acks:
            self.clock_played(now)
        active = self.tracker.response_in_progress
        if active is not None:
            self.muted.add(active)
        out = [self.provider.clear()] if self.queue else []
        self.queue.clear()  # marks echoed after the clear were not heard
        self._pending.clear()
        self._pending_key = None
        self._playout_end = now
        return out
