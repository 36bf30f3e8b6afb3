"""Shared pieces of the compatibility scenarios.

The scenarios in tests/compat are programs written the way code for the official
``azure-ai-voicelive`` SDK is written (its samples' patterns, our own code), with only the
import prefix changed. They run against the emulator over loopback. The audio devices of
those programs are replaced by a microphone thread and a speaker buffer, because a real
program's PyAudio callback runs on its own thread and hands audio to the event loop with
``asyncio.run_coroutine_threadsafe``, just like this one.
"""

from __future__ import annotations

import asyncio
import base64
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import numpy as np

RATE = 24000
CHUNK = 1200  # 50 ms of PCM16 at 24 kHz, as a typical capture buffer


def tone(seconds: float, rate: int = RATE, level: float = 0.3) -> bytes:
    """Speech-loud PCM16 (a 220 Hz tone), loud enough for the emulator's server VAD."""
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * 220 * t) * level * 32767).astype("<i2").tobytes()


def silence(seconds: float, rate: int = RATE) -> bytes:
    return bytes(2 * int(seconds * rate))


class FakeMicrophone:
    """A capture thread that pushes base64 chunks to ``send`` on the loop, as PyAudio does."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        send: Callable[[str], Coroutine[Any, Any, None]],
        audio: bytes,
        chunk_bytes: int = 2 * CHUNK,
    ) -> None:
        self._loop = loop
        self._send = send
        self._audio = audio
        self._chunk = chunk_bytes
        self.error: BaseException | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-microphone", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            for start in range(0, len(self._audio), self._chunk):
                if self._stopped.is_set():
                    return
                chunk = self._audio[start : start + self._chunk]
                audio_base64 = base64.b64encode(chunk).decode("utf-8")
                future = asyncio.run_coroutine_threadsafe(self._send(audio_base64), self._loop)
                future.result(timeout=10)
        except BaseException as exc:  # reported by stop() unless the app was shutting down
            if not self._stopped.is_set():
                self.error = exc

    async def stop(self) -> None:
        """Stop capturing (as an app does on shutdown) without blocking the event loop."""
        self._stopped.set()
        await asyncio.to_thread(self._thread.join, 10)
        assert not self._thread.is_alive(), "the microphone thread did not finish"
        if self.error is not None:
            raise self.error


class FakeSpeaker:
    """Collects played audio and honours 'skip pending audio' on barge-in."""

    def __init__(self) -> None:
        self.played = bytearray()
        self.skips = 0

    def queue_audio(self, data: bytes) -> None:
        self.played += data

    def skip_pending_audio(self) -> None:
        self.skips += 1
