"""Errors and warnings that say what to do (issue #14 item 3, model side): unknown field names
name the closest valid field; unknown enum-like values are sent with one warning naming the
closest known value; a value of the wrong kind is refused in the user's terms."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from voicelive._protocol import Side, VoiceLiveProtocol
from voicelive.models import (
    SERVER_EVENT_ADAPTER,
    ClientEventInputAudioBufferAppend,
    ClientEventSessionUpdate,
    RequestSession,
    UnknownVoice,
    _hints,
)


@pytest.fixture(autouse=True)
def _fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_hints, "_warned", set())


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "voicelive.models"]


def test_unknown_field_names_the_closest_valid_one() -> None:
    with pytest.raises(ValidationError) as info:
        RequestSession(instrucions="be brief")
    (error,) = info.value.errors()
    assert error["loc"] == ("instrucions",)
    assert error["type"] == "extra_forbidden"
    assert "did you mean 'instructions'?" in error["msg"]


def test_nested_unknown_field_names_the_field_of_that_object() -> None:
    with pytest.raises(ValidationError) as info:
        RequestSession(turn_detection={"type": "server_vad", "silense_duration_ms": 300})
    (error,) = info.value.errors()
    assert error["loc"][-1] == "silense_duration_ms"
    assert "did you mean 'silence_duration_ms'?" in error["msg"]


def test_send_path_dict_names_the_closest_field_and_keeps_other_errors() -> None:
    protocol = VoiceLiveProtocol(Side.CLIENT)
    with pytest.raises(ValidationError) as info:
        protocol.encode_client_event(
            {"type": "session.update", "session": {"instrucions": "x", "voice": 42}}
        )
    by_loc = {e["loc"][-1]: e for e in info.value.errors()}
    assert "did you mean 'instructions'?" in by_loc["instrucions"]["msg"]
    assert by_loc["voice"]["type"] == "wrong_kind"


def test_no_hint_when_nothing_is_close() -> None:
    with pytest.raises(ValidationError) as info:
        RequestSession(zzzzzz=1)
    assert "did you mean" not in str(info.value)
    assert "unknown field 'zzzzzz'" in str(info.value)


def test_setitem_unknown_key_names_the_closest_field() -> None:
    session = RequestSession()
    with pytest.raises(KeyError, match="did you mean 'temperature'"):
        session["temprature"] = 0.7


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("voice", 42, "expected a voice"),
        ("turn_detection", "server_vad", "expected a turn-detection object"),
        ("tools", [3], "expected a tool object"),
        ("tool_choice", 3, "expected 'auto', 'none', 'required'"),
    ],
)
def test_value_of_the_wrong_kind_is_refused_in_user_terms(
    field: str, value: object, expected: str
) -> None:
    with pytest.raises(ValidationError) as info:
        RequestSession(**{field: value})
    text = str(info.value)
    assert expected in text
    assert "voicelive.unknown" not in text
    assert "UnknownVoice" not in text


def test_unknown_enum_values_are_sent_with_one_warning_each(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.models")
    session = RequestSession(
        modalities=["txt", "audio"],
        input_audio_format="pcm24",
        input_audio_sampling_rate=22050,
        voice={"type": "azure-standrd", "name": "en-US-AvaNeural"},
        turn_detection={"type": "server_vadd"},
    )
    # sent as given: the service may know values this library does not
    assert session.to_wire_dict() == {
        "modalities": ["txt", "audio"],
        "input_audio_format": "pcm24",
        "input_audio_sampling_rate": 22050,
        "voice": {"type": "azure-standrd", "name": "en-US-AvaNeural"},
        "turn_detection": {"type": "server_vadd"},
    }
    assert isinstance(session.voice, UnknownVoice)
    messages = _messages(caplog)
    assert len(messages) == 5
    joined = "\n".join(messages)
    assert "'txt'; did you mean 'text'?" in joined
    assert "'pcm24'; did you mean 'pcm16'?" in joined
    assert "22050; did you mean 24000?" in joined
    assert "voice type 'azure-standrd'; did you mean 'azure-standard'?" in joined
    assert "turn-detection type 'server_vadd'; did you mean 'server_vad'?" in joined
    # once per value per process: building it again (or wrapping it) adds nothing
    ClientEventSessionUpdate(session=session)
    RequestSession(modalities=["txt"])
    assert len(_messages(caplog)) == 5


def test_dicts_sent_through_the_connection_are_checked_too(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.models")
    text = VoiceLiveProtocol(Side.CLIENT).encode_client_event(
        {"type": "session.update", "session": {"modalities": ["aduio"]}}
    )
    assert '"modalities":["aduio"]' in text
    assert any("'aduio'; did you mean 'audio'?" in m for m in _messages(caplog))


def test_known_values_and_received_events_never_warn(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.models")
    RequestSession(modalities=["TEXT", "audio"], input_audio_format="pcm16", voice="alloy")
    ClientEventInputAudioBufferAppend(audio=b"\x00\x00")
    # the receive path is lenient and silent: an unknown value from the service is no typo
    SERVER_EVENT_ADAPTER.validate_json(
        '{"type": "session.updated", "session": {"modalities": ["hologram"]}}'
    )
    assert _messages(caplog) == []
