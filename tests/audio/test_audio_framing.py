"""Framing and real-time pacing (with a fake clock: no wall-clock assertions)."""

from __future__ import annotations

import array
import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from voicelive.audio import (
    G711_ALAW,
    G711_ULAW,
    PCM16_16K,
    PCM16_24K,
    PCM16_24K_STEREO,
    AudioFormat,
    AudioFormatError,
    frames,
    paced_frames,
    silence,
)

SECOND = bytes(range(256)) * (48000 // 256) + bytes(48000 % 256)  # 1 s of PCM16 24 kHz


def test_frames_are_whole_samples() -> None:
    out = list(frames(SECOND, PCM16_24K, 20))
    assert len(out) == 50
    assert {len(f) for f in out} == {960}
    assert b"".join(out) == SECOND
    assert [len(f) for f in frames(SECOND[:1000], PCM16_24K, 10)] == [480, 480, 40]


def test_frames_last_frame_padding() -> None:
    out = list(frames(b"\x01\x00" * 5, PCM16_16K, 0.25, pad_last=True))  # 4 samples a frame
    assert out == [b"\x01\x00" * 4, b"\x01\x00" + b"\x00" * 6]
    ulaw = list(frames(b"\x10" * 170, G711_ULAW, 20, pad_last=True))
    assert [len(f) for f in ulaw] == [160, 160]
    assert ulaw[1] == b"\x10" * 10 + b"\xff" * 150


@pytest.mark.parametrize("data", [bytearray(SECOND[:960]), memoryview(SECOND[:960])])
def test_frames_accepts_buffers_and_yields_bytes(data: bytearray | memoryview) -> None:
    out = list(frames(data, PCM16_24K, 10))
    assert out == [SECOND[:480], SECOND[480:960]]
    assert all(type(f) is bytes for f in out)


def test_frames_of_a_memoryview_over_int16_count_bytes() -> None:
    """A memoryview over int16 samples is sliced in bytes, not in (2-byte) items."""
    samples = array.array("h", range(-240, 240))
    view = memoryview(samples)  # format 'h': 480 items, 960 bytes
    out = list(frames(view, PCM16_24K, 10))
    assert out == [samples.tobytes()[:480], samples.tobytes()[480:]]


def test_one_sample_frames() -> None:
    assert list(frames(b"\x01\x02\x03", G711_ULAW, 0.125)) == [b"\x01", b"\x02", b"\x03"]


def test_frames_with_44100_and_stereo() -> None:
    fmt = AudioFormat("pcm16", 44100)
    assert [len(f) for f in frames(bytes(882 * 3), fmt, 10)] == [882, 882, 882]
    stereo = list(frames(bytes(960 * 2), PCM16_24K_STEREO, 10))
    assert [len(f) for f in stereo] == [960, 960]
    assert all(len(f) % 4 == 0 for f in frames(bytes(4 * 101), PCM16_24K_STEREO, 1))


def test_frames_errors_are_raised_at_call_time() -> None:
    with pytest.raises(AudioFormatError, match=r"even number of bytes.*got 961 bytes"):
        frames(SECOND[:961], PCM16_24K, 20)  # no next() needed
    with pytest.raises(AudioFormatError, match="multiple of 4 bytes"):
        frames(bytes(6), PCM16_24K_STEREO, 20)
    with pytest.raises(AudioFormatError, match="shorter than one sample"):
        frames(SECOND, PCM16_24K, 0.01)
    with pytest.raises(AudioFormatError, match="speed must be positive"):
        paced_frames(SECOND, PCM16_24K, 20, speed=0)
    with pytest.raises(AudioFormatError, match="even number of bytes"):
        paced_frames(b"\x00", PCM16_24K, 20)


def test_silence() -> None:
    assert silence(PCM16_24K, 10) == bytes(480)
    assert silence(G711_ULAW, 20) == b"\xff" * 160
    assert silence(G711_ALAW, 1) == b"\xd5" * 8
    assert silence(PCM16_24K_STEREO, 1) == bytes(96)


class FakeClock:
    """A clock that only moves when the code under test sleeps or the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def collect(
    clock: FakeClock, agen: AsyncIterator[bytes], work: float = 0.0
) -> list[tuple[float, bytes]]:
    out = []
    async for frame in agen:
        out.append((round(clock.now - 1000.0, 9), frame))
        clock.now += work  # the consumer's own processing time
    return out


async def test_paced_frames_release_on_schedule() -> None:
    clock = FakeClock()
    gen = paced_frames(SECOND, PCM16_24K, 20, clock=clock, sleep=clock.sleep)
    out = await collect(clock, gen)
    assert [t for t, _ in out] == [pytest.approx(0.02 * k) for k in range(50)]
    assert b"".join(f for _, f in out) == SECOND


async def test_paced_frames_do_not_drift_with_a_busy_consumer() -> None:
    clock = FakeClock()
    gen = paced_frames(SECOND, PCM16_24K, 20, clock=clock, sleep=clock.sleep)
    out = await collect(clock, gen, work=0.007)
    # Sleeps shrink to absorb the consumer's 7 ms; release times stay on the 20 ms grid.
    assert [t for t, _ in out] == [pytest.approx(0.02 * k) for k in range(50)]
    assert all(s == pytest.approx(0.013) for s in clock.sleeps)


async def test_paced_frames_catch_up_after_a_stall() -> None:
    clock = FakeClock()
    gen = paced_frames(SECOND[:9600], PCM16_24K, 20, clock=clock, sleep=clock.sleep)
    times = []
    async for _ in gen:
        times.append(round(clock.now - 1000.0, 9))
        if len(times) == 2:
            clock.now += 0.1  # stalled for 100 ms
    # frames due during the stall come at once, then the grid resumes
    assert times == [0.0, 0.02, 0.12, 0.12, 0.12, 0.12, 0.12, 0.14, 0.16, 0.18]


async def test_paced_frames_speed_and_partial_last_frame() -> None:
    clock = FakeClock()
    data = bytes(8000 + 80)  # 1.01 s of μ-law
    gen = paced_frames(data, G711_ULAW, 100, speed=2.0, clock=clock, sleep=clock.sleep)
    out = await collect(clock, gen)
    assert [t for t, _ in out] == [pytest.approx(0.05 * k) for k in range(11)]
    assert len(out[-1][1]) == 80


async def test_paced_frames_default_to_20_ms_and_pad_the_last_frame_on_request() -> None:
    clock = FakeClock()
    data = bytes(range(200))  # 25 ms of μ-law
    out = await collect(clock, paced_frames(data, G711_ULAW, clock=clock, sleep=clock.sleep))
    assert [len(f) for _, f in out] == [160, 40]
    padded = paced_frames(data, G711_ULAW, pad_last=True, clock=clock, sleep=clock.sleep)
    out = await collect(clock, padded)
    assert [f for _, f in out] == [data[:160], data[160:] + b"\xff" * 120]  # μ-law silence


async def test_paced_frames_as_fast_as_possible() -> None:
    clock = FakeClock()
    gen = paced_frames(SECOND, PCM16_24K, 20, realtime=False, clock=clock, sleep=clock.sleep)
    out = await collect(clock, gen)
    assert len(out) == 50
    assert clock.sleeps == [0] * 50  # yields to the loop, never waits
    assert {t for t, _ in out} == {0.0}


async def test_paced_frames_default_clock_and_sleep() -> None:
    # Real event loop clock and asyncio.sleep on 3 ms of audio; asserts content, not timing.
    out = [f async for f in paced_frames(SECOND[:144], PCM16_24K, 1)]
    assert out == [SECOND[:48], SECOND[48:96], SECOND[96:144]]
    fast = [f async for f in paced_frames(SECOND[:144], PCM16_24K, 1, realtime=False)]
    assert fast == out


async def test_paced_frames_lets_other_tasks_run() -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    try:
        async for _ in paced_frames(SECOND, PCM16_24K, 10, realtime=False):
            pass
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert ticks >= 50
