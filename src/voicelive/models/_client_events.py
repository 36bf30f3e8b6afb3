"""Client events (PROTOCOL.md §3): one class per ``type``, all deriving from the private
:class:`ClientEventBase`.

Client events are :class:`VoiceLiveModel` subclasses: unknown keys are rejected before anything
is sent, ``type`` is always written, unset fields are omitted and fields explicitly set to
``None`` are written as JSON ``null``. :data:`ClientEvent` is the discriminated union on
``type`` and :data:`CLIENT_EVENT_ADAPTER` validates a plain ``dict`` into the right class.

Besides the 19 events of SDK 1.3.1 this module models ``transcription_session.update`` (sent
as a raw dict by the SDK) and ``rtc.call.sdp.create`` (Java SDK, WebRTC signalling).
"""

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from ._base import VoiceLiveModel
from ._conversation import ConversationRequestItemUnion, ResponseCreateParams, _Base64Audio
from ._session import RequestSession
from ._union import event_union

__all__ = [
    "CLIENT_EVENT_ADAPTER",
    "CLIENT_EVENT_CLASSES",
    "ClientEvent",
    "ClientEventConversationItemCreate",
    "ClientEventConversationItemDelete",
    "ClientEventConversationItemRetrieve",
    "ClientEventConversationItemTruncate",
    "ClientEventInputAudioBufferAppend",
    "ClientEventInputAudioBufferClear",
    "ClientEventInputAudioBufferCommit",
    "ClientEventInputAudioClear",
    "ClientEventInputAudioTurnAppend",
    "ClientEventInputAudioTurnCancel",
    "ClientEventInputAudioTurnEnd",
    "ClientEventInputAudioTurnStart",
    "ClientEventInputTextDelta",
    "ClientEventInputTextDone",
    "ClientEventOutputAudioBufferClear",
    "ClientEventResponseCancel",
    "ClientEventResponseCreate",
    "ClientEventRtcCallSdpCreate",
    "ClientEventSessionAvatarConnect",
    "ClientEventSessionUpdate",
    "ClientEventTranscriptionSessionUpdate",
]


class ClientEventBase(VoiceLiveModel):
    """Base of every client event (private): ``type`` plus an optional ``event_id``."""

    type: str
    """The event type (the discriminator); each subclass narrows it to one ``Literal``."""
    event_id: str | None = None
    """Client-chosen id, echoed in ``error.event_id`` when this event causes an error."""


class ClientEventSessionUpdate(ClientEventBase):
    """Change session defaults; only the keys present change. Reply: ``session.updated``."""

    type: Literal["session.update"] = "session.update"
    """Always ``"session.update"``."""
    session: RequestSession
    """The changes."""


class ClientEventSessionAvatarConnect(ClientEventBase):
    """Send the avatar WebRTC SDP offer. Reply: ``session.avatar.connecting``."""

    type: Literal["session.avatar.connect"] = "session.avatar.connect"
    """Always ``"session.avatar.connect"``."""
    client_sdp: str
    """The client's SDP offer (base64-encoded from api-version 2026 on)."""


class ClientEventInputAudioBufferAppend(ClientEventBase):
    """Append audio to the input buffer (no reply). Up to 15 MiB of audio per event."""

    type: Literal["input_audio_buffer.append"] = "input_audio_buffer.append"
    """Always ``"input_audio_buffer.append"``."""
    audio: _Base64Audio
    """Base64 audio in the session's input format (raw ``bytes`` accepted and encoded)."""


class ClientEventInputAudioBufferCommit(ClientEventBase):
    """Commit the input buffer as a user item (not needed with server VAD)."""

    type: Literal["input_audio_buffer.commit"] = "input_audio_buffer.commit"
    """Always ``"input_audio_buffer.commit"``."""


class ClientEventInputAudioBufferClear(ClientEventBase):
    """Clear the input buffer. Reply: ``input_audio_buffer.cleared``."""

    type: Literal["input_audio_buffer.clear"] = "input_audio_buffer.clear"
    """Always ``"input_audio_buffer.clear"``."""


class ClientEventInputAudioTurnStart(ClientEventBase):
    """Start a turn of turn-based audio input."""

    type: Literal["input_audio.turn.start"] = "input_audio.turn.start"
    """Always ``"input_audio.turn.start"``."""
    turn_id: str
    """Id of the turn."""


class ClientEventInputAudioTurnAppend(ClientEventBase):
    """Append audio to a turn."""

    type: Literal["input_audio.turn.append"] = "input_audio.turn.append"
    """Always ``"input_audio.turn.append"``."""
    turn_id: str
    """Id of the turn."""
    audio: _Base64Audio
    """Base64 audio in the session's input format (raw ``bytes`` accepted and encoded)."""


class ClientEventInputAudioTurnEnd(ClientEventBase):
    """End a turn."""

    type: Literal["input_audio.turn.end"] = "input_audio.turn.end"
    """Always ``"input_audio.turn.end"``."""
    turn_id: str
    """Id of the turn."""


class ClientEventInputAudioTurnCancel(ClientEventBase):
    """Cancel a turn."""

    type: Literal["input_audio.turn.cancel"] = "input_audio.turn.cancel"
    """Always ``"input_audio.turn.cancel"``."""
    turn_id: str
    """Id of the turn."""


class ClientEventInputAudioClear(ClientEventBase):
    """Clear all streamed input audio."""

    type: Literal["input_audio.clear"] = "input_audio.clear"
    """Always ``"input_audio.clear"``."""


class ClientEventInputTextDelta(ClientEventBase):
    """Stream text into an existing item; finish with ``input_text.done``."""

    type: Literal["input_text.delta"] = "input_text.delta"
    """Always ``"input_text.delta"``."""
    id: str
    """Id of the item."""
    delta: str
    """Text chunk."""
    content_index: int | None = None
    """Index of the content part (default 0)."""


class ClientEventInputTextDone(ClientEventBase):
    """Mark the streamed text of an item complete."""

    type: Literal["input_text.done"] = "input_text.done"
    """Always ``"input_text.done"``."""
    id: str
    """Id of the item."""
    content_index: int | None = None
    """Index of the content part (default 0)."""


class ClientEventConversationItemCreate(ClientEventBase):
    """Add an item to the conversation. Reply: ``conversation.item.created``."""

    type: Literal["conversation.item.create"] = "conversation.item.create"
    """Always ``"conversation.item.create"``."""
    previous_item_id: str | None = None
    """Insert after this item; omitted = append, ``"root"`` = insert at the beginning."""
    item: ConversationRequestItemUnion | None = None
    """The item."""


class ClientEventConversationItemRetrieve(ClientEventBase):
    """Ask for an item. Reply: ``conversation.item.retrieved`` (or ``error``)."""

    type: Literal["conversation.item.retrieve"] = "conversation.item.retrieve"
    """Always ``"conversation.item.retrieve"``."""
    item_id: str
    """Id of the item."""


class ClientEventConversationItemTruncate(ClientEventBase):
    """Truncate an assistant audio item (e.g. on barge-in). Reply:
    ``conversation.item.truncated``."""

    type: Literal["conversation.item.truncate"] = "conversation.item.truncate"
    """Always ``"conversation.item.truncate"``."""
    item_id: str
    """Id of the assistant message item."""
    content_index: int
    """Index of the content part (should be 0)."""
    audio_end_ms: int
    """Audio to keep, in ms (beyond the audio length is an error)."""


class ClientEventConversationItemDelete(ClientEventBase):
    """Delete an item. Reply: ``conversation.item.deleted`` (or ``error``)."""

    type: Literal["conversation.item.delete"] = "conversation.item.delete"
    """Always ``"conversation.item.delete"``."""
    item_id: str
    """Id of the item."""


class ClientEventResponseCreate(ClientEventBase):
    """Start a response. Reply: ``response.created`` ... ``response.done``."""

    type: Literal["response.create"] = "response.create"
    """Always ``"response.create"``."""
    response: ResponseCreateParams | None = None
    """Overrides of the session for this response only."""
    additional_instructions: str | None = None
    """Text appended to the session instructions for this response."""


class ClientEventResponseCancel(ClientEventBase):
    """Cancel a response; the reply is ``response.done`` with status ``cancelled``."""

    type: Literal["response.cancel"] = "response.cancel"
    """Always ``"response.cancel"``."""
    response_id: str | None = None
    """Response to cancel; default: the one in progress."""


class ClientEventOutputAudioBufferClear(ClientEventBase):
    """Clear queued output audio (avatar mode). Reply: ``output_audio_buffer.cleared``."""

    type: Literal["output_audio_buffer.clear"] = "output_audio_buffer.clear"
    """Always ``"output_audio_buffer.clear"``."""


class ClientEventTranscriptionSessionUpdate(ClientEventBase):
    """Update a transcription session (OpenAI beta event the SDK sends as a raw dict)."""

    type: Literal["transcription_session.update"] = "transcription_session.update"
    """Always ``"transcription_session.update"``."""
    session: dict[str, Any]
    """The transcription session configuration, sent as is."""


class ClientEventRtcCallSdpCreate(ClientEventBase):
    """Send a WebRTC SDP offer over the socket (Java SDK only). Reply:
    ``rtc.call.sdp.created``."""

    type: Literal["rtc.call.sdp.create"] = "rtc.call.sdp.create"
    """Always ``"rtc.call.sdp.create"``."""
    sdp_offer: str
    """The client's SDP offer."""
    session: RequestSession | None = None
    """Session configuration for the call."""


_CLIENT_EVENTS: tuple[type[ClientEventBase], ...] = (
    ClientEventSessionUpdate,
    ClientEventSessionAvatarConnect,
    ClientEventInputAudioBufferAppend,
    ClientEventInputAudioBufferCommit,
    ClientEventInputAudioBufferClear,
    ClientEventInputAudioTurnStart,
    ClientEventInputAudioTurnAppend,
    ClientEventInputAudioTurnEnd,
    ClientEventInputAudioTurnCancel,
    ClientEventInputAudioClear,
    ClientEventInputTextDelta,
    ClientEventInputTextDone,
    ClientEventConversationItemCreate,
    ClientEventConversationItemRetrieve,
    ClientEventConversationItemTruncate,
    ClientEventConversationItemDelete,
    ClientEventResponseCreate,
    ClientEventResponseCancel,
    ClientEventOutputAudioBufferClear,
    ClientEventTranscriptionSessionUpdate,
    ClientEventRtcCallSdpCreate,
)

_ClientEventUnion = Annotated[
    ClientEventSessionUpdate
    | ClientEventSessionAvatarConnect
    | ClientEventInputAudioBufferAppend
    | ClientEventInputAudioBufferCommit
    | ClientEventInputAudioBufferClear
    | ClientEventInputAudioTurnStart
    | ClientEventInputAudioTurnAppend
    | ClientEventInputAudioTurnEnd
    | ClientEventInputAudioTurnCancel
    | ClientEventInputAudioClear
    | ClientEventInputTextDelta
    | ClientEventInputTextDone
    | ClientEventConversationItemCreate
    | ClientEventConversationItemRetrieve
    | ClientEventConversationItemTruncate
    | ClientEventConversationItemDelete
    | ClientEventResponseCreate
    | ClientEventResponseCancel
    | ClientEventOutputAudioBufferClear
    | ClientEventTranscriptionSessionUpdate
    | ClientEventRtcCallSdpCreate,
    Field(discriminator="type"),
]

_CLIENT_EVENT_DOC = """Any client event: a discriminated union on ``type``.

``isinstance(x, ClientEvent)`` is ``True`` for every client event model and a pydantic field
annotated ``ClientEvent`` validates a dict into the right class (see ``models._union``).
"""

if TYPE_CHECKING:
    ClientEvent = _ClientEventUnion
else:
    ClientEvent = event_union(
        "ClientEvent", "voicelive.models", _ClientEventUnion, ClientEventBase, _CLIENT_EVENT_DOC
    )

CLIENT_EVENT_ADAPTER: TypeAdapter[ClientEvent] = TypeAdapter(ClientEvent)
"""Validates a ``dict`` into its event class: ``CLIENT_EVENT_ADAPTER.validate_python(d)``."""

CLIENT_EVENT_CLASSES: dict[str, type[ClientEventBase]] = {
    cls.model_fields["type"].default: cls for cls in _CLIENT_EVENTS
}
"""Wire ``type`` -> event class, for every client event this library models."""
