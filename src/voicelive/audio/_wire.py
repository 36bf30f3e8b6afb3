"""Putting audio on the wire and taking it off: the helpers the connection calls.

* :func:`to_wire_audio` -- what ``input_audio_buffer.append(audio=...)`` does with bytes and
  arrays: check, convert, encode; never resample (a rate cannot be guessed from an array).
* :func:`encode_for_session` / :class:`WireEncoder` -- any source rate and channel layout to
  the session's input format (downmix, resample, encode), one-shot or streaming.
* :func:`decode_from_wire` -- ``response.audio.delta`` bytes to int16 samples.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._convert import BytesLike, array_to_pcm16, as_int16, pcm16_to_array, to_mono
from ._formats import AudioFormat, AudioFormatError, _check_length
from ._g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
from ._resample import StreamingResampler, resample

__all__ = ["WireEncoder", "decode_from_wire", "encode_for_session", "to_wire_audio"]


def _encode_array(arr: NDArray[Any], fmt: AudioFormat | None) -> bytes:
    if arr.ndim not in (1, 2):
        raise AudioFormatError(
            f"audio arrays must be 1-D or (frames, channels), got shape {arr.shape}"
        )
    samples = as_int16(arr)
    if fmt is not None:
        if arr.ndim == 2 and arr.shape[1] != fmt.channels:
            raise AudioFormatError(
                f"array has {arr.shape[1]} channels (shape {arr.shape}) "
                f"but {fmt} has {fmt.channels}"
            )
        if arr.ndim == 1 and arr.size % fmt.channels:
            raise AudioFormatError(
                f"interleaved {fmt.channels}-channel audio needs a multiple of {fmt.channels} "
                f"samples, got {arr.size}"
            )
        if fmt.encoding == "g711_ulaw":
            return ulaw_encode(samples)
        if fmt.encoding == "g711_alaw":
            return alaw_encode(samples)
    return array_to_pcm16(samples)


def to_wire_audio(audio: object, fmt: AudioFormat | None = None) -> bytes:
    """Raw wire bytes for ``input_audio_buffer.append``.

    Args:
        audio: ``bytes`` / ``bytearray`` / ``memoryview`` already in the wire format
            (returned as ``bytes``), or a numpy array: int16 PCM, or float32/float64 in
            [-1, 1] (clipped and rounded to PCM16). Arrays are mono 1-D or
            ``(frames, channels)``; they are encoded to ``fmt`` (G.711 formats get G.711).
        fmt: the session's input format. With it, byte input must be whole sample frames
            (a multiple of ``bytes_per_sample * channels``) and arrays must match its
            channel count. Without it, arrays become PCM16.

    Raises:
        AudioFormatError: another type or dtype, or a length that cuts a sample frame.
    """
    if type(audio) is bytes:  # the hot path: one type check, no copy
        data = audio
    elif isinstance(audio, (bytes, bytearray)):
        data = bytes(audio)
    elif isinstance(audio, memoryview):
        data = audio.tobytes()
    elif isinstance(audio, np.ndarray):
        return _encode_array(audio, fmt)
    else:
        raise AudioFormatError(
            "audio must be bytes, bytearray, memoryview or a numpy int16/float array, "
            f"got {type(audio).__name__}"
        )
    if fmt is not None:
        _check_length(len(data), fmt)
    return data


def _as_source(samples: NDArray[Any] | BytesLike, channels: int) -> NDArray[Any]:
    if isinstance(samples, (bytes, bytearray, memoryview)):
        return pcm16_to_array(samples, channels)
    arr = np.asarray(samples)
    if arr.dtype != np.int16 and arr.dtype.kind != "f":
        raise AudioFormatError(
            f"audio arrays must be int16 PCM or float in [-1, 1], got dtype {arr.dtype}"
        )
    if arr.ndim not in (1, 2):
        raise AudioFormatError(
            f"audio arrays must be 1-D or (frames, channels), got shape {arr.shape}"
        )
    return arr


def _fit_channels(arr: NDArray[Any], fmt: AudioFormat) -> NDArray[Any]:
    have = arr.shape[1] if arr.ndim == 2 else 1
    if have == fmt.channels:
        return arr
    if fmt.channels == 1:
        return to_mono(arr, have)
    raise AudioFormatError(
        f"{fmt} needs {fmt.channels}-channel input (for echo cancellation: microphone, "
        f"reference), got {have} channel(s); build it with interleave(mic, reference)"
    )


def encode_for_session(
    samples: NDArray[Any] | BytesLike,
    sample_rate: int,
    fmt: AudioFormat,
    *,
    channels: int | None = None,
) -> bytes:
    """Convert audio at any rate and channel layout to wire bytes in ``fmt``.

    Downmixes to mono when ``fmt`` is mono, resamples ``sample_rate -> fmt.sample_rate``
    (float input stays float until the final rounding), then encodes PCM16 or G.711.
    For a live stream use :class:`WireEncoder`, which keeps the resampler state.

    Args:
        samples: int16 or float array, 1-D or ``(frames, channels)``; or PCM16 bytes.
        sample_rate: the rate of ``samples`` in Hz.
        fmt: the session's input format.
        channels: channel count of interleaved PCM16 ``bytes`` input (default
            ``fmt.channels``).
    """
    arr = _fit_channels(_as_source(samples, channels or fmt.channels), fmt)
    if sample_rate != fmt.sample_rate:
        arr = resample(arr, sample_rate, fmt.sample_rate)
    return _encode_array(arr, fmt)


class WireEncoder:
    """Streaming :func:`encode_for_session`: chunks at ``src_rate`` in, wire bytes out.

    For a microphone (say 48 kHz float32 frames) feeding a 24 kHz PCM16 or 8 kHz G.711
    session: ``encode()`` each frame, send what it returns (it may be empty for a tiny
    first frame), ``flush()`` at the end. Chunking does not change the result.

    Args:
        src_rate: the rate of the audio you feed, in Hz.
        fmt: the session's input format.
        src_channels: channels of the audio you feed, downmixed when ``fmt`` is mono
            (default ``fmt.channels``).
    """

    def __init__(self, src_rate: int, fmt: AudioFormat, src_channels: int | None = None) -> None:
        src_channels = src_channels or fmt.channels
        if src_channels != fmt.channels and fmt.channels != 1:
            raise AudioFormatError(
                f"{fmt} needs {fmt.channels}-channel input, got src_channels={src_channels}"
            )
        self.fmt = fmt
        self.src_rate = src_rate
        self.src_channels = src_channels
        self._resampler = StreamingResampler(src_rate, fmt.sample_rate, fmt.channels)

    def encode(self, chunk: NDArray[Any] | BytesLike) -> bytes:
        """Encode the next chunk (int16/float array or PCM16 bytes at ``src_rate``)."""
        arr = _as_source(chunk, self.src_channels)
        have = arr.shape[1] if arr.ndim == 2 else 1
        if have != self.src_channels:
            raise AudioFormatError(
                f"expected {self.src_channels}-channel audio, got shape {arr.shape}"
            )
        return _encode_array(self._resampler.process(_fit_channels(arr, self.fmt)), self.fmt)

    def flush(self) -> bytes:
        """The last wire bytes of the stream; the encoder is then ready for a new stream."""
        return _encode_array(self._resampler.flush(), self.fmt)


def decode_from_wire(data: BytesLike, fmt: AudioFormat) -> NDArray[np.int16]:
    """Decode received wire audio (``response.audio.delta``) into a new int16 array.

    The result is 1-D for mono formats and ``(frames, channels)`` otherwise.

    Raises:
        AudioFormatError: the byte count is not a whole number of sample frames.
    """
    n = data.nbytes if isinstance(data, memoryview) else len(data)
    _check_length(n, fmt)
    if fmt.encoding == "pcm16":
        return pcm16_to_array(data, fmt.channels)
    out = ulaw_decode(data) if fmt.encoding == "g711_ulaw" else alaw_decode(data)
    return out.reshape(-1, fmt.channels) if fmt.channels > 1 else out
