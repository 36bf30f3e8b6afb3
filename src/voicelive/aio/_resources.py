"""Resource namespaces of :class:`~voicelive.aio.VoiceLiveConnection`.

Each method builds one client event model from its keyword arguments (plain dicts are
validated into the nested models, so a wrong field raises :class:`pydantic.ValidationError`
naming it, before anything is sent), then sends it. Arguments left at ``None`` are omitted
from the event. Every method takes an optional ``event_id``; the service echoes it in the
``error`` event when that client event fails.

Method names follow the official SDK (``conn.session.update(session=...)``,
``conn.conversation.item.create(item=...)``, ...); the Voice Live-only events get typed
methods named after their wire type (``input_audio.turn.start`` ->
``conn.input_audio.turn.start(turn_id=...)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

from ..audio._formats import AudioFormatError
from ..models import (
    ClientEventConversationItemCreate,
    ClientEventConversationItemDelete,
    ClientEventConversationItemRetrieve,
    ClientEventConversationItemTruncate,
    ClientEventInputAudioBufferClear,
    ClientEventInputAudioBufferCommit,
    ClientEventInputAudioClear,
    ClientEventInputAudioTurnAppend,
    ClientEventInputAudioTurnCancel,
    ClientEventInputAudioTurnEnd,
    ClientEventInputAudioTurnStart,
    ClientEventInputTextDelta,
    ClientEventInputTextDone,
    ClientEventOutputAudioBufferClear,
    ClientEventResponseCancel,
    ClientEventResponseCreate,
    ClientEventRtcCallSdpCreate,
    ClientEventSessionAvatarConnect,
    ClientEventSessionUpdate,
    ClientEventTranscriptionSessionUpdate,
    MCPApprovalResponseRequestItem,
)
from ..models._client_events import ClientEventBase

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from ..conversation._acks import MismatchPolicy
    from ..models import (
        ConversationRequestItem,
        RequestSession,
        ResponseCreateParams,
        ResponseItem,
        ResponseSession,
        ServerEventInputAudioBufferCommitted,
    )
    from ._connection import VoiceLiveConnection

    AudioInput = (
        bytes | bytearray | memoryview | str | npt.NDArray[np.int16] | npt.NDArray[np.float32]
    )

__all__ = [
    "ConversationItemResource",
    "ConversationResource",
    "InputAudioBufferResource",
    "InputAudioResource",
    "InputAudioTurnResource",
    "InputTextResource",
    "McpResource",
    "OutputAudioBufferResource",
    "ResponseResource",
    "RtcResource",
    "SessionResource",
    "TranscriptionSessionResource",
]


class _Resource:
    __slots__ = ("_connection",)

    def __init__(self, connection: VoiceLiveConnection) -> None:
        self._connection = connection

    async def _send(self, event_class: type[ClientEventBase], **fields: Any) -> None:
        present = {name: value for name, value in fields.items() if value is not None}
        await self._connection._send_event(event_class.model_validate(present))


class SessionResource(_Resource):
    """``conn.session``: session configuration."""

    __slots__ = ()

    @overload
    async def update(
        self,
        *,
        session: RequestSession | Mapping[str, Any],
        event_id: str | None = None,
        wait: Literal[False] = False,
        timeout: float | None = 30.0,
        on_mismatch: MismatchPolicy = "warn",
    ) -> None: ...

    @overload
    async def update(
        self,
        *,
        session: RequestSession | Mapping[str, Any],
        event_id: str | None = None,
        wait: Literal[True],
        timeout: float | None = 30.0,
        on_mismatch: MismatchPolicy = "warn",
    ) -> ResponseSession: ...

    async def update(
        self,
        *,
        session: RequestSession | Mapping[str, Any],
        event_id: str | None = None,
        wait: bool = False,
        timeout: float | None = 30.0,
        on_mismatch: MismatchPolicy = "warn",
    ) -> ResponseSession | None:
        """Send ``session.update``: change only the keys given in ``session``.

        A key explicitly set to ``None`` is sent as JSON ``null`` (``turn_detection=None``
        turns server VAD off); keys not given are left out. The service answers
        ``session.updated`` with the effective session, or ``error``.

        With ``wait=True`` (voicelive addition) it returns the session of ``session.updated``,
        raises :class:`~voicelive.exceptions.ServerError` on an ``error`` for this request or
        :class:`~voicelive.exceptions.WaitTimeoutError` after ``timeout`` seconds, and reports
        requested fields the echo does not match (voice, formats, turn detection) per
        ``on_mismatch``: ``"warn"``, ``"raise"`` or ``"ignore"``. See
        :func:`voicelive.conversation.update_session`.
        """
        if wait:
            from ..conversation._acks import update_session

            return await update_session(
                self._connection,
                session,
                event_id=event_id,
                timeout=timeout,
                on_mismatch=on_mismatch,
            )
        await self._send(ClientEventSessionUpdate, session=session, event_id=event_id)
        return None

    async def connect_avatar(self, *, client_sdp: str, event_id: str | None = None) -> None:
        """Send ``session.avatar.connect`` with the WebRTC SDP offer (base64 in 2026 docs).

        The service answers ``session.avatar.connecting`` with ``server_sdp``.
        """
        await self._send(ClientEventSessionAvatarConnect, client_sdp=client_sdp, event_id=event_id)


class ResponseResource(_Resource):
    """``conn.response``: model inference."""

    __slots__ = ()

    async def create(
        self,
        *,
        response: ResponseCreateParams | Mapping[str, Any] | None = None,
        additional_instructions: str | None = None,
        event_id: str | None = None,
    ) -> None:
        """Send ``response.create``; ``response`` overrides session settings for this one.

        ``additional_instructions`` (Voice Live only) is appended to the session
        instructions for this response. The service streams ``response.created`` ...
        ``response.done``.
        """
        await self._send(
            ClientEventResponseCreate,
            response=response,
            additional_instructions=additional_instructions,
            event_id=event_id,
        )

    async def cancel(self, *, response_id: str | None = None, event_id: str | None = None) -> None:
        """Send ``response.cancel`` (the in-progress response, or ``response_id``)."""
        await self._send(ClientEventResponseCancel, response_id=response_id, event_id=event_id)


class InputAudioBufferResource(_Resource):
    """``conn.input_audio_buffer``: the streamed input audio buffer."""

    __slots__ = ()

    async def append(self, *, audio: AudioInput, event_id: str | None = None) -> None:
        """Send ``input_audio_buffer.append``.

        ``audio`` may be raw wire audio (``bytes`` / ``bytearray`` / ``memoryview`` in the
        session's input format), a numpy ``int16`` array (PCM16) or ``float32`` array in
        [-1, 1] (converted to PCM16, clipped), or a base64 ``str`` (the official SDK's form).
        At most 15 MiB per call (else :class:`~voicelive.exceptions.LocalProtocolError` is
        raised and nothing is sent). A length that is not a whole number of samples of the
        session's input format is sent as given, as the official SDK does (a stream cut at
        arbitrary byte boundaries), with a warning logged once per connection.
        """
        await self._connection._send_audio_append(audio, event_id)

    async def append_audio(
        self,
        samples: npt.NDArray[np.int16] | npt.NDArray[np.float32] | bytes,
        *,
        sample_rate: int,
        channels: int | None = None,
        flush: bool = False,
        event_id: str | None = None,
    ) -> None:
        """Append audio recorded at any rate: resampled and encoded to the session's format.

        ``samples`` is an int16 / float32 array (1-D, or ``(frames, channels)``) or PCM16
        bytes at ``sample_rate``; stereo is downmixed when the session input is mono. A
        streaming resampler per source rate keeps state between calls, so feeding 10 ms or
        20 ms microphone frames gives the same audio as one big call. The resampler holds
        back a few milliseconds; pass ``flush=True`` with the last chunk of an utterance
        (e.g. before ``commit()``). Nothing is sent when a call yields no whole sample.

        Raises:
            AudioFormatError: the audio cannot be converted (shape, channels, byte count).
        """
        try:
            encoder = self._connection._encoder_for(sample_rate, channels)
            data = encoder.encode(samples)
            if flush:
                data += encoder.flush()
        except AudioFormatError as exc:  # name the call and the session values it met
            call = f"append_audio(sample_rate={sample_rate}" + (
                f", channels={channels})" if channels is not None else ")"
            )
            conn = self._connection
            try:
                where = f"the session's input format is {conn.input_audio_format} "
            except AudioFormatError:
                where = ""
            raise AudioFormatError(
                f"{call}: {exc}; {where}({conn._input_format_origin()})"
            ) from None
        if data:
            await self._connection._send_audio_append(data, event_id)

    @overload
    async def commit(
        self,
        *,
        event_id: str | None = None,
        wait: Literal[False] = False,
        timeout: float | None = 30.0,
    ) -> None: ...

    @overload
    async def commit(
        self, *, event_id: str | None = None, wait: Literal[True], timeout: float | None = 30.0
    ) -> ServerEventInputAudioBufferCommitted: ...

    async def commit(
        self, *, event_id: str | None = None, wait: bool = False, timeout: float | None = 30.0
    ) -> ServerEventInputAudioBufferCommitted | None:
        """Send ``input_audio_buffer.commit`` (not needed with server VAD).

        With ``wait=True`` (voicelive addition) it returns the ``input_audio_buffer.committed``
        event, or raises :class:`~voicelive.exceptions.ServerError` /
        :class:`~voicelive.exceptions.WaitTimeoutError`.
        """
        if wait:
            from ..conversation._acks import commit_audio

            return await commit_audio(self._connection, event_id=event_id, timeout=timeout)
        await self._send(ClientEventInputAudioBufferCommit, event_id=event_id)
        return None

    async def clear(self, *, event_id: str | None = None) -> None:
        """Send ``input_audio_buffer.clear``."""
        await self._send(ClientEventInputAudioBufferClear, event_id=event_id)


class OutputAudioBufferResource(_Resource):
    """``conn.output_audio_buffer``: server-side queued output audio."""

    __slots__ = ()

    async def clear(self, *, event_id: str | None = None) -> None:
        """Send ``output_audio_buffer.clear``; answered by ``output_audio_buffer.cleared``."""
        await self._send(ClientEventOutputAudioBufferClear, event_id=event_id)


class ConversationItemResource(_Resource):
    """``conn.conversation.item``: conversation items."""

    __slots__ = ()

    @overload
    async def create(
        self,
        *,
        item: ConversationRequestItem | Mapping[str, Any],
        previous_item_id: str | None = None,
        event_id: str | None = None,
        wait: Literal[False] = False,
        timeout: float | None = 30.0,
    ) -> None: ...

    @overload
    async def create(
        self,
        *,
        item: ConversationRequestItem | Mapping[str, Any],
        previous_item_id: str | None = None,
        event_id: str | None = None,
        wait: Literal[True],
        timeout: float | None = 30.0,
    ) -> ResponseItem: ...

    async def create(
        self,
        *,
        item: ConversationRequestItem | Mapping[str, Any],
        previous_item_id: str | None = None,
        event_id: str | None = None,
        wait: bool = False,
        timeout: float | None = 30.0,
    ) -> ResponseItem | None:
        """Send ``conversation.item.create``.

        ``previous_item_id``: omitted appends; ``"root"`` inserts at the beginning.

        With ``wait=True`` (voicelive addition) it returns the item of
        ``conversation.item.created``, or raises :class:`~voicelive.exceptions.ServerError` /
        :class:`~voicelive.exceptions.WaitTimeoutError`.
        """
        if wait:
            from ..conversation._acks import create_item

            return await create_item(
                self._connection,
                item,
                previous_item_id=previous_item_id,
                event_id=event_id,
                timeout=timeout,
            )
        await self._send(
            ClientEventConversationItemCreate,
            item=item,
            previous_item_id=previous_item_id,
            event_id=event_id,
        )
        return None

    async def retrieve(self, *, item_id: str, event_id: str | None = None) -> None:
        """Send ``conversation.item.retrieve``; answered by ``conversation.item.retrieved``."""
        await self._send(ClientEventConversationItemRetrieve, item_id=item_id, event_id=event_id)

    async def delete(self, *, item_id: str, event_id: str | None = None) -> None:
        """Send ``conversation.item.delete``; answered by ``conversation.item.deleted``."""
        await self._send(ClientEventConversationItemDelete, item_id=item_id, event_id=event_id)

    async def truncate(
        self, *, item_id: str, content_index: int, audio_end_ms: int, event_id: str | None = None
    ) -> None:
        """Send ``conversation.item.truncate`` (assistant audio items; ``content_index`` 0)."""
        await self._send(
            ClientEventConversationItemTruncate,
            item_id=item_id,
            content_index=content_index,
            audio_end_ms=audio_end_ms,
            event_id=event_id,
        )


class ConversationResource(_Resource):
    """``conn.conversation``: holds ``item``."""

    __slots__ = ("item",)

    def __init__(self, connection: VoiceLiveConnection) -> None:
        super().__init__(connection)
        self.item = ConversationItemResource(connection)
        """``conversation.item.*`` events."""


class TranscriptionSessionResource(_Resource):
    """``conn.transcription_session``."""

    __slots__ = ()

    async def update(self, *, session: Mapping[str, Any], event_id: str | None = None) -> None:
        """Send ``transcription_session.update`` (an OpenAI-beta event the official SDK sends)."""
        await self._send(ClientEventTranscriptionSessionUpdate, session=session, event_id=event_id)


class InputAudioTurnResource(_Resource):
    """``conn.input_audio.turn``: Voice Live turn-based audio input."""

    __slots__ = ()

    async def start(self, *, turn_id: str, event_id: str | None = None) -> None:
        """Send ``input_audio.turn.start``."""
        await self._send(ClientEventInputAudioTurnStart, turn_id=turn_id, event_id=event_id)

    async def append(
        self, *, turn_id: str, audio: bytes | str, event_id: str | None = None
    ) -> None:
        """Send ``input_audio.turn.append`` (``audio``: raw bytes or base64 text)."""
        await self._send(
            ClientEventInputAudioTurnAppend, turn_id=turn_id, audio=audio, event_id=event_id
        )

    async def end(self, *, turn_id: str, event_id: str | None = None) -> None:
        """Send ``input_audio.turn.end``."""
        await self._send(ClientEventInputAudioTurnEnd, turn_id=turn_id, event_id=event_id)

    async def cancel(self, *, turn_id: str, event_id: str | None = None) -> None:
        """Send ``input_audio.turn.cancel``."""
        await self._send(ClientEventInputAudioTurnCancel, turn_id=turn_id, event_id=event_id)


class InputAudioResource(_Resource):
    """``conn.input_audio``: ``turn`` plus ``clear``."""

    __slots__ = ("turn",)

    def __init__(self, connection: VoiceLiveConnection) -> None:
        super().__init__(connection)
        self.turn = InputAudioTurnResource(connection)
        """``input_audio.turn.*`` events."""

    async def clear(self, *, event_id: str | None = None) -> None:
        """Send ``input_audio.clear`` (clears all streamed input audio)."""
        await self._send(ClientEventInputAudioClear, event_id=event_id)


class InputTextResource(_Resource):
    """``conn.input_text``: stream text into an existing item."""

    __slots__ = ()

    async def delta(
        self, *, id: str, delta: str, content_index: int | None = None, event_id: str | None = None
    ) -> None:
        """Send ``input_text.delta`` (``id`` is the item id; ``content_index`` defaults to 0)."""
        await self._send(
            ClientEventInputTextDelta,
            id=id,
            delta=delta,
            content_index=content_index,
            event_id=event_id,
        )

    async def done(
        self, *, id: str, content_index: int | None = None, event_id: str | None = None
    ) -> None:
        """Send ``input_text.done`` (marks the streamed text of item ``id`` complete)."""
        await self._send(
            ClientEventInputTextDone, id=id, content_index=content_index, event_id=event_id
        )


class McpResource(_Resource):
    """``conn.mcp``: answers to MCP tool approval requests."""

    __slots__ = ()

    async def respond_to_approval(
        self,
        *,
        approval_request_id: str,
        approve: bool,
        previous_item_id: str | None = None,
        event_id: str | None = None,
    ) -> None:
        """Answer an ``mcp_approval_request`` item with an ``mcp_approval_response`` item.

        Sent as ``conversation.item.create``, as the service expects.
        """
        item = MCPApprovalResponseRequestItem(
            approval_request_id=approval_request_id, approve=approve
        )
        await self._send(
            ClientEventConversationItemCreate,
            item=item,
            previous_item_id=previous_item_id,
            event_id=event_id,
        )


class RtcResource(_Resource):
    """``conn.rtc``: WebRTC signalling over the WebSocket."""

    __slots__ = ()

    async def create_call_sdp(
        self,
        *,
        sdp_offer: str,
        session: Mapping[str, Any] | None = None,
        event_id: str | None = None,
    ) -> None:
        """Send ``rtc.call.sdp.create`` with an SDP offer (answered by ``rtc.call.sdp.created``)."""
        await self._send(
            ClientEventRtcCallSdpCreate, sdp_offer=sdp_offer, session=session, event_id=event_id
        )
