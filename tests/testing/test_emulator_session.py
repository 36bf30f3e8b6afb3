"""session.update: merging, defaults, validation (invalid values -> error, session unchanged),
and frames the client library would refuse to send (sent raw over aiohttp)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from testing_helpers import collect, open_client

from voicelive.testing import DEFAULT_TURN_DETECTION, Emulator, MockServer


async def test_update_merges_and_echoes_the_full_session() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        created = (await conn.recv()).session
        await conn.session.update(
            session={
                "instructions": "Be brief.",
                "voice": {"type": "azure-standard", "name": "en-US-JennyNeural", "rate": "1.1"},
                "turn_detection": {"type": "server_vad", "threshold": 0.7},
                "input_audio_noise_reduction": {"type": "azure_deep_noise_suppression"},
            }
        )
        first = (await conn.recv()).session
        await conn.session.update(session={"temperature": 0.7})
        second = (await conn.recv()).session
    assert first.instructions == "Be brief."
    assert first.voice.name == "en-US-JennyNeural"
    assert first.voice.rate == "1.1"
    td = first.turn_detection
    assert td.threshold == 0.7
    # missing turn_detection fields take the service defaults, not the previous values
    assert td.prefix_padding_ms == DEFAULT_TURN_DETECTION["prefix_padding_ms"]
    assert td.silence_duration_ms == 500
    assert td.create_response is True
    assert first.input_audio_noise_reduction.type == "azure_deep_noise_suppression"
    assert first.model == created.model
    assert first.id == created.id
    # a later update keeps everything it does not mention
    assert second.temperature == 0.7
    assert second.instructions == "Be brief."
    assert second.turn_detection.threshold == 0.7


async def test_explicit_null_turns_features_off() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.session.update(
            session={"turn_detection": None, "input_audio_transcription": {"model": "azure-speech"}}
        )
        on = (await conn.recv()).session
        await conn.session.update(session={"input_audio_transcription": None})
        off = (await conn.recv()).session
    assert on.turn_detection is None
    assert "turn_detection" in on.model_fields_set
    assert on.input_audio_transcription.model == "azure-speech"
    assert off.input_audio_transcription is None


INVALID = [
    ({"temperature": 3.0}, "invalid_value", "session.temperature"),
    ({"modalities": ["audio"]}, "invalid_value", "session.modalities"),
    ({"modalities": ["text", "smell"]}, "invalid_value", "session.modalities"),
    ({"input_audio_format": "opus"}, "invalid_value", "session.input_audio_format"),
    ({"input_audio_sampling_rate": 44100}, "invalid_value", "session.input_audio_sampling_rate"),
    ({"output_audio_format": "mp3"}, "invalid_value", "session.output_audio_format"),
    ({"turn_detection": {"type": "bogus"}}, "invalid_value", "session.turn_detection.type"),
    (
        {"turn_detection": {"type": "server_vad", "threshold": 1.5}},
        "invalid_value",
        "session.turn_detection.threshold",
    ),
    (
        {"turn_detection": {"type": "server_vad", "silence_duration_ms": -1}},
        "invalid_value",
        "session.turn_detection.silence_duration_ms",
    ),
    ({"max_response_output_tokens": 5000}, "invalid_value", "session.max_response_output_tokens"),
    (
        {"input_audio_noise_reduction": {"type": "magic"}},
        "invalid_value",
        "session.input_audio_noise_reduction.type",
    ),
    ({"tool_choice": "missing_fn"}, "invalid_value", "session.tool_choice"),
    (
        {"tools": [{"type": "function", "name": "f"}, {"type": "function", "name": "f"}]},
        "invalid_value",
        "session.tools[1].name",
    ),
    (
        {"input_audio_echo_cancellation": {"channels": 2}},
        "invalid_ec_channels_requires_client",
        "session.input_audio_echo_cancellation.channels",
    ),
    (
        {"input_audio_echo_cancellation": {"reference_source": "client"}},
        "invalid_ec_reference_channels",
        "session.input_audio_echo_cancellation.channels",
    ),
    ({"model": "another-model"}, "invalid_value", "session.model"),
]


@pytest.mark.parametrize(("session", "code", "param"), INVALID)
async def test_invalid_values_are_refused_and_the_session_is_unchanged(
    session: dict[str, Any], code: str, param: str
) -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        before = (await conn.recv()).session
        await conn.session.update(session={**session, "instructions": "changed?"}, event_id="upd")
        error = await conn.recv()
        await conn.session.update(session={"metadata": {"probe": "1"}})
        after = (await conn.recv()).session
    assert error.type == "error"
    assert (error.error.code, error.error.param, error.error.event_id) == (code, param, "upd")
    assert after.instructions == before.instructions == ""
    assert after.model_dump(exclude={"metadata"}) == before.model_dump(exclude={"metadata"})


async def test_voice_cannot_change_after_audio_was_produced() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.session.update(session={"voice": "alloy"})  # fine before any audio
        await conn.response.create()
        await collect(conn)
        await conn.session.update(session={"voice": "echo"}, event_id="v")
        error = await conn.recv()
    assert error.error.code == "invalid_value"
    assert error.error.param == "session.voice"


async def test_format_change_applies_to_the_next_appends() -> None:
    emulator = Emulator()
    emulator.receive({"type": "input_audio_buffer.append", "audio": "AAAAAA=="})
    assert emulator.input_audio_ms > 0
    emulator.receive(
        {
            "type": "session.update",
            "session": {"input_audio_format": "g711_alaw", "input_audio_sampling_rate": 8000},
        }
    )
    assert emulator.input_audio_ms == 0  # a new format starts a new buffer


# -- frames the client library refuses to send: sent raw -----------------------------


@pytest.fixture
async def raw() -> AsyncIterator[tuple[aiohttp.ClientWebSocketResponse, MockServer]]:
    async with MockServer() as server, aiohttp.ClientSession() as session:
        async with session.ws_connect(server.endpoint + "/voice-live/realtime") as ws:
            created = json.loads(await ws.receive_str())
            assert created["type"] == "session.created"
            yield ws, server


RAW = [
    ("{not json", "invalid_json", None, None),
    ("[1, 2]", "invalid_json", None, None),
    ('{"event_id": "r1"}', "invalid_event", "type", "r1"),
    ('{"type": "bogus.event", "event_id": "r1"}', "unknown_event_type", "type", "r1"),
    (
        '{"type": "session.update", "event_id": "r1", "session": {"colour": "red"}}',
        "unknown_parameter",
        "session.colour",
        "r1",
    ),
    (
        '{"type": "conversation.item.delete", "event_id": "r1"}',
        "missing_required_parameter",
        "item_id",
        "r1",
    ),
    (
        '{"type": "session.update", "event_id": "r1", "session": {"temperature": "hot"}}',
        "invalid_value",
        "session.temperature",
        "r1",
    ),
    (
        '{"type": "input_audio_buffer.append", "event_id": "r1", "audio": "@@@"}',
        "invalid_value",
        "audio",
        "r1",
    ),
]


@pytest.mark.parametrize(("frame", "code", "param", "event_id"), RAW)
async def test_bad_frames_get_the_service_error_and_the_connection_stays_usable(
    raw: tuple[aiohttp.ClientWebSocketResponse, MockServer],
    frame: str,
    code: str,
    param: str | None,
    event_id: str | None,
) -> None:
    ws, server = raw
    await ws.send_str(frame)
    error = json.loads(await ws.receive_str())
    assert error["type"] == "error"
    assert error["error"]["type"] == "invalid_request_error"
    assert (error["error"]["code"], error["error"]["param"], error["error"]["event_id"]) == (
        code,
        param,
        event_id,
    )
    assert error["error"]["message"]
    await ws.send_str('{"type": "input_audio_buffer.clear"}')
    assert json.loads(await ws.receive_str())["type"] == "input_audio_buffer.cleared"
    assert server.connections[0].received_frames[0] == frame


async def test_binary_client_frames_are_decoded_like_text(
    raw: tuple[aiohttp.ClientWebSocketResponse, MockServer],
) -> None:
    ws, _ = raw
    await ws.send_bytes(b'{"type": "input_audio_buffer.clear", "event_id": "b"}')
    assert json.loads(await ws.receive_str())["type"] == "input_audio_buffer.cleared"


async def test_switching_to_g711_keeps_working_with_an_inherited_sampling_rate() -> None:
    # session.created reports input_audio_sampling_rate 24000; G.711 is 8 kHz regardless.
    from azure.core.credentials import AzureKeyCredential

    from voicelive.aio import connect
    from voicelive.audio import G711_ULAW
    from voicelive.testing import MockServer

    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=AzureKeyCredential("k")) as conn:
            await conn.recv()
            session = await conn.session.update(
                session={"input_audio_format": "g711_ulaw"}, wait=True
            )
            assert session.input_audio_format == "g711_ulaw"
            assert conn.input_audio_format == G711_ULAW
