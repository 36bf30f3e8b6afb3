"""What every part of the emulator shares: ids, the refusal exception, the wire helpers and the
per-connection state (declared once here, initialised by :class:`~._core.Emulator`).

The emulator is one class assembled from parts (mixins), one per concern: session
configuration (:mod:`._session`), input audio with VAD and turns (:mod:`._input`),
conversation items (:mod:`._items`), response generation (:mod:`._responses`) and the optional
service features (:mod:`._features`). Each part inherits :class:`EmulatorState`, which
declares the state and the few methods the parts call on each other, so that every part
type-checks on its own.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..._protocol import VoiceLiveProtocol
from ...audio import AudioFormat
from .._responders import AgentCall, Failure, McpCall, Responder, Transcriber
from .._speech import EnergyVad, WordTiming

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator

__all__ = [
    "ERROR_CODES",
    "MIN_COMMIT_MS",
    "TEXT_DELTA_MS",
    "EmulatorState",
    "PendingApproval",
    "Refused",
    "WireEvent",
    "copy_item",
    "estimate_tokens",
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
    "transcription_failed": "(in input_audio_transcription.failed) the transcriber raised",
    "invalid_sdp": "(in rtc.call.error) the sdp_offer is not SDP",
}
"""Every ``error.code`` the emulator sends, with its meaning."""

MIN_COMMIT_MS = 100
"""Least audio ``input_audio_buffer.commit`` accepts, as the service."""

TEXT_DELTA_MS = 20
ARGUMENT_CHUNK = 24
"""Characters per tool-call arguments delta."""
"""Nominal duration of one text/argument delta, for real-time pacing."""


class Ids:
    __slots__ = ("_counters",)

    def __init__(self) -> None:
        self._counters: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        n = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = n
        return f"{prefix}_{n:04d}"


class Refused(Exception):
    """Internal: a client event is refused with a service-style error."""

    def __init__(self, code: str, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.param = param


@dataclass
class PlannedOutput:
    kind: str  # "message" | "call" | "mcp" | "mcp_approval" | "agent" | "search"
    text: str = ""
    call: Any = None  # FunctionCall | McpCall | AgentCall | SearchCall | PendingApproval
    server: dict[str, Any] | None = None  # the tool dict serving an MCP/agent call
    approval_request_id: str | None = None


@dataclass
class PendingApproval:
    """An MCP call waiting for the client's ``mcp_approval_response``, with the rest of its
    reply."""

    request_id: str
    call: McpCall
    server: dict[str, Any]
    more: list[tuple[McpCall, dict[str, Any]]]  # MCP calls after this one
    tail: list[PlannedOutput]  # the message and function calls after the MCP calls
    approved: bool | None = None


@dataclass
class ResponseState:
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
    plan: list[PlannedOutput] = field(default_factory=list)
    output: list[dict[str, Any]] = field(default_factory=list)
    steps: Generator[float, None, None] | None = None
    open_item: dict[str, Any] | None = None
    open_part: dict[str, Any] | None = None
    output_index: int = 0
    audio_ms: float = 0.0
    timestamps: bool = False
    incomplete: bool = False
    incomplete_reason: str = "max_output_tokens"
    failure: Failure | None = None
    warning: str | None = None
    rate_limits: list[dict[str, Any]] | None = None
    animation: frozenset[str] = frozenset()
    frame_index: int = 0
    video_frames: int = 0
    speaking: bool = False


def copy_item(item: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(item)
    content = out.get("content")
    if isinstance(content, list):
        out["content"] = [dict(part) for part in content]
    return out


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4) if text else 0


class EmulatorState:
    """The state of one emulated connection, shared by the emulator's parts."""

    responder: Responder
    transcriber: Transcriber
    conversation_id: str
    ms_per_char: float
    max_audio_ms: int
    audio_chunk_ms: int
    session: dict[str, Any]
    last_step_ms: float
    _protocol: VoiceLiveProtocol
    _ids: Ids
    _out: list[WireEvent]
    _items: list[dict[str, Any]]
    _by_id: dict[str, dict[str, Any]]
    _audio: dict[str, bytearray]
    _audio_fmt: dict[str, AudioFormat]
    _transcripts: dict[str, str]
    _active: ResponseState | None
    _responses: int
    _audio_produced: bool
    _in_fmt: AudioFormat
    _buf: bytearray
    _buf_start: int
    _timeline: int
    _partial: bytes
    _vad: EnergyVad | None
    _vad_item: str | None
    _vad_start: int
    _turns: dict[str, bytearray]
    mcp_tools: dict[str, list[dict[str, Any]]]
    _mcp_listed: dict[str, dict[str, Any]]
    _approvals: dict[str, PendingApproval]
    _continuation: PendingApproval | None
    _idle_from: int

    if TYPE_CHECKING:  # methods one part calls on another (defined in that part)

        def _configure_vad(self) -> None: ...
        def _reset_buffer(self) -> None: ...
        def _commit(self, item_id: str, start: int, end: int) -> None: ...
        def _check_commit_size(self, samples: int) -> None: ...
        def _transcribe(self, audio: bytes, fmt: AudioFormat) -> str: ...
        def _server_item(self, request: Any, param: str) -> dict[str, Any]: ...
        def _store_item_audio(self, request: Any, item: dict[str, Any], param: str) -> None: ...
        def _create_item(self, request: Any, previous_item_id: str | None, param: str) -> None: ...
        def _start_response(
            self,
            params: dict[str, Any] | None,
            request: Any,
            additional_instructions: str | None,
        ) -> None: ...
        def _cancel(self, reason: str) -> None: ...
        def _run(self, response: ResponseState) -> Generator[float, None, None]: ...
        def _add_output_item(self, response: ResponseState, item: dict[str, Any]) -> int: ...
        def _close_item(self, response: ResponseState, status: str) -> None: ...
        def _run_message(self, response: ResponseState, text: str) -> Iterator[float]: ...
        def _list_mcp_tools(self) -> None: ...
        def _run_tool(self, response: ResponseState, output: PlannedOutput) -> Iterator[float]: ...
        def _mcp_server(self, call: McpCall, tools: list[dict[str, Any]]) -> dict[str, Any]: ...
        def _agent_tool(self, call: AgentCall, tools: list[dict[str, Any]]) -> dict[str, Any]: ...
        def _mcp_outputs(
            self, pairs: list[tuple[McpCall, dict[str, Any]]], tail: list[PlannedOutput]
        ) -> list[PlannedOutput]: ...
        def _continuation_plan(self, pending: PendingApproval) -> list[PlannedOutput]: ...
        def _interim_text(self, calls_tool: bool) -> str | None: ...
        def _animation(
            self,
            response: ResponseState,
            ids: dict[str, Any],
            words: list[WordTiming],
            chunk_ms: float,
        ) -> None: ...
        def _animation_outputs(self, modalities: list[str]) -> frozenset[str]: ...
        def _with_ice_servers(self, session: dict[str, Any]) -> None: ...
        def _playing_item(self) -> dict[str, Any] | None: ...
        def _has_avatar(self) -> bool: ...
        def _truncate_at_sent(self, item: dict[str, Any]) -> None: ...
        def _animation_done(self, response: ResponseState, ids: dict[str, Any]) -> None: ...
        def _on_approval_item(self, item: dict[str, Any]) -> None: ...

    @property
    def conversation(self) -> list[dict[str, Any]]:
        """The conversation items (wire dicts, oldest first); copies."""
        return [copy_item(item) for item in self._items]

    def _emit(self, event_type: str, **fields: Any) -> WireEvent:
        event: WireEvent = {"type": event_type, "event_id": self._ids.next("event")}
        event.update(fields)
        self._out.append(event)
        return event

    def _stream_arguments(
        self, event_prefix: str, ids: dict[str, Any], item: dict[str, Any], **done_fields: Any
    ) -> Iterator[float]:
        """Stream a tool call's ``arguments`` (already complete in ``done_fields``) as
        ``<event_prefix>.delta`` events of ``ARGUMENT_CHUNK`` characters, growing
        ``item["arguments"]`` as they go, then ``<event_prefix>.done``; yields the pacing."""
        arguments: str = done_fields["arguments"]
        for start in range(0, len(arguments), ARGUMENT_CHUNK):
            delta = arguments[start : start + ARGUMENT_CHUNK]
            item["arguments"] += delta
            self._emit(f"{event_prefix}.delta", **ids, delta=delta)
            yield float(TEXT_DELTA_MS)
        self._emit(f"{event_prefix}.done", **ids, **done_fields)

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
            raise Refused(
                "item_not_found",
                f"Item with id '{item_id}' does not exist in the conversation.",
                param,
            )
        return item

    def _decode_audio(self, text: str, param: str) -> bytes:
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise Refused("invalid_value", "Invalid base64 audio.", param) from None
