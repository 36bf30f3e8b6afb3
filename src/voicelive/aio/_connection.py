"""``VoiceLiveConnection``: one Voice Live WebSocket session.

Delivery model (what a reviewer should know):

* There is **one reader at a time**. ``recv()`` / ``async for`` read the next frame from the
  socket and decode it with the shared protocol core. Concurrent ``recv()`` calls are
  serialized (each gets a different event) instead of crashing.
* ``wait_for()`` *observes* events, it does not consume them: every event it reads on its own
  (because no one else is reading) is queued and later returned, in order, by ``recv()`` /
  ``async for``. So ``await conn.wait_for(...)`` before or inside an ``async for`` loop never
  makes the loop miss an event. The queue is bounded (``max_pending_events``); past the bound
  the oldest queued event is dropped and a warning is logged once.
* Sends are serialized by a lock: concurrent ``send`` calls from many tasks never interleave
  frames, and each task's frames leave in that task's order.

Close semantics: ``async for`` ends quietly on close code 1000 (either side) and raises
:class:`~voicelive.exceptions.ConnectionClosedError` on any other close; ``recv()`` raises the
matching ``ConnectionClosed`` subclass in both cases.

Cancellation safety: cancelling ``send`` either sends the whole frame or nothing; cancelling
``recv`` / ``wait_for`` never loses a frame that was already read (it is queued for the next
reader); cancelling ``close`` still releases the owned aiohttp session.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections import deque
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from .._base64 import b64decode_strict
from .._logging import get_logger
from .._protocol import Side, VoiceLiveProtocol
from ..audio._formats import AudioFormat, AudioFormatError
from ..exceptions import (
    ConnectionClosed,
    ConnectionClosedOK,
    LocalProtocolError,
    ReceiveTimeoutError,
    RemoteProtocolError,
    WaitTimeoutError,
)
from ..models import ClientEvent, ServerEvent, ServerEventBase, ServerEventResponseAudioDelta
from ..models._client_events import ClientEventBase
from . import _hooks
from ._resources import (
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
from ._transport import _BINARY, _TEXT, frame_data

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from ..audio._wire import WireEncoder
    from ._transport import ClientTransport

__all__ = ["VoiceLiveConnection"]

_log = get_logger("connection")
_E = TypeVar("_E", bound=ServerEventBase)

MAX_APPEND_BYTES = 15 * 1024 * 1024
"""Largest audio payload of one ``input_audio_buffer.append`` the service accepts (15 MiB)."""

EventMatcher = Callable[[ServerEventBase], bool]

_APPEND = "input_audio_buffer.append"
_APPEND_PREFIX = '{"type":"input_audio_buffer.append","audio":"'


class _Gate:
    """Who may read (or send on) the socket now: a FIFO lock whose uncontended path never
    awaits.

    ``recv()`` in an ``async for`` loop takes it synchronously (``busy = True``) when free,
    which saves a coroutine and a lock round trip per event. When busy, ``enter()`` queues;
    ``leave()`` hands ownership straight to the first live waiter (``busy`` stays True), so a
    tight reading loop cannot starve a queued ``wait_for`` or a second ``recv()``.
    """

    __slots__ = ("_waiters", "busy")

    def __init__(self) -> None:
        self.busy = False
        self._waiters: deque[asyncio.Future[None]] | None = None  # created when contended

    async def enter(self) -> None:
        if not self.busy:
            self.busy = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = deque()
        self._waiters.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.leave()  # ownership was handed to us as we were cancelled: pass it on
            raise

    def leave(self) -> None:
        waiters = self._waiters
        while waiters:  # None or empty: nobody queued
            future = waiters.popleft()
            if not future.done():
                future.set_result(None)
                return
        self.busy = False


class _Waiter:
    __slots__ = ("future", "matches")

    def __init__(self, matches: EventMatcher, future: asyncio.Future[ServerEvent]) -> None:
        self.matches = matches
        self.future = future


class VoiceLiveConnection:
    """An open Voice Live realtime session. Create it with :func:`voicelive.aio.connect`.

    Resource namespaces (each method validates, then sends one client event):
    ``session``, ``response``, ``input_audio_buffer``, ``output_audio_buffer``,
    ``conversation`` (with ``.item``), ``transcription_session``, and for the Voice
    Live-only events ``input_audio`` (turn-based audio), ``input_text``, ``mcp``, ``rtc``.
    """

    def __init__(
        self,
        transport: ClientTransport,
        protocol: VoiceLiveProtocol,
        *,
        host: str = "",
        model: str | None = None,
        max_pending_events: int = 1000,
    ) -> None:
        if protocol.side is not Side.CLIENT:
            raise ValueError("VoiceLiveConnection needs a client-side protocol")
        self._transport = transport
        self._protocol = protocol
        # Frames awaited straight from aiohttp (see __anext__) unless a receive_timeout is set
        # (or the transport is a stand-in that only offers receive(), as benchmarks use).
        self._fast_receive = getattr(transport, "receive_timeout", 0) is None and hasattr(
            transport, "next_message"
        )
        self._host = host
        self._model = model
        # Sends are serialized by a gate created only when two sends overlap: most
        # connections never have concurrent senders, and each open connection's objects are
        # walked by every full garbage collection.
        self._sending = False
        self._send_gate: _Gate | None = None
        # The same for reading (recv, async for, wait_for): a flag until two readers overlap.
        self._reading = False
        self._read_gate: _Gate | None = None
        # Per-connection state is created on first use: a server holding thousands of
        # connections pays for (and garbage-collects) only what each one actually uses.
        # Events (and bad-frame errors) read by wait_for() for recv()/async for, in order.
        self._pending: deque[ServerEvent | RemoteProtocolError] | None = None
        # ids of queued events some wait_for() already returned (never returned twice).
        self._claimed: set[int] | None = None
        self._matched_last_read = False
        self._max_pending = max_pending_events
        self._warned_pending = False
        self._warned_partial_sample = False
        self._waiters: list[_Waiter] | None = None  # wait_for() / expect(), created on use
        self._observers: tuple[Callable[[ServerEvent], None], ...] = ()
        self._input_format: AudioFormat | None = None
        self._input_block_align = 1  # of _input_format, once known
        self._input_format_key: tuple[object, object] = (None, None)
        self._encoders: dict[tuple[int, int | None], WireEncoder] | None = None
        self._send_observers: tuple[Callable[[str, int], None], ...] = ()
        # hooks (see _hooks.py): empty unless telemetry or another observer is attached.
        self._frame_observers: tuple[Callable[[ServerEvent, int], None], ...] = ()
        self._close_observers: tuple[_hooks.CloseObserver, ...] = ()

    # ------------------------------------------------------------------ resources
    # A namespace is a one-slot view of the connection, made on each access and freed right
    # after the call: cached, each one used (plus the instance dict the cache materializes)
    # would stay alive for every full garbage collection to walk, per open connection.

    @property
    def session(self) -> SessionResource:
        """``session.update`` and the avatar handshake."""
        return SessionResource(self)

    @property
    def response(self) -> ResponseResource:
        """``response.create`` / ``response.cancel``."""
        return ResponseResource(self)

    @property
    def input_audio_buffer(self) -> InputAudioBufferResource:
        """``input_audio_buffer.append`` / ``.commit`` / ``.clear`` (and ``append_audio``)."""
        return InputAudioBufferResource(self)

    @property
    def output_audio_buffer(self) -> OutputAudioBufferResource:
        """``output_audio_buffer.clear``."""
        return OutputAudioBufferResource(self)

    @property
    def conversation(self) -> ConversationResource:
        """``conversation.item.create`` / ``.retrieve`` / ``.delete`` / ``.truncate``."""
        return ConversationResource(self)

    @property
    def transcription_session(self) -> TranscriptionSessionResource:
        """``transcription_session.update``."""
        return TranscriptionSessionResource(self)

    @property
    def input_audio(self) -> InputAudioResource:
        """Voice Live turn-based audio: ``input_audio.turn.*`` and ``input_audio.clear``."""
        return InputAudioResource(self)

    @property
    def input_text(self) -> InputTextResource:
        """Voice Live streamed text input: ``input_text.delta`` / ``input_text.done``."""
        return InputTextResource(self)

    @property
    def mcp(self) -> McpResource:
        """MCP tool approvals (sent as ``mcp_approval_response`` conversation items)."""
        return McpResource(self)

    @property
    def rtc(self) -> RtcResource:
        """WebRTC signalling over the socket (``rtc.call.sdp.create``)."""
        return RtcResource(self)

    # ------------------------------------------------------------------ info

    @property
    def protocol(self) -> VoiceLiveProtocol:
        """The sans-I/O protocol state of this connection (e.g. ``protocol.session``)."""
        return self._protocol

    @property
    def host(self) -> str:
        """The service host this connection talks to (no credentials, no query)."""
        return self._host

    @property
    def model(self) -> str | None:
        """The ``model`` passed to ``connect()`` (``None`` in agent mode)."""
        return self._model

    @property
    def closed(self) -> bool:
        """True once the WebSocket is closed."""
        return self._transport.closed

    @property
    def close_code(self) -> int | None:
        """The close code, once closed (``None`` while open)."""
        return self._transport.closed_code

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<VoiceLiveConnection host={self._host!r} model={self._model!r} {state}>"

    # ------------------------------------------------------------------ hooks

    def add_event_observer(self, observer: Callable[[ServerEvent], None]) -> None:
        """Call ``observer(event)`` for every decoded server event (telemetry, logging).

        Observers run synchronously in the reading task; they must be fast and must not raise
        (an exception is logged and swallowed).
        """
        self._observers = (*self._observers, observer)

    def add_send_observer(self, observer: Callable[[str, int], None]) -> None:
        """Call ``observer(event_type, size_in_bytes)`` for every frame sent."""
        self._send_observers = (*self._send_observers, observer)

    def add_frame_observer(self, observer: Callable[[ServerEvent, int], None]) -> None:
        """Call ``observer(event, frame_size)`` for every decoded server event.

        Like :meth:`add_event_observer`, plus the size of the frame it was decoded from
        (characters of the JSON text). Same rules: fast, synchronous, must not raise.
        """
        self._frame_observers = (*self._frame_observers, observer)

    def add_close_observer(self, observer: _hooks.CloseObserver) -> None:
        """Call ``observer(close_code, reason)`` once, when the connection is found closed.

        That is on :meth:`close`, or when a read finds the socket closed by the peer.
        """
        self._close_observers = (*self._close_observers, observer)

    def _take_close_observers(self) -> tuple[_hooks.CloseObserver, ...]:
        observers, self._close_observers = self._close_observers, ()
        return observers

    # ------------------------------------------------------------------ sending

    async def send(self, event: ClientEvent | Mapping[str, Any]) -> None:
        """Validate and send one client event (a model or a plain ``dict``).

        Raises:
            pydantic.ValidationError: the dict is not a valid client event; nothing was sent.
            ConnectionClosed: the connection is closed.
        """
        text = self._protocol.encode_client_event(event)
        event_type = str(event.get("type", "")) if isinstance(event, Mapping) else event.type
        await self._send_text(text, event_type)

    async def _send_event(self, event: ClientEventBase) -> None:
        """Send an already validated client event model (used by the resources)."""
        self._protocol.note_sent(event)
        await self._send_text(event.to_wire_json(), event.type)

    async def _send_text(self, text: str, event_type: str) -> None:
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("send %s (%d bytes)", event_type, len(text))
        if self._send_observers:
            for observer in self._send_observers:
                _call_observer(observer, event_type, len(text))
        gate = self._send_gate
        if gate is None:
            if not self._sending:  # uncontended: no lock object at all
                self._sending = True
                try:
                    await self._transport.send_text(text)
                finally:
                    gate = self._send_gate
                    if gate is None:
                        self._sending = False
                    else:
                        gate.leave()  # a send queued meanwhile goes next
                return
            gate = self._send_gate = _Gate()
            gate.busy = True  # held by the send in progress
        await gate.enter()
        try:
            await self._transport.send_text(text)
        finally:
            gate.leave()

    async def _send_audio_append(self, audio: object, event_id: str | None) -> None:
        """The audio hot path: bytes -> base64 -> one pre-built JSON string."""
        if isinstance(audio, str):  # base64 text (the official SDK's form): validated, sent as is
            self._check_audio_length(len(_decode_base64_audio(audio)))
            await self._send_text(VoiceLiveProtocol.encode_audio_append(audio, event_id), _APPEND)
            return
        if type(audio) is bytes or isinstance(audio, (bytes, bytearray, memoryview)):
            data = audio
        else:
            data = _audio_array_to_bytes(audio, self)
        size = len(data) if not isinstance(data, memoryview) else data.nbytes
        self._check_audio_length(size)
        encoded = base64.b64encode(data).decode("ascii")
        await self._send_text(VoiceLiveProtocol.encode_audio_append(encoded, event_id), _APPEND)

    async def _send_audio_base64(self, audio: str, nbytes: int) -> None:
        """Internal fast path for a sender that has already validated ``audio`` as base64
        text of ``nbytes`` bytes (``voicelive.telephony`` checks each phone frame as it parses
        it). The rest is :meth:`_send_audio_append`'s: the 15 MiB limit, the whole-sample
        check against the session's input format, the same JSON text."""
        self._check_audio_length(nbytes)
        await self._send_text(_APPEND_PREFIX + audio + '"}', _APPEND)

    def _check_audio_length(self, size: int) -> None:
        if (
            self._input_format is not None
            and size <= MAX_APPEND_BYTES
            and not size % self._input_block_align
            and self._input_format_key[0] == self._protocol.session_version
            and self._input_format_key[1] is self._protocol.requested_session
        ):
            return  # the common case: a whole number of samples of the known format
        if size > MAX_APPEND_BYTES:
            raise LocalProtocolError(
                f"one input_audio_buffer.append may carry at most 15 MiB of audio, got {size} "
                "bytes; split it into smaller chunks (e.g. voicelive.audio.frames)"
            )
        try:
            fmt = self.input_audio_format
        except AudioFormatError:
            return  # a format this version does not know: nothing to check against
        if size % fmt.block_align and not self._warned_partial_sample:
            # Sent as given, like the official SDK (a stream cut at arbitrary byte boundaries
            # is reassembled by the service); said once per connection.
            self._warned_partial_sample = True
            _log.warning(
                "input_audio_buffer.append(audio=<%d bytes>): not a whole number of samples "
                "(%d bytes per sample frame) of the session's input format %s (%s); sent as "
                "given, as the official SDK does. Fine for a byte stream cut anywhere; if a "
                "byte was lost every following sample is shifted (logged once per connection)",
                size,
                fmt.block_align,
                fmt,
                self._input_format_origin(),
            )

    def _input_format_origin(self) -> str:
        """Which session values set the input format, for error messages.

        E.g. ``input_audio_sampling_rate=16000 from your session.update``: the fields that set
        the format, grouped by the event they come from (or the protocol default).
        """
        protocol = self._protocol
        requested = protocol.requested_session
        confirmed = protocol.session
        mine: list[str] = []
        theirs: list[str] = []
        for name in (
            "input_audio_format",
            "input_audio_sampling_rate",
            "input_audio_echo_cancellation",
        ):
            value = protocol.session_field(name)
            if value is None:
                continue
            if name == "input_audio_echo_cancellation":
                if getattr(value, "channels", None) is None:
                    continue
                shown = f"{name}.channels={value.channels}"
            else:
                shown = f"{name}={getattr(value, 'value', value)!r}"
            if requested is not None and name in requested.model_fields_set:
                mine.append(shown)
            elif confirmed is not None:
                theirs.append(shown)
        parts = []
        if mine:
            parts.append(f"{', '.join(mine)} from your session.update")
        if theirs:
            parts.append(f"{', '.join(theirs)} from the server's session.created/updated")
        return "; ".join(parts) or "the protocol default: no session event yet"

    # ------------------------------------------------------------------ audio formats

    @property
    def input_audio_format(self) -> AudioFormat:
        """The session's input wire format (what ``input_audio_buffer.append`` must carry).

        From the last ``session.update`` sent (until it is answered), else the last
        ``session.created`` / ``session.updated``, else the protocol default (PCM16 24 kHz).

        Raises:
            AudioFormatError: the session names a format this version does not know.
        """
        protocol = self._protocol
        key = (protocol.session_version, protocol.requested_session)
        if self._input_format is None or key != self._input_format_key:
            echo = protocol.session_field("input_audio_echo_cancellation")
            fmt = AudioFormat.from_input_session(
                protocol.session_field("input_audio_format"),
                protocol.session_field("input_audio_sampling_rate"),
                getattr(echo, "channels", None),
            )
            self._input_format, self._input_format_key = fmt, key
            self._input_block_align = fmt.block_align
        else:
            self._input_format_key = key  # equal: the same objects from now on (fast check)
        return self._input_format

    @property
    def output_audio_format(self) -> AudioFormat:
        """The session's output wire format (what ``response.audio.delta`` carries)."""
        return AudioFormat.from_output_session(self._protocol.session_field("output_audio_format"))

    def decode_output_audio(
        self, audio: bytes | ServerEventResponseAudioDelta
    ) -> npt.NDArray[np.int16]:
        """A received audio delta (or its bytes) as int16 samples of the session's output format.

        G.711 is decoded to linear PCM; the array is 1-D (mono).
        """
        from ..audio._wire import decode_from_wire  # numpy: imported on first audio use

        data = audio.delta if isinstance(audio, ServerEventResponseAudioDelta) else audio
        return decode_from_wire(data, self.output_audio_format)

    def _encoder_for(self, sample_rate: int, channels: int | None) -> WireEncoder:
        fmt = self.input_audio_format
        if self._encoders is None:
            self._encoders = {}
        encoder = self._encoders.get((sample_rate, channels))
        if encoder is None or encoder.fmt != fmt:
            from ..audio._wire import WireEncoder  # numpy: imported on first audio use

            encoder = WireEncoder(sample_rate, fmt, channels)
            self._encoders[(sample_rate, channels)] = encoder
        return encoder

    # ------------------------------------------------------------------ receiving

    async def recv(self) -> ServerEvent:
        """The next server event.

        Raises:
            ConnectionClosedOK: the connection closed normally (1000).
            ConnectionClosedError: it closed abnormally (any other code, or TCP loss).
            MalformedFrameError: the frame was not JSON; the connection stays usable.
            MessageTooLargeError: the frame was over ``max_msg_size`` (socket then closed).
            ReceiveTimeoutError: ``receive_timeout`` elapsed; the connection stays open.
        """
        if self._pending:
            return self._pop_pending()
        gate = self._read_gate
        if gate is None and not self._reading:
            self._reading = True  # fast path: nobody else reads, take the socket, no await
        else:
            await self._enter_read()
            if self._pending:
                self._leave_read()
                return self._pop_pending()
        try:
            # The frame is awaited right here (no coroutine of ours in between): a waiting
            # reader holds as few objects as a raw aiohttp loop does (see __anext__).
            if self._fast_receive:
                msg = await self._transport.next_message()
                data = frame_data(msg)
                if data is None:
                    data = await self._read_data(msg)
            else:
                data = await self._read_data(None)
            return self._deliver(data)
        finally:
            self._leave_read()

    def _pop_pending(self) -> ServerEvent:
        assert self._pending is not None
        item = self._pending.popleft()
        if self._claimed:
            self._claimed.discard(id(item))
        if isinstance(item, BaseException):
            raise item  # a bad frame read by wait_for(): reported here, in order
        return item

    async def recv_bytes(self) -> bytes:
        """The next raw frame as bytes (text frames UTF-8 encoded), without decoding it.

        Events already queued by :meth:`wait_for` are returned first, re-encoded.
        """
        if self._pending:
            return self._pop_pending().to_wire_json().encode()
        await self._enter_read()
        try:
            data = await self._transport.receive()
        finally:
            self._leave_read()
        return data.encode() if isinstance(data, str) else data

    async def _read_one(self) -> ServerEvent:
        return self._deliver(await self._read_data(None))

    async def _read_data(self, msg: Any) -> str | bytes:
        """The slow path of a read: finish one whose message ``msg`` was not a data frame, or
        (``None``) read a frame through the transport (``receive_timeout``, ``wait_for``).
        A close tells the waiters and the close observers before it is raised."""
        try:
            if msg is None:
                return await self._transport.receive()
            return await self._transport.receive_after(msg)
        except ConnectionClosed as exc:
            self._on_closed(exc)
            raise

    def _on_closed(self, exc: ConnectionClosed) -> None:
        self._fail_waiters(exc)
        if self._close_observers:  # hooks
            _hooks.notify_closed(self._take_close_observers(), exc.code, exc.reason)

    def _deliver(self, data: str | bytes) -> ServerEvent:
        """Decode one frame and tell the waiters and observers (synchronous: no coroutine)."""
        event = self._protocol.decode_server_frame(data)
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("recv %s (%d bytes)", event.type, len(data))
        if self._waiters:
            self._matched_last_read = self._notify_waiters(event)
        if self._observers:
            for observer in self._observers:
                try:  # not _call_observer(): one call less per observer and event
                    observer(event)
                except Exception:
                    _log.exception("event observer %r raised; ignored", observer)
        if self._frame_observers:  # hooks
            for frame_observer in self._frame_observers:
                _call_observer(frame_observer, event, len(data))
        return event

    def __aiter__(self) -> VoiceLiveConnection:
        return self

    async def __anext__(self) -> ServerEvent:
        """``async for``: the next event, like :meth:`recv`; ends quietly on close code 1000.

        The same code as :meth:`recv` rather than a call to it (or an async generator around
        it): a session waiting for its next frame then holds the same objects as a raw
        aiohttp ``async for`` loop -- this coroutine, aiohttp's ``receive()`` and its
        reader's future -- which is what young garbage collections find in flight when
        thousands of sessions receive at once.
        """
        gate = self._read_gate
        busy = self._reading if gate is None else gate.busy
        if self._pending or busy or not self._fast_receive:
            try:
                return await self.recv()
            except ConnectionClosedOK:
                raise StopAsyncIteration from None
        if gate is None:
            self._reading = True
        else:
            gate.busy = True
        try:
            msg = await self._transport.next_message()
            kind = msg.type
            if kind is _TEXT or kind is _BINARY:  # = frame_data(msg), one call less
                data = msg.data
            else:
                try:
                    data = await self._read_data(msg)
                except ConnectionClosedOK:
                    raise StopAsyncIteration from None
            return self._deliver(data)
        finally:
            self._leave_read()

    async def _enter_read(self) -> None:
        """Wait for the socket's read side (FIFO), creating the gate when first contended."""
        gate = self._read_gate
        if gate is None:
            if not self._reading:
                self._reading = True
                return
            gate = self._read_gate = _Gate()
            gate.busy = True  # held by the read in progress
        await gate.enter()

    def _leave_read(self) -> None:
        gate = self._read_gate
        if gate is None:
            self._reading = False
        else:
            gate.leave()  # a queued reader goes next

    # ------------------------------------------------------------------ waiting

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
        """Wait for the next event of ``event_type`` (a class or a wire type string).

        Events already read from the socket but not yet consumed by ``recv()`` / ``async
        for`` are searched first (for the app they have not happened yet), skipping any that
        an earlier ``wait_for`` already returned -- so two calls never return the same event.
        To be sure not to miss a fast reply to something you are about to send while another
        task consumes events, use :meth:`expect` before sending. The event is *not* taken
        away from ``recv()`` / ``async for``: they still get it, in order (see the module
        docstring).

        Args:
            event_type: e.g. ``ServerEventSessionUpdated`` or ``"session.updated"``.
            predicate: extra condition on the event (e.g. matching an ``item_id``).
            timeout: seconds; ``None`` waits forever.

        Raises:
            WaitTimeoutError: nothing matched within ``timeout``.
            ConnectionClosed: the connection closed first.
        """
        matches = _matcher(event_type, predicate)
        queued = self._search_pending(matches) if self._pending else None
        if queued is not None:
            return queued
        future: asyncio.Future[ServerEvent] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(matches, future)
        self._add_waiter(waiter)
        name = event_type if isinstance(event_type, str) else event_type.__name__
        return await self._await_waiter(waiter, timeout, f"no {name} event arrived")

    def expect(
        self,
        event_type: type[Any] | str,
        *,
        predicate: Callable[[Any], bool] | None = None,
    ) -> asyncio.Future[Any]:
        """Register interest *before* sending, so a fast reply cannot be missed.

        Returns a future completed with the first matching event read from now on (it is
        still delivered to ``recv()`` / ``async for``). Await it with :meth:`wait_future`,
        which also reads the socket when nobody else does.
        """
        future: asyncio.Future[ServerEvent] = asyncio.get_running_loop().create_future()
        self._add_waiter(_Waiter(_matcher(event_type, predicate), future))
        return future

    def _add_waiter(self, waiter: _Waiter) -> None:
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)

    async def wait_future(
        self, future: asyncio.Future[Any], *, timeout: float | None = 30.0
    ) -> Any:
        """Await a future from :meth:`expect`, reading events if no one else is.

        Raises:
            WaitTimeoutError: it did not complete within ``timeout``.
        """
        waiter = next((w for w in self._waiters or () if w.future is future), None)
        if waiter is None:
            return await future
        return await self._await_waiter(waiter, timeout, "the awaited event did not arrive")

    async def _await_waiter(self, waiter: _Waiter, timeout: float | None, what: str) -> Any:
        """Read until ``waiter`` completes (or ``timeout``); always unregisters it."""
        try:
            if timeout is None:
                return await self._wait(waiter)
            try:
                return await asyncio.wait_for(self._wait(waiter), timeout)
            except ReceiveTimeoutError:
                raise  # receive_timeout elapsed while reading: not this wait's own timeout
            except asyncio.TimeoutError:
                raise WaitTimeoutError(
                    f"{what} within {timeout} s; the connection is unaffected"
                ) from None
        finally:
            if self._waiters and waiter in self._waiters:
                self._waiters.remove(waiter)

    async def _wait(self, waiter: _Waiter) -> ServerEvent:
        future = waiter.future
        while not future.done():
            await self._enter_read()
            try:
                if future.done():
                    break
                self._matched_last_read = False
                try:
                    event: ServerEvent | RemoteProtocolError = await self._read_one()
                except RemoteProtocolError as exc:
                    event = exc  # keep it for recv()/async for, which report it in order
                self._queue_pending(event, claimed=self._matched_last_read)
            finally:
                self._leave_read()
        return future.result()

    def _search_pending(self, matches: EventMatcher) -> ServerEvent | None:
        """The first queued event no wait_for() returned yet that ``matches`` (then claimed)."""
        claimed = self._claimed
        for item in self._pending or ():
            if isinstance(item, BaseException) or (claimed is not None and id(item) in claimed):
                continue
            if matches(item):
                if claimed is None:
                    claimed = self._claimed = set()
                claimed.add(id(item))
                return item
        return None

    def _queue_pending(self, event: ServerEvent | RemoteProtocolError, *, claimed: bool) -> None:
        if self._pending is None:
            self._pending = deque()
        if claimed:
            if self._claimed is None:
                self._claimed = set()
            self._claimed.add(id(event))
        if len(self._pending) >= self._max_pending:
            dropped = self._pending.popleft()
            if self._claimed:
                self._claimed.discard(id(dropped))
            if not self._warned_pending:
                self._warned_pending = True
                _log.warning(
                    "more than %d events were read by wait_for() but never consumed by recv() "
                    "or async for; the oldest are being dropped",
                    self._max_pending,
                )
        self._pending.append(event)

    def _notify_waiters(self, event: ServerEvent) -> bool:
        """Complete the waiters ``event`` matches; True if any did.

        Finished waiters (completed here, or cancelled by their owner) are dropped from the
        list, so an :meth:`expect` future awaited directly, or abandoned, is not kept.
        """
        waiters = self._waiters
        if not waiters:
            return False
        any_matched = finished = False
        for waiter in waiters:
            future = waiter.future
            if future.done():
                finished = True
                continue
            try:
                matched = waiter.matches(event)
            except Exception as exc:  # a predicate bug fails that waiter only
                future.set_exception(exc)
                finished = True
                continue
            if matched:
                future.set_result(event)
                any_matched = finished = True
        if finished:
            self._waiters = [w for w in waiters if not w.future.done()]
        return any_matched

    def _fail_waiters(self, exc: BaseException) -> None:
        for waiter in self._waiters or ():
            if not waiter.future.done():
                waiter.future.set_exception(exc)
                # Mark retrieved: the waiter may be abandoned (an expect() never awaited).
                waiter.future.exception()

    # ------------------------------------------------------------------ closing

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the WebSocket (idempotent) and release the aiohttp session if we own it."""
        try:
            await self._transport.close(code, reason)
        finally:
            if self._close_observers:  # hooks
                _hooks.notify_closed(self._take_close_observers(), self.close_code, reason)

    async def __aenter__(self) -> VoiceLiveConnection:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


def _matcher(event_type: type[Any] | str, predicate: Callable[[Any], bool] | None) -> EventMatcher:
    if isinstance(event_type, str):
        wire_type = event_type

        def by_type(event: ServerEventBase) -> bool:
            return event.type == wire_type and (predicate is None or predicate(event))

        return by_type
    if isinstance(event_type, type):
        cls = event_type

        def by_class(event: ServerEventBase) -> bool:
            return isinstance(event, cls) and (predicate is None or predicate(event))

        return by_class
    raise TypeError(f"event_type must be an event class or a type string, got {event_type!r}")


def _call_observer(observer: Callable[..., None], *args: Any) -> None:
    try:
        observer(*args)
    except Exception:
        _log.exception("event observer %r raised; ignored", observer)


def _decode_base64_audio(text: str) -> bytes:
    try:
        return b64decode_strict(text)
    except ValueError as exc:  # binascii.Error, or a str that is not ASCII
        raise LocalProtocolError(
            "audio given as str must be base64 text (the official SDK's form); pass raw "
            "PCM as bytes or a numpy array instead"
        ) from exc


def _audio_array_to_bytes(audio: object, conn: VoiceLiveConnection) -> bytes:
    if not hasattr(audio, "dtype"):
        raise TypeError(
            "audio must be bytes, bytearray, memoryview, a numpy int16/float32 array or a "
            f"base64 str, got {type(audio).__name__}"
        )
    try:
        fmt: AudioFormat | None = conn.input_audio_format
    except AudioFormatError:
        fmt = None
    from ..audio._wire import to_wire_audio  # numpy: imported on first audio use

    try:
        return to_wire_audio(audio, fmt)
    except AudioFormatError as exc:
        shape = getattr(audio, "shape", "?")
        origin = (
            ""
            if fmt is None
            else f"; the session's input format is {fmt} ({conn._input_format_origin()})"
        )
        raise AudioFormatError(
            f"input_audio_buffer.append(audio=<array of shape {shape}>): {exc}{origin}"
        ) from None
