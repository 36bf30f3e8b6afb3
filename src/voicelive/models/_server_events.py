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

from __future__ import annotations

from typing import Annotated, Any, Literal

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
from ._enums import AudioTimestampType
from ._session import ResponseSession, _AudioTimestampTypeT, _WireBytes

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
    session: ResponseSession
    """The session configuration."""


class ServerEventSessionUpdated(ServerEventBase):
    """Reply to ``session.update``: the full effective configuration."""

    type: Literal["session.updated"] = "session.updated"
    """Always ``"session.updated"``."""
    session: ResponseSession
    """The session configuration."""


class ServerEventSessionAvatarConnecting(ServerEventBase):
    """Server SDP answer for the avatar WebRTC connection."""

    type: Literal["session.avatar.connecting"] = "session.avatar.connecting"
    """Always ``"session.avatar.connecting"``."""
    server_sdp: str
    """The server's SDP answer."""


class ServerEventSessionAvatarSwitchToSpeaking(ServerEventBase):
    """The avatar started speaking."""

    type: Literal["session.avatar.switch_to_speaking"] = "session.avatar.switch_to_speaking"
    """Always ``"session.avatar.switch_to_speaking"``."""
    turn_id: str | None = None
    """Id of the avatar turn."""


class ServerEventSessionAvatarSwitchToIdle(ServerEventBase):
    """The avatar went idle."""

    type: Literal["session.avatar.switch_to_idle"] = "session.avatar.switch_to_idle"
    """Always ``"session.avatar.switch_to_idle"``."""
    turn_id: str | None = None
    """Id of the avatar turn."""


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
    response: Response
    """The response."""


class ServerEventResponseDone(ServerEventBase):
    """A response finished, whatever its final status (raw audio omitted)."""

    type: Literal["response.done"] = "response.done"
    """Always ``"response.done"``."""
    response: Response
    """The response."""


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
    part: ContentPartUnion
    """The content part."""


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
    part: ContentPartUnion
    """The content part."""


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


class ServerEventResponseAudioTranscriptAnnotationAdded(ServerEventBase):
    """An annotation (e.g. a search citation) of the output transcript."""

    type: Literal["response.audio_transcript.annotation.added"] = (
        "response.audio_transcript.annotation.added"
    )
    """Always ``"response.audio_transcript.annotation.added"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    annotation_index: int
    """Index of the annotation."""
    annotation: Any
    """The annotation, free-form JSON."""


class ServerEventResponseAnimationBlendshapeDelta(ServerEventBase):
    """Blendshape animation frames."""

    type: Literal["response.animation_blendshapes.delta"] = "response.animation_blendshapes.delta"
    """Always ``"response.animation_blendshapes.delta"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    frames: list[list[float]] | str
    """Frames (each a list of blendshape weights) or an encoded string."""
    frame_index: int
    """Index of the first frame."""


class ServerEventResponseAnimationBlendshapeDone(ServerEventBase):
    """Blendshape animation is done."""

    type: Literal["response.animation_blendshapes.done"] = "response.animation_blendshapes.done"
    """Always ``"response.animation_blendshapes.done"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""


class ServerEventResponseAnimationVisemeDelta(ServerEventBase):
    """A viseme of the output audio."""

    type: Literal["response.animation_viseme.delta"] = "response.animation_viseme.delta"
    """Always ``"response.animation_viseme.delta"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    audio_offset_ms: int
    """Offset in the output audio, in ms."""
    viseme_id: int
    """Viseme id."""


class ServerEventResponseAnimationVisemeDone(ServerEventBase):
    """Visemes are done."""

    type: Literal["response.animation_viseme.done"] = "response.animation_viseme.done"
    """Always ``"response.animation_viseme.done"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""


class ServerEventResponseAudioTimestampDelta(ServerEventBase):
    """A word timestamp of the output audio (session ``output_audio_timestamp_types``)."""

    type: Literal["response.audio_timestamp.delta"] = "response.audio_timestamp.delta"
    """Always ``"response.audio_timestamp.delta"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    audio_offset_ms: int
    """Offset of the word in the output audio, in ms."""
    audio_duration_ms: int
    """Duration of the word, in ms."""
    text: str
    """The word."""
    timestamp_type: _AudioTimestampTypeT = AudioTimestampType.WORD
    """Timestamp kind, ``"word"``."""


class ServerEventResponseAudioTimestampDone(ServerEventBase):
    """Output audio timestamps are done."""

    type: Literal["response.audio_timestamp.done"] = "response.audio_timestamp.done"
    """Always ``"response.audio_timestamp.done"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""


class ServerEventResponseVideoDelta(ServerEventBase):
    """A chunk of avatar video (``output_protocol: "websocket"``); no ``response_id``."""

    type: Literal["response.video.delta"] = "response.video.delta"
    """Always ``"response.video.delta"``."""
    output_index: int
    """Index of the item in the response's ``output``."""
    codec: str
    """Video codec, e.g. ``"h264"``."""
    delta: _WireBytes
    """Video data (base64 on the wire, decoded to bytes)."""


class ServerEventOutputAudioBufferCleared(ServerEventBase):
    """Reply to ``output_audio_buffer.clear``."""

    type: Literal["output_audio_buffer.cleared"] = "output_audio_buffer.cleared"
    """Always ``"output_audio_buffer.cleared"``."""


class ServerEventResponseInvocationDelta(ServerEventBase):
    """Hosted-agent (Invocations protocol) passthrough of a non-speech event."""

    type: Literal["response.invocation.delta"] = "response.invocation.delta"
    """Always ``"response.invocation.delta"``."""
    delta: dict[str, Any]
    """The raw event object."""


class ServerEventResponseFunctionCallArgumentsDelta(ServerEventBase):
    """A chunk of function-call arguments."""

    type: Literal["response.function_call_arguments.delta"] = (
        "response.function_call_arguments.delta"
    )
    """Always ``"response.function_call_arguments.delta"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    call_id: str
    """Id of the function call."""
    delta: str
    """Arguments JSON text chunk."""


class ServerEventResponseFunctionCallArgumentsDone(ServerEventBase):
    """Function-call arguments are done."""

    type: Literal["response.function_call_arguments.done"] = "response.function_call_arguments.done"
    """Always ``"response.function_call_arguments.done"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    call_id: str
    """Id of the function call."""
    arguments: str
    """Arguments as JSON text."""
    name: str
    """Function name."""


class ServerEventMcpListToolsInProgress(ServerEventBase):
    """Listing the tools of an MCP server started."""

    type: Literal["mcp_list_tools.in_progress"] = "mcp_list_tools.in_progress"
    """Always ``"mcp_list_tools.in_progress"``."""
    item_id: str
    """Id of the ``mcp_list_tools`` item."""


class ServerEventMcpListToolsCompleted(ServerEventBase):
    """Listing the tools of an MCP server completed."""

    type: Literal["mcp_list_tools.completed"] = "mcp_list_tools.completed"
    """Always ``"mcp_list_tools.completed"``."""
    item_id: str
    """Id of the ``mcp_list_tools`` item."""


class ServerEventMcpListToolsFailed(ServerEventBase):
    """Listing the tools of an MCP server failed."""

    type: Literal["mcp_list_tools.failed"] = "mcp_list_tools.failed"
    """Always ``"mcp_list_tools.failed"``."""
    item_id: str
    """Id of the ``mcp_list_tools`` item."""


class ServerEventResponseMcpCallArgumentsDelta(ServerEventBase):
    """A chunk of MCP call arguments."""

    type: Literal["response.mcp_call_arguments.delta"] = "response.mcp_call_arguments.delta"
    """Always ``"response.mcp_call_arguments.delta"``."""
    delta: str
    """Arguments JSON text chunk."""
    item_id: str
    """Id of the item."""
    response_id: str
    """Id of the response."""
    output_index: int
    """Index of the item in the response's ``output``."""
    obfuscation: str | None = None
    """Padding that obfuscates the chunk size."""


class ServerEventResponseMcpCallArgumentsDone(ServerEventBase):
    """MCP call arguments are done."""

    type: Literal["response.mcp_call_arguments.done"] = "response.mcp_call_arguments.done"
    """Always ``"response.mcp_call_arguments.done"``."""
    item_id: str
    """Id of the item."""
    response_id: str
    """Id of the response."""
    output_index: int
    """Index of the item in the response's ``output``."""
    arguments: str | None = None
    """Arguments as JSON text."""


class ServerEventResponseMcpCallInProgress(ServerEventBase):
    """An MCP call is running."""

    type: Literal["response.mcp_call.in_progress"] = "response.mcp_call.in_progress"
    """Always ``"response.mcp_call.in_progress"``."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""


class ServerEventResponseMcpCallCompleted(ServerEventBase):
    """An MCP call completed."""

    type: Literal["response.mcp_call.completed"] = "response.mcp_call.completed"
    """Always ``"response.mcp_call.completed"``."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""


class ServerEventResponseMcpCallFailed(ServerEventBase):
    """An MCP call failed."""

    type: Literal["response.mcp_call.failed"] = "response.mcp_call.failed"
    """Always ``"response.mcp_call.failed"``."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""


class ServerEventResponseWebSearchCallSearching(ServerEventBase):
    """A web search call is searching."""

    type: Literal["response.web_search_call.searching"] = "response.web_search_call.searching"
    """Always ``"response.web_search_call.searching"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    sequence_number: int
    """Sequence number of this event within the call."""


class ServerEventResponseWebSearchCallInProgress(ServerEventBase):
    """A web search call is in progress."""

    type: Literal["response.web_search_call.in_progress"] = "response.web_search_call.in_progress"
    """Always ``"response.web_search_call.in_progress"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    sequence_number: int
    """Sequence number of this event within the call."""


class ServerEventResponseWebSearchCallCompleted(ServerEventBase):
    """A web search call completed."""

    type: Literal["response.web_search_call.completed"] = "response.web_search_call.completed"
    """Always ``"response.web_search_call.completed"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    sequence_number: int
    """Sequence number of this event within the call."""


class ServerEventResponseFileSearchCallSearching(ServerEventBase):
    """A file search call is searching."""

    type: Literal["response.file_search_call.searching"] = "response.file_search_call.searching"
    """Always ``"response.file_search_call.searching"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    sequence_number: int
    """Sequence number of this event within the call."""


class ServerEventResponseFileSearchCallInProgress(ServerEventBase):
    """A file search call is in progress."""

    type: Literal["response.file_search_call.in_progress"] = "response.file_search_call.in_progress"
    """Always ``"response.file_search_call.in_progress"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    sequence_number: int
    """Sequence number of this event within the call."""


class ServerEventResponseFileSearchCallCompleted(ServerEventBase):
    """A file search call completed."""

    type: Literal["response.file_search_call.completed"] = "response.file_search_call.completed"
    """Always ``"response.file_search_call.completed"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    sequence_number: int
    """Sequence number of this event within the call."""


class ServerEventRateLimitsUpdated(ServerEventBase):
    """Current rate limits (documented; not in SDK 1.3.1)."""

    type: Literal["rate_limits.updated"] = "rate_limits.updated"
    """Always ``"rate_limits.updated"``."""
    rate_limits: list[RateLimit] | None = None
    """The rate limits."""


class ServerEventResponseFoundryAgentCallArgumentsDelta(ServerEventBase):
    """A chunk of Foundry agent call arguments (documented; not in SDK 1.3.1)."""

    type: Literal["response.foundry_agent_call_arguments.delta"] = (
        "response.foundry_agent_call_arguments.delta"
    )
    """Always ``"response.foundry_agent_call_arguments.delta"``."""
    response_id: str | None = None
    """Id of the response."""
    item_id: str | None = None
    """Id of the item."""
    output_index: int | None = None
    """Index of the item in the response's ``output``."""
    delta: str | None = None
    """Arguments JSON text chunk."""


class ServerEventResponseFoundryAgentCallArgumentsDone(ServerEventBase):
    """Foundry agent call arguments are done (documented; not in SDK 1.3.1)."""

    type: Literal["response.foundry_agent_call_arguments.done"] = (
        "response.foundry_agent_call_arguments.done"
    )
    """Always ``"response.foundry_agent_call_arguments.done"``."""
    response_id: str | None = None
    """Id of the response."""
    item_id: str | None = None
    """Id of the item."""
    output_index: int | None = None
    """Index of the item in the response's ``output``."""
    arguments: str | None = None
    """Arguments as JSON text."""


class ServerEventResponseFoundryAgentCallInProgress(ServerEventBase):
    """A Foundry agent call is running (documented; not in SDK 1.3.1)."""

    type: Literal["response.foundry_agent_call.in_progress"] = (
        "response.foundry_agent_call.in_progress"
    )
    """Always ``"response.foundry_agent_call.in_progress"``."""
    item_id: str | None = None
    """Id of the item."""
    output_index: int | None = None
    """Index of the item in the response's ``output``."""
    agent_response_id: str | None = None
    """Id of the agent's response."""


class ServerEventResponseFoundryAgentCallCompleted(ServerEventBase):
    """A Foundry agent call completed (documented; not in SDK 1.3.1)."""

    type: Literal["response.foundry_agent_call.completed"] = "response.foundry_agent_call.completed"
    """Always ``"response.foundry_agent_call.completed"``."""
    item_id: str | None = None
    """Id of the item."""
    output_index: int | None = None
    """Index of the item in the response's ``output``."""
    agent_response_id: str | None = None
    """Id of the agent's response."""


class ServerEventResponseFoundryAgentCallFailed(ServerEventBase):
    """A Foundry agent call failed (documented; not in SDK 1.3.1)."""

    type: Literal["response.foundry_agent_call.failed"] = "response.foundry_agent_call.failed"
    """Always ``"response.foundry_agent_call.failed"``."""
    item_id: str | None = None
    """Id of the item."""
    output_index: int | None = None
    """Index of the item in the response's ``output``."""


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


class ServerEventRtcCallSdpCreated(ServerEventBase):
    """SDP answer of a WebRTC call (Java SDK only; not in SDK 1.3.1)."""

    type: Literal["rtc.call.sdp.created"] = "rtc.call.sdp.created"
    """Always ``"rtc.call.sdp.created"``."""
    rtc_call_id: str | None = None
    """Id of the WebRTC call."""
    sdp_answer: str | None = None
    """The SDP answer."""


class ServerEventRtcCallError(ServerEventBase):
    """A WebRTC call error (Java SDK only; not in SDK 1.3.1)."""

    type: Literal["rtc.call.error"] = "rtc.call.error"
    """Always ``"rtc.call.error"``."""
    operation: str | None = None
    """The failed operation."""
    rtc_call_id: str | None = None
    """Id of the WebRTC call."""
    error: ServerEventErrorDetails | None = None
    """The error."""


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
)

ServerEvent = Annotated[
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
    | UnknownServerEvent
    | InvalidServerEvent,
    Field(discriminator="type"),
]
"""Any server event; a discriminated union on ``type`` that type checkers narrow."""

SERVER_EVENT_ADAPTER: TypeAdapter[ServerEvent] = TypeAdapter(ServerEvent)
"""Validates a frame into its event class: ``SERVER_EVENT_ADAPTER.validate_json(text)``."""

SERVER_EVENT_CLASSES: dict[str, type[ServerEventBase]] = {
    cls.model_fields["type"].default: cls for cls in _KNOWN_SERVER_EVENTS
}
"""Wire ``type`` -> event class, for every type this library models (not the two made-up ones)."""
