"""Every name that differs between Voice Live and the OpenAI Realtime GA protocol, in one place.

The OpenAI Agents SDK is written against the OpenAI Realtime **GA** protocol; Voice Live
speaks the **beta-era** names (PROTOCOL.md section 7). The adapter reads and writes only
Voice Live names on the wire; these tables say which GA name each one stands for. The
adapter also accepts a GA-named server event (decoded by voicelive as
``UnknownServerEvent``) by renaming it with :data:`GA_TO_VOICE_LIVE` before dispatch, so a
service that moves to the GA names keeps working.
"""

from __future__ import annotations

from ...models import SERVER_EVENT_ADAPTER, ServerEvent, UnknownServerEvent

__all__ = [
    "GA_TO_VOICE_LIVE",
    "SESSION_KEYS",
    "VOICE_LIVE_TO_GA",
    "normalize_server_event",
    "voice_live_event_type",
]

VOICE_LIVE_TO_GA: dict[str, str] = {
    "response.audio.delta": "response.output_audio.delta",
    "response.audio.done": "response.output_audio.done",
    "response.audio_transcript.delta": "response.output_audio_transcript.delta",
    "response.audio_transcript.done": "response.output_audio_transcript.done",
    "response.text.delta": "response.output_text.delta",
    "response.text.done": "response.output_text.done",
    "conversation.item.created": "conversation.item.added",
}
"""Server event types: Voice Live name -> the OpenAI GA name for the same event."""

GA_TO_VOICE_LIVE: dict[str, str] = {ga: vl for vl, ga in VOICE_LIVE_TO_GA.items()}
"""Server event types: OpenAI GA name -> Voice Live name."""

SESSION_KEYS: dict[tuple[str, ...], str] = {
    ("model_name",): "model",
    ("instructions",): "instructions",
    ("voice",): "voice",
    ("audio", "output", "voice"): "voice",
    ("input_audio_format",): "input_audio_format",
    ("audio", "input", "format"): "input_audio_format",
    ("output_audio_format",): "output_audio_format",
    ("audio", "output", "format"): "output_audio_format",
    ("input_audio_transcription",): "input_audio_transcription",
    ("audio", "input", "transcription"): "input_audio_transcription",
    ("input_audio_noise_reduction",): "input_audio_noise_reduction",
    ("audio", "input", "noise_reduction"): "input_audio_noise_reduction",
    ("turn_detection",): "turn_detection",
    ("audio", "input", "turn_detection"): "turn_detection",
    ("max_output_tokens",): "max_response_output_tokens",
    ("tool_choice",): "tool_choice",
    ("parallel_tool_calls",): "parallel_tool_calls",
}
"""Agents SDK session setting (a key path; GA nests audio under ``audio.input/output``) ->
the flat Voice Live ``session`` field. Later paths win: the GA ``audio.*`` form overrides the
flat form when both are given. ``modalities``/``output_modalities``, ``tools``/``handoffs``
and ``reasoning`` need a value conversion and are handled in ``_session.py``."""


def voice_live_event_type(wire_type: str) -> str:
    """The Voice Live name of a server event type (GA names renamed, others unchanged)."""
    return GA_TO_VOICE_LIVE.get(wire_type, wire_type)


def normalize_server_event(event: ServerEvent) -> ServerEvent:
    """A GA-named server event (decoded as ``UnknownServerEvent``) as the typed Voice Live
    event of the same meaning; any other event unchanged."""
    if isinstance(event, UnknownServerEvent) and event.raw_type in GA_TO_VOICE_LIVE:
        return SERVER_EVENT_ADAPTER.validate_python(
            {**event.raw, "type": GA_TO_VOICE_LIVE[event.raw_type]}
        )
    return event
