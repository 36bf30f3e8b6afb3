"""VoiceLiveRealtimeModel event by event, against a scripted MockServer on loopback.

Each Voice Live <-> GA name in the mapping table is tested both ways: the server sends the
Voice Live name, then the GA name, and the model must emit the same Agents SDK events.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
from agents.exceptions import UserError
from agents.realtime.model import RealtimePlaybackTracker
from agents.realtime.model_events import RealtimeModelEvent
from agents.realtime.model_inputs import (
    RealtimeModelSendAudio,
    RealtimeModelSendInterrupt,
    RealtimeModelSendRawMessage,
    RealtimeModelSendUserInput,
)
from agents_support import TIMEOUT, Recorder

from voicelive._protocol import Side, VoiceLiveProtocol
from voicelive.integrations.openai_agents import (
    GA_TO_VOICE_LIVE,
    VOICE_LIVE_TO_GA,
    VoiceLiveRealtimeModel,
    normalize_server_event,
)
from voicelive.integrations.openai_agents._names import voice_live_event_type
from voicelive.models import SERVER_EVENT_ADAPTER, ClientEvent
from voicelive.testing import MockServer, MockServerConnection
from voicelive.testing._emulator import default_session

AUDIO = bytes(range(96))  # 2 ms of PCM16 24 kHz
ITEM = {
    "id": "item_1",
    "type": "message",
    "role": "assistant",
    "status": "in_progress",
    "content": [{"type": "audio", "transcript": "hi"}],
}
SAMPLES: dict[str, dict[str, Any]] = {
    "response.audio.delta": {
        "response_id": "resp_1",
        "item_id": "item_1",
        "output_index": 0,
        "content_index": 0,
        "delta": base64.b64encode(AUDIO).decode(),
    },
    "response.audio.done": {
        "response_id": "resp_1",
        "item_id": "item_1",
        "output_index": 0,
        "content_index": 0,
    },
    "response.audio_transcript.delta": {
        "response_id": "resp_1",
        "item_id": "item_1",
        "output_index": 0,
        "content_index": 0,
        "delta": "hi",
    },
    "response.audio_transcript.done": {
        "response_id": "resp_1",
        "item_id": "item_1",
        "output_index": 0,
        "content_index": 0,
        "transcript": "hi",
    },
    "response.text.delta": {
        "response_id": "resp_1",
        "item_id": "item_1",
        "output_index": 0,
        "content_index": 0,
        "delta": "hi",
    },
    "response.text.done": {
        "response_id": "resp_1",
        "item_id": "item_1",
        "output_index": 0,
        "content_index": 0,
        "text": "hi",
    },
    "conversation.item.created": {"previous_item_id": None, "item": ITEM},
}
EXPECTED = {
    "response.audio.delta": "audio",
    "response.audio.done": "audio_done",
    "response.audio_transcript.delta": "transcript_delta",
    "response.audio_transcript.done": None,
    "response.text.delta": "output_text_delta",
    "response.text.done": None,
    "conversation.item.created": "item_updated",
}


class Scripted:
    """A MockServer handler the test drives: what it sends and what it received."""

    def __init__(self) -> None:
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.received: asyncio.Queue[ClientEvent] = asyncio.Queue()
        self.finished = asyncio.Event()  # set when a client connection ends

    async def __call__(self, conn: MockServerConnection) -> None:
        await conn.send({"type": "session.created", "event_id": "e0", "session": default_session()})

        async def pump() -> None:
            while True:
                await conn.send(await self.outbox.get())

        task = asyncio.ensure_future(pump())
        try:
            async for event in conn:
                await self.received.put(event)
        finally:
            task.cancel()
            self.finished.set()

    async def until(self, kind: str) -> list[ClientEvent]:
        """Every received client event up to and including the next one of type ``kind``."""
        seen: list[ClientEvent] = []

        async def run() -> list[ClientEvent]:
            while True:
                seen.append(await self.received.get())
                if seen[-1].type == kind:
                    return seen

        return await asyncio.wait_for(run(), TIMEOUT)

    async def next(self, kind: str) -> ClientEvent:
        """The next received client event of type ``kind`` (others are skipped)."""

        async def run() -> ClientEvent:
            while True:
                event = await self.received.get()
                if event.type == kind:
                    return event

        return await asyncio.wait_for(run(), TIMEOUT)

    def send(self, kind: str, **fields: Any) -> None:
        self.outbox.put_nowait({"type": kind, "event_id": "ev", **fields})


async def connected(server: MockServer, recorder: Recorder) -> VoiceLiveRealtimeModel:
    model = VoiceLiveRealtimeModel(model="gpt-realtime")
    model.add_listener(recorder)
    await model.connect({"url": server.endpoint, "api_key": "test-key"})
    return model


def translated(events: list[RealtimeModelEvent]) -> list[RealtimeModelEvent]:
    return [e for e in events if e.type not in ("raw_server_event", "connection_status")]


def test_the_tables_are_inverse_and_cover_every_renamed_event() -> None:
    assert {ga: vl for vl, ga in VOICE_LIVE_TO_GA.items()} == GA_TO_VOICE_LIVE
    assert set(SAMPLES) == set(VOICE_LIVE_TO_GA)


@pytest.mark.parametrize("name", sorted(VOICE_LIVE_TO_GA))
def test_a_ga_named_event_decodes_as_the_voice_live_event(name: str) -> None:
    client = VoiceLiveProtocol(Side.CLIENT)
    ga = client.decode_server_frame(json.dumps({"type": VOICE_LIVE_TO_GA[name], **SAMPLES[name]}))
    # voicelive decodes most GA names as unknown events (a few, like conversation.item.added,
    # have their own class); either way the adapter dispatches them under the Voice Live name.
    assert voice_live_event_type(normalize_server_event(ga).type) == name
    native = SERVER_EVENT_ADAPTER.validate_python({"type": name, **SAMPLES[name]})
    assert normalize_server_event(native) is native


@pytest.mark.parametrize("name", sorted(VOICE_LIVE_TO_GA))
async def test_each_mapping_emits_the_same_agents_event_under_both_names(name: str) -> None:
    script = Scripted()
    recorder = Recorder()
    async with MockServer(script) as server:
        model = await connected(server, recorder)
        try:
            for wire_name in (name, VOICE_LIVE_TO_GA[name]):
                script.send(wire_name, **SAMPLES[name])
            script.send("session.updated", session=default_session())  # a fence
            await recorder.wait(
                lambda e: e.type == "raw_server_event" and e.data.type == "session.updated"
            )
        finally:
            await model.close()
    events = translated(recorder.events)
    expected = EXPECTED[name]
    if expected is None:
        assert events == []
    else:
        assert [e.type for e in events] == [expected, expected]
        assert events[0] == events[1]
    if name == "response.audio.delta":
        assert events[0].data == AUDIO  # type: ignore[union-attr]


async def test_usage_turns_and_errors() -> None:
    script = Scripted()
    recorder = Recorder()
    usage = {
        "total_tokens": 30,
        "input_tokens": 10,
        "output_tokens": 20,
        "input_token_details": {"text_tokens": 4, "audio_tokens": 6, "cached_tokens": 0},
        "output_token_details": {"text_tokens": 5, "audio_tokens": 15},
    }
    async with MockServer(script) as server:
        model = await connected(server, recorder)
        try:
            script.send("response.created", response={"id": "resp_1", "status": "in_progress"})
            script.send(
                "response.done", response={"id": "resp_1", "status": "completed", "usage": usage}
            )
            script.send(
                "error", error={"type": "invalid_request_error", "code": "bad", "message": "no"}
            )
            await recorder.wait(lambda e: e.type == "error")
        finally:
            await model.close()
    events = translated(recorder.events)
    assert [e.type for e in events] == ["turn_started", "usage", "turn_ended", "error"]
    started, used, ended, error = events
    assert started.response_id == ended.response_id == "resp_1"  # type: ignore[union-attr]
    assert used.usage.input_tokens == 10  # type: ignore[union-attr]
    assert used.usage.output_tokens == 20  # type: ignore[union-attr]
    assert used.usage.total_tokens == 30  # type: ignore[union-attr]
    assert used.input_tokens_details.audio_tokens == 6  # type: ignore[union-attr]
    assert used.output_tokens_details.audio_tokens == 15  # type: ignore[union-attr]
    assert error.error.code == "bad"  # type: ignore[union-attr]


async def test_guardrail_cancel_only_cancels_the_active_response() -> None:
    script = Scripted()
    recorder = Recorder()
    async with MockServer(script) as server:
        model = await connected(server, recorder)
        try:
            script.send("response.created", response={"id": "resp_1", "status": "in_progress"})
            script.send("response.audio.delta", **SAMPLES["response.audio.delta"])
            await recorder.wait(lambda e: e.type == "audio")
            # A guardrail tripped on an older response: nothing is cancelled.
            await model.send_event(
                RealtimeModelSendInterrupt(response_id="resp_0", cancel_response_only=True)
            )
            # It tripped on the active one (what RealtimeSession sends): cancel + truncate.
            await model.send_event(
                RealtimeModelSendInterrupt(force_response_cancel=True, response_id="resp_1")
            )
            truncate = await script.next("conversation.item.truncate")
            cancel = await script.next("response.cancel")
            # Audio of the interrupted response that still arrives is not played.
            script.send("response.audio.delta", **SAMPLES["response.audio.delta"])
            script.send("response.done", response={"id": "resp_1", "status": "cancelled"})
            await recorder.wait(lambda e: e.type == "turn_ended")
        finally:
            await model.close()
    assert cancel.type == "response.cancel"
    assert truncate.item_id == "item_1"  # type: ignore[union-attr]
    kinds = [e.type for e in translated(recorder.events)]
    assert kinds == ["turn_started", "audio", "audio_interrupted", "turn_ended"]


async def test_user_input_waits_for_the_active_response_before_response_create() -> None:
    script = Scripted()
    recorder = Recorder()
    async with MockServer(script) as server:
        model = await connected(server, recorder)
        try:
            await script.next("session.update")
            script.send("response.created", response={"id": "resp_1", "status": "in_progress"})
            await recorder.wait(lambda e: e.type == "turn_started")
            send = asyncio.ensure_future(model.send_event(RealtimeModelSendUserInput("hi")))
            item = await script.next("conversation.item.create")
            assert not send.done()  # response.create is held while resp_1 is active
            script.send("response.done", response={"id": "resp_1", "status": "completed"})
            await asyncio.wait_for(send, TIMEOUT)
            await script.next("response.create")
            await model.send_event(RealtimeModelSendAudio(audio=AUDIO, commit=True))
            append = await script.next("input_audio_buffer.append")
            await script.next("input_audio_buffer.commit")
            await model.send_event(
                RealtimeModelSendRawMessage({"type": "input_audio_buffer.clear"})
            )
            await script.next("input_audio_buffer.clear")
        finally:
            await model.close()
    assert item.item.content[0].text == "hi"  # type: ignore[union-attr]
    assert base64.b64decode(append.audio) == AUDIO  # type: ignore[union-attr]


async def test_send_event_if_checks_the_condition_at_the_send() -> None:
    script = Scripted()
    async with MockServer(script) as server:
        model = await connected(server, Recorder())
        try:
            sent = await model.send_event_if(RealtimeModelSendUserInput("no"), lambda: False)
            assert sent is False
            sent = await model.send_event_if(RealtimeModelSendUserInput("yes"), lambda: True)
            assert sent is True
            item = await script.next("conversation.item.create")
        finally:
            await model.close()
    assert item.item.content[0].text == "yes"  # type: ignore[union-attr]


async def test_a_server_close_ends_the_stream() -> None:
    recorder = Recorder()

    async def closes(conn: MockServerConnection) -> None:
        await conn.send({"type": "session.created", "event_id": "e0", "session": default_session()})
        await conn.recv()  # the session.update
        await conn.close(1000)

    async with MockServer(closes) as server:
        model = await connected(server, recorder)
        try:
            await recorder.wait(lambda e: e.type == "end_of_stream")
        finally:
            await model.close()
    statuses = [e.status for e in recorder.events if e.type == "connection_status"]  # type: ignore[union-attr]
    assert statuses == ["connected", "disconnected"]


@pytest.mark.parametrize(
    ("played_ms", "active", "truncated_at"),
    [
        pytest.param(1.0, False, 1, id="partly-heard"),
        pytest.param(500.0, True, 2, id="past-the-end-while-streaming"),
        pytest.param(500.0, False, None, id="all-heard-and-done"),
    ],
)
async def test_barge_in_truncates_at_the_reported_playback(
    played_ms: float, active: bool, truncated_at: int | None
) -> None:
    script = Scripted()
    recorder = Recorder()
    tracker = RealtimePlaybackTracker()
    async with MockServer(script) as server:
        model = VoiceLiveRealtimeModel(model="gpt-realtime")
        model.add_listener(recorder)
        await model.connect({"url": server.endpoint, "api_key": "k", "playback_tracker": tracker})
        try:
            script.send("response.created", response={"id": "resp_1", "status": "in_progress"})
            script.send("response.audio.delta", **SAMPLES["response.audio.delta"])  # 2 ms
            if not active:
                script.send("response.done", response={"id": "resp_1", "status": "completed"})
                await recorder.wait(lambda e: e.type == "turn_ended")
            else:
                await recorder.wait(lambda e: e.type == "audio")
            tracker.on_play_ms("item_1", 0, played_ms)
            script.send("input_audio_buffer.speech_started", audio_start_ms=0, item_id="item_2")
            await recorder.wait(lambda e: e.type == "audio_interrupted")
            await model.send_event(
                RealtimeModelSendRawMessage({"type": "input_audio_buffer.clear"})
            )
            seen = await script.until("input_audio_buffer.clear")
        finally:
            await model.close()
    truncates = [e for e in seen if e.type == "conversation.item.truncate"]
    if truncated_at is None:
        assert truncates == []
    else:
        assert [(t.item_id, t.audio_end_ms) for t in truncates] == [("item_1", truncated_at)]  # type: ignore[union-attr]
    # Voice Live cancels the response itself on barge-in (interrupt_response defaults on).
    assert not [e for e in seen if e.type == "response.cancel"]
    assert tracker.get_state()["current_item_id"] is None


async def test_items_deleted_transcribed_and_idle_timeouts() -> None:
    script = Scripted()
    recorder = Recorder()
    async with MockServer(script) as server:
        model = await connected(server, recorder)
        try:
            script.send("conversation.item.deleted", item_id="item_9")
            script.send(
                "conversation.item.input_audio_transcription.completed",
                item_id="item_3",
                content_index=0,
                transcript="hello there",
            )
            script.send(
                "input_audio_buffer.timeout_triggered",
                item_id="item_4",
                audio_start_ms=100,
                audio_end_ms=5100,
            )
            await recorder.wait(lambda e: e.type == "input_audio_timeout_triggered")
        finally:
            await model.close()
    deleted, transcribed, timeout = translated(recorder.events)
    assert (deleted.type, deleted.item_id) == ("item_deleted", "item_9")  # type: ignore[union-attr]
    assert transcribed.type == "input_audio_transcription_completed"
    assert (transcribed.item_id, transcribed.transcript) == ("item_3", "hello there")  # type: ignore[union-attr]
    assert (timeout.item_id, timeout.audio_start_ms, timeout.audio_end_ms) == (  # type: ignore[union-attr]
        "item_4",
        100,
        5100,
    )


async def test_a_playback_only_interrupt_stops_audio_without_cancelling() -> None:
    script = Scripted()
    recorder = Recorder()
    async with MockServer(script) as server:
        model = await connected(server, recorder)
        try:
            script.send("response.created", response={"id": "resp_1", "status": "in_progress"})
            script.send("response.audio.delta", **SAMPLES["response.audio.delta"])
            await recorder.wait(lambda e: e.type == "audio")
            with pytest.raises(ValueError, match="playback_only"):
                await model.send_event(
                    RealtimeModelSendInterrupt(
                        response_id="resp_1", playback_only=True, force_response_cancel=True
                    )
                )
            await model.send_event(
                RealtimeModelSendInterrupt(response_id="resp_1", playback_only=True)
            )
            await model.send_event(
                RealtimeModelSendRawMessage({"type": "input_audio_buffer.clear"})
            )
            seen = await script.until("input_audio_buffer.clear")
        finally:
            await model.close()
    kinds = [e.type for e in seen]
    assert "conversation.item.truncate" in kinds
    assert "response.cancel" not in kinds
    assert [e.type for e in translated(recorder.events)][-1] == "audio_interrupted"


async def test_a_refused_initial_setting_closes_the_connection() -> None:
    script = Scripted()
    async with MockServer(script) as server:
        model = VoiceLiveRealtimeModel(model="gpt-realtime")
        with pytest.raises(UserError, match="instructions"):
            await model.connect(
                {
                    "url": server.endpoint,
                    "api_key": "k",
                    "initial_model_settings": {"prompt": {"id": "pmpt_1"}},
                }
            )
        await asyncio.wait_for(script.finished.wait(), TIMEOUT)
        # The model can connect again afterwards.
        await model.connect({"url": server.endpoint, "api_key": "k"})
        await model.close()
    assert len(server.connections) == 2
