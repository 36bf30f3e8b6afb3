"""Optional features over real loopback connections: avatar/WebRTC signalling, animation and
video events, auto_truncate, failed transcription, idle timeouts, failed/incomplete responses,
warnings and rate limits."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from testing_helpers import collect, encode, open_client, speech_like, types

from voicelive.audio import PCM16_24K
from voicelive.models import RequestSession, ServerEventType
from voicelive.testing import Failure, MockServer, Reply, ScriptedResponder
from voicelive.testing._emulator import Emulator
from voicelive.testing._emulator._features import EMULATED_ICE_SERVERS, sdp_answer

OFFER = (
    "v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=recvonly\r\n"
    "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10\r\na=rtpmap:0 PCMU/8000\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=recvonly\r\n"
    "a=rtpmap:96 H264/90000\r\n"
)
LONG_TEXT = "This reply is long enough to be interrupted while it is still being spoken. " * 3


def _browser_offer() -> str:
    """What the official samples send: base64 of the RTCSessionDescription JSON."""
    return base64.b64encode(json.dumps({"type": "offer", "sdp": OFFER}).encode()).decode()


def _check_answer(sdp: str) -> None:
    lines = sdp.split("\r\n")
    assert sdp.endswith("\r\n")
    assert lines[0] == "v=0"
    assert lines[1].startswith("o=- ")
    assert lines[1].endswith(" IN IP4 127.0.0.1")
    assert "a=group:BUNDLE 0 1" in lines
    media = [line for line in lines if line.startswith("m=")]
    assert media == ["m=audio 9 UDP/TLS/RTP/SAVPF 111", "m=video 9 UDP/TLS/RTP/SAVPF 96"]
    assert "a=rtpmap:111 opus/48000/2" in lines
    assert "a=fmtp:111 minptime=10" in lines
    assert "a=rtpmap:0 PCMU/8000" not in lines  # only the chosen payload is answered
    assert lines.count("a=sendonly") == 2  # the mirror of the offer's recvonly
    assert all(line.count("=") >= 1 for line in lines if line)


async def test_avatar_session_gets_ice_servers_and_an_sdp_answer() -> None:
    avatar = {"character": "lisa", "customized": False, "style": "casual-sitting"}
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.session.update(session=RequestSession(avatar=avatar))
        updated = await conn.recv()
        await conn.session.connect_avatar(client_sdp=_browser_offer())
        connecting = await conn.recv()
    assert updated.type == "session.updated"
    ice = updated.session.avatar.ice_servers
    assert [s.urls for s in ice] == [EMULATED_ICE_SERVERS[0]["urls"]]
    answer = json.loads(base64.b64decode(connecting.server_sdp))
    assert answer["type"] == "answer"
    _check_answer(answer["sdp"])


async def test_given_ice_servers_are_kept() -> None:
    avatar = {
        "character": "lisa",
        "customized": False,
        "ice_servers": [{"urls": ["stun:stun.example.com:3478"]}],
    }
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.session.update(session=RequestSession(avatar=avatar))
        updated = await conn.recv()
    assert [s.urls for s in updated.session.avatar.ice_servers] == [["stun:stun.example.com:3478"]]


async def test_rtc_sdp_create_is_answered_or_refused() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.rtc.create_call_sdp(sdp_offer=OFFER)
        created = await conn.recv()
        await conn.rtc.create_call_sdp(sdp_offer="hello")
        failed = await conn.recv()
    assert created.type == "rtc.call.sdp.created"
    _check_answer(created.sdp_answer)  # raw SDP in, raw SDP out
    assert failed.type == "rtc.call.error"
    assert failed.operation == "sdp.create"
    assert failed.rtc_call_id != created.rtc_call_id
    assert "neither SDP text nor base64" in failed.error.message


def test_sdp_answer_refuses_offers_without_media() -> None:
    for offer in ("v=0\r\ns=-\r\n", "x=1\r\n", base64.b64encode(b"{}").decode()):
        try:
            sdp_answer(offer)
        except ValueError:
            continue
        raise AssertionError(f"accepted {offer!r}")


async def test_animation_visemes_blendshapes_timestamps_and_avatar_video() -> None:
    session = RequestSession(
        modalities=["text", "audio", "animation"],
        animation={"outputs": ["blendshapes", "viseme_id"]},
        output_audio_timestamp_types=["word"],
        avatar={"character": "lisa", "customized": False, "output_protocol": "websocket"},
    )
    responder = ScriptedResponder(["Hello brave new world"])
    async with MockServer(responder=responder) as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.session.update(session=session)
        await conn.recv()
        await conn.response.create()
        events = await collect(conn)
    names = types(events)
    visemes = [e for e in events if e.type == ServerEventType.RESPONSE_ANIMATION_VISEME_DELTA]
    words = [e for e in events if e.type == "response.audio_timestamp.delta"]
    assert [w.text for w in words] == ["Hello", "brave", "new", "world"]
    assert [v.audio_offset_ms for v in visemes] == [w.audio_offset_ms for w in words]
    assert all(0 <= v.viseme_id <= 21 for v in visemes)
    shapes = [e for e in events if e.type == "response.animation_blendshapes.delta"]
    audio = [e for e in events if e.type == "response.audio.delta"]
    assert len(shapes) == len(audio)
    index = 0
    for shape in shapes:  # frames are contiguous across deltas
        assert shape.frame_index == index
        assert all(len(frame) == 52 for frame in shape.frames)
        index += len(shape.frames)
    audio_ms = sum(len(a.delta) for a in audio) / 48  # pcm16 24 kHz: 48 bytes per ms
    assert abs(index - audio_ms * 30 / 1000) <= len(shapes)  # 30 frames per second of audio
    video = [e for e in events if e.type == "response.video.delta"]
    assert len(video) == len(audio)
    assert video[0].codec == "h264"
    assert names.index("session.avatar.switch_to_speaking") < names.index("response.audio.delta")
    done_order = [
        n
        for n in names
        if n
        in (
            "response.animation_blendshapes.done",
            "response.animation_viseme.done",
            "response.audio.done",
            "session.avatar.switch_to_idle",
        )
    ]
    assert done_order == [
        "response.animation_blendshapes.done",
        "response.animation_viseme.done",
        "response.audio.done",
        "session.avatar.switch_to_idle",
    ]


async def test_no_animation_without_the_animation_modality() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.session.update(session={"animation": {"outputs": ["viseme_id"]}})
        await conn.recv()
        await conn.response.create()
        events = await collect(conn)
    assert not [n for n in types(events) if "animation" in n or "video" in n]


async def _interrupted(trigger: str) -> tuple[list[Any], int]:
    """Play a long reply at real-time pace; after 3 audio chunks the app interrupts it.

    ``trigger`` ``"speech"``: the app streams speech (server VAD barge-in);
    ``"clear"``: the app sends ``output_audio_buffer.clear``. Returns the events and the
    bytes of assistant audio received before the truncation.
    """
    turn_detection = {"type": "server_vad", "auto_truncate": True}
    responder = ScriptedResponder([LONG_TEXT])
    speech = encode(speech_like([("tone", 600)], 24000), PCM16_24K)
    log: list[Any] = []
    received = 0
    async with MockServer(responder=responder, pace="realtime") as server:
        async with open_client(server.endpoint) as conn:
            await conn.recv()
            await conn.session.update(session=RequestSession(turn_detection=turn_detection))
            await conn.recv()
            await conn.response.create()

            async def app() -> int:
                nonlocal received
                chunks = 0
                async for event in conn:
                    log.append(event)
                    if event.type == ServerEventType.RESPONSE_AUDIO_DELTA:
                        received += len(event.delta)
                        chunks += 1
                        if chunks == 3 and trigger == "speech":
                            await conn.input_audio_buffer.append(audio=speech)
                        elif chunks == 3:
                            await conn.output_audio_buffer.clear()
                    elif event.type == "conversation.item.truncated":
                        return received
                raise AssertionError("connection ended")

            return log, await asyncio.wait_for(app(), 10.0)


async def test_auto_truncate_on_barge_in_cuts_at_the_audio_sent() -> None:
    events, received = await _interrupted("speech")
    names = types(events)
    truncated = events[-1]
    assert truncated.audio_end_ms == received // 48  # pcm16 24 kHz: 48 bytes per ms
    assert 300 <= truncated.audio_end_ms < 2000
    done = next(e for e in events if e.type == "response.done")
    assert done.response.status == "cancelled"
    assert done.response.status_details.reason == "turn_detected"
    assert names.index("input_audio_buffer.speech_started") < names.index("response.done")
    assert names.index("response.done") < names.index("conversation.item.truncated")
    assert truncated.item_id == done.response.output[0].id


async def test_auto_truncate_on_output_audio_clear() -> None:
    events, received = await _interrupted("clear")
    truncated = events[-1]
    assert truncated.audio_end_ms == received // 48
    done = next(e for e in events if e.type == "response.done")
    assert done.response.status_details.reason == "client_cancelled"


def _fail_transcriber(samples: NDArray[np.int16], rate: int) -> str:
    raise RuntimeError("audio too noisy to transcribe")


async def test_failed_transcription_is_reported_and_the_app_recovers() -> None:
    responder = ScriptedResponder(["Sorry, could you repeat that?", "Got it: hello."])
    async with MockServer(responder=responder, transcriber=_fail_transcriber) as server:
        async with open_client(server.endpoint) as conn:
            await conn.recv()
            await conn.session.update(
                session=RequestSession(
                    modalities=["text"],
                    input_audio_transcription={"model": "azure-speech"},
                    turn_detection=None,
                )
            )
            await conn.recv()
            await conn.input_audio_buffer.append(
                audio=encode(speech_like([("tone", 500)], 24000), PCM16_24K)
            )
            await conn.input_audio_buffer.commit()
            failed = None
            async for event in conn:  # the app answers a failed transcription with text
                if event.type == ServerEventType.CONVERSATION_ITEM_INPUT_AUDIO_TRANSCRIPTION_FAILED:
                    failed = event
                    await conn.conversation.item.create(
                        item={
                            "type": "message",
                            "role": "user",
                            "content": [{"type": "input_text", "text": "hello"}],
                        }
                    )
                    await conn.response.create()
                elif event.type == "response.done":
                    break
    assert failed is not None
    assert failed.error.code == "transcription_failed"
    assert failed.error.message == "audio too noisy to transcribe"
    assert responder.contexts[0].last_user_text == "hello"


async def test_idle_timeout_triggers_a_response() -> None:
    session = {"turn_detection": {"type": "server_vad", "idle_timeout_ms": 500}}
    responder = ScriptedResponder(["Are you still there?"])
    async with MockServer(responder=responder, session=session) as server:
        async with open_client(server.endpoint) as conn:
            await conn.recv()
            silence = encode(np.zeros(24 * 100, dtype=np.int16), PCM16_24K)
            for _ in range(4):  # 400 ms: not yet
                await conn.input_audio_buffer.append(audio=silence)
            await conn.session.update(session=RequestSession(instructions="x"))
            assert (await conn.recv()).type == "session.updated"  # nothing came before it
            await conn.input_audio_buffer.append(audio=silence)  # 500 ms
            events = await collect(conn)
    assert types(events)[:4] == [
        "input_audio_buffer.timeout_triggered",
        "input_audio_buffer.committed",
        "conversation.item.created",
        "response.created",
    ]
    assert events[0].audio_start_ms == 0
    assert events[0].audio_end_ms == 500
    assert events[1].item_id == events[0].item_id


async def test_failed_and_incomplete_responses_warnings_and_rate_limits() -> None:
    limits = [{"name": "tokens", "limit": 1000, "remaining": 10, "reset_seconds": 5.5}]
    responder = ScriptedResponder(
        [
            Reply(
                failure=Failure(code="rate_limit_exceeded", message="slow down"),
                rate_limits=limits,
            ),
            Reply(
                text="cut short",
                failure=Failure(status="incomplete", code="content_filter"),
                warning="filtered",
            ),
        ]
    )
    async with MockServer(responder=responder) as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.response.create(response={"modalities": ["text"]})
        first = await collect(conn, "rate_limits.updated")
        await conn.response.create(response={"modalities": ["text"]})
        second = await collect(conn)
    assert types(first) == ["response.created", "error", "response.done", "rate_limits.updated"]
    assert first[2].response.status == "failed"
    assert first[3].rate_limits[0].remaining == 10
    assert types(second)[-2:] == ["warning", "response.done"]
    assert second[-2].warning.message == "filtered"
    assert second[-1].response.status == "incomplete"
    assert second[-1].response.status_details.reason == "content_filter"
    assert second[-1].response.output[0].content[0].text == "cut short"


def test_the_emulator_is_still_one_public_entry() -> None:
    from voicelive import testing

    assert testing.Emulator is Emulator
    assert Emulator.__module__ == "voicelive.testing._emulator._core"


async def test_sip_call_events_on_request_reach_a_sample_style_handler() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        server_side = server.connections[0]
        assert server_side.emulator is not None
        for event in server_side.emulator.realtime_call_events(
            "incoming", "connected", "transfer.failed", "disconnected"
        ):
            await server_side.send(event)
        states: list[str] = []
        async for event in conn:
            if event.type == ServerEventType.REALTIME_CALL_INCOMING:
                states.append(f"ring {event.call_id} {event.state.value}")
            elif event.type == ServerEventType.REALTIME_CALL_CONNECTED:
                states.append(f"up {event.state.value}")
            elif event.type == ServerEventType.REALTIME_CALL_TRANSFER_FAILED:
                states.append(f"transfer {event.sip_code} {event.reason}")
            elif event.type == ServerEventType.REALTIME_CALL_DISCONNECTED:
                states.append(f"down {event.terminal_reason.value}")
                break
    assert states == [
        "ring sipcall_0001 WaitingForCustomer",
        "up Connected",
        "transfer 486 Busy Here",
        "down CustomerHangup",
    ]
    with pytest.raises(ValueError, match=r"unknown realtime\.call event 'ringing'"):
        Emulator().realtime_call_events("ringing")
