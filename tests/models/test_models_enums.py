"""Enums: official names, PROTOCOL.md §6 values, case-insensitive lookup."""

from __future__ import annotations

from enum import Enum

import pytest
from azure.core import CaseInsensitiveEnumMeta

import voicelive.models as m
from voicelive.models import (
    ClientEventType,
    InputAudioFormat,
    OutputAudioFormat,
    PersonalVoiceModels,
    PhotoAvatarBaseModes,
    ServerEventType,
)

# PROTOCOL.md §6, values as listed there (plus our documented additions, marked).
EXPECTED: dict[str, set[str]] = {
    "AnimationOutputType": {"blendshapes", "viseme_id"},
    "AudioTimestampType": {"word"},
    "AvatarConfigTypes": {"video-avatar", "photo-avatar"},
    "AvatarOutputProtocol": {"webrtc", "websocket"},
    "AzureRealtimeNativeVoiceName": {
        "aarti", "andrew", "ava", "denise", "diya", "elsa", "florian", "francisca", "meera",
        "xiaoxiao", "yunxi", "ximena",
    },
    "AzureVoiceType": {"azure-custom", "azure-standard", "azure-personal", "avatar-voice-sync"},
    "ClientEventType": {
        "session.update", "input_audio_buffer.append", "input_audio_buffer.commit",
        "input_audio_buffer.clear", "input_audio.turn.start", "input_audio.turn.append",
        "input_audio.turn.end", "input_audio.turn.cancel", "input_audio.clear",
        "conversation.item.create", "conversation.item.retrieve", "conversation.item.truncate",
        "conversation.item.delete", "response.create", "response.cancel",
        "session.avatar.connect", "mcp_approval_response", "output_audio_buffer.clear",
        "input_text.delta", "input_text.done",
        "transcription_session.update", "rtc.call.sdp.create",  # modeled client events
    },
    "ContentPartType": {"input_text", "input_audio", "input_image", "text", "audio"},
    "EchoCancellationReferenceSource": {"server", "client"},
    "EouThresholdLevel": {"low", "medium", "high", "default"},
    "InputAudioFormat": {"pcm16", "g711_ulaw", "g711_alaw"},
    "InterimResponseConfigType": {"static_interim_response", "llm_interim_response"},
    "InterimResponseTrigger": {"latency", "tool"},
    "ItemParamStatus": {"completed", "incomplete"},
    "ItemType": {
        "message", "function_call", "function_call_output", "mcp_list_tools", "mcp_call",
        "mcp_approval_request", "mcp_approval_response", "web_search_call", "file_search_call",
        "foundry_agent_call",  # documented addition
    },
    "MCPApprovalType": {"never", "always"},
    "MessageRole": {"system", "user", "assistant"},
    "Modality": {"text", "audio", "animation", "avatar"},
    "OpenAIVoiceName": {
        "alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar",
    },
    "OAIVoice": {  # 2026-07-31-preview name of OpenAIVoiceName
        "alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar",
    },
    "SipCallState": {
        "WaitingForCustomer", "Accepting", "Accepted", "Connected", "Rejecting", "Transferring",
        "Terminating", "Disconnected", "Failed", "Expired",
    },
    "SipCallTerminalReason": {
        "Rejected", "CustomerHangup", "SipProxyTerminate", "DecisionTimeout", "SetupFailure",
        "TransferSucceeded", "RuntimeError",
    },
    "SipTransferState": {"trying", "succeeded", "failed"},
    "OutputAudioFormat": {"pcm16", "pcm16_8000hz", "pcm16_16000hz", "g711_ulaw", "g711_alaw"},
    "PersonalVoiceModels": {
        "DragonLatestNeural", "PhoenixLatestNeural", "PhoenixV2Neural",
        "DragonHDOmniLatestNeural", "MAI-Voice-1",
    },
    "PhotoAvatarBaseModes": {"vasa-1"},
    "ReasoningEffort": {"none", "minimal", "low", "medium", "high", "xhigh"},
    "RequestImageContentPartDetail": {"auto", "low", "high"},
    "ResponseItemStatus": {"in_progress", "completed", "incomplete"},
    "ResponseStatus": {"completed", "cancelled", "failed", "incomplete", "in_progress"},
    "SessionIncludeOption": {
        "item.input_audio_transcription.logprobs", "item.input_audio_transcription.phrases",
        "file_search_call.results",
    },
    "ToolChoiceLiteral": {"auto", "none", "required"},
    "ToolType": {"function", "mcp", "foundry_agent"},  # foundry_agent: documented addition
    "TurnDetectionType": {
        "server_vad", "azure_semantic_vad", "azure_semantic_vad_en",
        "azure_semantic_vad_multilingual",
        "semantic_vad",  # documented addition
    },
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_enum_values(name: str) -> None:
    enum_cls = getattr(m, name)
    assert issubclass(enum_cls, str)
    assert issubclass(enum_cls, Enum)
    assert isinstance(enum_cls, CaseInsensitiveEnumMeta)
    assert {member.value for member in enum_cls} == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_member_names_are_upper_snake_of_value(name: str) -> None:
    enum_cls = getattr(m, name)
    for member in enum_cls:
        assert member.name == member.name.upper()
        assert member == member.value
        # Case-insensitive lookup by value and by name.
        assert enum_cls(member.value.upper()) is member
        assert enum_cls(member.value.lower()) is member
        assert enum_cls[member.name.lower()] is member
        assert getattr(enum_cls, member.name.lower()) is member


def test_every_enum_is_checked() -> None:
    exported = {
        name
        for name in m.__all__
        if isinstance(getattr(m, name), type) and issubclass(getattr(m, name), Enum)
    }
    assert exported == set(EXPECTED) | {"ServerEventType"}
    assert len(exported) == 35
    assert m.OAIVoice is m.OpenAIVoiceName


SERVER_EVENT_TYPES = [
    "error",
    "warning",
    "session.avatar.connecting",
    "session.created",
    "session.updated",
    "conversation.item.input_audio_transcription.completed",
    "conversation.item.input_audio_transcription.delta",
    "conversation.item.input_audio_transcription.failed",
    "conversation.item.created",
    "conversation.item.retrieved",
    "conversation.item.truncated",
    "conversation.item.deleted",
    "input_audio_buffer.committed",
    "input_audio_buffer.cleared",
    "input_audio_buffer.speech_started",
    "input_audio_buffer.speech_stopped",
    "response.created",
    "response.done",
    "response.output_item.added",
    "response.output_item.done",
    "response.content_part.added",
    "response.content_part.done",
    "response.text.delta",
    "response.text.done",
    "response.audio_transcript.delta",
    "response.audio_transcript.done",
    "response.audio.delta",
    "response.audio.done",
    "response.animation_blendshapes.delta",
    "response.animation_blendshapes.done",
    "response.audio_timestamp.delta",
    "response.audio_timestamp.done",
    "response.animation_viseme.delta",
    "response.animation_viseme.done",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "mcp_list_tools.in_progress",
    "mcp_list_tools.completed",
    "mcp_list_tools.failed",
    "response.mcp_call_arguments.delta",
    "response.mcp_call_arguments.done",
    "response.mcp_call.in_progress",
    "response.mcp_call.completed",
    "response.mcp_call.failed",
    "session.avatar.switch_to_speaking",
    "session.avatar.switch_to_idle",
    "response.video.delta",
    "response.web_search_call.searching",
    "response.web_search_call.in_progress",
    "response.web_search_call.completed",
    "response.file_search_call.searching",
    "response.file_search_call.in_progress",
    "response.file_search_call.completed",
    "output_audio_buffer.cleared",
    "response.audio_transcript.annotation.added",
    "response.invocation.delta",
]


def test_server_event_type_has_the_sdk_56_members_and_names_them_alike() -> None:
    assert len(SERVER_EVENT_TYPES) == 56
    assert set(SERVER_EVENT_TYPES) <= {member.value for member in ServerEventType}
    for member in ServerEventType:
        assert member.name == member.value.upper().replace(".", "_")
    assert ServerEventType.RESPONSE_AUDIO_DELTA == "response.audio.delta"
    assert ServerEventType("RESPONSE.AUDIO.DELTA") is ServerEventType.RESPONSE_AUDIO_DELTA


def test_case_insensitive_lookup() -> None:
    assert InputAudioFormat("PCM16") is InputAudioFormat.PCM16
    assert InputAudioFormat["g711_ulaw"] is InputAudioFormat.G711_ULAW
    assert InputAudioFormat.pcm16 is InputAudioFormat.PCM16  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="opus"):
        InputAudioFormat("opus")


def test_output_format_legacy_and_aliases() -> None:
    assert OutputAudioFormat("pcm16-8000hz") is OutputAudioFormat.PCM16_8000HZ
    assert OutputAudioFormat("pcm16-16000hz") is OutputAudioFormat.PCM16_16000HZ
    assert OutputAudioFormat.PCM16_8000_HZ is OutputAudioFormat.PCM16_8000HZ
    assert OutputAudioFormat.PCM16_16000_HZ is OutputAudioFormat.PCM16_16000HZ
    assert len(OutputAudioFormat) == 5
    assert PersonalVoiceModels.MAI_VOICE_1 is PersonalVoiceModels.MAI_VOICE1
    assert PhotoAvatarBaseModes.VASA_1 is PhotoAvatarBaseModes.VASA1
    with pytest.raises(ValueError, match="pcm8"):
        OutputAudioFormat("pcm8")
    with pytest.raises(ValueError):
        OutputAudioFormat(8000)


def test_every_modeled_event_has_an_event_type_member() -> None:
    # Derived from the unions, so a new event class cannot be added without its member.
    assert {member.value for member in ServerEventType} == set(m.SERVER_EVENT_CLASSES)
    client_values = {member.value for member in ClientEventType}
    assert set(m.CLIENT_EVENT_CLASSES) <= client_values
    # The SDK's one extra value is an item type, not an event; kept for compatibility.
    assert client_values - set(m.CLIENT_EVENT_CLASSES) == {"mcp_approval_response"}
    assert ServerEventType.RESPONSE_FOUNDRY_AGENT_CALL_ARGUMENTS_DONE == (
        "response.foundry_agent_call_arguments.done"
    )
    assert ServerEventType.REALTIME_CALL_TRANSFER_FAILED == "realtime.call.transfer.failed"
