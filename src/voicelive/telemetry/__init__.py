"""OpenTelemetry traces and metrics per session, user turn and response (opt-in).

Install the extra (``pip install "voicelive[telemetry]"``, i.e. ``opentelemetry-api``) and
turn it on once::

    from voicelive import telemetry
    telemetry.instrument()          # every connection opened afterwards is observed

or for one connection: ``telemetry.observe(conn)``. Nothing is patched: ``instrument()``
registers a connection-open hook (``voicelive.aio._hooks``) and each observed connection gets
a frame, a send and a close observer. Without ``instrument()`` / ``observe()`` no observer
exists and opentelemetry is never imported; importing this package does not import it either.

Code written for the official SDK keeps working: ``VoiceLiveInstrumentor().instrument()``
(same methods and arguments, same environment switches) does the same as ``instrument()``.

Spans: one per connection, one per user turn, one per response (never one per audio frame,
unless ``official_spans=True`` asks for the official SDK's per-message span names too).
Metrics: latency to first audio, time to first text, response duration, interruptions,
reconnects, bytes and events by type, token usage. Message content (transcripts,
instructions, tool arguments) only with ``capture_content=True`` (or the environment
variable ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``); audio and credentials
never. Names and semantics: docs/observability.md.
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import TYPE_CHECKING, Any

from .._logging import get_logger
from ..aio import _hooks
from ._names import (
    CONTENT_ENV_VAR,
    LEGACY_CONTENT_ENV_VAR,
    OFFICIAL_SPANS_ENV_VAR,
    SYSTEM,
    TRACING_GATE_ENV_VAR,
    VL,
)

if TYPE_CHECKING:
    from ..aio import VoiceLiveConnection
    from ._observer import SessionObserver, Telemetry

__all__ = [
    "SessionObserver",
    "VoiceLiveInstrumentor",
    "instrument",
    "is_instrumented",
    "observe",
    "record_reconnect",
    "uninstrument",
]

_log = get_logger("telemetry")

_INSTALL_HINT = (
    "voicelive.telemetry needs the OpenTelemetry API: pip install 'voicelive[telemetry]' "
    "(and an OpenTelemetry SDK or distro to export anything)"
)


class _Instrumentation:
    __slots__ = ("capture_content", "official_spans", "telemetry")

    def __init__(self, telemetry: Telemetry, capture_content: bool, official_spans: bool) -> None:
        self.telemetry = telemetry
        self.capture_content = capture_content
        self.official_spans = official_spans


_lock = threading.Lock()
_state: _Instrumentation | None = None
_telemetries: dict[tuple[Any, Any], Telemetry] = {}
_observers: weakref.WeakKeyDictionary[VoiceLiveConnection, SessionObserver] = (
    weakref.WeakKeyDictionary()
)


def _observer_module() -> Any:
    try:
        from . import _observer
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return _observer


def _telemetry_for(tracer_provider: Any, meter_provider: Any) -> Telemetry:
    module = _observer_module()
    key = (tracer_provider, meter_provider)
    with _lock:
        telemetry: Telemetry | None = _telemetries.get(key)
        if telemetry is None:
            telemetry = module.Telemetry(tracer_provider, meter_provider)
            _telemetries[key] = telemetry
        return telemetry


def _env_true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _capture(capture_content: bool | None) -> bool:
    if capture_content is not None:
        return bool(capture_content)
    return _env_true(CONTENT_ENV_VAR)


def _official_spans_on(official_spans: bool | None) -> bool:
    if official_spans is not None:
        return bool(official_spans)
    return _env_true(OFFICIAL_SPANS_ENV_VAR)


def _attach(
    connection: VoiceLiveConnection,
    info: _hooks.ConnectionInfo,
    telemetry: Telemetry,
    capture_content: bool,
    official_spans: bool,
) -> SessionObserver:
    existing = _observers.get(connection)
    if existing is not None:
        return existing
    module = _observer_module()
    observer: SessionObserver = module.SessionObserver(
        telemetry, connection, info, capture_content=capture_content, official_spans=official_spans
    )
    _observers[connection] = observer
    return observer


def _on_open(connection: VoiceLiveConnection, info: _hooks.ConnectionInfo) -> None:
    state = _state
    if state is not None:
        _attach(connection, info, state.telemetry, state.capture_content, state.official_spans)


def instrument(
    tracer_provider: Any = None,
    meter_provider: Any = None,
    capture_content: bool | None = None,
    *,
    official_spans: bool | None = None,
) -> None:
    """Observe every connection opened by :func:`voicelive.aio.connect` from now on.

    Calling it again replaces the configuration for connections opened afterwards.

    Args:
        tracer_provider: an OpenTelemetry ``TracerProvider``; default: the global one.
        meter_provider: an OpenTelemetry ``MeterProvider``; default: the global one.
        capture_content: record transcripts, instructions and tool arguments/results on the
            spans. ``None`` (default) reads ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``
            (off unless ``true``). Audio and credentials are never recorded.
        official_spans: also emit the official SDK's span names: the connection span is named
            ``connect`` and every message gets a ``send <type>`` / ``recv <type>`` span (plus
            ``close``), with its ``gen_ai.voice.*`` attributes; for span processors and
            dashboards built on those names. One span per audio frame, so off by default;
            ``None`` reads ``VOICELIVE_TELEMETRY_OFFICIAL_SPANS``.

    Raises:
        ImportError: ``opentelemetry-api`` is not installed.
    """
    global _state
    telemetry = _telemetry_for(tracer_provider, meter_provider)
    _state = _Instrumentation(
        telemetry, _capture(capture_content), _official_spans_on(official_spans)
    )
    _hooks.add_open_hook(_on_open)


def uninstrument() -> None:
    """Stop observing new connections (idempotent).

    Connections already observed keep their observers until they close, so their spans end
    consistently.
    """
    global _state
    _hooks.remove_open_hook(_on_open)
    _state = None


def is_instrumented() -> bool:
    """True between :func:`instrument` and :func:`uninstrument`."""
    return _state is not None


def observe(
    connection: VoiceLiveConnection,
    *,
    tracer_provider: Any = None,
    meter_provider: Any = None,
    capture_content: bool | None = None,
    official_spans: bool | None = None,
) -> SessionObserver:
    """Observe one already-open connection (explicit alternative to :func:`instrument`).

    Call it right after ``connect()``, before reading events. Observing a connection twice
    returns the first observer. Without providers, the ones given to :func:`instrument` (if
    active) or the global ones are used.

    Raises:
        ImportError: ``opentelemetry-api`` is not installed.
    """
    existing = _observers.get(connection)
    if existing is not None:
        return existing
    state = _state
    if tracer_provider is None and meter_provider is None and state is not None:
        telemetry = state.telemetry
    else:
        telemetry = _telemetry_for(tracer_provider, meter_provider)
    info = _hooks.ConnectionInfo(
        host=connection.host,
        port=None,
        model=connection.model,
        api_version="",
    )
    return _attach(
        connection, info, telemetry, _capture(capture_content), _official_spans_on(official_spans)
    )


def record_reconnect(
    connection: VoiceLiveConnection | None = None,
    *,
    previous: VoiceLiveConnection | None = None,
    attempt: int | None = None,
    reason: str | None = None,
) -> None:
    """Count a reconnect in ``voicelive.reconnects`` (for reconnecting wrappers).

    Safe to call whether or not telemetry is on (a no-op when off, and it never imports
    opentelemetry then). With ``connection`` (the new one) observed, the reconnect is also
    noted on its connection span, linked to ``previous``'s span when that was observed.

    Args:
        connection: the new connection.
        previous: the connection that was lost.
        attempt: 1 for the first attempt after a loss, 2 for the next, ...
        reason: a short, low-cardinality cause, e.g. ``"1006"`` or ``"timeout"``.
    """
    observer = _observers.get(connection) if connection is not None else None
    if observer is not None:
        before = _observers.get(previous) if previous is not None else None
        observer.record_reconnect(attempt, reason, before)
        return
    state = _state
    if state is not None:
        attributes: dict[str, str] = {"gen_ai.system": SYSTEM}
        if reason:
            attributes[VL.RECONNECT_REASON] = reason
        state.telemetry.reconnects.add(1, attributes)


def _official_content_switch() -> bool:
    """The official instrumentor's rule: the OTel variable, else the legacy one; both set
    and different -> off (with an error log)."""
    new = os.environ.get(CONTENT_ENV_VAR)
    old = os.environ.get(LEGACY_CONTENT_ENV_VAR)
    if new and old and new.strip().lower() != old.strip().lower():
        _log.error(
            "%s and %s are both set and differ; content recording stays off. Set only %s.",
            CONTENT_ENV_VAR,
            LEGACY_CONTENT_ENV_VAR,
            CONTENT_ENV_VAR,
        )
        return False
    value = new or old or ""
    return value.strip().lower() == "true"


class VoiceLiveInstrumentor:
    """The official SDK's instrumentor class, on voicelive's hooks (no monkeypatching).

    ``VoiceLiveInstrumentor().instrument()`` turns tracing on for every connection opened
    afterwards, exactly like :func:`instrument`; the state is process-wide, so any instance
    reports it. As in the official SDK, :meth:`instrument` does nothing unless the
    environment variable ``AZURE_EXPERIMENTAL_ENABLE_GENAI_TRACING`` is ``true``.

    Spans go to the global OpenTelemetry tracer provider (or ``tracer_provider``); the
    ``azure.core.settings.tracing_implementation`` setting the official samples make is
    accepted and not needed. Span names differ from the official per-message spans unless
    ``official_spans=True``; docs/migration.md maps one to the other.

    Raises:
        ModuleNotFoundError: (on construction) ``opentelemetry-api`` is not installed.
    """

    def __init__(self) -> None:
        try:
            _observer_module()
        except ImportError as exc:
            raise ModuleNotFoundError(_INSTALL_HINT) from exc

    def instrument(
        self,
        enable_content_recording: bool | None = None,
        *,
        tracer_provider: Any = None,
        meter_provider: Any = None,
        official_spans: bool | None = None,
    ) -> None:
        """Start tracing connections opened from now on (needs the environment gate).

        Args:
            enable_content_recording: record transcripts, instructions and tool arguments.
                ``None`` reads ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``, else
                ``AZURE_TRACING_GEN_AI_CONTENT_RECORDING_ENABLED`` (``true`` turns it on; both
                set and different: off). Audio and credentials are never recorded.
            tracer_provider: voicelive addition; default: the global provider.
            meter_provider: voicelive addition; default: the global provider.
            official_spans: voicelive addition, see :func:`instrument`.
        """
        if os.environ.get(TRACING_GATE_ENV_VAR, "").strip().lower() != "true":
            _log.debug(
                "VoiceLiveInstrumentor.instrument() ignored: set %s=true to enable tracing",
                TRACING_GATE_ENV_VAR,
            )
            return
        if enable_content_recording is None:
            enable_content_recording = _official_content_switch()
        instrument(
            tracer_provider,
            meter_provider,
            capture_content=enable_content_recording,
            official_spans=official_spans,
        )

    def uninstrument(self) -> None:
        """Stop tracing new connections (open ones finish their spans). Idempotent."""
        uninstrument()

    def is_instrumented(self) -> bool:
        """True while tracing is on (process-wide)."""
        return is_instrumented()

    def is_content_recording_enabled(self) -> bool:
        """True while tracing is on with message content recording."""
        state = _state
        return state is not None and state.capture_content


def __getattr__(name: str) -> Any:
    if name == "SessionObserver":
        return _observer_module().SessionObserver
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
