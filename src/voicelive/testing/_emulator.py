"""The Voice Live service emulator: a sans-I/O server-side state machine.

:class:`Emulator` consumes client events (typed models, dicts or raw frames) and produces the
server events the service would send, as plain JSON-ready ``dict`` objects in wire order.
It performs no I/O and reads no clock except for ``expires_at``: the async driver in
:mod:`voicelive.testing._server` puts it on a socket and paces it.

Model of a connection::

    emulator.start()            -> [session.created]
    emulator.receive(event)     -> events answering one client event
    emulator.step()             -> the next chunk of the active response (deltas...)
    emulator.response_active    -> is a response streaming?

A response is streamed in *steps* so that a ``response.cancel`` or barge-in speech can land
in the middle of it: ``receive()`` starts it (``response.created``), each ``step()`` emits the
next events (an audio chunk with its transcript delta, a text delta, ...), the last step emits
the ``.done`` events and ``response.done``. :attr:`Emulator.last_step_ms` tells the driver how
much audio (or text time) the step held, for real-time pacing.

Ids are deterministic per connection: ``event_0001``, ``item_0001``, ``resp_0001``,
``call_0001``; the session and conversation ids are given by the driver (``sess_0001``,
``conv_0001``).

Errors follow the service's shape and always copy the client's ``event_id``::

    {"type": "error", "event_id": "event_0007",
     "error": {"type": "invalid_request_error", "code": "item_not_found",
               "message": "...", "param": "item_id", "event_id": "<client event_id>"}}
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import json
import math
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._protocol import Side, VoiceLiveProtocol
from ..audio import AudioFormat, AudioFormatError, decode_from_wire
from ..exceptions import InvalidEventError, MalformedFrameError, RemoteProtocolError
from ..models import ClientEvent
from ..models._client_events import ClientEventBase
from ._responders import (
    EchoResponder,
    FunctionCall,
    Reply,
    Responder,
    ResponseContext,
    Transcriber,
    stand_in_transcript,
)
from ._speech import EnergyVad, VadEvent, WordTiming, _words, synthesize_speech

__all__ = [
    "DEFAULT_TURN_DETECTION",
    "ERROR_CODES",
    "Emulator",
    "WireEvent",
    "default_session",
]

WireEvent = dict[str, Any]
"""A server event as the JSON-ready ``dict`` that goes on the wire."""

ERROR_CODES: dict[str, str] = {
    "invalid_event": "the frame has no 'type'",
    "invalid_json": "the frame is not a JSON object",
    "unknown_event_type": "the 'type' is not a Voice Live client event",
    "unsupported_event_type": "a known event type Voice Live does not support",
    "invalid_value": "a field has a value the service refuses (see 'param')",
    "unknown_parameter": "a field the event does not have (see 'param')",
    "missing_required_parameter": "a required field is missing (see 'param')",
    "input_audio_buffer_commit_empty": "commit with less than 100 ms of audio buffered",
    "conversation_already_has_active_response": "response.create while one is active",
    "response_cancel_not_active": "response.cancel with no (such) active response",
    "item_not_found": "an item_id / previous_item_id that is not in the conversation",
    "item_already_exists": "conversation.item.create with an id already used",
    "invalid_ec_channels_requires_client": "echo cancellation channels=2 without 'client'",
    "invalid_ec_reference_channels": "echo cancellation 'client' reference without 2 channels",
    "responder_error": "(emulator) the responder raised; the response fails",
    "invalid_function_call": "(emulator) the responder called a function not in the tools",
}
"""Every ``error.code`` the emulator sends, with its meaning."""

MIN_COMMIT_MS = 100
"""Least audio ``input_audio_buffer.commit`` accepts, as the service."""

TEXT_DELTA_MS = 20
"""Nominal duration of one text/argument delta, for real-time pacing."""

_VAD_TYPES = frozenset(
    {
        "server_vad",
        "semantic_vad",
        "azure_semantic_vad",
        "azure_semantic_vad_en",
        "azure_semantic_vad_multilingual",
    }
)
_VAD_COMMON = {"create_response": True, "interrupt_response": True}
_VAD_DEFAULTS: dict[str, dict[str, Any]] = {
    "server_vad": {
        "threshold": 0.5,
        "prefix_padding_ms": 400,
        "silence_duration_ms": 500,
        **_VAD_COMMON,
        "auto_truncate": False,
    },
    "semantic_vad": {"eagerness": "auto", **_VAD_COMMON},
    **{
        name: {
            "threshold": 0.5,
            "prefix_padding_ms": 420,
            "silence_duration_ms": 500,
            "speech_duration_ms": 80,
            "remove_filler_words": False,
            **_VAD_COMMON,
            "auto_truncate": False,
        }
        for name in (
            "azure_semantic_vad",
            "azure_semantic_vad_en",
            "azure_semantic_vad_multilingual",
        )
    },
}

DEFAULT_TURN_DETECTION: dict[str, Any] = {"type": "server_vad", **_VAD_DEFAULTS["server_vad"]}
"""The ``turn_detection`` of a new session (the service's documented defaults)."""

_MODALITIES = frozenset({"text", "audio", "animation", "avatar"})
_NOISE_REDUCTION = frozenset({"azure_deep_noise_suppression", "near_field", "far_field"})
_FAKE_SDP = base64.b64encode(
    b"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=voicelive-emulator\r\nt=0 0\r\n"
).decode("ascii")


def default_session(
    session_id: str = "sess_0001",
    *,
    model: str = "gpt-realtime",
    expires_at: int | None = None,
) -> dict[str, Any]:
    """The session a new emulated connection reports in ``session.created`` (a wire dict)."""
    session: dict[str, Any] = {
        "object": "realtime.session",
        "id": session_id,
        "model": model,
        "modalities": ["text", "audio"],
        "instructions": "",
        "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
        "input_audio_format": "pcm16",
        "input_audio_sampling_rate": 24000,
        "output_audio_format": "pcm16",
        "input_audio_noise_reduction": None,
        "input_audio_echo_cancellation": None,
        "input_audio_transcription": None,
        "turn_detection": dict(DEFAULT_TURN_DETECTION),
        "tools": [],
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "temperature": 0.8,
        "max_response_output_tokens": "inf",
    }
    if expires_at is not None:
        session["expires_at"] = expires_at
    return session


class _Ids:
    __slots__ = ("_counters",)

    def __init__(self) -> None:
        self._counters: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        n = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = n
        return f"{prefix}_{n:04d}"


class _Refused(Exception):
    """Internal: a client event is refused with a service-style error."""

    def __init__(self, code: str, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.param = param


@dataclass
class _Output:
    kind: str  # "message" | "call"
    text: str = ""
    call: FunctionCall | None = None


@dataclass
class _Response:
    id: str
    index: int
    modalities: list[str]
    voice: Any
    output_format_name: str
    output_format: AudioFormat
    temperature: Any
    max_output_tokens: Any
    metadata: dict[str, str] | None
    in_conversation: bool
    input_items: list[dict[str, Any]]
    plan: list[_Output] = field(default_factory=list)
    output: list[dict[str, Any]] = field(default_factory=list)
    steps: Generator[float, None, None] | None = None
    open_item: dict[str, Any] | None = None
    open_part: dict[str, Any] | None = None
    output_index: int = 0
    audio_ms: float = 0.0
    timestamps: bool = False
    incomplete: bool = False


def _copy_item(item: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(item)
    content = out.get("content")
    if isinstance(content, list):
        out["content"] = [dict(part) for part in content]
    return out


def _tokens(text: str) -> int:
    return math.ceil(len(text) / 4) if text else 0


class Emulator:
    """A sans-I/O emulation of the Voice Live service for one connection.

    Args:
        responder: decides what the emulated model says (default :class:`EchoResponder`).
        transcriber: turns user audio into text for the responder and for input
            transcription events (default :func:`stand_in_transcript`).
        session: keys overriding the default session (wire form, e.g.
            ``{"turn_detection": None}``).
        session_id: session id reported in ``session.created``.
        conversation_id: conversation id reported in responses.
        model: the model reported in the session (the ``model`` query parameter).
        ms_per_char: emulated speech duration per character of reply text.
        max_audio_ms: cap of the emulated speech duration of one reply.
        audio_chunk_ms: duration of the audio in one ``response.audio.delta``.
        clock: time source for ``expires_at`` (the only wall-clock-derived value).
        session_lifetime_s: ``expires_at`` is ``clock() + session_lifetime_s``.

    Attributes:
        session: the effective session (wire dict).
        last_step_ms: duration of the audio (or nominal text time) emitted by the last
            :meth:`step`, for pacing.
    """

    def __init__(
        self,
        *,
        responder: Responder | None = None,
        transcriber: Transcriber | None = None,
        session: Mapping[str, Any] | None = None,
        session_id: str = "sess_0001",
        conversation_id: str = "conv_0001",
        model: str = "gpt-realtime",
        ms_per_char: float = 60.0,
        max_audio_ms: int = 30_000,
        audio_chunk_ms: int = 100,
        clock: Callable[[], float] = time.time,
        session_lifetime_s: int = 1800,
    ) -> None:
        self.responder: Responder = responder if responder is not None else EchoResponder()
        self.transcriber: Transcriber = transcriber or stand_in_transcript
        self.conversation_id = conversation_id
        self.ms_per_char = ms_per_char
        self.max_audio_ms = max_audio_ms
        self.audio_chunk_ms = audio_chunk_ms
        self.session: dict[str, Any] = default_session(
            session_id, model=model, expires_at=int(clock()) + session_lifetime_s
        )
        if session:
            for key, value in session.items():
                self.session[key] = copy.deepcopy(value)
            td = self.session.get("turn_detection")
            if isinstance(td, Mapping):
                self.session["turn_detection"] = _with_vad_defaults(td)
        self.last_step_ms: float = 0.0
        self._protocol = VoiceLiveProtocol(Side.SERVER, max_message_size=None)
        self._ids = _Ids()
        self._out: list[WireEvent] = []
        self._items: list[dict[str, Any]] = []
        self._by_id: dict[str, dict[str, Any]] = {}
        self._audio: dict[str, bytearray] = {}
        self._audio_fmt: dict[str, AudioFormat] = {}
        self._transcripts: dict[str, str] = {}
        self._active: _Response | None = None
        self._responses = 0
        self._audio_produced = False
        # input audio buffer, on a timeline of samples since the first append
        self._in_fmt = _input_format(self.session)
        self._buf = bytearray()
        self._buf_start = 0
        self._timeline = 0
        self._partial = b""
        self._vad: EnergyVad | None = None
        self._vad_item: str | None = None
        self._vad_start = 0
        self._turns: dict[str, bytearray] = {}
        self._configure_vad()
        self._handlers: dict[str, Callable[[Any], None]] = {
            "session.update": self._on_session_update,
            "session.avatar.connect": self._on_avatar_connect,
            "input_audio_buffer.append": self._on_append,
            "input_audio_buffer.commit": self._on_commit,
            "input_audio_buffer.clear": self._on_clear,
            "input_audio.turn.start": self._on_turn_start,
            "input_audio.turn.append": self._on_turn_append,
            "input_audio.turn.end": self._on_turn_end,
            "input_audio.turn.cancel": self._on_turn_cancel,
            "input_audio.clear": self._on_input_audio_clear,
            "input_text.delta": self._on_input_text_delta,
            "input_text.done": self._on_input_text_done,
            "conversation.item.create": self._on_item_create,
            "conversation.item.retrieve": self._on_item_retrieve,
            "conversation.item.truncate": self._on_item_truncate,
            "conversation.item.delete": self._on_item_delete,
            "response.create": self._on_response_create,
            "response.cancel": self._on_response_cancel,
            "output_audio_buffer.clear": self._on_output_audio_clear,
        }

    def __repr__(self) -> str:
        state = "responding" if self._active else "idle"
        return f"<Emulator {self.session.get('id')} {state} items={len(self._items)}>"

    # ------------------------------------------------------------------ public API

    @property
    def response_active(self) -> bool:
        """True while a response is streaming (call :meth:`step` to advance it)."""
        return self._active is not None

    @property
    def active_response_id(self) -> str | None:
        """Id of the streaming response, if any."""
        return self._active.id if self._active else None

    @property
    def conversation(self) -> list[dict[str, Any]]:
        """The conversation items (wire dicts, oldest first); copies."""
        return [_copy_item(item) for item in self._items]

    @property
    def input_audio_ms(self) -> float:
        """Milliseconds of audio in the (uncommitted) input buffer."""
        return (self._timeline - self._buf_start) * 1000.0 / self._in_fmt.sample_rate

    def start(self) -> list[WireEvent]:
        """The events sent on connect: ``session.created``."""
        self._out = []
        self._emit("session.created", session=copy.deepcopy(self.session))
        return self._out

    def receive(self, event: ClientEvent | Mapping[str, Any]) -> list[WireEvent]:
        """Handle one client event (a model, or a dict validated like a client frame)."""
        if not isinstance(event, ClientEventBase):
            if isinstance(event, Mapping):
                return self.receive_frame(json.dumps(dict(event)))
            raise TypeError(f"expected a client event, got {type(event).__name__}")
        self._out = []
        self.last_step_ms = 0.0
        handler = self._handlers.get(event.type)
        try:
            if handler is None:
                raise _Refused(
                    "unsupported_event_type",
                    f"The event type '{event.type}' is not supported by Voice Live "
                    "(the emulator follows the service).",
                    "type",
                )
            handler(event)
        except _Refused as refused:
            self._error(refused.code, refused.message, refused.param, event.event_id)
        return self._out

    def receive_frame(self, data: str | bytes) -> list[WireEvent]:
        """Decode one raw client frame with the protocol core, then handle it.

        Frames that are not valid client events get the service's ``error`` event.
        """
        try:
            event = self._protocol.decode_client_frame(data)
        except RemoteProtocolError as exc:
            return self.reject(exc)
        return self.receive(event)

    def reject(self, exc: RemoteProtocolError) -> list[WireEvent]:
        """The ``error`` event for a client frame the protocol core could not decode."""
        self._out = []
        self.last_step_ms = 0.0
        if isinstance(exc, InvalidEventError):
            message, code, param = str(exc), exc.code, exc.param
            if exc.event_type is None and code == "unknown_event_type":
                code, message, param = "invalid_event", "The 'type' field is missing.", "type"
            elif code == "unknown_event_type":
                param = "type"
            elif "Extra inputs are not permitted" in message:
                code, message = "unknown_parameter", f"Unknown parameter: '{param}'."
            elif "Field required" in message:
                code = "missing_required_parameter"
                message = f"Missing required parameter: '{param}'."
            self._error(code, message, param, exc.event_id)
        elif isinstance(exc, MalformedFrameError):
            self._error("invalid_json", f"Invalid client frame: {exc}", None, None)
        else:
            self._error("invalid_value", str(exc), None, None)
        return self._out

    def step(self) -> list[WireEvent]:
        """The next events of the active response (``[]`` when none is active)."""
        self._out = []
        self.last_step_ms = 0.0
        response = self._active
        if response is None or response.steps is None:
            return self._out
        with contextlib.suppress(StopIteration):
            self.last_step_ms = next(response.steps)
        return self._out

    def drain(self) -> list[WireEvent]:
        """Run the active response (if any) to its end; all the events it emits."""
        events: list[WireEvent] = []
        while self._active is not None:
            events.extend(self.step())
        return events

    # ------------------------------------------------------------------ helpers

    def _emit(self, event_type: str, **fields: Any) -> WireEvent:
        event: WireEvent = {"type": event_type, "event_id": self._ids.next("event")}
        event.update(fields)
        self._out.append(event)
        return event

    def _error(
        self,
        code: str,
        message: str,
        param: str | None,
        client_event_id: str | None,
        error_type: str = "invalid_request_error",
    ) -> None:
        self._emit(
            "error",
            error={
                "type": error_type,
                "code": code,
                "message": message,
                "param": param,
                "event_id": client_event_id,
            },
        )

    def _last_item_id(self) -> str | None:
        return self._items[-1]["id"] if self._items else None

    def _insert_item(self, item: dict[str, Any], index: int | None = None) -> str | None:
        """Insert and return the previous item's id."""
        if index is None:
            index = len(self._items)
        previous = self._items[index - 1]["id"] if index > 0 else None
        self._items.insert(index, item)
        self._by_id[item["id"]] = item
        return previous

    def _find(self, item_id: str, param: str = "item_id") -> dict[str, Any]:
        item = self._by_id.get(item_id)
        if item is None:
            raise _Refused(
                "item_not_found",
                f"Item with id '{item_id}' does not exist in the conversation.",
                param,
            )
        return item

    # ------------------------------------------------------------------ session

    def _on_session_update(self, event: Any) -> None:
        update: dict[str, Any] = event.session.to_wire_dict()
        merged = copy.deepcopy(self.session)
        merged.update(copy.deepcopy(update))
        td = merged.get("turn_detection")
        if "turn_detection" in update and isinstance(td, Mapping):
            merged["turn_detection"] = _with_vad_defaults(td)
        self._check_session(merged, update)
        old_format = self._in_fmt
        old_td = self.session.get("turn_detection")
        self.session = merged
        self._in_fmt = _input_format(merged)
        if self._in_fmt != old_format:
            self._reset_buffer()
        if self._in_fmt != old_format or merged.get("turn_detection") != old_td:
            self._configure_vad()
        self._emit("session.updated", session=copy.deepcopy(self.session))

    def _check_session(self, merged: dict[str, Any], update: dict[str, Any]) -> None:
        if "model" in update and update["model"] != self.session.get("model"):
            raise _Refused(
                "invalid_value",
                "The model cannot be changed once the session has started.",
                "session.model",
            )
        _check_modalities(merged.get("modalities"), "session.modalities")
        fmt = merged.get("input_audio_format") or "pcm16"
        if str(fmt) not in ("pcm16", "g711_ulaw", "g711_alaw"):
            raise _Refused(
                "invalid_value",
                f"Invalid value: '{fmt}'. Supported values are: 'pcm16', 'g711_ulaw' and "
                "'g711_alaw'.",
                "session.input_audio_format",
            )
        echo = merged.get("input_audio_echo_cancellation")
        if isinstance(echo, Mapping):
            channels = echo.get("channels") or 1
            source = echo.get("reference_source") or "server"
            if channels == 2 and source != "client":
                raise _Refused(
                    "invalid_ec_channels_requires_client",
                    "Echo cancellation with channels=2 requires reference_source 'client'.",
                    "session.input_audio_echo_cancellation.channels",
                )
            if source == "client" and channels != 2:
                raise _Refused(
                    "invalid_ec_reference_channels",
                    "Echo cancellation with reference_source 'client' requires channels=2.",
                    "session.input_audio_echo_cancellation.channels",
                )
        try:
            _input_format(merged)
        except AudioFormatError as exc:
            raise _Refused("invalid_value", str(exc), "session.input_audio_sampling_rate") from None
        _output_format(merged.get("output_audio_format"), "session.output_audio_format")
        td = merged.get("turn_detection")
        if isinstance(td, Mapping):
            kind = td.get("type")
            if kind not in _VAD_TYPES:
                raise _Refused(
                    "invalid_value",
                    f"Invalid value: '{kind}'. Supported turn detection types are: "
                    + ", ".join(f"'{name}'" for name in sorted(_VAD_TYPES))
                    + ".",
                    "session.turn_detection.type",
                )
            threshold = td.get("threshold")
            if threshold is not None and not 0.0 <= float(threshold) <= 1.0:
                raise _Refused(
                    "invalid_value",
                    f"Invalid 'session.turn_detection.threshold': {threshold}. Expected a value "
                    "between 0.0 and 1.0.",
                    "session.turn_detection.threshold",
                )
            for key in ("prefix_padding_ms", "silence_duration_ms", "speech_duration_ms"):
                value = td.get(key)
                if value is not None and value < 0:
                    raise _Refused(
                        "invalid_value",
                        f"Invalid 'session.turn_detection.{key}': {value}. Expected a value >= 0.",
                        f"session.turn_detection.{key}",
                    )
        _check_temperature(merged.get("temperature"), "session.temperature")
        _check_max_tokens(
            merged.get("max_response_output_tokens"), "session.max_response_output_tokens"
        )
        noise = merged.get("input_audio_noise_reduction")
        if isinstance(noise, Mapping) and noise.get("type") not in _NOISE_REDUCTION:
            raise _Refused(
                "invalid_value",
                f"Invalid value: '{noise.get('type')}'. Supported noise reduction types are: "
                "'azure_deep_noise_suppression', 'near_field' and 'far_field'.",
                "session.input_audio_noise_reduction.type",
            )
        if (
            "voice" in update
            and update["voice"] != self.session.get("voice")
            and self._audio_produced
        ):
            raise _Refused(
                "invalid_value",
                "Cannot update the voice once the assistant has produced audio in this session.",
                "session.voice",
            )
        _check_tools(merged.get("tools"), merged.get("tool_choice"), "session")

    def _on_avatar_connect(self, event: Any) -> None:
        self._emit("session.avatar.connecting", server_sdp=_FAKE_SDP)

    # ------------------------------------------------------------------ input audio

    def _configure_vad(self) -> None:
        td = self.session.get("turn_detection")
        self._vad_item = None
        if not isinstance(td, Mapping):
            self._vad = None
            return
        semantic = td.get("type") != "server_vad"
        speech_ms = td.get("speech_duration_ms")
        if speech_ms is None:
            speech_ms = 80 if semantic else 200
        vad = EnergyVad(
            self._in_fmt.sample_rate,
            threshold=float(td.get("threshold", 0.5) or 0.0),
            silence_duration_ms=int(td.get("silence_duration_ms") or 500),
            speech_duration_ms=int(speech_ms),
        )
        vad.reset(self._timeline)
        self._vad = vad

    def _reset_buffer(self) -> None:
        self._buf = bytearray()
        self._buf_start = self._timeline
        self._partial = b""
        self._vad_item = None
        if self._vad is not None:
            self._vad.reset(self._timeline)

    def _ms(self, samples: int) -> int:
        return samples * 1000 // self._in_fmt.sample_rate

    def _decode_audio(self, text: str, param: str) -> bytes:
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise _Refused("invalid_value", "Invalid base64 audio.", param) from None

    def _on_append(self, event: Any) -> None:
        data = self._decode_audio(event.audio, "audio")
        if self._partial:
            data = self._partial + data
        block = self._in_fmt.block_align
        usable = len(data) - len(data) % block
        self._partial = data[usable:]
        if not usable:
            return
        chunk = data[:usable] if usable != len(data) else data
        self._buf += chunk
        self._timeline += usable // block
        vad = self._vad
        if vad is None:
            return
        samples = decode_from_wire(chunk, self._in_fmt)
        if samples.ndim > 1:
            samples = np.ascontiguousarray(samples[:, 0])
        for detection in vad.process(samples):
            self._on_vad(detection)

    def _on_vad(self, detection: VadEvent) -> None:
        td = self.session.get("turn_detection") or {}
        if detection.kind == "start":
            prefix = int(td.get("prefix_padding_ms") or 0) * self._in_fmt.sample_rate // 1000
            self._vad_start = max(self._buf_start, detection.position - prefix)
            self._vad_item = self._ids.next("item")
            self._emit(
                "input_audio_buffer.speech_started",
                audio_start_ms=self._ms(self._vad_start),
                item_id=self._vad_item,
            )
            if self._active is not None and td.get("interrupt_response", True):
                self._cancel("turn_detected")
            return
        item_id = self._vad_item or self._ids.next("item")
        self._vad_item = None
        end = min(detection.position, self._timeline)
        self._emit("input_audio_buffer.speech_stopped", audio_end_ms=self._ms(end), item_id=item_id)
        self._commit(item_id, self._vad_start, end)
        if td.get("create_response", True) and self._active is None:
            self._start_response(None, None, None)

    def _commit(self, item_id: str, start: int, end: int) -> None:
        """Commit buffer samples [start, end) as a user audio item (and transcribe it)."""
        block = self._in_fmt.block_align
        lo = max(0, start - self._buf_start) * block
        hi = max(0, end - self._buf_start) * block
        audio = bytes(self._buf[lo:hi])
        del self._buf[:hi]
        self._buf_start = max(self._buf_start, end)
        previous = self._last_item_id()
        self._emit("input_audio_buffer.committed", previous_item_id=previous, item_id=item_id)
        self._add_user_audio_item(item_id, audio, self._in_fmt, previous)

    def _add_user_audio_item(
        self, item_id: str, audio: bytes, fmt: AudioFormat, previous: str | None
    ) -> None:
        item: dict[str, Any] = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "status": "completed",
            "role": "user",
            "content": [{"type": "input_audio", "transcript": None}],
        }
        self._insert_item(item)
        self._audio[item_id] = bytearray(audio)
        self._audio_fmt[item_id] = fmt
        self._emit("conversation.item.created", previous_item_id=previous, item=_copy_item(item))
        transcript = self._transcribe(audio, fmt)
        self._transcripts[item_id] = transcript
        if self.session.get("input_audio_transcription"):
            for _, token in _words(transcript):
                self._emit(
                    "conversation.item.input_audio_transcription.delta",
                    item_id=item_id,
                    content_index=0,
                    delta=token,
                )
            self._emit(
                "conversation.item.input_audio_transcription.completed",
                item_id=item_id,
                content_index=0,
                transcript=transcript,
            )
            item["content"][0]["transcript"] = transcript

    def _transcribe(self, audio: bytes, fmt: AudioFormat) -> str:
        usable = len(audio) - len(audio) % fmt.block_align
        samples: NDArray[np.int16] = decode_from_wire(audio[:usable], fmt)
        if samples.ndim > 1:
            samples = np.ascontiguousarray(samples[:, 0])
        return str(self.transcriber(samples, fmt.sample_rate))

    def _check_commit_size(self, samples: int) -> None:
        ms = samples * 1000.0 / self._in_fmt.sample_rate
        if ms < MIN_COMMIT_MS:
            raise _Refused(
                "input_audio_buffer_commit_empty",
                "Error committing input audio buffer: buffer too small. Expected at least "
                f"{MIN_COMMIT_MS}ms of audio, but buffer only has {ms:.2f}ms of audio.",
            )

    def _on_commit(self, event: Any) -> None:
        self._check_commit_size(self._timeline - self._buf_start)
        item_id = self._vad_item or self._ids.next("item")
        self._vad_item = None
        if self._vad is not None:
            self._vad.reset(self._timeline)
        self._commit(item_id, self._buf_start, self._timeline)

    def _on_clear(self, event: Any) -> None:
        self._reset_buffer()
        self._emit("input_audio_buffer.cleared")

    def _on_turn_start(self, event: Any) -> None:
        if event.turn_id in self._turns:
            raise _Refused(
                "invalid_value", f"Turn '{event.turn_id}' is already started.", "turn_id"
            )
        self._turns[event.turn_id] = bytearray()

    def _turn(self, turn_id: str) -> bytearray:
        turn = self._turns.get(turn_id)
        if turn is None:
            raise _Refused(
                "invalid_value",
                f"Unknown turn_id '{turn_id}' (send input_audio.turn.start first).",
                "turn_id",
            )
        return turn

    def _on_turn_append(self, event: Any) -> None:
        self._turn(event.turn_id).extend(self._decode_audio(event.audio, "audio"))

    def _on_turn_end(self, event: Any) -> None:
        audio = bytes(self._turn(event.turn_id))
        fmt = self._in_fmt
        self._check_commit_size(len(audio) // fmt.block_align)
        del self._turns[event.turn_id]
        item_id = self._ids.next("item")
        previous = self._last_item_id()
        self._emit("input_audio_buffer.committed", previous_item_id=previous, item_id=item_id)
        self._add_user_audio_item(item_id, audio, fmt, previous)
        td = self.session.get("turn_detection")
        wants = td.get("create_response", True) if isinstance(td, Mapping) else True
        if wants and self._active is None:
            self._start_response(None, None, None)

    def _on_turn_cancel(self, event: Any) -> None:
        self._turn(event.turn_id)
        del self._turns[event.turn_id]

    def _on_input_audio_clear(self, event: Any) -> None:
        self._turns.clear()
        self._reset_buffer()
        self._emit("input_audio_buffer.cleared")

    def _on_output_audio_clear(self, event: Any) -> None:
        self._emit("output_audio_buffer.cleared")

    # ------------------------------------------------------------------ streamed input text

    def _text_part(self, item_id: str, content_index: int | None) -> dict[str, Any]:
        item = self._find(item_id, "id")
        if item.get("type") != "message" or item.get("role") != "user":
            raise _Refused("invalid_value", f"Item '{item_id}' is not a user message.", "id")
        content: list[dict[str, Any]] = item["content"]
        index = content_index or 0
        if index == len(content):
            content.append({"type": "input_text", "text": ""})
        if index > len(content) or content[index].get("type") != "input_text":
            raise _Refused(
                "invalid_value",
                f"Item '{item_id}' has no input_text part at content_index {index}.",
                "content_index",
            )
        return content[index]

    def _on_input_text_delta(self, event: Any) -> None:
        part = self._text_part(event.id, event.content_index)
        part["text"] = (part.get("text") or "") + event.delta

    def _on_input_text_done(self, event: Any) -> None:
        self._text_part(event.id, event.content_index)

    # ------------------------------------------------------------------ conversation items

    def _server_item(self, request: Any, param: str) -> dict[str, Any]:
        """A request item -> the server's item dict (audio kept aside)."""
        wire: dict[str, Any] = request.to_wire_dict()
        kind = wire.get("type")
        item: dict[str, Any] = {"id": wire.get("id"), "object": "realtime.item", "type": kind}
        if kind == "message":
            role = wire.get("role")
            allowed = {
                "system": ("input_text",),
                "user": ("input_text", "input_audio"),
                "assistant": ("text", "input_text"),
            }.get(str(role))
            if allowed is None:
                raise _Refused(
                    "invalid_value",
                    f"Invalid value: '{role}'. Supported values are: 'system', 'user' and "
                    "'assistant'.",
                    f"{param}.role",
                )
            content: list[dict[str, Any]] = []
            for index, part in enumerate(wire.get("content") or []):
                part_type = part.get("type")
                if part_type not in allowed:
                    raise _Refused(
                        "invalid_value",
                        f"A {role} message cannot contain a '{part_type}' content part"
                        + (
                            " (assistant audio messages cannot be added)."
                            if role == "assistant"
                            else "."
                        ),
                        f"{param}.content[{index}].type",
                    )
                if part_type == "input_audio":
                    content.append({"type": "input_audio", "transcript": part.get("transcript")})
                else:
                    content.append({"type": part_type, "text": part.get("text", "")})
            item.update(status="completed", role=role, content=content)
        elif kind == "function_call":
            item.update(
                status="completed",
                name=wire.get("name"),
                call_id=wire.get("call_id"),
                arguments=wire.get("arguments"),
            )
        elif kind == "function_call_output":
            call_id = wire.get("call_id")
            if not any(
                other.get("type") == "function_call" and other.get("call_id") == call_id
                for other in self._items
            ):
                raise _Refused(
                    "invalid_value",
                    f"No function call with call_id '{call_id}' in the conversation.",
                    f"{param}.call_id",
                )
            item.update(call_id=call_id, output=wire.get("output"))
        elif kind == "mcp_approval_response":
            item.update(
                approval_request_id=wire.get("approval_request_id"), approve=wire.get("approve")
            )
        else:
            raise _Refused(
                "invalid_value",
                f"Invalid value: '{kind}'. Supported item types are: 'message', "
                "'function_call', 'function_call_output' and 'mcp_approval_response'.",
                f"{param}.type",
            )
        return item

    def _store_item_audio(self, request: Any, item: dict[str, Any], param: str) -> None:
        """Keep the audio of input_audio parts aside; compute their transcript stand-in."""
        if item.get("type") != "message":
            return
        audio = bytearray()
        for index, part in enumerate(getattr(request, "content", None) or []):
            if getattr(part, "type", None) == "input_audio":
                audio += self._decode_audio(part.audio, f"{param}.content[{index}].audio")
        if audio:
            self._audio[item["id"]] = audio
            self._audio_fmt[item["id"]] = self._in_fmt
            parts = [p for p in item["content"] if p["type"] == "input_audio"]
            given = next((p["transcript"] for p in parts if p.get("transcript")), None)
            self._transcripts[item["id"]] = given or self._transcribe(bytes(audio), self._in_fmt)

    def _create_item(self, request: Any, previous_item_id: str | None, param: str) -> None:
        if previous_item_id is None:
            index = len(self._items)
        elif previous_item_id == "root":
            index = 0
        else:
            self._find(previous_item_id, "previous_item_id")
            index = (
                next(i for i, item in enumerate(self._items) if item["id"] == previous_item_id) + 1
            )
        item = self._server_item(request, param)
        if item["id"] is None:
            item["id"] = self._ids.next("item")
        elif item["id"] in self._by_id:
            raise _Refused(
                "item_already_exists",
                f"Item with id '{item['id']}' already exists in the conversation.",
                f"{param}.id",
            )
        self._store_item_audio(request, item, param)
        previous = self._insert_item(item, index)
        self._emit("conversation.item.created", previous_item_id=previous, item=_copy_item(item))

    def _on_item_create(self, event: Any) -> None:
        if event.item is None:
            raise _Refused(
                "missing_required_parameter", "Missing required parameter: 'item'.", "item"
            )
        self._create_item(event.item, event.previous_item_id, "item")

    def _on_item_retrieve(self, event: Any) -> None:
        item = _copy_item(self._find(event.item_id))
        audio = self._audio.get(event.item_id)
        if audio is not None:
            encoded = base64.b64encode(bytes(audio)).decode("ascii")
            for part in item.get("content") or []:
                if part.get("type") in ("input_audio", "audio"):
                    part["audio"] = encoded
                    break
        self._emit("conversation.item.retrieved", item=item)

    def _on_item_delete(self, event: Any) -> None:
        item = self._find(event.item_id)
        self._items.remove(item)
        del self._by_id[event.item_id]
        self._audio.pop(event.item_id, None)
        self._audio_fmt.pop(event.item_id, None)
        self._transcripts.pop(event.item_id, None)
        self._emit("conversation.item.deleted", item_id=event.item_id)

    def _on_item_truncate(self, event: Any) -> None:
        item = self._find(event.item_id)
        if item.get("type") != "message" or item.get("role") != "assistant":
            raise _Refused(
                "invalid_value", "Only assistant message items can be truncated.", "item_id"
            )
        content = item.get("content") or []
        index = event.content_index
        if not 0 <= index < len(content) or content[index].get("type") != "audio":
            raise _Refused(
                "invalid_value",
                f"Item '{event.item_id}' has no audio content part at content_index {index}.",
                "content_index",
            )
        active = self._active
        if active is not None and active.open_item is item:
            self._cancel("client_cancelled")
        audio = self._audio.get(event.item_id, bytearray())
        fmt = self._audio_fmt.get(event.item_id, self._in_fmt)
        duration = fmt.bytes_to_ms(len(audio))
        if event.audio_end_ms < 0 or event.audio_end_ms > duration:
            raise _Refused(
                "invalid_value",
                f"audio_end_ms ({event.audio_end_ms} ms) is beyond the audio of item "
                f"'{event.item_id}' ({duration:.0f} ms).",
                "audio_end_ms",
            )
        del audio[fmt.ms_to_bytes(event.audio_end_ms) :]
        content[index]["transcript"] = ""
        self._emit(
            "conversation.item.truncated",
            item_id=event.item_id,
            content_index=index,
            audio_end_ms=event.audio_end_ms,
        )

    # ------------------------------------------------------------------ responses

    def _on_response_create(self, event: Any) -> None:
        params: dict[str, Any] = event.response.to_wire_dict() if event.response else {}
        if self._active is not None:
            if params.get("cancel_previous"):
                self._cancel("client_cancelled")
            else:
                raise _Refused(
                    "conversation_already_has_active_response",
                    "Conversation already has an active response in progress: "
                    f"{self._active.id}. Wait until the response is finished before creating "
                    "a new one.",
                )
        self._start_response(params, event.response, event.additional_instructions)

    def _on_response_cancel(self, event: Any) -> None:
        active = self._active
        if active is None or (event.response_id and event.response_id != active.id):
            which = f" with id '{event.response_id}'" if event.response_id else ""
            raise _Refused(
                "response_cancel_not_active",
                f"Cancellation failed: no active response{which} found.",
                "response_id" if event.response_id else None,
            )
        self._cancel("client_cancelled")

    def _start_response(
        self,
        params: dict[str, Any] | None,
        request: Any,
        additional_instructions: str | None,
    ) -> None:
        p = params or {}
        session = self.session
        modalities = list(p.get("modalities") or session.get("modalities") or ["text"])
        _check_modalities(modalities, "response.modalities")
        format_name = p.get("output_audio_format") or session.get("output_audio_format")
        out_fmt = _output_format(format_name, "response.output_audio_format")
        temperature = p.get("temperature", session.get("temperature"))
        _check_temperature(temperature, "response.temperature")
        max_tokens = p.get(
            "max_output_tokens",
            p.get("max_response_output_tokens", session.get("max_response_output_tokens")),
        )
        _check_max_tokens(max_tokens, "response.max_output_tokens")
        tools = list(p["tools"]) if "tools" in p else list(session.get("tools") or [])
        tool_choice = p.get("tool_choice", session.get("tool_choice", "auto"))
        _check_tools(tools, tool_choice, "response")
        conversation_mode = p.get("conversation") or "auto"
        # side effects only after validation
        if p.get("commit") and self._timeline - self._buf_start > 0:
            self._check_commit_size(self._timeline - self._buf_start)
            item_id = self._vad_item or self._ids.next("item")
            self._vad_item = None
            self._commit(item_id, self._buf_start, self._timeline)
        if request is not None and request.append_input_items:
            for index, item in enumerate(request.append_input_items):
                self._create_item(item, None, f"response.append_input_items[{index}]")
        if request is not None and request.input_items:
            input_items = []
            for index, item in enumerate(request.input_items):
                param = f"response.input_items[{index}]"
                server_item = self._server_item(item, param)
                server_item["id"] = server_item["id"] or f"input_{index}"
                self._store_item_audio(item, server_item, param)
                input_items.append(server_item)
        else:
            input_items = self.conversation
        instructions = p.get("instructions")
        if instructions is None:
            instructions = session.get("instructions") or ""
        if additional_instructions:
            instructions = (
                f"{instructions}\n{additional_instructions}"
                if instructions
                else (additional_instructions)
            )
        response = _Response(
            id=self._ids.next("resp"),
            index=self._responses,
            modalities=[str(m) for m in modalities],
            voice=p.get("voice", session.get("voice")),
            output_format_name=str(format_name or "pcm16"),
            output_format=out_fmt,
            temperature=temperature,
            max_output_tokens=max_tokens,
            metadata=p.get("metadata"),
            in_conversation=conversation_mode != "none",
            input_items=input_items,
            timestamps="word" in (session.get("output_audio_timestamp_types") or []),
        )
        self._responses += 1
        self._emit("response.created", response=self._response_object(response, "in_progress"))
        pre = p.get("pre_generated_assistant_message")
        try:
            if pre is not None:
                reply: Reply | str = Reply(
                    text="".join(str(part.get("text", "")) for part in pre.get("content") or [])
                )
            else:
                reply = self.responder(
                    self._context(response, input_items, instructions, tools, tool_choice)
                )
            if isinstance(reply, str):
                reply = Reply(text=reply)
            if not isinstance(reply, Reply):
                raise TypeError(
                    f"a responder must return a Reply or a str, not {type(reply).__name__}"
                )
            self._plan(response, reply, tools, tool_choice, max_tokens)
        except _Refused as refused:
            self._fail(response, refused.code, refused.message)
            return
        except Exception as exc:
            self._fail(response, "responder_error", f"The responder raised {exc!r}")
            return
        response.steps = self._run(response)
        self._active = response

    def _context(
        self,
        response: _Response,
        input_items: list[dict[str, Any]],
        instructions: str,
        tools: list[dict[str, Any]],
        tool_choice: Any,
    ) -> ResponseContext:
        last_user_text = None
        for item in reversed(input_items):
            if item.get("type") == "message" and item.get("role") == "user":
                texts = []
                for part in item.get("content") or []:
                    if part.get("type") == "input_text":
                        texts.append(str(part.get("text") or ""))
                    elif part.get("type") == "input_audio":
                        texts.append(
                            part.get("transcript") or self._transcripts.get(item["id"], "")
                        )
                last_user_text = " ".join(t for t in texts if t)
                break
        return ResponseContext(
            response_id=response.id,
            conversation=self.conversation,
            input_items=[_copy_item(item) for item in input_items],
            last_user_text=last_user_text,
            last_item=_copy_item(input_items[-1]) if input_items else None,
            instructions=instructions,
            tools=copy.deepcopy(tools),
            tool_choice=copy.deepcopy(tool_choice),
            modalities=list(response.modalities),
            session=copy.deepcopy(self.session),
            metadata=response.metadata,
            response_index=response.index,
        )

    def _plan(
        self,
        response: _Response,
        reply: Reply,
        tools: list[dict[str, Any]],
        tool_choice: Any,
        max_tokens: Any,
    ) -> None:
        calls = reply.function_calls
        functions = {t.get("name") for t in tools if t.get("type") == "function"}
        for call in calls:
            if tool_choice == "none":
                raise _Refused(
                    "invalid_function_call",
                    f"The responder called '{call.name}' but tool_choice is 'none'.",
                )
            if call.name not in functions:
                raise _Refused(
                    "invalid_function_call",
                    f"The responder called function '{call.name}', which is not a tool of "
                    f"this response (tools: {sorted(str(f) for f in functions)}).",
                )
        text = reply.text
        if isinstance(max_tokens, int) and text and _tokens(text) > max_tokens:
            text = text[: max_tokens * 4]
            response.incomplete = True
            calls = []
        if text is not None or not calls:
            response.plan.append(_Output("message", text=text or ""))
        response.plan.extend(_Output("call", call=call) for call in calls)

    def _fail(self, response: _Response, code: str, message: str) -> None:
        error = {"type": "server_error", "code": code, "message": message}
        self._error(code, message, None, None, error_type="server_error")
        details = {"type": "failed", "error": error}
        self._emit("response.done", response=self._response_object(response, "failed", details))

    def _response_object(
        self, response: _Response, status: str, details: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        done = status != "in_progress"
        return {
            "object": "realtime.response",
            "id": response.id,
            "status": status,
            "status_details": details,
            "output": [_copy_item(item) for item in response.output],
            "conversation_id": self.conversation_id if response.in_conversation else None,
            "modalities": list(response.modalities),
            "voice": copy.deepcopy(response.voice),
            "output_audio_format": response.output_format_name,
            "temperature": response.temperature,
            "max_output_tokens": response.max_output_tokens,
            "metadata": response.metadata,
            "usage": self._usage(response) if done else None,
        }

    def _usage(self, response: _Response) -> dict[str, Any]:
        in_text = in_audio_ms = 0.0
        for item in response.input_items:
            for part in item.get("content") or []:
                in_text += _tokens(str(part.get("text") or part.get("transcript") or ""))
            for key in ("arguments", "output"):
                in_text += _tokens(str(item.get(key) or ""))
            audio = self._audio.get(item.get("id", ""))
            if audio is not None:
                fmt = self._audio_fmt[item["id"]]
                in_audio_ms += fmt.bytes_to_ms(len(audio))
        in_text += _tokens(str(self.session.get("instructions") or ""))
        out_text = 0
        for item in response.output:
            for part in item.get("content") or []:
                out_text += _tokens(str(part.get("text") or part.get("transcript") or ""))
            out_text += _tokens(str(item.get("arguments") or ""))
        text_in = int(in_text)
        audio_in = math.ceil(in_audio_ms / 100)
        audio_out = math.ceil(response.audio_ms / 50)
        total_in = text_in + audio_in
        total_out = out_text + audio_out
        return {
            "total_tokens": total_in + total_out,
            "input_tokens": total_in,
            "output_tokens": total_out,
            "input_token_details": {
                "cached_tokens": 0,
                "text_tokens": text_in,
                "audio_tokens": audio_in,
                "image_tokens": 0,
                "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0},
            },
            "output_token_details": {"text_tokens": out_text, "audio_tokens": audio_out},
        }

    # -- streaming ---------------------------------------------------------------

    def _add_output_item(self, response: _Response, item: dict[str, Any]) -> int:
        output_index = len(response.output)
        response.output.append(item)
        response.open_item = item
        self._emit(
            "response.output_item.added",
            response_id=response.id,
            output_index=output_index,
            item=_copy_item(item),
        )
        if response.in_conversation:
            previous = self._insert_item(item)
            self._emit(
                "conversation.item.created", previous_item_id=previous, item=_copy_item(item)
            )
        return output_index

    def _run(self, response: _Response) -> Generator[float, None, None]:
        for output in response.plan:
            if output.kind == "message":
                yield from self._run_message(response, output.text)
            elif output.call is not None:
                yield from self._run_call(response, output.call)
        self._finish(response)

    def _run_message(self, response: _Response, text: str) -> Iterator[float]:
        item: dict[str, Any] = {
            "id": self._ids.next("item"),
            "object": "realtime.item",
            "type": "message",
            "status": "in_progress",
            "role": "assistant",
            "content": [],
        }
        item_id = item["id"]
        output_index = self._add_output_item(response, item)
        audio = "audio" in response.modalities
        part: dict[str, Any] = (
            {"type": "audio", "transcript": ""}
            if audio
            else {
                "type": "text",
                "text": "",
            }
        )
        item["content"].append(part)
        response.open_part = part
        ids = {"response_id": response.id, "item_id": item_id, "output_index": output_index}
        self._emit("response.content_part.added", **ids, content_index=0, part=dict(part))
        yield 0.0
        if audio:
            fmt = response.output_format
            wire, words = synthesize_speech(
                text, fmt, ms_per_char=self.ms_per_char, max_ms=self.max_audio_ms
            )
            self._audio[item_id] = bytearray()
            self._audio_fmt[item_id] = fmt
            if wire:
                self._audio_produced = True
            chunk = max(fmt.block_align, fmt.ms_to_bytes(self.audio_chunk_ms))
            pending = list(words)
            for offset in range(0, len(wire), chunk):
                piece = wire[offset : offset + chunk]
                end_ms = fmt.bytes_to_ms(offset + len(piece))
                last = offset + chunk >= len(wire)
                here: list[WordTiming] = []
                while pending and (last or pending[0].offset_ms < end_ms):
                    here.append(pending.pop(0))
                if here:
                    delta = "".join(word.text for word in here)
                    part["transcript"] += delta
                    self._emit(
                        "response.audio_transcript.delta", **ids, content_index=0, delta=delta
                    )
                    if response.timestamps:
                        for word in here:
                            self._emit(
                                "response.audio_timestamp.delta",
                                **ids,
                                content_index=0,
                                audio_offset_ms=word.offset_ms,
                                audio_duration_ms=word.duration_ms,
                                text=word.text.strip(),
                                timestamp_type="word",
                            )
                self._audio[item_id] += piece
                piece_ms = fmt.bytes_to_ms(len(piece))
                response.audio_ms += piece_ms
                self._emit(
                    "response.audio.delta",
                    **ids,
                    content_index=0,
                    delta=base64.b64encode(piece).decode("ascii"),
                )
                yield piece_ms
            if pending:
                delta = "".join(word.text for word in pending)
                part["transcript"] += delta
                self._emit("response.audio_transcript.delta", **ids, content_index=0, delta=delta)
        else:
            for _, token in _words(text):
                part["text"] += token
                self._emit("response.text.delta", **ids, content_index=0, delta=token)
                yield float(TEXT_DELTA_MS)
        self._close_part(response)
        self._close_item(response, "completed")

    def _run_call(self, response: _Response, call: FunctionCall) -> Iterator[float]:
        item: dict[str, Any] = {
            "id": self._ids.next("item"),
            "object": "realtime.item",
            "type": "function_call",
            "status": "in_progress",
            "name": call.name,
            "call_id": call.call_id or self._ids.next("call"),
            "arguments": "",
        }
        output_index = self._add_output_item(response, item)
        yield 0.0
        arguments = call.arguments_json()
        ids = {
            "response_id": response.id,
            "item_id": item["id"],
            "output_index": output_index,
            "call_id": item["call_id"],
        }
        for start in range(0, len(arguments), 24):
            delta = arguments[start : start + 24]
            item["arguments"] += delta
            self._emit("response.function_call_arguments.delta", **ids, delta=delta)
            yield float(TEXT_DELTA_MS)
        self._emit(
            "response.function_call_arguments.done", **ids, arguments=arguments, name=call.name
        )
        self._close_item(response, "completed")

    def _close_part(self, response: _Response) -> None:
        part = response.open_part
        item = response.open_item
        if part is None or item is None:
            return
        ids = {
            "response_id": response.id,
            "item_id": item["id"],
            "output_index": len(response.output) - 1,
            "content_index": 0,
        }
        if part["type"] == "audio":
            if response.timestamps:
                self._emit("response.audio_timestamp.done", **ids)
            self._emit("response.audio.done", **ids)
            self._emit("response.audio_transcript.done", **ids, transcript=part["transcript"])
        else:
            self._emit("response.text.done", **ids, text=part["text"])
        self._emit("response.content_part.done", **ids, part=dict(part))
        response.open_part = None

    def _close_item(self, response: _Response, status: str) -> None:
        item = response.open_item
        if item is None:
            return
        item["status"] = status
        self._emit(
            "response.output_item.done",
            response_id=response.id,
            output_index=len(response.output) - 1,
            item=_copy_item(item),
        )
        response.open_item = None

    def _finish(self, response: _Response) -> None:
        if response.incomplete:
            status, details = "incomplete", {"type": "incomplete", "reason": "max_output_tokens"}
        else:
            status, details = "completed", None
        self._active = None
        self._emit("response.done", response=self._response_object(response, status, details))

    def _cancel(self, reason: str) -> None:
        response = self._active
        if response is None:
            return
        if response.steps is not None:
            response.steps.close()
        self._close_part(response)
        self._close_item(response, "incomplete")
        self._active = None
        details = {"type": "cancelled", "reason": reason}
        self._emit("response.done", response=self._response_object(response, "cancelled", details))


# ---------------------------------------------------------------------------- validation


def _with_vad_defaults(td: Mapping[str, Any]) -> dict[str, Any]:
    defaults = _VAD_DEFAULTS.get(str(td.get("type")), {})
    merged = {"type": td.get("type"), **defaults}
    merged.update({key: value for key, value in td.items() if value is not None})
    return merged


def _input_format(session: Mapping[str, Any]) -> AudioFormat:
    echo = session.get("input_audio_echo_cancellation")
    channels = echo.get("channels") if isinstance(echo, Mapping) else None
    return AudioFormat.from_input_session(
        session.get("input_audio_format"), session.get("input_audio_sampling_rate"), channels
    )


def _output_format(name: Any, param: str) -> AudioFormat:
    try:
        return AudioFormat.from_output_session(name)
    except AudioFormatError:
        raise _Refused(
            "invalid_value",
            f"Invalid value: '{name}'. Supported values are: 'pcm16', 'pcm16_8000hz', "
            "'pcm16_16000hz', 'g711_ulaw' and 'g711_alaw'.",
            param,
        ) from None


def _check_modalities(modalities: Any, param: str) -> None:
    if modalities is None:
        return
    values = [str(m) for m in modalities]
    for value in values:
        if value not in _MODALITIES:
            raise _Refused(
                "invalid_value",
                f"Invalid value: '{value}'. Supported modalities are: 'text', 'audio', "
                "'animation' and 'avatar'.",
                param,
            )
    if "text" not in values:
        raise _Refused(
            "invalid_value",
            f"Invalid modalities {values}: 'text' is required (audio-only is not supported).",
            param,
        )


def _check_temperature(value: Any, param: str) -> None:
    if value is not None and not 0.6 <= float(value) <= 1.2:
        raise _Refused(
            "invalid_value",
            f"Invalid '{param}': {value}. Expected a value between 0.6 and 1.2.",
            param,
        )


def _check_max_tokens(value: Any, param: str) -> None:
    if value is None or value == "inf":
        return
    if not isinstance(value, int) or not 1 <= value <= 4096:
        raise _Refused(
            "invalid_value",
            f"Invalid '{param}': {value}. Expected an integer between 1 and 4096, or 'inf'.",
            param,
        )


def _check_tools(tools: Any, tool_choice: Any, prefix: str) -> None:
    names: set[str] = set()
    for index, tool in enumerate(tools or []):
        if tool.get("type") == "function":
            name = tool.get("name")
            if name in names:
                raise _Refused(
                    "invalid_value",
                    f"Duplicate function name '{name}' in tools.",
                    f"{prefix}.tools[{index}].name",
                )
            names.add(str(name))
    choice = tool_choice
    if isinstance(choice, Mapping):
        choice = choice.get("name") if choice.get("type") == "function" else None
    elif choice in ("auto", "none", "required"):
        choice = None
    if choice is not None and choice not in names:
        raise _Refused(
            "invalid_value",
            f"tool_choice names function '{choice}', which is not in tools.",
            f"{prefix}.tool_choice",
        )
