"""Shared helpers: run RealtimeRunner sessions on VoiceLiveRealtimeModel against MockServer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from agents.realtime import RealtimeSession
from agents.realtime.model import RealtimeModelListener
from agents.realtime.model_events import RealtimeModelEvent
from azure.core.credentials import AzureKeyCredential

from voicelive.audio import PCM16_24K
from voicelive.testing import synthesize_speech

KEY = AzureKeyCredential("test-key")
TIMEOUT = 10.0


def speech(text: str = "what is the weather") -> bytes:
    """Speech-like PCM16 24 kHz audio followed by a second of silence (one VAD turn)."""
    audio, _ = synthesize_speech(text, PCM16_24K)
    return audio + bytes(PCM16_24K.sample_rate * 2)


async def send_speech(session: RealtimeSession, audio: bytes, chunk_ms: int = 40) -> None:
    """Stream ``audio`` in ``chunk_ms`` appends, as a microphone would."""
    step = PCM16_24K.sample_rate * 2 * chunk_ms // 1000
    for start in range(0, len(audio), step):
        await session.send_audio(audio[start : start + step])


async def events_until(
    session: RealtimeSession, stop: Callable[[Any], bool], timeout: float = TIMEOUT
) -> list[Any]:
    """Session events up to and including the first one ``stop`` accepts."""
    seen: list[Any] = []

    async def run() -> None:
        async for event in session:
            seen.append(event)
            if stop(event):
                return
        raise AssertionError(f"session ended early: {[e.type for e in seen]}")

    await asyncio.wait_for(run(), timeout)
    return seen


def nth(kind: str, n: int) -> Callable[[Any], bool]:
    """A stop condition: the ``n``-th event of type ``kind``."""
    count = 0

    def stop(event: Any) -> bool:
        nonlocal count
        count += event.type == kind
        return count == n

    return stop


def of_type(events: list[Any], kind: str) -> list[Any]:
    return [e for e in events if e.type == kind]


class Recorder(RealtimeModelListener):
    """A model listener keeping every event, with a hook to wait for one."""

    def __init__(self) -> None:
        self.events: list[RealtimeModelEvent] = []
        self._changed = asyncio.Condition()

    async def on_event(self, event: RealtimeModelEvent) -> None:
        async with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    async def wait(
        self, accept: Callable[[RealtimeModelEvent], bool], timeout: float = TIMEOUT
    ) -> RealtimeModelEvent:
        async def run() -> RealtimeModelEvent:
            async with self._changed:
                while True:
                    for event in self.events:
                        if accept(event):
                            return event
                    await self._changed.wait()

        return await asyncio.wait_for(run(), timeout)

    def kinds(self) -> list[str]:
        return [e.type for e in self.events if e.type != "raw_server_event"]
