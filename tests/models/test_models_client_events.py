"""Client events: construction, exact wire JSON, strictness, null vs unset."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from pydantic import ValidationError

from voicelive.models import (
    CLIENT_EVENT_ADAPTER,
    CLIENT_EVENT_CLASSES,
    AssistantMessageItem,
    AzureSemanticVadMultilingual,
    ClientEventConversationItemCreate,
    ClientEventConversationItemTruncate,
    ClientEventInputAudioBufferAppend,
    ClientEventInputAudioTurnAppend,
    ClientEventResponseCreate,
    ClientEventSessionUpdate,
    ClientEventTranscriptionSessionUpdate,
    ClientEventType,
    FunctionCallOutputItem,
    FunctionTool,
    InputAudioContentPart,
    InputAudioFormat,
    InputTextContentPart,
    MessageItem,
    Modality,
    OutputAudioFormat,
    RequestSession,
    ResponseCreateParams,
    ServerVad,
    SystemMessageItem,
    UnknownConversationRequestItem,
    UserMessageItem,
    VoiceLiveModel,
)

# One wire example per client event: (kwargs, exact wire dict).
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "session.update": (
        {"session": {"instructions": "Be brief.", "voice": "alloy"}},
        {"type": "session.update", "session": {"instructions": "Be brief.", "voice": "alloy"}},
    ),
    "session.avatar.connect": (
        {"client_sdp": "djA9MA=="},
        {"type": "session.avatar.connect", "client_sdp": "djA9MA=="},
    ),
    "input_audio_buffer.append": (
        {"audio": "AAEC"},
        {"type": "input_audio_buffer.append", "audio": "AAEC"},
    ),
    "input_audio_buffer.commit": ({}, {"type": "input_audio_buffer.commit"}),
    "input_audio_buffer.clear": ({}, {"type": "input_audio_buffer.clear"}),
    "input_audio.turn.start": (
        {"turn_id": "t1"},
        {"type": "input_audio.turn.start", "turn_id": "t1"},
    ),
    "input_audio.turn.append": (
        {"turn_id": "t1", "audio": "AAEC"},
        {"type": "input_audio.turn.append", "turn_id": "t1", "audio": "AAEC"},
    ),
    "input_audio.turn.end": ({"turn_id": "t1"}, {"type": "input_audio.turn.end", "turn_id": "t1"}),
    "input_audio.turn.cancel": (
        {"turn_id": "t1"},
        {"type": "input_audio.turn.cancel", "turn_id": "t1"},
    ),
    "input_audio.clear": ({}, {"type": "input_audio.clear"}),
    "input_text.delta": (
        {"id": "item_1", "delta": "Hel", "content_index": 0},
        {"type": "input_text.delta", "id": "item_1", "delta": "Hel", "content_index": 0},
    ),
    "input_text.done": ({"id": "item_1"}, {"type": "input_text.done", "id": "item_1"}),
    "conversation.item.create": (
        {
            "previous_item_id": "root",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "Hi"}],
            },
        },
        {
            "type": "conversation.item.create",
            "previous_item_id": "root",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "Hi"}],
            },
        },
    ),
    "conversation.item.retrieve": (
        {"item_id": "item_1"},
        {"type": "conversation.item.retrieve", "item_id": "item_1"},
    ),
    "conversation.item.truncate": (
        {"item_id": "item_1", "content_index": 0, "audio_end_ms": 1500},
        {
            "type": "conversation.item.truncate",
            "item_id": "item_1",
            "content_index": 0,
            "audio_end_ms": 1500,
        },
    ),
    "conversation.item.delete": (
        {"item_id": "item_1"},
        {"type": "conversation.item.delete", "item_id": "item_1"},
    ),
    "response.create": (
        {
            "response": {"modalities": ["text"], "max_output_tokens": 200},
            "additional_instructions": "x",
        },
        {
            "type": "response.create",
            "response": {"modalities": ["text"], "max_output_tokens": 200},
            "additional_instructions": "x",
        },
    ),
    "response.cancel": ({}, {"type": "response.cancel"}),
    "output_audio_buffer.clear": ({}, {"type": "output_audio_buffer.clear"}),
    "transcription_session.update": (
        {"session": {"input_audio_transcription": {"model": "gpt-4o-transcribe"}}},
        {
            "type": "transcription_session.update",
            "session": {"input_audio_transcription": {"model": "gpt-4o-transcribe"}},
        },
    ),
    "rtc.call.sdp.create": (
        {"sdp_offer": "v=0", "session": {"voice": "alloy"}},
        {"type": "rtc.call.sdp.create", "sdp_offer": "v=0", "session": {"voice": "alloy"}},
    ),
}


def test_counts() -> None:
    assert set(CASES) == set(CLIENT_EVENT_CLASSES)
    assert len(CLIENT_EVENT_CLASSES) == 21
    modeled = set(CLIENT_EVENT_CLASSES)
    # Every SDK client type has a class except mcp_approval_response (an item, not an event).
    assert {m.value for m in ClientEventType} - modeled == {"mcp_approval_response"}


@pytest.mark.parametrize("wire_type", sorted(CASES))
def test_from_kwargs_dict_and_adapter(wire_type: str) -> None:
    kwargs, wire = CASES[wire_type]
    cls = CLIENT_EVENT_CLASSES[wire_type]
    from_kwargs = cls(**kwargs)
    assert json.loads(from_kwargs.to_wire_json()) == wire
    assert from_kwargs.to_wire_dict() == wire
    assert from_kwargs.as_dict() == wire
    from_dict = cls.model_validate(kwargs)
    assert from_dict.to_wire_dict() == wire
    from_adapter = CLIENT_EVENT_ADAPTER.validate_python(wire)
    assert type(from_adapter) is cls
    assert from_adapter.to_wire_dict() == wire
    from_json = CLIENT_EVENT_ADAPTER.validate_json(json.dumps(wire))
    assert from_json.to_wire_dict() == wire


@pytest.mark.parametrize("wire_type", sorted(CASES))
def test_event_id_round_trip(wire_type: str) -> None:
    kwargs, wire = CASES[wire_type]
    event = CLIENT_EVENT_CLASSES[wire_type](**kwargs, event_id="evt_7")
    assert event.to_wire_dict() == {**wire, "event_id": "evt_7"}


@pytest.mark.parametrize("wire_type", sorted(CASES))
def test_unknown_key_is_rejected_and_named(wire_type: str) -> None:
    kwargs, wire = CASES[wire_type]
    with pytest.raises(ValidationError) as info:
        CLIENT_EVENT_CLASSES[wire_type](**kwargs, typo_field=1)
    assert "typo_field" in str(info.value)
    with pytest.raises(ValidationError) as info2:
        CLIENT_EVENT_ADAPTER.validate_python({**wire, "typo_field": 1})
    assert info2.value.errors()[0]["loc"][-1] == "typo_field"


def test_constant_type_always_written_even_when_passed() -> None:
    event = ClientEventInputAudioBufferAppend(audio="AA==", type="input_audio_buffer.append")
    assert event.to_wire_dict()["type"] == "input_audio_buffer.append"
    with pytest.raises(ValidationError):
        ClientEventInputAudioBufferAppend(audio="AA==", type="session.update")  # type: ignore[arg-type]


def test_unknown_type_rejected_by_adapter() -> None:
    with pytest.raises(ValidationError):
        CLIENT_EVENT_ADAPTER.validate_python({"type": "session.updat", "session": {}})


def test_missing_required_field() -> None:
    with pytest.raises(ValidationError) as info:
        ClientEventConversationItemTruncate.model_validate({"item_id": "x", "content_index": 0})
    assert info.value.errors()[0]["loc"] == ("audio_end_ms",)


@pytest.mark.parametrize(
    "raw", [b"\x00\x01\x02\xff", bytearray(b"\x00\x01\x02\xff"), memoryview(b"\x00\x01\x02\xff")]
)
def test_audio_bytes_become_base64(raw: bytes | bytearray | memoryview) -> None:
    expected = base64.b64encode(bytes(raw)).decode()
    append = ClientEventInputAudioBufferAppend(audio=raw)  # type: ignore[arg-type]
    assert append.audio == expected
    assert append.to_wire_dict() == {"type": "input_audio_buffer.append", "audio": expected}
    turn = ClientEventInputAudioTurnAppend(turn_id="t", audio=raw)  # type: ignore[arg-type]
    assert turn.audio == expected
    part = InputAudioContentPart(audio=raw)  # type: ignore[arg-type]
    assert part.audio == expected


def test_audio_str_passes_through() -> None:
    assert ClientEventInputAudioBufferAppend(audio="QUJD").audio == "QUJD"
    with pytest.raises(ValidationError):
        ClientEventInputAudioBufferAppend(audio=123)  # type: ignore[arg-type]


def test_session_update_explicit_null_vs_unset() -> None:
    event = ClientEventSessionUpdate(session=RequestSession(turn_detection=None, instructions="x"))
    assert event.to_wire_json() == (
        '{"type":"session.update","session":{"instructions":"x","turn_detection":null}}'
    )
    from_dict = ClientEventSessionUpdate.model_validate({"session": {"turn_detection": None}})
    assert from_dict.to_wire_json() == '{"type":"session.update","session":{"turn_detection":null}}'
    nested = RequestSession.model_validate(
        {"turn_detection": None, "input_audio_transcription": None}
    )
    assert nested.to_wire_dict() == {"turn_detection": None, "input_audio_transcription": None}
    assert RequestSession().to_wire_dict() == {}
    from_adapter = CLIENT_EVENT_ADAPTER.validate_python(
        {"type": "session.update", "session": {"input_audio_noise_reduction": None}}
    )
    assert from_adapter.to_wire_dict() == {
        "type": "session.update",
        "session": {"input_audio_noise_reduction": None},
    }


def test_session_update_full_wire_json() -> None:
    session = RequestSession(
        modalities=[Modality.TEXT, "audio"],
        voice={"type": "azure-standard", "name": "en-US-AvaNeural", "rate": "+10%"},
        input_audio_format="G711_ULAW",
        output_audio_format="pcm16-16000hz",
        turn_detection=AzureSemanticVadMultilingual(
            languages=["en", "fr"], end_of_utterance_detection={"model": "semantic_detection_v1"}
        ),
        input_audio_echo_cancellation={},
        tools=[FunctionTool(name="lookup", parameters={"type": "object", "properties": {}})],
        tool_choice={"type": "function", "name": "lookup"},
        max_response_output_tokens="inf",
    )
    assert session.input_audio_format is InputAudioFormat.G711_ULAW
    assert session.output_audio_format is OutputAudioFormat.PCM16_16000HZ
    assert json.loads(ClientEventSessionUpdate(session=session).to_wire_json()) == {
        "type": "session.update",
        "session": {
            "modalities": ["text", "audio"],
            "voice": {"type": "azure-standard", "name": "en-US-AvaNeural", "rate": "+10%"},
            "input_audio_format": "g711_ulaw",
            "output_audio_format": "pcm16_16000hz",
            "turn_detection": {
                "type": "azure_semantic_vad_multilingual",
                "languages": ["en", "fr"],
                "end_of_utterance_detection": {"model": "semantic_detection_v1"},
            },
            "input_audio_echo_cancellation": {"type": "server_echo_cancellation"},
            "tools": [
                {
                    "type": "function",
                    "name": "lookup",
                    "parameters": {"type": "object", "properties": {}},
                }
            ],
            "tool_choice": {"type": "function", "name": "lookup"},
            "max_response_output_tokens": "inf",
        },
    }


def test_legacy_output_format_normalized() -> None:
    for legacy, member in [
        ("pcm16-8000hz", OutputAudioFormat.PCM16_8000HZ),
        ("pcm16-16000hz", OutputAudioFormat.PCM16_16000HZ),
        ("PCM16-8000HZ", OutputAudioFormat.PCM16_8000HZ),
    ]:
        session = RequestSession(output_audio_format=legacy)
        assert session.output_audio_format is member
        assert session.to_wire_dict() == {"output_audio_format": member.value}
        params = ResponseCreateParams(output_audio_format=legacy)
        assert params.to_wire_dict() == {"output_audio_format": member.value}


def test_open_enum_unknown_value_passes_through() -> None:
    session = RequestSession(
        input_audio_format="opus", modalities=["text", "hologram"], voice="nova2"
    )
    assert session.input_audio_format == "opus"
    assert type(session.input_audio_format) is str
    assert session.modalities == [Modality.TEXT, "hologram"]
    assert session.to_wire_dict() == {
        "input_audio_format": "opus",
        "modalities": ["text", "hologram"],
        "voice": "nova2",
    }


def test_nested_typos_are_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        RequestSession(turn_detection={"type": "server_vad", "treshold": 0.5})
    assert "treshold" in str(info.value)
    with pytest.raises(ValidationError):
        ClientEventConversationItemCreate(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "txt": "x"}],
            }
        )


def test_conversation_items_dispatch_on_type_and_role() -> None:
    create = ClientEventConversationItemCreate(
        item={"type": "message", "role": "system", "content": [{"type": "input_text", "text": "s"}]}
    )
    assert isinstance(create.item, SystemMessageItem)
    user = CLIENT_EVENT_ADAPTER.validate_python(
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_audio", "audio": "AAEC", "transcript": "hi"},
                    {"type": "input_image", "image_url": "data:image/png;base64,AA=="},
                ],
            },
        }
    )
    assert isinstance(user, ClientEventConversationItemCreate)
    assert isinstance(user.item, UserMessageItem)
    assert isinstance(user.item.content[0], InputAudioContentPart)

    generic = MessageItem(role="developer", content=[InputTextContentPart(text="x")])
    again = ClientEventConversationItemCreate(item=generic)
    assert type(again.item) is MessageItem
    assert again.to_wire_dict()["item"] == {
        "type": "message",
        "role": "developer",
        "content": [{"type": "input_text", "text": "x"}],
    }

    output = ClientEventConversationItemCreate(
        item=FunctionCallOutputItem(call_id="c1", output="{}")
    )
    assert output.to_wire_dict()["item"] == {
        "type": "function_call_output",
        "call_id": "c1",
        "output": "{}",
    }

    future = ClientEventConversationItemCreate(item={"type": "item_reference", "id": "item_9"})
    assert isinstance(future.item, UnknownConversationRequestItem)
    assert future.to_wire_dict()["item"] == {"type": "item_reference", "id": "item_9"}


def test_role_subclasses_write_role_and_type() -> None:
    assistant = AssistantMessageItem(content=[{"type": "text", "text": "Hello"}])  # type: ignore[list-item]
    assert assistant.to_wire_dict() == {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": "Hello"}],
    }
    params = ResponseCreateParams(pre_generated_assistant_message=assistant, conversation="none")
    assert ClientEventResponseCreate(response=params).to_wire_dict() == {
        "type": "response.create",
        "response": {
            "pre_generated_assistant_message": {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "text", "text": "Hello"}],
            },
            "conversation": "none",
        },
    }


def test_transcription_session_update_is_free_form() -> None:
    event = ClientEventTranscriptionSessionUpdate(session={"anything": {"goes": [1]}})
    assert event.to_wire_dict() == {
        "type": "transcription_session.update",
        "session": {"anything": {"goes": [1]}},
    }


def test_all_client_events_are_voice_live_models() -> None:
    for cls in CLIENT_EVENT_CLASSES.values():
        assert issubclass(cls, VoiceLiveModel)
        assert cls.model_config.get("extra") == "forbid"


def test_server_vad_defaults_not_written() -> None:
    assert ServerVad().to_wire_dict() == {"type": "server_vad"}
    assert ServerVad(threshold=None).to_wire_dict() == {"type": "server_vad", "threshold": None}
