"""PlaybackTracker: truncation clamped to what was received and played, for every format.

Every test drives the tracker through a real client connected over loopback: a scripted
:class:`~voicelive.testing.MockServer` sends the server frames, the client reads them (the
tracker observes what it reads) and the server records what the tracker sends.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential
from conversation_support import created, send_json, serve, session_dict

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.audio import PCM16_24K, AudioFormat
from voicelive.conversation import PlaybackTracker, Reconnected, connect_resilient
from voicelive.exceptions import WaitTimeoutError
from voicelive.models import (
    SERVER_EVENT_ADAPTER,
    ClientEvent,
    ClientEventConversationItemTruncate,
    ServerEvent,
)
from voicelive.testing import Fault, MockServer, MockServerConnection, synthesize_speech

TIMEOUT = 5.0


class Link:
    """A real client connected to a scripted loopback server.

    The server sent ``session.created`` and the scripted frames up front; the client reads
    them one by one with :meth:`deliver` (the tracker's observers fire on each read), so a
    test interleaves frames and ``tracker.played(...)`` calls exactly as it wants.
    """

    def __init__(
        self, server: MockServer, client: VoiceLiveConnection, inbox: asyncio.Queue[Any]
    ) -> None:
        self.server = server
        self.client = client
        self._inbox = inbox

    async def deliver(self, count: int = 1) -> list[ServerEvent]:
        """Read the next ``count`` server frames on the client."""
        return [await asyncio.wait_for(self.client.recv(), TIMEOUT) for _ in range(count)]

    async def sent(self, count: int) -> list[ClientEvent]:
        """The next ``count`` client events, as the server received them."""
        events = [await asyncio.wait_for(self._inbox.get(), TIMEOUT) for _ in range(count)]
        assert None not in events, "the client closed before sending them"
        return events

    async def rest(self) -> list[ClientEvent]:
        """Close the client; every further client event the server received before the close."""
        await self.client.close()
        events: list[ClientEvent] = []
        while (event := await asyncio.wait_for(self._inbox.get(), TIMEOUT)) is not None:
            events.append(event)
        return events


@contextlib.asynccontextmanager
async def scripted(*frames: dict[str, Any], **session: Any) -> AsyncIterator[Link]:
    """A loopback server sending ``session.created`` (``session`` overrides) then ``frames``."""
    inbox: asyncio.Queue[ClientEvent | None] = asyncio.Queue()

    async def handler(conn: MockServerConnection) -> None:
        await send_json(conn, created(session_dict(**session)))
        for frame in frames:
            await send_json(conn, frame)
        try:
            async for event in conn:
                inbox.put_nowait(event)
        finally:
            inbox.put_nowait(None)

    async with serve(handler) as (server, client):
        link = Link(server, client, inbox)
        (hello,) = await link.deliver()
        assert hello.type == "session.created"
        yield link


def manual(*frames: dict[str, Any]) -> contextlib.AbstractAsyncContextManager[Link]:
    """A session without turn detection (the app decides when the user interrupts)."""
    return scripted(*frames, turn_detection=None)


def audio(item: str, nbytes: int, response: str = "r1", index: int = 0) -> dict[str, Any]:
    return {
        "type": "response.audio.delta",
        "response_id": response,
        "item_id": item,
        "output_index": 0,
        "content_index": index,
        "delta": base64.b64encode(bytes(nbytes)).decode(),
    }


def audio_done(item: str, response: str = "r1") -> dict[str, Any]:
    return {
        "type": "response.audio.done",
        "response_id": response,
        "item_id": item,
        "output_index": 0,
        "content_index": 0,
    }


def response(kind: str, rid: str = "r1") -> dict[str, Any]:
    status = "in_progress" if kind == "created" else "completed"
    return {"type": f"response.{kind}", "response": {"id": rid, "status": status}}


def types(events: list[ClientEvent]) -> list[str]:
    return [event.type for event in events]


async def test_truncates_at_played_audio_for_pcm16_24k() -> None:
    late = audio("a1", 4_800)  # r1 keeps streaming while the client cancels it
    async with manual(response("created"), audio("a1", 48_000), late) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver(2)
        tracker.played("a1", 24_000)  # 500 ms of the 1000 ms received
        assert tracker.received_ms("a1") == 1000
        assert tracker.played_ms("a1") == 500
        assert tracker.response_in_progress == "r1"
        result = await tracker.interrupt()
        sent = await link.sent(2)
        assert types(sent) == ["response.cancel", "conversation.item.truncate"]
        truncate = sent[-1]
        assert isinstance(truncate, ClientEventConversationItemTruncate)
        assert (truncate.item_id, truncate.content_index, truncate.audio_end_ms) == ("a1", 0, 500)
        assert result.cancelled
        assert result.truncation is not None
        assert result.truncation.played_ms == 500
        assert result.skipped is None
        # nothing left to interrupt afterwards; late audio of the cancelled response is dropped
        (late_delta,) = await link.deliver()
        assert late_delta.type == "response.audio.delta"
        assert not tracker.should_play(late_delta)
        assert tracker.should_play(SERVER_EVENT_ADAPTER.validate_python(audio("b1", 2, "r2")))
        again = await tracker.interrupt()
        assert types(await link.rest()) == ["response.cancel"]  # r1 active until response.done
        assert again.truncation is None


async def test_overshoot_is_clamped_to_received_audio() -> None:
    async with manual(audio("a1", 4_800)) as link:  # 100 ms received so far
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        tracker.played("a1", ms=185)  # the app's clock ran ahead (pipecat#2106)
        result = await tracker.interrupt()
        assert result.truncation is not None
        assert result.truncation.audio_end_ms == 100
        assert result.truncation.received_ms == 100
        (truncate,) = await link.rest()  # no response.created seen: nothing to cancel
        assert isinstance(truncate, ClientEventConversationItemTruncate)
        assert truncate.audio_end_ms == 100


async def test_interruption_before_any_audio_was_played_sends_no_truncate() -> None:
    async with manual(response("created"), audio("a1", 9_600)) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver(2)
        result = await tracker.interrupt()
        assert types(await link.rest()) == ["response.cancel"]
        assert result.truncation is None
        assert result.skipped == "nothing played"
        assert result.unplayed_item_ids == ("a1",)
    # less than one millisecond played is "nothing played" too (no audio_end_ms=0)
    async with manual(audio("a1", 9_600)) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        tracker.played("a1", 46)  # 23 samples = 0.96 ms
        assert (await tracker.interrupt()).skipped == "nothing played"
        assert await link.rest() == []


async def test_multi_item_response_truncates_the_item_being_heard() -> None:
    async with manual(
        response("created"),
        audio("a1", 24_000),
        audio_done("a1"),
        audio("a2", 48_000),
        audio("a3", 4_800),
    ) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver(5)
        tracker.played("a1", 24_000)  # heard completely
        tracker.played("a2", 12_000)  # 250 ms of the second item
        result = await tracker.interrupt()
        assert result.truncation is not None
        assert (result.truncation.item_id, result.truncation.audio_end_ms) == ("a2", 250)
        assert result.unplayed_item_ids == ("a3",)
        cancel, truncate = await link.rest()
        assert cancel.type == "response.cancel"
        assert isinstance(truncate, ClientEventConversationItemTruncate)
        assert (truncate.item_id, truncate.audio_end_ms) == ("a2", 250)


async def test_fully_played_item_needs_no_truncation() -> None:
    async with manual(response("created"), audio("a1", 24_000), response("done")) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver(3)
        tracker.played("a1", 24_000)
        result = await tracker.interrupt()
        assert result.skipped == "fully played"
        assert await link.rest() == []  # nothing in progress, nothing to truncate
    # played everything received, but the server is still generating: truncate at received
    async with manual(audio("a1", 24_000)) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        tracker.played("a1", 24_000)
        result = await tracker.interrupt()
        assert result.truncation is not None
        assert result.truncation.audio_end_ms == 500
        (truncate,) = await link.rest()
        assert isinstance(truncate, ClientEventConversationItemTruncate)
        assert truncate.audio_end_ms == 500


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
    async with scripted(
        audio("a1", received), turn_detection=None, output_audio_format=fmt
    ) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        tracker.played("a1", played)
        assert tracker.received_ms("a1") == 1000
        truncation = tracker.truncation()
        assert truncation is not None
        assert truncation.audio_end_ms == expected_ms
        await tracker.interrupt()
        (truncate,) = await link.rest()
        assert isinstance(truncate, ClientEventConversationItemTruncate)
        assert truncate.audio_end_ms == expected_ms


async def test_played_ms_uses_the_format_the_item_was_received_in() -> None:
    # the session changes format after a1 started; a1 stays 8 kHz G.711
    pcm16 = session_dict(turn_detection=None, output_audio_format="pcm16")
    async with scripted(
        audio("a1", 8_000),
        {"type": "session.updated", "event_id": "e1", "session": pcm16},
        audio("x", 3_200),
        turn_detection=None,
        output_audio_format="g711_ulaw",
    ) as link:
        tracker = PlaybackTracker(link.client)
        fixed = PlaybackTracker(link.client, output_format=AudioFormat("pcm16", 16000))
        await link.deliver(2)
        assert link.client.protocol.session is not None
        assert link.client.protocol.session.output_audio_format == "pcm16"
        tracker.played("a1", ms=125)
        assert tracker.played_ms("a1") == 125
        assert tracker.truncation().audio_end_ms == 125  # type: ignore[union-attr]
        await link.deliver()
        assert fixed.received_ms("x") == 100  # a fixed format wins over the session's


async def test_auto_truncate_and_server_vad_cancel_policy() -> None:
    async with scripted(
        response("created"),
        audio("a1", 48_000),
        turn_detection={"type": "server_vad", "auto_truncate": True},
    ) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver(2)
        tracker.played("a1", 24_000)
        result = await tracker.interrupt()
        # server VAD cancels by itself (interrupt_response defaults on) and truncates by itself
        assert await link.rest() == []
        assert result.skipped == "auto_truncate"
        assert not result.cancelled
    async with scripted(response("created"), turn_detection={"type": "server_vad"}) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        result = await tracker.interrupt(cancel=True, clear_output=True)
        assert types(await link.rest()) == ["response.cancel", "output_audio_buffer.clear"]
        assert result.cleared
    async with scripted(
        response("created"), turn_detection={"type": "server_vad", "interrupt_response": False}
    ) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        await tracker.interrupt(truncate=False)
        assert types(await link.rest()) == ["response.cancel"]


async def test_truncated_event_and_reset_and_errors() -> None:
    truncated = {
        "type": "conversation.item.truncated",
        "item_id": "a1",
        "content_index": 0,
        "audio_end_ms": 400,
    }
    async with manual(audio("a1", 48_000), truncated) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        tracker.played("a1", 24_000)
        await link.deliver()  # the server truncated a1 already (another client, server VAD)
        assert (await tracker.interrupt()).skipped == "already truncated"
        assert await link.rest() == []
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
    async with scripted(audio("a", 4_800), turn_detection=None, output_audio_format="opus") as link:
        weird = PlaybackTracker(link.client)
        await link.deliver()
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


# ------------------------------------------------------------------------------ pinned edges


async def test_a_second_interruption_does_not_truncate_a_handled_item_again() -> None:
    async with manual(audio("a1", 48_000)) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        tracker.played("a1", 24_000)
        first = await tracker.interrupt(cancel=False)
        assert first.truncation is not None
        assert first.truncation.audio_end_ms == 500
        tracker.played("a1", 4_800)  # the device drained a little more of a1 after all
        second = await tracker.interrupt(cancel=False)
        assert second.truncation is None
        assert second.skipped == "nothing played"
        sent = await link.rest()
        assert types(sent) == ["conversation.item.truncate"]  # once, not twice


async def test_reset_forgets_the_active_response() -> None:
    """After a reconnect the old response is gone: an interruption must not cancel it."""
    async with manual(response("created")) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        assert tracker.response_in_progress == "r1"
        tracker.reset()
        assert tracker.response_in_progress is None
        result = await tracker.interrupt(cancel=True)
        assert not result.cancelled
        assert await link.rest() == []


async def test_a_late_response_done_does_not_end_the_current_response() -> None:
    async with manual(
        response("created", "r1"), response("created", "r2"), response("done", "r1")
    ) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver(3)
        assert tracker.response_in_progress == "r2"
        result = await tracker.interrupt(cancel=True)
        assert result.cancelled
        assert result.response_id == "r2"
        assert types(await link.rest()) == ["response.cancel"]


# ------------------------------------------------------------ behaviour pinned for users


async def test_response_audio_done_alone_marks_the_item_complete() -> None:
    async with manual(audio("a1", 24_000), audio_done("a1")) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver(2)
        tracker.played("a1", 24_000)
        result = await tracker.interrupt(cancel=False)
        assert result.skipped == "fully played"
        assert await link.rest() == []


async def test_playback_reported_before_the_audio_arrived_counts_for_that_item() -> None:
    async with manual(audio("a1", 48_000)) as link:
        tracker = PlaybackTracker(link.client)
        tracker.played("a1", ms=250)  # reported before the tracker saw a1's audio
        tracker.played("a1", 4_800)  # reports add up: 100 ms more
        tracker.played("a1", 0)  # nothing more: allowed
        await link.deliver()
        assert tracker.played_ms("a1") == 350
        result = await tracker.interrupt(cancel=False)
        assert result.truncation is not None
        assert (result.truncation.item_id, result.truncation.content_index) == ("a1", 0)
        assert result.truncation.audio_end_ms == 350


async def test_a_tracker_without_a_connection_counts_pcm16_24k() -> None:
    tracker = PlaybackTracker()
    assert tracker.played_ms("unknown") == 0.0
    assert tracker.received_ms("unknown") == 0.0
    tracker.played("x", ms=100)
    assert tracker.played_ms("x") == 100


async def test_interrupt_on_a_connection_given_to_the_call() -> None:
    async with manual() as link:
        tracker = PlaybackTracker()  # not attached: the connection comes with the call
        result = await tracker.interrupt(link.client)
        assert result.cancelled is False
        assert result.cleared is False
        assert result.skipped == "nothing played"
        assert await link.rest() == []


async def test_truncation_disabled_is_reported() -> None:
    async with manual(audio("a1", 48_000)) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        tracker.played("a1", 24_000)
        result = await tracker.interrupt(cancel=False, truncate=False)
        assert (result.truncation, result.skipped) == (None, "disabled")
        assert await link.rest() == []


async def test_error_messages_say_what_to_do() -> None:
    with pytest.raises(RuntimeError) as info:
        await PlaybackTracker().interrupt()
    assert str(info.value) == "PlaybackTracker.interrupt needs a connection (attach one)"
    with pytest.raises(ValueError) as value_info:
        PlaybackTracker().played("a1")
    assert str(value_info.value) == "give exactly one of nbytes or ms"


async def test_waiting_for_the_truncation_matches_our_item_and_honours_the_timeout() -> None:
    other = {
        "type": "conversation.item.truncated",
        "item_id": "someone-else",
        "content_index": 0,
        "audio_end_ms": 10,
    }
    async with manual(audio("a1", 48_000), other) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        tracker.played("a1", 24_000)
        with pytest.raises(WaitTimeoutError):  # another item's truncation is not ours
            await asyncio.wait_for(tracker.interrupt(cancel=False, wait=True, timeout=0.3), 10)


async def test_only_the_newest_items_are_remembered() -> None:
    async with manual(audio("a", 4_800), audio("b", 4_800), audio("c", 4_800)) as link:
        tracker = PlaybackTracker(link.client, max_items=2)
        await link.deliver(3)
        assert [tracker.received_ms(i) for i in "abc"] == [0, 100, 100]


async def test_response_events_without_their_response_object(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with manual(
        response("created"), {"type": "response.created"}, {"type": "response.done"}
    ) as link:
        tracker = PlaybackTracker(link.client)
        with caplog.at_level("ERROR", logger="voicelive"):
            await link.deliver(2)
            assert tracker.response_in_progress is None  # a new, unnamed response
            await link.deliver()
        assert caplog.records == []  # the observer handled both frames


async def test_unplayed_items_are_the_ones_after_the_item_being_heard() -> None:
    async with manual(audio("a0", 4_800), audio("a1", 48_000), audio("a2", 1)) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver(3)
        tracker.played("a1", 24_000)  # a0 was skipped by the app, a2 not reached yet
        tracker.played("z", 0)  # a report of nothing: no audio, not an unplayed item
        result = await tracker.interrupt(cancel=False)
        assert result.truncation is not None
        assert result.truncation.item_id == "a1"
        assert result.unplayed_item_ids == ("a2",)


async def test_one_byte_played_is_nothing_played_and_one_millisecond_is_truncated() -> None:
    async with manual(audio("a1", 4_800)) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        tracker.played("a1", 1)
        result = await tracker.interrupt(cancel=False)
        assert (result.skipped, result.unplayed_item_ids) == ("nothing played", ("a1",))
    async with manual(audio("a1", 4_800)) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        tracker.played("a1", 48)  # exactly 1 ms
        truncation = tracker.truncation()
        assert truncation is not None
        assert truncation.audio_end_ms == 1


async def test_an_unknown_turn_detection_type_is_taken_to_cancel_by_itself() -> None:
    async with scripted(response("created"), turn_detection={"type": "future_vad"}) as link:
        tracker = PlaybackTracker(link.client)
        await link.deliver()
        result = await tracker.interrupt()
        assert result.cancelled is False
        assert await link.rest() == []


async def test_a_reconnect_forgets_what_the_old_connection_played() -> None:
    faults = [Fault.drop().after("response.audio.delta")]
    async with (
        MockServer(faults=faults, emulator_options={"ms_per_char": 5}) as server,
        connect_resilient(
            endpoint=server.endpoint,
            credential=AzureKeyCredential("k"),
            model="m",
            session={"turn_detection": None},
            sleep=no_sleep,
            random=lambda: 0.5,
        ) as conn,
    ):
        tracker = PlaybackTracker(conn)
        await conn.response.create()
        item = ""
        async for event in conn:
            if event.type == "response.audio.delta":
                assert tracker.response_in_progress is not None
                item = event.item_id
                tracker.played(item, 2)
            if isinstance(event, Reconnected):
                break
        assert tracker.response_in_progress is None
        assert (tracker.received_ms(item), tracker.played_ms(item)) == (0, 0)
        assert tracker.truncation() is None


async def no_sleep(delay: float) -> None:
    pass


async def test_an_unknown_output_format_is_logged_and_counted_as_pcm16_24k(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with scripted(audio("a", 4_800), turn_detection=None, output_audio_format="opus") as link:
        tracker = PlaybackTracker(link.client)
        with caplog.at_level("WARNING", logger="voicelive"):
            await link.deliver()
        assert tracker.received_ms("a") == 100
        assert [r.getMessage() for r in caplog.records] == [
            "unknown output_audio_format 'opus'; counting audio as PCM16 24 kHz"
        ]


def test_events_without_a_response_id_are_played_and_256_items_are_remembered() -> None:
    tracker = PlaybackTracker(output_format=PCM16_24K)
    assert tracker.should_play(SERVER_EVENT_ADAPTER.validate_python(created()))
    for n in range(257):
        tracker.observe(SERVER_EVENT_ADAPTER.validate_python(audio(f"i{n}", 48)))
    assert (tracker.received_ms("i0"), tracker.received_ms("i1")) == (0, 1)  # oldest forgotten
