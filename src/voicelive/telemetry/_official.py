"""Optional spans named like the official ``azure-ai-voicelive`` instrumentor's.

Off by default. With ``official_spans=True`` (or ``VOICELIVE_TELEMETRY_OFFICIAL_SPANS=true``)
an observed connection also gets one short span per WebSocket message, ``send <type>`` and
``recv <type>``, and a ``close`` span, all children of the connection span (which is then
named ``connect``), with the official ``gen_ai.voice.*`` attributes. It exists so a span
processor or dashboard keyed on those names keeps working after porting; it costs one span
per audio frame, which is why voicelive's own tree does not do this. Like the official
instrumentor, text and transcript deltas get no ``recv`` span.

Imported by :mod:`._observer` only (so opentelemetry is already importable).
"""

from __future__ import annotations

import time
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Tracer
from opentelemetry.util.types import AttributeValue

from ._names import (
    ATTR_AZ_NAMESPACE,
    ATTR_OPERATION_NAME,
    ATTR_PROVIDER_NAME,
    ATTR_REQUEST_MODEL,
    ATTR_SERVER_ADDRESS,
    ATTR_SERVER_PORT,
    ATTR_SYSTEM,
    AZ_NAMESPACE,
    OFFICIAL,
    PROVIDER_NAME,
    SYSTEM,
)

__all__ = ["OfficialSpans"]

_SKIPPED_RECV = frozenset({"response.text.delta", "response.audio_transcript.delta"})
_NO_CONTENT = frozenset({"response.audio.delta", "input_audio_buffer.append"})


class OfficialSpans:
    """Per-message ``send``/``recv`` spans and the ``close`` span for one connection."""

    def __init__(
        self,
        tracer: Tracer,
        parent: Span,
        *,
        host: str,
        port: int | None,
        model: str | None,
        capture_content: bool,
    ) -> None:
        self._tracer = tracer
        self._context = trace.set_span_in_context(parent)
        self._parent = parent
        self._capture = capture_content
        base: dict[str, AttributeValue] = {
            ATTR_AZ_NAMESPACE: AZ_NAMESPACE,
            ATTR_PROVIDER_NAME: PROVIDER_NAME,
            ATTR_SYSTEM: SYSTEM,
        }
        if host:
            base[ATTR_SERVER_ADDRESS] = host
        if port is not None:
            base[ATTR_SERVER_PORT] = port
        if model:
            base[ATTR_REQUEST_MODEL] = model
        self._base = base
        self.responses_done = 0
        self.cancels_sent = 0
        self.audio_bytes_received = 0

    def _span(
        self,
        operation: str,
        name: str,
        extra: dict[str, AttributeValue],
        event: str | None,
        content: str | None = None,
    ) -> None:
        now = time.time_ns()
        span = self._tracer.start_span(
            name,
            context=self._context,
            kind=SpanKind.CLIENT,
            attributes={**self._base, ATTR_OPERATION_NAME: operation, **extra},
            start_time=now,
        )
        if event is not None:
            attributes: dict[str, AttributeValue] = {ATTR_SYSTEM: SYSTEM}
            event_type = extra.get(OFFICIAL.EVENT_TYPE)
            if event_type is not None:
                attributes[OFFICIAL.EVENT_TYPE] = event_type
            if content is not None:
                attributes[OFFICIAL.EVENT_CONTENT] = content
            span.add_event(event, attributes, timestamp=now)
        span.end(end_time=now)

    def on_send(self, event_type: str, size: int) -> None:
        """Send observer: one ``send <type>`` span (no content: the frame is not kept)."""
        if event_type == "response.cancel":
            self.cancels_sent += 1
        self._span(
            "send",
            f"send {event_type}",
            {OFFICIAL.EVENT_TYPE: event_type, OFFICIAL.MESSAGE_SIZE: size},
            OFFICIAL.EV_INPUT_MESSAGES,
        )

    def on_frame(self, event: Any, size: int) -> None:
        """Frame observer: one ``recv <type>`` span per received event but text deltas."""
        event_type = getattr(event, "raw_type", None) or event.type
        if event_type in _SKIPPED_RECV:
            return
        if event_type == "response.audio.delta":
            self.audio_bytes_received += len(event.delta)
        elif event_type == "response.done":
            self.responses_done += 1
        elif event_type in ("session.created", "session.updated"):
            session_id = getattr(getattr(event, "session", None), "id", None)
            if session_id:
                self._base[OFFICIAL.SESSION_ID] = str(session_id)
                self._parent.set_attribute(OFFICIAL.SESSION_ID, str(session_id))
        extra: dict[str, AttributeValue] = {
            OFFICIAL.EVENT_TYPE: event_type,
            OFFICIAL.MESSAGE_SIZE: size,
        }
        content: str | None = None
        if self._capture and event_type not in _NO_CONTENT:
            to_json = getattr(event, "to_wire_json", None)
            if to_json is not None:
                content = to_json()
        self._span("recv", f"recv {event_type}", extra, OFFICIAL.EV_OUTPUT_MESSAGES, content)

    def on_close(self) -> None:
        """Before the connection span ends: the ``close`` span and the official counters."""
        self._span("close", "close", {}, None)
        totals = {
            OFFICIAL.TURN_COUNT: self.responses_done,
            OFFICIAL.INTERRUPTION_COUNT: self.cancels_sent,
            OFFICIAL.AUDIO_BYTES_RECEIVED: self.audio_bytes_received,
        }
        self._parent.set_attributes({k: v for k, v in totals.items() if v})
