"""Cassettes: recorded Voice Live WebSocket sessions in a JSON Lines file.

Format (version 1), one JSON object per line, UTF-8::

    {"voicelive_cassette": 1, "recorded_at": "2026-11-24T03:40:00Z",
     "request": {"path": "/voice-live/realtime", "query": {"api-version": "2026-07-15",
                 "model": "gpt-realtime"}},
     "audio_max_bytes": null, "audio_shortened": null, "metadata": {}}
    {"t": 0.0012, "from": "server", "text": "{\\"type\\":\\"session.created\\",...}"}
    {"t": 0.0150, "from": "client", "text": "{\\"type\\":\\"session.update\\",...}"}
    {"t": 0.0200, "from": "server", "binary": "<base64 of a binary frame>"}
    {"t": 1.2000, "from": "client", "close": 1000, "reason": ""}

* The first line is the header: ``voicelive_cassette`` is the format version; ``request`` the
  handshake path and query (credentials and the SDK user agent removed; headers are never
  recorded); ``audio_max_bytes`` is set when audio payloads were shortened and
  ``audio_shortened`` says which (``"input"``, ``"output"`` or ``"both"``); ``metadata`` is
  free-form.
* Every other line is one frame: ``t`` is the time offset in seconds from the opening of the
  connection, ``from`` is ``"client"`` (sent by the app) or ``"server"``, and exactly one of
  ``text`` (a text frame, verbatim), ``binary`` (a binary frame, base64) or ``close`` (the
  close code that side sent, with ``reason``).

Scrubbing (applied when recording and to the app's frames before matching): values of
``authorization``, ``api-key``, ``api_key``, ``credential``, ``password``, ``access_token``,
``client_secret`` keys and of tool ``headers`` become ``"***"``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "CASSETTE_VERSION",
    "SECRET_KEYS",
    "Cassette",
    "CassetteError",
    "CassetteFrame",
    "CassetteMismatchError",
    "MatchMode",
    "Matcher",
    "compare_frames",
    "scrub_event",
    "scrub_query",
    "shorten_audio",
]

CASSETTE_VERSION = 1
"""The cassette format version this library writes and reads."""

SECRET_KEYS = frozenset(
    {
        "authorization",
        "api-key",
        "api_key",
        "credential",
        "password",
        "access_token",
        "client_secret",
    }
)
"""JSON keys whose values are replaced by ``"***"`` in recorded frames."""

_SECRET_QUERY = frozenset({"api-key", "authorization", "x-ms-client-sdk"})
_AUDIO_EVENTS = frozenset(
    {"input_audio_buffer.append", "input_audio.turn.append", "response.audio.delta"}
)
_MASK = "***"

Matcher = Callable[[Any, Any], bool]
"""A custom client-frame comparison: ``(expected, got) -> bool`` on the parsed JSON."""

MatchMode = Literal["type", "strict"] | Matcher
"""How replay compares the app's frames with the recorded ones."""


class CassetteError(ValueError):
    """A cassette file is not in the cassette format (the message names the line)."""


class CassetteMismatchError(AssertionError):
    """The app sent something else than the recording had at that point.

    Attributes:
        index: position of the expected frame among the cassette's frames (0-based).
        expected: the recorded frame (parsed JSON, or a description such as ``"<close 1000>"``).
        got: what the app sent (parsed JSON, raw text, or a description).
        reason: why they differ.
    """

    def __init__(self, message: str, *, index: int, expected: Any, got: Any, reason: str) -> None:
        super().__init__(message)
        self.index = index
        self.expected = expected
        self.got = got
        self.reason = reason


@dataclass(frozen=True)
class CassetteFrame:
    """One recorded frame (or close) of a cassette."""

    source: Literal["client", "server"]
    """Who sent it: ``"client"`` (the app) or ``"server"``."""
    t: float
    """Seconds since the connection opened."""
    text: str | None = None
    """A text frame, verbatim."""
    data: bytes | None = None
    """A binary frame."""
    close_code: int | None = None
    """For a close: the code that side sent."""
    close_reason: str = ""
    """For a close: its reason."""

    @property
    def kind(self) -> Literal["text", "binary", "close"]:
        """``"text"``, ``"binary"`` or ``"close"``."""
        if self.close_code is not None:
            return "close"
        return "text" if self.text is not None else "binary"

    @property
    def event_type(self) -> str | None:
        """The ``type`` of a JSON text frame (``None`` otherwise)."""
        value = self.json()
        event_type = value.get("type") if isinstance(value, dict) else None
        return event_type if isinstance(event_type, str) else None

    def json(self) -> Any:
        """The parsed JSON of a text frame (``None`` if it is not JSON or not text)."""
        payload = self.text if self.text is not None else self.data
        if payload is None:
            return None
        try:
            return json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            return None

    def to_line(self) -> str:
        """The JSON line of this frame."""
        record: dict[str, Any] = {"t": round(self.t, 4), "from": self.source}
        if self.close_code is not None:
            record["close"] = self.close_code
            record["reason"] = self.close_reason
        elif self.text is not None:
            record["text"] = self.text
        else:
            record["binary"] = base64.b64encode(self.data or b"").decode("ascii")
        return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))

    def describe(self) -> str:
        """Short description for messages."""
        if self.kind == "close":
            return f"<close {self.close_code}>"
        if self.kind == "binary":
            return f"<binary frame, {len(self.data or b'')} bytes>"
        return _short(self.text or "")


@dataclass
class Cassette:
    """A recorded session: a header and the frames in the order they crossed the wire."""

    frames: list[CassetteFrame] = field(default_factory=list)
    """Every frame and close, in order."""
    request: dict[str, Any] = field(default_factory=dict)
    """``{"path": ..., "query": {...}}`` of the handshake (no credentials)."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Free-form metadata."""
    audio_max_bytes: int | None = None
    """Audio payloads were cut to this many bytes when recording (``None``: full audio)."""
    audio_shortened: Literal["input", "output", "both"] | None = None
    """Which audio was cut: the app's (``"input"``), the server's (``"output"``) or both."""
    recorded_at: str = ""
    """ISO 8601 UTC time of the recording."""
    version: int = CASSETTE_VERSION
    """The format version."""
    name: str = field(default="<cassette>", compare=False)
    """Where it was loaded from (for messages; not stored in the file)."""

    @property
    def input_audio_shortened(self) -> bool:
        """True when the app's audio payloads were cut (strict replay then ignores lengths)."""
        return self.audio_max_bytes is not None and self.audio_shortened in ("input", "both")

    @property
    def client_frames(self) -> list[CassetteFrame]:
        """Frames the app sent."""
        return [frame for frame in self.frames if frame.source == "client"]

    @property
    def server_frames(self) -> list[CassetteFrame]:
        """Frames the server sent."""
        return [frame for frame in self.frames if frame.source == "server"]

    def event_types(self, source: Literal["client", "server"] | None = None) -> list[str]:
        """The ``type`` of every JSON frame (of one side if ``source`` is given)."""
        return [
            frame.event_type or "?"
            for frame in self.frames
            if frame.kind != "close" and (source is None or frame.source == source)
        ]

    def header(self) -> dict[str, Any]:
        """The header line as a dict."""
        return {
            "voicelive_cassette": self.version,
            "recorded_at": self.recorded_at,
            "request": self.request,
            "audio_max_bytes": self.audio_max_bytes,
            "audio_shortened": self.audio_shortened,
            "metadata": self.metadata,
        }

    def dumps(self) -> str:
        """The cassette as JSON Lines text."""
        lines = [json.dumps(self.header(), ensure_ascii=False)]
        lines.extend(frame.to_line() for frame in self.frames)
        return "\n".join(lines) + "\n"

    def dump(self, path: str | Path) -> None:
        """Write the cassette to ``path`` (parent directories are created)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.dumps(), encoding="utf-8")

    @classmethod
    def loads(cls, text: str, *, name: str = "<cassette>") -> Cassette:
        """Parse JSON Lines text.

        Raises:
            CassetteError: not a cassette, an unsupported version, or a bad line.
        """
        lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line]
        if not lines:
            raise CassetteError(f"{name}: empty file, expected a cassette header line")
        header = _parse_line(name, *lines[0])
        version = header.get("voicelive_cassette")
        if version != CASSETTE_VERSION:
            raise CassetteError(
                f"{name}:{lines[0][0]}: not a voicelive cassette of version {CASSETTE_VERSION} "
                f"(header 'voicelive_cassette' is {version!r})"
            )
        frames = [_parse_frame(name, number, line) for number, line in lines[1:]]
        return cls(
            frames=frames,
            request=dict(header.get("request") or {}),
            metadata=dict(header.get("metadata") or {}),
            audio_max_bytes=header.get("audio_max_bytes"),
            audio_shortened=header.get("audio_shortened")
            or ("both" if header.get("audio_max_bytes") is not None else None),
            recorded_at=str(header.get("recorded_at") or ""),
            version=version,
            name=name,
        )

    @classmethod
    def load(cls, path: str | Path) -> Cassette:
        """Read a cassette file."""
        source = Path(path)
        try:
            text = source.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise FileNotFoundError(_not_found(source)) from None
        return cls.loads(text, name=str(source))

    def __iter__(self) -> Iterator[CassetteFrame]:
        return iter(self.frames)

    def __len__(self) -> int:
        return len(self.frames)


def _not_found(source: Path) -> str:
    """One line: the path, where it was looked for, and the cassettes that ship with voicelive."""
    where = (
        f"looked at {source}"
        if source.is_absolute()
        else f"looked at {Path.cwd() / source} (relative to the working directory)"
    )
    return (
        f"cassette not found: {source} ({where}); the example cassettes that ship with "
        "voicelive are voicelive.testing.cassettes.text_turn, .function_call and "
        ".audio_vad_interruption"
    )


def _parse_line(name: str, number: int, line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except ValueError as exc:
        raise CassetteError(f"{name}:{number}: invalid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise CassetteError(f"{name}:{number}: expected a JSON object")
    return value


def _parse_frame(name: str, number: int, line: str) -> CassetteFrame:
    record = _parse_line(name, number, line)
    source = record.get("from")
    if source not in ("client", "server"):
        raise CassetteError(f"{name}:{number}: 'from' must be 'client' or 'server'")
    t = record.get("t", 0.0)
    if not isinstance(t, (int, float)) or isinstance(t, bool) or not math.isfinite(t):
        raise CassetteError(f"{name}:{number}: 't' must be a number of seconds")
    if "close" in record:
        code = record["close"]
        if not isinstance(code, int):
            raise CassetteError(f"{name}:{number}: 'close' must be an integer close code")
        return CassetteFrame(
            source, float(t), close_code=code, close_reason=str(record.get("reason", ""))
        )
    if isinstance(record.get("text"), str):
        return CassetteFrame(source, float(t), text=record["text"])
    if isinstance(record.get("binary"), str):
        try:
            data = base64.b64decode(record["binary"], validate=True)
        except (binascii.Error, ValueError):
            raise CassetteError(f"{name}:{number}: 'binary' is not base64") from None
        return CassetteFrame(source, float(t), data=data)
    raise CassetteError(f"{name}:{number}: a frame needs 'text', 'binary' or 'close'")


def now_iso() -> str:
    """The current UTC time, ISO 8601 with a ``Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------- scrubbing


def scrub_query(query: Mapping[str, str]) -> dict[str, str]:
    """The handshake query without credentials and the SDK user agent."""
    return {key: value for key, value in query.items() if key.lower() not in _SECRET_QUERY}


def _scrub(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict):
        changed = False
        out: dict[str, Any] = {}
        for key, item in value.items():
            lowered = key.lower() if isinstance(key, str) else key
            if lowered in SECRET_KEYS and item not in (None, "", _MASK):
                out[key], changed = _MASK, True
            elif lowered == "headers" and isinstance(item, dict) and item:
                out[key] = {name: _MASK for name in item}
                changed = changed or any(v != _MASK for v in item.values())
            else:
                out[key], sub = _scrub(item)
                changed = changed or sub
        return out, changed
    if isinstance(value, list):
        changed = False
        items = []
        for item in value:
            new, sub = _scrub(item)
            items.append(new)
            changed = changed or sub
        return items, changed
    return value, False


def scrub_event(value: Any) -> tuple[Any, bool]:
    """``value`` (parsed JSON) with secrets masked, and whether anything was masked."""
    if isinstance(value, dict) and value.get("type") in _AUDIO_EVENTS:
        return value, False
    return _scrub(value)


def shorten_audio(value: Any, max_bytes: int) -> tuple[Any, bool]:
    """Cut the base64 audio of an audio event to at most ``max_bytes`` (whole 4-byte units).

    Handles ``input_audio_buffer.append`` / ``input_audio.turn.append`` (``audio``) and
    ``response.audio.delta`` (``delta``). Returns the event and whether it changed.
    """
    if not isinstance(value, dict):
        return value, False
    key = {"response.audio.delta": "delta"}.get(str(value.get("type")), "audio")
    if value.get("type") not in _AUDIO_EVENTS or not isinstance(value.get(key), str):
        return value, False
    try:
        audio = base64.b64decode(value[key])
    except (binascii.Error, ValueError):
        return value, False
    keep = max_bytes - max_bytes % 4
    if len(audio) <= keep:
        return value, False
    out = dict(value)
    out[key] = base64.b64encode(audio[:keep]).decode("ascii")
    return out, True


# ---------------------------------------------------------------------------- matching

_AUDIO_PATHS = {
    "input_audio_buffer.append": ("audio",),
    "input_audio.turn.append": ("audio",),
}


def _audio_len(text: Any) -> int | None:
    if not isinstance(text, str):
        return None
    try:
        return len(base64.b64decode(text))
    except (binascii.Error, ValueError):
        return None


def _normalize(value: Any, *, compare_audio_length: bool) -> Any:
    """Strip what strict matching ignores: ``event_id`` and audio payload bytes."""
    if not isinstance(value, dict):
        return value
    out = {key: item for key, item in value.items() if key != "event_id"}
    for key in _AUDIO_PATHS.get(str(value.get("type")), ()):
        if key in out:
            out[key] = (
                f"<audio {_audio_len(out[key])} bytes>" if compare_audio_length else "<audio>"
            )
    item = out.get("item")
    if isinstance(item, dict) and isinstance(item.get("content"), list):
        parts = []
        for part in item["content"]:
            if isinstance(part, dict) and "audio" in part:
                part = dict(part)
                part["audio"] = (
                    f"<audio {_audio_len(part['audio'])} bytes>"
                    if compare_audio_length
                    else "<audio>"
                )
            parts.append(part)
        out["item"] = {**item, "content": parts}
    return out


def _first_difference(expected: Any, got: Any, path: str = "") -> str | None:
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in list(expected) + [k for k in got if k not in expected]:
            where = f"{path}.{key}" if path else str(key)
            if key not in got:
                return f"'{where}' is missing"
            if key not in expected:
                return f"'{where}' is not in the recording"
            diff = _first_difference(expected[key], got[key], where)
            if diff:
                return diff
        return None
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return f"'{path}' has {len(got)} elements, the recording has {len(expected)}"
        for index, (a, b) in enumerate(zip(expected, got, strict=True)):
            diff = _first_difference(a, b, f"{path}[{index}]")
            if diff:
                return diff
        return None
    if expected != got:
        where = path or "<frame>"
        return (
            f"'{where}' is {_short(json.dumps(got))}, "
            f"the recording has {_short(json.dumps(expected))}"
        )
    return None


def compare_frames(
    expected: CassetteFrame,
    got: str | bytes,
    match: MatchMode,
    *,
    compare_audio_length: bool = True,
) -> str | None:
    """Compare an app frame with the recorded one; ``None`` if they match, else the reason."""
    if expected.kind == "close":
        return "the recording has the client closing the connection here"
    if isinstance(got, bytes) != (expected.kind == "binary"):
        kinds = ("binary", "text") if isinstance(got, bytes) else ("text", "binary")
        return f"got a {kinds[0]} frame, the recording has a {kinds[1]} frame"
    expected_json = expected.json()
    try:
        got_json = json.loads(got)
    except (ValueError, UnicodeDecodeError):
        got_json = None
    if expected_json is None or got_json is None:
        same = (expected.text if expected.text is not None else expected.data) == got
        return None if same else "the frames differ (not both JSON)"
    got_json, _ = scrub_event(got_json)
    if callable(match):
        return None if match(expected_json, got_json) else "the custom matcher said no"
    expected_type = expected_json.get("type") if isinstance(expected_json, dict) else None
    got_type = got_json.get("type") if isinstance(got_json, dict) else None
    if expected_type != got_type:
        return f"type is {got_type!r}, the recording has {expected_type!r}"
    if match == "type":
        return None
    if match != "strict":
        raise ValueError(f"match must be 'type', 'strict' or a callable, got {match!r}")
    return _first_difference(
        _normalize(expected_json, compare_audio_length=compare_audio_length),
        _normalize(got_json, compare_audio_length=compare_audio_length),
    )


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"
