"""Every resource method: the exact JSON the server receives (real aiohttp over loopback)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import numpy as np
import pytest
from azure.core.credentials import AzureKeyCredential
from pydantic import ValidationError

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.exceptions import LocalProtocolError
from voicelive.models import (
    ClientEventSessionUpdate,
    FunctionTool,
    RequestSession,
    ServerVad,
    UserMessageItem,
)
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("test-key")


async def _record(conn: MockServerConnection) -> None:
    async for _ in conn:
        pass


@pytest.fixture
async def pair() -> AsyncIterator[tuple[VoiceLiveConnection, MockServer]]:
    async with MockServer(_record) as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model="m") as client:
            yield client, server


async def _frames(server: MockServer, count: int) -> list[dict[str, Any]]:
    conn = await server.wait_for_connection()
    for _ in range(200):
        if len(conn.received_frames) >= count:
            break
        await asyncio.sleep(0.01)
    return [json.loads(frame) for frame in conn.received_frames]


Call = Callable[[VoiceLiveConnection], Awaitable[None]]

CASES: list[tuple[str, Call, dict[str, Any]]] = [
    (
        "session.update",
        lambda c: c.session.update(session={"instructions": "hi", "turn_detection": None}),
        {"type": "session.update", "session": {"instructions": "hi", "turn_detection": None}},
    ),
    (
        "session.update model",
        lambda c: c.session.update(
            session=RequestSession(
                voice="alloy",
                turn_detection=ServerVad(threshold=0.6),
                tools=[FunctionTool(name="f", parameters={"type": "object"})],
            ),
            event_id="e1",
        ),
        {
            "type": "session.update",
            "event_id": "e1",
            "session": {
                "voice": "alloy",
                "turn_detection": {"type": "server_vad", "threshold": 0.6},
                "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}],
            },
        },
    ),
    (
        "session.avatar.connect",
        lambda c: c.session.connect_avatar(client_sdp="c2Rw"),
        {"type": "session.avatar.connect", "client_sdp": "c2Rw"},
    ),
    (
        "response.create",
        lambda c: c.response.create(),
        {"type": "response.create"},
    ),
    (
        "response.create params",
        lambda c: c.response.create(
            response={"modalities": ["text"], "instructions": "x"},
            additional_instructions="more",
            event_id="r1",
        ),
        {
            "type": "response.create",
            "event_id": "r1",
            "response": {"modalities": ["text"], "instructions": "x"},
            "additional_instructions": "more",
        },
    ),
    (
        "response.cancel",
        lambda c: c.response.cancel(),
        {"type": "response.cancel"},
    ),
    (
        "response.cancel id",
        lambda c: c.response.cancel(response_id="resp_1"),
        {"type": "response.cancel", "response_id": "resp_1"},
    ),
    (
        "input_audio_buffer.append bytes",
        lambda c: c.input_audio_buffer.append(audio=b"\x01\x00\x02\x00"),
        {
            "type": "input_audio_buffer.append",
            "audio": base64.b64encode(b"\x01\x00\x02\x00").decode(),
        },
    ),
    (
        "input_audio_buffer.append base64 str",
        lambda c: c.input_audio_buffer.append(audio="AQACAA==", event_id="a1"),
        {"type": "input_audio_buffer.append", "event_id": "a1", "audio": "AQACAA=="},
    ),
    (
        "input_audio_buffer.append int16",
        lambda c: c.input_audio_buffer.append(audio=np.array([1, -1], dtype=np.int16)),
        {
            "type": "input_audio_buffer.append",
            "audio": base64.b64encode(np.array([1, -1], dtype="<i2").tobytes()).decode(),
        },
    ),
    (
        "input_audio_buffer.append float32",
        lambda c: c.input_audio_buffer.append(audio=np.array([0.0, 2.0, -2.0], dtype=np.float32)),
        {
            "type": "input_audio_buffer.append",
            "audio": base64.b64encode(np.array([0, 32767, -32768], dtype="<i2").tobytes()).decode(),
        },
    ),
    (
        "input_audio_buffer.commit",
        lambda c: c.input_audio_buffer.commit(),
        {"type": "input_audio_buffer.commit"},
    ),
    (
        "input_audio_buffer.clear",
        lambda c: c.input_audio_buffer.clear(event_id="x"),
        {"type": "input_audio_buffer.clear", "event_id": "x"},
    ),
    (
        "output_audio_buffer.clear",
        lambda c: c.output_audio_buffer.clear(),
        {"type": "output_audio_buffer.clear"},
    ),
    (
        "conversation.item.create",
        lambda c: c.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "hi"}],
            },
            previous_item_id="root",
        ),
        {
            "type": "conversation.item.create",
            "previous_item_id": "root",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "hi"}],
            },
        },
    ),
    (
        "conversation.item.create model",
        lambda c: c.conversation.item.create(
            item=UserMessageItem(content=[{"type": "input_text", "text": "yo"}])  # type: ignore[list-item]
        ),
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "yo"}],
            },
        },
    ),
    (
        "conversation.item.create function_call_output",
        lambda c: c.conversation.item.create(
            item={"type": "function_call_output", "call_id": "call_1", "output": "{}"}
        ),
        {
            "type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": "call_1", "output": "{}"},
        },
    ),
    (
        "conversation.item.retrieve",
        lambda c: c.conversation.item.retrieve(item_id="i1"),
        {"type": "conversation.item.retrieve", "item_id": "i1"},
    ),
    (
        "conversation.item.delete",
        lambda c: c.conversation.item.delete(item_id="i1", event_id="d"),
        {"type": "conversation.item.delete", "event_id": "d", "item_id": "i1"},
    ),
    (
        "conversation.item.truncate",
        lambda c: c.conversation.item.truncate(item_id="i1", content_index=0, audio_end_ms=1500),
        {
            "type": "conversation.item.truncate",
            "item_id": "i1",
            "content_index": 0,
            "audio_end_ms": 1500,
        },
    ),
    (
        "transcription_session.update",
        lambda c: c.transcription_session.update(session={"input_audio_format": "pcm16"}),
        {"type": "transcription_session.update", "session": {"input_audio_format": "pcm16"}},
    ),
    (
        "input_audio.turn.start",
        lambda c: c.input_audio.turn.start(turn_id="t"),
        {"type": "input_audio.turn.start", "turn_id": "t"},
    ),
    (
        "input_audio.turn.append",
        lambda c: c.input_audio.turn.append(turn_id="t", audio=b"\x00\x00"),
        {"type": "input_audio.turn.append", "turn_id": "t", "audio": "AAA="},
    ),
    (
        "input_audio.turn.end",
        lambda c: c.input_audio.turn.end(turn_id="t"),
        {"type": "input_audio.turn.end", "turn_id": "t"},
    ),
    (
        "input_audio.turn.cancel",
        lambda c: c.input_audio.turn.cancel(turn_id="t"),
        {"type": "input_audio.turn.cancel", "turn_id": "t"},
    ),
    (
        "input_audio.clear",
        lambda c: c.input_audio.clear(),
        {"type": "input_audio.clear"},
    ),
    (
        "input_text.delta",
        lambda c: c.input_text.delta(id="item", delta="hel", content_index=0),
        {"type": "input_text.delta", "id": "item", "delta": "hel", "content_index": 0},
    ),
    (
        "input_text.done",
        lambda c: c.input_text.done(id="item"),
        {"type": "input_text.done", "id": "item"},
    ),
    (
        "mcp approval",
        lambda c: c.mcp.respond_to_approval(approval_request_id="apr", approve=True),
        {
            "type": "conversation.item.create",
            "item": {
                "type": "mcp_approval_response",
                "approval_request_id": "apr",
                "approve": True,
            },
        },
    ),
    (
        "rtc.call.sdp.create",
        lambda c: c.rtc.create_call_sdp(sdp_offer="v=0"),
        {"type": "rtc.call.sdp.create", "sdp_offer": "v=0"},
    ),
    (
        "send dict",
        lambda c: c.send({"type": "response.cancel", "event_id": "z"}),
        {"type": "response.cancel", "event_id": "z"},
    ),
    (
        "send model",
        lambda c: c.send(ClientEventSessionUpdate(session=RequestSession(instructions="m"))),
        {"type": "session.update", "session": {"instructions": "m"}},
    ),
]


@pytest.mark.parametrize(
    ("call", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
async def test_exact_json_on_the_wire(
    pair: tuple[VoiceLiveConnection, MockServer], call: Call, expected: dict[str, Any]
) -> None:
    client, server = pair
    await call(client)
    frames = await _frames(server, 1)
    assert frames == [expected]


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.session.update(session={"instructionz": "typo"}),
        lambda c: c.session.update(
            session={"turn_detection": {"type": "server_vad", "threshold": "high"}}
        ),
        lambda c: c.conversation.item.truncate(item_id="i", content_index=0, audio_end_ms="soon"),
        lambda c: c.send({"type": "response.cancel", "bogus": 1}),
        lambda c: c.send({"type": "no.such.event"}),
        lambda c: c.conversation.item.create(item={"type": "message", "role": "user"}),
    ],
    ids=["typo", "bad-nested-type", "bad-int", "extra-key", "unknown-type", "missing-content"],
)
async def test_bad_input_raises_before_sending(
    pair: tuple[VoiceLiveConnection, MockServer], call: Call
) -> None:
    client, server = pair
    with pytest.raises(ValidationError):
        await call(client)
    await client.response.cancel(event_id="after")
    frames = await _frames(server, 1)
    assert frames == [{"type": "response.cancel", "event_id": "after"}]


async def test_validation_error_names_the_field(
    pair: tuple[VoiceLiveConnection, MockServer],
) -> None:
    client, _ = pair
    with pytest.raises(ValidationError, match="instructionz"):
        await client.session.update(session={"instructionz": "typo"})


@pytest.mark.parametrize(
    ("audio", "error", "match"),
    [
        ("not base64!!", LocalProtocolError, "base64"),
        (12345, TypeError, "audio must be"),
    ],
)
async def test_bad_audio_raises_before_sending(
    pair: tuple[VoiceLiveConnection, MockServer], audio: Any, error: type[Exception], match: str
) -> None:
    client, server = pair
    with pytest.raises(error, match=match):
        await client.input_audio_buffer.append(audio=audio)
    await client.input_audio_buffer.commit()
    assert await _frames(server, 1) == [{"type": "input_audio_buffer.commit"}]


async def test_concurrent_sends_never_interleave(
    pair: tuple[VoiceLiveConnection, MockServer],
) -> None:
    client, server = pair
    tasks, per_task = 20, 50

    async def sender(task: int) -> None:
        for i in range(per_task):
            await client.input_audio_buffer.append(
                audio=bytes([task, i]) * 800, event_id=f"{task}:{i}"
            )

    await asyncio.gather(*(sender(t) for t in range(tasks)))
    frames = await _frames(server, tasks * per_task)
    assert len(frames) == tasks * per_task
    seen: dict[int, list[int]] = {}
    for frame in frames:
        task, index = (int(x) for x in frame["event_id"].split(":"))
        assert base64.b64decode(frame["audio"]) == bytes([task, index]) * 800
        seen.setdefault(task, []).append(index)
    assert all(indices == list(range(per_task)) for indices in seen.values())
