"""Server VAD emulated on the real audio: every input format and rate, options, speed."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pytest
from testing_helpers import (
    chunks,
    collect,
    encode,
    of_type,
    open_client,
    send_audio,
    silence,
    speech_like,
    tone,
    types,
)

from voicelive.audio import G711_ALAW, G711_ULAW, PCM16_8K, PCM16_16K, PCM16_24K, AudioFormat
from voicelive.testing import Emulator, EnergyVad, MockServer, ScriptedResponder

TURN = [("silence", 600), ("tone", 1000), ("silence", 700)]

FORMATS = [
    pytest.param({"input_audio_format": "pcm16"}, PCM16_24K, id="pcm16-24k"),
    pytest.param(
        {"input_audio_format": "pcm16", "input_audio_sampling_rate": 16000},
        PCM16_16K,
        id="pcm16-16k",
    ),
    pytest.param(
        {"input_audio_format": "pcm16", "input_audio_sampling_rate": 8000}, PCM16_8K, id="pcm16-8k"
    ),
    pytest.param(
        {"input_audio_format": "g711_ulaw", "input_audio_sampling_rate": 8000}, G711_ULAW, id="ulaw"
    ),
    pytest.param(
        {"input_audio_format": "g711_alaw", "input_audio_sampling_rate": 8000}, G711_ALAW, id="alaw"
    ),
]


def appends(data: bytes, fmt: AudioFormat, ms: int = 20) -> list[dict[str, Any]]:
    return [
        {"type": "input_audio_buffer.append", "audio": base64.b64encode(c).decode()}
        for c in chunks(data, fmt, ms)
    ]


def feed(emulator: Emulator, data: bytes, fmt: AudioFormat, ms: int = 20) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for event in appends(data, fmt, ms):
        events += emulator.receive(event)
        events += emulator.drain()
    return events


@pytest.mark.parametrize(("session", "fmt"), FORMATS)
async def test_vad_turn_in_every_input_format(session: dict[str, Any], fmt: AudioFormat) -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.session.update(session=session)
        updated = await collect(conn, "session.updated")
        assert updated[-1].session.input_audio_format == session["input_audio_format"]
        await send_audio(conn, encode(speech_like(TURN, fmt.sample_rate), fmt), fmt)
        events = await collect(conn)
    started = of_type(events, "input_audio_buffer.speech_started")[0]
    stopped = of_type(events, "input_audio_buffer.speech_stopped")[0]
    assert started.audio_start_ms == 200
    assert stopped.audio_end_ms == 2100
    transcript = of_type(events, "response.audio_transcript.done")[0].transcript
    assert transcript == "You said: (audio 1.9 s)"


@pytest.mark.parametrize(
    ("output_format", "fmt"),
    [
        ("pcm16", PCM16_24K),
        ("pcm16_16000hz", PCM16_16K),
        ("pcm16_8000hz", PCM16_8K),
        ("g711_ulaw", G711_ULAW),
        ("g711_alaw", G711_ALAW),
    ],
)
async def test_output_audio_in_every_output_format(output_format: str, fmt: AudioFormat) -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.session.update(session={"output_audio_format": output_format})
        await conn.response.create()
        events = await collect(conn)
    audio = b"".join(e.delta for e in of_type(events, "response.audio.delta"))
    text = "Hello! How can I help you?"
    assert len(audio) == fmt.ms_to_bytes(60 * len(text))
    assert events[-1].response.output_audio_format == output_format
    # the emulated speech is speech to the emulated VAD as well
    vad = EnergyVad(fmt.sample_rate)
    from voicelive.audio import decode_from_wire

    detections = vad.process(decode_from_wire(audio, fmt)) + vad.process(
        np.zeros(fmt.sample_rate, dtype=np.int16)
    )
    assert [d.kind for d in detections] == ["start", "stop"]


@pytest.mark.parametrize(
    ("kind", "prefix"),
    [
        ("server_vad", 400),
        ("azure_semantic_vad", 420),
        ("azure_semantic_vad_en", 420),
        ("azure_semantic_vad_multilingual", 420),
    ],
)
def test_semantic_vad_types_are_emulated_with_the_same_detector(kind: str, prefix: int) -> None:
    emulator = Emulator(session={"turn_detection": {"type": kind}})
    assert emulator.session["turn_detection"]["prefix_padding_ms"] == prefix
    events = feed(emulator, encode(speech_like(TURN, 24000), PCM16_24K), PCM16_24K)
    started = of_type(events, "input_audio_buffer.speech_started")[0]
    stopped = of_type(events, "input_audio_buffer.speech_stopped")[0]
    assert started["audio_start_ms"] == 600 - prefix
    assert stopped["audio_end_ms"] == 2100
    assert of_type(events, "response.done")[0]["response"]["status"] == "completed"


def test_openai_semantic_vad_is_accepted_too() -> None:
    emulator = Emulator()
    updated = emulator.receive(
        {
            "type": "session.update",
            "session": {"turn_detection": {"type": "semantic_vad", "eagerness": "low"}},
        }
    )
    assert updated[0]["session"]["turn_detection"]["eagerness"] == "low"
    events = feed(emulator, encode(speech_like(TURN, 24000), PCM16_24K), PCM16_24K)
    assert "input_audio_buffer.speech_stopped" in types(events)


def test_threshold_decides_what_is_speech() -> None:
    quiet = np.concatenate([tone(1000, 24000, amp=0.003), silence(700, 24000)])  # about -53 dBFS
    loud = Emulator()
    assert "input_audio_buffer.speech_started" not in types(
        feed(loud, encode(quiet, PCM16_24K), PCM16_24K)
    )
    sensitive = Emulator(session={"turn_detection": {"type": "server_vad", "threshold": 0.1}})
    assert "input_audio_buffer.speech_started" in types(
        feed(sensitive, encode(quiet, PCM16_24K), PCM16_24K)
    )


def test_silence_duration_and_prefix_padding_are_honoured() -> None:
    emulator = Emulator(
        session={
            "turn_detection": {
                "type": "server_vad",
                "silence_duration_ms": 200,
                "prefix_padding_ms": 100,
            }
        }
    )
    audio = speech_like(
        [("silence", 500), ("tone", 400), ("silence", 300), ("tone", 400), ("silence", 300)], 24000
    )
    events = feed(emulator, encode(audio, PCM16_24K), PCM16_24K)
    starts = [e["audio_start_ms"] for e in of_type(events, "input_audio_buffer.speech_started")]
    stops = [e["audio_end_ms"] for e in of_type(events, "input_audio_buffer.speech_stopped")]
    assert starts == [400, 1100]
    assert stops == [1100, 1800]
    assert len(of_type(events, "response.done")) == 2


def test_short_blips_are_not_speech() -> None:
    emulator = Emulator()  # speech_duration_ms 200 for server_vad
    blip = speech_like([("tone", 150), ("silence", 800)], 24000)
    assert types(feed(emulator, encode(blip, PCM16_24K), PCM16_24K)) == []


def test_create_response_false_commits_without_responding() -> None:
    emulator = Emulator(
        session={"turn_detection": {"type": "server_vad", "create_response": False}}
    )
    events = feed(emulator, encode(speech_like(TURN, 24000), PCM16_24K), PCM16_24K)
    assert types(events) == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.created",
    ]


def test_interrupt_response_false_lets_the_response_finish() -> None:
    emulator = Emulator(
        responder=ScriptedResponder(["word " * 100, "second"]),
        session={"turn_detection": {"type": "server_vad", "interrupt_response": False}},
    )
    emulator.receive({"type": "response.create"})
    events: list[dict[str, Any]] = []
    for event in appends(encode(speech_like(TURN, 24000), PCM16_24K), PCM16_24K):
        events += emulator.receive(event)
        events += emulator.step()
    events += emulator.drain()
    done = of_type(events, "response.done")
    assert [d["response"]["status"] for d in done] == ["completed"]
    # the user's turn is committed, but no second response while one was streaming
    assert "input_audio_buffer.committed" in types(events)


def test_vad_result_does_not_depend_on_chunking() -> None:
    data = encode(speech_like(TURN, 24000), PCM16_24K)
    results = []
    for ms in (7, 20, 100, 10_000):
        events = feed(Emulator(), data, PCM16_24K, ms)
        results.append(
            [
                (e["type"], e.get("audio_start_ms"), e.get("audio_end_ms"))
                for e in events
                if "speech" in e["type"]
            ]
        )
    assert all(result == results[0] for result in results)
    assert len(results[0]) == 2


def test_odd_chunks_are_carried_over_to_the_next_append() -> None:
    emulator = Emulator(session={"turn_detection": None})
    data = encode(tone(200, 24000), PCM16_24K)
    for i in range(0, len(data), 333):  # odd sizes split samples
        emulator.receive(
            {
                "type": "input_audio_buffer.append",
                "audio": base64.b64encode(data[i : i + 333]).decode(),
            }
        )
    assert emulator.input_audio_ms == pytest.approx(200.0)


def test_stereo_echo_cancellation_input_uses_the_microphone_channel() -> None:
    emulator = Emulator()
    emulator.receive(
        {
            "type": "session.update",
            "session": {
                "input_audio_echo_cancellation": {"reference_source": "client", "channels": 2}
            },
        }
    )
    mic = speech_like(TURN, 24000)
    reference = tone(mic.size * 1000 // 24000, 24000)  # loud far-end audio on channel 2
    stereo = np.stack([mic, reference], axis=1).reshape(-1)
    events = feed(emulator, stereo.astype("<i2").tobytes(), AudioFormat("pcm16", 24000, 2))
    assert [e["audio_start_ms"] for e in of_type(events, "input_audio_buffer.speech_started")] == [
        200
    ]


def test_ten_minutes_of_20ms_appends_is_fast() -> None:
    emulator = Emulator(
        session={"turn_detection": {"type": "server_vad", "create_response": False}}
    )
    minute = encode(speech_like([("tone", 1500), ("silence", 1500)] * 20, 24000), PCM16_24K)
    frames = [
        {"type": "input_audio_buffer.append", "audio": base64.b64encode(c).decode()}
        for c in chunks(minute, PCM16_24K, 20)
    ]
    from voicelive.models import CLIENT_EVENT_ADAPTER

    models = [CLIENT_EVENT_ADAPTER.validate_python(f) for f in frames]
    events = []
    for _ in range(10):
        for model in models:
            events += emulator.receive(model)
    assert len(models) * 10 == 30_000
    assert len(of_type(events, "input_audio_buffer.committed")) == 200


async def test_a_minute_of_realtime_sized_appends_over_the_socket() -> None:
    data = encode(speech_like([("tone", 1500), ("silence", 1500)] * 20, 24000), PCM16_24K)
    async with (
        MockServer(
            session={"turn_detection": {"type": "server_vad", "create_response": False}},
            keep_history=False,
        ) as server,
        open_client(server.endpoint) as conn,
    ):
        await send_audio(conn, data, PCM16_24K)
        events = await collect(conn, "input_audio_buffer.committed", count=20, timeout=60)
    assert len(of_type(events, "input_audio_buffer.speech_started")) == 20


def test_short_dips_inside_speech_are_tolerated() -> None:
    emulator = Emulator()
    choppy = speech_like(
        [
            ("silence", 500),
            ("tone", 90),
            ("silence", 20),
            ("tone", 90),
            ("silence", 30),
            ("tone", 90),
            ("silence", 700),
        ],
        24000,
    )
    events = feed(emulator, encode(choppy, PCM16_24K), PCM16_24K)
    started = of_type(events, "input_audio_buffer.speech_started")
    assert [e["audio_start_ms"] for e in started] == [100]  # onset 500 ms - 400 ms prefix
    separated = speech_like([("tone", 100), ("silence", 60)] * 5 + [("silence", 700)], 24000)
    assert types(feed(Emulator(), encode(separated, PCM16_24K), PCM16_24K)) == []
