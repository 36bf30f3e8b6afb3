"""What a phone deployment says: instructions, voice, tools, DTMF handling (``--app``)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..audio import AudioFormat
from ..conversation import ToolRegistry

if TYPE_CHECKING:
    from ._bridge import CallBridge

__all__ = ["DtmfHandler", "PhoneAgent", "load_agent", "phone_session"]

DtmfHandler = Callable[["CallBridge", str], "Awaitable[None] | None"]
"""``on_dtmf(call, digit)``: sync or async."""


@dataclass
class PhoneAgent:
    """The agent on the line.

    Attributes:
        instructions: the system instructions.
        voice: a voice name (``"en-US-AvaNeural"``) or a voice object (wire dict).
        tools: function tools; calls are answered by a
            :class:`~voicelive.conversation.ToolRunner`.
        session: more session fields (wire form), e.g. ``turn_detection``; the audio
            formats are set by the bridge to match the phone and cannot be overridden.
        on_dtmf: called for every key the caller presses.
        dtmf_to_conversation: also add each key to the conversation as a user message
            (``"[DTMF] 5"``) and ask for a response.
        greeting: when set, the agent speaks first with these instructions.
        on_call_start / on_call_end: called with the :class:`CallBridge` (sync or async).
    """

    instructions: str = "You are a helpful phone agent. Keep answers short."
    voice: str | Mapping[str, Any] | None = "en-US-AvaNeural"
    tools: ToolRegistry | None = None
    session: Mapping[str, Any] = field(default_factory=dict)
    on_dtmf: DtmfHandler | None = None
    dtmf_to_conversation: bool = False
    greeting: str | None = None
    on_call_start: Callable[[CallBridge], Awaitable[None] | None] | None = None
    on_call_end: Callable[[CallBridge], Awaitable[None] | None] | None = None


_FORMAT_FIELDS = ("input_audio_format", "output_audio_format", "input_audio_sampling_rate")


def phone_session(agent: PhoneAgent, fmt: AudioFormat) -> dict[str, Any]:
    """The session (wire dict) for a call in ``fmt``: no transcoding anywhere."""
    session: dict[str, Any] = {
        "modalities": ["text", "audio"],
        "instructions": agent.instructions,
        "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
    }
    if agent.voice is not None:
        voice = agent.voice
        session["voice"] = (
            {"type": "azure-standard", "name": voice} if isinstance(voice, str) else dict(voice)
        )
    extra = {k: v for k, v in agent.session.items() if k not in _FORMAT_FIELDS}
    session.update(extra)
    if fmt.encoding in ("g711_ulaw", "g711_alaw"):
        session["input_audio_format"] = fmt.encoding
        session["output_audio_format"] = fmt.encoding
        session["input_audio_sampling_rate"] = 8000
    else:
        session["input_audio_format"] = "pcm16"
        session["input_audio_sampling_rate"] = fmt.sample_rate
        session["output_audio_format"] = (
            "pcm16" if fmt.sample_rate == 24000 else f"pcm16_{fmt.sample_rate}hz"
        )
    if agent.tools is not None and len(agent.tools):
        session = agent.tools.add_to(session).to_wire_dict()
    return session


async def load_agent(spec: str) -> PhoneAgent:
    """Import ``module:attribute`` and return its :class:`PhoneAgent`.

    The attribute may be a ``PhoneAgent`` or a callable returning one (sync or async).

    Raises:
        ValueError: the spec is malformed or the attribute is not an agent (the message says
            what was found).
    """
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"--app takes 'module:attribute', not {spec!r}")
    module = importlib.import_module(module_name)
    try:
        target = getattr(module, attr)
    except AttributeError:
        raise ValueError(f"module {module_name!r} has no attribute {attr!r}") from None
    value = target() if callable(target) and not isinstance(target, PhoneAgent) else target
    if inspect.isawaitable(value):
        value = await value
    if not isinstance(value, PhoneAgent):
        raise ValueError(f"{spec} gave {type(value).__name__}, expected a PhoneAgent")
    return value
