"""Conversions between PCM16 bytes, int16 and float arrays and channel layouts."""

from __future__ import annotations

import numpy as np
import pytest

from voicelive.audio import (
    AudioFormatError,
    array_to_pcm16,
    as_int16,
    float32_to_int16,
    int16_to_float32,
    interleave,
    pcm16_to_array,
    to_mono,
)


def test_pcm16_bytes_round_trip_little_endian() -> None:
    data = b"\x01\x00\xff\xff\x00\x80\xff\x7f"
    arr = pcm16_to_array(data)
    assert arr.dtype == np.int16
    assert arr.tolist() == [1, -1, -32768, 32767]
    assert array_to_pcm16(arr) == data
    assert pcm16_to_array(bytearray(data)).tolist() == arr.tolist()
    assert pcm16_to_array(memoryview(data)).tolist() == arr.tolist()
    arr[0] = 7  # a writable copy, not a view of the bytes
    assert pcm16_to_array(b"").shape == (0,)


def test_pcm16_to_array_counts_memoryview_bytes_not_items() -> None:
    """A memoryview over int16 samples has 3 items but 6 bytes: 3 whole samples."""
    view = memoryview(np.array([1, -1, 7], "<i2"))
    assert len(view) == 3
    assert pcm16_to_array(view).tolist() == [1, -1, 7]


def test_pcm16_to_array_channels() -> None:
    arr = pcm16_to_array(np.arange(6, dtype="<i2").tobytes(), channels=2)
    assert arr.shape == (3, 2)
    assert arr[:, 1].tolist() == [1, 3, 5]
    assert array_to_pcm16(arr) == np.arange(6, dtype="<i2").tobytes()


def test_pcm16_to_array_errors() -> None:
    with pytest.raises(AudioFormatError, match=r"even number of bytes.*got 3 bytes"):
        pcm16_to_array(b"abc")
    with pytest.raises(AudioFormatError, match="multiple of 4 bytes, got 6"):
        pcm16_to_array(b"abcdef", channels=2)
    with pytest.raises(AudioFormatError, match="at least 1"):
        pcm16_to_array(b"", channels=0)


def test_int16_float_round_trip_is_exact() -> None:
    every = np.arange(-32768, 32768, dtype=np.int64).astype(np.int16)
    f = int16_to_float32(every)
    assert f.dtype == np.float32
    assert f.min() == -1.0
    assert f.max() < 1.0
    assert np.array_equal(float32_to_int16(f), every)


def test_float_to_int16_clips_rounds_and_handles_nan() -> None:
    x = np.array([0.0, 1.0, -1.0, 1.5, -7.0, 0.5, 1e30, -np.inf, np.inf, np.nan], np.float64)
    assert float32_to_int16(x).tolist() == [
        0,
        32767,
        -32768,
        32767,
        -32768,
        16384,
        32767,
        -32768,
        32767,
        0,
    ]
    x32 = np.array([1.0001, -1.0001, 0.25 / 32768], np.float32)
    assert float32_to_int16(x32).tolist() == [32767, -32768, 0]
    with pytest.raises(AudioFormatError, match="expected a float array"):
        float32_to_int16(np.zeros(2, np.int16))


def test_array_to_pcm16_accepts_floats_rejects_other_dtypes() -> None:
    assert array_to_pcm16(np.array([0.5, -2.0], np.float32)) == b"\x00\x40\x00\x80"
    with pytest.raises(AudioFormatError, match="got dtype int32"):
        array_to_pcm16(np.zeros(3, np.int32))
    with pytest.raises(AudioFormatError, match="got dtype uint8"):
        as_int16(np.zeros(3, np.uint8))
    x = np.zeros(3, np.int16)
    assert as_int16(x) is x


def test_to_mono() -> None:
    stereo = np.array([[100, 200], [-32768, -32767], [3, 4]], np.int16)
    mono = to_mono(stereo, 2)
    assert mono.dtype == np.int16
    assert mono.tolist() == [150, -32768, 4]  # rounded to nearest (3.5 -> 4 by banker's rule)
    assert to_mono(stereo.reshape(-1), 2).tolist() == mono.tolist()
    f = to_mono(np.array([[1.0, 0.0], [0.5, -0.5]], np.float32), 2)
    assert f.dtype == np.float32
    assert f.tolist() == [0.5, 0.0]
    one = np.arange(4, dtype=np.int16)
    assert to_mono(one, 1) is one
    assert to_mono(one.reshape(-1, 1), 1).tolist() == [0, 1, 2, 3]
    # float channels are averaged in float64 and rounded once: a float32 sum would first
    # round 1 + 2**-24 + 2**-24 to 1 (each addition loses the small term).
    fine = to_mono(np.array([[1.0, 2.0**-24, 2.0**-24]], np.float32), 3)
    assert fine.tolist() == [float(np.float32((1 + 2.0**-23) / 3))]
    assert fine.tolist() != [float(np.float32(1 / 3))]
    three = np.array([[1, 2, 3]], np.int16)
    assert to_mono(three, 3).tolist() == [2]


def test_to_mono_errors() -> None:
    with pytest.raises(AudioFormatError, match="array has 2 channels"):
        to_mono(np.zeros((4, 2), np.int16), 3)
    with pytest.raises(AudioFormatError, match="multiple of 2 samples, got 5"):
        to_mono(np.zeros(5, np.int16), 2)
    with pytest.raises(AudioFormatError, match="1-D or 2-D"):
        to_mono(np.zeros((2, 2, 2), np.int16), 2)
    with pytest.raises(AudioFormatError, match="at least 1"):
        to_mono(np.zeros(2, np.int16), 0)


def test_interleave() -> None:
    mic = np.array([1, 2, 3], np.int16)
    ref = np.array([-1, -2, -3], np.int16)
    both = interleave(mic, ref)
    assert both.shape == (3, 2)
    assert array_to_pcm16(both) == np.array([1, -1, 2, -2, 3, -3], "<i2").tobytes()
    assert interleave(mic).tolist() == [[1], [2], [3]]  # one channel: a (frames, 1) array
    with pytest.raises(AudioFormatError, match="equal length"):
        interleave(mic, ref[:2])
    with pytest.raises(AudioFormatError) as caught:
        interleave(mic, ref.astype(np.float32))
    assert str(caught.value) == "channels must share a dtype, got ['int16', 'float32']"
    with pytest.raises(AudioFormatError) as caught:
        interleave()
    assert str(caught.value) == "interleave() needs at least one channel"
