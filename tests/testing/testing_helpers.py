"""Helpers for the voicelive.testing tests (real client, real loopback sockets)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from azure.core.credentials import AzureKeyCredential
from numpy.typing import NDArray

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.audio import AudioFormat, alaw_encode, array_to_pcm16, ulaw_encode
from voicelive.models import ServerEvent

KEY = AzureKeyCredential("test-key")

STREAM_TYPES = frozenset(
    {
        "response.audio.delta",
        "response.audio_transcript.delta",
        "response.audio_timestamp.delta",
        "response.text.delta",
        "response.function_call_arguments.delta",
        "conversation.item.input_audio_transcription.delta",
    }
)


def open_client(endpoint: str, **kwargs: Any) -> Any:
    """connect() to a test server (test key, model gpt-realtime)."""
    kwargs.setdefault("model", "gpt-realtime")
    return connect(endpoint=endpoint, credential=KEY, **kwargs)


async def collect(
    conn: VoiceLiveConnection, until: str = "response.done", *, count: int = 1, timeout: float = 5.0
) -> list[ServerEvent]:
    """Events up to and including the ``count``-th event of type ``until``."""
    events: list[ServerEvent] = []

    async def run() -> None:
        seen = 0
        while True:
            event = await conn.recv()
            events.append(event)
            if event.type == until:
                seen += 1
                if seen == count:
                    return

    await asyncio.wait_for(run(), timeout)
    return events


def types(events: Iterable[Any]) -> list[str]:
    return [e.type if hasattr(e, "type") else e["type"] for e in events]


def squash(names: Sequence[str]) -> list[str]:
    """Collapse each run of streaming deltas into one ``"<deltas: a, b>"`` entry."""
    out: list[str] = []
    run: list[str] = []
    for name in [*names, ""]:
        if name in STREAM_TYPES:
            if name not in run:
                run.append(name)
            continue
        if run:
            out.append("<deltas: " + ", ".join(sorted(run)) + ">")
            run = []
        if name:
            out.append(name)
    return out


def of_type(events: Iterable[Any], name: str) -> list[Any]:
    return [e for e in events if (e.type if hasattr(e, "type") else e["type"]) == name]


# -- synthetic input audio ----------------------------------------------------------


def tone(ms: int, rate: int, freq: float = 220.0, amp: float = 0.3) -> NDArray[np.int16]:
    n = ms * rate // 1000
    t = np.arange(n) / rate
    return np.round(amp * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def silence(ms: int, rate: int) -> NDArray[np.int16]:
    return np.zeros(ms * rate // 1000, dtype=np.int16)


def speech_like(pattern: Sequence[tuple[str, int]], rate: int) -> NDArray[np.int16]:
    """``[("silence", 600), ("tone", 1000), ...]`` -> int16 samples."""
    parts = [tone(ms, rate) if kind == "tone" else silence(ms, rate) for kind, ms in pattern]
    return np.concatenate(parts)


def encode(samples: NDArray[np.int16], fmt: AudioFormat) -> bytes:
    if fmt.encoding == "pcm16":
        return array_to_pcm16(samples)
    if fmt.encoding == "g711_ulaw":
        return ulaw_encode(samples)
    return alaw_encode(samples)


def chunks(data: bytes, fmt: AudioFormat, ms: int = 20) -> list[bytes]:
    size = fmt.ms_to_bytes(ms)
    return [data[i : i + size] for i in range(0, len(data), size)]


async def send_audio(
    conn: VoiceLiveConnection, data: bytes, fmt: AudioFormat, ms: int = 20
) -> None:
    for chunk in chunks(data, fmt, ms):
        await conn.input_audio_buffer.append(audio=chunk)
