"""The timeline renderer, fed decoded events directly (no server)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

from voicelive._protocol import Side, VoiceLiveProtocol
from voicelive.cli._timeline import Timeline, describe_session

_decoder = VoiceLiveProtocol(Side.CLIENT, max_message_size=None)
_IDS = {"response_id": "r1", "item_id": "i1", "output_index": 0, "content_index": 0}


def feed(timeline: Timeline, *events: tuple[float, dict[str, Any]]) -> str:
    for t, payload in events:
        timeline.on_event(_decoder.decode_server_frame(json.dumps(payload)), t=t)
    assert isinstance(timeline.out, io.StringIO)
    return timeline.out.getvalue()


def audio(n: int) -> dict[str, Any]:
    return {"type": "response.audio.delta", **_IDS, "delta": base64.b64encode(b"\0" * n).decode()}


def words(text: str) -> dict[str, Any]:
    return {"type": "response.audio_transcript.delta", **_IDS, "delta": text}


def test_streamed_text_is_not_cut_by_the_first_audio_line() -> None:
    tl = Timeline(io.StringIO())
    tl.mark_turn_end(1.0)
    out = feed(
        tl,
        (1.10, words("Sunny ")),
        (1.25, audio(4800)),
        (1.30, words("and warm.")),
        (1.40, {"type": "response.audio_transcript.done", **_IDS, "transcript": "Sunny and warm."}),
        (2.00, {"type": "response.audio.done", **_IDS}),
    )
    assert out.splitlines() == [
        "[ 1.10s] assistant  Sunny and warm.",
        "[ 1.25s] audio      first audio byte (250 ms after your turn ended)",
        "[ 2.00s] audio      100 ms received (4,800 bytes in 1 chunks)",
    ]
    assert tl.stats.turn_latency == 0.25


def test_text_done_without_deltas_prints_the_text() -> None:
    out = feed(
        Timeline(io.StringIO()),
        (0.5, {"type": "response.text.done", **_IDS, "text": "Hello there."}),
    )
    assert out == "[ 0.50s] assistant  Hello there.\n"


def test_tool_calls_errors_and_warnings() -> None:
    out = feed(
        Timeline(io.StringIO()),
        (
            1.0,
            {
                "type": "response.function_call_arguments.done",
                **_IDS,
                "call_id": "c1",
                "name": "get_weather",
                "arguments": '{"city": "Oslo"}',
            },
        ),
        (1.5, {"type": "error", "error": {"code": "invalid_value", "message": "bad voice"}}),
        (2.0, {"type": "warning", "warning": {"message": "slow down"}}),
        (2.5, {"type": "brand.new.event"}),
    )
    assert out.splitlines() == [
        '[ 1.00s] tool call  get_weather({"city": "Oslo"})',
        "[ 1.50s] error      invalid_value: bad voice",
        "[ 2.00s] warning    slow down",
        "[ 2.50s] event      voicelive.unknown",
    ]


def test_quiet_events_show_with_verbose() -> None:
    item = {"type": "response.output_item.added", "response_id": "r1", "output_index": 0}
    item["item"] = {"id": "i1", "type": "message", "role": "assistant", "content": []}
    assert feed(Timeline(io.StringIO()), (0.1, item)) == ""
    assert "response.output_item.added" in feed(Timeline(io.StringIO(), verbose=True), (0.1, item))


def test_json_mode_writes_only_json() -> None:
    tl = Timeline(io.StringIO(), json_mode=True)
    tl.info("connected", "hi", t=0.0, target="emulator")
    tl.on_send("input_audio_buffer.append", 1000, t=0.1)
    feed(tl, (0.2, audio(960)), (0.3, words("Hi")))
    tl.summary(target="x", output=None, t=0.4)
    assert isinstance(tl.out, io.StringIO)
    records = [json.loads(line) for line in tl.out.getvalue().splitlines()]
    assert [r["kind"] for r in records] == ["info", "send", "recv", "recv", "summary"]
    assert records[2]["event"]["delta_bytes"] == 960
    assert "delta" not in records[2]["event"]
    assert records[4]["audio_received_bytes"] == 960
    assert records[4]["assistant_text"] == "Hi"


def test_colors_only_when_asked() -> None:
    tl = Timeline(io.StringIO(), color=True)
    out = feed(
        tl,
        (0.1, {"type": "input_audio_buffer.speech_started", "audio_start_ms": 5, "item_id": "i"}),
    )
    assert "\x1b[33mvad" in out
    assert "\x1b[2m[ 0.10s]" in out


def test_describe_session() -> None:
    assert (
        describe_session(
            {
                "voice": "alloy",
                "turn_detection": None,
                "input_audio_format": "g711_ulaw",
                "output_audio_format": "g711_ulaw",
            }
        )
        == "voice alloy, manual turns, audio g711_ulaw 8 kHz in/out"
    )
    assert describe_session(
        {
            "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
            "turn_detection": {"type": "azure_semantic_vad"},
            "input_audio_sampling_rate": 16000,
            "input_audio_transcription": {"model": "azure-speech"},
        }
    ) == (
        "voice en-US-AvaNeural, azure_semantic_vad, transcription azure-speech, "
        "audio in pcm16 16 kHz, out pcm16 24 kHz"
    )
