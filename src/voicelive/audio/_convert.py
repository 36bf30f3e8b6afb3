"""Sample conversions: PCM16 bytes, int16 arrays, float32 in [-1, 1], channel layouts.

Conventions used throughout :mod:`voicelive.audio`:

* PCM16 on the wire is signed 16-bit **little-endian**, channels interleaved.
* int16 arrays are 1-D for mono and ``(frames, channels)`` for more channels.
* float audio lives in [-1.0, 1.0]; ``int16 / 32768`` and back is lossless, and floats
  outside the range are **clipped**, never wrapped around (wrapping turns a slightly hot
  signal into loud clicks).
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ._formats import AudioFormatError

__all__ = [
    "BytesLike",
    "array_to_pcm16",
    "as_int16",
    "float32_to_int16",
    "int16_to_float32",
    "interleave",
    "pcm16_to_array",
    "to_mono",
]

BytesLike: TypeAlias = bytes | bytearray | memoryview
"""Raw audio bytes in any of the buffer types the library accepts."""

_LE_INT16 = np.dtype("<i2")


def _nbytes(data: BytesLike) -> int:
    return data.nbytes if isinstance(data, memoryview) else len(data)


def pcm16_to_array(data: BytesLike, channels: int = 1) -> NDArray[np.int16]:
    """Decode PCM16 little-endian bytes into a new, writable int16 array.

    Args:
        data: raw PCM16 bytes (interleaved when ``channels > 1``).
        channels: with more than one channel the result has shape ``(frames, channels)``.

    Raises:
        AudioFormatError: the byte count is odd (a cut sample) or not a whole number of
            sample frames.
    """
    n = _nbytes(data)
    if n % 2:
        raise AudioFormatError(
            f"PCM16 audio must have an even number of bytes (2 per sample), got {n} bytes"
        )
    if channels < 1:
        raise AudioFormatError(f"channels must be at least 1, got {channels}")
    if channels > 1 and n % (2 * channels):
        raise AudioFormatError(
            f"{channels}-channel PCM16 audio must be a multiple of {2 * channels} bytes, "
            f"got {n} bytes"
        )
    out = np.frombuffer(data, dtype=_LE_INT16).astype(np.int16)
    return out.reshape(-1, channels) if channels > 1 else out


def as_int16(samples: Any) -> NDArray[np.int16]:
    """Coerce an int16 or float array to int16 (floats via :func:`float32_to_int16`).

    Raises:
        AudioFormatError: any other dtype (int32, uint8, ... are ambiguous in scale).
    """
    arr = np.asarray(samples)
    if arr.dtype == np.int16:
        return arr
    if arr.dtype.kind == "f":
        return float32_to_int16(arr)
    raise AudioFormatError(
        f"audio arrays must be int16 PCM or float in [-1, 1], got dtype {arr.dtype}"
    )


def array_to_pcm16(arr: NDArray[Any]) -> bytes:
    """Encode an int16 (or float in [-1, 1]) array as PCM16 little-endian bytes.

    A ``(frames, channels)`` array is written interleaved. Float input is clipped to
    [-1, 1] and rounded (see :func:`float32_to_int16`).

    Raises:
        AudioFormatError: an array of any other dtype.
    """
    samples = as_int16(arr)
    return np.ascontiguousarray(samples, dtype=_LE_INT16).tobytes()


def int16_to_float32(arr: NDArray[np.int16]) -> NDArray[np.float32]:
    """int16 samples to float32 in [-1, 1): divides by 32768 (exact, lossless)."""
    out = np.array(arr, dtype=np.float32)  # always a fresh array
    out *= np.float32(1.0 / 32768.0)
    return out


def float32_to_int16(arr: NDArray[np.floating[Any]]) -> NDArray[np.int16]:
    """Float samples in [-1, 1] to int16: scales by 32768, rounds to nearest, clips.

    Values beyond full scale saturate at -32768 / 32767 instead of wrapping; NaN becomes 0.
    ``float32_to_int16(int16_to_float32(x))`` returns ``x`` exactly.
    """
    a = np.asarray(arr)
    if a.dtype.kind != "f":
        raise AudioFormatError(f"expected a float array, got dtype {a.dtype}")
    work = np.clip(a, -1.0, 1.0)  # in the input's own precision: no overflow on the cast
    work *= 32768.0
    np.rint(work, out=work)
    np.minimum(work, 32767.0, out=work)
    np.nan_to_num(work, copy=False, nan=0.0)
    return work.astype(np.int16)


def to_mono(arr: NDArray[Any], channels: int) -> NDArray[Any]:
    """Average the channels of interleaved (1-D) or ``(frames, channels)`` audio to mono.

    The result has the input's dtype; integer averages are rounded to nearest. With
    ``channels == 1`` the (1-D) input is returned unchanged.

    Raises:
        AudioFormatError: the shape does not match ``channels``.
    """
    a = np.asarray(arr)
    if channels < 1:
        raise AudioFormatError(f"channels must be at least 1, got {channels}")
    if a.ndim == 2:
        if a.shape[1] != channels:
            raise AudioFormatError(
                f"array has {a.shape[1]} channels (shape {a.shape}), expected {channels}"
            )
        frames = a
    elif a.ndim == 1:
        if channels == 1:
            return a
        if a.size % channels:
            raise AudioFormatError(
                f"interleaved {channels}-channel audio needs a multiple of {channels} "
                f"samples, got {a.size}"
            )
        frames = a.reshape(-1, channels)
    else:
        raise AudioFormatError(f"audio arrays must be 1-D or 2-D, got shape {a.shape}")
    if channels == 1:
        return frames[:, 0]
    if a.dtype.kind == "f":
        mean: NDArray[Any] = frames.mean(axis=1, dtype=np.float64)
        return mean.astype(a.dtype)
    total: NDArray[np.int64] = frames.sum(axis=1, dtype=np.int64)
    return np.rint(total / channels).astype(a.dtype)


def interleave(*channels: NDArray[Any]) -> NDArray[Any]:
    """Stack equally long mono arrays into one ``(frames, channels)`` array.

    For client echo cancellation: ``interleave(mic, reference)`` gives the stereo layout the
    server expects (channel 0 microphone, channel 1 echo reference).

    Raises:
        AudioFormatError: no channels, or channels of different lengths or dtypes.
    """
    if not channels:
        raise AudioFormatError("interleave() needs at least one channel")
    arrays = [np.asarray(c) for c in channels]
    lengths = {a.shape for a in arrays}
    if len(lengths) != 1 or arrays[0].ndim != 1:
        raise AudioFormatError(
            f"channels must be 1-D arrays of equal length, got shapes {[a.shape for a in arrays]}"
        )
    if len({a.dtype for a in arrays}) != 1:
        raise AudioFormatError(f"channels must share a dtype, got {[str(a.dtype) for a in arrays]}")
    return np.stack(arrays, axis=1)
