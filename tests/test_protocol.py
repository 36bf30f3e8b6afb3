"""The sans-I/O protocol core (no event loop, no sockets)."""

from __future__ import annotations

import gc
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
    SERVER_EVENT_ADAPTER,
    ClientEventInputAudioBufferAppend,
    ClientEventResponseCancel,
    ClientEventSessionUpdate,
    InvalidServerEvent,
    ResponseSession,
    ServerEventResponseAudioDelta,
    ServerEventSessionCreated,
    ServerEventSessionUpdated,
    UnknownServerEvent,
    _hints,
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
    version = client.session_version
    created = client.decode_server_frame('{"type":"session.created","session":{"voice":"alloy"}}')
    assert isinstance(created, ServerEventSessionCreated)
    assert client.session == created.session
    assert client.session.voice == "alloy"
    assert client.session is client.session  # decoded once, then kept
    updated = client.decode_server_frame(
        '{"type":"session.updated","session":{"input_audio_format":"g711_ulaw"}}'
    )
    assert isinstance(updated, ServerEventSessionUpdated)
    assert client.session == updated.session
    assert client.session.voice is None  # the new session, not a merge
    client.decode_server_frame('{"type":"session.updated"}')  # a frame may leave it out
    # read from the kept frame (before `session` decodes it): not the previous session's
    assert client.session_field("input_audio_format") is None
    assert client.session is None
    # every session frame moves the version on: caches keyed by it (the connection's input
    # format) are rebuilt after each one
    assert client.session_version == version + 3


SESSION_FRAME = (
    '{"type":"session.created","session":{"voice":{"name":"en-US-AvaNeural",'
    '"type":"azure-standard"},"turn_detection":{"type":"server_vad"},'
    '"modalities":["text","audio"],"input_audio_format":"g711_alaw",'
    '"output_audio_format":"pcm16","input_audio_sampling_rate":16000}}'
)


def test_the_session_fields_and_model_come_from_the_frame(client: VoiceLiveProtocol) -> None:
    """What the connection reads of the kept session frame: the audio-format fields, and the
    decoded session when the app asks for it."""
    version = client.session_version
    client.decode_server_frame(SESSION_FRAME)
    assert client.session_version == version + 1
    assert client.session_field("input_audio_format") == "g711_alaw"
    assert client.session_field("input_audio_sampling_rate") == 16000
    assert client.session_field("output_audio_format") == "pcm16"
    assert client.session_field("input_audio_echo_cancellation") is None
    session = client.session
    assert session is not None
    assert session.voice.name == "en-US-AvaNeural"
    assert session.turn_detection.type == "server_vad"
    assert client.session_field("modalities") == ["text", "audio"]
    assert client.session_version == version + 1  # reading changes nothing


@pytest.mark.gc_counts
def test_the_session_is_kept_as_frame_text_until_read(client: VoiceLiveProtocol) -> None:
    """An open connection keeps the session frame's text (not walked by the garbage
    collector), not the decoded model tree, unless the app reads ``session``; the audio-format
    fields the connection checks on every append are read without keeping it either."""
    event = client.decode_server_frame(SESSION_FRAME)
    gc.collect()
    before = len(gc.get_objects())
    del event
    gc.collect()
    held = len(gc.get_objects())
    assert before - held >= 8  # the event's model tree is freed: nothing else holds it
    for name in ("input_audio_format", "input_audio_sampling_rate", "output_audio_format"):
        assert client.session_field(name) is not None
    assert client.session_field("input_audio_echo_cancellation") is None
    gc.collect()
    assert len(gc.get_objects()) - held <= 1  # the format values' dict, no session
    assert client.session is not None  # decoded only now


def test_setting_the_session_replaces_the_frame(client: VoiceLiveProtocol) -> None:
    client.decode_server_frame('{"type":"session.created","session":{"voice":"alloy"}}')
    assert client.session_field("output_audio_format") is None
    version = client.session_version
    client.session = ResponseSession(output_audio_format="g711_ulaw")
    assert client.session_version == version + 1
    assert client.session_field("output_audio_format") == "g711_ulaw"
    assert client.session.voice is None
    client.session = None
    assert client.session is None
    assert client.session_field("output_audio_format") is None


def test_a_sent_session_update_takes_precedence_until_answered(
    client: VoiceLiveProtocol,
) -> None:
    client.decode_server_frame(
        '{"type":"session.created","session":{"input_audio_format":"pcm16"}}'
    )
    assert client.session_field("input_audio_format") == "pcm16"
    version = client.session_version
    client.encode_client_event(
        {"type": "session.update", "session": {"input_audio_format": "g711_ulaw"}}
    )
    assert client.session_version == version + 1
    assert client.session_field("input_audio_format") == "g711_ulaw"
    client.decode_server_frame(
        '{"type":"session.updated","session":{"input_audio_format":"g711_alaw"}}'
    )
    assert client.requested_session is None
    assert client.session_field("input_audio_format") == "g711_alaw"


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


# --------------------------------------------------------------- what users read off errors


def test_size_limit_is_inclusive_and_the_error_says_what_to_do() -> None:
    frame = '{"type":"brand.new","pad":"' + "x" * 300 + '"}'
    exact = VoiceLiveProtocol(Side.CLIENT, max_message_size=len(frame))
    assert isinstance(exact.decode_server_frame(frame), UnknownServerEvent)
    for side, decode in (
        (Side.CLIENT, VoiceLiveProtocol.decode_server_frame),
        (Side.SERVER, VoiceLiveProtocol.decode_client_frame),
    ):
        small = VoiceLiveProtocol(side, max_message_size=len(frame) - 1)
        with pytest.raises(MessageTooLargeError) as info:
            decode(small, frame.encode())
        assert str(info.value) == (
            f"frame of {len(frame)} bytes exceeds max_msg_size={len(frame) - 1}; raise "
            "connection_options['max_msg_size'] if the service really sends frames this big"
        )
        assert info.value.raw == frame[:200]
    at_limit = VoiceLiveProtocol(Side.SERVER, max_message_size=len('{"type":"response.cancel"}'))
    assert isinstance(
        at_limit.decode_client_frame('{"type":"response.cancel"}'), ClientEventResponseCancel
    )


def test_frames_that_are_not_objects_name_the_side_and_keep_a_preview() -> None:
    client, server = VoiceLiveProtocol(Side.CLIENT), VoiceLiveProtocol(Side.SERVER)
    with pytest.raises(MalformedFrameError) as info:
        client.decode_server_frame("[1,2]")
    assert str(info.value) == "server frame is not a JSON object (Input should be an object)"
    assert info.value.raw == "[1,2]"
    with pytest.raises(MalformedFrameError) as info:
        client.decode_server_frame(b"\xff" + b"x" * 300)
    assert info.value.raw == "\ufffd" + "x" * 199  # bytes previewed as text, 200 at most
    with pytest.raises(MalformedFrameError) as info:
        server.decode_client_frame("[1,2]")
    assert str(info.value) == "client frame is not a JSON object (Input should be an object)"
    assert info.value.raw == "[1,2]"


def test_a_nested_field_of_the_wrong_kind_is_an_invalid_event_not_a_malformed_frame(
    client: VoiceLiveProtocol,
) -> None:
    event = client.decode_server_frame('{"type":"session.created","session":[]}')
    assert isinstance(event, InvalidServerEvent)
    assert event.errors == [
        {
            "type": "model_type",
            "loc": ["session.created", "session"],
            "msg": "Input should be an object",
        }
    ]  # a list input is not copied into the JSON-safe errors


def test_invalid_event_errors_are_exact_json_safe_and_logged_by_field(
    client: VoiceLiveProtocol, caplog: pytest.LogCaptureFixture
) -> None:
    frame = '{"type":"response.done","event_id":"d1","response":{"output":[{"type":"message","content":5}]}}'
    with caplog.at_level("WARNING", logger="voicelive"):
        event = client.decode_server_frame(frame)
    assert isinstance(event, InvalidServerEvent)
    assert event.errors == [
        {
            "type": "list_type",
            "loc": ["response.done", "response", "output", 0, "message", "content"],
            "msg": "Input should be a valid array",
            "input": 5,
        }
    ]
    assert "list_type" in event.error
    assert "response.output.0.message.content" in event.error
    assert [r.getMessage() for r in caplog.records] == [
        "server event 'response.done' failed validation (the service may have changed it); "
        "delivered as InvalidServerEvent: response.output.0.message.content: Input should be a "
        "valid array"
    ]
    long_input = client.decode_server_frame(
        '{"type":"response.audio.delta","response_id":"r","item_id":"i","output_index":0,'
        '"content_index":"' + "y" * 300 + '","delta":""}'
    )
    assert isinstance(long_input, InvalidServerEvent)
    assert long_input.errors[0]["input"] == "y" * 200


def test_invalid_event_log_names_at_most_three_fields_without_the_event_type(
    client: VoiceLiveProtocol, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="voicelive"):
        client.decode_server_frame('{"type":"response.audio.delta","delta":""}')
        client.decode_server_frame('{"type":"error","error":{"message":5}}')
    assert [r.getMessage().split("InvalidServerEvent: ")[1] for r in caplog.records] == [
        "response_id: Field required; item_id: Field required; output_index: Field required",
        "error.message: Input should be a valid string",  # the tag "error" is not repeated
    ]


def test_unknown_events_keep_a_string_event_id_and_log_the_type(
    client: VoiceLiveProtocol, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="voicelive"):
        named = client.decode_server_frame('{"type":"brand.new","event_id":"u1"}')
        numbered = client.decode_server_frame('{"type":"brand.newer","event_id":5}')
    assert isinstance(named, UnknownServerEvent)
    assert named.event_id == "u1"
    assert isinstance(numbered, UnknownServerEvent)
    assert numbered.event_id is None
    assert [r.getMessage() for r in caplog.records] == [
        "received unknown server event type 'brand.new'; delivered as UnknownServerEvent",
        "received unknown server event type 'brand.newer'; delivered as UnknownServerEvent",
    ]


def test_a_frame_pydantic_parsed_but_json_does_not_is_still_malformed(
    client: VoiceLiveProtocol,
) -> None:
    # Defensive path: pydantic-core rejects every non-object frame first today; if it ever
    # let one through, the frame must still be reported, never crash the reader.
    with pytest.raises(ValidationError) as info:  # an error on a nested field
        SERVER_EVENT_ADAPTER.validate_json('{"type":"session.created","session":[]}')
    for frame, message in (
        ("{bad", "server frame is not valid JSON"),
        ("[1]", "server frame is not a JSON object"),
    ):
        with pytest.raises(MalformedFrameError) as malformed:
            client._fallback_server_event(frame, info.value)
        assert str(malformed.value) == message
        assert malformed.value.raw == frame


def test_invalid_client_events_carry_what_the_error_event_needs(server: VoiceLiveProtocol) -> None:
    frame = (
        '{"type":"conversation.item.truncate","event_id":"t","item_id":"i","content_index":0,'
        '"audio_end_ms":"x"}'
    )
    with pytest.raises(InvalidEventError) as info:
        server.decode_client_frame(frame)
    assert str(info.value) == (
        "Invalid value for audio_end_ms in conversation.item.truncate: Input should be a valid "
        "integer, unable to parse string as an integer"
    )
    assert (info.value.raw, info.value.event_id, info.value.event_type) == (
        frame,
        "t",
        "conversation.item.truncate",
    )
    with pytest.raises(InvalidEventError) as info:
        server.decode_client_frame('{"type":"nope","event_id":"e1"}')
    assert str(info.value) == "Unknown event type 'nope'"
    assert (info.value.raw, info.value.event_type) == ('{"type":"nope","event_id":"e1"}', "nope")
    with pytest.raises(InvalidEventError) as info:
        server.decode_client_frame('{"type":5,"event_id":7}')
    assert (info.value.event_type, info.value.event_id) == (None, None)  # only strings kept
    assert str(info.value) == "Unknown event type None"


def test_closed_exception_keeps_code_and_reason() -> None:
    normal = closed_exception(1000, "bye")
    assert (type(normal), normal.code, normal.reason) == (ConnectionClosedOK, 1000, "bye")
    assert closed_exception(1000).reason == ""
    assert closed_exception(1011).reason == ""


def test_side_is_kept() -> None:
    assert VoiceLiveProtocol(Side.SERVER).side is Side.SERVER
    assert VoiceLiveProtocol(Side.CLIENT).side is Side.CLIENT


def test_decoded_events_keep_extra_keys_and_which_fields_were_sent(
    client: VoiceLiveProtocol, server: VoiceLiveProtocol
) -> None:
    extra = client.decode_server_frame(
        '{"type":"response.done","response":{"id":"r"},"new_field":1}'
    )
    assert extra.model_extra == {"new_field": 1}
    partial = '{"type":"response.audio.delta","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAEC"}'
    event = client.decode_server_frame(partial)
    assert event.model_fields_set == set(json.loads(partial))  # event_id was not sent
    assert json.loads(server.encode_server_event(event)) == json.loads(partial)
    full = partial[:-1] + ',"event_id":"e1"}'
    complete = client.decode_server_frame(full)
    assert complete.model_fields_set == set(json.loads(full))
    assert json.loads(server.encode_server_event(complete)) == json.loads(full)


def test_encoders_are_compact_and_name_a_wrong_type(
    client: VoiceLiveProtocol, server: VoiceLiveProtocol
) -> None:
    assert server.encode_server_event({"type": "x", "a": [1, 2]}) == '{"type":"x","a":[1,2]}'
    with pytest.raises(TypeError) as info:
        server.encode_server_event(42)  # type: ignore[arg-type]
    assert str(info.value) == "expected a server event model or a dict, got int"
    with pytest.raises(TypeError) as info:
        client.encode_client_event(42)  # type: ignore[arg-type]
    assert str(info.value) == "expected a client event model or a dict, got int"


def test_an_unknown_value_in_a_dict_is_warned_about_under_the_event_type(
    client: VoiceLiveProtocol, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_hints, "_warned", set())  # warned once per process: start afresh
    with caplog.at_level("WARNING", logger="voicelive"):
        client.encode_client_event(
            {"type": "session.update", "session": {"modalities": ["text-from-protocol-test"]}}
        )
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "session.update.session.modalities"
    ]


def test_session_field_of_a_field_the_session_lacks_is_none(client: VoiceLiveProtocol) -> None:
    client.decode_server_frame('{"type":"session.created","session":{"id":"s"}}')
    assert client.session_field("no_such_field") is None
