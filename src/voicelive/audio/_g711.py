"""G.711 μ-law and A-law codecs, bit-exact with the ITU-T reference (G.191 STL ``g711.c``).

Encoding is a single table lookup: every one of the 65536 PCM16 values is encoded once, at
import, by a vectorized formulation of the G.711 quantizer (about 0.1 ms), and
:func:`ulaw_encode` / :func:`alaw_encode` index that table with the samples' bit patterns.
Decoding looks up a 256-entry table.

Negative samples are quantized through their one's complement (``~x``, i.e. ``-x - 1``) as
the ITU-T reference does, so ``x`` and ``-1 - x`` get the same magnitude code. Note that
``audioop.lin2ulaw`` (and the Sun ``g711.c`` it copied) negates instead, which gives a
different μ-law code for some small negative inputs (for example -1 → 0x7E there, 0x7F
here); A-law is identical in both.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from ._convert import BytesLike, as_int16
from ._formats import AudioFormatError

__all__ = ["alaw_decode", "alaw_encode", "ulaw_decode", "ulaw_encode"]


def _bit_length(v: NDArray[np.int64]) -> NDArray[np.int64]:
    """Bit length of non-negative integers below 2**52 (0 for 0)."""
    return np.frexp(v.astype(np.float64))[1].astype(np.int64)


def _one_complement_magnitude(x: NDArray[np.int64]) -> NDArray[np.int64]:
    return np.where(x < 0, ~x, x)


def _build_tables() -> tuple[
    NDArray[np.uint8], NDArray[np.uint8], NDArray[np.int16], NDArray[np.int16]
]:
    # Index i is the uint16 bit pattern of int16 sample x.
    x = np.arange(65536, dtype=np.uint16).view(np.int16).astype(np.int64)
    positive = x >= 0
    mag = _one_complement_magnitude(x)

    # μ-law: 14-bit magnitude plus bias 33, clipped to 0x1FFF; 8 segments of 16 steps.
    biased = np.minimum((mag >> 2) + 33, 0x1FFF)
    exp = _bit_length(biased >> 6)
    mant = (biased >> (exp + 1)) & 0x0F
    ulaw_enc = (((exp << 4) | mant) ^ np.where(positive, 0xFF, 0x7F)).astype(np.uint8)

    # A-law: 12-bit magnitude; segment 0 and 1 share the step size.
    ix = mag >> 4
    exp = np.maximum(_bit_length(ix) - 4, 0)
    mant = (ix >> np.maximum(exp - 1, 0)) & 0x0F
    alaw_enc = ((((exp << 4) | mant) | np.where(positive, 0x80, 0)) ^ 0x55).astype(np.uint8)

    code = np.arange(256, dtype=np.int64)
    u = ~code & 0xFF
    exp = (u >> 4) & 0x07
    mag_u = ((((u & 0x0F) << 3) + 0x84) << exp) - 0x84
    ulaw_dec = np.where(u & 0x80, -mag_u, mag_u).astype(np.int16)

    a = (code ^ 0x55) & 0x7F
    exp = a >> 4
    mant = (a & 0x0F) + np.where(exp > 0, 16, 0)
    mag_a = ((mant << 4) + 8) << np.maximum(exp - 1, 0)
    alaw_dec = np.where(code & 0x80, mag_a, -mag_a).astype(np.int16)
    return ulaw_enc, alaw_enc, ulaw_dec, alaw_dec


_TABLES: Final = _build_tables()
for _table in _TABLES:
    _table.flags.writeable = False
_ULAW_ENC: Final = _TABLES[0]
_ALAW_ENC: Final = _TABLES[1]
_ULAW_DEC: Final = _TABLES[2]
_ALAW_DEC: Final = _TABLES[3]


def _table_index(samples: NDArray[Any] | BytesLike) -> NDArray[np.uint16]:
    """The uint16 bit patterns of PCM16 samples given as bytes or an int16/float array."""
    if isinstance(samples, (bytes, bytearray, memoryview)):
        n = samples.nbytes if isinstance(samples, memoryview) else len(samples)
        if n % 2:
            raise AudioFormatError(
                f"PCM16 audio must have an even number of bytes (2 per sample), got {n} bytes"
            )
        return np.frombuffer(samples, dtype="<u2")
    return as_int16(samples).view(np.uint16)


def ulaw_encode(samples: NDArray[Any] | BytesLike) -> bytes:
    """Encode PCM16 samples as G.711 μ-law, one byte per sample.

    Args:
        samples: an int16 array (a float array in [-1, 1] is converted first), or PCM16
            little-endian bytes. Multi-channel arrays are encoded interleaved.
    """
    return _ULAW_ENC[_table_index(samples)].tobytes()


def alaw_encode(samples: NDArray[Any] | BytesLike) -> bytes:
    """Encode PCM16 samples as G.711 A-law, one byte per sample (see :func:`ulaw_encode`)."""
    return _ALAW_ENC[_table_index(samples)].tobytes()


def ulaw_decode(data: BytesLike) -> NDArray[np.int16]:
    """Decode G.711 μ-law bytes into a new int16 array (one sample per byte)."""
    return _ULAW_DEC[np.frombuffer(data, dtype=np.uint8)]


def alaw_decode(data: BytesLike) -> NDArray[np.int16]:
    """Decode G.711 A-law bytes into a new int16 array (one sample per byte)."""
    return _ALAW_DEC[np.frombuffer(data, dtype=np.uint8)]
