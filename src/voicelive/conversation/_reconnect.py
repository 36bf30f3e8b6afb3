"""Opt-in resilience: a connection that reconnects, restores the conversation and says so.

:class:`ResilientConnection` looks like a :class:`~voicelive.aio.VoiceLiveConnection` (the
same resource namespaces, ``send``, ``recv``, ``async for``, ``wait_for``, ``expect``,
``add_event_observer``) but survives the connection:

* **On an abnormal close or a network loss** (close codes 1001, 1006, 1011, 1012-1014, TCP
  drop; or an ``error`` of kind ``session_ended`` such as ``session_expired``) it reconnects
  with exponential backoff and jitter within a budget (:class:`ReconnectPolicy`). It stops on
  fatal cases: authentication failures, handshakes refused with 400/403/404/429, close 1008
  (policy violation), application close codes 4000-4999, ``error`` events of kind ``fatal``
  (``invalid_api_key``, ``insufficient_quota``, ...). See :mod:`._errors` for the tables.
* **It restores state** on the new connection before anyone else uses it: the session
  configuration (every ``session.update`` sent, merged), then the conversation items it knows
  from its :class:`~voicelive.conversation.ConversationView` -- text messages, user audio as
  its transcript, assistant audio as its transcript, function calls and their outputs. It
  cannot restore audio itself, user audio whose transcript is unknown, images, MCP or search
  items, or the response that was streaming when the connection dropped; those are reported
  in :attr:`Reconnected.lost`. With ``resume_response=True`` (default) a response that was
  cut off is requested again once the state is restored.
* **It tells the app**: a :class:`Reconnected` notification is delivered *in the event
  stream* (``event.type == "voicelive.reconnected"``) with ``state_restored``, the attempt
  count, the lost items and the new ids of the re-created items; the same object is passed to
  every callback in :attr:`ResilientConnection.on_reconnect` (telemetry hooks go there) and a
  :class:`Disconnected` to :attr:`ResilientConnection.on_disconnect` when a drop is detected.
* **It recycles proactively** before the session's ``expires_at`` (when the service reports
  it): ``recycle_before`` seconds ahead, at a moment no response is in progress, it opens and
  restores a new connection, switches to it and closes the old one with 1000.

Delivery guarantee: every event read from a connection before it dropped is delivered once,
in order, before the :class:`Reconnected` notification; the events of the restore handshake
(``session.created``, ``session.updated``, ``conversation.item.created`` of the re-created
items) are consumed by the wrapper and never delivered, so nothing is duplicated. Audio
appended while disconnected is dropped (counted in :attr:`ResilientConnection.dropped_appends`);
other sends wait for the new connection (up to ``send_timeout``).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import random as _random
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, overload

from .._logging import get_logger
from ..aio._resources import (
    ConversationResource,
    InputAudioBufferResource,
    InputAudioResource,
    InputTextResource,
    McpResource,
    OutputAudioBufferResource,
    ResponseResource,
    RtcResource,
    SessionResource,
    TranscriptionSessionResource,
)
from ..exceptions import (
    ConnectionClosed,
    ConnectionClosedError,
    ConnectionClosedOK,
    ServerError,
)
from ..models import (
    CLIENT_EVENT_ADAPTER,
    AssistantMessageItem,
    ClientEvent,
    ClientEventConversationItemCreate,
    ClientEventResponseCreate,
    ClientEventSessionUpdate,
    ConversationRequestItem,
    FunctionCallItem,
    FunctionCallOutputItem,
    InputTextContentPart,
    OutputTextContentPart,
    RequestSession,
    ResponseSession,
    ServerEvent,
    ServerEventBase,
    ServerEventError,
    ServerEventSessionUpdated,
    SystemMessageItem,
    UserMessageItem,
)
from ..models._client_events import ClientEventBase
from ._acks import MismatchPolicy, SessionMismatchError, compare_session, server_error_from
from ._conn import new_event_id
from ._errors import CloseKind, ErrorKind, classify_error, classify_exception
from ._transcript import ConversationView, TranscriptItem

if TYPE_CHECKING:
    from .._protocol import VoiceLiveProtocol
    from ..aio import VoiceLiveConnection

__all__ = [
    "Disconnected",
    "LostItem",
    "ReconnectFailedError",
    "ReconnectPolicy",
    "Reconnected",
    "ResilientConnection",
    "connect_resilient",
]

_log = get_logger("conversation.reconnect")
_E = TypeVar("_E", bound=ServerEventBase)
_APPEND = "input_audio_buffer.append"

ConnectionFactory = Callable[[], Awaitable["VoiceLiveConnection"]]
"""Opens a new connection (e.g. ``lambda: connect(endpoint=..., credential=...)``)."""


@dataclass(frozen=True)
class ReconnectPolicy:
    """How hard to try, and what counts as fatal.

    The delay before attempt ``n`` (1-based) of one outage is
    ``min(max_delay, base_delay * multiplier ** (n - 1))``, reduced by a random fraction up to
    ``jitter`` (1.0 = "full jitter": anywhere between 0 and the delay), so that many clients
    dropped at once do not reconnect in lockstep.

    Attributes:
        max_attempts: connection attempts per outage.
        base_delay, max_delay, multiplier, jitter: the backoff (seconds).
        max_elapsed: give up an outage after this many seconds (``None``: no limit).
        max_reconnects: successful reconnects allowed over the connection's life
            (``None``: no limit).
        restore_timeout: seconds for the restore handshake on a new connection.
        recoverable_close_codes / fatal_close_codes: override the close-code tables.
    """

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 15.0
    multiplier: float = 2.0
    jitter: float = 1.0
    max_elapsed: float | None = 120.0
    max_reconnects: int | None = None
    restore_timeout: float = 15.0
    recoverable_close_codes: frozenset[int] = frozenset()
    fatal_close_codes: frozenset[int] = frozenset()

    def delay(self, attempt: int, rand: float) -> float:
        """Seconds to wait before attempt ``attempt`` given a random number in [0, 1)."""
        raw = min(self.max_delay, self.base_delay * self.multiplier ** max(0, attempt - 1))
        return max(0.0, raw * (1.0 - self.jitter * rand))

    def classify(self, exc: BaseException) -> CloseKind:
        """The :class:`~voicelive.conversation.CloseKind` of a failure, with the overrides."""
        return classify_exception(
            exc, recoverable=self.recoverable_close_codes, fatal=self.fatal_close_codes
        )


@dataclass(frozen=True)
class LostItem:
    """A conversation item the reconnect could not re-create.

    Attributes:
        item_id: its id on the old connection.
        type: item type; role: message role (or ``None``).
        text: its text or transcript as far as known.
        reason: why it was not re-created.
    """

    item_id: str
    type: str
    role: str | None
    text: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class Reconnected:
    """In-stream notification (and ``on_reconnect`` argument) after a reconnect or recycle.

    Attributes:
        type: always ``"voicelive.reconnected"`` (not a wire event type).
        attempt: connection attempts this outage took (1 = first try worked).
        reconnects: reconnects so far over the connection's life.
        state_restored: the session configuration and every known completed item were
            re-applied (items of a response cut off by the drop are listed in ``lost`` but
            do not count: that response is requested again with ``resume_response``).
        session_restored: the session configuration was re-applied (or there was none).
        restored_items: how many items were re-created.
        lost: what could not be re-created (see the module docstring).
        item_ids: old item id -> id on the new connection, for re-created items.
        reason: what ended the old connection (e.g. ``"close 1006"``, ``"recycle"``).
        close_code: the old connection's close code, if any.
        recycled: True for a proactive recycle before ``expires_at``.
        resumed_response: a cut-off response was requested again.
        session: the session reported by the new connection.
        downtime: seconds between detecting the drop and being connected again.
    """

    type: Literal["voicelive.reconnected"] = "voicelive.reconnected"
    attempt: int
    reconnects: int
    state_restored: bool
    session_restored: bool
    restored_items: int
    lost: tuple[LostItem, ...] = ()
    item_ids: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""
    close_code: int | None = None
    recycled: bool = False
    resumed_response: bool = False
    session: ResponseSession | None = None
    downtime: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Disconnected:
    """Passed to ``on_disconnect`` callbacks when a connection is found dropped.

    Attributes:
        close_code: the close code (1006 for a network loss).
        reason: close reason or error text.
        will_retry: whether a reconnect follows.
        error: the exception that revealed the drop.
    """

    close_code: int | None
    reason: str
    will_retry: bool
    error: BaseException | None = None


class ReconnectFailedError(ConnectionClosedError):
    """Reconnecting gave up: attempts, time or reconnect budget exhausted.

    Attributes:
        attempts: attempts made in the last outage.
        last_error: the last failure (also ``__cause__``).
    """

    def __init__(
        self, code: int, reason: str, *, attempts: int, last_error: BaseException | None
    ) -> None:
        super().__init__(code, reason)
        self.attempts = attempts
        self.last_error = last_error


Callback = Callable[[Any], "Awaitable[None] | None"]
_Restored = tuple["ResponseSession | None", bool, dict[str, str], list[LostItem], bool, int]
"""(session, session restored, old -> new item ids, lost items, a response was cut off,
how many of the lost items belong to that response)."""


async def _close_quietly(conn: VoiceLiveConnection | None, code: int = 1000) -> None:
    if conn is not None:
        with contextlib.suppress(Exception):
            await conn.close(code)


class ResilientConnection:
    """A Voice Live connection that reconnects and restores the conversation (opt-in).

    Use :func:`connect_resilient` (same arguments as :func:`voicelive.aio.connect`), or build
    one from any factory of connections::

        conn = ResilientConnection(lambda: connect(endpoint=..., credential=...))

    Args:
        factory: opens a new :class:`~voicelive.aio.VoiceLiveConnection`.
        session: session configuration applied (``wait=True``) right after connecting; it
            is also the start of the configuration re-applied after a reconnect.
        policy: the backoff and budget (:class:`ReconnectPolicy`).
        restore_items: re-create the known conversation items after a reconnect.
        resume_response: request a response again when one was cut off by the drop.
        recycle_before: seconds before the session's ``expires_at`` to switch to a new
            connection (``None``: never).
        on_mismatch: what the restored ``session.updated`` echo check does.
        send_timeout: seconds a send waits for a reconnect before failing.
        sleep: injectable sleep for tests (default ``asyncio.sleep``).
        random: injectable jitter source for tests (default ``random.random``).
        clock: injectable monotonic clock for tests (default ``time.monotonic``).

    Attributes:
        on_reconnect: callbacks ``f(Reconnected)`` (sync or async) after each reconnect.
        on_disconnect: callbacks ``f(Disconnected)`` when a drop is detected.
        transcript: the :class:`~voicelive.conversation.ConversationView` used for restores.
        reconnects: successful reconnects so far.
        dropped_appends: audio appends dropped while disconnected.
    """

    def __init__(
        self,
        factory: ConnectionFactory,
        *,
        session: RequestSession | Mapping[str, Any] | None = None,
        policy: ReconnectPolicy | None = None,
        restore_items: bool = True,
        resume_response: bool = True,
        recycle_before: float | None = 60.0,
        on_mismatch: MismatchPolicy = "warn",
        send_timeout: float | None = 60.0,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        random: Callable[[], float] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._factory = factory
        self.policy = policy or ReconnectPolicy()
        self.restore_items = restore_items
        self.resume_response = resume_response
        self.recycle_before = recycle_before
        self.on_mismatch: MismatchPolicy = on_mismatch
        self.send_timeout = send_timeout
        self._sleep = sleep or asyncio.sleep
        self._random = random or _random.random
        self._clock = clock or time.monotonic
        self._initial_session = session
        self._session_config: dict[str, Any] = {}
        self.on_reconnect: list[Callback] = []
        self.on_disconnect: list[Callback] = []
        self.transcript = ConversationView()
        self.reconnects = 0
        self.dropped_appends = 0
        self._conn: VoiceLiveConnection | None = None
        self._restoring: VoiceLiveConnection | None = None
        self._connected = asyncio.Event()
        self._lock = asyncio.Lock()
        self._notices: deque[Reconnected] = deque()
        self._observers: list[Callable[[ServerEvent], None]] = []
        self._future_conns: dict[asyncio.Future[Any], VoiceLiveConnection] = {}
        self._active_response: str | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._fatal_error: ServerError | None = None
        self._session_ended = False
        self._final: BaseException | None = None
        self._closing = False
        self._expiry_key: tuple[VoiceLiveConnection, datetime] | None = None
        self._installed_at = 0.0
        self._recycle_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._observed: weakref.WeakSet[VoiceLiveConnection] = weakref.WeakSet()

        bound = cast("VoiceLiveConnection", self)
        self.session = SessionResource(bound)
        """``session.update`` (recorded and re-applied after reconnects) and avatar connect."""
        self.response = ResponseResource(bound)
        """``response.create`` / ``response.cancel``."""
        self.input_audio_buffer = InputAudioBufferResource(bound)
        """``input_audio_buffer.*`` (appends are dropped while disconnected)."""
        self.output_audio_buffer = OutputAudioBufferResource(bound)
        """``output_audio_buffer.clear``."""
        self.conversation = ConversationResource(bound)
        """``conversation.item.*``."""
        self.transcription_session = TranscriptionSessionResource(bound)
        """``transcription_session.update``."""
        self.input_audio = InputAudioResource(bound)
        """``input_audio.*`` (Voice Live turn-based audio)."""
        self.input_text = InputTextResource(bound)
        """``input_text.*``."""
        self.mcp = McpResource(bound)
        """MCP approvals."""
        self.rtc = RtcResource(bound)
        """WebRTC signalling."""

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("open" if self._connected.is_set() else "down")
        return f"<ResilientConnection {state} reconnects={self.reconnects}>"

    # ------------------------------------------------------------------ state

    @property
    def connection(self) -> VoiceLiveConnection:
        """The current underlying connection (it changes on reconnect: do not keep it)."""
        if self._conn is None:
            raise RuntimeError("the ResilientConnection is not open; use 'async with' or open()")
        return self._conn

    @property
    def protocol(self) -> VoiceLiveProtocol:
        """The current connection's protocol state (``protocol.session``)."""
        return self.connection.protocol

    @property
    def closed(self) -> bool:
        """True once closed for good (by :meth:`close` or a fatal/unrecoverable failure)."""
        return self._closing or self._final is not None

    @property
    def connected(self) -> bool:
        """True while a connection is up (False during a reconnect)."""
        return self._connected.is_set() and not self.closed

    @property
    def session_config(self) -> RequestSession:
        """The configuration re-applied after a reconnect: every ``session.update``, merged."""
        return RequestSession.model_validate(self._session_config)

    def __getattr__(self, name: str) -> Any:
        # Anything else (e.g. ``input_audio_format``) comes from the current connection.
        if name.startswith("__") or self.__dict__.get("_conn") is None:
            raise AttributeError(name)
        return getattr(self.__dict__["_conn"], name)

    # ------------------------------------------------------------------ lifecycle

    async def open(self) -> ResilientConnection:
        """Connect (retrying transient failures per the policy) and apply ``session``."""
        if self._conn is not None:
            return self
        conn, _, _ = await self._connect_with_retries(self._clock(), restore=False)
        self._install(conn)
        if self._initial_session is not None:
            await self.session.update(
                session=self._initial_session, wait=True, on_mismatch=self.on_mismatch
            )
        return self

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close for good (no reconnect)."""
        self._closing = True
        self._connected.set()  # wake waiting senders; they see the close
        for task in list(self._tasks):
            task.cancel()
        if self._recycle_task is not None:
            self._recycle_task.cancel()
        if self._conn is not None:
            await self._conn.close(code, reason)

    async def __aenter__(self) -> ResilientConnection:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def add_event_observer(self, observer: Callable[[ServerEvent], None]) -> None:
        """Call ``observer(event)`` for every event read, on every connection.

        Restore-handshake events are not observed (see the module docstring).
        """
        self._observers.append(observer)

    # ------------------------------------------------------------------ receiving

    async def recv(self) -> ServerEvent | Reconnected:
        """The next event, or a :class:`Reconnected` notification after a reconnect.

        Raises:
            ConnectionClosedOK: closed normally (by :meth:`close`, or the server with 1000).
            ConnectionClosedError: a fatal close, or :class:`ReconnectFailedError`.
        """
        while True:
            if self._notices:
                return self._notices.popleft()
            if self._final is not None:
                raise self._final
            conn = self.connection
            try:
                return await conn.recv()
            except ConnectionClosed as exc:
                if self._closing:  # closed on purpose: a normal end, whatever the socket saw
                    if isinstance(exc, ConnectionClosedOK):
                        raise
                    raise ConnectionClosedOK(1000, "closed") from exc
                if conn is not self._conn:
                    continue  # recycled: the next connection is already installed
                await self._on_drop(conn, exc)

    def __aiter__(self) -> AsyncIterator[ServerEvent | Reconnected]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[ServerEvent | Reconnected]:
        while True:
            try:
                event = await self.recv()
            except ConnectionClosedOK:
                return
            yield event

    @overload
    async def wait_for(
        self,
        event_type: type[_E],
        *,
        predicate: Callable[[_E], bool] | None = None,
        timeout: float | None = 30.0,
    ) -> _E: ...

    @overload
    async def wait_for(
        self,
        event_type: str,
        *,
        predicate: Callable[[ServerEvent], bool] | None = None,
        timeout: float | None = 30.0,
    ) -> ServerEvent: ...

    async def wait_for(
        self,
        event_type: type[Any] | str,
        *,
        predicate: Callable[[Any], bool] | None = None,
        timeout: float | None = 30.0,
    ) -> Any:
        """``wait_for`` on the current connection (raises ``ConnectionClosed`` if it drops)."""
        return await self.connection.wait_for(event_type, predicate=predicate, timeout=timeout)

    def expect(
        self, event_type: type[Any] | str, *, predicate: Callable[[Any], bool] | None = None
    ) -> asyncio.Future[Any]:
        """``expect`` on the current connection."""
        conn = self.connection
        future = conn.expect(event_type, predicate=predicate)
        self._future_conns[future] = conn
        return future

    async def wait_future(
        self, future: asyncio.Future[Any], *, timeout: float | None = 30.0
    ) -> Any:
        """``wait_future`` on the connection the future was registered with."""
        conn = self._future_conns.pop(future, None) or self.connection
        return await conn.wait_future(future, timeout=timeout)

    # ------------------------------------------------------------------ sending

    async def send(self, event: ClientEvent | Mapping[str, Any]) -> None:
        """Validate and send one client event on the current connection.

        ``session.update`` is recorded for restores. While disconnected, audio appends are
        dropped and other events wait for the reconnect (up to ``send_timeout``).
        """
        model: ClientEventBase = (
            event
            if isinstance(event, ClientEventBase)
            else CLIENT_EVENT_ADAPTER.validate_python(event)
        )
        self._record(model)
        await self._deliver(lambda conn: conn.send(cast("ClientEvent", model)), model.type)

    async def _send_event(self, event: ClientEventBase) -> None:
        self._record(event)
        await self._deliver(lambda conn: conn._send_event(event), event.type)

    async def _send_text(self, text: str, event_type: str) -> None:
        if event_type == "session.update":
            with contextlib.suppress(ValueError, KeyError, TypeError):
                self._merge_session(json.loads(text)["session"])
        await self._deliver(lambda conn: conn._send_text(text, event_type), event_type)

    async def _send_audio_append(self, audio: object, event_id: str | None) -> None:
        await self._deliver(lambda conn: conn._send_audio_append(audio, event_id), _APPEND)

    async def _send_audio_base64(self, audio: str, nbytes: int) -> None:
        await self._deliver(lambda conn: conn._send_audio_base64(audio, nbytes), _APPEND)

    def _record(self, event: ClientEventBase) -> None:
        if isinstance(event, ClientEventSessionUpdate):
            self._merge_session(event.session.to_wire_dict())

    def _merge_session(self, fields: Mapping[str, Any]) -> None:
        self._session_config.update(fields)

    async def _deliver(
        self, send: Callable[[VoiceLiveConnection], Awaitable[None]], event_type: str
    ) -> None:
        droppable = event_type == _APPEND
        deadline = None if self.send_timeout is None else time.monotonic() + self.send_timeout
        while True:
            if self._closing or self._final is not None:
                raise self._final or ConnectionClosedOK(1000, "closed")
            if not self._connected.is_set():
                if droppable:
                    self.dropped_appends += 1
                    return
                remaining = None if deadline is None else deadline - time.monotonic()
                try:
                    await asyncio.wait_for(self._connected.wait(), remaining)
                except asyncio.TimeoutError:
                    raise ConnectionClosedError(
                        1006,
                        f"still reconnecting after {self.send_timeout} s; {event_type} not sent",
                    ) from None
                continue
            conn = self.connection
            try:
                await send(conn)
                return
            except ConnectionClosed:
                if self._closing or self._final is not None:
                    raise
                if conn is self._conn:
                    self._connected.clear()  # broken; the reader will reconnect

    # ------------------------------------------------------------------ observing

    def _install(self, conn: VoiceLiveConnection) -> None:
        self._conn = conn
        self._installed_at = self._clock()
        self._observe_connection(conn)
        self._active_response = None
        self._idle.set()
        self._session_ended = False
        self._connected.set()

    def _observe_connection(self, conn: VoiceLiveConnection) -> None:
        if conn in self._observed:
            return
        self._observed.add(conn)

        def observe(event: ServerEvent) -> None:
            if conn is not self._restoring:
                self._observe(event)

        conn.add_event_observer(observe)

    def _observe(self, event: ServerEvent) -> None:
        self.transcript.observe(event)
        if event.type == "response.created":
            self._active_response = (event.response and event.response.id) or "?"
            self._idle.clear()
        elif event.type == "response.done":
            self._active_response = None
            self._idle.set()
        elif event.type in ("session.created", "session.updated"):
            if event.session is not None:  # a frame may leave the session out
                self._note_expiry(event.session.expires_at)
        elif event.type == "error":
            kind = classify_error(event)
            if kind is ErrorKind.FATAL:
                self._fatal_error = server_error_from(event, "session")
            elif kind is ErrorKind.SESSION_ENDED and self._conn is not None:
                self._session_ended = True
                self._spawn(self._recycle(self._conn, reason=f"error {event.error.code}"))
        for observer in self._observers:
            try:
                observer(event)
            except Exception:
                _log.exception("event observer %r raised; ignored", observer)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _note_expiry(self, expires_at: datetime | None) -> None:
        target = self._conn
        if expires_at is None or self.recycle_before is None or target is None:
            return
        if (target, expires_at) == self._expiry_key:
            return
        self._expiry_key = (target, expires_at)
        if self._recycle_task is not None and self._recycle_task is not asyncio.current_task():
            self._recycle_task.cancel()
        self._recycle_task = asyncio.ensure_future(self._recycle_at(expires_at, target))

    async def _recycle_at(self, expires_at: datetime, target: VoiceLiveConnection) -> None:
        assert self.recycle_before is not None
        remaining = (expires_at - datetime.now(timezone.utc)).total_seconds()
        fresh = self.reconnects > 0 and self._clock() - self._installed_at < 1.0
        if remaining <= self.recycle_before and fresh:
            # Just replaced, and already expiring: another one would not last longer.
            _log.warning(
                "the session expires in %.1f s, within recycle_before=%s; not recycling",
                remaining,
                self.recycle_before,
            )
            return
        await asyncio.sleep(max(0.0, remaining - self.recycle_before))
        # Wait for a quiet moment (no response streaming), but not past half the margin.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._idle.wait(), max(0.0, self.recycle_before / 2))
        await self._recycle(target, reason="recycle before expires_at")

    # ------------------------------------------------------------------ reconnecting

    async def _on_drop(self, conn: VoiceLiveConnection, exc: ConnectionClosed) -> None:
        async with self._lock:
            if conn is not self._conn:
                return
            kind = self.policy.classify(exc)
            if self._session_ended and kind is CloseKind.NORMAL:
                kind = CloseKind.RECOVERABLE
            if self._fatal_error is not None:
                kind = CloseKind.FATAL
            budget_left = (
                self.policy.max_reconnects is None or self.reconnects < self.policy.max_reconnects
            )
            will_retry = kind is CloseKind.RECOVERABLE and budget_left
            await self._notify(
                self.on_disconnect,
                Disconnected(
                    close_code=exc.code, reason=exc.reason, will_retry=will_retry, error=exc
                ),
            )
            if not will_retry:
                if kind is CloseKind.NORMAL:
                    self._final = exc
                elif self._fatal_error is not None:
                    self._final = ConnectionClosedError(
                        exc.code, f"{exc.reason or 'closed'} after {self._fatal_error}"
                    )
                    self._final.__cause__ = self._fatal_error
                elif not budget_left:
                    self._final = ReconnectFailedError(
                        exc.code, "reconnect budget exhausted", attempts=0, last_error=exc
                    )
                else:
                    self._final = exc
                self._connected.set()  # wake senders
                raise self._final
            self._connected.clear()
            started = self._clock()
            try:
                new, attempt, restored = await self._connect_with_retries(started, restore=True)
            except BaseException as error:
                self._final = error
                self._connected.set()
                raise
            assert restored is not None
            await self._switch(
                new,
                restored,
                attempt=attempt,
                reason=f"close {int(exc.code)}" + (f": {exc.reason}" if exc.reason else ""),
                close_code=int(exc.code),
                started=started,
            )
            await _close_quietly(conn)  # release the dropped connection's resources

    async def _recycle(self, target: VoiceLiveConnection, *, reason: str) -> None:
        try:
            async with self._lock:
                if target is not self._conn or self.closed:
                    return
                started = self._clock()
                new, attempt, restored = await self._connect_with_retries(started, restore=True)
                assert restored is not None
                old = self._conn
                await self._switch(
                    new, restored, attempt=attempt, reason=reason, close_code=None, started=started
                )
                await _close_quietly(old)
        except asyncio.CancelledError:
            raise
        except Exception:
            _log.warning(
                "proactive reconnect failed; staying on the current connection", exc_info=True
            )

    async def _connect_with_retries(
        self, started: float, *, restore: bool
    ) -> tuple[VoiceLiveConnection, int, _Restored | None]:
        policy = self.policy
        attempt = 0
        last_error: BaseException | None = None
        while True:
            attempt += 1
            elapsed = self._clock() - started
            if attempt > policy.max_attempts or (
                policy.max_elapsed is not None and elapsed > policy.max_elapsed
            ):
                code = last_error.code if isinstance(last_error, ConnectionClosed) else 1006
                raise ReconnectFailedError(
                    code,
                    f"gave up after {attempt - 1} attempts in {elapsed:.1f} s: {last_error}",
                    attempts=attempt - 1,
                    last_error=last_error,
                ) from last_error
            if restore or attempt > 1:
                delay = policy.delay(attempt, self._random())
                if delay > 0:
                    await self._sleep(delay)
            conn: VoiceLiveConnection | None = None
            try:
                conn = await self._factory()
                restored = None
                if restore:
                    self._restoring = conn
                    self._observe_connection(conn)
                    restored = await asyncio.wait_for(self._restore(conn), policy.restore_timeout)
                return conn, attempt, restored
            except asyncio.CancelledError:
                await _close_quietly(conn)
                raise
            except Exception as error:
                await _close_quietly(conn)
                if isinstance(error, SessionMismatchError) or policy.classify(error) is (
                    CloseKind.FATAL
                ):
                    raise
                _log.info("reconnect attempt %d failed: %s", attempt, error)
                last_error = error
            finally:
                self._restoring = None

    async def _switch(
        self,
        new: VoiceLiveConnection,
        restored: _Restored,
        *,
        attempt: int,
        reason: str,
        close_code: int | None,
        started: float,
    ) -> None:
        session, session_ok, id_map, lost, interrupted, cut_off = restored
        for old_id, new_id in id_map.items():
            self.transcript.rename(old_id, new_id)
        for item in lost:
            self.transcript.remove(item.item_id)
        self._install(new)
        self.reconnects += 1
        if session is not None:  # its session.created was consumed by the restore
            self._note_expiry(session.expires_at)
        resumed = False
        if interrupted and self.resume_response:
            await new.send(ClientEventResponseCreate())
            resumed = True
        notice = Reconnected(
            attempt=attempt,
            reconnects=self.reconnects,
            state_restored=session_ok and len(lost) == cut_off,
            session_restored=session_ok,
            restored_items=len(id_map),
            lost=tuple(lost),
            item_ids=dict(id_map),
            reason=reason,
            close_code=close_code,
            recycled=close_code is None,
            resumed_response=resumed,
            session=session,
            downtime=self._clock() - started,
        )
        self._notices.append(notice)
        _log.info(
            "reconnected (%s) after %d attempt(s); restored %d items, lost %d",
            reason,
            attempt,
            len(id_map),
            len(lost),
        )
        await self._notify(self.on_reconnect, notice)

    async def _notify(self, callbacks: list[Callback], notice: Any) -> None:
        for callback in list(callbacks):
            try:
                result = callback(notice)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                _log.exception("reconnect callback %r raised; ignored", callback)

    # ------------------------------------------------------------------ restoring

    async def _restore(self, conn: VoiceLiveConnection) -> _Restored:
        """Re-apply session and items on ``conn``, consuming the handshake events."""
        created = await _read_until(conn, lambda e: e.type == "session.created")
        session: ResponseSession | None = getattr(created, "session", None)
        session_ok = True
        if self._session_config:
            request = RequestSession.model_validate(self._session_config)
            event_id = new_event_id()
            await conn.send(ClientEventSessionUpdate(session=request, event_id=event_id))
            answer = await _read_until(conn, _reply_or_error("session.updated", event_id))
            if isinstance(answer, ServerEventError):
                session_ok = False
                _log.warning("restoring the session failed: %s", answer.error.message)
            elif isinstance(answer, ServerEventSessionUpdated):
                session = answer.session
                mismatches = (
                    compare_session(request, answer.session) if answer.session is not None else []
                )
                if mismatches and self.on_mismatch != "ignore":
                    session_ok = self.on_mismatch != "raise"
                    _log.warning("restored session differs: %s", "; ".join(map(str, mismatches)))
        id_map: dict[str, str] = {}
        lost: list[LostItem] = []
        interrupted = self._active_response is not None
        if not self.restore_items:
            return session, session_ok, id_map, lost, interrupted, 0
        plan: list[tuple[TranscriptItem, ConversationRequestItem, str]] = []
        cut_off = 0
        for item in self.transcript.items:
            if interrupted and item.response_id == self._active_response:
                lost.append(_lost(item, "its response was cut off by the drop"))
                cut_off += 1
                continue
            request_item = _request_item(item)
            if isinstance(request_item, str):
                lost.append(_lost(item, request_item))
                continue
            plan.append((item, request_item, new_event_id()))
        for _, request_item, event_id in plan:
            await conn.send(ClientEventConversationItemCreate(item=request_item, event_id=event_id))
        waiting = {event_id: item for item, _, event_id in plan}
        order = [event_id for _, _, event_id in plan]
        while waiting:
            event = await _read_until(
                conn,
                lambda e: (
                    e.type == "conversation.item.created"
                    or (e.type == "error" and e.error.event_id in waiting)
                ),
            )
            if event.type == "error":
                failed = waiting.pop(event.error.event_id or "")
                order.remove(event.error.event_id or "")
                lost.append(_lost(failed, f"re-creating it failed: {event.error.message}"))
                continue
            event_id = order.pop(0)
            source = waiting.pop(event_id)
            if event.type == "conversation.item.created" and event.item and event.item.id:
                id_map[source.id] = event.item.id
        return session, session_ok, id_map, lost, interrupted, cut_off


def _reply_or_error(reply_type: str, event_id: str) -> Callable[[ServerEvent], bool]:
    def matches(event: ServerEvent) -> bool:
        if event.type == "error":
            return event.error.event_id == event_id
        return event.type == reply_type

    return matches


async def _read_until(
    conn: VoiceLiveConnection, matches: Callable[[ServerEvent], bool]
) -> ServerEvent:
    while True:
        event = await conn.recv()
        if matches(event):
            return event
        _log.debug("restore: skipped %s", event.type)


def _lost(item: TranscriptItem, reason: str) -> LostItem:
    return LostItem(item_id=item.id, type=item.type, role=item.role, text=item.text, reason=reason)


def _request_item(item: TranscriptItem) -> ConversationRequestItem | str:
    """The request item re-creating ``item``, or why it cannot be re-created."""
    if item.type == "function_call":
        if not (item.name and item.call_id):
            return "function call without name or call_id"
        return FunctionCallItem(
            name=item.name, call_id=item.call_id, arguments=item.arguments or "{}"
        )
    if item.type == "function_call_output":
        if not item.call_id:
            return "function output without call_id"
        return FunctionCallOutputItem(call_id=item.call_id, output=item.output or "")
    if item.type != "message":
        return f"{item.type} items cannot be re-created"
    texts: list[str] = []
    for part in item.parts:
        if part.type in ("input_text", "text"):
            texts.append(part.text)
        elif part.is_audio:
            if not part.transcript:
                return "audio without a transcript cannot be re-created"
            texts.append(part.transcript)
        else:
            return f"{part.type} content cannot be re-created"
    if not texts or not "".join(texts):
        return "empty message"
    if item.role == "assistant":
        return AssistantMessageItem(content=[OutputTextContentPart(text="".join(texts))])
    parts = [InputTextContentPart(text=text) for text in texts if text]
    if item.role == "system":
        return SystemMessageItem(content=parts)
    if item.role == "user":
        return UserMessageItem(content=parts)
    return f"message with role {item.role!r} cannot be re-created"


def connect_resilient(
    *,
    session: RequestSession | Mapping[str, Any] | None = None,
    policy: ReconnectPolicy | None = None,
    restore_items: bool = True,
    resume_response: bool = True,
    recycle_before: float | None = 60.0,
    on_mismatch: MismatchPolicy = "warn",
    send_timeout: float | None = 60.0,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    random: Callable[[], float] | None = None,
    clock: Callable[[], float] | None = None,
    **connect_kwargs: Any,
) -> ResilientConnection:
    """A :class:`ResilientConnection` over :func:`voicelive.aio.connect` (use ``async with``).

    The keywords before ``connect_kwargs`` are :class:`ResilientConnection`'s (see there);
    ``connect_kwargs`` are :func:`~voicelive.aio.connect`'s arguments (``endpoint``,
    ``credential``, ``model``, ...); they are checked when the first connection opens.
    """
    from ..aio import connect

    arguments = locals()
    options = {name: arguments[name] for name in _RESILIENT_OPTIONS}

    def factory() -> Awaitable[VoiceLiveConnection]:
        return cast("Awaitable[VoiceLiveConnection]", connect(**connect_kwargs))

    return ResilientConnection(factory, **options)


# ResilientConnection's keyword-only options are the one definition of what connect_resilient
# keeps for itself; the rest goes to connect(). A test pins that the two signatures agree.
_RESILIENT_OPTIONS: tuple[str, ...] = tuple(
    name
    for name, parameter in inspect.signature(ResilientConnection.__init__).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY
)
