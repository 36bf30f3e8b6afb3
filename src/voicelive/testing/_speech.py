"""Emulated speech, both ways: a speech-like synthesizer and an energy voice activity detector.

Both are pure numpy (no per-sample Python loops) and deterministic.

* :func:`synthesize_speech` turns text into a voiced, word-by-word harmonic signal whose
  duration is proportional to the text (60 ms per character by default, capped), in any wire
  format of the protocol. It also returns the word timings, used for transcript deltas and
  ``response.audio_timestamp.delta``.
* :class:`EnergyVad` is the detector behind the emulator's ``server_vad`` (and the semantic
  VAD types, which are emulated with the same detector). It works on 10 ms frames: a frame is
  speech when its *speech level* reaches the session's ``threshold``, where

  ``level = clip((rms_dbfs + 60) / 50, 0, 1)``

  so ``threshold`` 0.5 means -35 dBFS, 0.3 means -45 dBFS and 0.8 means -20 dBFS. Speech
  starts once ``speech_duration_ms`` of speech frames have accumulated (dips of up to 30 ms
  between them are tolerated, as in real speech) and stops after ``silence_duration_ms`` of
  consecutive non-speech frames. The result does not depend on how the audio is chunked.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ..audio import AudioFormat, alaw_encode, array_to_pcm16, ulaw_encode

__all__ = [
    "EnergyVad",
    "VadEvent",
    "WordTiming",
    "encode_samples",
    "speech_level",
    "synthesize_speech",
]

_FRAME_MS = 10
_GAP_FRAMES = 3  # non-speech frames tolerated while speech is being confirmed
_FADE_MS = 8
_HARMONICS = 6


@dataclass(frozen=True)
class WordTiming:
    """Where one word of a synthesized text sits in its audio."""

    text: str
    """The word with its trailing whitespace (as it appears in transcript deltas)."""
    offset_ms: int
    """Start of the word, in ms from the start of the audio."""
    duration_ms: int
    """Duration of the word (its voiced part), in ms."""


def encode_samples(samples: NDArray[np.int16], fmt: AudioFormat) -> bytes:
    """int16 samples -> wire bytes in ``fmt`` (PCM16 little-endian or G.711)."""
    if fmt.encoding == "pcm16":
        return array_to_pcm16(samples)
    if fmt.encoding == "g711_ulaw":
        return ulaw_encode(samples)
    return alaw_encode(samples)


def _words(text: str) -> list[tuple[int, str]]:
    """(start index, word with trailing whitespace) for every word of ``text``."""
    out: list[tuple[int, str]] = []
    i, n = 0, len(text)
    while i < n:
        start = i
        while i < n and not text[i].isspace():
            i += 1
        while i < n and text[i].isspace():
            i += 1
        out.append((start, text[start:i]))
    return out


def synthesize_speech(
    text: str,
    fmt: AudioFormat,
    *,
    ms_per_char: float = 60.0,
    max_ms: int = 30_000,
    amplitude: float = 0.25,
) -> tuple[bytes, list[WordTiming]]:
    """Deterministic speech-like audio for ``text`` in the wire format ``fmt``.

    Each word is a voiced segment (a harmonic series on a pitch derived from the word, with
    short fades); whitespace is silence. The duration is ``len(text) * ms_per_char``, capped
    at ``max_ms`` (characters then share the capped duration).

    Returns:
        The wire audio and the timing of every word.
    """
    if not text:
        return b"", []
    total_ms = min(len(text) * ms_per_char, float(max_ms))
    char_ms = total_ms / len(text)
    rate = fmt.sample_rate
    n_total = round(total_ms * rate / 1000.0)
    f0 = np.zeros(n_total, dtype=np.float64)
    gain = np.zeros(n_total, dtype=np.float64)
    fade = max(1, round(_FADE_MS * rate / 1000.0))
    timings: list[WordTiming] = []
    for start, token in _words(text):
        word = token.rstrip()
        begin_ms = start * char_ms
        voiced_ms = len(word) * char_ms
        timings.append(WordTiming(token, round(begin_ms), max(1, round(voiced_ms))))
        a = round(begin_ms * rate / 1000.0)
        b = min(n_total, round((begin_ms + voiced_ms) * rate / 1000.0))
        if b <= a:
            continue
        pitch = 110.0 + (zlib.crc32(word.encode("utf-8")) % 90)
        f0[a:b] = pitch
        env = np.ones(b - a, dtype=np.float64)
        k = min(fade, (b - a) // 2)
        if k:
            ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, k))
            env[:k] = ramp
            env[-k:] = ramp[::-1]
        gain[a:b] = env
    phase = np.cumsum(2.0 * np.pi * f0 / rate)
    # A slow "syllable" modulation so the level moves like speech does.
    syllable = 0.75 + 0.25 * np.sin(2.0 * np.pi * 4.0 * np.arange(n_total) / rate)
    signal = np.zeros(n_total, dtype=np.float64)
    norm = 0.0
    for h in range(1, _HARMONICS + 1):
        signal += np.sin(h * phase) / h
        norm += 1.0 / h
    signal *= gain * syllable * (amplitude / norm) * 2.0
    samples = np.clip(np.round(signal * 32767.0), -32768, 32767).astype(np.int16)
    return encode_samples(samples, fmt), timings


def speech_level(frames: NDArray[Any]) -> NDArray[np.float64]:
    """Speech level in [0, 1] of each row of ``frames`` (int16 samples), see the module doc."""
    x = frames.astype(np.float64) / 32768.0
    rms = np.sqrt(np.mean(x * x, axis=-1))
    dbfs = 20.0 * np.log10(np.maximum(rms, 1e-10))
    return np.asarray(np.clip((dbfs + 60.0) / 50.0, 0.0, 1.0), dtype=np.float64)


@dataclass(frozen=True)
class VadEvent:
    """A detection of :class:`EnergyVad`; positions are sample indexes of the stream."""

    kind: Literal["start", "stop"]
    """``"start"``: speech began at ``position``; ``"stop"``: speech ended, detected at
    ``position`` (after the configured silence)."""
    position: int
    """For ``start`` the first speech sample; for ``stop`` the sample where the silence
    reached ``silence_duration_ms`` (the end of the user's turn, trailing silence included)."""


class EnergyVad:
    """Frame-energy voice activity detection over a stream of int16 samples.

    Args:
        sample_rate: samples per second of the stream.
        threshold: speech level (0..1) a 10 ms frame needs to count as speech.
        silence_duration_ms: non-speech needed to end speech.
        speech_duration_ms: speech needed to start speech.
    """

    __slots__ = (
        "_carry",
        "_frame",
        "_gap",
        "_need_silence",
        "_need_speech",
        "_onset",
        "_run",
        "position",
        "speaking",
        "threshold",
    )

    def __init__(
        self,
        sample_rate: int,
        *,
        threshold: float = 0.5,
        silence_duration_ms: int = 500,
        speech_duration_ms: int = 200,
    ) -> None:
        self._frame = max(1, sample_rate * _FRAME_MS // 1000)
        self.threshold = threshold
        self._need_speech = max(1, -(-speech_duration_ms // _FRAME_MS))
        self._need_silence = max(1, -(-silence_duration_ms // _FRAME_MS))
        self._carry: NDArray[np.int16] = np.zeros(0, dtype=np.int16)
        self.position = 0
        """Samples consumed so far (the stream position of the next frame)."""
        self.speaking = False
        """True between a ``start`` and its ``stop``."""
        self._run = 0
        self._gap = 0
        self._onset = 0

    def reset(self, position: int | None = None) -> None:
        """Forget any speech in progress (e.g. the buffer was cleared); keep the timeline."""
        if position is not None:
            self.position = position
        self._carry = np.zeros(0, dtype=np.int16)
        self.speaking = False
        self._run = 0
        self._gap = 0

    def process(self, samples: NDArray[np.int16]) -> list[VadEvent]:
        """Feed samples; return the detections they complete, in order."""
        frame = self._frame
        if self._carry.size:
            samples = np.concatenate((self._carry, samples))
        n = samples.size // frame
        self._carry = samples[n * frame :].copy()
        if n == 0:
            return []
        speech = speech_level(samples[: n * frame].reshape(n, frame)) >= self.threshold
        events: list[VadEvent] = []
        pos = self.position
        run = self._run
        speaking = self.speaking
        if not speaking and run == 0 and not speech.any():
            self.position = pos + n * frame
            return events
        gap = self._gap
        for is_speech in speech.tolist():
            if not speaking:
                if is_speech:
                    if run == 0:
                        self._onset = pos
                    run += 1
                    gap = 0
                    if run >= self._need_speech:
                        speaking, run = True, 0
                        events.append(VadEvent("start", self._onset))
                elif run:
                    gap += 1
                    if gap > _GAP_FRAMES:
                        run = gap = 0
            elif is_speech:
                run = 0
            else:
                run += 1
                if run >= self._need_silence:
                    speaking, run = False, 0
                    events.append(VadEvent("stop", pos + frame))
            pos += frame
        self.position = pos
        self._run = run
        self._gap = gap
        self.speaking = speaking
        return events
