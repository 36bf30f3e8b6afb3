"""The asyncio driver around :class:`~voicelive.telephony._core.BridgeCore`: one call.

:func:`serve_call` reads the phone's first frames up to the stream start, checks the stream
token and the audio format, opens Voice Live, applies the session and runs a
:class:`CallBridge` until either side hangs up. Every phone-side problem is reported (log,
``CallBridge.errors``, the WebSocket close reason) and ends at most that one call.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from .._logging import get_logger
from ..audio import AudioFormatError, input_format_of, output_format_of
from ..conversation import (
    Interruption,
    PlaybackTracker,
    Reconnected,
    ResponseGuard,
    ToolRunner,
)
from ..exceptions import ConnectionClosed, VoiceLiveError
from ..models import ServerEventResponseAudioDelta
from ._agent import PhoneAgent, phone_session
from ._core import BridgeCore
from ._errors import PhoneProtocolError, StreamRefusedError
from ._providers import (
    CallInfo,
    PhoneAudio,
    PhoneDtmf,
    PhoneMark,
    PhoneProvider,
    PhoneStart,
    PhoneStop,
    mask_number,
)

__all__ = ["CallBridge", "CallEnded", "ConnectionFactory", "serve_call"]

_log = get_logger("telephony")

ConnectionFactory = Callable[[], Awaitable[Any]]
"""Opens the Voice Live side of a call: an open ``VoiceLiveConnection`` or
``ResilientConnection`` (use the latter for calls longer than the session limit)."""
SendText = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class CallEnded:
    """How a call ended.

    Attributes:
        by: ``"caller"`` (hung up / stream stopped), ``"agent"`` (:meth:`CallBridge.hangup`),
            ``"server"`` (Voice Live closed) or ``"refused"`` (token, format, ...).
        reason: one line, also the phone WebSocket's close reason.
    """

    by: Literal["caller", "agent", "server", "refused"]
    reason: str


async def _maybe_await(value: object) -> None:
    if inspect.isawaitable(value):
        await value


class CallBridge:
    """One phone call bridged to one Voice Live connection.

    Args:
        provider: the phone side (its ``parse`` / frame builders).
        conn: the open Voice Live connection (plain or resilient), session applied.
        info: the call.
        agent: instructions, tools, DTMF handling.
        send_phone: sends one text frame to the phone.
        clock: monotonic seconds (injectable: ACS playback estimates use it).

    Attributes:
        tracker, guard, runner: the conversation helpers attached to ``conn``.
        core: the sans-I/O state.
        errors: phone frames that could not be understood (the call went on).
        digits: DTMF keys received, in order.
        interruptions: what each barge-in did (cancel, truncate).
        ended: how the call ended, once it has.
    """

    def __init__(
        self,
        provider: PhoneProvider,
        conn: Any,
        info: CallInfo,
        *,
        agent: PhoneAgent,
        send_phone: SendText,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.conn = conn
        self.info = info
        self.agent = agent
        self._send_phone = send_phone
        self._clock = clock
        self.tracker = PlaybackTracker(conn, output_format=info.audio_format)
        self.guard = ResponseGuard(conn)
        self.runner = (
            ToolRunner(agent.tools, conn, guard=self.guard) if agent.tools is not None else None
        )
        self.core = BridgeCore(provider, info.audio_format, self.tracker)
        self.errors: list[Exception] = []
        self.digits: list[str] = []
        self.interruptions: list[Interruption] = []
        self.ended: CallEnded | None = None
        self._hangup: asyncio.Future[CallEnded] = asyncio.get_running_loop().create_future()
        self._tasks: set[asyncio.Task[Any]] = set()

    def __repr__(self) -> str:
        return f"<CallBridge {self.info!r} ended={self.ended!r}>"

    async def hangup(self, reason: str = "agent hung up") -> None:
        """End the call from the agent's side (the phone socket closes with ``reason``)."""
        if not self._hangup.done():
            self._hangup.set_result(CallEnded("agent", reason))

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ phone -> Voice Live

    async def _phone_loop(self, frames: AsyncIterator[str | bytes]) -> CallEnded:
        provider, core = self.provider, self.core
        parse = provider.parse
        # the provider checked the payload (base64, its size): the connection's internal path
        # skips that check and the public append()'s dispatch, and does the rest of it
        send_audio = getattr(self.conn, "_send_audio_base64", None)
        if send_audio is None:  # another connection-like object: its public append()
            append = self.conn.input_audio_buffer.append

            async def send_audio(payload: str, nbytes: int) -> None:
                await append(audio=payload)

        async for data in frames:
            try:
                event = parse(data)
            except (PhoneProtocolError, StreamRefusedError) as exc:
                self.errors.append(exc)
                _log.warning("call %s: skipped a bad phone frame: %s", self.info.call_id, exc)
                continue
            if type(event) is PhoneAudio:
                await send_audio(event.payload, event.nbytes)
            elif isinstance(event, PhoneMark):
                core.mark_played(event.name, self._clock())
            elif isinstance(event, PhoneDtmf):
                await self._dtmf(event.digit)
            elif isinstance(event, PhoneStop):
                return CallEnded("caller", "caller hung up")
            elif isinstance(event, PhoneStart):
                self.errors.append(PhoneProtocolError(provider.name, "second stream start"))
        return CallEnded("caller", "caller hung up (stream closed)")

    async def _dtmf(self, digit: str) -> None:
        self.digits.append(digit)
        _log.info("call %s: DTMF %r", self.info.call_id, digit)
        if self.agent.on_dtmf is not None:
            try:
                await _maybe_await(self.agent.on_dtmf(self, digit))
            except Exception as exc:  # the app's bug must not end the call
                self.errors.append(exc)
                _log.exception("call %s: on_dtmf failed", self.info.call_id)
        if self.agent.dtmf_to_conversation:
            await self.conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": f"[DTMF] {digit}"}],
                }
            )
            self._spawn(self._respond())

    async def _respond(self, **kwargs: Any) -> None:
        with contextlib.suppress(VoiceLiveError, asyncio.CancelledError):
            await self.guard.create(policy="cancel", **kwargs)

    # ------------------------------------------------------------------ Voice Live -> phone

    async def _server_loop(self) -> CallEnded:
        core, send, clock = self.core, self._send_phone, self._clock
        acks = self.provider.acks
        try:
            async for event in self.conn:
                if type(event) is ServerEventResponseAudioDelta:  # the hot path
                    if not acks:
                        core.clock_played(clock())
                    for frame in core.server_event(event, clock()):
                        await send(frame)
                    continue
                if isinstance(event, Reconnected):
                    _log.info("call %s: Voice Live reconnected (%s)", self.info.call_id, event)
                    continue
                etype = event.type
                if etype == "input_audio_buffer.speech_started":
                    await self._barge_in()
                    continue
                if not acks:
                    core.clock_played(clock())
                for frame in core.server_event(event, clock()):
                    await send(frame)
                if etype == "error":
                    _log.warning("call %s: Voice Live error: %s", self.info.call_id, event.error)
        except ConnectionClosed as exc:
            return CallEnded("server", f"Voice Live closed: {exc}")
        return CallEnded("server", "Voice Live closed")

    async def _barge_in(self) -> None:
        if not self.core.playing and self.tracker.response_in_progress is None:
            return  # the caller starts a turn; nothing of the agent's to interrupt
        frames = self.core.barge_in(self._clock())
        for frame in frames:
            await self._send_phone(frame)
        result = await self.tracker.interrupt()
        self.interruptions.append(result)
        if result.truncation is not None:
            _log.info(
                "call %s: barge-in, truncated %s at %d ms",
                self.info.call_id,
                result.truncation.item_id,
                result.truncation.audio_end_ms,
            )

    # ------------------------------------------------------------------ the call

    async def run(self, frames: AsyncIterator[str | bytes]) -> CallEnded:
        """Bridge until one side ends the call; returns how it ended."""
        await _maybe_await(self.agent.on_call_start and self.agent.on_call_start(self))
        if self.agent.greeting:
            self._spawn(self._respond(additional_instructions=self.agent.greeting))
        phone = asyncio.ensure_future(self._phone_loop(frames))
        server = asyncio.ensure_future(self._server_loop())
        waiters: set[asyncio.Future[CallEnded]] = {phone, server, self._hangup}
        try:
            done, _ = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            first = next(iter(done))
            ended = first.result()
        finally:
            for future in (phone, server, *self._tasks):
                future.cancel()
            for future in (phone, server, *self._tasks):
                with contextlib.suppress(BaseException):
                    await future
            if self.runner is not None:
                await self.runner.aclose()
        self.ended = ended
        with contextlib.suppress(Exception):
            await self.conn.close()
        _log.info("call %s ended by %s: %s", self.info.call_id, ended.by, ended.reason)
        await _maybe_await(self.agent.on_call_end and self.agent.on_call_end(self))
        return ended


async def serve_call(
    provider: PhoneProvider,
    frames: AsyncIterator[str | bytes],
    *,
    open_connection: ConnectionFactory,
    agent: PhoneAgent,
    send_phone: SendText,
    check_token: Callable[[PhoneStart], None] | None = None,
    on_bridge: Callable[[CallBridge], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> CallEnded:
    """Run one call from its first phone frame to its end.

    Args:
        provider: the phone side.
        frames: the phone's frames (text), as they arrive.
        open_connection: opens Voice Live (see :data:`ConnectionFactory`).
        agent: the agent.
        send_phone: sends one frame to the phone.
        check_token: raises :class:`StreamRefusedError` for a start that must be refused.
        on_bridge: called with the bridge once the call is up (tests, metrics).
        clock: monotonic clock for the bridge.

    Returns:
        How the call ended (``by="refused"`` with the reason when it never started).
    """
    start: PhoneStart | None = None
    try:
        async for data in frames:
            try:
                event = provider.parse(data)
            except PhoneProtocolError as exc:
                _log.warning("%s stream: skipped a bad frame before start: %s", provider.name, exc)
                continue
            if isinstance(event, PhoneStart):
                start = event
                break
            if isinstance(event, PhoneStop):
                return CallEnded("caller", "caller hung up before the stream started")
        if start is None:
            return CallEnded("caller", "phone stream closed before it started")
        if check_token is not None:
            check_token(start)
    except StreamRefusedError as exc:
        _log.warning("%s stream refused: %s", provider.name, exc.reason)
        return CallEnded("refused", exc.reason)
    info = start.info
    _log.info("call %s (%s) from %s started", info.call_id, provider.name, mask_number(info.caller))
    fmt = info.audio_format
    conn = await open_connection()
    try:
        session = await conn.session.update(session=phone_session(agent, fmt), wait=True)
        try:
            formats = (input_format_of(session), output_format_of(session))
        except AudioFormatError as exc:
            formats = None
            _log.warning("call %s: unreadable session formats: %s", info.call_id, exc)
        if formats != (fmt, fmt):
            shown = "unknown" if formats is None else f"{formats[0]} in, {formats[1]} out"
            reason = f"the session uses {shown}, the phone streams {fmt}"
            _log.warning("call %s refused: %s", info.call_id, reason)
            with contextlib.suppress(Exception):
                await conn.close()
            return CallEnded("refused", reason)
    except BaseException:
        with contextlib.suppress(Exception):
            await conn.close()
        raise
    bridge = CallBridge(provider, conn, info, agent=agent, send_phone=send_phone, clock=clock)
    if on_bridge is not None:
        on_bridge(bridge)
    return await bridge.run(frames)
