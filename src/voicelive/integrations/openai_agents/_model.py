"""The OpenAI Agents SDK ``RealtimeModel`` on a voicelive connection."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from agents.exceptions import UserError
from agents.realtime.items import (
    AssistantMessageItem,
    RealtimeMessageItem,
    RealtimeToolCallItem,
    SystemMessageItem,
    UserMessageItem,
)
from agents.realtime.model import (
    RealtimeModel,
    RealtimeModelConfig,
    RealtimeModelListener,
    RealtimePlaybackTracker,
)
from agents.realtime.model_events import (
    RealtimeModelAudioDoneEvent,
    RealtimeModelAudioEvent,
    RealtimeModelAudioInterruptedEvent,
    RealtimeModelConnectionStatusEvent,
    RealtimeModelEndOfStreamEvent,
    RealtimeModelErrorEvent,
    RealtimeModelEvent,
    RealtimeModelExceptionEvent,
    RealtimeModelInputAudioTimeoutTriggeredEvent,
    RealtimeModelInputAudioTranscriptionCompletedEvent,
    RealtimeModelInputTokensDetails,
    RealtimeModelItemDeletedEvent,
    RealtimeModelItemUpdatedEvent,
    RealtimeModelOutputTextDeltaEvent,
    RealtimeModelOutputTokensDetails,
    RealtimeModelRawServerEvent,
    RealtimeModelToolCallEvent,
    RealtimeModelTranscriptDeltaEvent,
    RealtimeModelTurnEndedEvent,
    RealtimeModelTurnStartedEvent,
    RealtimeModelUsageEvent,
)
from agents.realtime.model_inputs import (
    RealtimeModelSendAudio,
    RealtimeModelSendEvent,
    RealtimeModelSendInterrupt,
    RealtimeModelSendRawMessage,
    RealtimeModelSendSessionUpdate,
    RealtimeModelSendToolOutput,
    RealtimeModelSendUserInput,
)
from agents.usage import Usage
from azure.core.credentials import AzureKeyCredential
from pydantic import TypeAdapter

from ...aio import VoiceLiveConnection, connect
from ...exceptions import ConnectionClosedOK
from ...models import ServerEvent
from ._names import normalize_server_event, voice_live_event_type
from ._session import session_from_settings

__all__ = ["VoiceLiveRealtimeModel"]

_log = logging.getLogger("voicelive.integrations.openai_agents")
_MESSAGE_ITEM: TypeAdapter[RealtimeMessageItem] = TypeAdapter(RealtimeMessageItem)


@dataclass
class _AudioState:
    """Audio received for one (item, content index): how long it is and when it began."""

    response_id: str
    first_delta_at: float
    length_ms: float = 0.0


def _content_part(part: Mapping[str, Any]) -> dict[str, Any]:
    """A Voice Live content part as the Agents SDK's history item content."""
    kind = part.get("type")
    if kind in ("audio", "output_audio"):
        return {"type": "audio", "transcript": part.get("transcript")}
    if kind in ("text", "output_text"):
        return {"type": "text", "text": part.get("text")}
    if kind == "input_audio":
        return {"type": "input_audio", "transcript": part.get("transcript")}
    if kind == "input_image":
        return {"type": "input_image", "image_url": part.get("image_url") or part.get("url")}
    return {"type": "input_text", "text": part.get("text")}


class VoiceLiveRealtimeModel(RealtimeModel):
    """An Agents SDK realtime model that talks to Azure AI Voice Live through voicelive.

    Use it with ``RealtimeRunner(agent, model=VoiceLiveRealtimeModel(...))``. Connection
    options come from the constructor or from the runner's ``model_config``
    (``url`` = the Voice Live endpoint, ``api_key`` = a key or a callable returning one,
    ``headers``, ``initial_model_settings``, ``playback_tracker``).

    Args:
        endpoint: ``https://<resource>.services.ai.azure.com`` (or a ``MockServer``
            endpoint); ``model_config["url"]`` overrides it.
        credential: ``AzureKeyCredential`` or an azure-identity token credential;
            ``model_config["api_key"]`` overrides it.
        model: the Voice Live model (``gpt-realtime``...); the settings' ``model_name``
            overrides it.
        session: Voice Live session fields the Agents SDK settings cannot express (Azure
            voices, ``azure_semantic_vad``, ``azure_deep_noise_suppression``,
            ``input_audio_echo_cancellation``, ...), applied on top of every session update.
        connect_options: further keyword arguments for :func:`voicelive.aio.connect`
            (``api_version``, ``agent_name``, ``query``, ``connection_options``...).
    """

    def __init__(
        self,
        *,
        endpoint: str | None = None,
        credential: Any = None,
        model: str | None = None,
        session: Mapping[str, Any] | None = None,
        connect_options: Mapping[str, Any] | None = None,
    ) -> None:
        self._endpoint = endpoint
        self._credential = credential
        self.model = model
        self._session_extra = dict(session or {})
        self._connect_options = dict(connect_options or {})
        self._listeners: list[RealtimeModelListener] = []
        self._conn: VoiceLiveConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._send_lock = asyncio.Lock()
        self._close_requested = False
        self._reset_state()

    def _reset_state(self) -> None:
        self._playback_tracker: RealtimePlaybackTracker | None = None
        self._audio: dict[tuple[str, int], _AudioState] = {}
        self._last_audio: tuple[str, int] | None = None
        self._interrupted_responses: set[str] = set()
        self._active_response: str | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._auto_interrupt = True

    # ------------------------------------------------------------------ lifecycle

    async def connect(self, options: RealtimeModelConfig) -> None:
        """Open the Voice Live connection and send the initial session settings."""
        if self._conn is not None:
            raise UserError("this VoiceLiveRealtimeModel is already connected")
        settings = options.get("initial_model_settings", {})
        endpoint = options.get("url", self._endpoint)
        if not endpoint:
            raise UserError("VoiceLiveRealtimeModel needs an endpoint (argument or 'url')")
        credential = self._credential
        api_key = options.get("api_key")
        if api_key is not None:
            key = api_key() if callable(api_key) else api_key
            if inspect.isawaitable(key):
                key = await key
            credential = AzureKeyCredential(str(key))
        if credential is None:
            raise UserError("VoiceLiveRealtimeModel needs a credential (argument or 'api_key')")
        model = settings.get("model_name", self.model)
        self._reset_state()
        self._playback_tracker = options.get("playback_tracker")
        kwargs = dict(self._connect_options)
        if "headers" in options:
            kwargs["headers"] = {**kwargs.get("headers", {}), **options["headers"]}
        self._conn = await connect(endpoint=endpoint, credential=credential, model=model, **kwargs)
        self._close_requested = False
        self._reader = asyncio.create_task(self._read_loop(self._conn))
        try:
            await self._emit(RealtimeModelConnectionStatusEvent(status="connected"))
            await self._update_session(settings)
        except BaseException:
            await self.close()  # e.g. a setting Voice Live cannot honour: no half-open session
            raise

    async def close(self) -> None:
        """Close the connection (no ``end_of_stream`` is emitted for a requested close)."""
        self._close_requested = True
        conn, self._conn = self._conn, None
        reader, self._reader = self._reader, None
        try:
            if conn is not None:
                await conn.close()
        finally:
            if reader is not None:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader
            if self._playback_tracker is not None:
                self._playback_tracker.on_interrupted()
            self._reset_state()

    def add_listener(self, listener: RealtimeModelListener) -> None:
        """Add a listener (each event is awaited by every listener, in order)."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    def remove_listener(self, listener: RealtimeModelListener) -> None:
        """Remove a listener."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def _emit(self, event: RealtimeModelEvent) -> None:
        for listener in list(self._listeners):
            await listener.on_event(event)

    def _connection(self) -> VoiceLiveConnection:
        if self._conn is None:
            raise UserError("VoiceLiveRealtimeModel is not connected")
        return self._conn

    # ------------------------------------------------------------------ sending

    async def send_event(self, event: RealtimeModelSendEvent) -> None:
        """Send one Agents SDK event to Voice Live."""
        await self._send(event, None)

    async def send_event_if(
        self, event: RealtimeModelSendEvent, send_if: Callable[[], bool]
    ) -> bool:
        """Send ``event`` only if ``send_if()`` is true when the send lock is held."""
        return await self._send(event, send_if)

    async def _send(
        self, event: RealtimeModelSendEvent, send_if: Callable[[], bool] | None
    ) -> bool:
        conn = self._connection()
        if isinstance(event, RealtimeModelSendUserInput):
            if not await self._send_checked(self._user_item(event), send_if):
                return False
            await self._create_response()
        elif isinstance(event, RealtimeModelSendAudio):
            if not await self._send_checked(None, send_if):
                return False
            await conn.input_audio_buffer.append(audio=event.audio)
            if event.commit:
                await conn.input_audio_buffer.commit()
        elif isinstance(event, RealtimeModelSendToolOutput):
            item = {
                "type": "function_call_output",
                "call_id": event.tool_call.call_id,
                "output": event.output,
            }
            if not await self._send_checked(item, send_if):
                return False
            call = event.tool_call
            await self._emit(
                RealtimeModelItemUpdatedEvent(
                    item=RealtimeToolCallItem(
                        item_id=call.id or "",
                        previous_item_id=call.previous_item_id,
                        call_id=call.call_id,
                        status="completed",
                        arguments=call.arguments,
                        name=call.name,
                        output=event.output,
                    )
                )
            )
            if event.start_response:
                await self._create_response()
        elif isinstance(event, RealtimeModelSendInterrupt):
            if send_if is not None and not send_if():
                return False
            await self._interrupt(event)
        elif isinstance(event, RealtimeModelSendSessionUpdate):
            if send_if is not None and not send_if():
                return False
            await self._update_session(event.session_settings)
        elif isinstance(event, RealtimeModelSendRawMessage):
            message = {"type": event.message["type"], **event.message.get("other_data", {})}
            if not await self._send_checked(None, send_if):
                return False
            if message["type"] == "response.create":
                await self._wait_idle()
            await conn.send(message)
        else:  # pragma: no cover - the union is closed
            raise TypeError(f"unknown Agents SDK event {type(event).__name__}")
        return True

    async def _send_checked(
        self, item: dict[str, Any] | None, send_if: Callable[[], bool] | None
    ) -> bool:
        """Check ``send_if`` and send the item creation under one lock (the commit point)."""
        async with self._send_lock:
            if send_if is not None and not send_if():
                return False
            if item is not None:
                await self._connection().conversation.item.create(item=item)
        return True

    @staticmethod
    def _user_item(event: RealtimeModelSendUserInput) -> dict[str, Any]:
        user_input = event.user_input
        if isinstance(user_input, str):
            content: list[dict[str, Any]] = [{"type": "input_text", "text": user_input}]
        else:
            content = []
            for raw_part in user_input.get("content", []):
                part: Mapping[str, Any] = raw_part
                if part.get("type") == "input_image":
                    image = {"type": "input_image", "image_url": part.get("image_url")}
                    if part.get("detail"):
                        image["detail"] = part["detail"]
                    content.append(image)
                else:
                    content.append({"type": "input_text", "text": part.get("text", "")})
        return {"type": "message", "role": "user", "content": content}

    async def _wait_idle(self) -> None:
        # Voice Live refuses response.create while a response is active; wait for it to end.
        await self._idle.wait()

    async def _create_response(self) -> None:
        await self._wait_idle()
        self._idle.clear()
        await self._connection().response.create()

    async def _update_session(self, settings: Any) -> None:
        session = session_from_settings(settings, self._session_extra)
        turn_detection = session.get("turn_detection")
        if "turn_detection" in session:
            self._auto_interrupt = isinstance(turn_detection, Mapping) and bool(
                turn_detection.get("interrupt_response", True)
            )
        await self._connection().session.update(session=session)

    # ------------------------------------------------------------------ interruption

    def _playback(self) -> tuple[str | None, int, float | None]:
        """(item, content index, played ms): from the app's tracker, else assume audio
        plays in real time from its first delta."""
        if self._playback_tracker is not None:
            state = self._playback_tracker.get_state()
            return (
                state["current_item_id"],
                state["current_item_content_index"] or 0,
                state["elapsed_ms"],
            )
        if self._last_audio is None:
            return None, 0, None
        audio = self._audio[self._last_audio]
        return (
            self._last_audio[0],
            self._last_audio[1],
            (time.monotonic() - audio.first_delta_at) * 1000,
        )

    async def _stop_playback(self, response_id: str | None) -> None:
        """Tell the app to stop playing and truncate the item at what it played."""
        if self._last_audio is None:
            return
        item_id, content_index = self._last_audio
        audio = self._audio[self._last_audio]
        if response_id is not None and audio.response_id != response_id:
            return
        await self._emit(
            RealtimeModelAudioInterruptedEvent(item_id=item_id, content_index=content_index)
        )
        played_item, played_index, played_ms = self._playback()
        if played_item is not None and played_ms is not None:
            state = self._audio.get((played_item, played_index))
            end_ms = max(round(played_ms), 0)
            finished = False
            if state is not None:
                # Never past the audio received; nothing to cut when it was all heard and
                # its response is over.
                finished = end_ms >= state.length_ms and state.response_id != self._active_response
                end_ms = min(end_ms, int(state.length_ms))
            if not finished:
                await self._connection().conversation.item.truncate(
                    item_id=played_item, content_index=played_index, audio_end_ms=end_ms
                )
        self._last_audio = None
        if self._playback_tracker is not None:
            self._playback_tracker.on_interrupted()

    async def _cancel(self, response_id: str | None) -> None:
        active = self._active_response
        if active is None or (response_id is not None and response_id != active):
            return
        await self._connection().response.cancel()

    async def _interrupt(self, event: RealtimeModelSendInterrupt) -> None:
        if event.playback_only and (event.cancel_response_only or event.force_response_cancel):
            raise ValueError("playback_only cannot be combined with a response cancel")
        if event.cancel_response_only:
            if event.response_id is None:
                raise ValueError("cancel_response_only requires response_id")
            await self._cancel(event.response_id)
            return
        if event.response_id is not None:
            self._interrupted_responses.add(event.response_id)
        await self._stop_playback(event.response_id)
        if not event.playback_only and (event.force_response_cancel or not self._auto_interrupt):
            await self._cancel(event.response_id)

    def _retire_response_audio(self, response_id: str) -> None:
        self._interrupted_responses.discard(response_id)
        for key in [k for k, v in self._audio.items() if v.response_id == response_id]:
            if key != self._last_audio:
                del self._audio[key]

    # ------------------------------------------------------------------ receiving

    async def _read_loop(self, conn: VoiceLiveConnection) -> None:
        try:
            async for event in conn:
                try:
                    await self._handle(event)
                except Exception as exc:
                    await self._emit(
                        RealtimeModelExceptionEvent(exception=exc, context="handling " + event.type)
                    )
        except ConnectionClosedOK:
            pass
        except Exception as exc:
            if not self._close_requested:
                await self._emit(
                    RealtimeModelExceptionEvent(exception=exc, context="Voice Live connection lost")
                )
                await self._emit(RealtimeModelConnectionStatusEvent(status="disconnected"))
            return
        finally:
            self._idle.set()
        if not self._close_requested:
            await self._emit(RealtimeModelConnectionStatusEvent(status="disconnected"))
            await self._emit(RealtimeModelEndOfStreamEvent())

    async def _handle(self, event: ServerEvent) -> None:
        await self._emit(RealtimeModelRawServerEvent(data=event))
        event = normalize_server_event(event)
        handler = _HANDLERS.get(voice_live_event_type(event.type))
        if handler is not None:
            await handler(self, event)

    async def _on_session(self, event: Any) -> None:
        td = event.session.turn_detection
        self._auto_interrupt = (
            td is not None and getattr(td, "interrupt_response", None) is not False
        )

    async def _on_audio_delta(self, event: Any) -> None:
        if event.response_id in self._interrupted_responses:
            return
        key = (event.item_id, event.content_index)
        state = self._audio.get(key)
        if state is None:
            state = self._audio[key] = _AudioState(event.response_id, time.monotonic())
        fmt = self._connection().output_audio_format
        state.length_ms += len(event.delta) * 1000 / (fmt.sample_rate * fmt.bytes_per_sample)
        self._last_audio = key
        if self._playback_tracker is not None:
            self._playback_tracker.set_audio_format(str(fmt.encoding))
        await self._emit(
            RealtimeModelAudioEvent(
                data=event.delta,
                response_id=event.response_id,
                item_id=event.item_id,
                content_index=event.content_index,
            )
        )

    async def _on_audio_done(self, event: Any) -> None:
        await self._emit(
            RealtimeModelAudioDoneEvent(item_id=event.item_id, content_index=event.content_index)
        )

    async def _on_transcript_delta(self, event: Any) -> None:
        await self._emit(
            RealtimeModelTranscriptDeltaEvent(
                item_id=event.item_id, delta=event.delta, response_id=event.response_id
            )
        )

    async def _on_text_delta(self, event: Any) -> None:
        await self._emit(
            RealtimeModelOutputTextDeltaEvent(
                item_id=event.item_id, delta=event.delta, response_id=event.response_id
            )
        )

    async def _on_speech_started(self, event: Any) -> None:
        # Barge-in: stop local playback and truncate what the user did not hear. With
        # interrupt_response on (the Voice Live default) the service cancels the response.
        if self._last_audio is None:
            return
        await self._stop_playback(None)
        if not self._auto_interrupt:
            await self._cancel(None)

    async def _on_response_created(self, event: Any) -> None:
        self._active_response = event.response.id
        self._idle.clear()
        await self._emit(RealtimeModelTurnStartedEvent(response_id=event.response.id))

    async def _on_response_done(self, event: Any) -> None:
        response = event.response
        self._active_response = None
        self._idle.set()
        usage = response.usage
        if usage is not None:
            await self._emit(_usage_event(usage))
        await self._emit(RealtimeModelTurnEndedEvent(response_id=response.id))

    async def _on_error(self, event: Any) -> None:
        error = event.error
        if getattr(error, "code", None) == "conversation_already_has_active_response":
            pass  # our own response.create raced the service's VAD response: harmless
        elif self._active_response is None:
            self._idle.set()  # a refused response.create must not block the next one
        await self._emit(RealtimeModelErrorEvent(error=error))

    async def _on_timeout_triggered(self, event: Any) -> None:
        await self._emit(
            RealtimeModelInputAudioTimeoutTriggeredEvent(
                item_id=event.item_id or "",
                audio_start_ms=event.audio_start_ms or 0,
                audio_end_ms=event.audio_end_ms or 0,
            )
        )

    async def _on_item_deleted(self, event: Any) -> None:
        await self._emit(RealtimeModelItemDeletedEvent(item_id=event.item_id))

    async def _on_item(self, event: Any) -> None:
        item = _as_dict(event.item)
        if item.get("type") != "message":
            return
        previous = getattr(event, "previous_item_id", None)
        await self._emit(RealtimeModelItemUpdatedEvent(item=_message_item(item, previous)))

    async def _on_transcription_completed(self, event: Any) -> None:
        await self._emit(
            RealtimeModelInputAudioTranscriptionCompletedEvent(
                item_id=event.item_id, transcript=event.transcript
            )
        )

    async def _on_output_item(self, event: Any) -> None:
        if event.item is None:
            return
        item = _as_dict(event.item)
        if item.get("type") == "function_call":
            if event.type != "response.output_item.done":
                return
            call = RealtimeModelToolCallEvent(
                name=item.get("name") or "",
                call_id=item.get("call_id") or "",
                arguments=item.get("arguments") or "",
                id=item.get("id") or "",
            )
            await self._emit(
                RealtimeModelItemUpdatedEvent(
                    item=RealtimeToolCallItem(
                        item_id=call.id or "",
                        call_id=call.call_id,
                        status="in_progress",
                        arguments=call.arguments,
                        name=call.name,
                    )
                )
            )
            await self._emit(call)
        elif item.get("type") == "message":
            status = item.get("status")
            if status not in ("in_progress", "completed", "incomplete"):
                done = event.type == "response.output_item.done"
                status = "completed" if done else "in_progress"
            await self._emit(
                RealtimeModelItemUpdatedEvent(item=_message_item({**item, "status": status}, None))
            )


def _as_dict(model: Any) -> dict[str, Any]:
    result: dict[str, Any] = model.model_dump(mode="python", exclude_none=True)
    return result


def _message_item(item: Mapping[str, Any], previous_item_id: str | None) -> RealtimeMessageItem:
    role = item.get("role", "assistant")
    data: dict[str, Any] = {
        "item_id": item.get("id") or "",
        "previous_item_id": previous_item_id,
        "type": "message",
        "role": role,
        "content": [_content_part(p) for p in item.get("content") or []],
    }
    if role == "assistant":
        data["status"] = item.get("status")
    model: RealtimeMessageItem = _MESSAGE_ITEM.validate_python(data)
    assert isinstance(model, SystemMessageItem | UserMessageItem | AssistantMessageItem)
    return model


def _usage_event(usage: Any) -> RealtimeModelUsageEvent:
    input_details = usage.input_token_details
    output_details = usage.output_token_details
    return RealtimeModelUsageEvent(
        usage=Usage(
            requests=1,
            input_tokens=usage.input_tokens or 0,
            output_tokens=usage.output_tokens or 0,
            total_tokens=usage.total_tokens or 0,
        ),
        input_tokens_details=None
        if input_details is None
        else RealtimeModelInputTokensDetails(
            text_tokens=getattr(input_details, "text_tokens", None),
            audio_tokens=getattr(input_details, "audio_tokens", None),
            image_tokens=getattr(input_details, "image_tokens", None),
            cached_tokens=getattr(input_details, "cached_tokens", None),
        ),
        output_tokens_details=None
        if output_details is None
        else RealtimeModelOutputTokensDetails(
            text_tokens=getattr(output_details, "text_tokens", None),
            audio_tokens=getattr(output_details, "audio_tokens", None),
        ),
    )


_Handler = Callable[[VoiceLiveRealtimeModel, Any], Any]
_HANDLERS: dict[str, _Handler] = {
    "session.created": VoiceLiveRealtimeModel._on_session,
    "session.updated": VoiceLiveRealtimeModel._on_session,
    "response.audio.delta": VoiceLiveRealtimeModel._on_audio_delta,
    "response.audio.done": VoiceLiveRealtimeModel._on_audio_done,
    "response.audio_transcript.delta": VoiceLiveRealtimeModel._on_transcript_delta,
    "response.text.delta": VoiceLiveRealtimeModel._on_text_delta,
    "input_audio_buffer.speech_started": VoiceLiveRealtimeModel._on_speech_started,
    "response.created": VoiceLiveRealtimeModel._on_response_created,
    "response.done": VoiceLiveRealtimeModel._on_response_done,
    "error": VoiceLiveRealtimeModel._on_error,
    "conversation.item.deleted": VoiceLiveRealtimeModel._on_item_deleted,
    "input_audio_buffer.timeout_triggered": VoiceLiveRealtimeModel._on_timeout_triggered,
    "conversation.item.created": VoiceLiveRealtimeModel._on_item,
    "conversation.item.retrieved": VoiceLiveRealtimeModel._on_item,
    "conversation.item.input_audio_transcription.completed": (
        VoiceLiveRealtimeModel._on_transcription_completed
    ),
    "response.output_item.added": VoiceLiveRealtimeModel._on_output_item,
    "response.output_item.done": VoiceLiveRealtimeModel._on_output_item,
}
"""Voice Live server event type -> what the adapter does with it (every event is also
forwarded as ``raw_server_event``). GA names reach this table renamed by ``_names``."""
