"""The bridge core (sans-I/O): phone frames in -> client events out, server events in ->
phone frames out, and the playback bookkeeping that makes truncation exact.

No sockets, no tasks, no clock of its own: the caller feeds it and passes ``now``. The
asyncio driver (:class:`~voicelive.telephony.CallBridge`) does the I/O.

Playback accounting. The audio of each delta is sent as 20 ms phone frames and queued as one
:class:`SentFrame` run ``(item_id, content_index, nbytes)`` with the number of the mark that
follows it:

* Twilio echoes a mark once the audio before it has played. The bridge sends one after the
  first frame of each item's audio (so the first acknowledgement comes early), then one after a
  delta whenever ``mark_ms`` (default 100 ms) of audio went out since the last mark, and one
  at the end of each response's audio. An echo reports the runs up to that mark to the
  :class:`~voicelive.conversation.PlaybackTracker` as played. On barge-in, the audio after
  the last echoed mark is estimated like ACS: the playback time elapsed since that echo,
  capped by the audio sent before the next mark (which has not played, or Twilio would have
  echoed it). After a ``clear``, Twilio echoes the marks still pending too; those are
  ignored (the queue was emptied), so audio that was dropped is never counted as heard.
* ACS sends no acknowledgement: a run is taken as heard once the playback clock passes it.
  The clock starts when the first frame of a run is sent and plays in real time; audio sent
  faster than real time queues behind it. Heard audio is therefore
  ``min(wall-clock playback, audio sent)``.
"""

from __future__ import annotations

from binascii import b2a_base64 as _b64  # = base64.b64encode, one call less
from collections import deque
from dataclasses import dataclass

from ..audio import AudioFormat
from ..conversation import PlaybackTracker
from ..models import ServerEvent, ServerEventResponseAudioDelta
from ._providers import PhoneProvider

__all__ = ["BridgeCore", "SentFrame"]

_EPSILON = 1e-6
"""Bytes: the playback clock's float error must not lose a whole sample."""


@dataclass(slots=True)
class SentFrame:
    """Outbound audio still in the phone's playback queue: one or more frames sent together."""

    item_id: str
    content_index: int
    nbytes: int
    mark: int
    """The number of the mark sent after this audio (Twilio)."""
    start: float = 0.0
    """When it starts playing if played back to back from its send time, seconds on the
    driver's clock (the ACS estimate)."""


class BridgeCore:
    """Sans-I/O state of one call.

    Args:
        provider: the phone side (its ``mark_ms`` sets the mark spacing).
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
        self._rate = fmt.bytes_per_second  # a property: read once, not per frame
        self.mark_bytes = fmt.ms_to_bytes(provider.mark_ms) if provider.acks else 0
        self.queue: deque[SentFrame] = deque()
        self.muted: set[str] = set()
        self.frames_out = 0
        self.marks_out = 0
        self.frames_dropped = 0
        self.played_bytes = 0
        """Assistant audio the caller heard (acknowledged or estimated), in bytes."""
        self._next_mark = 0
        self._unmarked = 0
        self._acked_at: float | None = None
        self._item_start = False
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
                self._item_start = True
            pending = self._pending
            if not pending and not len(event.delta) % self.frame_bytes:
                chunk = event.delta  # whole frames: no copy through the pending buffer
            else:
                pending += event.delta
                usable = len(pending) - len(pending) % self.frame_bytes
                chunk = bytes(pending[:usable])
                del pending[:usable]
            if chunk:
                self._send(key, chunk, now, out)
                if self.mark_bytes and self._unmarked >= self.mark_bytes:
                    out.append(self._mark())
            return out
        if event.type in ("response.audio.done", "response.done"):
            return self._flush(now)
        return []

    def _flush(self, now: float) -> list[str]:
        out: list[str] = []
        if self._pending and self._pending_key is not None:
            block = self.fmt.block_align
            usable = len(self._pending) - len(self._pending) % block
            chunk = bytes(self._pending[:usable])
            if chunk:
                self._send(self._pending_key, chunk, now, out)
        self._pending.clear()
        if self._unmarked:
            out.append(self._mark())
        return out

    def _send(self, key: tuple[str, int], audio: bytes, now: float, out: list[str]) -> None:
        """Add to ``out`` the frames of ``audio`` (whole frames but maybe the last), queued
        as one run."""
        provider = self.provider
        size = self.frame_bytes
        if 0 < self.mark_bytes <= size:  # a mark after every frame
            for offset in range(0, len(audio), size):
                frame = audio[offset : offset + size]
                self._queue(key, len(frame), now)
                out.append(provider.audio(_b64(frame, newline=False).decode("ascii")))
                out.append(self._mark())
            return
        if self._item_start and self.mark_bytes:
            # an item's first audio: a mark after its first frame, so that the first echo
            # comes early and the playback estimate has an anchor
            self._item_start = False
            if not self.queue:  # nothing playing: no estimate until this audio is echoed
                self._acked_at = None
            first = audio[:size]
            self._queue(key, len(first), now)
            out.append(provider.audio(_b64(first, newline=False).decode("ascii")))
            out.append(self._mark())
            audio = audio[size:]
            if not audio:
                return
        self._queue(key, len(audio), now)
        if len(audio) <= size:  # one frame (a 20 ms delta): no slicing, no comprehension
            out.append(provider.audio(_b64(audio, newline=False).decode("ascii")))
            return
        out += [
            provider.audio(_b64(audio[offset : offset + size], newline=False).decode("ascii"))
            for offset in range(0, len(audio), size)
        ]

    def _queue(self, key: tuple[str, int], nbytes: int, now: float) -> None:
        start = max(now, self._playout_end)
        self._playout_end = start + nbytes / self._rate
        self.queue.append(SentFrame(key[0], key[1], nbytes, self._next_mark + 1, start))
        self.frames_out += -(-nbytes // self.frame_bytes)
        if self.mark_bytes:
            self._unmarked += nbytes

    def _mark(self) -> str:
        self._next_mark += 1
        self._unmarked = 0
        self.marks_out += 1
        mark = self.provider.mark(str(self._next_mark))
        assert mark is not None, "only providers with marks set mark_ms"
        return mark

    # ------------------------------------------------------------------ playback

    def mark_played(self, name: str, now: float | None = None) -> None:
        """Twilio echoed mark ``name`` (at ``now``): the audio up to it has played."""
        try:
            number = int(name)
        except ValueError:
            return
        popped = False
        while self.queue and self.queue[0].mark <= number:
            frame = self.queue.popleft()
            self.played_bytes += frame.nbytes
            self.tracker.played(frame.item_id, frame.nbytes, content_index=frame.content_index)
            popped = True
        if popped:
            self._acked_at = now

    def clock_played(self, now: float) -> None:
        """ACS: report the audio the playback clock has passed (a partial run pro rata)."""
        rate = self.fmt.bytes_per_second
        block = self.fmt.block_align
        while self.queue:
            frame = self.queue[0]
            elapsed = now - frame.start
            if elapsed <= 0:
                return
            whole = int(elapsed * rate + _EPSILON) // block * block
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

    def _since_last_mark(self, now: float) -> None:
        """Twilio: report the audio played since the last echoed mark (see the module doc)."""
        if self._acked_at is None or not self.queue:
            return  # no echo yet in this run: nothing is known to be playing
        rate = self.fmt.bytes_per_second
        block = self.fmt.block_align
        first = self.queue[0].mark
        played_to = self._acked_at
        for frame in self.queue:
            if frame.mark != first:
                return  # behind a mark that was not echoed: not played
            begin = max(frame.start, played_to)
            whole = min(frame.nbytes, int((now - begin) * rate + _EPSILON) // block * block)
            if whole <= 0:
                return
            self.played_bytes += whole
            self.tracker.played(frame.item_id, whole, content_index=frame.content_index)
            if whole < frame.nbytes:
                return
            played_to = begin + frame.nbytes / rate

    @property
    def playing(self) -> bool:
        """Audio was sent that the caller has not finished hearing."""
        return bool(self.queue) or bool(self._pending)

    def barge_in(self, now: float) -> list[str]:
        """The caller started talking: settle what was heard, return the frames to send.

        Returns ``[clear]`` when audio is queued at the phone, else ``[]``. The response in
        progress is muted: its remaining audio deltas are dropped.
        """
        if self.provider.acks:
            if self.mark_bytes > self.frame_bytes:  # every frame marked: echoes only
                self._since_last_mark(now)
        else:
            self.clock_played(now)
        active = self.tracker.response_in_progress
        if active is not None:
            self.muted.add(active)
        out = [self.provider.clear()] if self.queue else []
        self.queue.clear()  # marks echoed after the clear were not heard
        self._pending.clear()
        self._pending_key = None
        self._unmarked = 0
        self._acked_at = None
        self._playout_end = now
        return out
