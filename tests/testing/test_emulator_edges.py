"""Edge cases of the emulator core and the server around it."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
from testing_helpers import encode, of_type, open_client, tone, types

from voicelive.audio import PCM16_24K
from voicelive.testing import Emulator, MockServer, MockServerConnection, Reply, ScriptedResponder

USER = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}


def append(ms: int) -> dict[str, Any]:
    return {
        "type": "input_audio_buffer.append",
        "audio": base64.b64encode(encode(tone(ms, 24000), PCM16_24K)).decode(),
    }


def test_truncating_the_item_being_generated_cancels_the_response_first() -> None:
    emulator = Emulator(responder=ScriptedResponder(["word " * 50]))
    emulator.receive({"type": "response.create"})
    events = []
    for _ in range(6):
        events += emulator.step()
    item_id = of_type(events, "response.output_item.added")[0]["item"]["id"]
    out = emulator.receive(
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": 100,
        }
    )
    assert types(out)[-2:] == ["response.done", "conversation.item.truncated"]
    assert out[-2]["response"]["status_details"]["reason"] == "client_cancelled"
    assert not emulator.response_active


def test_manual_commit_during_detected_speech_uses_the_announced_item() -> None:
    emulator = Emulator()
    started = emulator.receive(append(400))
    assert types(started) == ["input_audio_buffer.speech_started"]
    committed = emulator.receive({"type": "input_audio_buffer.commit"})
    assert committed[0]["item_id"] == started[0]["item_id"]
    # the VAD was reset: the silence that follows does not end a turn again
    assert (
        emulator.receive(
            {"type": "input_audio_buffer.append", "audio": base64.b64encode(b"\0" * 48000).decode()}
        )
        == []
    )


def test_misc_refusals() -> None:
    emulator = Emulator()
    emulator.receive({"type": "conversation.item.create", "item": {**USER, "id": "u"}})
    emulator.receive({"type": "response.create", "response": {"modalities": ["text"]}})
    assistant = of_type(emulator.drain(), "response.output_item.done")[0]["item"]["id"]
    cases = [
        ({"type": "input_audio.turn.start", "turn_id": "t"}, None),
        ({"type": "input_audio.turn.start", "turn_id": "t"}, "turn_id"),
        ({"type": "input_text.delta", "id": assistant, "delta": "x"}, "id"),
        (
            {"type": "input_text.delta", "id": "u", "delta": "x", "content_index": 5},
            "content_index",
        ),
        ({"type": "conversation.item.create"}, "item"),
        ({"type": "input_audio.turn.end", "turn_id": "t"}, None),
    ]
    for event, param in cases:
        out = emulator.receive(event)
        if param is None and event["type"] == "input_audio.turn.start":
            assert out == []
        else:
            assert out[0]["type"] == "error", event
            assert out[0]["error"]["param"] == param
    assert out[0]["error"]["code"] == "input_audio_buffer_commit_empty"


def test_responder_returning_nonsense_fails_the_response() -> None:
    emulator = Emulator(responder=lambda context: 42)  # type: ignore[arg-type,return-value]
    out = emulator.receive({"type": "response.create"})
    assert types(out) == ["response.created", "error", "response.done"]
    assert "must return a Reply or a str" in out[1]["error"]["message"]


def test_empty_reply_is_an_empty_message() -> None:
    emulator = Emulator(responder=ScriptedResponder([Reply()]))
    out = emulator.receive({"type": "response.create"}) + emulator.drain()
    assert "response.audio.delta" not in types(out)
    assert out[-1]["response"]["output"][0]["content"][0]["transcript"] == ""


def test_receive_checks_its_argument_and_reprs() -> None:
    emulator = Emulator()
    with pytest.raises(TypeError):
        emulator.receive(42)  # type: ignore[arg-type]
    assert repr(emulator) == "<Emulator sess_0001 idle items=0>"
    emulator.receive({"type": "response.create"})
    assert emulator.active_response_id == "resp_0001"
    assert "responding" in repr(emulator)
    assert repr(MockServer()) == "<MockServer stopped connections=0>"


async def test_serve_forever_runs_until_cancelled() -> None:
    server = MockServer()
    task = asyncio.create_task(server.serve_forever())
    for _ in range(100):
        await asyncio.sleep(0.01)
        if "running" in repr(server):
            break
    async with open_client(server.endpoint) as conn:
        assert (await conn.recv()).type == "session.created"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "stopped" in repr(server)


async def test_emulator_bugs_surface_when_the_server_stops() -> None:
    class Broken(MockServer):
        def new_emulator(self, connection: MockServerConnection) -> Emulator:
            emulator = super().new_emulator(connection)

            def explode(event: Any) -> list[dict[str, Any]]:
                raise RuntimeError("emulator bug")

            emulator.receive = explode  # type: ignore[method-assign]
            return emulator

    from voicelive.exceptions import ConnectionClosedError

    async def session() -> None:
        async with Broken() as server, open_client(server.endpoint) as conn:
            await conn.recv()
            await conn.response.create()
            with pytest.raises(ConnectionClosedError) as closed:
                await conn.recv()
            assert closed.value.code == 1011

    with pytest.raises(RuntimeError, match="emulator bug"):
        await session()
