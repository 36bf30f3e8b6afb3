"""Server events (PROTOCOL.md §4): one class per ``type``, all deriving from
:class:`ServerEventBase`.

Every class narrows ``type`` to a one-value ``Literal``. That is what lets a type checker narrow
the :data:`ServerEvent` union: after ``if event.type == "response.audio.delta":`` mypy knows
``event`` is a :class:`ServerEventResponseAudioDelta` (and ``event.delta`` is ``bytes``). Mypy
only narrows a union on an attribute comparison when *every* member's attribute is a
``Literal``; a single member with ``type: str`` disables narrowing for the whole union. So the
two events the library makes itself also get their own ``Literal`` types, distinct from every
wire type:

* :class:`UnknownServerEvent` (``"voicelive.unknown"``) -- a frame whose ``type`` this library
  does not model; ``raw_type`` holds the wire ``type`` and ``raw`` the whole payload.
* :class:`InvalidServerEvent` (``"voicelive.invalid"``) -- a frame of a *known* type that failed
  validation (the service changed a field); it carries pydantic's error next to the payload.

Both are built by the decoder, never selected by pydantic's dispatch on ``type``.

Required top-level fields (the ``*`` fields of PROTOCOL.md) are non-optional, so
``event.delta`` is ``bytes``, not ``bytes | None``; nested objects are tolerant (see
``_conversation``). Events the documentation describes but SDK 1.3.1 does not model
(PROTOCOL.md §4.9, ``rate_limits.updated``, ``response.foundry_agent_call*``, ...) are modeled
too, with every field optional. ``response.cancelled`` does not exist and is not modeled.

The hot-path classes (``response.audio.delta``, ``response.audio_transcript.delta``) are plain
field lists: no validators, no computed fields -- pydantic-core builds them straight from the
frame text, decoding the base64 audio to ``bytes`` in Rust.
"""

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from ._base import ServerEventBase
from ._conversation import (
    ContentPartUnion,
    LogProbProperties,
    RateLimit,
    RealtimeConversation,
    Response,
    ResponseItemUnion,
    ServerEventErrorDetails,
    ServerEventWarningDetails,
    TranscriptionPhrase,
    VoiceLiveErrorDetails,
)
from ._server_events_avatar import (
    ServerEventResponseAnimationBlendshapeDelta,
    ServerEventResponseAnimationBlendshapeDone,
    ServerEventResponseAnimationVisemeDelta,
    ServerEventResponseAnimationVisemeDone,
    ServerEventResponseAudioTimestampDelta,
    ServerEventResponseAudioTimestampDone,
    ServerEventResponseVideoDelta,
    ServerEventSessionAvatarConnecting,
    ServerEventSessionAvatarSwitchToIdle,
    ServerEventSessionAvatarSwitchToSpeaking,
)
from ._server_events_calls import (
    ServerEventRealtimeCallConnected,
    ServerEventRealtimeCallDisconnected,
    ServerEventRealtimeCallFailed,
    ServerEventRealtimeCallIncoming,
    ServerEventRealtimeCallTransferFailed,
    ServerEventRealtimeCallTransferSucceeded,
    ServerEventRtcCallError,
    ServerEventRtcCallSdpCreated,
)
from ._server_events_tools import (
    ServerEventMcpListToolsCompleted,
    ServerEventMcpListToolsFailed,
    ServerEventMcpListToolsInProgress,
    ServerEventResponseAudioTranscriptAnnotationAdded,
    ServerEventResponseFileSearchCallCompleted,
    ServerEventResponseFileSearchCallInProgress,
    ServerEventResponseFileSearchCallSearching,
    ServerEventResponseFoundryAgentCallArgumentsDelta,
    ServerEventResponseFoundryAgentCallArgumentsDone,
    ServerEventResponseFoundryAgentCallCompleted,
    ServerEventResponseFoundryAgentCallFailed,
    ServerEventResponseFoundryAgentCallInProgress,
    ServerEventResponseFunctionCallArgumentsDelta,
    ServerEventResponseFunctionCallArgumentsDone,
    ServerEventResponseInvocationDelta,
    ServerEventResponseMcpCallArgumentsDelta,
    ServerEventResponseMcpCallArgumentsDone,
    ServerEventResponseMcpCallCompleted,
    ServerEventResponseMcpCallFailed,
    ServerEventResponseMcpCallInProgress,
    ServerEventResponseWebSearchCallCompleted,
    ServerEventResponseWebSearchCallInProgress,
    ServerEventResponseWebSearchCallSearching,
)
from ._session import ResponseSession, _WireBytes
from ._union import event_union

__all__ = [
    "SERVER_EVENT_ADAPTER",
    "SERVER_EVENT_CLASSES",
    "InvalidServerEvent",
    "ServerEvent",
    "ServerEventConversationCreated",
    "ServerEventConversationItemAdded",
    "ServerEventConversationItemCreated",
    "ServerEventConversationItemDeleted",
    "ServerEventConversationItemDone",
    "ServerEventConversationItemInputAudioTranscriptionCompleted",
    "ServerEventConversationItemInputAudioTranscriptionDelta",
    "ServerEventConversationItemInputAudioTranscriptionFailed",
    "ServerEventConversationItemInputAudioTranscriptionSegment",
    "ServerEventConversationItemRetrieved",
    "ServerEventConversationItemTruncated",
    "ServerEventError",
    "ServerEventInputAudioBufferCleared",
    "ServerEventInputAudioBufferCommitted",
    "ServerEventInputAudioBufferSpeechStarted",
    "ServerEventInputAudioBufferSpeechStopped",
    "ServerEventInputAudioBufferTimeoutTriggered",
    "ServerEventMcpListToolsCompleted",
    "ServerEventMcpListToolsFailed",
    "ServerEventMcpListToolsInProgress",
    "ServerEventOutputAudioBufferCleared",
    "ServerEventOutputAudioBufferStarted",
    "ServerEventOutputAudioBufferStopped",
    "ServerEventRateLimitsUpdated",
    "ServerEventRealtimeCallConnected",
    "ServerEventRealtimeCallDisconnected",
    "ServerEventRealtimeCallFailed",
    "ServerEventRealtimeCallIncoming",
    "ServerEventRealtimeCallTransferFailed",
    "ServerEventRealtimeCallTransferSucceeded",
    "ServerEventResponseAnimationBlendshapeDelta",
    "ServerEventResponseAnimationBlendshapeDone",
    "ServerEventResponseAnimationVisemeDelta",
    "ServerEventResponseAnimationVisemeDone",
    "ServerEventResponseAudioDelta",
    "ServerEventResponseAudioDone",
    "ServerEventResponseAudioTimestampDelta",
    "ServerEventResponseAudioTimestampDone",
    "ServerEventResponseAudioTranscriptAnnotationAdded",
    "ServerEventResponseAudioTranscriptDelta",
    "ServerEventResponseAudioTranscriptDone",
    "ServerEventResponseContentPartAdded",
    "ServerEventResponseContentPartDone",
    "ServerEventResponseCreated",
    "ServerEventResponseDone",
    "ServerEventResponseFileSearchCallCompleted",
    "ServerEventResponseFileSearchCallInProgress",
    "ServerEventResponseFileSearchCallSearching",
    "ServerEventResponseFoundryAgentCallArgumentsDelta",
    "ServerEventResponseFoundryAgentCallArgumentsDone",
    "ServerEventResponseFoundryAgentCallCompleted",
    "ServerEventResponseFoundryAgentCallFailed",
    "ServerEventResponseFoundryAgentCallInProgress",
    "ServerEventResponseFunctionCallArgumentsDelta",
    "ServerEventResponseFunctionCallArgumentsDone",
    "ServerEventResponseInvocationDelta",
    "ServerEventResponseMcpCallArgumentsDelta",
    "ServerEventResponseMcpCallArgumentsDone",
    "ServerEventResponseMcpCallCompleted",
    "ServerEventResponseMcpCallFailed",
    "ServerEventResponseMcpCallInProgress",
    "ServerEventResponseOutputItemAdded",
    "ServerEventResponseOutputItemDone",
    "ServerEventResponseTextDelta",
    "ServerEventResponseTextDone",
    "ServerEventResponseVideoDelta",
    "ServerEventResponseWebSearchCallCompleted",
    "ServerEventResponseWebSearchCallInProgress",
    "ServerEventResponseWebSearchCallSearching",
    "ServerEventRtcCallError",
    "ServerEventRtcCallSdpCreated",
    "ServerEventSessionAvatarConnecting",
    "ServerEventSessionAvatarSwitchToIdle",
    "ServerEventSessionAvatarSwitchToSpeaking",
    "ServerEventSessionCreated",
    "ServerEventSessionUpdated",
    "ServerEventTranscriptionSessionCreated",
    "ServerEventTranscriptionSessionUpdated",
    "ServerEventWarning",
    "UnknownServerEvent",
]


class ServerEventError(ServerEventBase):
    """An error; most errors are recoverable and the session stays open."""

    type: Literal["error"] = "error"
    """Always ``"error"``."""
    error: ServerEventErrorDetails
    """The error."""


class ServerEventWarning(ServerEventBase):
    """A non-fatal warning; the conversation continues."""

    type: Literal["warning"] = "warning"
    """Always ``"warning"``."""
    warning: ServerEventWarningDetails
    """The warning."""


class ServerEventSessionCreated(ServerEventBase):
    """First event after connecting: the session's default configuration."""

    type: Literal["session.created"] = "session.created"
    """Always ``"session.created"``."""
    session: ResponseSession | None = None
    """The session configuration (``None`` if the frame leaves it out, as a published example
    does)."""


class ServerEventSessionUpdated(ServerEventBase):
    """Reply to ``session.update``: the full effective configuration."""

    type: Literal["session.updated"] = "session.updated"
    """Always ``"session.updated"``."""
    session: ResponseSession | None = None
    """The full effective session configuration (``None`` if the frame leaves it out, as a
    published example does)."""


class ServerEventInputAudioBufferCommitted(ServerEventBase):
    """The input audio buffer was committed as a user item."""

    type: Literal["input_audio_buffer.committed"] = "input_audio_buffer.committed"
    """Always ``"input_audio_buffer.committed"``."""
    previous_item_id: str | None = None
    """Id of the preceding item (``None`` at the start of the conversation)."""
    item_id: str
    """Id of the user item that will be created."""


class ServerEventInputAudioBufferCleared(ServerEventBase):
    """The input audio buffer was cleared."""

    type: Literal["input_audio_buffer.cleared"] = "input_audio_buffer.cleared"
    """Always ``"input_audio_buffer.cleared"``."""


class ServerEventInputAudioBufferSpeechStarted(ServerEventBase):
    """Turn detection heard speech start."""

    type: Literal["input_audio_buffer.speech_started"] = "input_audio_buffer.speech_started"
    """Always ``"input_audio_buffer.speech_started"``."""
    audio_start_ms: int
    """Start of speech in ms from the start of the session's audio (includes prefix padding)."""
    item_id: str
    """Id of the user item that will be created."""


class ServerEventInputAudioBufferSpeechStopped(ServerEventBase):
    """Turn detection heard speech end."""

    type: Literal["input_audio_buffer.speech_stopped"] = "input_audio_buffer.speech_stopped"
    """Always ``"input_audio_buffer.speech_stopped"``."""
    audio_end_ms: int
    """End of speech in ms from the start of the session's audio."""
    item_id: str
    """Id of the user item that will be created."""


class ServerEventConversationItemCreated(ServerEventBase):
    """An item was added to the conversation."""

    type: Literal["conversation.item.created"] = "conversation.item.created"
    """Always ``"conversation.item.created"``."""
    previous_item_id: str | None = None
    """Id of the preceding item (``None`` at the start of the conversation)."""
    item: ResponseItemUnion | None = None
    """The item."""


class ServerEventConversationItemRetrieved(ServerEventBase):
    """Reply to ``conversation.item.retrieve``."""

    type: Literal["conversation.item.retrieved"] = "conversation.item.retrieved"
    """Always ``"conversation.item.retrieved"``."""
    item: ResponseItemUnion | None = None
    """The item."""


class ServerEventConversationItemTruncated(ServerEventBase):
    """An assistant audio item was truncated."""

    type: Literal["conversation.item.truncated"] = "conversation.item.truncated"
    """Always ``"conversation.item.truncated"``."""
    item_id: str
    """Id of the item."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    audio_end_ms: int
    """Audio kept, in ms."""


class ServerEventConversationItemDeleted(ServerEventBase):
    """An item was deleted."""

    type: Literal["conversation.item.deleted"] = "conversation.item.deleted"
    """Always ``"conversation.item.deleted"``."""
    item_id: str
    """Id of the item."""


class ServerEventConversationItemInputAudioTranscriptionCompleted(ServerEventBase):
    """Transcription of a user audio item finished (asynchronous to the response events)."""

    type: Literal["conversation.item.input_audio_transcription.completed"] = (
        "conversation.item.input_audio_transcription.completed"
    )
    """Always ``"conversation.item.input_audio_transcription.completed"``."""
    item_id: str
    """Id of the item."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    transcript: str
    """The transcript."""
    logprobs: list[LogProbProperties] | None = None
    """Token log probabilities (session ``include``)."""
    phrases: list[TranscriptionPhrase] | None = None
    """Phrases with word timings (session ``include``)."""


class ServerEventConversationItemInputAudioTranscriptionDelta(ServerEventBase):
    """A chunk of the transcription of a user audio item."""

    type: Literal["conversation.item.input_audio_transcription.delta"] = (
        "conversation.item.input_audio_transcription.delta"
    )
    """Always ``"conversation.item.input_audio_transcription.delta"``."""
    item_id: str
    """Id of the item."""
    content_index: int | None = None
    """Index of the content part in the item's ``content``."""
    delta: str | None = None
    """Transcript text chunk."""
    logprobs: list[LogProbProperties] | None = None
    """Token log probabilities (session ``include``)."""


class ServerEventConversationItemInputAudioTranscriptionFailed(ServerEventBase):
    """Transcription of a user audio item failed."""

    type: Literal["conversation.item.input_audio_transcription.failed"] = (
        "conversation.item.input_audio_transcription.failed"
    )
    """Always ``"conversation.item.input_audio_transcription.failed"``."""
    item_id: str
    """Id of the item."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    error: VoiceLiveErrorDetails
    """The error."""


class ServerEventResponseCreated(ServerEventBase):
    """A response started (status ``in_progress``)."""

    type: Literal["response.created"] = "response.created"
    """Always ``"response.created"``."""
    response: Response | None = None
    """The response (``None`` if the frame leaves it out or sends ``null``, as published
    examples do)."""


class ServerEventResponseDone(ServerEventBase):
    """A response finished, whatever its final status (raw audio omitted)."""

    type: Literal["response.done"] = "response.done"
    """Always ``"response.done"``."""
    response: Response | None = None
    """The response (``None`` if the frame leaves it out or sends ``null``, as published
    examples do)."""


class ServerEventResponseOutputItemAdded(ServerEventBase):
    """An output item was added to a response."""

    type: Literal["response.output_item.added"] = "response.output_item.added"
    """Always ``"response.output_item.added"``."""
    response_id: str
    """Id of the response."""
    output_index: int
    """Index of the item in the response's ``output``."""
    item: ResponseItemUnion | None = None
    """The item."""


class ServerEventResponseOutputItemDone(ServerEventBase):
    """An output item is done (also sent on interrupt or cancel)."""

    type: Literal["response.output_item.done"] = "response.output_item.done"
    """Always ``"response.output_item.done"``."""
    response_id: str
    """Id of the response."""
    output_index: int
    """Index of the item in the response's ``output``."""
    item: ResponseItemUnion | None = None
    """The item."""


class ServerEventResponseContentPartAdded(ServerEventBase):
    """A content part was added to an output item."""

    type: Literal["response.content_part.added"] = "response.content_part.added"
    """Always ``"response.content_part.added"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    part: ContentPartUnion | None = None
    """The content part (``None`` if the frame leaves it out, as a published example does)."""


class ServerEventResponseContentPartDone(ServerEventBase):
    """A content part is done."""

    type: Literal["response.content_part.done"] = "response.content_part.done"
    """Always ``"response.content_part.done"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    part: ContentPartUnion | None = None
    """The content part (``None`` if the frame leaves it out, as a published example does)."""


class ServerEventResponseTextDelta(ServerEventBase):
    """A chunk of output text."""

    type: Literal["response.text.delta"] = "response.text.delta"
    """Always ``"response.text.delta"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    delta: str
    """Text chunk."""


class ServerEventResponseTextDone(ServerEventBase):
    """Output text is done."""

    type: Literal["response.text.done"] = "response.text.done"
    """Always ``"response.text.done"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    text: str
    """The full text."""


class ServerEventResponseAudioTranscriptDelta(ServerEventBase):
    """A chunk of the transcript of output audio."""

    type: Literal["response.audio_transcript.delta"] = "response.audio_transcript.delta"
    """Always ``"response.audio_transcript.delta"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    delta: str
    """Transcript text chunk."""


class ServerEventResponseAudioTranscriptDone(ServerEventBase):
    """The transcript of output audio is done."""

    type: Literal["response.audio_transcript.done"] = "response.audio_transcript.done"
    """Always ``"response.audio_transcript.done"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    transcript: str
    """The full transcript."""


class ServerEventResponseAudioDelta(ServerEventBase):
    """A chunk of output audio."""

    type: Literal["response.audio.delta"] = "response.audio.delta"
    """Always ``"response.audio.delta"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    delta: _WireBytes
    """Audio in the session's output format (base64 on the wire, decoded to bytes)."""


class ServerEventResponseAudioDone(ServerEventBase):
    """Output audio is done."""

    type: Literal["response.audio.done"] = "response.audio.done"
    """Always ``"response.audio.done"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""


class ServerEventOutputAudioBufferCleared(ServerEventBase):
    """Reply to ``output_audio_buffer.clear``."""

    type: Literal["output_audio_buffer.cleared"] = "output_audio_buffer.cleared"
    """Always ``"output_audio_buffer.cleared"``."""


class ServerEventRateLimitsUpdated(ServerEventBase):
    """Current rate limits (documented; not in SDK 1.3.1)."""

    type: Literal["rate_limits.updated"] = "rate_limits.updated"
    """Always ``"rate_limits.updated"``."""
    rate_limits: list[RateLimit] | None = None
    """The rate limits."""


class ServerEventOutputAudioBufferStarted(ServerEventBase):
    """The server started playing output audio (WebRTC; not in SDK 1.3.1)."""

    type: Literal["output_audio_buffer.started"] = "output_audio_buffer.started"
    """Always ``"output_audio_buffer.started"``."""
    response_id: str | None = None
    """Id of the response."""


class ServerEventOutputAudioBufferStopped(ServerEventBase):
    """The server stopped playing output audio (WebRTC; not in SDK 1.3.1)."""

    type: Literal["output_audio_buffer.stopped"] = "output_audio_buffer.stopped"
    """Always ``"output_audio_buffer.stopped"``."""
    response_id: str | None = None
    """Id of the response."""


class ServerEventConversationCreated(ServerEventBase):
    """A conversation was created (OpenAI event; not in SDK 1.3.1)."""

    type: Literal["conversation.created"] = "conversation.created"
    """Always ``"conversation.created"``."""
    conversation: RealtimeConversation | None = None
    """The conversation."""


class ServerEventConversationItemAdded(ServerEventBase):
    """An item was added (OpenAI GA event; not in SDK 1.3.1)."""

    type: Literal["conversation.item.added"] = "conversation.item.added"
    """Always ``"conversation.item.added"``."""
    previous_item_id: str | None = None
    """Id of the preceding item (``None`` at the start of the conversation)."""
    item: ResponseItemUnion | None = None
    """The item."""


class ServerEventConversationItemDone(ServerEventBase):
    """An item is done (OpenAI GA event; not in SDK 1.3.1)."""

    type: Literal["conversation.item.done"] = "conversation.item.done"
    """Always ``"conversation.item.done"``."""
    previous_item_id: str | None = None
    """Id of the preceding item (``None`` at the start of the conversation)."""
    item: ResponseItemUnion | None = None
    """The item."""


class ServerEventInputAudioBufferTimeoutTriggered(ServerEventBase):
    """No speech within the idle timeout (OpenAI event; not in SDK 1.3.1)."""

    type: Literal["input_audio_buffer.timeout_triggered"] = "input_audio_buffer.timeout_triggered"
    """Always ``"input_audio_buffer.timeout_triggered"``."""
    audio_start_ms: int | None = None
    """Start of the idle audio, in ms."""
    audio_end_ms: int | None = None
    """End of the idle audio, in ms."""
    item_id: str | None = None
    """Id of the item created for the idle audio."""


class ServerEventConversationItemInputAudioTranscriptionSegment(ServerEventBase):
    """A diarized transcription segment (OpenAI event; not in SDK 1.3.1)."""

    type: Literal["conversation.item.input_audio_transcription.segment"] = (
        "conversation.item.input_audio_transcription.segment"
    )
    """Always ``"conversation.item.input_audio_transcription.segment"``."""
    item_id: str | None = None
    """Id of the item."""
    content_index: int | None = None
    """Index of the content part in the item's ``content``."""
    text: str | None = None
    """Segment text."""
    id: str | None = None
    """Segment id."""
    speaker: str | None = None
    """Speaker label."""
    start: float | None = None
    """Start, in seconds."""
    end: float | None = None
    """End, in seconds."""


class ServerEventTranscriptionSessionCreated(ServerEventBase):
    """A transcription session was created (OpenAI beta event; not in SDK 1.3.1)."""

    type: Literal["transcription_session.created"] = "transcription_session.created"
    """Always ``"transcription_session.created"``."""
    session: dict[str, Any] | None = None
    """The transcription session configuration, as sent."""


class ServerEventTranscriptionSessionUpdated(ServerEventBase):
    """A transcription session was updated (OpenAI beta event; not in SDK 1.3.1)."""

    type: Literal["transcription_session.updated"] = "transcription_session.updated"
    """Always ``"transcription_session.updated"``."""
    session: dict[str, Any] | None = None
    """The transcription session configuration, as sent."""


class UnknownServerEvent(ServerEventBase):
    """A server frame whose ``type`` this library does not model (built by the decoder).

    Nothing is lost: :attr:`raw` is the whole payload. The decoder also uses it for a frame
    without a string ``type``.
    """

    type: Literal["voicelive.unknown"] = "voicelive.unknown"
    """Always ``"voicelive.unknown"`` (not a wire type)."""
    raw_type: str | None = None
    """The wire ``type``; ``None`` when it was missing or not a string."""
    raw: dict[str, Any]
    """The whole payload."""


class InvalidServerEvent(ServerEventBase):
    """A server frame of a *known* type that failed validation (built by the decoder).

    Delivered instead of raising, so one changed field never kills the receive loop.
    """

    type: Literal["voicelive.invalid"] = "voicelive.invalid"
    """Always ``"voicelive.invalid"`` (not a wire type)."""
    raw_type: str
    """The wire ``type`` (a known one)."""
    raw: dict[str, Any]
    """The whole payload."""
    error: str
    """pydantic's error message."""
    errors: list[dict[str, Any]]
    """pydantic's ``errors(include_url=False)``, as JSON-safe dicts."""


_KNOWN_SERVER_EVENTS: tuple[type[ServerEventBase], ...] = (
    ServerEventError,
    ServerEventWarning,
    ServerEventSessionCreated,
    ServerEventSessionUpdated,
    ServerEventSessionAvatarConnecting,
    ServerEventSessionAvatarSwitchToSpeaking,
    ServerEventSessionAvatarSwitchToIdle,
    ServerEventInputAudioBufferCommitted,
    ServerEventInputAudioBufferCleared,
    ServerEventInputAudioBufferSpeechStarted,
    ServerEventInputAudioBufferSpeechStopped,
    ServerEventConversationItemCreated,
    ServerEventConversationItemRetrieved,
    ServerEventConversationItemTruncated,
    ServerEventConversationItemDeleted,
    ServerEventConversationItemInputAudioTranscriptionCompleted,
    ServerEventConversationItemInputAudioTranscriptionDelta,
    ServerEventConversationItemInputAudioTranscriptionFailed,
    ServerEventResponseCreated,
    ServerEventResponseDone,
    ServerEventResponseOutputItemAdded,
    ServerEventResponseOutputItemDone,
    ServerEventResponseContentPartAdded,
    ServerEventResponseContentPartDone,
    ServerEventResponseTextDelta,
    ServerEventResponseTextDone,
    ServerEventResponseAudioTranscriptDelta,
    ServerEventResponseAudioTranscriptDone,
    ServerEventResponseAudioDelta,
    ServerEventResponseAudioDone,
    ServerEventResponseAudioTranscriptAnnotationAdded,
    ServerEventResponseAnimationBlendshapeDelta,
    ServerEventResponseAnimationBlendshapeDone,
    ServerEventResponseAnimationVisemeDelta,
    ServerEventResponseAnimationVisemeDone,
    ServerEventResponseAudioTimestampDelta,
    ServerEventResponseAudioTimestampDone,
    ServerEventResponseVideoDelta,
    ServerEventOutputAudioBufferCleared,
    ServerEventResponseInvocationDelta,
    ServerEventResponseFunctionCallArgumentsDelta,
    ServerEventResponseFunctionCallArgumentsDone,
    ServerEventMcpListToolsInProgress,
    ServerEventMcpListToolsCompleted,
    ServerEventMcpListToolsFailed,
    ServerEventResponseMcpCallArgumentsDelta,
    ServerEventResponseMcpCallArgumentsDone,
    ServerEventResponseMcpCallInProgress,
    ServerEventResponseMcpCallCompleted,
    ServerEventResponseMcpCallFailed,
    ServerEventResponseWebSearchCallSearching,
    ServerEventResponseWebSearchCallInProgress,
    ServerEventResponseWebSearchCallCompleted,
    ServerEventResponseFileSearchCallSearching,
    ServerEventResponseFileSearchCallInProgress,
    ServerEventResponseFileSearchCallCompleted,
    ServerEventRateLimitsUpdated,
    ServerEventResponseFoundryAgentCallArgumentsDelta,
    ServerEventResponseFoundryAgentCallArgumentsDone,
    ServerEventResponseFoundryAgentCallInProgress,
    ServerEventResponseFoundryAgentCallCompleted,
    ServerEventResponseFoundryAgentCallFailed,
    ServerEventOutputAudioBufferStarted,
    ServerEventOutputAudioBufferStopped,
    ServerEventRtcCallSdpCreated,
    ServerEventRtcCallError,
    ServerEventConversationCreated,
    ServerEventConversationItemAdded,
    ServerEventConversationItemDone,
    ServerEventInputAudioBufferTimeoutTriggered,
    ServerEventConversationItemInputAudioTranscriptionSegment,
    ServerEventTranscriptionSessionCreated,
    ServerEventTranscriptionSessionUpdated,
    ServerEventRealtimeCallIncoming,
    ServerEventRealtimeCallConnected,
    ServerEventRealtimeCallDisconnected,
    ServerEventRealtimeCallFailed,
    ServerEventRealtimeCallTransferSucceeded,
    ServerEventRealtimeCallTransferFailed,
)

_ServerEventUnion = Annotated[
    ServerEventError
    | ServerEventWarning
    | ServerEventSessionCreated
    | ServerEventSessionUpdated
    | ServerEventSessionAvatarConnecting
    | ServerEventSessionAvatarSwitchToSpeaking
    | ServerEventSessionAvatarSwitchToIdle
    | ServerEventInputAudioBufferCommitted
    | ServerEventInputAudioBufferCleared
    | ServerEventInputAudioBufferSpeechStarted
    | ServerEventInputAudioBufferSpeechStopped
    | ServerEventConversationItemCreated
    | ServerEventConversationItemRetrieved
    | ServerEventConversationItemTruncated
    | ServerEventConversationItemDeleted
    | ServerEventConversationItemInputAudioTranscriptionCompleted
    | ServerEventConversationItemInputAudioTranscriptionDelta
    | ServerEventConversationItemInputAudioTranscriptionFailed
    | ServerEventResponseCreated
    | ServerEventResponseDone
    | ServerEventResponseOutputItemAdded
    | ServerEventResponseOutputItemDone
    | ServerEventResponseContentPartAdded
    | ServerEventResponseContentPartDone
    | ServerEventResponseTextDelta
    | ServerEventResponseTextDone
    | ServerEventResponseAudioTranscriptDelta
    | ServerEventResponseAudioTranscriptDone
    | ServerEventResponseAudioDelta
    | ServerEventResponseAudioDone
    | ServerEventResponseAudioTranscriptAnnotationAdded
    | ServerEventResponseAnimationBlendshapeDelta
    | ServerEventResponseAnimationBlendshapeDone
    | ServerEventResponseAnimationVisemeDelta
    | ServerEventResponseAnimationVisemeDone
    | ServerEventResponseAudioTimestampDelta
    | ServerEventResponseAudioTimestampDone
    | ServerEventResponseVideoDelta
    | ServerEventOutputAudioBufferCleared
    | ServerEventResponseInvocationDelta
    | ServerEventResponseFunctionCallArgumentsDelta
    | ServerEventResponseFunctionCallArgumentsDone
    | ServerEventMcpListToolsInProgress
    | ServerEventMcpListToolsCompleted
    | ServerEventMcpListToolsFailed
    | ServerEventResponseMcpCallArgumentsDelta
    | ServerEventResponseMcpCallArgumentsDone
    | ServerEventResponseMcpCallInProgress
    | ServerEventResponseMcpCallCompleted
    | ServerEventResponseMcpCallFailed
    | ServerEventResponseWebSearchCallSearching
    | ServerEventResponseWebSearchCallInProgress
    | ServerEventResponseWebSearchCallCompleted
    | ServerEventResponseFileSearchCallSearching
    | ServerEventResponseFileSearchCallInProgress
    | ServerEventResponseFileSearchCallCompleted
    | ServerEventRateLimitsUpdated
    | ServerEventResponseFoundryAgentCallArgumentsDelta
    | ServerEventResponseFoundryAgentCallArgumentsDone
    | ServerEventResponseFoundryAgentCallInProgress
    | ServerEventResponseFoundryAgentCallCompleted
    | ServerEventResponseFoundryAgentCallFailed
    | ServerEventOutputAudioBufferStarted
    | ServerEventOutputAudioBufferStopped
    | ServerEventRtcCallSdpCreated
    | ServerEventRtcCallError
    | ServerEventConversationCreated
    | ServerEventConversationItemAdded
    | ServerEventConversationItemDone
    | ServerEventInputAudioBufferTimeoutTriggered
    | ServerEventConversationItemInputAudioTranscriptionSegment
    | ServerEventTranscriptionSessionCreated
    | ServerEventTranscriptionSessionUpdated
    | ServerEventRealtimeCallIncoming
    | ServerEventRealtimeCallConnected
    | ServerEventRealtimeCallDisconnected
    | ServerEventRealtimeCallFailed
    | ServerEventRealtimeCallTransferSucceeded
    | ServerEventRealtimeCallTransferFailed
    | UnknownServerEvent
    | InvalidServerEvent,
    Field(discriminator="type"),
]

_SERVER_EVENT_DOC = """Any server event: a discriminated union on ``type`` that checkers narrow.

``isinstance(x, ServerEvent)`` is ``True`` for every server event (``UnknownServerEvent`` and
``InvalidServerEvent`` included) and a pydantic field annotated ``ServerEvent`` validates into
the right class; see ``voicelive.models._union`` for how the two views fit together.
"""

if TYPE_CHECKING:
    ServerEvent = _ServerEventUnion
else:
    ServerEvent = event_union(
        "ServerEvent", "voicelive.models", _ServerEventUnion, ServerEventBase, _SERVER_EVENT_DOC
    )

SERVER_EVENT_ADAPTER: TypeAdapter[ServerEvent] = TypeAdapter(ServerEvent)
"""Validates a frame into its event class: ``SERVER_EVENT_ADAPTER.validate_json(text)``."""

SERVER_EVENT_CLASSES: dict[str, type[ServerEventBase]] = {
    cls.model_fields["type"].default: cls for cls in _KNOWN_SERVER_EVENTS
}
"""Wire ``type`` -> event class, for every type this library models (not the two made-up ones)."""
