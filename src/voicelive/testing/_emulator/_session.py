"""Session configuration: the defaults of a new session and the validation of ``session.update``.

The emulator refuses what the service refuses, with the service's error shape (``code``,
``message``, ``param`` naming the field); the value lists follow the Voice Live API reference
(https://learn.microsoft.com/azure/ai-services/speech-service/voice-live-api-reference).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ...audio import AudioFormat, AudioFormatError
from ._base import EmulatorState, Refused

__all__ = ["DEFAULT_TURN_DETECTION", "SessionPart", "default_session"]

_VAD_TYPES = frozenset(
    {
        "server_vad",
        "semantic_vad",
        "azure_semantic_vad",
        "azure_semantic_vad_en",
        "azure_semantic_vad_multilingual",
    }
)
_VAD_COMMON = {"create_response": True, "interrupt_response": True}
_VAD_DEFAULTS: dict[str, dict[str, Any]] = {
    "server_vad": {
        "threshold": 0.5,
        "prefix_padding_ms": 400,
        "silence_duration_ms": 500,
        **_VAD_COMMON,
        "auto_truncate": False,
    },
    "semantic_vad": {"eagerness": "auto", **_VAD_COMMON},
    **{
        name: {
            "threshold": 0.5,
            "prefix_padding_ms": 420,
            "silence_duration_ms": 500,
            "speech_duration_ms": 80,
            "remove_filler_words": False,
            **_VAD_COMMON,
            "auto_truncate": False,
        }
        for name in (
            "azure_semantic_vad",
            "azure_semantic_vad_en",
            "azure_semantic_vad_multilingual",
        )
    },
}

DEFAULT_TURN_DETECTION: dict[str, Any] = {"type": "server_vad", **_VAD_DEFAULTS["server_vad"]}
"""The ``turn_detection`` of a new session (the service's documented defaults)."""

_MODALITIES = frozenset({"text", "audio", "animation", "avatar"})
_NOISE_REDUCTION = frozenset({"azure_deep_noise_suppression", "near_field", "far_field"})


def default_session(
    session_id: str = "sess_0001",
    *,
    model: str = "gpt-realtime",
    expires_at: int | None = None,
) -> dict[str, Any]:
    """The session a new emulated connection reports in ``session.created`` (a wire dict)."""
    session: dict[str, Any] = {
        "object": "realtime.session",
        "id": session_id,
        "model": model,
        "modalities": ["text", "audio"],
        "instructions": "",
        "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
        "input_audio_format": "pcm16",
        "input_audio_sampling_rate": 24000,
        "output_audio_format": "pcm16",
        "input_audio_noise_reduction": None,
        "input_audio_echo_cancellation": None,
        "input_audio_transcription": None,
        "turn_detection": dict(DEFAULT_TURN_DETECTION),
        "tools": [],
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "temperature": 0.8,
        "max_response_output_tokens": "inf",
    }
    if expires_at is not None:
        session["expires_at"] = expires_at
    return session


class SessionPart(EmulatorState):
    """``session.update``: merge, validate (refuse like the service), apply."""

    def _on_session_update(self, event: Any) -> None:
        update: dict[str, Any] = event.session.to_wire_dict()
        merged = copy.deepcopy(self.session)
        merged.update(copy.deepcopy(update))
        td = merged.get("turn_detection")
        if "turn_detection" in update and isinstance(td, Mapping):
            merged["turn_detection"] = _with_vad_defaults(td)
        self._check_session(merged, update)
        old_format = self._in_fmt
        old_td = self.session.get("turn_detection")
        self.session = merged
        self._in_fmt = _input_format(merged)
        if self._in_fmt != old_format:
            self._reset_buffer()
        if self._in_fmt != old_format or merged.get("turn_detection") != old_td:
            self._configure_vad()
        if "avatar" in update:
            self._with_ice_servers(self.session)
        self._emit("session.updated", session=copy.deepcopy(self.session))
        self._list_mcp_tools()

    def _check_session(self, merged: dict[str, Any], update: dict[str, Any]) -> None:
        if "model" in update and update["model"] != self.session.get("model"):
            raise Refused(
                "invalid_value",
                "The model cannot be changed once the session has started.",
                "session.model",
            )
        _check_modalities(merged.get("modalities"), "session.modalities")
        fmt = merged.get("input_audio_format") or "pcm16"
        if str(fmt) not in ("pcm16", "g711_ulaw", "g711_alaw"):
            raise Refused(
                "invalid_value",
                f"Invalid value: '{fmt}'. Supported values are: 'pcm16', 'g711_ulaw' and "
                "'g711_alaw'.",
                "session.input_audio_format",
            )
        echo = merged.get("input_audio_echo_cancellation")
        if isinstance(echo, Mapping):
            channels = echo.get("channels") or 1
            source = echo.get("reference_source") or "server"
            if channels == 2 and source != "client":
                raise Refused(
                    "invalid_ec_channels_requires_client",
                    "Echo cancellation with channels=2 requires reference_source 'client'.",
                    "session.input_audio_echo_cancellation.channels",
                )
            if source == "client" and channels != 2:
                raise Refused(
                    "invalid_ec_reference_channels",
                    "Echo cancellation with reference_source 'client' requires channels=2.",
                    "session.input_audio_echo_cancellation.channels",
                )
        try:
            _input_format(merged)
        except AudioFormatError as exc:
            raise Refused("invalid_value", str(exc), "session.input_audio_sampling_rate") from None
        _output_format(merged.get("output_audio_format"), "session.output_audio_format")
        td = merged.get("turn_detection")
        if isinstance(td, Mapping):
            kind = td.get("type")
            if kind not in _VAD_TYPES:
                raise Refused(
                    "invalid_value",
                    f"Invalid value: '{kind}'. Supported turn detection types are: "
                    + ", ".join(f"'{name}'" for name in sorted(_VAD_TYPES))
                    + ".",
                    "session.turn_detection.type",
                )
            threshold = td.get("threshold")
            if threshold is not None and not 0.0 <= float(threshold) <= 1.0:
                raise Refused(
                    "invalid_value",
                    f"Invalid 'session.turn_detection.threshold': {threshold}. Expected a value "
                    "between 0.0 and 1.0.",
                    "session.turn_detection.threshold",
                )
            for key in ("prefix_padding_ms", "silence_duration_ms", "speech_duration_ms"):
                value = td.get(key)
                if value is not None and value < 0:
                    raise Refused(
                        "invalid_value",
                        f"Invalid 'session.turn_detection.{key}': {value}. Expected a value >= 0.",
                        f"session.turn_detection.{key}",
                    )
        _check_temperature(merged.get("temperature"), "session.temperature")
        _check_max_tokens(
            merged.get("max_response_output_tokens"), "session.max_response_output_tokens"
        )
        noise = merged.get("input_audio_noise_reduction")
        if isinstance(noise, Mapping) and noise.get("type") not in _NOISE_REDUCTION:
            raise Refused(
                "invalid_value",
                f"Invalid value: '{noise.get('type')}'. Supported noise reduction types are: "
                "'azure_deep_noise_suppression', 'near_field' and 'far_field'.",
                "session.input_audio_noise_reduction.type",
            )
        if (
            "voice" in update
            and update["voice"] != self.session.get("voice")
            and self._audio_produced
        ):
            raise Refused(
                "invalid_value",
                "Cannot update the voice once the assistant has produced audio in this session.",
                "session.voice",
            )
        _check_tools(merged.get("tools"), merged.get("tool_choice"), "session")


# ---------------------------------------------------------------------------- validation


def _with_vad_defaults(td: Mapping[str, Any]) -> dict[str, Any]:
    defaults = _VAD_DEFAULTS.get(str(td.get("type")), {})
    merged = {"type": td.get("type"), **defaults}
    merged.update({key: value for key, value in td.items() if value is not None})
    return merged


def _input_format(session: Mapping[str, Any]) -> AudioFormat:
    echo = session.get("input_audio_echo_cancellation")
    channels = echo.get("channels") if isinstance(echo, Mapping) else None
    return AudioFormat.from_input_session(
        session.get("input_audio_format"), session.get("input_audio_sampling_rate"), channels
    )


def _output_format(name: Any, param: str) -> AudioFormat:
    try:
        return AudioFormat.from_output_session(name)
    except AudioFormatError:
        raise Refused(
            "invalid_value",
            f"Invalid value: '{name}'. Supported values are: 'pcm16', 'pcm16_8000hz', "
            "'pcm16_16000hz', 'g711_ulaw' and 'g711_alaw'.",
            param,
        ) from None


def _check_modalities(modalities: Any, param: str) -> None:
    if modalities is None:
        return
    values = [str(m) for m in modalities]
    for value in values:
        if value not in _MODALITIES:
            raise Refused(
                "invalid_value",
                f"Invalid value: '{value}'. Supported modalities are: 'text', 'audio', "
                "'animation' and 'avatar'.",
                param,
            )
    if "text" not in values:
        raise Refused(
            "invalid_value",
            f"Invalid modalities {values}: 'text' is required (audio-only is not supported).",
            param,
        )


def _check_temperature(value: Any, param: str) -> None:
    if value is not None and not 0.6 <= float(value) <= 1.2:
        raise Refused(
            "invalid_value",
            f"Invalid '{param}': {value}. Expected a value between 0.6 and 1.2.",
            param,
        )


def _check_max_tokens(value: Any, param: str) -> None:
    if value is None or value == "inf":
        return
    if not isinstance(value, int) or not 1 <= value <= 4096:
        raise Refused(
            "invalid_value",
            f"Invalid '{param}': {value}. Expected an integer between 1 and 4096, or 'inf'.",
            param,
        )


def _check_tools(tools: Any, tool_choice: Any, prefix: str) -> None:
    names: set[str] = set()
    for index, tool in enumerate(tools or []):
        if tool.get("type") == "function":
            name = tool.get("name")
            if name in names:
                raise Refused(
                    "invalid_value",
                    f"Duplicate function name '{name}' in tools.",
                    f"{prefix}.tools[{index}].name",
                )
            names.add(str(name))
    choice = tool_choice
    if isinstance(choice, Mapping):
        choice = choice.get("name") if choice.get("type") == "function" else None
    elif choice in ("auto", "none", "required"):
        choice = None
    if choice is not None and choice not in names:
        raise Refused(
            "invalid_value",
            f"tool_choice names function '{choice}', which is not in tools.",
            f"{prefix}.tool_choice",
        )
