"""One script format for the emulator, in Python and on the command line.

A script is data (JSON, or YAML when PyYAML is installed -- the ``yaml`` extra) that says
what the emulated model does, turn by turn (one *turn* = one response the responder is
asked for)::

    {
      "session": {"instructions": "You are a weather bot."},
      "turns": [
        "Hello! Ask me about the weather.",
        {"function_call": {"name": "get_weather", "arguments": {"city": "Paris"}}},
        {"text": "It is sunny in Paris."},
        {"mcp_call": {"server_label": "docs", "name": "search", "arguments": {"q": "vad"},
                      "output": "VAD is voice activity detection."},
         "text": "VAD means voice activity detection."},
        {"failure": {"status": "failed", "code": "rate_limit_exceeded",
                     "message": "Too many requests."}}
      ],
      "faults": [{"action": "close", "code": 1011, "after": "response.audio.delta", "count": 3}]
    }

A turn is a string (a text reply) or an object with the fields of
:class:`~voicelive.testing.Reply`: ``text``, ``function_call`` (one object or a list),
``mcp_call``, ``agent_call``, ``search``, ``interim``, ``failure``, ``warning``,
``rate_limits``. The call objects take the fields of :class:`~voicelive.testing.FunctionCall`,
:class:`~voicelive.testing.McpCall`, :class:`~voicelive.testing.AgentCall` and
:class:`~voicelive.testing.SearchCall`; ``failure`` those of
:class:`~voicelive.testing.Failure`. ``session`` overrides keys of the initial session.
``faults`` are :class:`~voicelive.testing.Fault` objects written as data: ``action`` (a
:class:`~voicelive.testing.Fault` class method: ``close``, ``drop``, ``stall``, ...), its
arguments (``code``, ``reason``, ``ms``, ``frame``, ...) and at most one trigger
(``"after"``, ``"before"`` or ``"after_client"``: an event type, with ``"count"``).
``transcripts`` (optional) are what the emulator "hears" in each user audio item, in order:
a string, or ``null`` / ``{"error": "..."}`` for a failed transcription.

Python: ``ScriptedResponder.from_script(data)`` / ``ScriptedResponder.from_file(path)``, or
:func:`load_script` for the session and faults too. CLI: ``voicelive mock-server --script
FILE``. Mistakes raise :class:`ScriptError` naming the place (``turns[2].mcp_call.nmae``)
and, for a misspelt key, the closest valid one.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._faults import Fault
from ._responders import (
    AgentCall,
    Failure,
    FunctionCall,
    McpCall,
    Reply,
    ScriptedResponder,
    SearchCall,
    Transcriber,
    stand_in_transcript,
)

__all__ = ["Script", "ScriptError", "load_script"]


class ScriptError(ValueError):
    """A script (file or data) that does not follow the format; the message names the place."""


@dataclass(frozen=True)
class Script:
    """A loaded script: the turns, the initial session overrides and the faults."""

    turns: list[Reply]
    session: dict[str, Any] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    transcripts: list[str | None] | None = None

    def responder(self) -> ScriptedResponder:
        """A :class:`~voicelive.testing.ScriptedResponder` playing the turns."""
        return ScriptedResponder(self.turns)

    def transcriber(self) -> Transcriber | None:
        """A transcriber playing ``transcripts`` in order (``None`` when the script has none).

        A ``null`` entry (or ``{"error": "..."}``) makes that transcription fail
        (``conversation.item.input_audio_transcription.failed``); after the list, the
        default stand-in transcript is used.
        """
        if self.transcripts is None:
            return None
        return _ScriptedTranscriber(list(self.transcripts), self._errors)

    _errors: dict[int, str] = field(default_factory=dict, repr=False)


class _ScriptedTranscriber:
    def __init__(self, transcripts: list[str | None], errors: dict[int, str]) -> None:
        self._transcripts = transcripts
        self._errors = errors
        self._next = 0

    def __call__(self, samples: NDArray[np.int16], sample_rate: int) -> str:
        index = self._next
        self._next += 1
        if index >= len(self._transcripts):
            return stand_in_transcript(samples, sample_rate)
        text = self._transcripts[index]
        if text is None:
            raise RuntimeError(self._errors.get(index, "transcription failed (scripted)"))
        return text


_REPLY_KEYS = {
    "text",
    "function_call",
    "mcp_call",
    "agent_call",
    "search",
    "interim",
    "failure",
    "warning",
    "rate_limits",
}
_CALL_TYPES: dict[str, type[Any]] = {
    "function_call": FunctionCall,
    "mcp_call": McpCall,
    "agent_call": AgentCall,
    "search": SearchCall,
}
_FAULT_TRIGGERS = ("after", "before", "after_client")
_FAULT_ACTIONS = (
    "close",
    "drop",
    "stall",
    "malformed_json",
    "unknown_event",
    "oversize",
    "binary_frame",
    "ping",
    "inject",
)


def _check_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ScriptError(
                f"{where}: unknown key '{key}'{hint} (valid keys: {', '.join(sorted(allowed))})"
            )


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScriptError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _build(kind: type[Any], value: Any, where: str) -> Any:
    data = _mapping(value, where)
    names = {f.name for f in dataclasses.fields(kind)}
    _check_keys(data, names, where)
    try:
        return kind(**data)
    except TypeError as exc:
        raise ScriptError(f"{where}: {exc}") from None


def _calls(kind: type[Any], value: Any, where: str) -> Any:
    if isinstance(value, list):
        return [_build(kind, one, f"{where}[{index}]") for index, one in enumerate(value)]
    return _build(kind, value, where)


def _turn(value: Any, where: str) -> Reply:
    if isinstance(value, str):
        return Reply(text=value)
    data = _mapping(value, where)
    _check_keys(data, _REPLY_KEYS, where)
    fields: dict[str, Any] = {}
    for key, raw in data.items():
        if key in _CALL_TYPES:
            fields[key] = _calls(_CALL_TYPES[key], raw, f"{where}.{key}")
        elif key == "failure":
            fields[key] = _build(Failure, raw, f"{where}.failure")
        elif key == "rate_limits":
            if not isinstance(raw, list):
                raise ScriptError(f"{where}.rate_limits: expected a list of objects")
            fields[key] = [_mapping(one, f"{where}.rate_limits[{i}]") for i, one in enumerate(raw)]
        else:
            if raw is not None and not isinstance(raw, str):
                raise ScriptError(f"{where}.{key}: expected a string, got {type(raw).__name__}")
            fields[key] = raw
    return Reply(**fields)


def _fault(value: Any, where: str) -> Fault:
    data = dict(_mapping(value, where))
    action = data.pop("action", None)
    maker = getattr(Fault, action, None) if action in _FAULT_ACTIONS else None
    if maker is None:
        valid = ", ".join(_FAULT_ACTIONS)
        raise ScriptError(f"{where}.action: '{action}' is not a fault action ({valid})")
    triggers = [key for key in _FAULT_TRIGGERS if key in data]
    if len(triggers) > 1:
        raise ScriptError(f"{where}: give at most one of {', '.join(_FAULT_TRIGGERS)}")
    every = bool(data.pop("every_connection", False))
    trigger = triggers[0] if triggers else None
    event_type = data.pop(trigger) if trigger else None
    count = data.pop("count", 1)
    try:
        fault: Fault = maker(**data)
    except TypeError as exc:
        raise ScriptError(f"{where}: {exc}") from None
    if trigger is not None:
        fault = getattr(fault, trigger)(str(event_type), int(count))
    return fault.every_connection() if every else fault


def load_script(source: str | os.PathLike[str] | Mapping[str, Any] | Sequence[Any]) -> Script:
    """Load a script from a file (``.json``, ``.yaml``/``.yml``) or from data.

    Data is the decoded document: an object with ``turns`` (and optionally ``session``,
    ``faults``), or just the list of turns.
    """
    if isinstance(source, (str, os.PathLike)):
        data = _read(Path(source))
        where = str(source)
    else:
        data = source
        where = "script"
    if isinstance(data, Sequence) and not isinstance(data, str):
        data = {"turns": list(data)}
    top = _mapping(data, where)
    _check_keys(top, {"turns", "session", "faults", "transcripts"}, where)
    turns_raw = top.get("turns")
    if not isinstance(turns_raw, list):
        raise ScriptError(f"{where}: 'turns' must be a list of turns")
    turns = [_turn(one, f"turns[{index}]") for index, one in enumerate(turns_raw)]
    session = dict(_mapping(top.get("session") or {}, "session"))
    faults_raw = top.get("faults") or []
    if not isinstance(faults_raw, list):
        raise ScriptError(f"{where}: 'faults' must be a list")
    faults = [_fault(one, f"faults[{index}]") for index, one in enumerate(faults_raw)]
    transcripts, errors = _transcripts(top.get("transcripts"))
    return Script(
        turns=turns, session=session, faults=faults, transcripts=transcripts, _errors=errors
    )


def _transcripts(raw: Any) -> tuple[list[str | None] | None, dict[int, str]]:
    if raw is None:
        return None, {}
    if not isinstance(raw, list):
        raise ScriptError("'transcripts' must be a list of strings, nulls or {\"error\": ...}")
    out: list[str | None] = []
    errors: dict[int, str] = {}
    for index, value in enumerate(raw):
        where = f"transcripts[{index}]"
        if value is None or isinstance(value, str):
            out.append(value)
            continue
        data = _mapping(value, where)
        _check_keys(data, {"error"}, where)
        out.append(None)
        errors[index] = str(data.get("error") or "transcription failed (scripted)")
    return out, errors


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScriptError(f"cannot read script {path}: {exc.strerror or exc}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:  # optional: the "yaml" extra (imported by name: no stubs needed)
            yaml: Any = importlib.import_module("yaml")
        except ImportError:
            raise ScriptError(
                f"{path}: YAML scripts need PyYAML (pip install 'voicelive[yaml]'); "
                "or write the script as JSON"
            ) from None
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ScriptError(f"{path}: not valid YAML: {exc}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ScriptError(f"{path}: not valid JSON: {exc}") from None
