"""Conversation items, input audio buffer, turn-based audio, input text, misc client events."""

from __future__ import annotations

import base64

from testing_helpers import collect, encode, of_type, open_client, speech_like, tone, types

from voicelive.audio import PCM16_24K
from voicelive.testing import MockServer

USER = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "one"}]}


def user(text: str, item_id: str | None = None) -> dict[str, object]:
    item: dict[str, object] = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": text}],
    }
    if item_id:
        item["id"] = item_id
    return item


async def test_create_append_root_and_after_previous_item() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.conversation.item.create(item=user("a", "a"))
        await conn.conversation.item.create(item=user("b", "b"))
        await conn.conversation.item.create(item=user("root"), previous_item_id="root")
        await conn.conversation.item.create(item=user("after-a"), previous_item_id="a")
        events = await collect(conn, "conversation.item.created", count=4)
        emulator = server.connections[0].emulator
    assert [e.previous_item_id for e in events] == [None, "a", None, "a"]
    assert [e.item.id for e in events] == ["a", "b", "item_0001", "item_0002"]
    assert emulator is not None
    assert [item["id"] for item in emulator.conversation] == ["item_0001", "a", "item_0002", "b"]


async def test_item_kinds_and_their_server_form() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.conversation.item.create(
            item={
                "type": "message",
                "role": "system",
                "content": [{"type": "input_text", "text": "sys"}],
            }
        )
        await conn.conversation.item.create(
            item={
                "type": "message",
                "role": "assistant",
                "content": [{"type": "text", "text": "hi"}],
            }
        )
        await conn.conversation.item.create(
            item={"type": "function_call", "name": "f", "call_id": "c1", "arguments": "{}"}
        )
        await conn.conversation.item.create(
            item={"type": "function_call_output", "call_id": "c1", "output": "42"}
        )
        events = await collect(conn, "conversation.item.created", count=4)
    items = [e.item for e in events]
    assert [i.type for i in items] == [
        "message",
        "message",
        "function_call",
        "function_call_output",
    ]
    assert items[0].role == "system"
    assert items[1].content[0].text == "hi"
    assert items[2].call_id == "c1"
    assert items[3].output == "42"
    assert all(i.object == "realtime.item" for i in items)


async def test_item_errors() -> None:
    cases = [
        (
            {
                "type": "message",
                "role": "system",
                "content": [{"type": "input_audio", "audio": "AAAA"}],
            },
            "item.content[0].type",
        ),
        (
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "input_audio", "audio": "AAAA"}],
            },
            "item.content[0].type",
        ),
        ({"type": "function_call_output", "call_id": "nope", "output": "x"}, "item.call_id"),
        (user("dup", "dup"), "item.id"),
    ]
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.conversation.item.create(item=user("first", "dup"))
        await conn.recv()
        errors = []
        for item, _ in cases:
            await conn.conversation.item.create(item=item, event_id="e")
            errors.append(await conn.recv())
    assert [e.error.param for e in errors] == [param for _, param in cases]
    assert [e.error.code for e in errors] == ["invalid_value"] * 3 + ["item_already_exists"]
    assert "assistant audio" in errors[1].error.message


async def test_user_audio_item_retrieve_delete() -> None:
    audio = encode(tone(500, 24000), PCM16_24K)
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_audio", "audio": base64.b64encode(audio).decode()}],
            }
        )
        created = (await conn.recv()).item
        await conn.conversation.item.retrieve(item_id=created.id)
        retrieved = (await conn.recv()).item
        await conn.response.create(response={"modalities": ["text"]})
        response = await collect(conn)
        await conn.conversation.item.delete(item_id=created.id)
        deleted = await conn.recv()
        await conn.conversation.item.retrieve(item_id=created.id, event_id="gone")
        gone = await conn.recv()
    assert created.content[0].type == "input_audio"
    assert retrieved.content[0].audio == audio
    assert of_type(response, "response.text.done")[0].text == "You said: (audio 0.5 s)"
    assert deleted.type == "conversation.item.deleted"
    assert deleted.item_id == created.id
    assert (gone.error.code, gone.error.event_id) == ("item_not_found", "gone")


async def test_truncate_rules() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.conversation.item.create(item=user("hi", "u1"))
        await conn.recv()
        await conn.response.create()
        events = await collect(conn)
        assistant = of_type(events, "response.output_item.done")[0].item.id
        duration = 60 * len("You said: hi")
        await conn.conversation.item.truncate(
            item_id="u1", content_index=0, audio_end_ms=0, event_id="t1"
        )
        await conn.conversation.item.truncate(
            item_id=assistant, content_index=3, audio_end_ms=0, event_id="t2"
        )
        await conn.conversation.item.truncate(
            item_id=assistant, content_index=0, audio_end_ms=duration + 1, event_id="t3"
        )
        errors = [await conn.recv() for _ in range(3)]
        await conn.conversation.item.truncate(
            item_id=assistant, content_index=0, audio_end_ms=duration
        )
        ok = await conn.recv()
    assert [(e.error.event_id, e.error.param) for e in errors] == [
        ("t1", "item_id"),
        ("t2", "content_index"),
        ("t3", "audio_end_ms"),
    ]
    assert "beyond the audio" in errors[2].error.message
    assert ok.type == "conversation.item.truncated"


async def test_buffer_clear_and_commit_rules() -> None:
    async with (
        MockServer(session={"turn_detection": None}) as server,
        open_client(server.endpoint) as conn,
    ):
        await conn.recv()
        await conn.input_audio_buffer.append(audio=encode(tone(50, 24000), PCM16_24K))
        await conn.input_audio_buffer.commit(event_id="short")
        short = await conn.recv()
        await conn.input_audio_buffer.clear()
        cleared = await conn.recv()
        await conn.input_audio_buffer.append(audio=encode(tone(150, 24000), PCM16_24K))
        await conn.input_audio_buffer.commit()
        committed = await collect(conn, "conversation.item.created")
    assert short.error.code == "input_audio_buffer_commit_empty"
    assert "50.00ms" in short.error.message
    assert cleared.type == "input_audio_buffer.cleared"
    assert types(committed) == ["input_audio_buffer.committed", "conversation.item.created"]
    assert committed[0].item_id == committed[1].item.id
    # manual commit does not create a response
    assert server.connections[0].emulator is not None
    assert not server.connections[0].emulator.response_active


async def test_input_transcription_events_use_the_pluggable_transcriber() -> None:
    def transcriber(samples, rate):  # type: ignore[no-untyped-def]
        return f"heard {samples.shape[0]} samples at {rate} Hz"

    async with (
        MockServer(
            transcriber=transcriber,
            session={"turn_detection": None, "input_audio_transcription": {"model": "whisper-1"}},
        ) as server,
        open_client(server.endpoint) as conn,
    ):
        await conn.recv()
        await conn.input_audio_buffer.append(audio=encode(tone(200, 24000), PCM16_24K))
        await conn.input_audio_buffer.commit()
        events = await collect(conn, "conversation.item.input_audio_transcription.completed")
        await conn.conversation.item.retrieve(item_id=events[0].item_id)
        retrieved = (await conn.recv()).item
    deltas = of_type(events, "conversation.item.input_audio_transcription.delta")
    completed = events[-1]
    assert completed.transcript == "heard 4800 samples at 24000 Hz"
    assert "".join(d.delta for d in deltas) == completed.transcript
    assert retrieved.content[0].transcript == completed.transcript


async def test_turn_based_audio() -> None:
    audio = encode(speech_like([("tone", 400), ("silence", 100)], 24000), PCM16_24K)
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.input_audio.turn.start(turn_id="t1")
        await conn.input_audio.turn.append(turn_id="t1", audio=audio)
        await conn.input_audio.turn.end(turn_id="t1")
        events = await collect(conn)
        await conn.input_audio.turn.append(turn_id="zz", audio=audio, event_id="bad")
        unknown = await conn.recv()
        await conn.input_audio.turn.start(turn_id="t2")
        await conn.input_audio.turn.cancel(turn_id="t2")
        await conn.input_audio.turn.end(turn_id="t2", event_id="cancelled")
        cancelled = await conn.recv()
        await conn.input_audio.clear()
        cleared = await conn.recv()
    assert types(events)[:3] == [
        "input_audio_buffer.committed",
        "conversation.item.created",
        "response.created",
    ]
    assert (
        of_type(events, "response.audio_transcript.done")[0].transcript == "You said: (audio 0.5 s)"
    )
    assert (unknown.error.param, unknown.error.event_id) == ("turn_id", "bad")
    assert cancelled.error.event_id == "cancelled"
    assert cleared.type == "input_audio_buffer.cleared"


async def test_streamed_input_text() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.conversation.item.create(
            item={"type": "message", "role": "user", "content": [], "id": "u1"}
        )
        await conn.recv()
        await conn.input_text.delta(id="u1", delta="Hello ")
        await conn.input_text.delta(id="u1", delta="there")
        await conn.input_text.done(id="u1")
        await conn.input_text.delta(id="missing", delta="x", event_id="m")
        error = await conn.recv()
        await conn.response.create(response={"modalities": ["text"]})
        events = await collect(conn)
    assert (error.error.code, error.error.param) == ("item_not_found", "id")
    assert of_type(events, "response.text.done")[0].text == "You said: Hello there"


async def test_output_audio_buffer_clear_and_avatar_connect() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.output_audio_buffer.clear()
        cleared = await conn.recv()
        offer = (
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
        )
        await conn.session.connect_avatar(client_sdp=base64.b64encode(offer.encode()).decode())
        connecting = await conn.recv()
        await conn.session.connect_avatar(client_sdp="b2ZmZXI=")  # base64 of "offer": not SDP
        refused = await conn.recv()
    assert cleared.type == "output_audio_buffer.cleared"
    assert connecting.type == "session.avatar.connecting"
    assert base64.b64decode(connecting.server_sdp).startswith(b"v=0")
    assert refused.type == "error"
    assert refused.error.param == "client_sdp"
