"""G.711 against an independent scalar reference over every input value."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from voicelive.audio import (
    AudioFormatError,
    _g711,
    alaw_decode,
    alaw_encode,
    ulaw_decode,
    ulaw_encode,
)

# --- Reference: the classic segment-search formulation, one sample at a time. -------------
# Written from the G.711 tables (segment end points, decoder output formulas), not from the
# vectorized code under test. Negative inputs are quantized via their one's complement
# (-x - 1), exactly as the ITU-T G.191 reference implementation does.

_ULAW_SEG_END = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)
_ALAW_SEG_END = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def ref_ulaw_encode(x: int) -> int:
    sign = 0x80 if x >= 0 else 0x00
    mag = x if x >= 0 else -x - 1
    mag = (mag >> 2) + 33  # 14-bit magnitude plus the bias
    mag = min(mag, 0x1FFF)
    seg = 0
    while mag > _ULAW_SEG_END[seg]:
        seg += 1
    mant = (mag >> (seg + 1)) & 0x0F
    return (sign | (seg << 4) | mant) ^ 0x7F  # all bits but the sign are inverted


def ref_ulaw_decode(code: int) -> int:
    code = ~code & 0xFF
    seg = (code >> 4) & 0x07
    mant = code & 0x0F
    y = ((2 * mant + 33) << seg) - 33  # G.711 table 2a, 14-bit scale
    return -4 * y if code & 0x80 else 4 * y


def ref_alaw_encode(x: int) -> int:
    sign = 0x80 if x >= 0 else 0x00
    mag = (x if x >= 0 else -x - 1) >> 3  # 13-bit magnitude
    seg = 0
    while mag > _ALAW_SEG_END[seg]:
        seg += 1
    mant = (mag >> 1) & 0x0F if seg < 2 else (mag >> seg) & 0x0F
    return (sign | (seg << 4) | mant) ^ 0x55  # even bits inverted


def ref_alaw_decode(code: int) -> int:
    code ^= 0x55
    seg = (code >> 4) & 0x07
    mant = code & 0x0F
    y = 2 * mant + 1 if seg == 0 else (2 * mant + 33) << (seg - 1)  # G.711 table 1a, 13-bit
    return 8 * y if code & 0x80 else -8 * y


ALL_PCM = np.arange(-32768, 32768, dtype=np.int64).astype(np.int16)
ALL_CODES = bytes(range(256))


@functools.cache
def expected_ulaw() -> bytes:
    """The reference μ-law code of every PCM16 value (in ALL_PCM order), computed once."""
    return bytes(ref_ulaw_encode(int(x)) for x in ALL_PCM)


@functools.cache
def expected_alaw() -> bytes:
    return bytes(ref_alaw_encode(int(x)) for x in ALL_PCM)


def test_ulaw_encode_matches_reference_for_all_65536_values() -> None:
    assert ulaw_encode(ALL_PCM) == expected_ulaw()


def test_alaw_encode_matches_reference_for_all_65536_values() -> None:
    assert alaw_encode(ALL_PCM) == expected_alaw()


def test_ulaw_decode_matches_reference_for_all_codes() -> None:
    expected = [ref_ulaw_decode(c) for c in range(256)]
    out = ulaw_decode(ALL_CODES)
    assert out.dtype == np.int16
    assert out.tolist() == expected


def test_alaw_decode_matches_reference_for_all_codes() -> None:
    expected = [ref_alaw_decode(c) for c in range(256)]
    out = alaw_decode(ALL_CODES)
    assert out.dtype == np.int16
    assert out.tolist() == expected


@pytest.mark.parametrize(
    ("pcm", "ulaw", "alaw"),
    [
        (0, 0xFF, 0xD5),  # silence
        (-1, 0x7F, 0x55),  # the one's-complement rule: -1 sits with 0
        (32767, 0x80, 0xAA),  # positive full scale
        (-32768, 0x00, 0x2A),  # negative full scale
        (1000, 0xCE, 0xFA),
        (-1000, 0x4E, 0x7A),
    ],
)
def test_known_codes(pcm: int, ulaw: int, alaw: int) -> None:
    assert ulaw_encode(np.array([pcm], np.int16)) == bytes([ulaw])
    assert alaw_encode(np.array([pcm], np.int16)) == bytes([alaw])


def test_known_decoded_values() -> None:
    assert ulaw_decode(b"\xff\x7f\x80\x00").tolist() == [0, 0, 32124, -32124]
    assert alaw_decode(b"\xd5\x55\xaa\x2a").tolist() == [8, -8, 32256, -32256]


def test_reconstruction_values_are_fixed_points() -> None:
    # Encoding a decoded value returns the code, except μ-law's "negative zero" 0x7F.
    u = ulaw_encode(ulaw_decode(ALL_CODES))
    assert [c for c in range(256) if u[c] != c] == [0x7F]
    assert alaw_encode(alaw_decode(ALL_CODES)) == ALL_CODES


def test_encode_accepts_pcm16_bytes_and_floats() -> None:
    pcm = np.array([0, 1000, -1000, 32767], np.int16)
    assert ulaw_encode(pcm.astype("<i2").tobytes()) == ulaw_encode(pcm)
    assert alaw_encode(memoryview(pcm.astype("<i2").tobytes())) == alaw_encode(pcm)
    assert ulaw_encode(np.array([0.0, 2.0, -2.0], np.float32)) == b"\xff\x80\x00"


def test_encode_rejects_odd_bytes_and_bad_dtypes() -> None:
    with pytest.raises(AudioFormatError, match="even number of bytes"):
        ulaw_encode(b"\x00\x00\x00")
    with pytest.raises(AudioFormatError, match="int32"):
        alaw_encode(np.zeros(4, np.int32))


def test_stereo_arrays_encode_interleaved() -> None:
    stereo = np.array([[0, 32767], [-32768, 0]], np.int16)
    assert ulaw_encode(stereo) == b"\xff\x80\x00\xff"


def test_decoded_arrays_are_writable() -> None:
    out = ulaw_decode(b"\x00\x01")
    out[0] = 5
    assert out[0] == 5


def test_memoryviews_count_bytes_not_items() -> None:
    """A memoryview over int16 samples has 3 items but 6 bytes: a whole number of samples."""
    pcm = np.array([1000, -1000, 32767], dtype="<i2")
    view = memoryview(pcm)  # format 'h': len() counts samples
    assert len(view) == 3
    assert ulaw_encode(view) == ulaw_encode(pcm)
    assert alaw_encode(view) == alaw_encode(pcm)
    with pytest.raises(AudioFormatError, match="3 bytes"):
        ulaw_encode(memoryview(b"\x00\x01\x02"))


def test_table_builder_matches_reference() -> None:
    """The builder itself, called here rather than at import: the module's tables are built
    once, before any test runs, so only a direct call lets a broken builder (or a mutant of
    it) fail a test. The module's tables must be exactly what it builds."""
    ulaw_enc, alaw_enc, ulaw_dec, alaw_dec = _g711._build_tables()
    index = ALL_PCM.view(np.uint16)  # the tables are indexed by the samples' bit patterns
    assert ulaw_enc.dtype == alaw_enc.dtype == np.uint8
    assert ulaw_enc[index].tobytes() == expected_ulaw()
    assert alaw_enc[index].tobytes() == expected_alaw()
    assert ulaw_dec.dtype == alaw_dec.dtype == np.int16
    assert ulaw_dec.tolist() == [ref_ulaw_decode(c) for c in range(256)]
    assert alaw_dec.tolist() == [ref_alaw_decode(c) for c in range(256)]
    for built, used in zip(
        (ulaw_enc, alaw_enc, ulaw_dec, alaw_dec),
        (_g711._ULAW_ENC, _g711._ALAW_ENC, _g711._ULAW_DEC, _g711._ALAW_DEC),
        strict=True,
    ):
        assert np.array_equal(built, used)
        assert not used.flags.writeable  # shared tables cannot be changed by a caller
