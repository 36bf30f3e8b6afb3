"""Playback tracking and truncation on interruption (barge-in).

The server generates audio faster than real time; the app plays it later. When the user
interrupts, the server must be told how much of the assistant's audio was actually *heard*
(``conversation.item.truncate``), otherwise the model believes it said things the user never
heard. Frameworks keep getting this wrong: ``audio_end_ms`` past the audio the server sent is
rejected (and some sessions go silent afterwards), truncating before anything was played is
rejected, multi-item responses truncate the wrong item, 8 kHz / G.711 audio is counted as
24 kHz PCM16.

:class:`PlaybackTracker` does the bookkeeping:

* it observes the events (``response.audio.delta`` bytes received per item and content
  index, the response in progress, the session's output format *at the time each item
  started*);
* the app reports what it actually played: ``tracker.played(item_id, nbytes)`` (or ``ms=``);
* on interruption ``await tracker.interrupt()`` sends ``response.cancel`` (only if a response
  is in progress), optionally ``output_audio_buffer.clear``, and the truncation of the item
  being heard: ``audio_end_ms`` = heard audio clamped to what was received, rounded *down* to
  a whole millisecond of whole samples. Nothing is truncated when nothing was played yet, when
  the item was heard completely, when it was already truncated, or when the session's turn
  detection has ``auto_truncate`` (the server then truncates by itself).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any

from .._logging import get_logger
from ..audio import PCM16_24K, AudioFormat, AudioFormatError
from ..models import (
    ClientEventConversationItemTruncate,
    ClientEventOutputAudioBufferClear,
    ClientEventResponseCancel,
    ServerEvent,
    ServerEventConversationItemTruncated,
)
from ._acks import send_and_wait
from ._conn import ConnectionLike, observe_connection

__all__ = ["Interruption", "PlaybackTracker", "Truncation"]

_log = get_logger("conversation.playback")


@dataclass(frozen=True)
class Truncation:
    """The ``conversation.item.truncate`` computed for an interruption.

    Attributes:
        item_id: the assistant item being heard.
        content_index: its audio content part.
        audio_end_ms: the value sent: heard audio, clamped to what was received, floored.
        played_ms: what the app reported as played.
        received_ms: the audio received for the item so far.
    """

    item_id: str
    content_index: int
    audio_end_ms: int
    played_ms: float
    received_ms: float


@dataclass(frozen=True)
class Interruption:
    """What :meth:`PlaybackTracker.interrupt` did.

    Attributes:
        response_id: the response in progress when interrupted (``None``: none was).
        cancelled: ``response.cancel`` was sent.
        cleared: ``output_audio_buffer.clear`` was sent.
        truncation: the truncation sent, or ``None`` (see ``skipped``).
        unplayed_item_ids: items after the one being heard whose audio was received but not
            played at all; the app should drop their buffered audio.
        skipped: why no truncation was sent (``"nothing played"``, ``"fully played"``,
            ``"auto_truncate"``, ``"already truncated"``, ``"disabled"``), else ``None``.
    """

    response_id: str | None
    cancelled: bool
    cleared: bool
    truncation: Truncation | None
    unplayed_item_ids: tuple[str, ...]
    skipped: str | None = None


class _Audio:
    """Audio of one (item, content index)."""

    __slots__ = (
        "content_index",
        "discarded",
        "done",
        "fmt",
        "item_id",
        "played",
        "received",
        "response_id",
        "truncated_ms",
    )

    def __init__(
        self, item_id: str, content_index: int, response_id: str | None, fmt: AudioFormat
    ) -> None:
        self.item_id = item_id
        self.content_index = content_index
        self.response_id = response_id
        self.fmt = fmt
        self.received = 0
        self.played = 0
        self.done = False
        self.discarded = False
        self.truncated_ms: int | None = None


class PlaybackTracker:
    """Tracks received vs played assistant audio and truncates correctly on interruption.

    Args:
        conn: the connection to observe and to send on (optional; see :meth:`attach`).
        output_format: force the output format instead of reading it from the session.
        max_items: how many items to remember (oldest forgotten first).
    """

    def __init__(
        self,
        conn: ConnectionLike | None = None,
        *,
        output_format: AudioFormat | None = None,
        max_items: int = 256,
    ) -> None:
        self._conn: ConnectionLike | None = None
        self._fixed_format = output_format
        self._max_items = max_items
        self._audio: OrderedDict[tuple[str, int], _Audio] = OrderedDict()
        self._active_response: str | None = None
        self._interrupted: deque[str] = deque(maxlen=64)
        if conn is not None:
            self.attach(conn)

    def __repr__(self) -> str:
        return f"<PlaybackTracker items={len(self._audio)} active={self._active_response!r}>"

    def attach(self, conn: ConnectionLike) -> PlaybackTracker:
        """Observe every event ``conn`` reads and send on it; returns self.

        On a :class:`~voicelive.conversation.ResilientConnection` the tracker is also reset
        after each reconnect (the old audio no longer exists on the server).
        """
        self._conn = conn
        observe_connection(conn, self.observe, self.reset)
        return self

    # ------------------------------------------------------------------ observing

    @property
    def response_in_progress(self) -> str | None:
        """The id of the response in progress (between ``response.created`` and ``.done``)."""
        return self._active_response

    def _format(self) -> AudioFormat:
        if self._fixed_format is not None:
            return self._fixed_format
        session = self._conn.protocol.session if self._conn is not None else None
        value = getattr(session, "output_audio_format", None)
        try:
            return AudioFormat.from_output_session(value)
        except AudioFormatError:
            _log.warning("unknown output_audio_format %r; counting audio as PCM16 24 kHz", value)
            return PCM16_24K

    def observe(self, event: ServerEvent) -> None:
        """Update the bookkeeping with one server event (others are ignored)."""
        if event.type == "response.audio.delta":
            key = (event.item_id, event.content_index)
            audio = self._audio.get(key)
            if audio is None:
                audio = _Audio(
                    event.item_id, event.content_index, event.response_id, self._format()
                )
                self._audio[key] = audio
                if len(self._audio) > self._max_items:
                    self._audio.popitem(last=False)
            audio.received += len(event.delta)
        elif event.type == "response.audio.done":
            done = self._audio.get((event.item_id, event.content_index))
            if done is not None:
                done.done = True
        elif event.type == "response.created":
            self._active_response = event.response.id if event.response is not None else None
        elif event.type == "response.done":
            done_id = event.response.id if event.response is not None else None
            if self._active_response is None or self._active_response == done_id:
                self._active_response = None
            for audio in self._audio.values():
                if audio.response_id == done_id:
                    audio.done = True
        elif event.type == "conversation.item.truncated":
            truncated = self._audio.get((event.item_id, event.content_index))
            if truncated is not None:
                truncated.truncated_ms = event.audio_end_ms

    # ------------------------------------------------------------------ playback reports

    def played(
        self,
        item_id: str,
        nbytes: int | None = None,
        *,
        ms: float | None = None,
        content_index: int = 0,
    ) -> None:
        """Report that ``nbytes`` more bytes (or ``ms`` more milliseconds) of an item's audio
        were played (handed to the sound device, the phone line, ...).

        Bytes are wire bytes of the session's output format (what ``response.audio.delta``
        carried); milliseconds are converted with the format the item was received in.
        """
        if (nbytes is None) == (ms is None):
            raise ValueError("give exactly one of nbytes or ms")
        audio = self._audio.get((item_id, content_index))
        if audio is None:
            audio = _Audio(item_id, content_index, None, self._format())
            self._audio[(item_id, content_index)] = audio
        if nbytes is None:
            assert ms is not None
            nbytes = audio.fmt.ms_to_bytes(ms)
        if nbytes < 0:
            raise ValueError(f"played bytes must not be negative, got {nbytes}")
        audio.played += nbytes

    def received_ms(self, item_id: str, content_index: int = 0) -> float:
        """Milliseconds of audio received for an item."""
        audio = self._audio.get((item_id, content_index))
        return 0.0 if audio is None else audio.fmt.bytes_to_ms(audio.received)

    def played_ms(self, item_id: str, content_index: int = 0) -> float:
        """Milliseconds of an item's audio reported as played."""
        audio = self._audio.get((item_id, content_index))
        return 0.0 if audio is None else audio.fmt.bytes_to_ms(audio.played)

    def should_play(self, event: Any) -> bool:
        """False for audio of a response interrupted by :meth:`interrupt` (drop it)."""
        response_id = getattr(event, "response_id", None)
        return response_id is None or response_id not in self._interrupted

    def reset(self) -> None:
        """Forget everything (e.g. after a reconnect)."""
        self._audio.clear()
        self._active_response = None

    # ------------------------------------------------------------------ truncation

    def _plan(self) -> tuple[_Audio | None, str | None, list[_Audio]]:
        """(item to truncate, reason for not truncating, unplayed items after it)."""
        interrupted = set(self._interrupted)
        entries = [
            audio
            for audio in self._audio.values()
            if not audio.discarded and audio.response_id not in interrupted
        ]
        target_index = None
        for index in range(len(entries) - 1, -1, -1):
            if entries[index].played > 0:
                target_index = index
                break
        later = entries if target_index is None else entries[target_index + 1 :]
        unplayed = [audio for audio in later if audio.played == 0 and audio.received > 0]
        if target_index is None:
            return None, "nothing played", unplayed
        target = entries[target_index]
        if target.truncated_ms is not None:
            return None, "already truncated", unplayed
        if target.done and target.played >= target.received:
            return None, "fully played", unplayed
        heard_ms = int(target.fmt.bytes_to_ms(min(target.played, target.received)))
        if heard_ms <= 0:
            return None, "nothing played", [target, *unplayed]
        return target, None, unplayed

    def truncation(self) -> Truncation | None:
        """The truncation an interruption right now would send (``None``: none needed)."""
        target, _, _ = self._plan()
        if target is None:
            return None
        return Truncation(
            item_id=target.item_id,
            content_index=target.content_index,
            audio_end_ms=int(target.fmt.bytes_to_ms(min(target.played, target.received))),
            played_ms=target.fmt.bytes_to_ms(target.played),
            received_ms=target.fmt.bytes_to_ms(target.received),
        )

    def _turn_detection(self) -> Any:
        session = self._conn.protocol.session if self._conn is not None else None
        return getattr(session, "turn_detection", None)

    def _auto_truncate(self) -> bool:
        return bool(getattr(self._turn_detection(), "auto_truncate", False))

    def _server_interrupts(self) -> bool:
        detection = self._turn_detection()
        if detection is None:
            return False
        return getattr(detection, "interrupt_response", None) is not False

    async def interrupt(
        self,
        conn: ConnectionLike | None = None,
        *,
        cancel: bool | None = None,
        clear_output: bool = False,
        truncate: bool = True,
        wait: bool = False,
        timeout: float | None = 10.0,
    ) -> Interruption:
        """Handle an interruption: cancel, clear and truncate in one call.

        Args:
            conn: where to send (default: the attached connection).
            cancel: send ``response.cancel`` if a response is in progress. ``None`` (default):
                only when the session's turn detection does not cancel it by itself (server
                VAD with ``interrupt_response`` not ``false`` already cancels the response
                when speech starts; sending another cancel would only earn a
                ``response_cancel_not_active`` error). Pass ``True`` when the interruption
                does not come from server VAD (a push-to-talk button, a client-side VAD).
            clear_output: send ``output_audio_buffer.clear`` (server-side queued audio;
                the service documents it for WebRTC/avatar output).
            truncate: send the ``conversation.item.truncate`` computed by :meth:`truncation`.
            wait: wait for ``conversation.item.truncated`` (raises
                :class:`~voicelive.exceptions.ServerError` if the server rejects it).
            timeout: for ``wait``.

        Returns:
            What was sent, and the items whose audio the app should drop.
        """
        target_conn = conn or self._conn
        if target_conn is None:
            raise RuntimeError("PlaybackTracker.interrupt needs a connection (attach one)")
        response_id = self._active_response
        target, skipped, unplayed = self._plan()
        truncation = self.truncation() if target is not None else None
        cancelled = cleared = False
        if cancel is None:
            cancel = not self._server_interrupts()
        if cancel and response_id is not None:
            await target_conn.send(ClientEventResponseCancel())
            cancelled = True
            self._interrupted.append(response_id)
        if clear_output:
            await target_conn.send(ClientEventOutputAudioBufferClear())
            cleared = True
        if not truncate:
            skipped, truncation = "disabled", None
        elif truncation is not None and self._auto_truncate():
            skipped, truncation = "auto_truncate", None
        if truncation is not None:
            event = ClientEventConversationItemTruncate(
                item_id=truncation.item_id,
                content_index=truncation.content_index,
                audio_end_ms=truncation.audio_end_ms,
            )
            if wait:
                await send_and_wait(
                    target_conn,
                    event,
                    ServerEventConversationItemTruncated,
                    predicate=lambda e: e.item_id == event.item_id,
                    timeout=timeout,
                )
            else:
                await target_conn.send(event)
        for audio in self._audio.values():  # handled: later interruptions start afresh
            audio.discarded = True
        return Interruption(
            response_id=response_id,
            cancelled=cancelled,
            cleared=cleared,
            truncation=truncation,
            unplayed_item_ids=tuple(dict.fromkeys(audio.item_id for audio in unplayed)),
            skipped=skipped,
        )
