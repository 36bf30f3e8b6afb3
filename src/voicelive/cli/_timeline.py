"""The live terminal timeline (and its ``--json`` twin) shared by ``demo``, ``record``, ``replay``.

Text mode prints one line per milestone with a relative timestamp::

    [ 0.42s] vad        speech started (input audio at 400 ms)
    [ 3.31s] assistant  Sunny and 18 degrees in Seattle today.

Streaming text (the user's transcript, the assistant's text or audio transcript) grows in
place on one line; any other line closes it first. Audio chunks are not printed one by one:
the first one prints the time to first audio byte and ``response.audio.done`` the total.

JSON mode writes one JSON object per line instead (``kind`` = ``info`` / ``send`` / ``recv`` /
``summary``), with audio replaced by its byte count.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..audio import PCM16_24K, AudioFormat, AudioFormatError, input_format_of, output_format_of
from ..models import ServerEventBase

__all__ = ["Stats", "Timeline", "describe_session", "format_bytes", "format_ms"]

_LABEL_WIDTH = 10
_AUDIO_DELTAS = frozenset({"response.audio.delta", "response.output_audio.delta"})
_ASSISTANT_TEXT_DELTAS = frozenset(
    {
        "response.text.delta",
        "response.audio_transcript.delta",
        "response.output_text.delta",
        "response.output_audio_transcript.delta",
    }
)
_ASSISTANT_TEXT_DONE = frozenset(
    {
        "response.text.done",
        "response.audio_transcript.done",
        "response.output_text.done",
        "response.output_audio_transcript.done",
    }
)
_AUDIO_DONE = frozenset({"response.audio.done", "response.output_audio.done"})
# Shown only with --verbose: the bookkeeping events of every response.
_QUIET = frozenset(
    {
        "conversation.item.created",
        "conversation.item.added",
        "conversation.item.done",
        "response.output_item.added",
        "response.output_item.done",
        "response.content_part.added",
        "response.content_part.done",
        "response.function_call_arguments.delta",
        "rate_limits.updated",
        "output_audio_buffer.started",
        "output_audio_buffer.stopped",
        "response.audio_timestamp.delta",
        "response.audio_timestamp.done",
        "response.animation_viseme.delta",
        "response.animation_viseme.done",
        "response.animation_blendshapes.delta",
        "response.animation_blendshapes.done",
    }
)
_COLORS = {
    "time": "2",
    "vad": "33",
    "you": "36",
    "you said": "36",
    "assistant": "32",
    "audio": "35",
    "error": "31",
    "warning": "33",
    "tool call": "34",
}


def format_ms(ms: float) -> str:
    """``1234.5`` -> ``"1,235 ms"``."""
    return f"{ms:,.0f} ms"


def format_bytes(n: int) -> str:
    """``141600`` -> ``"141,600 bytes"``."""
    return f"{n:,} bytes"


def _get(obj: object, name: str) -> Any:
    # Models are mappings too, but their mapping view gives wire forms (base64 text for
    # ``delta``): read them by attribute, plain dicts (cassette frames) by key.
    if isinstance(obj, Mapping) and not hasattr(obj, "model_fields_set"):
        return obj.get(name)
    return getattr(obj, name, None)


def _plain(value: object) -> str:
    """Enum members and strings alike as their wire value."""
    return str(getattr(value, "value", value))


def describe_session(session: object) -> str:
    """A one-line summary of a session: voice, turn detection, transcription, audio formats."""
    parts: list[str] = []
    voice = _get(session, "voice")
    if voice is not None:
        name = voice if isinstance(voice, str) else _get(voice, "name") or _get(voice, "type")
        parts.append(f"voice {name}")
    turn = _get(session, "turn_detection")
    if turn is None:
        parts.append("manual turns")
    else:
        kind = _plain(_get(turn, "type"))
        silence = _get(turn, "silence_duration_ms")
        parts.append(f"{kind} ({silence} ms silence)" if silence is not None else kind)
    transcription = _get(session, "input_audio_transcription")
    if transcription is not None:
        parts.append(f"transcription {_get(transcription, 'model')}")
    try:
        fin, fout = input_format_of(session), output_format_of(session)
    except AudioFormatError:
        pass
    else:
        audio = f"{_fmt(fin)} in/out" if fin == fout else f"in {_fmt(fin)}, out {_fmt(fout)}"
        parts.append(f"audio {audio}")
    return ", ".join(parts)


def _fmt(fmt: AudioFormat) -> str:
    """``pcm16 24 kHz``."""
    return f"{fmt.encoding} {fmt.sample_rate / 1000:g} kHz"


@dataclass
class Stats:
    """What one exchange measured (times are seconds since the timeline started)."""

    received: Counter[str] = field(default_factory=Counter)
    """Server events received, by type."""
    sent: Counter[str] = field(default_factory=Counter)
    """Client events sent, by type."""
    audio_sent_bytes: int = 0
    """Input audio sent (wire bytes)."""
    audio_received_bytes: int = 0
    """Output audio received (wire bytes)."""
    audio_chunks: int = 0
    """``response.audio.delta`` events received."""
    input_format: AudioFormat = PCM16_24K
    """The session's input format (from ``session.created`` / ``session.updated``)."""
    output_format: AudioFormat = PCM16_24K
    """The session's output format."""
    turn_end: float | None = None
    """When the user's turn ended (speech stopped, or the turn was committed by us)."""
    first_audio: float | None = None
    """When the first output audio byte arrived."""
    first_text: float | None = None
    """When the first assistant text (or transcript) delta arrived."""
    response_done: float | None = None
    """When ``response.done`` arrived."""
    response_status: str | None = None
    """``response.done``'s status."""
    user_transcript: str = ""
    """The user's transcript (input audio transcription)."""
    assistant_text: str = ""
    """The assistant's text or audio transcript."""
    errors: list[str] = field(default_factory=list)
    """``error`` events received, as ``"code: message"``."""
    audio: list[bytes] = field(default_factory=list)
    """Output audio chunks, in order."""

    @property
    def turn_latency(self) -> float | None:
        """End of the user's turn -> first output audio byte, in seconds."""
        if self.turn_end is None or self.first_audio is None:
            return None
        return max(0.0, self.first_audio - self.turn_end)

    @property
    def audio_received_ms(self) -> float:
        """Output audio received, in milliseconds."""
        return self.audio_received_bytes / self.output_format.bytes_per_second * 1000

    @property
    def audio_sent_ms(self) -> float:
        """Input audio sent, in milliseconds."""
        return self.audio_sent_bytes / self.input_format.bytes_per_second * 1000


class Timeline:
    """Renders events as they happen; collects :class:`Stats`.

    Args:
        out: where to write (stdout).
        json_mode: one JSON object per line instead of the human timeline.
        verbose: also print the bookkeeping events (items, content parts, ...).
        color: ANSI colors (default: when ``out`` is a terminal and ``NO_COLOR`` is unset).
        clock: monotonic clock in seconds.
    """

    def __init__(
        self,
        out: TextIO,
        *,
        json_mode: bool = False,
        verbose: bool = False,
        color: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.out = out
        self.json_mode = json_mode
        self.verbose = verbose
        self.color = color and not json_mode
        self._clock = clock
        self._t0 = clock()
        self.stats = Stats()
        self._stream: str | None = None  # key of the line being grown in place
        self._deferred: list[tuple[str, str, float]] = []  # lines held while a line grows

    # ----------------------------------------------------------------- plumbing

    def elapsed(self) -> float:
        """Seconds since the timeline started."""
        return self._clock() - self._t0

    def _paint(self, code: str | None, text: str) -> str:
        if not self.color or code is None:
            return text
        return f"\x1b[{code}m{text}\x1b[0m"

    def _prefix(self, t: float, label: str) -> str:
        stamp = self._paint(_COLORS["time"], f"[{t:5.2f}s]")
        return f"{stamp} {self._paint(_COLORS.get(label), label.ljust(_LABEL_WIDTH))} "

    def _close_stream(self) -> None:
        if self._stream is not None:
            self.out.write("\n")
            self._stream = None
        deferred, self._deferred = self._deferred, []
        for label, text, t in deferred:
            self.out.write(f"{self._prefix(t, label)}{text}\n")

    def _soon(self, label: str, text: str, t: float) -> None:
        """A minor line: held back while a line grows (so it is not cut), else printed."""
        if self._stream is None:
            self.line(label, text, t=t)
        elif not self.json_mode:
            self._deferred.append((label, text, t))

    def line(self, label: str, text: str, *, t: float | None = None) -> None:
        """Print one timeline line (text mode only)."""
        if self.json_mode:
            return
        self._close_stream()
        t = self.elapsed() if t is None else t
        self.out.write(f"{self._prefix(t, label)}{text}\n")
        self.out.flush()

    def _grow(self, key: str, label: str, text: str, t: float) -> None:
        if self.json_mode or not text:
            return
        if self._stream != key:
            self._close_stream()
            self.out.write(self._prefix(t, label))
            self._stream = key
        self.out.write(text.replace("\n", " "))
        self.out.flush()

    def _record(self, record: dict[str, Any]) -> None:
        self.out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self.out.flush()

    def plain(self, text: str = "") -> None:
        """Print a plain line (text mode only), closing any growing line first."""
        if self.json_mode:
            return
        self._close_stream()
        self.out.write(text + "\n")
        self.out.flush()

    # ----------------------------------------------------------------- inputs

    def info(self, label: str, text: str, *, t: float | None = None, **data: Any) -> None:
        """A milestone of our own (connected, streaming, ...): a line, or an ``info`` record."""
        t = self.elapsed() if t is None else t
        if self.json_mode:
            self._record({"t": round(t, 4), "kind": "info", "label": label, "text": text, **data})
        else:
            self.line(label, text, t=t)

    def on_send(self, event_type: str, size: int, *, t: float | None = None) -> None:
        """Send observer (``conn.add_send_observer``): counts, and logs in JSON mode."""
        self.stats.sent[event_type] += 1
        if self.json_mode:
            t = self.elapsed() if t is None else t
            self._record({"t": round(t, 4), "kind": "send", "type": event_type, "bytes": size})

    def audio_sent(self, nbytes: int) -> None:
        """Count input audio bytes sent."""
        self.stats.audio_sent_bytes += nbytes

    def mark_turn_end(self, t: float | None = None) -> None:
        """The user's turn ended now (first call wins)."""
        if self.stats.turn_end is None:
            self.stats.turn_end = self.elapsed() if t is None else t

    def on_event(self, event: ServerEventBase, *, t: float | None = None) -> None:
        """Render and count one received server event."""
        t = self.elapsed() if t is None else t
        stats = self.stats
        kind = event.type
        stats.received[kind] += 1
        if kind in _AUDIO_DELTAS:
            self._on_audio(event, t)
        if self.json_mode:
            self._record(
                {"t": round(t, 4), "kind": "recv", "type": kind, "event": _event_json(event)}
            )
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, event, t)
        elif kind in _ASSISTANT_TEXT_DELTAS:
            delta = str(_get(event, "delta") or "")
            if stats.first_text is None:
                stats.first_text = t
            stats.assistant_text += delta
            self._grow(f"assistant:{_get(event, 'item_id')}", "assistant", delta, t)
        elif kind in _ASSISTANT_TEXT_DONE:
            if self._stream is not None and self._stream.startswith("assistant:"):
                self._close_stream()
            elif not stats.assistant_text:  # no deltas came: show the whole text
                text = _get(event, "text") or _get(event, "transcript") or ""
                stats.assistant_text = str(text)
                self.line("assistant", str(text), t=t)
        elif kind in _AUDIO_DONE:
            self.line(
                "audio",
                f"{format_ms(stats.audio_received_ms)} received "
                f"({format_bytes(stats.audio_received_bytes)} in {stats.audio_chunks} chunks)",
                t=t,
            )
        elif kind not in _AUDIO_DELTAS and (self.verbose or kind not in _QUIET):
            self.line("event", kind, t=t)

    def _on_audio(self, event: ServerEventBase, t: float) -> None:
        stats = self.stats
        delta = _get(event, "delta")
        chunk = delta if isinstance(delta, bytes) else b""
        stats.audio.append(chunk)
        stats.audio_received_bytes += len(chunk)
        stats.audio_chunks += 1
        if stats.first_audio is None:
            stats.first_audio = t
            latency = stats.turn_latency
            after = (
                f" ({latency * 1000:,.0f} ms after your turn ended)" if latency is not None else ""
            )
            self._soon("audio", f"first audio byte{after}", t)

    # ----------------------------------------------------------------- summary

    def summary(self, *, target: str, output: str | None, t: float | None = None) -> None:
        """The closing summary: latency, bytes, events by type (``t``: its time, JSON only)."""
        stats = self.stats
        latency = stats.turn_latency
        done = (
            stats.response_done - stats.turn_end
            if stats.response_done is not None and stats.turn_end is not None
            else None
        )
        if self.json_mode:
            self._record(
                {
                    "t": round(self.elapsed() if t is None else t, 4),
                    "kind": "summary",
                    "target": target,
                    "turn_latency_s": None if latency is None else round(latency, 4),
                    "response_time_s": None if done is None else round(done, 4),
                    "audio_sent_bytes": stats.audio_sent_bytes,
                    "audio_sent_ms": round(stats.audio_sent_ms, 1),
                    "audio_received_bytes": stats.audio_received_bytes,
                    "audio_received_ms": round(stats.audio_received_ms, 1),
                    "user_transcript": stats.user_transcript,
                    "assistant_text": stats.assistant_text,
                    "response_status": stats.response_status,
                    "output": output,
                    "events_received": dict(sorted(stats.received.items())),
                    "events_sent": dict(sorted(stats.sent.items())),
                }
            )
            return
        rows: list[tuple[str, str]] = [("target", target)]
        if latency is not None:
            rows.append(
                ("turn latency", f"{format_ms(latency * 1000)}  (end of your turn -> first audio)")
            )
        if done is not None:
            rows.append(("response time", f"{done:.2f} s  (end of your turn -> response.done)"))
        if stats.audio_sent_bytes:
            rows.append(
                (
                    "audio sent",
                    f"{format_ms(stats.audio_sent_ms)}  ({format_bytes(stats.audio_sent_bytes)}, "
                    f"{_fmt(stats.input_format)})",
                )
            )
        received = (
            f"{format_ms(stats.audio_received_ms)}  ({format_bytes(stats.audio_received_bytes)}, "
            f"{_fmt(stats.output_format)})"
        )
        rows.append(("audio received", received + (f" -> {output}" if output else "")))
        rows.append(("events sent", _counts_line(stats.sent)))
        rows.append(("events received", f"{sum(stats.received.values())} in total"))
        self.plain()
        self.plain(self._paint("1", "Summary"))
        for key, value in rows:
            self.plain(f"  {key:<16} {value}")
        for kind, count in sorted(stats.received.items(), key=lambda kv: (-kv[1], kv[0])):
            self.plain(f"  {'':<16} {count:>4}  {kind}")


def _counts_line(counts: Counter[str]) -> str:
    total = sum(counts.values())
    parts = ", ".join(f"{kind} x{n}" for kind, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"{total}  ({parts})" if parts else "0"


def _event_json(event: ServerEventBase) -> dict[str, Any]:
    if event.type in _AUDIO_DELTAS:
        data = event.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude={"delta"})
        delta = _get(event, "delta")
        data["delta_bytes"] = len(delta) if isinstance(delta, bytes) else 0
        return data
    return event.to_wire_dict()


# ---------------------------------------------------------------------- per-type rendering


def _session(tl: Timeline, event: ServerEventBase, t: float) -> None:
    session = _get(event, "session")
    try:
        tl.stats.input_format = input_format_of(session)
        tl.stats.output_format = output_format_of(session)
    except AudioFormatError:
        pass
    if event.type == "session.created":
        model = _get(session, "model")
        model_text = f" (model {model})" if model else ""
        tl.line("session", f"created {_get(session, 'id')}{model_text}", t=t)
    else:
        tl.line("session", f"updated: {describe_session(session)}", t=t)


def _speech_started(tl: Timeline, event: ServerEventBase, t: float) -> None:
    tl.line("vad", f"speech started (input audio at {_get(event, 'audio_start_ms')} ms)", t=t)


def _speech_stopped(tl: Timeline, event: ServerEventBase, t: float) -> None:
    tl.mark_turn_end(t)
    tl.line("vad", f"speech stopped (input audio at {_get(event, 'audio_end_ms')} ms)", t=t)


def _committed(tl: Timeline, event: ServerEventBase, t: float) -> None:
    tl.line("input", f"audio committed as item {_get(event, 'item_id')}", t=t)


def _transcript_delta(tl: Timeline, event: ServerEventBase, t: float) -> None:
    delta = str(_get(event, "delta") or "")
    tl.stats.user_transcript += delta
    tl._grow(f"you:{_get(event, 'item_id')}", "you said", delta, t)


def _transcript_done(tl: Timeline, event: ServerEventBase, t: float) -> None:
    transcript = str(_get(event, "transcript") or "")
    if tl._stream == f"you:{_get(event, 'item_id')}":
        tl._close_stream()
    elif tl.stats.user_transcript != transcript:  # deltas missing, or different
        tl.line("you said", transcript.strip(), t=t)
    tl.stats.user_transcript = transcript


def _transcript_failed(tl: Timeline, event: ServerEventBase, t: float) -> None:
    error = _get(event, "error")
    tl.line("you said", f"(transcription failed: {_get(error, 'message')})", t=t)


def _response_created(tl: Timeline, event: ServerEventBase, t: float) -> None:
    tl.line("response", f"created {_get(_get(event, 'response'), 'id')}", t=t)


def _response_done(tl: Timeline, event: ServerEventBase, t: float) -> None:
    response = _get(event, "response")
    status = _plain(_get(response, "status"))
    tl.stats.response_done = t
    tl.stats.response_status = status
    detail = ""
    usage = _get(response, "usage")
    if usage is not None and _get(usage, "total_tokens") is not None:
        detail = f" ({_get(usage, 'input_tokens')} tokens in, {_get(usage, 'output_tokens')} out)"
    status_details = _get(response, "status_details")
    error = _get(status_details, "error") if status_details is not None else None
    if error is not None:
        detail += f": {_get(error, 'message') or _get(error, 'code')}"
    tl.line("response", f"done: {status}{detail}", t=t)


def _function_call(tl: Timeline, event: ServerEventBase, t: float) -> None:
    tl.line("tool call", f"{_get(event, 'name')}({_get(event, 'arguments')})", t=t)


def _error(tl: Timeline, event: ServerEventBase, t: float) -> None:
    error = _get(event, "error")
    code = _get(error, "code") or _get(error, "type")
    text = f"{code}: {_get(error, 'message')}"
    tl.stats.errors.append(text)
    tl.line("error", text, t=t)


def _warning(tl: Timeline, event: ServerEventBase, t: float) -> None:
    warning = _get(event, "warning")
    tl.line("warning", str(_get(warning, "message") or warning), t=t)


def _truncated(tl: Timeline, event: ServerEventBase, t: float) -> None:
    tl.line(
        "truncated",
        f"item {_get(event, 'item_id')} at {_get(event, 'audio_end_ms')} ms",
        t=t,
    )


_HANDLERS: dict[str, Callable[[Timeline, ServerEventBase, float], None]] = {
    "session.created": _session,
    "session.updated": _session,
    "input_audio_buffer.speech_started": _speech_started,
    "input_audio_buffer.speech_stopped": _speech_stopped,
    "input_audio_buffer.committed": _committed,
    "conversation.item.input_audio_transcription.delta": _transcript_delta,
    "conversation.item.input_audio_transcription.completed": _transcript_done,
    "conversation.item.input_audio_transcription.failed": _transcript_failed,
    "conversation.item.truncated": _truncated,
    "response.created": _response_created,
    "response.done": _response_done,
    "response.function_call_arguments.done": _function_call,
    "error": _error,
    "warning": _warning,
}
