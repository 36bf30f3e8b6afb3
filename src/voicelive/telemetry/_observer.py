"""The per-connection observer: a few spans and cheap metrics from the event stream.

This is the only module that imports opentelemetry; :mod:`voicelive.telemetry` imports it
lazily, on the first ``instrument()`` / ``observe()``.

Span tree of one connection::

    realtime <model>                      connection: open -> close (close code)
      turn <model>                        user turn: speech start (or text item / response.create)
        chat <model>                        -> the response(s) it triggered, until response.done
        chat <model>                           (a response that called a function keeps the
                                                turn open for the follow-up response)
      chat <model>                        response with no user turn (e.g. a greeting)

Per-frame cost when observing: a few attribute updates and one dict lookup; nothing touches
opentelemetry per audio frame. Event and byte counts are aggregated in plain ints and read by
observable counters when the metric reader collects.
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from opentelemetry import metrics, trace
from opentelemetry.metrics import CallbackOptions, Histogram, Meter, Observation
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from .._logging import get_logger
from .._version import __version__
from ..aio._hooks import ConnectionInfo
from ._names import (
    ATTR_AZ_NAMESPACE,
    ATTR_CONVERSATION_ID,
    ATTR_ERROR_TYPE,
    ATTR_FINISH_REASONS,
    ATTR_INPUT_MESSAGES,
    ATTR_IO_DIRECTION,
    ATTR_OPERATION_NAME,
    ATTR_OUTPUT_MESSAGES,
    ATTR_PROVIDER_NAME,
    ATTR_REQUEST_MODEL,
    ATTR_RESPONSE_ID,
    ATTR_RESPONSE_MODEL,
    ATTR_SERVER_ADDRESS,
    ATTR_SERVER_PORT,
    ATTR_SYSTEM,
    ATTR_SYSTEM_INSTRUCTIONS,
    ATTR_TOKEN_TYPE,
    ATTR_TOOL_CALL_ARGUMENTS,
    ATTR_TOOL_CALL_ID,
    ATTR_TOOL_NAME,
    ATTR_USAGE_INPUT_TOKENS,
    ATTR_USAGE_OUTPUT_TOKENS,
    AZ_NAMESPACE,
    METRIC_BYTES,
    METRIC_EVENTS,
    METRIC_INTERRUPTIONS,
    METRIC_RECONNECTS,
    METRIC_RESPONSE_DURATION,
    METRIC_SESSIONS_ACTIVE,
    METRIC_TIME_TO_FIRST_TEXT,
    METRIC_TOKEN_USAGE,
    METRIC_TURN_LATENCY_TO_FIRST_AUDIO,
    OFFICIAL,
    OP_RESPONSE,
    OP_SESSION,
    OP_TURN,
    PROVIDER_NAME,
    SYSTEM,
    VL,
)
from ._official import OfficialSpans

if TYPE_CHECKING:
    from ..aio import VoiceLiveConnection

__all__ = ["SessionObserver", "Telemetry"]

_log = get_logger("telemetry")

Attributes = dict[str, AttributeValue]
_AttrKey = tuple[tuple[str, AttributeValue], ...]

_LATENCY_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
_DURATION_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0, 60.0)
_TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144)

_RECEIVE = "receive"
_TRANSMIT = "transmit"


def _histogram(
    meter: Meter, name: str, unit: str, description: str, buckets: Sequence[float]
) -> Histogram:
    try:
        return meter.create_histogram(
            name, unit=unit, description=description, explicit_bucket_boundaries_advisory=buckets
        )
    except TypeError:  # pragma: no cover - opentelemetry-api < 1.23 has no bucket advisory
        return meter.create_histogram(name, unit=unit, description=description)


class Telemetry:
    """A tracer and the metric instruments for one (tracer provider, meter provider) pair.

    Shared by every :class:`SessionObserver` created with those providers. Event and byte
    counts live in the observers as plain ints; the observable counters sum them (plus the
    totals of observers already closed) when a metric reader collects.
    """

    def __init__(self, tracer_provider: Any = None, meter_provider: Any = None) -> None:
        self.tracer = trace.get_tracer("voicelive", __version__, tracer_provider=tracer_provider)
        meter = metrics.get_meter("voicelive", __version__, meter_provider=meter_provider)
        self.turn_latency = _histogram(
            meter,
            METRIC_TURN_LATENCY_TO_FIRST_AUDIO,
            "s",
            "From the end of the user's input (speech_stopped received, or the turn start for "
            "text and manual turns) to the first response audio byte.",
            _LATENCY_BUCKETS,
        )
        self.time_to_first_text = _histogram(
            meter,
            METRIC_TIME_TO_FIRST_TEXT,
            "s",
            "From response.created to the first text or transcript delta of the response.",
            _LATENCY_BUCKETS,
        )
        self.response_duration = _histogram(
            meter,
            METRIC_RESPONSE_DURATION,
            "s",
            "From response.created to response.done.",
            _DURATION_BUCKETS,
        )
        self.token_usage = _histogram(
            meter,
            METRIC_TOKEN_USAGE,
            "{token}",
            "Tokens used per response (gen_ai.token.type = input | output).",
            _TOKEN_BUCKETS,
        )
        self.interruptions = meter.create_counter(
            METRIC_INTERRUPTIONS,
            unit="{interruption}",
            description="User speech detected by the server while a response was in progress.",
        )
        self.reconnects = meter.create_counter(
            METRIC_RECONNECTS, unit="{reconnect}", description="Reconnections of a session."
        )
        self.sessions_active = meter.create_up_down_counter(
            METRIC_SESSIONS_ACTIVE, unit="{session}", description="Open connections."
        )
        meter.create_observable_counter(
            METRIC_BYTES,
            callbacks=[self._observe_bytes],
            unit="By",
            description="WebSocket payload size (JSON text) by network.io.direction.",
        )
        meter.create_observable_counter(
            METRIC_EVENTS,
            callbacks=[self._observe_events],
            unit="{event}",
            description="Events by voicelive.event.type and network.io.direction.",
        )
        self._lock = threading.Lock()
        self._live: set[SessionObserver] = set()
        self._retired_bytes: dict[tuple[_AttrKey, str], int] = {}
        self._retired_events: dict[tuple[_AttrKey, str, str], int] = {}

    # -- observer bookkeeping ---------------------------------------------------------------

    def _register(self, observer: SessionObserver) -> None:
        with self._lock:
            self._live.add(observer)

    def _retire(self, observer: SessionObserver) -> None:
        with self._lock:
            self._live.discard(observer)
            self._merge(observer, self._retired_bytes, self._retired_events)

    @staticmethod
    def _merge(
        observer: SessionObserver,
        byte_totals: dict[tuple[_AttrKey, str], int],
        event_totals: dict[tuple[_AttrKey, str, str], int],
    ) -> None:
        key = observer._attr_key
        for direction, size in ((_RECEIVE, observer._bytes_in), (_TRANSMIT, observer._bytes_out)):
            byte_totals[key, direction] = byte_totals.get((key, direction), 0) + size
        for direction, counts in (
            (_RECEIVE, dict(observer._events_in)),
            (_TRANSMIT, dict(observer._events_out)),
        ):
            for event_type, count in counts.items():
                k = (key, event_type, direction)
                event_totals[k] = event_totals.get(k, 0) + count

    def _totals(
        self,
    ) -> tuple[dict[tuple[_AttrKey, str], int], dict[tuple[_AttrKey, str, str], int]]:
        with self._lock:
            byte_totals = dict(self._retired_bytes)
            event_totals = dict(self._retired_events)
            for observer in self._live:
                self._merge(observer, byte_totals, event_totals)
        return byte_totals, event_totals

    def _observe_bytes(self, options: CallbackOptions) -> Iterable[Observation]:
        byte_totals, _ = self._totals()
        for (key, direction), value in byte_totals.items():
            yield Observation(value, {**dict(key), ATTR_IO_DIRECTION: direction})

    def _observe_events(self, options: CallbackOptions) -> Iterable[Observation]:
        _, event_totals = self._totals()
        for (key, event_type, direction), value in event_totals.items():
            attributes = {**dict(key), VL.EVENT_TYPE: event_type, ATTR_IO_DIRECTION: direction}
            yield Observation(value, attributes)


class _Turn:
    __slots__ = (
        "active",
        "awaiting_followup",
        "barge_in",
        "ended",
        "first_audio",
        "index",
        "input_end",
        "item_id",
        "messages",
        "responses",
        "span",
        "start",
        "trigger",
    )

    def __init__(self, span: Span, index: int, trigger: str, start: int) -> None:
        self.span = span
        self.index = index
        self.trigger = trigger
        self.start = start
        self.input_end: int | None = None
        self.first_audio: int | None = None
        self.active = 0
        self.responses = 0
        self.awaiting_followup = False
        self.ended = False
        self.item_id: str | None = None
        self.barge_in = False
        self.messages: list[dict[str, Any]] = []


class _Response:
    __slots__ = (
        "audio_bytes",
        "first_audio",
        "first_text",
        "id",
        "interrupted",
        "span",
        "start",
        "turn",
    )

    def __init__(self, response_id: str, span: Span, start: int, turn: _Turn | None) -> None:
        self.id = response_id
        self.span = span
        self.start = start
        self.turn = turn
        self.audio_bytes = 0
        self.first_audio: int | None = None
        self.first_text: int | None = None
        self.interrupted = False


def _seconds(start: int, end: int) -> float:
    return (end - start) / 1e9


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _maybe_json(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


class SessionObserver:
    """Observes one connection: its span tree, latency metrics and counters.

    Created by :func:`voicelive.telemetry.observe` (or by the hook :func:`instrument`
    installs). It holds no reference to the connection, only the connection holds it.
    """

    def __init__(
        self,
        telemetry: Telemetry,
        connection: VoiceLiveConnection,
        info: ConnectionInfo,
        *,
        capture_content: bool,
        official_spans: bool = False,
    ) -> None:
        self._telemetry = telemetry
        self._tracer = telemetry.tracer
        self._capture = capture_content
        self._model = info.model or info.agent_name
        self._wall_offset = time.time_ns() - time.monotonic_ns()
        base: Attributes = {ATTR_SYSTEM: SYSTEM}
        if info.model:
            base[ATTR_REQUEST_MODEL] = info.model
        if info.host:
            base[ATTR_SERVER_ADDRESS] = info.host
        self._base = base
        self._attr_key: _AttrKey = tuple(sorted(base.items()))
        self._trigger_attrs: dict[str, Attributes] = {}
        self._status_attrs: dict[str, Attributes] = {}
        self._token_attrs = {
            kind: {**base, ATTR_OPERATION_NAME: OP_RESPONSE, ATTR_TOKEN_TYPE: kind}
            for kind in ("input", "output")
        }
        # Counters read by the observable instruments (plain ints: no opentelemetry per frame).
        self._bytes_in = 0
        self._bytes_out = 0
        self._events_in: dict[str, int] = {}
        self._events_out: dict[str, int] = {}
        # State.
        self._responses: dict[str, _Response] = {}
        self._turn: _Turn | None = None
        self._open_turns: list[_Turn] = []
        self._turns = 0
        self._response_count = 0
        self._interruption_count = 0
        self._closed = False

        attributes: Attributes = {
            **base,
            ATTR_PROVIDER_NAME: PROVIDER_NAME,
            ATTR_AZ_NAMESPACE: AZ_NAMESPACE,
            ATTR_OPERATION_NAME: OP_SESSION,
        }
        if info.api_version:
            attributes[VL.API_VERSION] = info.api_version
        if info.port is not None:
            attributes[ATTR_SERVER_PORT] = info.port
        if info.agent_name:
            attributes[VL.AGENT_NAME] = info.agent_name
        now = time.monotonic_ns()
        self._span = self._tracer.start_span(
            OFFICIAL.CONNECT_SPAN if official_spans else self._name(OP_SESSION),
            kind=SpanKind.CLIENT,
            attributes=attributes,
            start_time=now + self._wall_offset,
        )
        self._context = trace.set_span_in_context(self._span)
        telemetry._register(self)
        telemetry.sessions_active.add(1, base)
        connection.add_frame_observer(self._on_frame)
        connection.add_send_observer(self._on_send)
        connection.add_close_observer(self._on_close)
        self._official: OfficialSpans | None = None
        if official_spans:  # opt-in: one span per message, named like the official SDK's
            self._official = OfficialSpans(
                self._tracer,
                self._span,
                host=info.host,
                port=info.port,
                model=info.model,
                capture_content=capture_content,
            )
            connection.add_send_observer(self._official.on_send)
            connection.add_frame_observer(self._official.on_frame)
        # A connection dropped without close() still ends its spans (when it is collected).
        self._finalizer = weakref.finalize(
            connection, self._on_close, None, "connection garbage-collected without close()"
        )
        self._finalizer.atexit = False

    # -- public -----------------------------------------------------------------------------

    @property
    def session_span(self) -> Span:
        """The connection span (parent of turns and responses); e.g. for ``trace.use_span``."""
        return self._span

    @property
    def turn_span(self) -> Span | None:
        """The span of the current user turn, while one is open (e.g. to parent tool spans)."""
        turn = self._turn
        return turn.span if turn is not None and not turn.ended else None

    @property
    def closed(self) -> bool:
        """True once the connection was seen closed (every span has ended)."""
        return self._closed

    def record_reconnect(
        self, attempt: int | None, reason: str | None, previous: SessionObserver | None
    ) -> None:
        """Count a reconnect and note it on this (the new) connection's span."""
        attributes: Attributes = dict(self._base)
        if reason:
            attributes[VL.RECONNECT_REASON] = reason
        self._telemetry.reconnects.add(1, attributes)
        event: Attributes = {}
        if attempt is not None:
            event[VL.RECONNECT_ATTEMPT] = attempt
            self._span.set_attribute(VL.RECONNECT_ATTEMPT, attempt)
        if reason:
            event[VL.RECONNECT_REASON] = reason
        self._span.add_event(VL.EV_RECONNECT, event)
        if previous is not None:
            add_link = getattr(self._span, "add_link", None)
            if add_link is not None:  # opentelemetry-api >= 1.23
                add_link(previous._span.get_span_context(), {VL.EV_RECONNECT: True})

    # -- helpers ----------------------------------------------------------------------------

    def _name(self, operation: str) -> str:
        return f"{operation} {self._model}" if self._model else operation

    def _wall(self, mono: int) -> int:
        return mono + self._wall_offset

    def _child(self, operation: str, parent: Span, start: int, attributes: Attributes) -> Span:
        return self._tracer.start_span(
            self._name(operation),
            context=trace.set_span_in_context(parent),
            kind=SpanKind.CLIENT if operation == OP_RESPONSE else SpanKind.INTERNAL,
            attributes={**self._base, ATTR_OPERATION_NAME: operation, **attributes},
            start_time=self._wall(start),
        )

    def _innermost(self) -> Span:
        if self._responses:
            return next(reversed(self._responses.values())).span
        turn = self._turn
        if turn is not None and not turn.ended:
            return turn.span
        return self._span

    # -- turns ------------------------------------------------------------------------------

    def _pending_turn(self) -> _Turn | None:
        """The open turn a new response belongs to: one waiting for its first response, or
        for the follow-up of a function call."""
        turn = self._turn
        if turn is not None and not turn.ended and (turn.active == 0 or turn.awaiting_followup):
            return turn
        return None

    def _begin_turn(self, trigger: str, now: int) -> _Turn:
        previous = self._turn
        if previous is not None and not previous.ended and previous.active == 0:
            self._end_turn(previous, now, "superseded" if previous.responses == 0 else "abandoned")
        self._turns += 1
        span = self._child(
            OP_TURN, self._span, now, {VL.TURN_INDEX: self._turns, VL.TURN_TRIGGER: trigger}
        )
        turn = _Turn(span, self._turns, trigger, now)
        self._turn = turn
        self._open_turns.append(turn)
        return turn

    def _end_turn(self, turn: _Turn, now: int, outcome: str, error: str | None = None) -> None:
        if turn.ended:
            return
        turn.ended = True
        span = turn.span
        end: Attributes = {VL.TURN_OUTCOME: outcome, VL.TURN_RESPONSES: turn.responses}
        if turn.barge_in:
            end[VL.TURN_BARGE_IN] = True
        if turn.item_id:
            end[VL.TURN_ITEM_ID] = turn.item_id
        if turn.first_audio is not None:
            reference = turn.input_end if turn.input_end is not None else turn.start
            end[VL.TURN_LATENCY_TO_FIRST_AUDIO] = _seconds(reference, turn.first_audio)
        if self._capture and turn.messages:
            end[ATTR_INPUT_MESSAGES] = _dumps(turn.messages)
        span.set_attributes(end)
        if error is not None:
            span.set_status(Status(StatusCode.ERROR, error))
        span.end(end_time=self._wall(now))
        if turn in self._open_turns:
            self._open_turns.remove(turn)

    def _turn_for_item(self, item_id: str) -> _Turn | None:
        for turn in reversed(self._open_turns):
            if turn.item_id == item_id:
                return turn
        return None

    # -- send path --------------------------------------------------------------------------

    def _on_send(self, event_type: str, size: int) -> None:
        self._bytes_out += size
        counts = self._events_out
        counts[event_type] = counts.get(event_type, 0) + 1
        if event_type in _SEND_TRIGGERS:
            now = time.monotonic_ns()
            if event_type == "response.create":
                if self._pending_turn() is None:
                    self._begin_turn("response.create", now)
            elif event_type == "input_audio.turn.start":
                self._begin_turn("input_audio.turn", now)
            else:  # input_audio.turn.end
                turn = self._pending_turn()
                if turn is not None and turn.input_end is None:
                    turn.input_end = now

    # -- receive path -----------------------------------------------------------------------

    def _on_frame(self, event: Any, size: int) -> None:
        # The hot path: audio and transcript deltas are handled inline (no further call).
        # ``event`` is a ServerEvent, typed Any: mypy cannot narrow on the local type string.
        self._bytes_in += size
        event_type = event.type
        counts = self._events_in
        counts[event_type] = counts.get(event_type, 0) + 1
        if event_type == "response.audio.delta":
            response = self._responses.get(event.response_id)
            if response is not None:
                response.audio_bytes += len(event.delta)
                if response.first_audio is None:
                    self._first_audio(response)
        elif event_type == "response.audio_transcript.delta" or event_type == "response.text.delta":
            response = self._responses.get(event.response_id)
            if response is not None and response.first_text is None:
                self._first_text(response)
        else:
            handler = _HANDLERS.get(event_type)
            if handler is not None:
                handler(self, event)

    def _first_audio(self, response: _Response) -> None:
        now = time.monotonic_ns()
        response.first_audio = now
        turn = response.turn
        if turn is not None and turn.first_audio is None:
            turn.first_audio = now
            reference = turn.input_end if turn.input_end is not None else turn.start
            attributes = self._trigger_attrs.get(turn.trigger)
            if attributes is None:
                attributes = {**self._base, VL.TURN_TRIGGER: turn.trigger}
                self._trigger_attrs[turn.trigger] = attributes
            self._telemetry.turn_latency.record(_seconds(reference, now), attributes)
            turn.span.add_event(VL.EV_FIRST_AUDIO, timestamp=self._wall(now))

    def _first_text(self, response: _Response) -> None:
        now = time.monotonic_ns()
        response.first_text = now
        self._telemetry.time_to_first_text.record(_seconds(response.start, now), self._base)

    def _on_response_created(self, event: Any) -> None:
        now = time.monotonic_ns()
        self._start_response(event.response, now)

    def _start_response(self, model: Any, now: int) -> _Response:
        response_id = str(model.id or f"unknown_{self._response_count + 1}")
        existing = self._responses.get(response_id)
        if existing is not None:
            return existing
        turn = self._pending_turn()
        attributes: Attributes = {ATTR_RESPONSE_ID: response_id}
        conversation_id = getattr(model, "conversation_id", None)
        if conversation_id:
            attributes[ATTR_CONVERSATION_ID] = str(conversation_id)
        parent = turn.span if turn is not None else self._span
        span = self._child(OP_RESPONSE, parent, now, attributes)
        if turn is not None:
            turn.active += 1
            turn.responses += 1
            turn.awaiting_followup = False
        self._response_count += 1
        response = _Response(response_id, span, now, turn)
        self._responses[response_id] = response
        return response

    def _on_response_done(self, event: Any) -> None:
        now = time.monotonic_ns()
        model = event.response
        response = self._responses.pop(str(model.id), None)
        if response is None:  # observed from the middle of a response
            response = self._start_response(model, now)
            self._responses.pop(response.id, None)
        span = response.span
        status = str(model.status) if model.status is not None else "unknown"
        status = getattr(model.status, "value", status)
        details = model.status_details
        reason = getattr(details, "reason", None)
        end: Attributes = {
            VL.RESPONSE_STATUS: status,
            ATTR_FINISH_REASONS: (str(reason or status),),
            VL.RESPONSE_AUDIO_BYTES: response.audio_bytes,
        }
        if reason:
            end[VL.RESPONSE_STATUS_REASON] = str(reason)
        if response.interrupted:
            end[VL.RESPONSE_INTERRUPTED] = True
        if response.first_text is not None:
            end[VL.RESPONSE_TIME_TO_FIRST_TEXT] = _seconds(response.start, response.first_text)
        if response.first_audio is not None:
            end[VL.RESPONSE_TIME_TO_FIRST_AUDIO] = _seconds(response.start, response.first_audio)
        self._record_usage(end, model.usage)
        calls = self._record_output(span, end, model.output)
        error: str | None = None
        if status == "failed":
            failure = getattr(details, "error", None)
            error = _dumps(failure) if failure is not None else "response failed"
            error_type = failure.get("type") if isinstance(failure, Mapping) else None
            end[ATTR_ERROR_TYPE] = str(error_type or "failed")
            span.set_status(Status(StatusCode.ERROR, error))
        span.set_attributes(end)
        span.end(end_time=self._wall(now))
        attributes = self._status_attrs.get(status)
        if attributes is None:
            attributes = {**self._base, VL.RESPONSE_STATUS: status}
            self._status_attrs[status] = attributes
        self._telemetry.response_duration.record(_seconds(response.start, now), attributes)
        turn = response.turn
        if turn is not None and not turn.ended:
            turn.active -= 1
            if turn.active == 0:
                if calls and status == "completed":
                    turn.awaiting_followup = True  # the tool result's response joins this turn
                else:
                    self._end_turn(turn, now, status, error)

    def _record_usage(self, end: Attributes, usage: Any) -> None:
        if usage is None:
            return
        input_tokens = usage.input_tokens
        output_tokens = usage.output_tokens
        if input_tokens is not None:
            end[ATTR_USAGE_INPUT_TOKENS] = input_tokens
            self._telemetry.token_usage.record(input_tokens, self._token_attrs["input"])
        if output_tokens is not None:
            end[ATTR_USAGE_OUTPUT_TOKENS] = output_tokens
            self._telemetry.token_usage.record(output_tokens, self._token_attrs["output"])
        in_details = usage.input_token_details
        if in_details is not None:
            if in_details.audio_tokens is not None:
                end[VL.USAGE_INPUT_AUDIO_TOKENS] = in_details.audio_tokens
            if in_details.cached_tokens is not None:
                end[VL.USAGE_CACHED_TOKENS] = in_details.cached_tokens
        out_details = usage.output_token_details
        if out_details is not None and out_details.audio_tokens is not None:
            end[VL.USAGE_OUTPUT_AUDIO_TOKENS] = out_details.audio_tokens

    def _record_output(self, span: Span, end: Attributes, output: Any) -> int:
        """Function calls (count, names, one span event each) and, if opted in, the output."""
        names: list[str] = []
        parts: list[dict[str, Any]] = []
        for item in output or ():
            item_type = getattr(item, "type", None)
            if item_type == "function_call":
                name = str(item.name or "")
                names.append(name)
                event: Attributes = {ATTR_TOOL_NAME: name}
                if item.call_id:
                    event[ATTR_TOOL_CALL_ID] = str(item.call_id)
                if self._capture and item.arguments is not None:
                    event[ATTR_TOOL_CALL_ARGUMENTS] = str(item.arguments)
                span.add_event(VL.EV_TOOL_CALL, event)
                if self._capture:
                    parts.append(
                        {
                            "type": "tool_call",
                            "id": item.call_id,
                            "name": name,
                            "arguments": _maybe_json(item.arguments),
                        }
                    )
            elif item_type == "message" and self._capture:
                for part in getattr(item, "content", None) or ():
                    text = getattr(part, "text", None) or getattr(part, "transcript", None)
                    if text:
                        parts.append({"type": "text", "content": str(text)})
        end[VL.RESPONSE_FUNCTION_CALLS] = len(names)
        if names:
            end[VL.RESPONSE_FUNCTION_CALL_NAMES] = names
        if parts:
            end[ATTR_OUTPUT_MESSAGES] = _dumps([{"role": "assistant", "parts": parts}])
        return len(names)

    def _on_function_call_done(self, event: Any) -> None:
        response = self._responses.get(event.response_id)
        if response is not None and response.turn is not None:
            # The app may send the tool result and response.create before response.done.
            response.turn.awaiting_followup = True

    def _on_speech_started(self, event: Any) -> None:
        now = time.monotonic_ns()
        barge_in = False
        if self._responses:
            barge_in = True
            self._interruption_count += 1
            self._telemetry.interruptions.add(1, self._base)
            for response in self._responses.values():
                response.interrupted = True
                response.span.add_event(
                    VL.EV_INTERRUPTION,
                    {VL.ITEM_ID: str(event.item_id)},
                    timestamp=self._wall(now),
                )
        turn = self._begin_turn("speech", now)
        turn.item_id = str(event.item_id)
        turn.barge_in = barge_in

    def _on_speech_stopped(self, event: Any) -> None:
        turn = self._turn
        if turn is not None and not turn.ended and turn.input_end is None:
            now = time.monotonic_ns()
            turn.input_end = now
            turn.span.add_event(
                VL.EV_SPEECH_STOPPED,
                {VL.AUDIO_END_MS: int(event.audio_end_ms)},
                timestamp=self._wall(now),
            )

    def _on_item_created(self, event: Any) -> None:
        item = event.item
        if item is None:
            return
        item_type = getattr(item, "type", None)
        if item_type == "message" and getattr(item, "role", None) == "user":
            parts = getattr(item, "content", None) or ()
            texts = [
                str(part.text) for part in parts if getattr(part, "type", None) == "input_text"
            ]
            turn = self._pending_turn()
            if texts and turn is None:
                turn = self._begin_turn("text", time.monotonic_ns())
            if turn is None:
                return
            if turn.trigger == "response.create" and turn.item_id is None:
                # response.create went out before the server echoed the user item: name the
                # turn after its input, so triggers do not depend on that race.
                turn.trigger = "text" if texts else "audio"
                turn.span.set_attribute(VL.TURN_TRIGGER, turn.trigger)
            if turn.item_id is None and getattr(item, "id", None):
                turn.item_id = str(item.id)
            if self._capture and texts:
                turn.messages.append(
                    {"role": "user", "parts": [{"type": "text", "content": t} for t in texts]}
                )
        elif item_type == "function_call_output" and self._capture:
            turn = self._pending_turn()
            if turn is not None:
                turn.messages.append(
                    {
                        "role": "tool",
                        "parts": [
                            {
                                "type": "tool_call_response",
                                "id": getattr(item, "call_id", None),
                                "response": _maybe_json(getattr(item, "output", None)),
                            }
                        ],
                    }
                )

    def _on_transcription_completed(self, event: Any) -> None:
        if not self._capture:
            return
        message = {"role": "user", "parts": [{"type": "text", "content": str(event.transcript)}]}
        turn = self._turn_for_item(str(event.item_id))
        if turn is not None:
            turn.messages.append(message)
        else:  # the turn already ended: keep the transcript on the session span
            self._span.add_event(
                VL.EV_USER_TRANSCRIPT,
                {VL.ITEM_ID: str(event.item_id), ATTR_INPUT_MESSAGES: _dumps([message])},
            )

    def _on_transcription_failed(self, event: Any) -> None:
        error = event.error
        turn = self._turn_for_item(str(event.item_id))
        span = turn.span if turn is not None else self._span
        span.add_event(
            "exception",
            {
                "exception.type": f"voicelive.transcription.{error.type or error.code or 'failed'}",
                "exception.message": str(error.message or ""),
                VL.ITEM_ID: str(event.item_id),
            },
        )

    def _on_session(self, event: Any) -> None:
        session = event.session
        span = self._span
        if getattr(session, "id", None):
            span.set_attribute(VL.SESSION_ID, str(session.id))
        if getattr(session, "model", None):
            span.set_attribute(ATTR_RESPONSE_MODEL, str(session.model))
        voice = getattr(session, "voice", None)
        voice_name = getattr(voice, "name", None) if voice is not None else None
        if voice_name:
            span.set_attribute(VL.VOICE, str(voice_name))
        detection = getattr(session, "turn_detection", None)
        if detection is not None and getattr(detection, "type", None):
            span.set_attribute(VL.TURN_DETECTION, str(detection.type))
        instructions = getattr(session, "instructions", None)
        if self._capture and instructions:
            span.set_attribute(
                ATTR_SYSTEM_INSTRUCTIONS, _dumps([{"type": "text", "content": str(instructions)}])
            )

    def _on_error(self, event: Any) -> None:
        error = event.error
        error_type = str(error.type or "error")
        attributes: Attributes = {
            "exception.type": f"voicelive.{error_type}",
            "exception.message": str(error.message or ""),
        }
        if error.code:
            attributes[VL.ERROR_CODE] = str(error.code)
        if error.param:
            attributes[VL.ERROR_PARAM] = str(error.param)
        span = self._innermost()
        span.add_event("exception", attributes)
        if span is not self._span:
            span.set_attribute(ATTR_ERROR_TYPE, str(error.code or error_type))
            span.set_status(Status(StatusCode.ERROR, str(error.message or error_type)))

    # -- close ------------------------------------------------------------------------------

    def _on_close(self, code: int | None, reason: str) -> None:
        if self._closed:
            return
        self._closed = True
        self._finalizer.detach()
        now = time.monotonic_ns()
        abnormal = code is not None and code != 1000
        message = f"WebSocket closed with code {code}" + (f": {reason}" if reason else "")
        if code is None:
            message = reason or "connection closed"
        for response in list(self._responses.values()):
            response.span.set_attributes(
                {VL.RESPONSE_STATUS: "unfinished", VL.RESPONSE_AUDIO_BYTES: response.audio_bytes}
            )
            if abnormal:
                response.span.set_status(Status(StatusCode.ERROR, message))
            response.span.end(end_time=self._wall(now))
        self._responses.clear()
        for turn in list(self._open_turns):
            self._end_turn(turn, now, "closed", message if abnormal else None)
        span = self._span
        end: Attributes = {
            VL.TURNS: self._turns,
            VL.RESPONSES: self._response_count,
            VL.INTERRUPTIONS: self._interruption_count,
            VL.BYTES_RECEIVED: self._bytes_in,
            VL.BYTES_SENT: self._bytes_out,
        }
        if code is not None:
            end[VL.CLOSE_CODE] = code
        if reason:
            end[VL.CLOSE_REASON] = reason
        if abnormal:
            end[ATTR_ERROR_TYPE] = str(code)
            span.set_status(Status(StatusCode.ERROR, message))
        if self._official is not None:
            self._official.on_close()
        span.set_attributes(end)
        span.end(end_time=self._wall(now))
        self._telemetry.sessions_active.add(-1, self._base)
        self._telemetry._retire(self)


_SEND_TRIGGERS = frozenset({"response.create", "input_audio.turn.start", "input_audio.turn.end"})

_HANDLERS: dict[str, Callable[[SessionObserver, Any], None]] = {
    "response.created": SessionObserver._on_response_created,
    "response.done": SessionObserver._on_response_done,
    "response.function_call_arguments.done": SessionObserver._on_function_call_done,
    "input_audio_buffer.speech_started": SessionObserver._on_speech_started,
    "input_audio_buffer.speech_stopped": SessionObserver._on_speech_stopped,
    "conversation.item.created": SessionObserver._on_item_created,
    "conversation.item.input_audio_transcription.completed": (
        SessionObserver._on_transcription_completed
    ),
    "conversation.item.input_audio_transcription.failed": SessionObserver._on_transcription_failed,
    "session.created": SessionObserver._on_session,
    "session.updated": SessionObserver._on_session,
    "error": SessionObserver._on_error,
}
