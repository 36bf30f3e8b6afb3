"""``ServerEvent`` / ``ClientEvent`` answer ``isinstance`` like the official SDK's base classes
while still validating as discriminated unions (the type-checker side is in tests/typing)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, TypeAdapter

from voicelive._protocol import Side, VoiceLiveProtocol
from voicelive.models import (
    CLIENT_EVENT_CLASSES,
    SERVER_EVENT_CLASSES,
    ClientEvent,
    ClientEventResponseCreate,
    FunctionTool,
    InvalidServerEvent,
    ServerEvent,
    ServerEventResponseAudioDelta,
    ServerEventResponseDone,
    ServerEventWarning,
    UnknownServerEvent,
)


def test_isinstance_is_true_for_every_server_event_class() -> None:
    for cls in [*SERVER_EVENT_CLASSES.values(), UnknownServerEvent, InvalidServerEvent]:
        assert issubclass(cls, ServerEvent), cls
        assert not issubclass(cls, ClientEvent), cls


def test_isinstance_is_true_for_every_client_event_class() -> None:
    for cls in CLIENT_EVENT_CLASSES.values():
        assert issubclass(cls, ClientEvent), cls
        assert not issubclass(cls, ServerEvent), cls


def test_isinstance_on_decoded_made_up_and_foreign_objects() -> None:
    protocol = VoiceLiveProtocol(Side.CLIENT)
    unknown = protocol.decode_server_frame('{"type": "brand.new.event"}')
    invalid = protocol.decode_server_frame(
        '{"type": "response.audio.delta", "response_id": "r", "item_id": "i",'
        ' "output_index": 0, "content_index": 0, "delta": "not base64 !"}'
    )
    warning = protocol.decode_server_frame('{"type": "warning", "warning": {"message": "m"}}')
    assert isinstance(unknown, UnknownServerEvent)
    assert isinstance(invalid, InvalidServerEvent)
    for event in (unknown, invalid, warning):
        assert isinstance(event, ServerEvent)
        assert not isinstance(event, ClientEvent)
    assert isinstance(ClientEventResponseCreate(), ClientEvent)
    for other in (FunctionTool(name="f"), {"type": "warning"}, "warning", None, 3):
        assert not isinstance(other, ServerEvent)
        assert not isinstance(other, ClientEvent)
    assert not issubclass(int, ServerEvent)


def test_pydantic_fields_annotated_with_the_unions_still_discriminate() -> None:
    class Envelope(BaseModel):
        event: ServerEvent
        sent: ClientEvent | None = None

    env = Envelope.model_validate(
        {
            "event": {"type": "response.done", "response": {"id": "r1"}},
            "sent": {"type": "response.create"},
        }
    )
    assert isinstance(env.event, ServerEventResponseDone)
    assert isinstance(env.sent, ClientEventResponseCreate)
    adapter: TypeAdapter[ServerEvent] = TypeAdapter(ServerEvent)
    event = adapter.validate_json(
        '{"type": "response.audio.delta", "response_id": "r", "item_id": "i",'
        ' "output_index": 0, "content_index": 0, "delta": "AAA="}'
    )
    assert isinstance(event, ServerEventResponseAudioDelta)
    assert isinstance(
        adapter.validate_python({"type": "warning", "warning": {"message": "m"}}),
        ServerEventWarning,
    )


def test_the_unions_cannot_be_instantiated() -> None:
    with pytest.raises(TypeError, match="SERVER_EVENT_ADAPTER"):
        ServerEvent()
    with pytest.raises(TypeError, match="CLIENT_EVENT_ADAPTER"):
        ClientEvent()
