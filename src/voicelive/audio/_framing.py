"""Cutting wire audio into frames, and sending frames at real-time pace.

Frames are always whole sample frames: a PCM16 frame never ends half-way through a sample
(which would shift every later sample by one byte and turn speech into loud noise).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

from ._convert import BytesLike
from ._formats import AudioFormat, AudioFormatError, _check_length

__all__ = ["frames", "paced_frames", "silence"]

_SILENCE_BYTE = {"pcm16": 0x00, "g711_ulaw": 0xFF, "g711_alaw": 0xD5}


def silence(fmt: AudioFormat, ms: float) -> bytes:
    """``ms`` milliseconds of digital silence in ``fmt`` (rounded down to whole samples).

    Silence is 0x00 bytes in PCM16, but 0xFF in μ-law and 0xD5 in A-law: zero bytes in a
    G.711 stream are a full-scale signal.
    """
    return bytes([_SILENCE_BYTE[fmt.encoding]]) * fmt.ms_to_bytes(ms)


def _frame_size(data: BytesLike, fmt: AudioFormat, frame_ms: float) -> tuple[memoryview, int]:
    view = memoryview(data).cast("B") if isinstance(data, memoryview) else memoryview(data)
    _check_length(view.nbytes, fmt)
    size = fmt.ms_to_bytes(frame_ms)
    if size <= 0:
        raise AudioFormatError(
            f"frame_ms={frame_ms} is shorter than one sample at {fmt.sample_rate} Hz"
        )
    return view, size


def _cut(view: memoryview, size: int, fmt: AudioFormat, pad_last: bool) -> Iterator[bytes]:
    for start in range(0, view.nbytes, size):
        frame = view[start : start + size].tobytes()
        if pad_last and len(frame) < size:
            frame += bytes([_SILENCE_BYTE[fmt.encoding]]) * (size - len(frame))
        yield frame


def frames(
    data: BytesLike, fmt: AudioFormat, frame_ms: float, *, pad_last: bool = False
) -> Iterator[bytes]:
    """Split wire audio into frames of ``frame_ms`` milliseconds.

    Every frame is ``fmt.ms_to_bytes(frame_ms)`` bytes (whole samples) except possibly the
    last, which is shorter unless ``pad_last`` pads it with :func:`silence`. Arguments are
    checked when ``frames`` is called, not on the first ``next()``.

    Raises:
        AudioFormatError: ``data`` is not whole sample frames of ``fmt`` (an odd byte count
            for PCM16), or ``frame_ms`` is shorter than one sample.
    """
    view, size = _frame_size(data, fmt, frame_ms)
    return _cut(view, size, fmt, pad_last)


async def _paced(
    chunks: Iterator[bytes],
    fmt: AudioFormat,
    realtime: bool,
    speed: float,
    clock: Callable[[], float] | None,
    sleep: Callable[[float], Awaitable[object]],
) -> AsyncIterator[bytes]:
    now = clock or asyncio.get_running_loop().time
    start = now()
    sent = 0  # sample frames yielded so far; the schedule is derived from it, so no drift
    rate = fmt.sample_rate * speed
    for frame in chunks:
        if realtime:
            delay = start + sent / rate - now()
            if delay > 0:
                await sleep(delay)
        else:
            await sleep(0)  # stay cooperative when running flat out
        yield frame
        sent += len(frame) // fmt.block_align


def paced_frames(
    data: BytesLike,
    fmt: AudioFormat,
    frame_ms: float = 20,
    *,
    realtime: bool = True,
    speed: float = 1.0,
    pad_last: bool = False,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> AsyncIterator[bytes]:
    """Yield :func:`frames` of ``data`` at real-time pace, like a microphone would.

    Frame ``k`` is released when ``k`` frames' worth of audio time has passed since the
    first one (which comes at once). Deadlines are computed from the start time on a
    monotonic clock, never by adding up sleeps, so the stream does not drift; after a slow
    consumer it catches up instead of falling further behind.

    Args:
        data: wire audio in ``fmt``.
        fmt: its format.
        frame_ms: frame length in milliseconds (10-40 ms is typical for microphones).
        realtime: ``False`` yields as fast as the consumer takes them (still yielding to the
            event loop between frames).
        speed: playback-speed factor (2.0 = twice real time).
        pad_last: pad the last frame to full length with silence.
        clock: monotonic clock in seconds; default the running event loop's clock.
        sleep: the coroutine used to wait; default :func:`asyncio.sleep`.

    Raises:
        AudioFormatError: as :func:`frames` (checked at call time), or ``speed <= 0``.

    Example::

        async for frame in paced_frames(load_wav_for_session("hello.wav", fmt), fmt, 20):
            await conn.input_audio_buffer.append(audio=frame)
    """
    if not speed > 0:
        raise AudioFormatError(f"speed must be positive, got {speed}")
    view, size = _frame_size(data, fmt, frame_ms)
    return _paced(_cut(view, size, fmt, pad_last), fmt, realtime, speed, clock, sleep)
