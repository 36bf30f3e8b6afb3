"""Every server event type decodes from a realistic frame into its class, losslessly."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from voicelive.models import (
    SERVER_EVENT_ADAPTER,
    SERVER_EVENT_CLASSES,
    AzureSemanticDetection,
    AzureStandardVoice,
    FunctionTool,
    InvalidServerEvent,
    MCPServer,
    RequestAudioContentPart,
    ResponseAudioContentPart,
    ResponseCancelledDetails,
    ResponseFunctionCallItem,
    ResponseMCPListToolItem,
    ResponseMessageItem,
    ResponseTextContentPart,
    ServerEventBase,
    ServerEventConversationItemCreated,
    ServerEventConversationItemInputAudioTranscriptionCompleted,
    ServerEventError,
    ServerEventResponseAudioDelta,
    ServerEventResponseAudioTranscriptDelta,
    ServerEventResponseDone,
    ServerEventResponseVideoDelta,
    ServerEventSessionCreated,
    ServerEventSessionUpdated,
    ServerEventType,
    ServerVad,
    UnknownContentPart,
    UnknownResponseItem,
    UnknownServerEvent,
    UnknownTool,
    UnknownTurnDetection,
)

AUDIO = bytes(range(256)) * 3
AUDIO_B64 = base64.b64encode(AUDIO).decode()
VIDEO = b"\x00\x00\x00\x01gd\x00\x1f" * 8
VIDEO_B64 = base64.b64encode(VIDEO).decode()

STD = {"response_id": "resp_001", "item_id": "item_002", "output_index": 0, "content_index": 0}
SEARCH = {"response_id": "resp_001", "item_id": "ws_003", "output_index": 1, "sequence_number": 4}

SESSION = {
    "object": "realtime.session",
    "id": "sess_001",
    "model": "gpt-realtime",
    "modalities": ["text", "audio"],
    "instructions": "You are a helpful assistant.",
    "voice": {
        "type": "azure-standard",
        "name": "en-US-Ava:DragonHDLatestNeural",
        "temperature": 0.8,
    },
    "input_audio_format": "pcm16",
    "input_audio_sampling_rate": 24000,
    "output_audio_format": "pcm16",
    "input_audio_noise_reduction": {"type": "azure_deep_noise_suppression"},
    "input_audio_echo_cancellation": {"type": "server_echo_cancellation"},
    "input_audio_transcription": {"model": "azure-speech", "language": "en-US"},
    "turn_detection": {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 500,
        "end_of_utterance_detection": {"model": "semantic_detection_v1", "timeout_ms": 1000},
        "create_response": True,
        "interrupt_response": True,
    },
    "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}],
    "tool_choice": "auto",
    "temperature": 0.8,
    "max_response_output_tokens": "inf",
    "expires_at": 1767225600,
    "agent": {"type": "agent", "name": "helper", "agent_id": "asst_1", "thread_id": "thread_1"},
}

RESPONSE_DONE = {
    "object": "realtime.response",
    "id": "resp_001",
    "status": "cancelled",
    "status_details": {"type": "cancelled", "reason": "turn_detected"},
    "output": [
        {
            "id": "item_002",
            "object": "realtime.item",
            "type": "message",
            "status": "incomplete",
            "role": "assistant",
            "content": [{"type": "audio", "transcript": "Sure, the weather in"}],
        },
        {
            "id": "item_003",
            "object": "realtime.item",
            "type": "function_call",
            "status": "completed",
            "name": "get_weather",
            "call_id": "call_1",
            "arguments": '{"city": "Paris"}',
        },
    ],
    "usage": {
        "total_tokens": 253,
        "input_tokens": 132,
        "output_tokens": 121,
        "input_token_details": {
            "cached_tokens": 64,
            "text_tokens": 119,
            "audio_tokens": 13,
            "image_tokens": 0,
            "cached_tokens_details": {"text_tokens": 64, "audio_tokens": 0, "image_tokens": 0},
        },
        "output_token_details": {"text_tokens": 30, "audio_tokens": 91},
    },
    "conversation_id": "conv_001",
    "voice": "alloy",
    "modalities": ["text", "audio"],
    "output_audio_format": "pcm16",
    "temperature": 0.8,
    "max_output_tokens": 4096,
    "metadata": {"topic": "weather"},
}

USER_ITEM = {
    "id": "item_001",
    "object": "realtime.item",
    "type": "message",
    "status": "completed",
    "role": "user",
    "content": [{"type": "input_audio", "audio": AUDIO_B64, "transcript": "hello"}],
}

# One realistic frame per wire type (event_id added below).
FRAMES: dict[str, dict[str, Any]] = {
    "error": {
        "error": {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Invalid value for 'voice'.",
            "param": "session.voice",
            "event_id": "client_evt_1",
        }
    },
    "warning": {"warning": {"message": "Voice cannot change after audio.", "code": "voice_locked"}},
    "session.created": {"session": SESSION},
    "session.updated": {"session": {**SESSION, "turn_detection": None}},
    "session.avatar.connecting": {"server_sdp": "djA9MApvPS0gMTIzIDIgSU4gSVA0IDEyNy4wLjAuMQ=="},
    "session.avatar.switch_to_speaking": {"turn_id": "turn_1"},
    "session.avatar.switch_to_idle": {"turn_id": "turn_1"},
    "input_audio_buffer.committed": {"previous_item_id": "item_000", "item_id": "item_001"},
    "input_audio_buffer.cleared": {},
    "input_audio_buffer.speech_started": {"audio_start_ms": 1000, "item_id": "item_001"},
    "input_audio_buffer.speech_stopped": {"audio_end_ms": 2400, "item_id": "item_001"},
    "conversation.item.created": {"previous_item_id": "item_000", "item": USER_ITEM},
    "conversation.item.retrieved": {"item": USER_ITEM},
    "conversation.item.truncated": {
        "item_id": "item_002",
        "content_index": 0,
        "audio_end_ms": 1500,
    },
    "conversation.item.deleted": {"item_id": "item_002"},
    "conversation.item.input_audio_transcription.completed": {
        "item_id": "item_001",
        "content_index": 0,
        "transcript": "What's the weather in Paris?",
        "logprobs": [{"token": "What", "logprob": -0.01, "bytes": [87, 104, 97, 116]}],
        "phrases": [
            {
                "offset_milliseconds": 0,
                "duration_milliseconds": 1200,
                "text": "What's the weather in Paris?",
                "words": [
                    {"text": "What's", "offset_milliseconds": 0, "duration_milliseconds": 200}
                ],
                "locale": "en-US",
                "confidence": 0.93,
            }
        ],
    },
    "conversation.item.input_audio_transcription.delta": {
        "item_id": "item_001",
        "content_index": 0,
        "delta": "What's",
        "logprobs": [{"token": "What", "logprob": -0.01}],
    },
    "conversation.item.input_audio_transcription.failed": {
        "item_id": "item_001",
        "content_index": 0,
        "error": {"type": "transcription_error", "code": "audio_unintelligible", "message": "x"},
    },
    "response.created": {
        "response": {
            "object": "realtime.response",
            "id": "resp_001",
            "status": "in_progress",
            "status_details": None,
            "output": [],
            "usage": None,
        }
    },
    "response.done": {"response": RESPONSE_DONE},
    "response.output_item.added": {
        "response_id": "resp_001",
        "output_index": 0,
        "item": {
            "id": "item_002",
            "type": "message",
            "status": "in_progress",
            "role": "assistant",
            "content": [],
        },
    },
    "response.output_item.done": {
        "response_id": "resp_001",
        "output_index": 0,
        "item": {
            "id": "item_002",
            "type": "message",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "audio", "transcript": "It is sunny."}],
        },
    },
    "response.content_part.added": {**STD, "part": {"type": "audio", "transcript": ""}},
    "response.content_part.done": {**STD, "part": {"type": "text", "text": "It is sunny."}},
    "response.text.delta": {**STD, "delta": "It is"},
    "response.text.done": {**STD, "text": "It is sunny."},
    "response.audio_transcript.delta": {**STD, "delta": "It is"},
    "response.audio_transcript.done": {**STD, "transcript": "It is sunny."},
    "response.audio.delta": {**STD, "delta": AUDIO_B64},
    "response.audio.done": {**STD},
    "response.audio_transcript.annotation.added": {
        **STD,
        "annotation_index": 0,
        "annotation": {"type": "url_citation", "url": "https://example.com", "title": "Weather"},
    },
    "response.animation_blendshapes.delta": {
        **STD,
        "frames": [[0.0, 0.25, 0.5], [0.1, 0.2, 0.3]],
        "frame_index": 0,
    },
    "response.animation_blendshapes.done": {
        "response_id": "resp_001",
        "item_id": "item_002",
        "output_index": 0,
    },
    "response.animation_viseme.delta": {**STD, "audio_offset_ms": 120, "viseme_id": 7},
    "response.animation_viseme.done": {**STD},
    "response.audio_timestamp.delta": {
        **STD,
        "audio_offset_ms": 0,
        "audio_duration_ms": 250,
        "text": "It",
        "timestamp_type": "word",
    },
    "response.audio_timestamp.done": {**STD},
    "response.video.delta": {"output_index": 0, "codec": "h264", "delta": VIDEO_B64},
    "output_audio_buffer.cleared": {},
    "response.invocation.delta": {"delta": {"type": "progress", "percent": 50}},
    "response.function_call_arguments.delta": {
        "response_id": "resp_001",
        "item_id": "item_003",
        "output_index": 1,
        "call_id": "call_1",
        "delta": '{"city":',
    },
    "response.function_call_arguments.done": {
        "response_id": "resp_001",
        "item_id": "item_003",
        "output_index": 1,
        "call_id": "call_1",
        "arguments": '{"city": "Paris"}',
        "name": "get_weather",
    },
    "mcp_list_tools.in_progress": {"item_id": "mcp_list_1"},
    "mcp_list_tools.completed": {"item_id": "mcp_list_1"},
    "mcp_list_tools.failed": {"item_id": "mcp_list_1"},
    "response.mcp_call_arguments.delta": {
        "delta": '{"q":',
        "item_id": "mcp_1",
        "response_id": "resp_001",
        "output_index": 0,
        "obfuscation": "xk3",
    },
    "response.mcp_call_arguments.done": {
        "item_id": "mcp_1",
        "response_id": "resp_001",
        "output_index": 0,
        "arguments": '{"q": "docs"}',
    },
    "response.mcp_call.in_progress": {"item_id": "mcp_1", "output_index": 0},
    "response.mcp_call.completed": {"item_id": "mcp_1", "output_index": 0},
    "response.mcp_call.failed": {"item_id": "mcp_1", "output_index": 0},
    "response.web_search_call.searching": {**SEARCH},
    "response.web_search_call.in_progress": {**SEARCH},
    "response.web_search_call.completed": {**SEARCH},
    "response.file_search_call.searching": {**SEARCH, "item_id": "fs_004"},
    "response.file_search_call.in_progress": {**SEARCH, "item_id": "fs_004"},
    "response.file_search_call.completed": {**SEARCH, "item_id": "fs_004"},
    # Documented but not modeled by SDK 1.3.1 (PROTOCOL.md §4.9).
    "rate_limits.updated": {
        "rate_limits": [
            {"name": "requests", "limit": 1000, "remaining": 999, "reset_seconds": 60},
            {"name": "tokens", "limit": 50000, "remaining": 49950, "reset_seconds": 1.5},
        ]
    },
    "response.foundry_agent_call_arguments.delta": {
        "response_id": "resp_001",
        "item_id": "fa_1",
        "output_index": 0,
        "delta": '{"ask":',
    },
    "response.foundry_agent_call_arguments.done": {
        "response_id": "resp_001",
        "item_id": "fa_1",
        "output_index": 0,
        "arguments": '{"ask": "status"}',
    },
    "response.foundry_agent_call.in_progress": {"item_id": "fa_1", "output_index": 0},
    "response.foundry_agent_call.completed": {
        "item_id": "fa_1",
        "agent_response_id": "aresp_1",
        "output_index": 0,
    },
    "response.foundry_agent_call.failed": {"item_id": "fa_1", "output_index": 0},
    "output_audio_buffer.started": {"response_id": "resp_001"},
    "output_audio_buffer.stopped": {"response_id": "resp_001"},
    "rtc.call.sdp.created": {"rtc_call_id": "rtc_1", "sdp_answer": "v=0\r\n"},
    "rtc.call.error": {
        "operation": "sdp_create",
        "rtc_call_id": "rtc_1",
        "error": {"type": "server_error", "code": "ice_failed", "message": "ICE failed"},
    },
    "realtime.call.incoming": {
        "call_id": "call_1",
        "chain_id": "chain_1",
        "state": "WaitingForCustomer",
    },
    "realtime.call.connected": {"call_id": "call_1", "chain_id": "chain_1", "state": "Connected"},
    "realtime.call.disconnected": {
        "call_id": "call_1",
        "chain_id": "chain_1",
        "state": "Disconnected",
        "terminal_reason": "CustomerHangup",
    },
    "realtime.call.failed": {
        "call_id": "call_1",
        "chain_id": "chain_1",
        "state": "Failed",
        "terminal_reason": "SetupFailure",
        "error_code": "media_setup_timeout",
    },
    "realtime.call.transfer.succeeded": {
        "call_id": "call_1",
        "transfer_id": "xfer_1",
        "state": "succeeded",
        "sip_code": 202,
    },
    "realtime.call.transfer.failed": {
        "call_id": "call_1",
        "transfer_id": "xfer_1",
        "state": "failed",
        "sip_code": 486,
        "reason": "Busy Here",
    },
    "conversation.created": {"conversation": {"id": "conv_001", "object": "realtime.conversation"}},
    "conversation.item.added": {"previous_item_id": None, "item": USER_ITEM},
    "conversation.item.done": {"previous_item_id": "item_000", "item": USER_ITEM},
    "input_audio_buffer.timeout_triggered": {
        "audio_start_ms": 13216,
        "audio_end_ms": 19232,
        "item_id": "item_009",
    },
    "conversation.item.input_audio_transcription.segment": {
        "item_id": "item_001",
        "content_index": 0,
        "text": "hello",
        "id": "seg_0001",
        "speaker": "spk_1",
        "start": 0.0,
        "end": 0.4,
    },
    "transcription_session.created": {
        "session": {"id": "sess_t", "input_audio_transcription": {"model": "gpt-4o-transcribe"}}
    },
    "transcription_session.updated": {"session": {"id": "sess_t", "include": []}},
}


def frame(wire_type: str) -> dict[str, Any]:
    return {
        "type": wire_type,
        "event_id": f"event_{abs(hash(wire_type)) % 10000}",
        **FRAMES[wire_type],
    }


def decode(payload: dict[str, Any]) -> ServerEventBase:
    result: ServerEventBase = SERVER_EVENT_ADAPTER.validate_json(json.dumps(payload), extra="allow")
    return result


def test_every_modeled_type_has_a_sample_and_vice_versa() -> None:
    assert set(FRAMES) == set(SERVER_EVENT_CLASSES)


def test_counts() -> None:
    assert len(SERVER_EVENT_CLASSES) == 56 + 17 + 6  # + SIP call events (2026-07-31-preview)
    assert {m.value for m in ServerEventType} <= set(SERVER_EVENT_CLASSES)
    assert "response.cancelled" not in SERVER_EVENT_CLASSES


@pytest.mark.parametrize("wire_type", sorted(FRAMES))
def test_decodes_to_its_class_losslessly(wire_type: str) -> None:
    payload = frame(wire_type)
    event = decode(payload)
    assert type(event) is SERVER_EVENT_CLASSES[wire_type]
    assert event.type == wire_type
    assert event.event_id == payload["event_id"]
    # Every key survives and re-serializes to the same JSON value (bytes back to base64).
    assert json.loads(event.to_wire_json()) == payload


@pytest.mark.parametrize("wire_type", sorted(FRAMES))
def test_unknown_top_level_keys_are_kept(wire_type: str) -> None:
    payload = {**frame(wire_type), "x_new_field": {"a": [1, 2]}}
    event = decode(payload)
    assert event.model_extra == {"x_new_field": {"a": [1, 2]}}
    assert json.loads(event.to_wire_json()) == payload


@pytest.mark.parametrize("wire_type", sorted(FRAMES))
def test_each_class_also_validates_its_frame_directly(wire_type: str) -> None:
    cls = SERVER_EVENT_CLASSES[wire_type]
    event = cls.model_validate_json(json.dumps(frame(wire_type)))
    assert type(event) is cls


def test_audio_delta_is_bytes() -> None:
    event = decode(frame("response.audio.delta"))
    assert isinstance(event, ServerEventResponseAudioDelta)
    assert event.delta == AUDIO
    assert (event.response_id, event.item_id, event.output_index, event.content_index) == (
        "resp_001",
        "item_002",
        0,
        0,
    )


def test_audio_delta_invalid_base64_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        decode({**frame("response.audio.delta"), "delta": "not base64!"})
    assert info.value.errors()[0]["loc"][-1] == "delta"


def test_audio_delta_missing_required_field_is_a_validation_error() -> None:
    payload = frame("response.audio.delta")
    del payload["item_id"]
    with pytest.raises(ValidationError):
        decode(payload)


def test_transcript_delta_and_video_delta() -> None:
    event = decode(frame("response.audio_transcript.delta"))
    assert isinstance(event, ServerEventResponseAudioTranscriptDelta)
    assert event.delta == "It is"
    video = decode(frame("response.video.delta"))
    assert isinstance(video, ServerEventResponseVideoDelta)
    assert video.delta == VIDEO
    assert video.codec == "h264"


def test_session_created_values() -> None:
    event = decode(frame("session.created"))
    assert isinstance(event, ServerEventSessionCreated)
    session = event.session
    assert session.id == "sess_001"
    assert session.expires_at == datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert session.expires_at.tzinfo is timezone.utc
    assert isinstance(session.voice, AzureStandardVoice)
    assert session.voice.name == "en-US-Ava:DragonHDLatestNeural"
    assert isinstance(session.turn_detection, ServerVad)
    assert isinstance(session.turn_detection.end_of_utterance_detection, AzureSemanticDetection)
    assert session.tools is not None
    assert isinstance(session.tools[0], FunctionTool)
    assert session.max_response_output_tokens == "inf"
    assert session.agent is not None
    assert session.agent.agent_id == "asst_1"
    assert session.object == "realtime.session"


def test_session_updated_turn_detection_null() -> None:
    event = decode(frame("session.updated"))
    assert isinstance(event, ServerEventSessionUpdated)
    assert event.session.turn_detection is None
    assert "turn_detection" in event.session.model_fields_set


def test_response_done_values() -> None:
    event = decode(frame("response.done"))
    assert isinstance(event, ServerEventResponseDone)
    response = event.response
    assert response.status == "cancelled"
    assert isinstance(response.status_details, ResponseCancelledDetails)
    assert response.status_details.reason == "turn_detected"
    assert response.output is not None
    message, call = response.output
    assert isinstance(message, ResponseMessageItem)
    assert message.content is not None
    assert isinstance(message.content[0], ResponseAudioContentPart)
    assert message.content[0].transcript == "Sure, the weather in"
    assert isinstance(call, ResponseFunctionCallItem)
    assert call.arguments == '{"city": "Paris"}'
    assert response.usage is not None
    assert response.usage.input_token_details is not None
    assert response.usage.input_token_details.cached_tokens_details is not None
    assert response.usage.input_token_details.cached_tokens_details.text_tokens == 64
    assert response.usage.output_token_details is not None
    assert response.usage.output_token_details.reasoning_tokens is None
    assert response.max_output_tokens == 4096


def test_item_audio_content_is_bytes() -> None:
    event = decode(frame("conversation.item.created"))
    assert isinstance(event, ServerEventConversationItemCreated)
    assert isinstance(event.item, ResponseMessageItem)
    assert event.item.content is not None
    part = event.item.content[0]
    assert isinstance(part, RequestAudioContentPart)
    assert part.audio == AUDIO


def test_transcription_completed_values() -> None:
    event = decode(frame("conversation.item.input_audio_transcription.completed"))
    assert isinstance(event, ServerEventConversationItemInputAudioTranscriptionCompleted)
    assert event.logprobs is not None
    assert event.logprobs[0].bytes == [87, 104, 97, 116]
    assert event.phrases is not None
    assert event.phrases[0].words is not None
    assert event.phrases[0].words[0].duration_milliseconds == 200


def test_unknown_nested_keys_are_kept() -> None:
    payload = frame("session.created")
    payload["session"] = {
        **SESSION,
        "tracing": None,
        "turn_detection": {**SESSION["turn_detection"], "idle_timeout_ms": 5000},
        "voice": {**SESSION["voice"], "new_knob": 1},
    }
    event = decode(payload)
    assert isinstance(event, ServerEventSessionCreated)
    assert event.session.model_extra == {"tracing": None}
    assert isinstance(event.session.turn_detection, ServerVad)
    assert event.session.turn_detection.model_extra == {"idle_timeout_ms": 5000}
    assert isinstance(event.session.voice, AzureStandardVoice)
    assert event.session.voice.model_extra == {"new_knob": 1}

    done = frame("response.done")
    done["response"] = {**RESPONSE_DONE, "audio": {"output": {"voice": "alloy"}}}
    done["response"]["usage"] = {**RESPONSE_DONE["usage"], "type": "tokens"}
    event2 = decode(done)
    assert isinstance(event2, ServerEventResponseDone)
    assert event2.response.model_extra == {"audio": {"output": {"voice": "alloy"}}}
    assert event2.response.usage is not None
    assert event2.response.usage.model_extra == {"type": "tokens"}


def test_unknown_nested_variants_fall_back_without_loss() -> None:
    payload = frame("session.created")
    payload["session"] = {
        **SESSION,
        "turn_detection": {"type": "future_vad", "knob": 3},
        "tools": [{"type": "code_interpreter", "container": "auto"}, SESSION["tools"][0]],
    }
    event = decode(payload)
    assert isinstance(event, ServerEventSessionCreated)
    assert isinstance(event.session.turn_detection, UnknownTurnDetection)
    assert event.session.turn_detection.type == "future_vad"
    assert event.session.turn_detection.model_extra == {"knob": 3}
    assert event.session.tools is not None
    assert isinstance(event.session.tools[0], UnknownTool)
    assert isinstance(event.session.tools[1], FunctionTool)

    item_payload = {
        **frame("conversation.item.created"),
        "item": {
            "id": "x1",
            "type": "computer_call",
            "action": {"click": [1, 2]},
        },
    }
    item_event = decode(item_payload)
    assert isinstance(item_event, ServerEventConversationItemCreated)
    assert isinstance(item_event.item, UnknownResponseItem)
    assert item_event.item.model_extra == {"action": {"click": [1, 2]}}
    assert json.loads(item_event.to_wire_json()) == item_payload

    part_payload = {
        **frame("response.output_item.done"),
        "item": {
            "id": "item_002",
            "type": "message",
            "role": "assistant",
            "content": [
                {"type": "output_audio", "transcript": "hi"},
                {"type": "text", "text": "t"},
            ],
        },
    }
    part_event = decode(part_payload)
    assert isinstance(part_event.item, ResponseMessageItem)  # type: ignore[attr-defined]
    content = part_event.item.content  # type: ignore[attr-defined]
    assert isinstance(content[0], UnknownContentPart)
    assert content[0].type == "output_audio"
    assert isinstance(content[1], ResponseTextContentPart)


def test_nested_server_models_are_tolerant() -> None:
    payload = {
        "type": "response.done",
        "response": {
            "id": "resp_1",
            "output": [
                {"type": "mcp_list_tools", "server_label": "docs", "tools": [{"name": "search"}]},
                {"type": "function_call"},
            ],
            "usage": {"total_tokens": 3, "input_token_details": {"text_tokens": 1}},
            "status_details": {"type": "failed"},
        },
    }
    event = decode(payload)
    assert isinstance(event, ServerEventResponseDone)
    assert event.response.output is not None
    assert isinstance(event.response.output[0], ResponseMCPListToolItem)
    assert isinstance(event.response.output[1], ResponseFunctionCallItem)
    assert event.response.output[1].name is None

    error = decode({"type": "error", "error": {"message": "oops"}})
    assert isinstance(error, ServerEventError)
    assert error.error.type is None
    assert error.error.message == "oops"


def test_session_mcp_tool_and_response_audio_part_audio() -> None:
    payload = frame("session.updated")
    payload["session"] = {
        "tools": [
            {
                "type": "mcp",
                "server_label": "docs",
                "server_url": "https://mcp",
                "require_approval": {"never": ["search"]},
            }
        ]
    }
    event = decode(payload)
    tools = event.session.tools  # type: ignore[attr-defined]
    assert isinstance(tools[0], MCPServer)
    assert tools[0].require_approval == {"never": ["search"]}

    part = decode(
        {**frame("response.content_part.done"), "part": {"type": "audio", "audio": AUDIO_B64}}
    )
    assert part.part.audio == AUDIO  # type: ignore[attr-defined]


def test_library_made_events() -> None:
    unknown = UnknownServerEvent(raw_type="brand.new", raw={"type": "brand.new", "x": 1})
    assert unknown.type == "voicelive.unknown"
    assert json.loads(unknown.to_wire_json()) == {
        "type": "voicelive.unknown",
        "raw_type": "brand.new",
        "raw": {"type": "brand.new", "x": 1},
    }
    assert UnknownServerEvent(raw={}).raw_type is None

    try:
        decode({"type": "response.audio.delta", "delta": "AAAA"})
    except ValidationError as exc:
        invalid = InvalidServerEvent(
            raw_type="response.audio.delta",
            raw={"type": "response.audio.delta", "delta": "AAAA"},
            error=str(exc),
            errors=exc.errors(include_url=False),
        )
    assert invalid.type == "voicelive.invalid"
    assert len(invalid.errors) == 4
    json.loads(invalid.to_wire_json())

    # Both are members of the union but are never selected for a wire type.
    assert "voicelive.unknown" not in SERVER_EVENT_CLASSES
    assert isinstance(decode({"type": "voicelive.unknown", "raw": {}}), UnknownServerEvent)


def test_unknown_wire_type_is_rejected_by_the_adapter() -> None:
    # The decoder turns this into UnknownServerEvent; the adapter itself refuses it.
    with pytest.raises(ValidationError):
        decode({"type": "response.output_audio.delta", "delta": "AAAA"})


def test_server_events_construct_with_constant_type() -> None:
    event = ServerEventResponseAudioDelta(
        response_id="r", item_id="i", output_index=0, content_index=0, delta=b"\x01\x02"
    )
    assert json.loads(event.to_wire_json()) == {
        "type": "response.audio.delta",
        "response_id": "r",
        "item_id": "i",
        "output_index": 0,
        "content_index": 0,
        "delta": "AQI=",
    }


def test_sip_call_events_decode_their_enums() -> None:
    from voicelive.models import (
        ServerEventRealtimeCallFailed,
        ServerEventRealtimeCallTransferFailed,
        SipCallState,
        SipCallTerminalReason,
        SipTransferState,
    )

    failed = decode(frame("realtime.call.failed"))
    assert isinstance(failed, ServerEventRealtimeCallFailed)
    assert failed.state is SipCallState.FAILED
    assert failed.terminal_reason is SipCallTerminalReason.SETUP_FAILURE
    transfer = decode(frame("realtime.call.transfer.failed"))
    assert isinstance(transfer, ServerEventRealtimeCallTransferFailed)
    assert transfer.state is SipTransferState.FAILED
    assert (transfer.sip_code, transfer.reason) == (486, "Busy Here")
    # a state the service adds later stays a plain string
    later = decode({**frame("realtime.call.connected"), "state": "OnHold"})
    assert later.state == "OnHold"
