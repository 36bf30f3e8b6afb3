"""Agents SDK session settings -> a Voice Live ``session.update`` payload.

The Agents SDK describes a session in the OpenAI GA shape (``audio.input.format``,
``output_modalities``, tools and handoffs as Python objects); Voice Live wants the flat
beta-era session (``input_audio_format``, ``modalities``, function tools as JSON). Key
renames come from :data:`._names.SESSION_KEYS`; the value conversions are here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agents.exceptions import UserError
from agents.handoffs import Handoff
from agents.realtime.config import RealtimeSessionModelSettings
from agents.tool import FunctionTool, Tool

from ...models import OpenAIVoiceName
from ._names import SESSION_KEYS

__all__ = ["session_from_settings"]

_OPENAI_VOICES = frozenset(str(v.value) for v in OpenAIVoiceName)
_GA_FORMAT_TYPES = {"audio/pcm": "pcm16", "audio/pcmu": "g711_ulaw", "audio/pcma": "g711_alaw"}
_OUTPUT_PCM_RATES = {24000: "pcm16", 16000: "pcm16_16000hz", 8000: "pcm16_8000hz"}


def _lookup(settings: Mapping[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    value: Any = settings
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return False, None
        value = value[key]
    return True, value


def _plain(value: Any) -> Any:
    """A pydantic object (the ``openai`` package's format/config types) as a plain dict."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(exclude_none=True)
    return value


def _audio_format(value: Any, *, output: bool, session: dict[str, Any]) -> str:
    value = _plain(value)
    if isinstance(value, str):
        return _GA_FORMAT_TYPES.get(value, value)
    if isinstance(value, Mapping):
        kind = _GA_FORMAT_TYPES.get(str(value.get("type")))
        if kind is None:
            raise UserError(f"Voice Live has no audio format {value.get('type')!r}")
        rate = value.get("rate")
        if kind == "pcm16" and rate is not None:
            if output:
                if rate not in _OUTPUT_PCM_RATES:
                    raise UserError(
                        f"Voice Live outputs PCM16 at 8000, 16000 or 24000 Hz, not {rate}"
                    )
                return _OUTPUT_PCM_RATES[rate]
            session["input_audio_sampling_rate"] = int(rate)
        return kind
    raise UserError(f"an audio format must be a string or a mapping, not {type(value).__name__}")


def _voice(value: Any) -> Any:
    """A voice name as Voice Live wants it: OpenAI names stay strings, Azure names
    (``en-US-AvaNeural``) become ``azure-standard`` voices; voice objects pass through."""
    value = _plain(value)
    if isinstance(value, str):
        if value in _OPENAI_VOICES:
            return value
        return {"type": "azure-standard", "name": value}
    if isinstance(value, Mapping):
        if "type" not in value:
            raise UserError(
                "a Voice Live voice object needs a 'type' (openai, azure-standard, "
                "azure-custom, azure-personal); OpenAI custom voice ids are not supported"
            )
        return dict(value)
    raise UserError(f"a voice must be a name or a mapping, not {type(value).__name__}")


def _modalities(value: Sequence[str]) -> list[str]:
    # GA ``output_modalities=["audio"]`` means audio with its transcript, which Voice Live
    # spells ``["text", "audio"]``.
    return ["text", "audio"] if "audio" in value else ["text"]


def _tools(tools: Sequence[Tool], handoffs: Sequence[Handoff[Any, Any]]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for tool in tools:
        if not isinstance(tool, FunctionTool):
            raise UserError(
                f"tool {getattr(tool, 'name', tool)!r} is not a function tool; "
                "Voice Live realtime agents take function tools only"
            )
        result.append(
            {
                "type": "function",
                "name": tool.name,
                "description": tool.description,
                "parameters": tool.params_json_schema,
            }
        )
    for handoff in handoffs:
        if handoff.is_enabled is False:
            continue
        result.append(
            {
                "type": "function",
                "name": handoff.tool_name,
                "description": handoff.tool_description,
                "parameters": handoff.input_json_schema,
            }
        )
    return result


def session_from_settings(
    settings: RealtimeSessionModelSettings, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The Voice Live ``session`` for Agents SDK ``settings``, with ``extra`` (Voice Live-only
    fields: Azure voices, Azure VAD types, noise suppression, echo cancellation...) on top.

    Raises:
        UserError: a setting Voice Live cannot honour (a prompt object, a non-function tool,
            an unknown audio format, ``speed`` with a non-Azure voice).
    """
    raw: Mapping[str, Any] = settings
    session: dict[str, Any] = {}
    for path, key in SESSION_KEYS.items():
        found, value = _lookup(raw, path)
        if not found:
            continue
        if key == "model":
            continue  # chosen at connect time (the ``model`` query parameter)
        if key in ("input_audio_format", "output_audio_format"):
            value = _audio_format(value, output=key == "output_audio_format", session=session)
        elif key == "voice":
            value = _voice(value)
        else:
            value = _plain(value)
            if isinstance(value, Mapping):
                value = {k: v for k, v in value.items() if v is not None}
        session[key] = value
    modalities = raw.get("output_modalities", raw.get("modalities"))
    if modalities is not None:
        session["modalities"] = _modalities(modalities)
    if "tools" in raw or "handoffs" in raw:
        session["tools"] = _tools(raw.get("tools") or [], raw.get("handoffs") or [])
    reasoning = raw.get("reasoning")
    if isinstance(reasoning, Mapping) and reasoning.get("effort") is not None:
        session["reasoning_effort"] = reasoning["effort"]
    if raw.get("prompt") is not None:
        raise UserError(
            "Voice Live has no stored prompts: give the agent instructions instead of a prompt"
        )
    found, speed = _lookup(raw, ("speed",))
    if not found:
        found, speed = _lookup(raw, ("audio", "output", "speed"))
    if extra:
        session.update(extra)
    if found and speed is not None:
        voice = session.get("voice")
        if not (isinstance(voice, dict) and str(voice.get("type", "")).startswith("azure")):
            raise UserError("speed needs an Azure voice on Voice Live (it sets the voice's rate)")
        session["voice"] = {**voice, "rate": voice.get("rate") or str(speed)}
    return session
