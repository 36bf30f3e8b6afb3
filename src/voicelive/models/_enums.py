"""Every enum of the Voice Live protocol (PROTOCOL.md §6), with the official SDK's names.

All enums are ``str`` enums with azure-core's :class:`~azure.core.CaseInsensitiveEnumMeta`:
``InputAudioFormat["pcm16"]``, ``InputAudioFormat.pcm16`` and ``InputAudioFormat("PCM16")`` all
find ``InputAudioFormat.PCM16``. Members compare equal to their wire value
(``InputAudioFormat.PCM16 == "pcm16"``).

The enums are *open*: model fields are typed ``EnumClass | str`` so a value the service adds
tomorrow passes through unchanged as a plain ``str`` (known values become enum members).

Values the documentation lists but SDK 1.3.1 lacks are added where we model them
(``TurnDetectionType.SEMANTIC_VAD``, ``ToolType.FOUNDRY_AGENT``, ``ItemType.FOUNDRY_AGENT_CALL``).
:class:`ServerEventType` and :class:`ClientEventType` have the SDK's values plus one member for
every other event this library models (a test derives this from the event unions), including
the SIP call events of api-version 2026-07-31-preview. ``OAIVoice`` is that spec's name for
:class:`OpenAIVoiceName` (the same enum).
"""

from enum import Enum
from typing import Any

from azure.core import CaseInsensitiveEnumMeta

__all__ = [
    "AnimationOutputType",
    "AudioTimestampType",
    "AvatarConfigTypes",
    "AvatarOutputProtocol",
    "AzureRealtimeNativeVoiceName",
    "AzureVoiceType",
    "ClientEventType",
    "ContentPartType",
    "EchoCancellationReferenceSource",
    "EouThresholdLevel",
    "InputAudioFormat",
    "InterimResponseConfigType",
    "InterimResponseTrigger",
    "ItemParamStatus",
    "ItemType",
    "MCPApprovalType",
    "MessageRole",
    "Modality",
    "OAIVoice",
    "OpenAIVoiceName",
    "OutputAudioFormat",
    "PersonalVoiceModels",
    "PhotoAvatarBaseModes",
    "ReasoningEffort",
    "RequestImageContentPartDetail",
    "ResponseItemStatus",
    "ResponseStatus",
    "ServerEventType",
    "SessionIncludeOption",
    "SipCallState",
    "SipCallTerminalReason",
    "SipTransferState",
    "ToolChoiceLiteral",
    "ToolType",
    "TurnDetectionType",
]


class _VoiceLiveEnum(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """Private base: a case-insensitive ``str`` enum (no members of its own)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        """Look a value up case-insensitively (``InputAudioFormat("PCM16")``)."""
        if isinstance(value, str):
            folded = value.casefold()
            for member in cls:
                if member.value.casefold() == folded:
                    return member
        return None


class AnimationOutputType(_VoiceLiveEnum):
    """Animation data the service can stream (session ``animation.outputs``)."""

    BLENDSHAPES = "blendshapes"
    """Facial blendshape weights (``response.animation_blendshapes.*``)."""
    VISEME_ID = "viseme_id"
    """Viseme ids (``response.animation_viseme.*``)."""


class AudioTimestampType(_VoiceLiveEnum):
    """Kinds of output audio timestamps (session ``output_audio_timestamp_types``)."""

    WORD = "word"
    """Per-word timestamps (``response.audio_timestamp.delta``)."""


class AvatarConfigTypes(_VoiceLiveEnum):
    """Avatar kinds (``AvatarConfig.avatar_type``, wire key ``type``)."""

    VIDEO_AVATAR = "video-avatar"
    """Standard video avatar (default)."""
    PHOTO_AVATAR = "photo-avatar"
    """Photo avatar; needs ``model="vasa-1"``."""


class AvatarOutputProtocol(_VoiceLiveEnum):
    """How avatar video is delivered."""

    WEBRTC = "webrtc"
    """WebRTC peer connection (default)."""
    WEBSOCKET = "websocket"
    """Over this WebSocket as ``response.video.delta`` events."""


class AzureRealtimeNativeVoiceName(_VoiceLiveEnum):
    """Voices of the ``azure-realtime`` model (``AzureRealtimeNativeVoice.name``)."""

    AARTI = "aarti"
    """Aarti."""
    ANDREW = "andrew"
    """Andrew."""
    AVA = "ava"
    """Ava (the default)."""
    DENISE = "denise"
    """Denise."""
    DIYA = "diya"
    """Diya."""
    ELSA = "elsa"
    """Elsa."""
    FLORIAN = "florian"
    """Florian."""
    FRANCISCA = "francisca"
    """Francisca."""
    MEERA = "meera"
    """Meera."""
    XIAOXIAO = "xiaoxiao"
    """Xiaoxiao."""
    YUNXI = "yunxi"
    """Yunxi."""
    XIMENA = "ximena"
    """Ximena."""


class AzureVoiceType(_VoiceLiveEnum):
    """Discriminator values of the Azure voice objects."""

    AZURE_CUSTOM = "azure-custom"
    """:class:`AzureCustomVoice`."""
    AZURE_STANDARD = "azure-standard"
    """:class:`AzureStandardVoice`."""
    AZURE_PERSONAL = "azure-personal"
    """:class:`AzurePersonalVoice`."""
    AVATAR_VOICE_SYNC = "avatar-voice-sync"
    """:class:`AzureAvatarVoiceSyncVoice`."""


class ClientEventType(_VoiceLiveEnum):
    """``type`` of every client event (SDK 1.3.1 values)."""

    SESSION_UPDATE = "session.update"
    """Update the session configuration."""
    INPUT_AUDIO_BUFFER_APPEND = "input_audio_buffer.append"
    """Append audio to the input buffer."""
    INPUT_AUDIO_BUFFER_COMMIT = "input_audio_buffer.commit"
    """Commit the input buffer as a user item."""
    INPUT_AUDIO_BUFFER_CLEAR = "input_audio_buffer.clear"
    """Clear the input buffer."""
    INPUT_AUDIO_TURN_START = "input_audio.turn.start"
    """Start a turn of turn-based audio input."""
    INPUT_AUDIO_TURN_APPEND = "input_audio.turn.append"
    """Append audio to a turn."""
    INPUT_AUDIO_TURN_END = "input_audio.turn.end"
    """End a turn."""
    INPUT_AUDIO_TURN_CANCEL = "input_audio.turn.cancel"
    """Cancel a turn."""
    INPUT_AUDIO_CLEAR = "input_audio.clear"
    """Clear all streamed input audio."""
    CONVERSATION_ITEM_CREATE = "conversation.item.create"
    """Add an item to the conversation."""
    CONVERSATION_ITEM_RETRIEVE = "conversation.item.retrieve"
    """Ask for an item of the conversation."""
    CONVERSATION_ITEM_TRUNCATE = "conversation.item.truncate"
    """Truncate an assistant audio item."""
    CONVERSATION_ITEM_DELETE = "conversation.item.delete"
    """Delete an item."""
    RESPONSE_CREATE = "response.create"
    """Start a response."""
    RESPONSE_CANCEL = "response.cancel"
    """Cancel a response."""
    SESSION_AVATAR_CONNECT = "session.avatar.connect"
    """Send the avatar WebRTC SDP offer."""
    MCP_APPROVAL_RESPONSE = "mcp_approval_response"
    """Listed by the SDK without an event class; approvals travel as items."""
    OUTPUT_AUDIO_BUFFER_CLEAR = "output_audio_buffer.clear"
    """Clear the server-side output audio buffer."""
    INPUT_TEXT_DELTA = "input_text.delta"
    """Stream text into an item."""
    INPUT_TEXT_DONE = "input_text.done"
    """Finish streamed text."""
    TRANSCRIPTION_SESSION_UPDATE = "transcription_session.update"
    """Update a transcription session (OpenAI beta event)."""
    RTC_CALL_SDP_CREATE = "rtc.call.sdp.create"
    """Send a WebRTC SDP offer over the socket."""


class ContentPartType(_VoiceLiveEnum):
    """``type`` of content parts."""

    INPUT_TEXT = "input_text"
    """User or system text."""
    INPUT_AUDIO = "input_audio"
    """User audio."""
    INPUT_IMAGE = "input_image"
    """User image."""
    TEXT = "text"
    """Assistant text."""
    AUDIO = "audio"
    """Assistant audio."""


class EchoCancellationReferenceSource(_VoiceLiveEnum):
    """Where the echo-cancellation reference signal comes from (preview)."""

    SERVER = "server"
    """The service's own output audio (default; ``channels`` 1)."""
    CLIENT = "client"
    """Client-supplied second channel (``channels`` 2, interleaved stereo PCM16)."""


class EouThresholdLevel(_VoiceLiveEnum):
    """Sensitivity of end-of-utterance detection."""

    LOW = "low"
    """Low."""
    MEDIUM = "medium"
    """Medium."""
    HIGH = "high"
    """High."""
    DEFAULT = "default"
    """Service default (medium)."""


class InputAudioFormat(_VoiceLiveEnum):
    """Input audio formats."""

    PCM16 = "pcm16"
    """16-bit PCM, little endian, mono (24 kHz unless ``input_audio_sampling_rate`` says)."""
    G711_ULAW = "g711_ulaw"
    """G.711 mu-law, 8 kHz."""
    G711_ALAW = "g711_alaw"
    """G.711 A-law, 8 kHz."""


class InterimResponseConfigType(_VoiceLiveEnum):
    """``type`` of interim-response configurations."""

    STATIC_INTERIM_RESPONSE = "static_interim_response"
    """Pick a random text from a fixed list."""
    LLM_INTERIM_RESPONSE = "llm_interim_response"
    """Generate the interim text with a small LLM."""


class InterimResponseTrigger(_VoiceLiveEnum):
    """What triggers an interim response."""

    LATENCY = "latency"
    """The response takes longer than ``latency_threshold_ms``."""
    TOOL = "tool"
    """A tool call is running."""


class ItemParamStatus(_VoiceLiveEnum):
    """Status accepted on client-sent items."""

    COMPLETED = "completed"
    """Complete."""
    INCOMPLETE = "incomplete"
    """Incomplete."""


class ItemType(_VoiceLiveEnum):
    """``type`` of conversation items."""

    MESSAGE = "message"
    """A message."""
    FUNCTION_CALL = "function_call"
    """A function call by the model."""
    FUNCTION_CALL_OUTPUT = "function_call_output"
    """The result of a function call."""
    MCP_LIST_TOOLS = "mcp_list_tools"
    """Tools listed by an MCP server."""
    MCP_CALL = "mcp_call"
    """A call to an MCP tool."""
    MCP_APPROVAL_REQUEST = "mcp_approval_request"
    """The service asks to approve an MCP call."""
    MCP_APPROVAL_RESPONSE = "mcp_approval_response"
    """The answer to an MCP approval request."""
    WEB_SEARCH_CALL = "web_search_call"
    """A web search."""
    FILE_SEARCH_CALL = "file_search_call"
    """A file search."""
    FOUNDRY_AGENT_CALL = "foundry_agent_call"
    """A call to a Foundry agent tool (documented; not in SDK 1.3.1)."""


class MCPApprovalType(_VoiceLiveEnum):
    """When MCP tool calls need approval."""

    NEVER = "never"
    """Never ask."""
    ALWAYS = "always"
    """Always ask (docs default)."""


class MessageRole(_VoiceLiveEnum):
    """Roles of message items."""

    SYSTEM = "system"
    """System."""
    USER = "user"
    """User."""
    ASSISTANT = "assistant"
    """Assistant."""


class Modality(_VoiceLiveEnum):
    """Output modalities."""

    TEXT = "text"
    """Text."""
    AUDIO = "audio"
    """Audio."""
    ANIMATION = "animation"
    """Animation data (blendshapes / visemes)."""
    AVATAR = "avatar"
    """Avatar video."""


class OpenAIVoiceName(_VoiceLiveEnum):
    """OpenAI voice names."""

    ALLOY = "alloy"
    """Alloy."""
    ASH = "ash"
    """Ash."""
    BALLAD = "ballad"
    """Ballad."""
    CORAL = "coral"
    """Coral."""
    ECHO = "echo"
    """Echo."""
    SAGE = "sage"
    """Sage."""
    SHIMMER = "shimmer"
    """Shimmer."""
    VERSE = "verse"
    """Verse."""
    MARIN = "marin"
    """Marin."""
    CEDAR = "cedar"
    """Cedar."""


OAIVoice = OpenAIVoiceName
"""The 2026-07-31-preview spec's name for :class:`OpenAIVoiceName` (the same enum, so
``OAIVoice.ALLOY is OpenAIVoiceName.ALLOY``)."""


class OutputAudioFormat(_VoiceLiveEnum):
    """Output audio formats.

    The legacy spellings ``pcm16-8000hz`` / ``pcm16-16000hz`` are accepted and normalized to
    the underscore form. ``PCM16_8000_HZ`` / ``PCM16_16000_HZ`` are aliases of
    ``PCM16_8000HZ`` / ``PCM16_16000HZ`` (the official SDK's member names).
    """

    PCM16 = "pcm16"
    """16-bit PCM at 24 kHz."""
    PCM16_8000HZ = "pcm16_8000hz"
    """16-bit PCM at 8 kHz."""
    PCM16_16000HZ = "pcm16_16000hz"
    """16-bit PCM at 16 kHz."""
    G711_ULAW = "g711_ulaw"
    """G.711 mu-law, 8 kHz."""
    G711_ALAW = "g711_alaw"
    """G.711 A-law, 8 kHz."""
    PCM16_8000_HZ = "pcm16_8000hz"
    """Alias of ``PCM16_8000HZ``."""
    PCM16_16000_HZ = "pcm16_16000hz"
    """Alias of ``PCM16_16000HZ``."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        """Case-insensitive lookup that also maps the legacy hyphenated spellings."""
        if isinstance(value, str):
            return super()._missing_(value.replace("-", "_"))
        return None


class PersonalVoiceModels(_VoiceLiveEnum):
    """Models for personal voices."""

    DRAGON_LATEST_NEURAL = "DragonLatestNeural"
    """Latest Dragon model."""
    PHOENIX_LATEST_NEURAL = "PhoenixLatestNeural"
    """Latest Phoenix model."""
    PHOENIX_V2_NEURAL = "PhoenixV2Neural"
    """Phoenix V2 model."""
    DRAGON_HD_OMNI_LATEST_NEURAL = "DragonHDOmniLatestNeural"
    """Latest Dragon HD Omni model."""
    MAI_VOICE1 = "MAI-Voice-1"
    """MAI-Voice-1."""
    MAI_VOICE_1 = "MAI-Voice-1"
    """Alias of ``MAI_VOICE1``."""


class PhotoAvatarBaseModes(_VoiceLiveEnum):
    """Base models of photo avatars."""

    VASA1 = "vasa-1"
    """VASA-1."""
    VASA_1 = "vasa-1"
    """Alias of ``VASA1``."""


class ReasoningEffort(_VoiceLiveEnum):
    """Reasoning effort of reasoning models."""

    NONE = "none"
    """No reasoning."""
    MINIMAL = "minimal"
    """Minimal."""
    LOW = "low"
    """Low."""
    MEDIUM = "medium"
    """Medium."""
    HIGH = "high"
    """High."""
    XHIGH = "xhigh"
    """Extra high."""


class RequestImageContentPartDetail(_VoiceLiveEnum):
    """Detail level of an input image."""

    AUTO = "auto"
    """Let the model choose."""
    LOW = "low"
    """Low detail."""
    HIGH = "high"
    """High detail."""


class ResponseItemStatus(_VoiceLiveEnum):
    """Status of items returned by the server."""

    IN_PROGRESS = "in_progress"
    """Being produced."""
    COMPLETED = "completed"
    """Complete."""
    INCOMPLETE = "incomplete"
    """Interrupted or cut short."""


class ResponseStatus(_VoiceLiveEnum):
    """Status of a response (also ``status_details.type``)."""

    COMPLETED = "completed"
    """Finished normally."""
    CANCELLED = "cancelled"
    """Cancelled (client cancel or turn detected)."""
    FAILED = "failed"
    """Failed."""
    INCOMPLETE = "incomplete"
    """Cut short (token limit, content filter)."""
    IN_PROGRESS = "in_progress"
    """Still running."""


class ServerEventType(_VoiceLiveEnum):
    """``type`` of every server event this library models (SDK 1.3.1's 56 and the rest)."""

    ERROR = "error"
    """An error occurred."""
    WARNING = "warning"
    """A non-fatal warning."""
    SESSION_AVATAR_CONNECTING = "session.avatar.connecting"
    """Avatar SDP answer."""
    SESSION_CREATED = "session.created"
    """Session created."""
    SESSION_UPDATED = "session.updated"
    """Session updated."""
    CONVERSATION_ITEM_INPUT_AUDIO_TRANSCRIPTION_COMPLETED = (
        "conversation.item.input_audio_transcription.completed"
    )
    """Input audio transcription finished."""
    CONVERSATION_ITEM_INPUT_AUDIO_TRANSCRIPTION_DELTA = (
        "conversation.item.input_audio_transcription.delta"
    )
    """Input audio transcription chunk."""
    CONVERSATION_ITEM_INPUT_AUDIO_TRANSCRIPTION_FAILED = (
        "conversation.item.input_audio_transcription.failed"
    )
    """Input audio transcription failed."""
    CONVERSATION_ITEM_CREATED = "conversation.item.created"
    """Item created."""
    CONVERSATION_ITEM_RETRIEVED = "conversation.item.retrieved"
    """Item retrieved."""
    CONVERSATION_ITEM_TRUNCATED = "conversation.item.truncated"
    """Item truncated."""
    CONVERSATION_ITEM_DELETED = "conversation.item.deleted"
    """Item deleted."""
    INPUT_AUDIO_BUFFER_COMMITTED = "input_audio_buffer.committed"
    """Input buffer committed."""
    INPUT_AUDIO_BUFFER_CLEARED = "input_audio_buffer.cleared"
    """Input buffer cleared."""
    INPUT_AUDIO_BUFFER_SPEECH_STARTED = "input_audio_buffer.speech_started"
    """VAD detected speech."""
    INPUT_AUDIO_BUFFER_SPEECH_STOPPED = "input_audio_buffer.speech_stopped"
    """VAD detected the end of speech."""
    RESPONSE_CREATED = "response.created"
    """Response started."""
    RESPONSE_DONE = "response.done"
    """Response finished."""
    RESPONSE_OUTPUT_ITEM_ADDED = "response.output_item.added"
    """Output item added."""
    RESPONSE_OUTPUT_ITEM_DONE = "response.output_item.done"
    """Output item done."""
    RESPONSE_CONTENT_PART_ADDED = "response.content_part.added"
    """Content part added."""
    RESPONSE_CONTENT_PART_DONE = "response.content_part.done"
    """Content part done."""
    RESPONSE_TEXT_DELTA = "response.text.delta"
    """Text chunk."""
    RESPONSE_TEXT_DONE = "response.text.done"
    """Text done."""
    RESPONSE_AUDIO_TRANSCRIPT_DELTA = "response.audio_transcript.delta"
    """Transcript chunk of output audio."""
    RESPONSE_AUDIO_TRANSCRIPT_DONE = "response.audio_transcript.done"
    """Transcript of output audio done."""
    RESPONSE_AUDIO_DELTA = "response.audio.delta"
    """Output audio chunk."""
    RESPONSE_AUDIO_DONE = "response.audio.done"
    """Output audio done."""
    RESPONSE_ANIMATION_BLENDSHAPES_DELTA = "response.animation_blendshapes.delta"
    """Blendshape frames."""
    RESPONSE_ANIMATION_BLENDSHAPES_DONE = "response.animation_blendshapes.done"
    """Blendshapes done."""
    RESPONSE_AUDIO_TIMESTAMP_DELTA = "response.audio_timestamp.delta"
    """Word timestamp."""
    RESPONSE_AUDIO_TIMESTAMP_DONE = "response.audio_timestamp.done"
    """Timestamps done."""
    RESPONSE_ANIMATION_VISEME_DELTA = "response.animation_viseme.delta"
    """Viseme."""
    RESPONSE_ANIMATION_VISEME_DONE = "response.animation_viseme.done"
    """Visemes done."""
    RESPONSE_FUNCTION_CALL_ARGUMENTS_DELTA = "response.function_call_arguments.delta"
    """Function-call arguments chunk."""
    RESPONSE_FUNCTION_CALL_ARGUMENTS_DONE = "response.function_call_arguments.done"
    """Function-call arguments done."""
    MCP_LIST_TOOLS_IN_PROGRESS = "mcp_list_tools.in_progress"
    """MCP tool listing started."""
    MCP_LIST_TOOLS_COMPLETED = "mcp_list_tools.completed"
    """MCP tool listing completed."""
    MCP_LIST_TOOLS_FAILED = "mcp_list_tools.failed"
    """MCP tool listing failed."""
    RESPONSE_MCP_CALL_ARGUMENTS_DELTA = "response.mcp_call_arguments.delta"
    """MCP call arguments chunk."""
    RESPONSE_MCP_CALL_ARGUMENTS_DONE = "response.mcp_call_arguments.done"
    """MCP call arguments done."""
    RESPONSE_MCP_CALL_IN_PROGRESS = "response.mcp_call.in_progress"
    """MCP call running."""
    RESPONSE_MCP_CALL_COMPLETED = "response.mcp_call.completed"
    """MCP call completed."""
    RESPONSE_MCP_CALL_FAILED = "response.mcp_call.failed"
    """MCP call failed."""
    SESSION_AVATAR_SWITCH_TO_SPEAKING = "session.avatar.switch_to_speaking"
    """Avatar started speaking."""
    SESSION_AVATAR_SWITCH_TO_IDLE = "session.avatar.switch_to_idle"
    """Avatar went idle."""
    RESPONSE_VIDEO_DELTA = "response.video.delta"
    """Avatar video chunk."""
    RESPONSE_WEB_SEARCH_CALL_SEARCHING = "response.web_search_call.searching"
    """Web search searching."""
    RESPONSE_WEB_SEARCH_CALL_IN_PROGRESS = "response.web_search_call.in_progress"
    """Web search in progress."""
    RESPONSE_WEB_SEARCH_CALL_COMPLETED = "response.web_search_call.completed"
    """Web search completed."""
    RESPONSE_FILE_SEARCH_CALL_SEARCHING = "response.file_search_call.searching"
    """File search searching."""
    RESPONSE_FILE_SEARCH_CALL_IN_PROGRESS = "response.file_search_call.in_progress"
    """File search in progress."""
    RESPONSE_FILE_SEARCH_CALL_COMPLETED = "response.file_search_call.completed"
    """File search completed."""
    OUTPUT_AUDIO_BUFFER_CLEARED = "output_audio_buffer.cleared"
    """Output buffer cleared."""
    RESPONSE_AUDIO_TRANSCRIPT_ANNOTATION_ADDED = "response.audio_transcript.annotation.added"
    """Transcript annotation (e.g. a citation)."""
    RESPONSE_INVOCATION_DELTA = "response.invocation.delta"
    """Hosted-agent passthrough event."""
    RATE_LIMITS_UPDATED = "rate_limits.updated"
    """Rate limits at the start of a response."""
    RESPONSE_FOUNDRY_AGENT_CALL_ARGUMENTS_DELTA = "response.foundry_agent_call_arguments.delta"
    """Foundry agent call arguments chunk."""
    RESPONSE_FOUNDRY_AGENT_CALL_ARGUMENTS_DONE = "response.foundry_agent_call_arguments.done"
    """Foundry agent call arguments done."""
    RESPONSE_FOUNDRY_AGENT_CALL_IN_PROGRESS = "response.foundry_agent_call.in_progress"
    """Foundry agent call in progress."""
    RESPONSE_FOUNDRY_AGENT_CALL_COMPLETED = "response.foundry_agent_call.completed"
    """Foundry agent call completed."""
    RESPONSE_FOUNDRY_AGENT_CALL_FAILED = "response.foundry_agent_call.failed"
    """Foundry agent call failed."""
    OUTPUT_AUDIO_BUFFER_STARTED = "output_audio_buffer.started"
    """The server started streaming output audio (WebRTC)."""
    OUTPUT_AUDIO_BUFFER_STOPPED = "output_audio_buffer.stopped"
    """The output audio buffer drained (WebRTC)."""
    RTC_CALL_SDP_CREATED = "rtc.call.sdp.created"
    """WebRTC SDP answer."""
    RTC_CALL_ERROR = "rtc.call.error"
    """WebRTC call error."""
    CONVERSATION_CREATED = "conversation.created"
    """The conversation was created (OpenAI event)."""
    CONVERSATION_ITEM_ADDED = "conversation.item.added"
    """An item was added (OpenAI GA event)."""
    CONVERSATION_ITEM_DONE = "conversation.item.done"
    """An item is done (OpenAI GA event)."""
    INPUT_AUDIO_BUFFER_TIMEOUT_TRIGGERED = "input_audio_buffer.timeout_triggered"
    """The idle timeout of turn detection fired."""
    CONVERSATION_ITEM_INPUT_AUDIO_TRANSCRIPTION_SEGMENT = (
        "conversation.item.input_audio_transcription.segment"
    )
    """A diarized transcription segment."""
    TRANSCRIPTION_SESSION_CREATED = "transcription_session.created"
    """A transcription session was created."""
    TRANSCRIPTION_SESSION_UPDATED = "transcription_session.updated"
    """A transcription session was updated."""
    REALTIME_CALL_INCOMING = "realtime.call.incoming"
    """A SIP call arrived and awaits an accept or reject decision."""
    REALTIME_CALL_CONNECTED = "realtime.call.connected"
    """An accepted SIP call is connected."""
    REALTIME_CALL_DISCONNECTED = "realtime.call.disconnected"
    """A SIP call reached the disconnected state."""
    REALTIME_CALL_FAILED = "realtime.call.failed"
    """A SIP call failed during setup or runtime."""
    REALTIME_CALL_TRANSFER_SUCCEEDED = "realtime.call.transfer.succeeded"
    """A blind SIP transfer (REFER) succeeded."""
    REALTIME_CALL_TRANSFER_FAILED = "realtime.call.transfer.failed"
    """A blind SIP transfer (REFER) failed."""


class SipCallState(_VoiceLiveEnum):
    """Lifecycle state of a SIP call in ``realtime.call.*`` events (2026-07-31-preview)."""

    WAITING_FOR_CUSTOMER = "WaitingForCustomer"
    """The INVITE arrived; waiting for the app to accept or reject."""
    ACCEPTING = "Accepting"
    """Accepted; setup in progress."""
    ACCEPTED = "Accepted"
    """SDP answer received, not connected yet."""
    CONNECTED = "Connected"
    """Active."""
    REJECTING = "Rejecting"
    """Rejection in progress."""
    TRANSFERRING = "Transferring"
    """A blind transfer is in progress."""
    TERMINATING = "Terminating"
    """Ending; cleanup in progress."""
    DISCONNECTED = "Disconnected"
    """Ended normally (hangup, reject or completed transfer)."""
    FAILED = "Failed"
    """Setup or runtime failed."""
    EXPIRED = "Expired"
    """No accept/reject decision in time."""


class SipCallTerminalReason(_VoiceLiveEnum):
    """Why a SIP call left the active states (``terminal_reason``)."""

    REJECTED = "Rejected"
    """The app rejected the call."""
    CUSTOMER_HANGUP = "CustomerHangup"
    """The app hung up."""
    SIP_PROXY_TERMINATE = "SipProxyTerminate"
    """The caller's SIP leg ended."""
    DECISION_TIMEOUT = "DecisionTimeout"
    """No accept/reject decision in time."""
    SETUP_FAILURE = "SetupFailure"
    """Setup failed before the call connected."""
    TRANSFER_SUCCEEDED = "TransferSucceeded"
    """A blind transfer completed."""
    RUNTIME_ERROR = "RuntimeError"
    """A fatal runtime error ended the call."""


class SipTransferState(_VoiceLiveEnum):
    """State of a blind SIP transfer (REFER) in ``realtime.call.transfer.*`` events."""

    TRYING = "trying"
    """Accepted by the SIP side, in progress."""
    SUCCEEDED = "succeeded"
    """Completed."""
    FAILED = "failed"
    """Failed."""


class SessionIncludeOption(_VoiceLiveEnum):
    """Extra data to include in server events (session ``include``)."""

    ITEM_INPUT_AUDIO_TRANSCRIPTION_LOGPROBS = "item.input_audio_transcription.logprobs"
    """Log probabilities of input transcription."""
    ITEM_INPUT_AUDIO_TRANSCRIPTION_PHRASES = "item.input_audio_transcription.phrases"
    """Phrases (with word timings) of input transcription."""
    FILE_SEARCH_CALL_RESULTS = "file_search_call.results"
    """Results of file search calls."""


class ToolChoiceLiteral(_VoiceLiveEnum):
    """String forms of ``tool_choice``."""

    AUTO = "auto"
    """The model decides."""
    NONE = "none"
    """No tool calls."""
    REQUIRED = "required"
    """The model must call a tool."""


class ToolType(_VoiceLiveEnum):
    """``type`` of tools."""

    FUNCTION = "function"
    """A client-side function."""
    MCP = "mcp"
    """A remote MCP server."""
    FOUNDRY_AGENT = "foundry_agent"
    """A Foundry agent (documented; not in SDK 1.3.1)."""


class TurnDetectionType(_VoiceLiveEnum):
    """``type`` of turn detection."""

    SERVER_VAD = "server_vad"
    """Volume-based VAD."""
    AZURE_SEMANTIC_VAD = "azure_semantic_vad"
    """Azure semantic VAD."""
    AZURE_SEMANTIC_VAD_EN = "azure_semantic_vad_en"
    """Azure semantic VAD, English only."""
    AZURE_SEMANTIC_VAD_MULTILINGUAL = "azure_semantic_vad_multilingual"
    """Azure semantic VAD, multilingual."""
    SEMANTIC_VAD = "semantic_vad"
    """OpenAI semantic VAD (gpt-realtime models; documented, not in SDK 1.3.1)."""
