"""The sans-I/O protocol core (no event loop, no sockets)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pydantic import ValidationError

from voicelive._protocol import Side, VoiceLiveProtocol, closed_exception
from voicelive.exceptions import (
    ConnectionClosedError,
    ConnectionClosedOK,
    InvalidEventError,
    MalformedFrameError,
    MessageTooLargeError,
)
from voicelive.models import (
    ClientEventInputAudioBufferAppend,
    ClientEventResponseCancel,
    ClientEventSessionUpdate,
    InvalidServerEvent,
    ServerEventResponseAudioDelta,
    ServerEventSessionCreated,
    ServerEventSessionUpdated,
    UnknownServerEvent,
)


@pytest.fixture
def client() -> VoiceLiveProtocol:
    return VoiceLiveProtocol(Side.CLIENT)


@pytest.fixture
def server() -> VoiceLiveProtocol:
    return VoiceLiveProtocol(Side.SERVER)


def test_core_imports_neither_asyncio_nor_aiohttp() -> None:
    code = (
        "import sys; import voicelive._protocol; "
        "bad = [m for m in ('asyncio', 'aiohttp') if m in sys.modules]; "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"protocol core pulled in: {result.stdout} {result.stderr}"


def test_encode_model_and_dict_identically(client: VoiceLiveProtocol) -> None:
    model = ClientEventSessionUpdate(session={"turn_detection": None, "voice": "alloy"})  # type: ignore[arg-type]
    as_dict = {"type": "session.update", "session": {"turn_detection": None, "voice": "alloy"}}
    assert json.loads(client.encode_client_event(model)) == as_dict
    assert json.loads(client.encode_client_event(as_dict)) == as_dict


def test_encode_rejects_bad_dicts_and_other_types(client: VoiceLiveProtocol) -> None:
    with pytest.raises(ValidationError, match="typo"):
        client.encode_client_event({"type": "response.cancel", "typo": 1})
    with pytest.raises(TypeError, match="client event"):
        client.encode_client_event(42)  # type: ignore[arg-type]


def test_audio_append_fast_path_matches_the_model(client: VoiceLiveProtocol) -> None:
    for event_id in (None, 'id "quoted"'):
        fast = VoiceLiveProtocol.encode_audio_append("AAEC", event_id)
        model = ClientEventInputAudioBufferAppend(
            audio="AAEC", **({"event_id": event_id} if event_id else {})
        )
        assert json.loads(fast) == json.loads(client.encode_client_event(model))


def test_decode_audio_delta_to_bytes(client: VoiceLiveProtocol) -> None:
    frame = '{"type":"response.audio.delta","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAEC"}'
    for data in (frame, frame.encode()):
        event = client.decode_server_frame(data)
        assert isinstance(event, ServerEventResponseAudioDelta)
        assert event.delta == b"\x00\x01\x02"


def test_decode_tracks_the_session(client: VoiceLiveProtocol) -> None:
    assert client.session is None
    created = client.decode_server_frame('{"type":"session.created","session":{"voice":"alloy"}}')
    assert isinstance(created, ServerEventSessionCreated)
    assert client.session is created.session
    updated = client.decode_server_frame(
        '{"type":"session.updated","session":{"input_audio_format":"g711_ulaw"}}'
    )
    assert isinstance(updated, ServerEventSessionUpdated)
    assert client.session is updated.session


@pytest.mark.parametrize(
    ("frame", "raw_type"),
    [
        ('{"type":"brand.new","x":1}', "brand.new"),
        ('{"event_id":"e"}', None),
        ('{"type":5}', None),
        ('{"type":"RESPONSE.DONE"}', "RESPONSE.DONE"),
    ],
)
def test_unknown_or_missing_type_is_unknown_event(
    client: VoiceLiveProtocol, frame: str, raw_type: str | None
) -> None:
    event = client.decode_server_frame(frame)
    assert isinstance(event, UnknownServerEvent)
    assert event.raw_type == raw_type
    assert event.raw == json.loads(frame)


def test_unknown_type_is_logged_once(
    client: VoiceLiveProtocol, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="voicelive"):
        for _ in range(3):
            client.decode_server_frame('{"type":"brand.new"}')
    assert sum("brand.new" in r.getMessage() for r in caplog.records) == 1


def test_invalid_known_event_keeps_raw_and_errors(
    client: VoiceLiveProtocol, caplog: pytest.LogCaptureFixture
) -> None:
    frame = '{"type":"response.audio.delta","event_id":"e9","delta":12}'
    with caplog.at_level("WARNING", logger="voicelive"):
        first = client.decode_server_frame(frame)
        client.decode_server_frame(frame)
    assert isinstance(first, InvalidServerEvent)
    assert first.raw_type == "response.audio.delta"
    assert first.event_id == "e9"
    assert first.raw == json.loads(frame)
    assert any(error["loc"] for error in first.errors)
    json.dumps(first.errors)  # JSON-safe
    assert sum(r.levelname == "WARNING" for r in caplog.records) == 1


@pytest.mark.parametrize("frame", ["{not json", "[1,2]", '"text"', "", b"\xff\xfe", "null"])
def test_malformed_frames_raise(client: VoiceLiveProtocol, frame: str | bytes) -> None:
    with pytest.raises(MalformedFrameError):
        client.decode_server_frame(frame)


def test_deeply_nested_frame_is_malformed_or_unknown_never_a_crash(
    client: VoiceLiveProtocol,
) -> None:
    frame = '{"type":"x","a":' + "[" * 5000 + "]" * 5000 + "}"
    try:
        event = client.decode_server_frame(frame)
    except MalformedFrameError:
        return
    assert isinstance(event, UnknownServerEvent)


def test_size_limit(client: VoiceLiveProtocol) -> None:
    small = VoiceLiveProtocol(Side.CLIENT, max_message_size=50)
    with pytest.raises(MessageTooLargeError, match="max_msg_size=50"):
        small.decode_server_frame('{"type":"response.text.delta","delta":"' + "x" * 100 + '"}')
    unlimited = VoiceLiveProtocol(Side.CLIENT, max_message_size=None)
    assert isinstance(
        unlimited.decode_server_frame('{"type":"x' + "y" * 10000 + '"}'), UnknownServerEvent
    )


def test_server_side_decodes_client_events(server: VoiceLiveProtocol) -> None:
    event = server.decode_client_frame('{"type":"response.cancel","event_id":"c1"}')
    assert isinstance(event, ClientEventResponseCancel)
    assert event.event_id == "c1"


def test_server_side_unknown_client_event(server: VoiceLiveProtocol) -> None:
    with pytest.raises(InvalidEventError) as info:
        server.decode_client_frame('{"type":"nope","event_id":"e1"}')
    assert info.value.code == "unknown_event_type"
    assert info.value.event_id == "e1"


def test_server_side_invalid_client_event_names_param(server: VoiceLiveProtocol) -> None:
    with pytest.raises(InvalidEventError) as info:
        server.decode_client_frame(
            '{"type":"conversation.item.truncate","event_id":"t","item_id":"i","content_index":0,"audio_end_ms":"x"}'
        )
    assert info.value.code == "invalid_value"
    assert info.value.param == "audio_end_ms"
    assert info.value.event_type == "conversation.item.truncate"
    with pytest.raises(MalformedFrameError):
        server.decode_client_frame("{{")


def test_server_side_encodes_models_and_dicts(server: VoiceLiveProtocol) -> None:
    event = ServerEventResponseAudioDelta(
        response_id="r", item_id="i", output_index=0, content_index=0, delta=b"\x00\x01"
    )
    text = server.encode_server_event(event)
    assert json.loads(text)["delta"] == "AAE="
    assert json.loads(text)["type"] == "response.audio.delta"
    back = VoiceLiveProtocol(Side.CLIENT).decode_server_frame(text)
    assert back == event
    assert json.loads(server.encode_server_event({"type": "x"})) == {"type": "x"}


def test_closed_exception_classification() -> None:
    assert isinstance(closed_exception(1000), ConnectionClosedOK)
    for code in (1001, 1006, 1011):
        error = closed_exception(code, "r")
        assert isinstance(error, ConnectionClosedError)
        assert (error.code, error.reason) == (code, "r")
    assert closed_exception(None).code == 1006


def test_session_field_prefers_what_was_requested_and_set_then_what_was_confirmed() -> None:
    proto = VoiceLiveProtocol(Side.CLIENT)
    assert proto.session_field("input_audio_format") is None  # nothing known yet
    proto.decode_server_frame(
        json.dumps(
            {
                "type": "session.created",
                "event_id": "e1",
                "session": {"id": "s1", "input_audio_format": "g711_ulaw"},
            }
        )
    )
    assert proto.session_field("input_audio_format") == "g711_ulaw"
    # a partial update leaves the confirmed format in force until the server answers
    proto.encode_client_event({"type": "session.update", "session": {"instructions": "hi"}})
    assert proto.session_field("input_audio_format") == "g711_ulaw"
    assert proto.session_field("instructions") == "hi"
    # an update that sets the format takes effect for the next frames at once
    proto.encode_client_event(
        {"type": "session.update", "session": {"input_audio_format": "pcm16"}}
    )
    assert proto.session_field("input_audio_format") == "pcm16"
    proto.decode_server_frame(
        json.dumps(
            {
                "type": "session.updated",
                "event_id": "e2",
                "session": {"id": "s1", "input_audio_format": "g711_alaw"},
            }
        )
    )
    assert proto.requested_session is None
    assert proto.session_field("input_audio_format") == "g711_alaw"  # what the server confirmed
