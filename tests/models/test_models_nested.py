"""Nested models: unions and their fallbacks, sessions, tolerance, exports."""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import json
import sys
from datetime import datetime, timezone
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

import voicelive.models as m
from voicelive.models import (
    AgentConfig,
    AudioEchoCancellation,
    AvatarConfig,
    AvatarConfigTypes,
    AzureAvatarVoiceSyncVoice,
    AzureCustomVoice,
    AzurePersonalVoice,
    AzureRealtimeNativeVoice,
    AzureSemanticDetectionEn,
    AzureSemanticDetectionMultilingual,
    AzureSemanticVad,
    AzureSemanticVadEn,
    AzureVoice,
    ContentPart,
    ContentPartUnion,
    ConversationRequestItem,
    ConversationRequestItemUnion,
    EouDetectionUnion,
    FoundryAgentTool,
    InterimResponseConfig,
    LlmInterimResponseConfig,
    MCPApprovalResponseRequestItem,
    OpenAIVoice,
    OpenAIVoiceName,
    RequestImageContentPart,
    RequestSession,
    RequestTextContentPart,
    ResponseFailedDetails,
    ResponseFileSearchCallItem,
    ResponseFoundryAgentCallItem,
    ResponseIncompleteDetails,
    ResponseItem,
    ResponseItemUnion,
    ResponseMCPApprovalRequestItem,
    ResponseMCPApprovalResponseItem,
    ResponseMCPCallItem,
    ResponseSession,
    ResponseStatusDetailsUnion,
    ResponseWebSearchCallItem,
    SemanticVad,
    ServerModel,
    SmartEndOfTurnDetection,
    StaticInterimResponseConfig,
    Tool,
    ToolChoice,
    ToolChoiceFunctionSelection,
    ToolUnion,
    TurnDetection,
    TurnDetectionUnion,
    UnknownContentPart,
    UnknownEouDetection,
    UnknownInterimResponseConfig,
    UnknownResponseStatusDetails,
    UnknownTool,
    UnknownToolChoiceSelection,
    UnknownVoice,
    Voice,
    VoiceLiveModel,
)


def loose(tp: Any, data: Any) -> Any:
    """Validate like the decoder does for server frames (unknown keys kept)."""
    return TypeAdapter(tp).validate_json(json.dumps(data), extra="allow")


@pytest.mark.parametrize(
    ("data", "cls"),
    [
        ({"type": "openai", "name": "alloy"}, OpenAIVoice),
        ({"type": "azure-custom", "name": "v", "endpoint_id": "e"}, AzureCustomVoice),
        (
            {"type": "azure-personal", "name": "p", "model": "DragonLatestNeural"},
            AzurePersonalVoice,
        ),
        ({"type": "avatar-voice-sync", "model": "DragonLatestNeural"}, AzureAvatarVoiceSyncVoice),
        ({"type": "azure-realtime-native", "name": "ava"}, AzureRealtimeNativeVoice),
        ({"type": "elevenlabs", "voice_id": "x"}, UnknownVoice),
    ],
)
def test_voice_union(data: dict[str, Any], cls: type[BaseModel]) -> None:
    voice = TypeAdapter(Voice).validate_python(data)
    assert type(voice) is cls
    assert voice.to_wire_dict() == data  # type: ignore[union-attr]
    assert TypeAdapter(Voice).validate_python("shimmer") == "shimmer"
    assert TypeAdapter(Voice).validate_python(OpenAIVoiceName.ALLOY) == "alloy"
    # Instances are accepted as they are.
    assert TypeAdapter(Voice).validate_python(voice) is voice


def test_unknown_variants_are_kept_and_are_server_models() -> None:
    for fallback in (UnknownVoice, UnknownTool, UnknownEouDetection, UnknownToolChoiceSelection):
        assert issubclass(fallback, ServerModel)
        assert fallback.model_config.get("extra") == "allow"
    assert issubclass(UnknownTool, Tool)
    tool = TypeAdapter(ToolUnion).validate_python({"type": "code_interpreter", "container": "auto"})
    assert isinstance(tool, UnknownTool)
    assert tool.to_wire_dict() == {"type": "code_interpreter", "container": "auto"}
    # A fallback instance whose type looks known stays a fallback.
    odd = UnknownTool(type="function", extra_thing=1)
    assert TypeAdapter(ToolUnion).validate_python(odd) is odd
    with pytest.raises(ValidationError):
        TypeAdapter(ToolUnion).validate_python({"name": "no type"})


def test_known_variant_with_bad_fields_fails_locally() -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(ToolUnion).validate_python({"type": "function"})
    with pytest.raises(ValidationError):
        TypeAdapter(ToolUnion).validate_python({"type": "mcp", "server_label": "x", "url": "u"})


def test_foundry_agent_tool_and_semantic_vad() -> None:
    tool = TypeAdapter(ToolUnion).validate_python(
        {
            "type": "foundry_agent",
            "agent_name": "a",
            "project_name": "p",
            "agent_context_type": "no_context",
        }
    )
    assert isinstance(tool, FoundryAgentTool)
    vad = TypeAdapter(TurnDetectionUnion).validate_python(
        {"type": "semantic_vad", "eagerness": "high"}
    )
    assert isinstance(vad, SemanticVad)
    assert isinstance(vad, TurnDetection)
    assert vad.to_wire_dict() == {"type": "semantic_vad", "eagerness": "high"}


@pytest.mark.parametrize(
    ("data", "cls"),
    [
        ({"type": "azure_semantic_vad", "remove_filler_words": True}, AzureSemanticVad),
        ({"type": "azure_semantic_vad_en", "speech_duration_ms": 80}, AzureSemanticVadEn),
        ({"type": "server_vad", "speech_duration_ms": 200}, m.ServerVad),
    ],
)
def test_turn_detection_union(data: dict[str, Any], cls: type[BaseModel]) -> None:
    value = TypeAdapter(TurnDetectionUnion).validate_python(data)
    assert type(value) is cls
    assert value.to_wire_dict() == data


def test_eou_union() -> None:
    adapter = TypeAdapter(EouDetectionUnion)
    assert isinstance(
        adapter.validate_python({"model": "semantic_detection_v1_en"}), AzureSemanticDetectionEn
    )
    assert isinstance(
        adapter.validate_python(
            {"model": "semantic_detection_v1_multilingual", "threshold_level": "LOW"}
        ),
        AzureSemanticDetectionMultilingual,
    )
    smart = adapter.validate_python(
        {"model": "smart_end_of_turn_detection", "threshold_level": "medium", "timeout_ms": 1000}
    )
    assert isinstance(smart, SmartEndOfTurnDetection)
    assert smart.to_wire_dict() == {
        "model": "smart_end_of_turn_detection",
        "threshold_level": "medium",
        "timeout_ms": 1000,
    }
    future = loose(EouDetectionUnion, {"model": "next_gen_detection", "x": 1})
    assert isinstance(future, UnknownEouDetection)
    assert future.model == "next_gen_detection"


def test_tool_choice_union() -> None:
    adapter = TypeAdapter(ToolChoice)
    assert adapter.validate_python("required") == "required"
    assert isinstance(
        adapter.validate_python({"type": "function", "name": "f"}), ToolChoiceFunctionSelection
    )
    mcp = adapter.validate_python({"type": "mcp", "server_label": "docs"})
    assert isinstance(mcp, UnknownToolChoiceSelection)
    assert mcp.to_wire_dict() == {"type": "mcp", "server_label": "docs"}


def test_interim_response_union() -> None:
    adapter = TypeAdapter(InterimResponseConfig)
    static = adapter.validate_python(
        {"type": "static_interim_response", "texts": ["One moment"], "triggers": ["TOOL"]}
    )
    assert isinstance(static, StaticInterimResponseConfig)
    assert static.to_wire_dict() == {
        "type": "static_interim_response",
        "texts": ["One moment"],
        "triggers": ["tool"],
    }
    assert isinstance(
        adapter.validate_python({"type": "llm_interim_response", "max_completion_tokens": 50}),
        LlmInterimResponseConfig,
    )
    dashed = adapter.validate_python({"type": "static-interim-response", "texts": ["x"]})
    assert isinstance(dashed, UnknownInterimResponseConfig)


def test_request_item_union() -> None:
    adapter = TypeAdapter(ConversationRequestItemUnion)
    approval = adapter.validate_python(
        {"type": "mcp_approval_response", "approval_request_id": "a", "approve": True}
    )
    assert isinstance(approval, MCPApprovalResponseRequestItem)
    assert isinstance(approval, ConversationRequestItem)
    for bad in ({"role": "user"}, {"type": 3}, {"type": "message", "role": 3, "content": []}):
        with pytest.raises(ValidationError):
            adapter.validate_python(bad)
    with pytest.raises(ValidationError):
        adapter.validate_python({"type": "message", "role": "user"})


@pytest.mark.parametrize(
    ("data", "cls"),
    [
        ({"type": "input_text", "text": "hi"}, RequestTextContentPart),
        (
            {"type": "input_image", "image_url": "https://x/y.png", "detail": "high"},
            RequestImageContentPart,
        ),
        ({"type": "output_text", "text": "GA name"}, UnknownContentPart),
    ],
)
def test_content_part_union(data: dict[str, Any], cls: type[BaseModel]) -> None:
    part = loose(ContentPartUnion, data)
    assert type(part) is cls
    assert isinstance(part, ContentPart)
    assert part.to_wire_dict() == data


@pytest.mark.parametrize(
    ("data", "cls"),
    [
        (
            {"type": "mcp_call", "name": "search", "server_label": "docs", "error": {"code": 1}},
            ResponseMCPCallItem,
        ),
        (
            {"type": "mcp_approval_request", "name": "search", "server_label": "docs"},
            ResponseMCPApprovalRequestItem,
        ),
        (
            {"type": "mcp_approval_response", "approval_request_id": "a", "approve": False},
            ResponseMCPApprovalResponseItem,
        ),
        (
            {
                "type": "web_search_call",
                "status": "searching",
                "action": {"type": "search", "query": "q"},
            },
            ResponseWebSearchCallItem,
        ),
        (
            {
                "type": "file_search_call",
                "status": "completed",
                "queries": ["q"],
                "results": [{"file_id": "f", "score": 0.5, "attributes": {"n": 1}}],
            },
            ResponseFileSearchCallItem,
        ),
        (
            {"type": "foundry_agent_call", "name": "agent", "call_id": "c", "arguments": "{}"},
            ResponseFoundryAgentCallItem,
        ),
    ],
)
def test_response_item_union(data: dict[str, Any], cls: type[BaseModel]) -> None:
    item = loose(ResponseItemUnion, data)
    assert type(item) is cls
    assert isinstance(item, ResponseItem)
    assert item.to_wire_dict() == data


def test_status_details_union() -> None:
    assert isinstance(
        loose(ResponseStatusDetailsUnion, {"type": "incomplete", "reason": "max_output_tokens"}),
        ResponseIncompleteDetails,
    )
    failed = loose(
        ResponseStatusDetailsUnion, {"type": "failed", "error": {"code": "server_error"}}
    )
    assert isinstance(failed, ResponseFailedDetails)
    assert failed.error == {"code": "server_error"}
    assert isinstance(
        loose(ResponseStatusDetailsUnion, {"type": "completed"}), UnknownResponseStatusDetails
    )


def test_avatar_type_alias() -> None:
    by_alias = AvatarConfig(
        type="photo-avatar", character="anika", customized=False, model="vasa-1"
    )  # type: ignore[call-arg]
    by_name = AvatarConfig(
        avatar_type=AvatarConfigTypes.PHOTO_AVATAR,
        character="anika",
        customized=False,
        model="vasa-1",
    )
    assert by_alias.avatar_type is AvatarConfigTypes.PHOTO_AVATAR
    assert (
        by_alias.to_wire_dict()
        == by_name.to_wire_dict()
        == {
            "type": "photo-avatar",
            "character": "anika",
            "customized": False,
            "model": "vasa-1",
        }
    )
    with pytest.raises(ValidationError):
        AvatarConfig(character="x")  # type: ignore[call-arg]


def test_echo_cancellation_constant_is_written() -> None:
    assert AudioEchoCancellation().to_wire_dict() == {"type": "server_echo_cancellation"}
    assert AudioEchoCancellation(reference_source="client", channels=2).to_wire_dict() == {
        "type": "server_echo_cancellation",
        "reference_source": "client",
        "channels": 2,
    }


def test_response_session_is_request_session_plus_server_fields() -> None:
    request_fields = set(RequestSession.model_fields)
    response_fields = set(ResponseSession.model_fields)
    assert response_fields - request_fields == {"agent", "id", "expires_at", "object"}
    assert request_fields <= response_fields
    assert issubclass(ResponseSession, ServerModel)
    assert ResponseSession.model_config.get("extra") == "allow"
    assert RequestSession.model_config.get("extra") == "forbid"
    with pytest.raises(ValidationError):
        RequestSession(agent={"type": "agent"})  # type: ignore[call-arg]


def test_response_session_expires_at() -> None:
    session = ResponseSession.model_validate_json('{"expires_at": 1756324625, "future": true}')
    assert session.expires_at == datetime(2025, 8, 27, 19, 57, 5, tzinfo=timezone.utc)
    assert session.model_extra == {"future": True}
    assert session.to_wire_dict() == {"expires_at": 1756324625, "future": True}
    iso = ResponseSession.model_validate({"expires_at": "2026-01-01T00:00:00Z"})
    assert iso.expires_at == datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert ResponseSession.model_validate({"expires_at": None}).expires_at is None


def test_agent_config_is_tolerant() -> None:
    agent = AgentConfig.model_validate({"name": "a"})
    assert agent.to_wire_dict() == {"type": "agent", "name": "a"}


def test_max_tokens() -> None:
    assert RequestSession(max_response_output_tokens=100).max_response_output_tokens == 100
    assert RequestSession(max_response_output_tokens="inf").max_response_output_tokens == "inf"
    with pytest.raises(ValidationError):
        RequestSession(max_response_output_tokens="infinite")  # type: ignore[arg-type]


def test_base_classes() -> None:
    assert issubclass(AzureCustomVoice, AzureVoice)
    assert issubclass(m.ResponseMessageItem, ResponseItem)
    assert issubclass(RequestSession, m.SessionBase)
    for name in m.__all__:
        obj = getattr(m, name)
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            assert issubclass(obj, (VoiceLiveModel, ServerModel, m.ServerEventBase)), name
            assert obj.__doc__, name
            documented = set().union(*(_attribute_docstrings(k) for k in obj.__mro__))
            for field_name in obj.model_fields:
                assert field_name in documented, f"{name}.{field_name} has no docstring"


def _attribute_docstrings(cls: type) -> set[str]:
    """Names of the annotated attributes followed by a docstring in ``cls``'s own source.

    (The models do not copy these docstrings into field descriptions at import --
    ``use_attribute_docstrings`` costs a third of the import time -- so read the source.)
    """
    if cls.__module__.split(".")[0] != "voicelive":
        return set()
    return _documented_attributes(cls.__module__).get(cls.__qualname__, set())


@functools.cache
def _documented_attributes(module: str) -> dict[str, set[str]]:
    """``_attribute_docstrings`` for every top-level class of ``module``, from one parse.

    (``inspect.getsource(cls)`` parses the whole module again for each class; for ~300 classes
    times their bases that made this test take minutes on a loaded machine.)
    """
    tree = ast.parse(inspect.getsource(sys.modules[module]))
    found: dict[str, set[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        names: set[str] = set()
        for stmt, following in itertools.pairwise(node.body):
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                names.add(stmt.target.id)
        found[node.name] = names
    return found


def test_exports() -> None:
    assert list(m.__all__) == sorted(m.__all__, key=lambda n: (not n.isupper(), n))
    assert len(set(m.__all__)) == len(m.__all__)
    for name in m.__all__:
        assert hasattr(m, name), name


def test_instances_pass_through_the_request_item_union() -> None:
    adapter = TypeAdapter(ConversationRequestItemUnion)
    future = m.UnknownConversationRequestItem(type="message", role="user", content="odd")
    assert adapter.validate_python(future) is future
    user = m.UserMessageItem(content=[m.InputTextContentPart(text="hi")])
    assert adapter.validate_python(user) is user


def test_enum_lookup_of_non_strings_fails() -> None:
    with pytest.raises(ValueError):
        m.InputAudioFormat(16)
