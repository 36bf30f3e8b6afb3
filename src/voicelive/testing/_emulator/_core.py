"""The :class:`Emulator`: the public entry, assembled from the parts."""

from __future__ import annotations

import contextlib
import copy
import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..._protocol import Side, VoiceLiveProtocol
from ...exceptions import InvalidEventError, MalformedFrameError, RemoteProtocolError
from ...models import ClientEvent
from ...models._client_events import ClientEventBase
from .._responders import EchoResponder, Responder, Transcriber, stand_in_transcript
from ._base import Ids, Refused, WireEvent
from ._features import FeaturesPart, agent_config
from ._input import InputPart
from ._items import ItemsPart
from ._responses import ResponsesPart
from ._session import SessionPart, _input_format, _with_vad_defaults, default_session
from ._tools import ToolsPart

__all__ = ["Emulator"]


class Emulator(SessionPart, InputPart, ItemsPart, ResponsesPart, ToolsPart, FeaturesPart):
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
        mcp_tools: the tools each MCP server lists, by ``server_label`` (wire dicts with
            ``name``, ``input_schema``, ...); default: the server's ``allowed_tools``.
        agent: agent mode (the ``agent-name``/``agent-project-name`` query parameters):
            ``{"name": ..., "project_name": ..., "conversation_id": ...}``; the session then
            reports ``agent`` (``{"type": "agent", "name", "agent_id", "thread_id"}``).

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
        mcp_tools: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        agent: Mapping[str, str | None] | None = None,
    ) -> None:
        self.responder = responder if responder is not None else EchoResponder()
        self.transcriber = transcriber or stand_in_transcript
        self.conversation_id = conversation_id
        self.ms_per_char = ms_per_char
        self.max_audio_ms = max_audio_ms
        self.audio_chunk_ms = audio_chunk_ms
        self.session = default_session(
            session_id, model=model, expires_at=int(clock()) + session_lifetime_s
        )
        if session:
            for key, value in session.items():
                self.session[key] = copy.deepcopy(value)
            td = self.session.get("turn_detection")
            if isinstance(td, Mapping):
                self.session["turn_detection"] = _with_vad_defaults(td)
        self.last_step_ms = 0.0
        self._protocol = VoiceLiveProtocol(Side.SERVER, max_message_size=None)
        self._ids = Ids()
        self._out = []
        self._items = []
        self._by_id = {}
        self._audio = {}
        self._audio_fmt = {}
        self._transcripts = {}
        self._active = None
        self._responses = 0
        self._audio_produced = False
        # input audio buffer, on a timeline of samples since the first append
        self._in_fmt = _input_format(self.session)
        self._buf = bytearray()
        self._buf_start = 0
        self._timeline = 0
        self._partial = b""
        self._vad = None
        self._vad_item = None
        self._vad_start = 0
        self._turns = {}
        self.mcp_tools = {
            label: [dict(tool) for tool in tools] for label, tools in (mcp_tools or {}).items()
        }
        self._mcp_listed = {}
        self._approvals = {}
        self._continuation = None
        self._idle_from = 0
        if agent is not None:
            self.session["agent"] = agent_config(agent, conversation_id)
        self._configure_vad()
        self._handlers: dict[str, Callable[[Any], None]] = {
            "session.update": self._on_session_update,
            "session.avatar.connect": self._on_avatar_connect,
            "rtc.call.sdp.create": self._on_rtc_sdp_create,
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
                raise Refused(
                    "unsupported_event_type",
                    f"The event type '{event.type}' is not supported by Voice Live "
                    "(the emulator follows the service).",
                    "type",
                )
            handler(event)
        except Refused as refused:
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
