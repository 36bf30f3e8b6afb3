"""Throughput of the voicelive.audio helpers on one core.

    python bench/bench_audio.py           # a few seconds
    python bench/bench_audio.py --quick   # under a second, smoke test (noisier numbers)

Prints MB/s for G.711 and PCM16 conversion, and for resampling the real-time factor (seconds
of audio processed per second of CPU): whole-signal and streaming in 20 ms frames, the way a
microphone feeds it. Each figure is the median of several runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from voicelive.audio import (
    StreamingResampler,
    alaw_decode,
    alaw_encode,
    array_to_pcm16,
    float32_to_int16,
    pcm16_to_array,
    resample,
    ulaw_decode,
    ulaw_encode,
)

RESAMPLE_PAIRS = [(24000, 16000), (16000, 24000), (24000, 8000), (8000, 24000), (48000, 24000)]


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up: filter design, caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def speech_like(rate: int, seconds: float) -> NDArray[np.int16]:
    rng = np.random.default_rng(0)
    t = np.arange(int(rate * seconds)) / rate
    x = 0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t))
    x += rng.normal(0, 0.05, t.size)
    pcm: NDArray[np.int16] = (np.clip(x, -1, 1) * 32767).astype(np.int16)
    return pcm


def bench_codecs(seconds: float, repeats: int) -> None:
    pcm = speech_like(8000, seconds)
    pcm_bytes = pcm.tobytes()
    ulaw, alaw = ulaw_encode(pcm), alaw_encode(pcm)
    floats = pcm.astype(np.float32) / 32768
    rows = [
        ("ulaw_encode (PCM16 in)", lambda: ulaw_encode(pcm), len(pcm_bytes)),
        ("ulaw_decode (G.711 in)", lambda: ulaw_decode(ulaw), len(ulaw)),
        ("alaw_encode (PCM16 in)", lambda: alaw_encode(pcm), len(pcm_bytes)),
        ("alaw_decode (G.711 in)", lambda: alaw_decode(alaw), len(alaw)),
        ("pcm16_to_array", lambda: pcm16_to_array(pcm_bytes), len(pcm_bytes)),
        ("array_to_pcm16", lambda: array_to_pcm16(pcm), len(pcm_bytes)),
        ("float32_to_int16 (PCM16 out)", lambda: float32_to_int16(floats), len(pcm_bytes)),
    ]
    print(f"conversion, {seconds:g} s of 8 kHz audio per call")
    for name, fn, nbytes in rows:
        mb_s = nbytes / median_seconds(fn, repeats) / 1e6
        print(f"  {name:30s} {mb_s:10.0f} MB/s")


def bench_resampling(seconds: float, repeats: int) -> None:
    print(f"resampling, {seconds:g} s of int16 mono; real-time factor = audio s / CPU s")
    print(f"  {'pair':15s} {'whole RTF':>10s} {'20 ms RTF':>10s} {'Msamples/s':>11s}")
    for src, dst in RESAMPLE_PAIRS:
        x = speech_like(src, seconds)
        frame = src // 50

        def one_shot(x: NDArray[np.int16] = x, src: int = src, dst: int = dst) -> None:
            resample(x, src, dst)

        def streamed(
            x: NDArray[np.int16] = x, src: int = src, dst: int = dst, frame: int = frame
        ) -> None:
            r = StreamingResampler(src, dst)
            for i in range(0, x.size, frame):
                r.process(x[i : i + frame])
            r.flush()

        whole = median_seconds(one_shot, repeats)
        chunked = median_seconds(streamed, repeats)
        print(
            f"  {f'{src // 1000}k -> {dst / 1000:g}k':15s} {seconds / whole:10.0f} "
            f"{seconds / chunked:10.0f} {x.size / whole / 1e6:11.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run for smoke tests")
    args = parser.parse_args()
    seconds, repeats = (2.0, 3) if args.quick else (30.0, 7)
    bench_codecs(seconds * 4, repeats)
    bench_resampling(seconds, repeats)


if __name__ == "__main__":
    main()
