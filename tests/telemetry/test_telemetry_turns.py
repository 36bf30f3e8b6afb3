"""Span tree and metric values of a text turn, an audio turn with an interruption and a
function call, over a real loopback connection to a scripted MockServer."""

from __future__ import annotations

import asyncio
import json

from azure.core.credentials import AzureKeyCredential
from telemetry_support import (
    API_KEY,
    AUDIO_CHUNK,
    MODEL,
    ManualClock,
    Otel,
    attrs,
    audio_delta,
    children,
    clock,
    committed,
    event_names,
    function_call_output_item,
    message_output,
    otel,
    response_created,
    response_done,
    session_created,
    speech_started,
    speech_stopped,
    text_delta,
    tool_output_item,
    transcript_delta,
    user_audio_item,
    user_text_item,
)

from voicelive.aio import connect
from voicelive.models import ServerEventResponseCreated
from voicelive.testing import MockServer, MockServerConnection

__all__ = ["clock", "otel"]

KEY = AzureKeyCredential(API_KEY)


def _wire_sizes(server: MockServer) -> tuple[int, int]:
    conn = server.connections[0]
    sent = sum(len(frame) for frame in conn.sent)
    received = sum(len(frame) for frame in conn.received_frames)
    return sent, received


async def test_text_turn_span_tree_and_metrics(otel: Otel, clock: ManualClock) -> None:
    created_seen = asyncio.Event()

    async def handler(conn: MockServerConnection) -> None:
        await conn.send(session_created())
        async for event in conn:
            if event.type == "conversation.item.create":
                await conn.send(user_text_item("item_u1", "Weather in Paris?"))
            elif event.type == "response.create":
                await conn.send(response_created("resp_1"))
                await created_seen.wait()  # the client has timed the response's start
                clock.advance(0.03)
                await conn.send(transcript_delta("resp_1", "It is", 0))
                for i in range(4):
                    await conn.send(audio_delta("resp_1", i))
                await conn.send(transcript_delta("resp_1", " sunny.", 1))
                await conn.send(
                    response_done("resp_1", output=[message_output("resp_1", "It is sunny.")])
                )

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "Weather in Paris?"}],
                }
            )
            await conn.response.create()
            async for event in conn:
                if event.type == "response.created":
                    created_seen.set()
                if event.type == "response.done":
                    break
        server_sent, server_received = _wire_sizes(server)
        port = server.port

    spans = otel.spans()
    assert len(spans) == 3
    session, turn, response = otel.one("realtime"), otel.one("turn"), otel.one("chat")
    assert session.parent is None
    assert children(session, spans) == [turn]
    assert children(turn, spans) == [response]
    assert session.name == f"realtime {MODEL}"
    assert response.name == f"chat {MODEL}"

    s = attrs(session)
    assert s["gen_ai.system"] == "az.ai.voicelive"
    assert s["gen_ai.request.model"] == MODEL
    assert s["gen_ai.response.model"] == MODEL
    assert s["server.address"] == "127.0.0.1"
    assert s["server.port"] == port
    assert s["voicelive.api_version"] == "2026-07-15"
    assert s["voicelive.session.id"] == "sess_telemetry"
    assert s["voicelive.session.voice"] == "en-US-AvaNeural"
    assert s["voicelive.session.turn_detection"] == "server_vad"
    assert s["voicelive.close.code"] == 1000
    assert s["voicelive.session.turns"] == 1
    assert s["voicelive.session.responses"] == 1
    assert s["voicelive.session.bytes_received"] == server_sent
    assert s["voicelive.session.bytes_sent"] == server_received
    assert session.status.is_ok

    t = attrs(turn)
    assert t["voicelive.turn.trigger"] == "text"
    assert t["voicelive.turn.index"] == 1
    assert t["voicelive.turn.item_id"] == "item_u1"
    assert t["voicelive.turn.outcome"] == "completed"
    assert t["voicelive.turn.responses"] == 1
    assert 0.03 <= t["voicelive.turn.latency_to_first_audio"] < 0.03 + 1e-6
    assert "voicelive.first_audio" in event_names(turn)

    r = attrs(response)
    assert r["gen_ai.response.id"] == "resp_1"
    assert r["gen_ai.usage.input_tokens"] == 20
    assert r["gen_ai.usage.output_tokens"] == 30
    assert r["voicelive.usage.input_audio_tokens"] == 5
    assert r["voicelive.usage.output_audio_tokens"] == 27
    assert r["voicelive.response.status"] == "completed"
    assert r["gen_ai.response.finish_reasons"] == ("completed",)
    assert r["voicelive.response.audio_bytes"] == 4 * len(AUDIO_CHUNK)
    assert r["voicelive.response.function_calls"] == 0
    assert 0.03 <= r["voicelive.response.time_to_first_text"] < 0.03 + 1e-6
    # content is off by default
    for span in spans:
        assert not any(key.startswith("gen_ai.input") for key in attrs(span))
        assert "gen_ai.output.messages" not in attrs(span)
        assert "gen_ai.system_instructions" not in attrs(span)

    otel.collect()
    latency = otel.histogram(
        "voicelive.turn.latency_to_first_audio", voicelive__turn__trigger="text"
    )
    assert latency.count == 1
    assert 0.03 <= latency.sum < 0.03 + 1e-6
    assert latency.sum == t["voicelive.turn.latency_to_first_audio"]
    first_text = otel.histogram("voicelive.response.time_to_first_text")
    assert first_text.count == 1
    assert 0.03 <= first_text.sum < 0.03 + 1e-6
    duration = otel.histogram(
        "voicelive.response.duration", voicelive__response__status="completed"
    )
    assert duration.count == 1
    assert duration.sum >= first_text.sum
    assert otel.histogram("gen_ai.client.token.usage", gen_ai__token__type="input").sum == 20
    assert otel.histogram("gen_ai.client.token.usage", gen_ai__token__type="output").sum == 30
    assert otel.value("voicelive.interruptions") == 0
    assert otel.value("voicelive.bytes", network__io__direction="receive") == server_sent
    assert otel.value("voicelive.bytes", network__io__direction="transmit") == server_received
    events = {
        (p.attributes["voicelive.event.type"], p.attributes["network.io.direction"]): p.value
        for p in otel.points("voicelive.events")
    }
    assert events == {
        ("session.created", "receive"): 1,
        ("conversation.item.created", "receive"): 1,
        ("response.created", "receive"): 1,
        ("response.audio_transcript.delta", "receive"): 2,
        ("response.audio.delta", "receive"): 4,
        ("response.done", "receive"): 1,
        ("conversation.item.create", "transmit"): 1,
        ("response.create", "transmit"): 1,
    }
    for point in otel.points("voicelive.events"):
        assert point.attributes["gen_ai.request.model"] == MODEL
        assert point.attributes["server.address"] == "127.0.0.1"
    assert otel.value("voicelive.sessions.active") == 0


async def test_audio_turn_with_interruption(otel: Otel, clock: ManualClock) -> None:
    created_seen = {"resp_a": asyncio.Event(), "resp_b": asyncio.Event()}

    async def handler(conn: MockServerConnection) -> None:
        await conn.send(session_created())
        async for event in conn:
            if event.type != "input_audio_buffer.append":
                continue
            # First utterance: VAD, commit, a response that gets interrupted.
            await conn.send(speech_started("item_a"))
            await conn.send(speech_stopped("item_a"))
            await conn.send(committed("item_a"))
            await conn.send(user_audio_item("item_a"))
            await conn.send(response_created("resp_a"))
            await created_seen["resp_a"].wait()  # the client has seen the turn start
            clock.advance(0.05)
            for i in range(3):
                await conn.send(audio_delta("resp_a", i))
            # The user barges in: the server detects speech during the response.
            await conn.send(speech_started("item_b", 2000))
            await conn.send(
                response_done(
                    "resp_a", "cancelled", details={"type": "cancelled", "reason": "turn_detected"}
                )
            )
            await conn.send(speech_stopped("item_b", 2600))
            await conn.send(committed("item_b"))
            await conn.send(user_audio_item("item_b"))
            await conn.send(response_created("resp_b"))
            await created_seen["resp_b"].wait()
            clock.advance(0.02)
            for i in range(2):
                await conn.send(audio_delta("resp_b", i))
            await conn.send(response_done("resp_b"))
            return

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            await conn.input_audio_buffer.append(audio=b"\x00\x01" * 2400)
            done = 0
            async for event in conn:
                if isinstance(event, ServerEventResponseCreated):
                    created_seen[event.response.id or ""].set()
                if event.type == "response.done":
                    done += 1
                    if done == 2:
                        break

    spans = otel.spans()
    session = otel.one("realtime")
    turns = sorted(otel.by_op("turn"), key=lambda s: attrs(s)["voicelive.turn.index"])
    assert len(turns) == 2
    assert set(children(session, spans)) == set(turns)
    first, second = turns
    (resp_a,) = children(first, spans)
    (resp_b,) = children(second, spans)
    assert attrs(resp_a)["gen_ai.response.id"] == "resp_a"
    assert attrs(resp_b)["gen_ai.response.id"] == "resp_b"

    assert attrs(first)["voicelive.turn.trigger"] == "speech"
    assert attrs(first)["voicelive.turn.item_id"] == "item_a"
    assert attrs(first)["voicelive.turn.outcome"] == "cancelled"
    assert "voicelive.turn.barge_in" not in attrs(first)
    assert 0.05 <= attrs(first)["voicelive.turn.latency_to_first_audio"] < 0.05 + 1e-6
    assert "voicelive.speech_stopped" in event_names(first)
    assert attrs(second)["voicelive.turn.item_id"] == "item_b"
    assert attrs(second)["voicelive.turn.barge_in"] is True
    assert attrs(second)["voicelive.turn.outcome"] == "completed"
    # The second turn began (speech start) before the interrupted response ended.
    assert second.start_time < resp_a.end_time

    a = attrs(resp_a)
    assert a["voicelive.response.status"] == "cancelled"
    assert a["voicelive.response.status_reason"] == "turn_detected"
    assert a["gen_ai.response.finish_reasons"] == ("turn_detected",)
    assert a["voicelive.response.interrupted"] is True
    assert a["voicelive.response.audio_bytes"] == 3 * len(AUDIO_CHUNK)
    assert "voicelive.interruption" in event_names(resp_a)
    assert resp_a.status.is_unset  # a barge-in is not an error
    assert "voicelive.response.interrupted" not in attrs(resp_b)
    assert attrs(resp_b)["voicelive.response.audio_bytes"] == 2 * len(AUDIO_CHUNK)
    assert attrs(session)["voicelive.session.interruptions"] == 1

    otel.collect()
    assert otel.value("voicelive.interruptions") == 1
    latency = otel.histogram(
        "voicelive.turn.latency_to_first_audio", voicelive__turn__trigger="speech"
    )
    assert latency.count == 2
    assert 0.07 <= latency.sum < 0.07 + 2e-6
    assert otel.value("voicelive.response.duration", voicelive__response__status="cancelled") == 1
    assert otel.value("voicelive.response.duration", voicelive__response__status="completed") == 1
    assert otel.value("voicelive.response.time_to_first_text") == 0  # no text in this script
    events = {
        p.attributes["voicelive.event.type"]: p.value
        for p in otel.points("voicelive.events", network__io__direction="receive")
    }
    assert events["input_audio_buffer.speech_started"] == 2
    assert events["response.audio.delta"] == 5
    assert (
        otel.value(
            "voicelive.events",
            voicelive__event__type="input_audio_buffer.append",
            network__io__direction="transmit",
        )
        == 1
    )


async def test_function_call_keeps_the_turn_open_for_the_follow_up(otel: Otel) -> None:
    arguments = json.dumps({"city": "Paris"})

    async def handler(conn: MockServerConnection) -> None:
        await conn.send(session_created())
        responses = 0
        async for event in conn:
            if event.type == "conversation.item.create":
                item = event.item
                if item.type == "function_call_output":
                    await conn.send(tool_output_item("item_out", "call_1", '{"temp": 21}'))
                else:
                    await conn.send(user_text_item("item_u1", "Weather in Paris?"))
            elif event.type == "response.create":
                responses += 1
                if responses == 1:
                    await conn.send(response_created("resp_1"))
                    await conn.send(
                        {
                            "type": "response.function_call_arguments.done",
                            "event_id": "ev_args",
                            "response_id": "resp_1",
                            "item_id": "item_resp_1",
                            "output_index": 0,
                            "call_id": "call_1",
                            "name": "get_weather",
                            "arguments": arguments,
                        }
                    )
                    await conn.send(
                        response_done(
                            "resp_1",
                            output=[
                                function_call_output_item(
                                    "resp_1", "get_weather", "call_1", arguments
                                )
                            ],
                            tokens=(40, 12),
                        )
                    )
                else:
                    await conn.send(response_created("resp_2"))
                    await conn.send(text_delta("resp_2", "21 degrees."))
                    await conn.send(response_done("resp_2", tokens=(60, 8)))

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model=MODEL) as conn:
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "Weather in Paris?"}],
                }
            )
            await conn.response.create()
            async for event in conn:
                if event.type == "response.function_call_arguments.done":
                    await conn.conversation.item.create(
                        item={
                            "type": "function_call_output",
                            "call_id": event.call_id,
                            "output": '{"temp": 21}',
                        }
                    )
                    await conn.response.create()
                elif event.type == "response.done" and event.response.id == "resp_2":
                    break

    spans = otel.spans()
    session, turn = otel.one("realtime"), otel.one("turn")
    assert children(session, spans) == [turn]
    calls, answer = sorted(children(turn, spans), key=lambda s: s.start_time or 0)
    assert attrs(turn)["voicelive.turn.responses"] == 2
    assert attrs(turn)["voicelive.turn.outcome"] == "completed"
    assert turn.end_time == answer.end_time

    c = attrs(calls)
    assert c["gen_ai.response.id"] == "resp_1"
    assert c["voicelive.response.function_calls"] == 1
    assert c["voicelive.response.function_call_names"] == ("get_weather",)
    (tool_event,) = [e for e in calls.events if e.name == "gen_ai.tool.call"]
    assert tool_event.attributes == {
        "gen_ai.tool.name": "get_weather",
        "gen_ai.tool.call.id": "call_1",
    }  # no arguments without capture_content
    assert attrs(answer)["gen_ai.response.id"] == "resp_2"
    assert attrs(answer)["voicelive.response.function_calls"] == 0

    otel.collect()
    assert otel.histogram("gen_ai.client.token.usage", gen_ai__token__type="input").sum == 100
    assert otel.histogram("gen_ai.client.token.usage", gen_ai__token__type="output").sum == 20
    assert otel.value("voicelive.response.duration") == 2
    assert otel.value("voicelive.response.time_to_first_text") == 1
    assert otel.value("voicelive.turn.latency_to_first_audio") == 0  # text-only answer
