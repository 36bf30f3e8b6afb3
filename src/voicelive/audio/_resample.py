"""Sample-rate conversion: a polyphase windowed-sinc FIR for any rational ratio.

The ratio ``dst_rate / src_rate`` is reduced to ``L / M`` (upsample by L, low-pass,
downsample by M). The low-pass is a Kaiser-windowed sinc designed in the upsampled domain:
pass band up to 86 % of the lower Nyquist frequency, stop band (-80 dB) from the lower
Nyquist frequency on, so nothing aliases and speech bands are untouched.

Output sample ``n`` sits at input time ``n * src_rate / dst_rate``: the filter is centred
(zero phase), so the output lines up with the input and has ``ceil(len * L / M)`` samples.

Streaming works in *cycles*: every cycle consumes M input samples and produces L output
samples, with a fixed K x L coefficient matrix (K = M + taps per phase, about). A chunk is
turned into one matrix product over all the complete cycles it allows; the few input
samples a cycle still needs from the future stay buffered. That makes the result independent
of how the input is chunked (10 ms frames give the output of the whole signal), and the
per-chunk cost a handful of numpy calls.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from ._formats import AudioFormatError

__all__ = ["StreamingResampler", "resample"]

_PASS = 0.86  # pass-band edge, fraction of the lower Nyquist frequency
_ATTENUATION_DB = 80.0  # stop-band attenuation
_F = np.float64
_BLOCK_VALUES = 1 << 17  # window values copied per matrix product (1 MiB)
_MAX_COEFFS = 1 << 22  # coefficient entries (32 MiB); common rates need < 700 000


def _design(src_rate: int, dst_rate: int) -> tuple[int, int, int, NDArray[np.float64]]:
    """Coefficients for ``src_rate -> dst_rate``: ``(L, M, offset, C)``.

    ``C`` has shape ``(K, L)``: output ``q * L + r`` is ``x[q*M + offset : ... + K] @ C[:, r]``.
    Resamplers use the cached :data:`_cached_design`.
    """
    g = math.gcd(src_rate, dst_rate)
    up, down = dst_rate // g, src_rate // g
    fs_up = float(src_rate * up)
    nyquist = min(src_rate, dst_rate) / 2.0
    cutoff = (1.0 + _PASS) / 2.0 * nyquist / fs_up  # -6 dB point, cycles per upsampled sample
    width = 2.0 * math.pi * (1.0 - _PASS) * nyquist / fs_up  # transition, rad per sample
    beta = 0.1102 * (_ATTENUATION_DB - 8.7)
    n_taps = math.ceil((_ATTENUATION_DB - 7.95) / (2.285 * width)) + 1
    if up * (down + n_taps // up + 2) > _MAX_COEFFS:
        raise AudioFormatError(
            f"cannot resample {src_rate} -> {dst_rate} Hz: the reduced ratio {up}/{down} "
            "needs too large a filter; resample to a common rate such as 48000 first"
        )
    half = n_taps // 2  # use an odd length 2 * half + 1: the centre tap is a whole sample
    k = np.arange(-half, half + 1, dtype=_F)
    h = 2.0 * cutoff * np.sinc(2.0 * cutoff * k) * np.kaiser(2 * half + 1, beta)
    h *= up / h.sum()  # unity gain at DC after zero-stuffing by `up`

    taps = -(-h.size // up)  # taps per polyphase branch
    padded = np.zeros(taps * up, dtype=_F)
    padded[: h.size] = h
    phases = padded.reshape(taps, up).T  # phases[p, j] = h[p + j * up]

    # Output n = q*up + r is centred on upsampled index t = n*down + half:
    # y[n] = sum_j phases[t % up, j] * x[t // up - j].
    base = [(r * down + half) // up for r in range(up)]
    offset = base[0] - (taps - 1)
    width_k = base[-1] - base[0] + taps
    coeffs = np.zeros((width_k, up), dtype=_F)
    j = np.arange(taps)
    for r in range(up):
        p = (r * down + half) % up
        coeffs[base[r] - j - offset, r] = phases[p, j]
    coeffs.flags.writeable = False
    return up, down, offset, coeffs


# A module-level wrapper rather than a decorator: mutation testing (mutmut) leaves decorated
# functions alone, and the tests clear this cache so each one designs the filters it checks.
_cached_design = lru_cache(maxsize=32)(_design)


def _check_rate(name: str, rate: int) -> None:
    if isinstance(rate, bool) or not isinstance(rate, int) or rate <= 0:
        raise AudioFormatError(f"{name} must be a positive int (Hz), got {rate!r}")


class StreamingResampler:
    """Resample a stream chunk by chunk, with the same result as resampling it whole.

    Feed chunks of any size (10 ms and 20 ms frames are fine) to :meth:`process`; call
    :meth:`flush` at the end of the stream for the last samples. Chunked output equals
    :func:`resample` of the concatenated input (to within one LSB for int16).

    int16 input gives int16 output (rounded, clipped); float input gives output of the same
    float dtype. Mono audio is 1-D; with ``channels > 1`` pass ``(frames, channels)`` arrays.

    The resampler holds back about half the filter length of output: 2.25 ms for
    24 <-> 16 kHz, 4.5 ms when one side is 8 kHz; :meth:`flush` releases that tail.
    After :meth:`flush` the object is reset and can resample a new stream.

    Args:
        src_rate: input sample rate in Hz.
        dst_rate: output sample rate in Hz.
        channels: number of channels.
    """

    def __init__(self, src_rate: int, dst_rate: int, channels: int = 1) -> None:
        _check_rate("src_rate", src_rate)
        _check_rate("dst_rate", dst_rate)
        if isinstance(channels, bool) or not isinstance(channels, int) or channels < 1:
            raise AudioFormatError(f"channels must be a positive int, got {channels!r}")
        self.src_rate = src_rate
        self.dst_rate = dst_rate
        self.channels = channels
        self._passthrough = src_rate == dst_rate
        if self._passthrough:
            self._up = self._down = 1
            self._offset = 0
            self._coeffs = np.ones((1, 1), dtype=_F)
        else:
            self._up, self._down, self._offset, self._coeffs = _cached_design(src_rate, dst_rate)
        self._dtype: np.dtype[Any] = np.dtype(np.int16)
        self._reset()

    def _reset(self) -> None:
        # _buf holds input x[start:] per channel, shape (channels, n), where `start` is the
        # first sample of the next cycle's window; the signal is silent before index 0.
        self._buf = np.zeros((self.channels, -self._offset), dtype=_F)
        self._n_in = 0
        self._n_out = 0

    def _as_planar(self, chunk: NDArray[Any]) -> NDArray[np.float64]:
        a = np.asarray(chunk)
        if a.dtype != np.int16 and a.dtype.kind != "f":
            raise AudioFormatError(f"resampler input must be int16 or float, got dtype {a.dtype}")
        planar: NDArray[np.float64]
        if a.ndim == 1 and self.channels == 1:
            planar = a.astype(_F)[np.newaxis, :]
            return planar
        if a.ndim == 2 and a.shape[1] == self.channels:
            planar = a.T.astype(_F)
            return planar
        raise AudioFormatError(
            f"resampler for {self.channels} channel(s) got an array of shape {a.shape}; "
            f"expected {'(n,)' if self.channels == 1 else f'(n, {self.channels})'}"
        )

    def _emit(self, planar: NDArray[np.float64]) -> NDArray[Any]:
        out: NDArray[np.float64] = planar[0] if self.channels == 1 else planar.T
        if self._dtype == np.int16:
            rounded = np.rint(out)
            np.clip(rounded, -32768.0, 32767.0, out=rounded)
            return rounded.astype(np.int16)
        return out.astype(self._dtype)

    def _run(self, buf: NDArray[np.float64], cycles: int) -> NDArray[np.float64]:
        """Output of the first ``cycles`` cycles of ``buf``, shape ``(channels, cycles * L)``."""
        k = self._coeffs.shape[0]
        windows = sliding_window_view(buf, k, axis=1)[:, :: self._down]
        # The windows overlap, so BLAS needs them copied; copy a block at a time to keep the
        # copy in cache however long the signal is.
        block = max(1, _BLOCK_VALUES // (k * self.channels))
        out = np.empty((self.channels, cycles, self._up), dtype=_F)
        for start in range(0, cycles, block):
            stop = min(start + block, cycles)
            np.matmul(
                np.ascontiguousarray(windows[:, start:stop]), self._coeffs, out=out[:, start:stop]
            )
        return out.reshape(self.channels, cycles * self._up)

    def process(self, chunk: NDArray[Any]) -> NDArray[Any]:
        """Resample the next chunk; returns every output sample that is complete so far."""
        x = self._as_planar(chunk)
        self._dtype = np.asarray(chunk).dtype
        self._n_in += x.shape[1]
        if self._passthrough:
            self._n_out += x.shape[1]
            return self._emit(x)
        buf = np.concatenate((self._buf, x), axis=1) if self._buf.shape[1] else x
        k = self._coeffs.shape[0]
        cycles = (buf.shape[1] - k) // self._down + 1 if buf.shape[1] >= k else 0
        if cycles <= 0:
            self._buf = buf
            return self._emit(np.zeros((self.channels, 0), dtype=_F))
        out = self._run(buf, cycles)
        self._buf = buf[:, cycles * self._down :]
        self._n_out += out.shape[1]
        return self._emit(out)

    def flush(self) -> NDArray[Any]:
        """End the stream: return the remaining output samples and reset the resampler.

        In total the stream yields ``ceil(n_in * dst_rate / src_rate)`` samples.
        """
        total = -(-self._n_in * self._up // self._down)
        remaining = total - self._n_out
        buf = self._buf
        self._reset()
        if remaining <= 0:
            return self._emit(np.zeros((self.channels, 0), dtype=_F))
        cycles = -(-remaining // self._up)
        # process() left fewer than K samples, so the last cycles always need zero padding.
        need = (cycles - 1) * self._down + self._coeffs.shape[0]
        pad = np.zeros((self.channels, need - buf.shape[1]), dtype=_F)
        return self._emit(self._run(np.concatenate((buf, pad), axis=1), cycles)[:, :remaining])


def resample(samples: NDArray[Any], src_rate: int, dst_rate: int) -> NDArray[Any]:
    """Resample a whole signal from ``src_rate`` to ``dst_rate`` Hz.

    ``samples`` is 1-D (mono) or ``(frames, channels)``, int16 or float; the result has the
    same layout and dtype and ``ceil(len * dst_rate / src_rate)`` frames, aligned in time
    with the input. Same filter as :class:`StreamingResampler`.
    """
    a = np.asarray(samples)
    channels = a.shape[1] if a.ndim == 2 else 1
    r = StreamingResampler(src_rate, dst_rate, channels)
    head = r.process(a)
    tail = r.flush()
    return np.concatenate((head, tail)) if tail.shape[0] else head
