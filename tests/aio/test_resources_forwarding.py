"""Every argument of every resource method reaches the wire (``event_id`` included), with and
without ``wait=True``; the waiting forms honour ``timeout``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.conversation import SessionMismatchError
from voicelive.exceptions import WaitTimeoutError
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("test-key")

Call = Callable[[VoiceLiveConnection], Awaitable[object]]

CASES: list[tuple[Call, dict[str, Any]]] = [
    (
        lambda c: c.session.update(session={"instructions": "i"}, event_id="e"),
        {"type": "session.update", "session": {"instructions": "i"}, "event_id": "e"},
    ),
    (
        lambda c: c.session.connect_avatar(client_sdp="c2Rw", event_id="e"),
        {"type": "session.avatar.connect", "client_sdp": "c2Rw", "event_id": "e"},
    ),
    (
        lambda c: c.input_audio_buffer.commit(event_id="e"),
        {"type": "input_audio_buffer.commit", "event_id": "e"},
    ),
    (
        lambda c: c.output_audio_buffer.clear(event_id="e"),
        {"type": "output_audio_buffer.clear", "event_id": "e"},
    ),
    (
        lambda c: c.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "t"}],
            },
            previous_item_id="p",
            event_id="e",
        ),
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "t"}],
            },
            "previous_item_id": "p",
            "event_id": "e",
        },
    ),
    (
        lambda c: c.conversation.item.retrieve(item_id="i", event_id="e"),
        {"type": "conversation.item.retrieve", "item_id": "i", "event_id": "e"},
    ),
    (
        lambda c: c.conversation.item.truncate(
            item_id="i", content_index=0, audio_end_ms=10, event_id="e"
        ),
        {
            "type": "conversation.item.truncate",
            "item_id": "i",
            "content_index": 0,
            "audio_end_ms": 10,
            "event_id": "e",
        },
    ),
    (
        lambda c: c.transcription_session.update(
            session={"input_audio_format": "pcm16"}, event_id="e"
        ),
        {
            "type": "transcription_session.update",
            "session": {"input_audio_format": "pcm16"},
            "event_id": "e",
        },
    ),
    (
        lambda c: c.input_audio.turn.start(turn_id="t", event_id="e"),
        {"type": "input_audio.turn.start", "turn_id": "t", "event_id": "e"},
    ),
    (
        lambda c: c.input_audio.turn.append(turn_id="t", audio="AAA=", event_id="e"),
        {"type": "input_audio.turn.append", "turn_id": "t", "audio": "AAA=", "event_id": "e"},
    ),
    (
        lambda c: c.input_audio.turn.end(turn_id="t", event_id="e"),
        {"type": "input_audio.turn.end", "turn_id": "t", "event_id": "e"},
    ),
    (
        lambda c: c.input_audio.turn.cancel(turn_id="t", event_id="e"),
        {"type": "input_audio.turn.cancel", "turn_id": "t", "event_id": "e"},
    ),
    (
        lambda c: c.input_audio.clear(event_id="e"),
        {"type": "input_audio.clear", "event_id": "e"},
    ),
    (
        lambda c: c.input_text.delta(id="it", delta="d", content_index=1, event_id="e"),
        {"type": "input_text.delta", "id": "it", "delta": "d", "content_index": 1, "event_id": "e"},
    ),
    (
        lambda c: c.input_text.done(id="it", content_index=1, event_id="e"),
        {"type": "input_text.done", "id": "it", "content_index": 1, "event_id": "e"},
    ),
    (
        lambda c: c.mcp.respond_to_approval(
            approval_request_id="a", approve=False, previous_item_id="p", event_id="e"
        ),
        {
            "type": "conversation.item.create",
            "item": {"type": "mcp_approval_response", "approval_request_id": "a", "approve": False},
            "previous_item_id": "p",
            "event_id": "e",
        },
    ),
    (
        lambda c: c.rtc.create_call_sdp(sdp_offer="v=0", session={"voice": "alloy"}, event_id="e"),
        {
            "type": "rtc.call.sdp.create",
            "sdp_offer": "v=0",
            "session": {"voice": "alloy"},
            "event_id": "e",
        },
    ),
    (
        lambda c: c.input_audio_buffer.append_audio(
            bytes(16), sample_rate=24000, channels=2, event_id="e"
        ),  # 4 stereo frames, downmixed to 4 mono samples
        {"type": "input_audio_buffer.append", "audio": "AAAAAAAAAAA=", "event_id": "e"},
    ),
]


@pytest.mark.parametrize(("call", "expected"), CASES, ids=[c[1]["type"] for c in CASES])
async def test_every_argument_reaches_the_wire(call: Call, expected: dict[str, Any]) -> None:
    frames: asyncio.Queue[str | bytes] = asyncio.Queue()

    async def handler(conn: MockServerConnection) -> None:
        while True:
            frames.put_nowait(await conn.recv_frame())

    async with (
        MockServer(handler) as server,
        connect(endpoint=server.endpoint, credential=KEY) as client,
    ):
        await call(client)
        frame = await asyncio.wait_for(frames.get(), 5)
    sent = json.loads(frame)
    if sent["type"] == "input_audio.turn.append":
        expected = {**expected, "audio": sent["audio"]}  # bytes or base64 text: both accepted
    assert sent == expected


async def test_waiting_forms_send_their_event_id_and_return_the_reply() -> None:
    async with MockServer() as server, connect(endpoint=server.endpoint, credential=KEY) as conn:
        session = await conn.session.update(
            session={"instructions": "be brief"}, event_id="u1", wait=True
        )
        assert session.instructions == "be brief"
        await conn.input_audio_buffer.append(audio=bytes(4800))
        committed = await conn.input_audio_buffer.commit(event_id="c1", wait=True)
        assert committed.type == "input_audio_buffer.committed"
        item = await conn.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "x"}],
            },
            previous_item_id=committed.item_id,
            event_id="i1",
            wait=True,
        )
        assert item.type == "message"
        received = [(e.type, e.event_id) for e in server.received if e.event_id]
        create = next(e for e in server.received if e.type == "conversation.item.create")
    assert ("session.update", "u1") in received
    assert ("input_audio_buffer.commit", "c1") in received
    assert ("conversation.item.create", "i1") in received
    assert create.previous_item_id == committed.item_id


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.session.update(session={"voice": "alloy"}, wait=True, timeout=0.05),
        lambda c: c.input_audio_buffer.commit(wait=True, timeout=0.05),
        lambda c: c.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "x"}],
            },
            wait=True,
            timeout=0.05,
        ),
    ],
    ids=["session.update", "commit", "item.create"],
)
async def test_waiting_forms_honour_their_timeout(call: Call) -> None:
    async def silent(conn: MockServerConnection) -> None:
        async for _ in conn:
            pass

    async with (
        MockServer(silent) as server,
        connect(endpoint=server.endpoint, credential=KEY) as client,
    ):
        with pytest.raises(WaitTimeoutError, match=r"within 0\.05 s"):
            await asyncio.wait_for(call(client), 5)


async def test_session_update_forwards_on_mismatch() -> None:
    async def other_voice(conn: MockServerConnection) -> None:
        async for event in conn:
            if event.type == "session.update":
                await conn.send(
                    {
                        "type": "session.updated",
                        "event_id": "s1",
                        "session": {"voice": "echo"},
                    }
                )

    async with (
        MockServer(other_voice) as server,
        connect(endpoint=server.endpoint, credential=KEY) as client,
    ):
        with pytest.raises(SessionMismatchError):
            await client.session.update(
                session={"voice": "alloy"}, wait=True, on_mismatch="raise", timeout=5
            )
