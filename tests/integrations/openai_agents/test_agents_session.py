"""Agents SDK session settings -> the Voice Live session (every key of the name table)."""

from __future__ import annotations

from typing import Any

import pytest
from agents import function_tool
from agents.exceptions import UserError
from agents.realtime import RealtimeAgent, RealtimeRunner, realtime_handoff
from agents_support import KEY, events_until

from voicelive.integrations.openai_agents import (
    SESSION_KEYS,
    VoiceLiveRealtimeModel,
    session_from_settings,
)
from voicelive.models import RequestSession
from voicelive.testing import MockServer

VALUES: dict[str, tuple[Any, Any]] = {
    # Voice Live key: (Agents SDK value, expected Voice Live value)
    "instructions": ("Be brief.", "Be brief."),
    "voice": ("en-US-AvaNeural", {"type": "azure-standard", "name": "en-US-AvaNeural"}),
    "input_audio_format": ("g711_ulaw", "g711_ulaw"),
    "output_audio_format": ({"type": "audio/pcm", "rate": 16000}, "pcm16_16000hz"),
    "input_audio_transcription": ({"model": "whisper-1"}, {"model": "whisper-1"}),
    "input_audio_noise_reduction": ({"type": "near_field"}, {"type": "near_field"}),
    "turn_detection": (
        {"type": "semantic_vad", "eagerness": "low"},
        {"type": "semantic_vad", "eagerness": "low"},
    ),
    "max_response_output_tokens": (200, 200),
    "tool_choice": ("required", "required"),
    "parallel_tool_calls": (False, False),
}


def nested(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    result: Any = value
    for key in reversed(path):
        result = {key: result}
    return dict(result)


@pytest.mark.parametrize("path", list(SESSION_KEYS), ids=".".join)
def test_each_setting_path_lands_on_its_voice_live_key(path: tuple[str, ...]) -> None:
    key = SESSION_KEYS[path]
    if key == "model":
        # The model is a connect parameter, never a session field.
        assert session_from_settings(nested(path, "gpt-realtime")) == {}  # type: ignore[arg-type]
        return
    given, expected = VALUES[key]
    session = session_from_settings(nested(path, given))  # type: ignore[arg-type]
    assert session == {key: expected}
    RequestSession.model_validate(session)  # what Voice Live accepts


def test_ga_audio_formats_voices_and_modalities() -> None:
    session = session_from_settings(
        {
            "audio": {
                "input": {"format": {"type": "audio/pcm", "rate": 16000}},
                "output": {"format": {"type": "audio/pcmu"}, "voice": "alloy"},
            },
            "output_modalities": ["audio"],
        }
    )
    assert session == {
        "input_audio_format": "pcm16",
        "input_audio_sampling_rate": 16000,
        "output_audio_format": "g711_ulaw",
        "voice": "alloy",  # an OpenAI voice stays a name
        "modalities": ["text", "audio"],
    }
    assert session_from_settings({"output_modalities": ["text"]}) == {"modalities": ["text"]}


def test_tools_and_handoffs_become_function_tools() -> None:
    @function_tool
    def lookup(order: int) -> str:
        """Look an order up."""
        return str(order)

    other = RealtimeAgent(name="billing")
    session = session_from_settings({"tools": [lookup], "handoffs": [realtime_handoff(other)]})
    names = [t["name"] for t in session["tools"]]
    assert names == ["lookup", "transfer_to_billing"]
    assert session["tools"][0]["parameters"]["properties"]["order"]["type"] == "integer"
    RequestSession.model_validate(session)


def test_speed_sets_the_azure_voice_rate_and_is_refused_otherwise() -> None:
    session = session_from_settings({"voice": "en-US-AvaNeural", "speed": 1.2})
    assert session["voice"]["rate"] == "1.2"
    with pytest.raises(UserError, match="Azure voice"):
        session_from_settings({"voice": "alloy", "speed": 1.2})


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"prompt": {"id": "pmpt_1"}}, "instructions"),
        ({"output_audio_format": {"type": "audio/pcm", "rate": 44100}}, "44100"),
        ({"input_audio_format": {"type": "audio/opus"}}, "audio/opus"),
        ({"voice": {"id": "voice_123"}}, "'type'"),
    ],
)
def test_settings_voice_live_cannot_honour_are_refused(settings: Any, message: str) -> None:
    with pytest.raises(UserError, match=message):
        session_from_settings(settings)


async def test_voice_live_options_pass_through_to_the_service() -> None:
    extra = {
        "voice": {"type": "azure-standard", "name": "en-US-Ava:DragonHDLatestNeural"},
        "turn_detection": {"type": "azure_semantic_vad", "silence_duration_ms": 400},
        "input_audio_noise_reduction": {"type": "azure_deep_noise_suppression"},
        "input_audio_echo_cancellation": {"type": "server_echo_cancellation"},
    }
    agent = RealtimeAgent(name="assistant", instructions="Hi.")
    async with MockServer() as server:
        model = VoiceLiveRealtimeModel(
            endpoint=server.endpoint, credential=KEY, model="gpt-realtime", session=extra
        )
        run = RealtimeRunner(agent, model=model, config={"tracing_disabled": True})
        async with await run.run() as session:
            await session.send_message("hello")
            await events_until(session, lambda e: e.type == "agent_end")
        applied = server.connections[0].emulator.session
    assert applied["voice"] == extra["voice"]
    assert applied["turn_detection"]["type"] == "azure_semantic_vad"
    assert applied["turn_detection"]["silence_duration_ms"] == 400
    assert applied["input_audio_noise_reduction"] == extra["input_audio_noise_reduction"]
    assert applied["input_audio_echo_cancellation"]["type"] == "server_echo_cancellation"
    assert applied["instructions"] == "Hi."
