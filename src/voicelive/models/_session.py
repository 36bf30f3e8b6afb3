"""Session configuration models (PROTOCOL.md §5.1-§5.8).

Everything here is shared by client and server (the client sends it in ``session.update``, the
server echoes it in ``session.created`` / ``session.updated``), so the classes derive from
:class:`VoiceLiveModel` (unknown keys rejected when *you* build them; kept when the decoder
validates a server frame with ``extra="allow"``). Server-only pieces (:class:`AgentConfig`,
:class:`ResponseSession`) keep unknown keys themselves.

Polymorphic fields are pydantic discriminated unions driven by a small callable
discriminator: a known tag selects its class, anything else selects the hierarchy's
``Unknown*`` fallback (extra keys kept), so a variant the service adds tomorrow never fails a
whole event. The union aliases are :data:`Voice`, :data:`ToolChoice`,
:data:`InterimResponseConfig` (official names) and :data:`TurnDetectionUnion`,
:data:`EouDetectionUnion`, :data:`ToolUnion` (the official names ``TurnDetection``,
``EouDetection``, ``Tool`` are the base classes).
"""

import base64
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
)

from ._base import ServerModel, VoiceLiveModel
from ._enums import (
    AnimationOutputType,
    AudioTimestampType,
    AvatarConfigTypes,
    AvatarOutputProtocol,
    AzureRealtimeNativeVoiceName,
    EchoCancellationReferenceSource,
    EouThresholdLevel,
    InputAudioFormat,
    InterimResponseTrigger,
    MCPApprovalType,
    Modality,
    OpenAIVoiceName,
    OutputAudioFormat,
    PersonalVoiceModels,
    PhotoAvatarBaseModes,
    ReasoningEffort,
    SessionIncludeOption,
)

__all__ = [
    "AgentConfig",
    "Animation",
    "AudioEchoCancellation",
    "AudioInputTranscriptionOptions",
    "AudioNoiseReduction",
    "AvatarConfig",
    "AzureAvatarVoiceSyncVoice",
    "AzureCustomVoice",
    "AzurePersonalVoice",
    "AzureRealtimeNativeVoice",
    "AzureSemanticDetection",
    "AzureSemanticDetectionEn",
    "AzureSemanticDetectionMultilingual",
    "AzureSemanticVad",
    "AzureSemanticVadEn",
    "AzureSemanticVadMultilingual",
    "AzureStandardVoice",
    "AzureVoice",
    "Background",
    "EouDetection",
    "EouDetectionUnion",
    "FoundryAgentTool",
    "FunctionTool",
    "IceServer",
    "InterimResponseConfig",
    "InterimResponseConfigBase",
    "LlmInterimResponseConfig",
    "MCPServer",
    "OpenAIVoice",
    "RequestSession",
    "ResponseSession",
    "Scene",
    "SemanticVad",
    "ServerVad",
    "SessionBase",
    "SmartEndOfTurnDetection",
    "StaticInterimResponseConfig",
    "Tool",
    "ToolChoice",
    "ToolChoiceFunctionSelection",
    "ToolChoiceSelection",
    "ToolUnion",
    "TurnDetection",
    "TurnDetectionUnion",
    "UnknownEouDetection",
    "UnknownInterimResponseConfig",
    "UnknownTool",
    "UnknownToolChoiceSelection",
    "UnknownTurnDetection",
    "UnknownVoice",
    "VideoCrop",
    "VideoParams",
    "VideoResolution",
    "Voice",
]

# --------------------------------------------------------------------------------------------
# Shared field types (private; imported by the sibling modules)
# --------------------------------------------------------------------------------------------

# Open enums: a known value (any case) becomes the enum member, anything else stays a ``str``.
# ``left_to_right`` tries the enum first; the default "smart" mode would keep the exact ``str``.
_LTR = Field(union_mode="left_to_right")
_ModalityT = Annotated[Modality | str, _LTR]
_InputAudioFormatT = Annotated[InputAudioFormat | str, _LTR]
# ``OutputAudioFormat._missing_`` maps the legacy ``pcm16-8000hz`` spelling to ``pcm16_8000hz``.
_OutputAudioFormatT = Annotated[OutputAudioFormat | str, _LTR]
_AudioTimestampTypeT = Annotated[AudioTimestampType | str, _LTR]
_ReasoningEffortT = Annotated[ReasoningEffort | str, _LTR]
_SessionIncludeOptionT = Annotated[SessionIncludeOption | str, _LTR]
_AnimationOutputTypeT = Annotated[AnimationOutputType | str, _LTR]
_InterimResponseTriggerT = Annotated[InterimResponseTrigger | str, _LTR]

_MaxTokens = int | Literal["inf"]
"""A token limit: a positive integer or ``"inf"`` (no limit)."""


def _from_unix_seconds(value: Any) -> Any:
    """Wire integer Unix seconds -> aware UTC ``datetime``; anything else is left to pydantic."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return value


def _to_unix_seconds(value: datetime) -> int:
    """Aware ``datetime`` -> integer Unix seconds (the wire form)."""
    return int(value.timestamp())


_UnixTime = Annotated[
    datetime,
    BeforeValidator(_from_unix_seconds),
    PlainSerializer(_to_unix_seconds, return_type=int, when_used="json"),
]


def _standard_base64(value: bytes) -> str:
    """``bytes`` -> standard base64 text (``+`` and ``/``, padded), as the service writes it."""
    return base64.b64encode(value).decode("ascii")


_WireBytes = Annotated[bytes, PlainSerializer(_standard_base64, return_type=str, when_used="json")]
"""Server-side binary payload: base64 text on the wire, ``bytes`` here (decoded by
pydantic-core). Serialization writes the *standard* base64 alphabet: the base config's
``ser_json_bytes="base64"`` would write the URL-safe one (``-``/``_``), which other clients
do not decode. Only serialization changes; validation stays in pydantic-core."""

_UNKNOWN_TAG = "voicelive.unknown"
"""Tag of the fallback variant of every polymorphic hierarchy (not a real wire value)."""


def _discriminator(tag: Callable[[Any], str | None], expected: str) -> Discriminator:
    """The union's discriminator; a value of the wrong kind fails with ``expected ...`` in the
    user's terms (error type ``wrong_kind``), never naming the internal fallback tag."""
    return Discriminator(
        tag, custom_error_type="wrong_kind", custom_error_message=f"expected {expected}"
    )


def _tag_by(field: str, known: frozenset[str], fallback: type[Any]) -> Callable[[Any], str | None]:
    """Build a callable discriminator: known ``field`` values map to themselves, others to the
    fallback variant (also used for instances of the fallback class itself). A value that is
    neither a dict nor a model (``voice=42``) has no tag: pydantic then reports the union's
    ``wrong_kind`` error (see :func:`_discriminator`) instead of a fallback-class error."""

    def tag(value: Any) -> str | None:
        if isinstance(value, dict):
            key = value.get(field)
        elif isinstance(value, fallback):
            return _UNKNOWN_TAG
        elif not isinstance(value, BaseModel):
            return None
        else:
            key = getattr(value, field, None)
        if isinstance(key, str) and key in known:
            return key
        return _UNKNOWN_TAG

    return tag


# --------------------------------------------------------------------------------------------
# Voices (§5.2)
# --------------------------------------------------------------------------------------------


class OpenAIVoice(VoiceLiveModel):
    """Object form of an OpenAI voice (the bare string ``"alloy"`` is accepted too)."""

    type: Literal["openai"] = "openai"
    """Discriminator, always ``"openai"``."""
    name: Annotated[OpenAIVoiceName | str, _LTR]
    """Voice name, e.g. ``"alloy"`` (see :class:`OpenAIVoiceName`)."""


class AzureVoice(VoiceLiveModel):
    """Base of the Azure voices, selected by ``type`` (``azure-standard``, ...).

    The SSML-style ``pitch`` / ``rate`` / ``volume`` follow the prosody syntax
    (e.g. rate ``"1.2"`` or ``"+20%"``).
    """

    type: str
    """Discriminator: ``azure-standard``, ``azure-custom``, ``azure-personal`` or
    ``avatar-voice-sync``."""
    temperature: float | None = None
    """Sampling temperature of HD voices."""
    custom_lexicon_url: str | None = None
    """URL of a custom lexicon."""
    custom_text_normalization_url: str | None = None
    """URL of custom text-normalization rules."""
    prefer_locales: list[str] | None = None
    """Locales to prefer for multilingual voices."""
    locale: str | None = None
    """Locale to speak in, e.g. ``"en-US"``."""
    style: str | None = None
    """Speaking style, e.g. ``"cheerful"``."""
    pitch: str | None = None
    """Pitch adjustment (SSML prosody syntax)."""
    rate: str | None = None
    """Speaking rate (SSML prosody syntax, e.g. ``"1.2"`` or ``"+20%"``)."""
    volume: str | None = None
    """Volume adjustment (SSML prosody syntax)."""


class AzureStandardVoice(AzureVoice):
    """Azure neural / HD voice by name, e.g. ``en-US-AvaNeural``."""

    type: Literal["azure-standard"] = "azure-standard"
    """Discriminator, always ``"azure-standard"``."""
    name: str
    """Voice name, e.g. ``"en-US-Ava:DragonHDLatestNeural"``."""


class AzureCustomVoice(AzureVoice):
    """Custom neural voice deployed in your resource."""

    type: Literal["azure-custom"] = "azure-custom"
    """Discriminator, always ``"azure-custom"``."""
    name: str
    """Voice name."""
    endpoint_id: str
    """Deployment id of the custom voice."""


class AzurePersonalVoice(AzureVoice):
    """Personal voice built from a speaker profile."""

    type: Literal["azure-personal"] = "azure-personal"
    """Discriminator, always ``"azure-personal"``."""
    name: str
    """Speaker profile id."""
    model: Annotated[PersonalVoiceModels | str, _LTR]
    """Personal voice model, e.g. ``"DragonLatestNeural"``."""


class AzureAvatarVoiceSyncVoice(AzureVoice):
    """Avatar voice sync: personal-voice synthesis tied to the avatar character."""

    type: Literal["avatar-voice-sync"] = "avatar-voice-sync"
    """Discriminator, always ``"avatar-voice-sync"``."""
    model: Annotated[PersonalVoiceModels | str, _LTR]
    """Personal voice model."""


class AzureRealtimeNativeVoice(VoiceLiveModel):
    """Voice of the ``azure-realtime`` model (api-version >= 2026-01-01-preview)."""

    type: Literal["azure-realtime-native"] = "azure-realtime-native"
    """Discriminator, always ``"azure-realtime-native"``."""
    name: Annotated[AzureRealtimeNativeVoiceName | str, _LTR]
    """Voice name (default ``"ava"``)."""


class UnknownVoice(VoiceLiveModel, ServerModel):
    """A voice object whose ``type`` this library does not know; all keys are kept."""

    model_config = ConfigDict(extra="allow")

    type: str
    """The voice ``type`` as sent."""


_VOICE_CLASSES: dict[str, type[VoiceLiveModel]] = {
    "openai": OpenAIVoice,
    "azure-standard": AzureStandardVoice,
    "azure-custom": AzureCustomVoice,
    "azure-personal": AzurePersonalVoice,
    "avatar-voice-sync": AzureAvatarVoiceSyncVoice,
    "azure-realtime-native": AzureRealtimeNativeVoice,
}
_voice_object_tag = _tag_by("type", frozenset(_VOICE_CLASSES), UnknownVoice)


def _voice_tag(value: Any) -> str | None:
    """A plain string is a voice name; objects are selected by ``type``."""
    if isinstance(value, str):
        return "str"
    return _voice_object_tag(value)


Voice = Annotated[
    Annotated[str, Tag("str")]
    | Annotated[OpenAIVoice, Tag("openai")]
    | Annotated[AzureStandardVoice, Tag("azure-standard")]
    | Annotated[AzureCustomVoice, Tag("azure-custom")]
    | Annotated[AzurePersonalVoice, Tag("azure-personal")]
    | Annotated[AzureAvatarVoiceSyncVoice, Tag("avatar-voice-sync")]
    | Annotated[AzureRealtimeNativeVoice, Tag("azure-realtime-native")]
    | Annotated[UnknownVoice, Tag(_UNKNOWN_TAG)],
    _discriminator(
        _voice_tag,
        "a voice: a voice name such as 'alloy', or a voice object such as "
        "{'type': 'azure-standard', 'name': 'en-US-AvaNeural'}",
    ),
]
"""A voice: an OpenAI voice name (``str``) or one of the voice objects, selected by ``type``."""

# --------------------------------------------------------------------------------------------
# Audio input processing and transcription (§5.3)
# --------------------------------------------------------------------------------------------


class AudioNoiseReduction(VoiceLiveModel):
    """Input noise reduction; set the session key to ``None`` to disable it."""

    type: str
    """``"azure_deep_noise_suppression"`` (all models), ``"near_field"`` or ``"far_field"``
    (OpenAI noise reduction, gpt-realtime models only)."""


class AudioEchoCancellation(VoiceLiveModel):
    """Server echo cancellation; set the session key to ``None`` to disable it.

    Valid pairs are ``reference_source="server"`` / ``channels=1`` (default) and
    ``"client"`` / ``2`` (preview; needs ``features=client_ec_reference:true``).
    """

    type: Literal["server_echo_cancellation"] = "server_echo_cancellation"
    """Always ``"server_echo_cancellation"``."""
    reference_source: Annotated[EchoCancellationReferenceSource | str, _LTR] | None = None
    """Where the echo reference comes from: ``"server"`` (default) or ``"client"`` (preview)."""
    channels: int | None = None
    """Input channels: 1 (default) or 2 (interleaved mic + reference, with ``"client"``)."""


class AudioInputTranscriptionOptions(VoiceLiveModel):
    """Transcription of the user's input audio."""

    model: str
    """Transcription model: ``"azure-speech"``, ``"whisper-1"``, ``"gpt-4o-transcribe"``,
    ``"gpt-4o-mini-transcribe"``, ``"gpt-4o-transcribe-diarize"``, ``"mai-transcribe-1"``, ..."""
    language: str | None = None
    """Language hint, e.g. ``"en"`` or ``"en-US"``."""
    custom_speech: dict[str, str] | None = None
    """Custom speech endpoint ids by locale (``azure-speech`` only)."""
    phrase_list: list[str] | None = None
    """Phrases to boost recognition of (``azure-speech`` only)."""
    prompt: str | None = None
    """Prompt guiding OpenAI transcription models (documented; not in SDK 1.3.1)."""


# --------------------------------------------------------------------------------------------
# Turn detection and end of utterance (§5.4)
# --------------------------------------------------------------------------------------------


class EouDetection(VoiceLiveModel):
    """Base of end-of-utterance detectors, selected by ``model``."""

    model: str
    """Discriminator: the EOU model name."""


class _AzureSemanticDetectionFields(EouDetection):
    """Fields shared by the Azure semantic end-of-utterance detectors (private base)."""

    threshold_level: Annotated[EouThresholdLevel | str, _LTR] | None = None
    """Detection sensitivity (default ``"medium"``)."""
    timeout_ms: int | None = None
    """Maximum wait for the end of the utterance, in ms (default 1000)."""


class AzureSemanticDetection(_AzureSemanticDetectionFields):
    """Semantic end-of-utterance detection."""

    model: Literal["semantic_detection_v1"] = "semantic_detection_v1"
    """Discriminator, always ``"semantic_detection_v1"``."""


class AzureSemanticDetectionEn(_AzureSemanticDetectionFields):
    """Semantic end-of-utterance detection, English only."""

    model: Literal["semantic_detection_v1_en"] = "semantic_detection_v1_en"
    """Discriminator, always ``"semantic_detection_v1_en"``."""


class AzureSemanticDetectionMultilingual(_AzureSemanticDetectionFields):
    """Semantic end-of-utterance detection, multilingual."""

    model: Literal["semantic_detection_v1_multilingual"] = "semantic_detection_v1_multilingual"
    """Discriminator, always ``"semantic_detection_v1_multilingual"``."""


class SmartEndOfTurnDetection(EouDetection):
    """Audio-based end-of-turn detection (preview, api-version 2026-06-01-preview on).

    It listens to the input audio rather than a transcript, so unlike the semantic detectors it
    also works with speech-to-speech (realtime) models. Nest it in a VAD's
    ``end_of_utterance_detection``.
    """

    model: Literal["smart_end_of_turn_detection"] = "smart_end_of_turn_detection"
    """Discriminator, always ``"smart_end_of_turn_detection"``."""
    threshold_level: Annotated[EouThresholdLevel | str, _LTR] | None = None
    """Detection sensitivity."""
    timeout_ms: int | None = None
    """Maximum wait for the end of the turn, in ms."""


class UnknownEouDetection(EouDetection, ServerModel):
    """An EOU detector whose ``model`` this library does not know; all keys are kept."""

    model_config = ConfigDict(extra="allow")


_EOU_CLASSES: dict[str, type[EouDetection]] = {
    "semantic_detection_v1": AzureSemanticDetection,
    "semantic_detection_v1_en": AzureSemanticDetectionEn,
    "semantic_detection_v1_multilingual": AzureSemanticDetectionMultilingual,
    "smart_end_of_turn_detection": SmartEndOfTurnDetection,
}

EouDetectionUnion = Annotated[
    Annotated[AzureSemanticDetection, Tag("semantic_detection_v1")]
    | Annotated[AzureSemanticDetectionEn, Tag("semantic_detection_v1_en")]
    | Annotated[AzureSemanticDetectionMultilingual, Tag("semantic_detection_v1_multilingual")]
    | Annotated[SmartEndOfTurnDetection, Tag("smart_end_of_turn_detection")]
    | Annotated[UnknownEouDetection, Tag(_UNKNOWN_TAG)],
    _discriminator(
        _tag_by("model", frozenset(_EOU_CLASSES), UnknownEouDetection),
        "an end-of-utterance detector object such as {'model': 'semantic_detection_v1'}",
    ),
]
"""An end-of-utterance detector, selected by ``model``."""


class TurnDetection(VoiceLiveModel):
    """Base of turn-detection configurations, selected by ``type``.

    Set the session's ``turn_detection`` to ``None`` to disable VAD (manual commits).
    """

    type: str
    """Discriminator: the turn-detection type."""


class _VadFields(TurnDetection):
    """Fields shared by the volume and Azure semantic VADs (private base).

    Documented defaults differ by type; see each class.
    """

    threshold: float | None = None
    """Activation threshold, 0.0-1.0."""
    prefix_padding_ms: int | None = None
    """Audio kept before detected speech, in ms."""
    silence_duration_ms: int | None = None
    """Silence that ends a turn, in ms."""
    speech_duration_ms: int | None = None
    """Minimum speech that starts a turn, in ms."""
    end_of_utterance_detection: EouDetectionUnion | None = None
    """Optional semantic end-of-utterance detector."""
    auto_truncate: bool | None = None
    """Truncate the interrupted assistant item on barge-in (default false)."""
    create_response: bool | None = None
    """Start a response automatically at the end of a turn (default true)."""
    interrupt_response: bool | None = None
    """Interrupt the current response when the user starts speaking (default true)."""


class ServerVad(_VadFields):
    """Volume-based voice activity detection.

    Documented defaults (2026-07-15): ``threshold`` 0.5, ``prefix_padding_ms`` 400 (300
    before 2026-04-10), ``silence_duration_ms`` 500, ``speech_duration_ms`` 200 (documented,
    not in SDK 1.3.1).
    """

    type: Literal["server_vad"] = "server_vad"
    """Discriminator, always ``"server_vad"``."""


class SemanticVad(TurnDetection):
    """OpenAI semantic VAD (gpt-realtime models only; documented, not in SDK 1.3.1)."""

    type: Literal["semantic_vad"] = "semantic_vad"
    """Discriminator, always ``"semantic_vad"``."""
    eagerness: str | None = None
    """How eagerly to end the turn: ``"auto"`` (default), ``"low"``, ``"medium"``, ``"high"``."""
    create_response: bool | None = None
    """Start a response automatically at the end of a turn (default true)."""
    interrupt_response: bool | None = None
    """Interrupt the current response when the user starts speaking (default true)."""


class _AzureSemanticVadFields(_VadFields):
    """Fields shared by the Azure semantic VADs (private base)."""

    remove_filler_words: bool | None = None
    """Ignore filler words such as "umm" (default false)."""


class AzureSemanticVad(_AzureSemanticVadFields):
    """Azure semantic VAD. Documented defaults: ``prefix_padding_ms`` 420,
    ``speech_duration_ms`` 80."""

    type: Literal["azure_semantic_vad"] = "azure_semantic_vad"
    """Discriminator, always ``"azure_semantic_vad"``."""
    languages: list[str] | None = None
    """Languages to expect."""


class AzureSemanticVadEn(_AzureSemanticVadFields):
    """Azure semantic VAD, English only."""

    type: Literal["azure_semantic_vad_en"] = "azure_semantic_vad_en"
    """Discriminator, always ``"azure_semantic_vad_en"``."""


class AzureSemanticVadMultilingual(_AzureSemanticVadFields):
    """Azure semantic VAD, multilingual (en, es, fr, it, de, ja, pt, zh, ko, hi)."""

    type: Literal["azure_semantic_vad_multilingual"] = "azure_semantic_vad_multilingual"
    """Discriminator, always ``"azure_semantic_vad_multilingual"``."""
    languages: list[str] | None = None
    """Languages to expect."""


class UnknownTurnDetection(TurnDetection, ServerModel):
    """A turn detection whose ``type`` this library does not know; all keys are kept."""

    model_config = ConfigDict(extra="allow")


_TURN_DETECTION_CLASSES: dict[str, type[TurnDetection]] = {
    "server_vad": ServerVad,
    "semantic_vad": SemanticVad,
    "azure_semantic_vad": AzureSemanticVad,
    "azure_semantic_vad_en": AzureSemanticVadEn,
    "azure_semantic_vad_multilingual": AzureSemanticVadMultilingual,
}

TurnDetectionUnion = Annotated[
    Annotated[ServerVad, Tag("server_vad")]
    | Annotated[SemanticVad, Tag("semantic_vad")]
    | Annotated[AzureSemanticVad, Tag("azure_semantic_vad")]
    | Annotated[AzureSemanticVadEn, Tag("azure_semantic_vad_en")]
    | Annotated[AzureSemanticVadMultilingual, Tag("azure_semantic_vad_multilingual")]
    | Annotated[UnknownTurnDetection, Tag(_UNKNOWN_TAG)],
    _discriminator(
        _tag_by("type", frozenset(_TURN_DETECTION_CLASSES), UnknownTurnDetection),
        "a turn-detection object such as {'type': 'server_vad'} (or None to turn it off)",
    ),
]
"""A turn-detection configuration, selected by ``type``."""

# --------------------------------------------------------------------------------------------
# Avatar and animation (§5.5)
# --------------------------------------------------------------------------------------------


class IceServer(VoiceLiveModel):
    """A STUN/TURN server for the avatar WebRTC connection."""

    urls: list[str]
    """Server URLs."""
    username: str | None = None
    """User name for TURN."""
    credential: str | None = None
    """Credential for TURN."""


class VideoCrop(VoiceLiveModel):
    """Crop rectangle of the avatar video."""

    top_left: list[int]
    """Top-left corner ``[x, y]`` in pixels."""
    bottom_right: list[int]
    """Bottom-right corner ``[x, y]`` in pixels."""


class VideoResolution(VoiceLiveModel):
    """Avatar video resolution."""

    width: int
    """Width in pixels."""
    height: int
    """Height in pixels."""


class Background(VoiceLiveModel):
    """Avatar video background: exactly one of ``color`` or ``image_url``."""

    color: str | None = None
    """Background colour as hex RGBA, e.g. ``"#00FF00FF"``."""
    image_url: str | None = None
    """URL of a background image."""


class VideoParams(VoiceLiveModel):
    """Avatar video stream parameters."""

    bitrate: int | None = None
    """Bitrate in bits per second (default 2000000)."""
    codec: str | None = None
    """Video codec; only ``"h264"`` (the default) is documented."""
    crop: VideoCrop | None = None
    """Crop rectangle."""
    resolution: VideoResolution | None = None
    """Output resolution."""
    background: Background | None = None
    """Background colour or image."""
    gop_size: int | None = None
    """Group-of-pictures size, 1-2000 (default 10)."""


class Scene(VoiceLiveModel):
    """Photo-avatar framing."""

    zoom: float | None = None
    """Zoom factor, > 0 (below 1 zooms out)."""
    position_x: float | None = None
    """Horizontal position, -1 to 1."""
    position_y: float | None = None
    """Vertical position, -1 to 1."""
    rotation_x: float | None = None
    """Rotation around x, -pi to pi radians."""
    rotation_y: float | None = None
    """Rotation around y, -pi to pi radians."""
    rotation_z: float | None = None
    """Rotation around z, -pi to pi radians."""
    amplitude: float | None = None
    """Motion amplitude, (0, 1]."""


class AvatarConfig(VoiceLiveModel):
    """Avatar configuration (session ``avatar``).

    The wire key ``type`` is the attribute :attr:`avatar_type`; both ``avatar_type=`` and
    ``type=`` are accepted when building one.
    """

    avatar_type: Annotated[AvatarConfigTypes | str, _LTR] | None = Field(None, alias="type")
    """Avatar kind: ``"video-avatar"`` (default) or ``"photo-avatar"`` (wire key ``type``)."""
    ice_servers: list[IceServer] | None = None
    """ICE servers; when omitted the service returns its own in ``session.updated``."""
    character: str
    """Avatar character, e.g. ``"lisa"``."""
    style: str | None = None
    """Character style, e.g. ``"casual-sitting"``."""
    model: Annotated[PhotoAvatarBaseModes | str, _LTR] | None = None
    """Photo-avatar base model (``"vasa-1"``)."""
    customized: bool
    """Whether ``character`` is a custom avatar."""
    video: VideoParams | None = None
    """Video stream parameters."""
    scene: Scene | None = None
    """Photo-avatar framing."""
    output_protocol: Annotated[AvatarOutputProtocol | str, _LTR] | None = None
    """``"webrtc"`` (default) or ``"websocket"`` (video as ``response.video.delta``)."""
    output_audit_audio: bool | None = None
    """Also send the avatar's audio over the WebSocket for auditing."""


class Animation(VoiceLiveModel):
    """Animation output configuration (enable with the ``"animation"`` modality)."""

    model_name: str | None = None
    """Animation model (default ``"default"``)."""
    outputs: list[_AnimationOutputTypeT] | None = None
    """Outputs to stream (default ``["blendshapes"]``)."""


# --------------------------------------------------------------------------------------------
# Tools and tool choice (§5.6, §5.7)
# --------------------------------------------------------------------------------------------


class Tool(VoiceLiveModel):
    """Base of tools, selected by ``type``."""

    type: str
    """Discriminator: the tool type."""


class FunctionTool(Tool):
    """A function the model may call; the client runs it and returns the output."""

    type: Literal["function"] = "function"
    """Discriminator, always ``"function"``."""
    name: str
    """Function name."""
    description: str | None = None
    """What the function does and when to call it."""
    parameters: Any = None
    """JSON Schema of the arguments."""


class MCPServer(Tool):
    """A remote MCP server whose tools the model may call."""

    type: Literal["mcp"] = "mcp"
    """Discriminator, always ``"mcp"``."""
    server_label: str
    """Label identifying the server in items and events."""
    server_url: str
    """Server URL."""
    authorization: str | None = None
    """Authorization header value for the server."""
    headers: dict[str, str] | None = None
    """Extra HTTP headers for the server."""
    allowed_tools: list[str] | None = None
    """Only these tools may be called."""
    require_approval: Annotated[MCPApprovalType | str, _LTR] | dict[str, list[str]] | None = None
    """``"always"`` (default), ``"never"`` or ``{"never": [...], "always": [...]}``."""


class FoundryAgentTool(Tool):
    """A Foundry agent used as a tool (documented; not in SDK 1.3.1)."""

    type: Literal["foundry_agent"] = "foundry_agent"
    """Discriminator, always ``"foundry_agent"``."""
    agent_name: str
    """Agent name."""
    project_name: str
    """Foundry project name."""
    agent_version: str | None = None
    """Agent version."""
    client_id: str | None = None
    """Client id of the identity used to call the agent."""
    description: str | None = None
    """What the agent does and when to call it."""
    foundry_resource_override: str | None = None
    """Foundry resource hosting the agent, when not this one."""
    agent_context_type: str | None = None
    """Context passed to the agent: ``"no_context"`` or ``"agent_context"``."""
    return_agent_response_directly: bool | None = None
    """Speak the agent's response directly instead of feeding it to the model."""


class UnknownTool(Tool, ServerModel):
    """A tool whose ``type`` this library does not know; all keys are kept."""

    model_config = ConfigDict(extra="allow")


_TOOL_CLASSES: dict[str, type[Tool]] = {
    "function": FunctionTool,
    "mcp": MCPServer,
    "foundry_agent": FoundryAgentTool,
}

ToolUnion = Annotated[
    Annotated[FunctionTool, Tag("function")]
    | Annotated[MCPServer, Tag("mcp")]
    | Annotated[FoundryAgentTool, Tag("foundry_agent")]
    | Annotated[UnknownTool, Tag(_UNKNOWN_TAG)],
    _discriminator(
        _tag_by("type", frozenset(_TOOL_CLASSES), UnknownTool),
        "a tool object such as {'type': 'function', 'name': 'get_weather', 'parameters': {...}}",
    ),
]
"""A tool, selected by ``type``."""


class ToolChoiceSelection(VoiceLiveModel):
    """Base of the object forms of ``tool_choice``, selected by ``type``."""

    type: str
    """Discriminator: ``"function"`` (``"mcp"`` is listed but has no class)."""


class ToolChoiceFunctionSelection(ToolChoiceSelection):
    """Force a call of one function."""

    type: Literal["function"] = "function"
    """Discriminator, always ``"function"``."""
    name: str
    """Function name."""


class UnknownToolChoiceSelection(ToolChoiceSelection, ServerModel):
    """A ``tool_choice`` object whose ``type`` this library does not know; keys are kept."""

    model_config = ConfigDict(extra="allow")


_tool_choice_object_tag = _tag_by("type", frozenset({"function"}), UnknownToolChoiceSelection)


def _tool_choice_tag(value: Any) -> str | None:
    """A plain string (``auto``/``none``/``required``/function name) or an object."""
    if isinstance(value, str):
        return "str"
    return _tool_choice_object_tag(value)


ToolChoice = Annotated[
    Annotated[str, Tag("str")]
    | Annotated[ToolChoiceFunctionSelection, Tag("function")]
    | Annotated[UnknownToolChoiceSelection, Tag(_UNKNOWN_TAG)],
    _discriminator(
        _tool_choice_tag,
        "'auto', 'none', 'required', a function name, or {'type': 'function', 'name': ...}",
    ),
]
"""``"auto"``, ``"none"``, ``"required"``, a function name, or a selection object."""

# --------------------------------------------------------------------------------------------
# Interim responses (§5.8)
# --------------------------------------------------------------------------------------------


class InterimResponseConfigBase(VoiceLiveModel):
    """Base of interim-response configurations, selected by ``type``."""

    type: str
    """Discriminator: ``"static_interim_response"`` or ``"llm_interim_response"``."""
    triggers: list[_InterimResponseTriggerT] | None = None
    """What triggers an interim response, OR-ed (default ``["latency"]``)."""
    latency_threshold_ms: int | None = None
    """Latency that triggers it, in ms, >= 0 (default 2000)."""


class StaticInterimResponseConfig(InterimResponseConfigBase):
    """Interim response picked at random from fixed texts."""

    type: Literal["static_interim_response"] = "static_interim_response"
    """Discriminator, always ``"static_interim_response"``."""
    texts: list[str] | None = None
    """Candidate texts."""


class LlmInterimResponseConfig(InterimResponseConfigBase):
    """Interim response generated by a small LLM."""

    type: Literal["llm_interim_response"] = "llm_interim_response"
    """Discriminator, always ``"llm_interim_response"``."""
    model: str | None = None
    """Model generating the interim text (default ``"gpt-4.1-mini"``)."""
    instructions: str | None = None
    """Instructions for the interim text."""
    max_completion_tokens: int | None = None
    """Maximum interim tokens, >= 1 (default 50)."""


class UnknownInterimResponseConfig(InterimResponseConfigBase, ServerModel):
    """An interim-response config whose ``type`` this library does not know; keys kept."""

    model_config = ConfigDict(extra="allow")


InterimResponseConfig = Annotated[
    Annotated[StaticInterimResponseConfig, Tag("static_interim_response")]
    | Annotated[LlmInterimResponseConfig, Tag("llm_interim_response")]
    | Annotated[UnknownInterimResponseConfig, Tag(_UNKNOWN_TAG)],
    _discriminator(
        _tag_by(
            "type",
            frozenset({"static_interim_response", "llm_interim_response"}),
            UnknownInterimResponseConfig,
        ),
        "an interim-response object such as {'type': 'static_interim_response', 'texts': [...]}",
    ),
]
"""An interim-response configuration, selected by ``type``."""

# --------------------------------------------------------------------------------------------
# Sessions (§5.1)
# --------------------------------------------------------------------------------------------


class AgentConfig(ServerModel):
    """The Foundry agent serving an agent-mode session (``ResponseSession.agent``)."""

    type: Literal["agent"] = "agent"
    """Always ``"agent"``."""
    name: str | None = None
    """Agent name."""
    description: str | None = None
    """Agent description."""
    agent_id: str | None = None
    """Agent id."""
    thread_id: str | None = None
    """Conversation thread id."""


class SessionBase(VoiceLiveModel):
    """Marker base of session models (no fields; kept for parity with the official SDK)."""


class _SessionFields(SessionBase):
    """Fields shared by :class:`RequestSession` and :class:`ResponseSession` (private)."""

    model: str | None = None
    """Model deployment, e.g. ``"gpt-realtime"`` (cannot change once the session started)."""
    modalities: list[_ModalityT] | None = None
    """Output modalities (default ``["text", "audio"]``; add ``"avatar"`` / ``"animation"``)."""
    animation: Animation | None = None
    """Animation output configuration."""
    voice: Voice | None = None
    """Output voice: a name or a voice object (cannot change once audio was produced)."""
    instructions: str | None = None
    """System instructions for the model."""
    input_audio_sampling_rate: int | None = None
    """Input sample rate in Hz: 16000 or 24000 (default) for pcm16, 8000 for G.711."""
    input_audio_format: _InputAudioFormatT | None = None
    """Input audio format (default ``"pcm16"``)."""
    output_audio_format: _OutputAudioFormatT | None = None
    """Output audio format (default ``"pcm16"``); legacy ``pcm16-8000hz`` is normalized."""
    turn_detection: TurnDetectionUnion | None = None
    """Turn detection; ``None`` disables VAD (manual commits)."""
    input_audio_noise_reduction: AudioNoiseReduction | None = None
    """Input noise reduction; ``None`` disables it."""
    input_audio_echo_cancellation: AudioEchoCancellation | None = None
    """Server echo cancellation; ``None`` disables it."""
    avatar: AvatarConfig | None = None
    """Avatar configuration."""
    input_audio_transcription: AudioInputTranscriptionOptions | None = None
    """Input audio transcription; ``None`` disables it."""
    output_audio_timestamp_types: list[_AudioTimestampTypeT] | None = None
    """Timestamps to stream with output audio (``["word"]``)."""
    tools: list[ToolUnion] | None = None
    """Tools the model may call."""
    tool_choice: ToolChoice | None = None
    """How the model chooses tools (default ``"auto"``)."""
    parallel_tool_calls: bool | None = None
    """Allow several tool calls at once (default true)."""
    temperature: float | None = None
    """Sampling temperature, 0.6-1.2 (default 0.8)."""
    max_response_output_tokens: _MaxTokens | None = None
    """Token limit per response, 1-4096 or ``"inf"`` (default)."""
    reasoning_effort: _ReasoningEffortT | None = None
    """Reasoning effort of reasoning models."""
    interim_response: InterimResponseConfig | None = None
    """Interim ("filler") responses while the real one is slow."""
    include: list[_SessionIncludeOptionT] | None = None
    """Extra data to include in server events."""
    metadata: dict[str, str] | None = None
    """Up to 16 key/value pairs (keys <= 64 chars, values <= 512 chars)."""


class RequestSession(_SessionFields):
    """Payload of ``session.update``: only the keys you set are sent and changed.

    A key explicitly set to ``None`` is sent as JSON ``null`` (``turn_detection=None`` turns
    VAD off); keys never set are omitted.
    """


class ResponseSession(_SessionFields, ServerModel):
    """The effective session configuration (``session.created`` / ``session.updated``).

    Same keys as :class:`RequestSession` plus server-set ones; unknown keys are kept.
    """

    model_config = ConfigDict(extra="allow")

    agent: AgentConfig | None = None
    """The agent serving an agent-mode session."""
    id: str | None = None
    """Session id."""
    expires_at: _UnixTime | None = None
    """When the session expires (wire: integer Unix seconds; here an aware UTC datetime)."""
    object: str | None = None
    """Object type, ``"realtime.session"``."""
