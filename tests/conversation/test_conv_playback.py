"""PlaybackTracker: truncation clamped to what was received and played, for every format."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import connect
from voicelive.audio import PCM16_24K, AudioFormat
from voicelive.conversation import PlaybackTracker
from voicelive.models import (
    SERVER_EVENT_ADAPTER,
    ClientEvent,
    ClientEventConversationItemTruncate,
    ResponseSession,
    ServerEvent,
)
from voicelive.testing import MockServer, synthesize_speech


class FakeConn:
    """Just enough of a connection for the tracker: a session, sends, observers."""

    def __init__(self, **session: Any) -> None:
        self.protocol = SimpleNamespace(session=ResponseSession.model_validate(session))
        self.sent: list[Any] = []
        self.observers: list[Any] = []

    async def send(self, event: ClientEvent) -> None:
        self.sent.append(event)

    def add_event_observer(self, observer: Any) -> None:
        self.observers.append(observer)

    def feed(self, payload: dict[str, Any]) -> None:
        event: ServerEvent = SERVER_EVENT_ADAPTER.validate_python(payload)
        for observer in self.observers:
            observer(event)

    def audio(self, item: str, nbytes: int, response: str = "r1", index: int = 0) -> None:
        self.feed(
            {
                "type": "response.audio.delta",
                "response_id": response,
                "item_id": item,
                "output_index": 0,
                "content_index": index,
                "delta": _b64(nbytes),
            }
        )

    def audio_done(self, item: str, response: str = "r1") -> None:
        self.feed(
            {
                "type": "response.audio.done",
                "response_id": response,
                "item_id": item,
                "output_index": 0,
                "content_index": 0,
            }
        )

    def response(self, kind: str, rid: str = "r1") -> None:
        self.feed({"type": f"response.{kind}", "response": {"id": rid}})

    def types(self) -> list[str]:
        return [event.type for event in self.sent]


def _b64(nbytes: int) -> str:
    import base64

    return base64.b64encode(bytes(nbytes)).decode()


def manual() -> FakeConn:
    return FakeConn(turn_detection=None)


async def test_truncates_at_played_audio_for_pcm16_24k() -> None:
    conn = manual()
    tracker = PlaybackTracker(conn)  # type: ignore[arg-type]
    conn.response("created")
    conn.audio("a1", 48_000)  # 1000 ms
    tracker.played("a1", 24_000)  # 500 ms
    assert tracker.received_ms("a1") == 1000
    assert tracker.played_ms("a1") == 500
    assert tracker.response_in_progress == "r1"
    result = await tracker.interrupt()
    assert conn.types() == ["response.cancel", "conversation.item.truncate"]
    truncate = conn.sent[-1]
    assert isinstance(truncate, ClientEventConversationItemTruncate)
    assert (truncate.item_id, truncate.content_index, truncate.audio_end_ms) == ("a1", 0, 500)
    assert result.cancelled
    assert result.truncation is not None
    assert result.truncation.played_ms == 500
    assert result.skipped is None
    # nothing left to interrupt afterwards; late audio of the cancelled response is dropped
    assert not tracker.should_play(SimpleNamespace(response_id="r1"))
    assert tracker.should_play(SimpleNamespace(response_id="r2"))
    conn.sent.clear()
    again = await tracker.interrupt()
    assert conn.types() == ["response.cancel"]  # r1 is still active until response.done
    assert again.truncation is None


async def test_overshoot_is_clamped_to_received_audio() -> None:
    conn = manual()
    tracker = PlaybackTracker(conn)  # type: ignore[arg-type]
    conn.audio("a1", 4_800)  # 100 ms received so far
    tracker.played("a1", ms=185)  # the app's clock ran ahead (pipecat#2106)
    result = await tracker.interrupt()
    assert result.truncation is not None
    assert result.truncation.audio_end_ms == 100
    assert result.truncation.received_ms == 100


async def test_interruption_before_any_audio_was_played_sends_no_truncate() -> None:
    conn = manual()
    tracker = PlaybackTracker(conn)  # type: ignore[arg-type]
    conn.response("created")
    conn.audio("a1", 9_600)
    result = await tracker.interrupt()
    assert conn.types() == ["response.cancel"]
    assert result.truncation is None
    assert result.skipped == "nothing played"
    assert result.unplayed_item_ids == ("a1",)
    # less than one millisecond played is "nothing played" too (no audio_end_ms=0)
    conn2 = manual()
    tracker2 = PlaybackTracker(conn2)  # type: ignore[arg-type]
    conn2.audio("a1", 9_600)
    tracker2.played("a1", 46)  # 23 samples = 0.96 ms
    assert (await tracker2.interrupt()).skipped == "nothing played"
    assert conn2.sent == []


async def test_multi_item_response_truncates_the_item_being_heard() -> None:
    conn = manual()
    tracker = PlaybackTracker(conn)  # type: ignore[arg-type]
    conn.response("created")
    conn.audio("a1", 24_000)
    conn.audio_done("a1")
    conn.audio("a2", 48_000)
    conn.audio("a3", 4_800)
    tracker.played("a1", 24_000)  # heard completely
    tracker.played("a2", 12_000)  # 250 ms of the second item
    result = await tracker.interrupt()
    assert result.truncation is not None
    assert (result.truncation.item_id, result.truncation.audio_end_ms) == ("a2", 250)
    assert result.unplayed_item_ids == ("a3",)


async def test_fully_played_item_needs_no_truncation() -> None:
    conn = manual()
    tracker = PlaybackTracker(conn)  # type: ignore[arg-type]
    conn.response("created")
    conn.audio("a1", 24_000)
    conn.response("done")
    tracker.played("a1", 24_000)
    result = await tracker.interrupt()
    assert result.skipped == "fully played"
    assert conn.sent == []  # nothing in progress, nothing to truncate
    # played everything received, but the server is still generating: truncate at received
    conn = manual()
    tracker = PlaybackTracker(conn)  # type: ignore[arg-type]
    conn.audio("a1", 24_000)
    tracker.played("a1", 24_000)
    result = await tracker.interrupt()
    assert result.truncation is not None
    assert result.truncation.audio_end_ms == 500


@pytest.mark.parametrize(
    ("fmt", "received", "played", "expected_ms"),
    [
        ("pcm16", 48_000, 12_000, 250),
        ("pcm16_16000hz", 32_000, 8_000, 250),
        ("pcm16_8000hz", 16_000, 4_002, 250),  # odd tail byte ignored
        ("pcm16-8000hz", 16_000, 4_000, 250),  # legacy spelling
        ("g711_ulaw", 8_000, 2_007, 250),  # 2007 samples = 250.875 ms -> 250
        ("g711_alaw", 8_000, 2_000, 250),
    ],
)
async def test_every_output_format(fmt: str, received: int, played: int, expected_ms: int) -> None:
    conn = FakeConn(turn_detection=None, output_audio_format=fmt)
    tracker = PlaybackTracker(conn)  # type: ignore[arg-type]
    conn.audio("a1", received)
    tracker.played("a1", played)
    assert tracker.received_ms("a1") == 1000
    truncation = tracker.truncation()
    assert truncation is not None
    assert truncation.audio_end_ms == expected_ms


async def test_played_ms_uses_the_format_the_item_was_received_in() -> None:
    conn = FakeConn(turn_detection=None, output_audio_format="g711_ulaw")
    tracker = PlaybackTracker(conn)  # type: ignore[arg-type]
    conn.audio("a1", 8_000)
    # the session changes format afterwards; a1 stays 8 kHz G.711
    conn.protocol.session = ResponseSession.model_validate({"output_audio_format": "pcm16"})
    tracker.played("a1", ms=125)
    assert tracker.played_ms("a1") == 125
    assert tracker.truncation().audio_end_ms == 125  # type: ignore[union-attr]
    fixed = PlaybackTracker(output_format=AudioFormat("pcm16", 16000))
    fixed.observe(SERVER_EVENT_ADAPTER.validate_python({"type": "response.audio.delta", "response_id": "r", "item_id": "x", "output_index": 0, "content_index": 0, "delta": _b64(3200)}))  # fmt: skip
    assert fixed.received_ms("x") == 100


async def test_auto_truncate_and_server_vad_cancel_policy() -> None:
    conn = FakeConn(turn_detection={"type": "server_vad", "auto_truncate": True})
    tracker = PlaybackTracker(conn)  # type: ignore[arg-type]
    conn.response("created")
    conn.audio("a1", 48_000)
    tracker.played("a1", 24_000)
    result = await tracker.interrupt()
    # server VAD cancels by itself (interrupt_response defaults on) and truncates by itself
    assert conn.sent == []
    assert result.skipped == "auto_truncate"
    assert not result.cancelled
    conn = FakeConn(turn_detection={"type": "server_vad"})
    tracker = PlaybackTracker(conn)  # type: ignore[arg-type]
    conn.response("created")
    result = await tracker.interrupt(cancel=True, clear_output=True)
    assert conn.types() == ["response.cancel", "output_audio_buffer.clear"]
    assert result.cleared
    conn = FakeConn(turn_detection={"type": "server_vad", "interrupt_response": False})
    tracker = PlaybackTracker(conn)  # type: ignore[arg-type]
    conn.response("created")
    await tracker.interrupt(truncate=False)
    assert conn.types() == ["response.cancel"]


async def test_truncated_event_and_reset_and_errors() -> None:
    conn = manual()
    tracker = PlaybackTracker(conn)  # type: ignore[arg-type]
    conn.audio("a1", 48_000)
    tracker.played("a1", 24_000)
    conn.feed(
        {
            "type": "conversation.item.truncated",
            "item_id": "a1",
            "content_index": 0,
            "audio_end_ms": 400,
        }
    )
    assert (await tracker.interrupt()).skipped == "already truncated"
    tracker.reset()
    assert tracker.truncation() is None
    assert tracker.received_ms("a1") == 0
    with pytest.raises(ValueError, match="exactly one"):
        tracker.played("a1")
    with pytest.raises(ValueError, match="negative"):
        tracker.played("a1", -2)
    with pytest.raises(RuntimeError, match="connection"):
        await PlaybackTracker().interrupt()
    assert "PlaybackTracker" in repr(tracker)
    unknown = FakeConn(turn_detection=None, output_audio_format="opus")
    weird = PlaybackTracker(unknown)  # type: ignore[arg-type]
    unknown.audio("a", 4800)
    assert weird.received_ms("a") == 100  # counted as PCM16 24 kHz


# ------------------------------------------------------------------------------ emulator


async def _first_audio(conn: Any) -> Any:
    return await conn.wait_for("response.audio.delta", timeout=5)


async def test_emulator_accepts_clamped_truncation_and_rejects_nothing() -> None:
    async with (
        MockServer(emulator_options={"ms_per_char": 40}) as server,
        connect(
            endpoint=server.endpoint, credential=AzureKeyCredential("k"), model="gpt-realtime"
        ) as conn,
    ):
        tracker = PlaybackTracker(conn)
        await conn.session.update(session={"turn_detection": None}, wait=True)
        await conn.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "tell me something long enough"}],
            },
            wait=True,
        )
        await conn.response.create()
        first = await _first_audio(conn)
        # claim far more than received: the truncation must still be accepted
        tracker.played(first.item_id, ms=60_000)
        result = await tracker.interrupt(wait=True)
        assert result.truncation is not None
        assert result.truncation.audio_end_ms <= tracker.received_ms(first.item_id)
        assert result.truncation.audio_end_ms > 0
        errors = [e for e in server.connections[0].sent if '"type":"error"' in e]
        assert errors == []


async def test_emulator_interruption_before_any_audio_played() -> None:
    async with (
        MockServer() as server,
        connect(
            endpoint=server.endpoint, credential=AzureKeyCredential("k"), model="gpt-realtime"
        ) as conn,
    ):
        tracker = PlaybackTracker(conn)
        await conn.session.update(session={"turn_detection": None}, wait=True)
        done = conn.expect("response.done")
        await conn.response.create()
        await conn.wait_for("response.created", timeout=5)
        result = await tracker.interrupt(wait=True)
        assert result.cancelled
        assert result.truncation is None
        final = await conn.wait_future(done, timeout=5)
        assert final.response.status == "cancelled"
        await asyncio.sleep(0.05)
        assert not any('"type":"error"' in frame for frame in server.connections[0].sent)


async def test_emulator_barge_in_with_server_vad() -> None:
    async with (
        MockServer(pace="realtime", emulator_options={"ms_per_char": 50}) as server,
        connect(
            endpoint=server.endpoint, credential=AzureKeyCredential("k"), model="gpt-realtime"
        ) as conn,
    ):
        tracker = PlaybackTracker(conn)
        await conn.session.update(
            session={"turn_detection": {"type": "server_vad", "silence_duration_ms": 200}},
            wait=True,
        )
        await conn.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "a fairly long question for you"}],
            },
            wait=True,
        )
        await conn.response.create()
        first = await _first_audio(conn)
        await asyncio.sleep(0.3)
        tracker.played(first.item_id, ms=300)  # the speaker played 300 ms so far
        speech, _ = synthesize_speech("stop", PCM16_24K, ms_per_char=100)
        speech_started = conn.expect("input_audio_buffer.speech_started")
        await conn.input_audio_buffer.append(audio=speech + bytes(9600))
        await conn.wait_future(speech_started, timeout=5)
        result = await tracker.interrupt(wait=True)
        assert not result.cancelled  # server VAD cancelled it already
        assert result.truncation is not None
        assert result.truncation.audio_end_ms == 300
