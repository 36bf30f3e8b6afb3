"""The mapping view: every model reads and writes like the official SDK's ``MutableMapping``
models, keyed by wire names, without shadowing any field."""

from __future__ import annotations

import base64
import inspect
from collections.abc import Mapping, MutableMapping
from datetime import datetime, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import voicelive.models as models
from voicelive.models import (
    SERVER_EVENT_ADAPTER,
    AvatarConfig,
    ClientEventResponseCreate,
    ClientEventSessionUpdate,
    FunctionTool,
    RequestSession,
    ResponseSession,
    ServerEventResponseAudioDelta,
    ServerEventWarning,
    ServerVad,
)

WARNING = (
    '{"type": "warning", "event_id": "ev_1", "warning": {"message": "slow down", "code": "w1"},'
    ' "new_key": {"x": 1}}'
)
AUDIO = (
    '{"type": "response.audio.delta", "event_id": "ev_2", "response_id": "r", "item_id": "i",'
    ' "output_index": 0, "content_index": 0, "delta": "AAECAw=="}'
)

MAPPING_METHODS = {
    "get",
    "keys",
    "items",
    "values",
    "update",
    "pop",
    "popitem",
    "clear",
    "setdefault",
    "copy",
}


def _all_model_classes() -> list[type[BaseModel]]:
    return [
        obj for _, obj in inspect.getmembers(models, inspect.isclass) if issubclass(obj, BaseModel)
    ]


def test_every_model_is_a_mutable_mapping() -> None:
    classes = _all_model_classes()
    assert len(classes) > 150
    for cls in classes:
        assert issubclass(cls, MutableMapping), cls


@pytest.mark.parametrize("cls", _all_model_classes(), ids=lambda c: c.__name__)
def test_no_field_is_shadowed_by_a_mapping_method(cls: type[BaseModel]) -> None:
    for name, info in cls.model_fields.items():
        assert name not in MAPPING_METHODS, f"{cls.__name__}.{name} collides with a method"
        assert (info.alias or name) not in MAPPING_METHODS


def test_server_event_reads_like_a_dict() -> None:
    event = SERVER_EVENT_ADAPTER.validate_json(WARNING)
    assert isinstance(event, ServerEventWarning)
    assert isinstance(event, Mapping)
    assert event["type"] == "warning"
    assert event.get("event_id") == "ev_1"
    assert event.get("missing", "dflt") == "dflt"
    assert "warning" in event
    assert "delta" not in event
    assert 3 not in event
    assert list(event) == ["type", "event_id", "warning", "new_key"]
    assert len(event) == 4
    assert event["new_key"] == {"x": 1}  # unknown keys kept from the frame
    plain = dict(event)
    assert plain["warning"]["message"] == "slow down"  # nested: a model that is a mapping
    assert plain["warning"].message == "slow down"
    assert dict(event.items()) == plain
    assert list(event.keys()) == list(plain)
    assert list(event.values()) == list(plain.values())
    with pytest.raises(KeyError):
        event["delta"]


def test_present_means_in_the_wire_dict() -> None:
    # A field the frame did not carry is absent even though the attribute has a default.
    event = SERVER_EVENT_ADAPTER.validate_json('{"type": "warning", "warning": {"message": "m"}}')
    assert event.event_id is None
    assert "event_id" not in event
    assert event.get("event_id", "absent") == "absent"
    # ... while an explicit null in the frame is present, as None.
    event = SERVER_EVENT_ADAPTER.validate_json(
        '{"type": "warning", "event_id": null, "warning": {"message": "m"}}'
    )
    assert "event_id" in event
    assert event["event_id"] is None
    # Keys are exactly those of the wire dict.
    session = RequestSession(instructions="hi", turn_detection=None)
    assert dict(session) == session.to_wire_dict()
    assert list(ClientEventResponseCreate()) == ["type"]


def test_wire_forms_bytes_as_base64_and_datetime_as_seconds() -> None:
    event = SERVER_EVENT_ADAPTER.validate_json(AUDIO)
    assert isinstance(event, ServerEventResponseAudioDelta)
    assert event.delta == b"\x00\x01\x02\x03"
    assert event["delta"] == "AAECAw=="  # as the frame carried it, like the official SDK
    session = ResponseSession.model_validate({"expires_at": 1_700_000_000})
    assert session.expires_at == datetime.fromtimestamp(1_700_000_000, tz=timezone.utc)
    assert session["expires_at"] == 1_700_000_000


def test_keys_are_wire_names() -> None:
    avatar = AvatarConfig.model_validate(
        {"type": "photo-avatar", "character": "lisa", "customized": False}
    )
    assert avatar["type"] == "photo-avatar"
    assert "avatar_type" not in avatar
    assert avatar.avatar_type == "photo-avatar"


def test_positional_mapping_constructor() -> None:
    tool = FunctionTool({"type": "function", "name": "get_weather", "parameters": {}})
    assert tool.name == "get_weather"
    assert tool.to_wire_dict() == {"type": "function", "name": "get_weather", "parameters": {}}
    # keyword arguments win over the mapping
    tool = FunctionTool({"name": "a"}, name="b")
    assert tool.name == "b"
    avatar = AvatarConfig({"type": "video-avatar", "character": "lisa", "customized": False})
    assert avatar.avatar_type == "video-avatar"
    event = ServerEventWarning({"warning": {"message": "m"}})
    assert event["type"] == "warning"
    with pytest.raises(ValidationError, match="instrucions"):
        RequestSession({"instrucions": "x"})
    with pytest.raises(TypeError, match="takes a mapping"):
        FunctionTool(["name", "x"])  # type: ignore[arg-type]


def test_setitem_validates_client_models() -> None:
    session = RequestSession()
    session["instructions"] = "be brief"
    assert session.instructions == "be brief"
    assert session.to_wire_dict() == {"instructions": "be brief"}
    session["turn_detection"] = {"type": "server_vad", "silence_duration_ms": 300}
    assert isinstance(session.turn_detection, ServerVad)
    with pytest.raises(ValidationError):
        session["temperature"] = "hot"
    with pytest.raises(KeyError, match="did you mean 'instructions'"):
        session["instrucions"] = "x"
    update = ClientEventSessionUpdate(session=session)
    update["session"]["voice"] = "alloy"
    assert update.to_wire_dict()["session"]["voice"] == "alloy"


def test_setitem_on_server_models_keeps_unknown_keys_and_decodes_base64() -> None:
    event = SERVER_EVENT_ADAPTER.validate_json(AUDIO)
    event["delta"] = base64.b64encode(b"\x09\x08").decode()
    assert event.delta == b"\x09\x08"
    event["brand_new"] = 1
    assert event["brand_new"] == 1
    assert event.to_wire_dict()["brand_new"] == 1


def test_delete_pop_update_setdefault_clear() -> None:
    session = RequestSession(instructions="x", temperature=0.7)
    assert session.pop("instructions") == "x"
    assert "instructions" not in session
    assert session.instructions is None
    assert session.pop("instructions", "gone") == "gone"
    with pytest.raises(KeyError):
        session.pop("instructions")
    session.update({"instructions": "y"}, temperature=0.8)
    assert session.to_wire_dict() == {"temperature": 0.8, "instructions": "y"}
    assert session.setdefault("instructions", "z") == "y"
    assert session.setdefault("voice", "alloy") == "alloy"
    before = dict(session)
    key, value = session.popitem()
    assert before[key] == value
    assert key not in session
    assert len(session) == len(before) - 1
    session.clear()
    assert dict(session) == {}
    assert bool(session)  # models stay truthy (pydantic's behaviour), documented
    tool = FunctionTool(name="f")
    with pytest.raises(TypeError, match="required"):
        del tool["name"]
    event: Any = SERVER_EVENT_ADAPTER.validate_json(WARNING)
    del event["new_key"]
    assert "new_key" not in event
    with pytest.raises(KeyError):
        del event["new_key"]


def test_a_model_equals_a_mapping_with_the_same_wire_items() -> None:
    """Official code compares models with dicts (``event.session == {...}``)."""
    from voicelive.models import AzureStandardVoice, RequestSession

    session = RequestSession(instructions="be brief", voice=AzureStandardVoice(name="en-US-Ava"))
    wire = {"instructions": "be brief", "voice": {"type": "azure-standard", "name": "en-US-Ava"}}
    assert session == wire
    assert wire == session
    assert session != {"instructions": "be brief"}
    assert session != {**wire, "voice": {"type": "azure-standard", "name": "other"}}
    assert session != "be brief"
    assert session == RequestSession(**session.model_dump(exclude_unset=True))
    assert session != RequestSession(instructions="other")
